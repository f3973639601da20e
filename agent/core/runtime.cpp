// Runtime shapes of cgroup paths. Where each comes from:
//   docker      systemd driver: /system.slice/docker-<id>.scope (moby
//               daemon/cgroups: "docker" prefix + ".scope"); cgroupfs
//               driver: /docker/<id> (cgroup parent "/docker").
//   containerd  CRI plugin, systemd driver: cgroupsPath
//               "<pod slice>:cri-containerd:<id>", which runc's systemd
//               driver makes <pod slice>/cri-containerd-<id>.scope;
//               cgroupfs driver: <pod cgroup>/<id> (a bare id; cri-dockerd
//               makes the same shape, so a bare id under a pod is named
//               containerd, the common case).
//   crio        internal/config/cgmgr: crio-<id>.scope (systemd) or
//               crio-<id> (cgroupfs); its monitor in crio-conmon-<id>.
//   podman      libpod: libpod-<id>.scope (systemd) or
//               /libpod_parent/libpod-<id> (cgroupfs,
//               CgroupfsDefaultCgroupParent); conmon in libpod-conmon-<id>.scope
//               or /libpod_parent/conmon.
//   nspawn      systemd-machined's scope machine-<name>.scope, the name
//               unit-escaped ('-' is \x2d); nspawn splits it into payload/
//               (the container) and supervisor/ (itself).
//   lxc         LXC 4+ and LXD: lxc.payload.<name> (the monitor in
//               lxc.monitor.<name>); LXC 1-3: /lxc/<name>; some LXC 4.0
//               releases: lxc.payload/<name>.
//   kubepods    kubelet (pkg/kubelet/cm): cgroupfs
//               /kubepods[/burstable|/besteffort]/pod<uid>/...; systemd
//               /kubepods.slice[/kubepods-burstable.slice]/
//               kubepods[-burstable]-pod<uid with '-' as '_'>.slice/...;
//               guaranteed pods have no QoS level of their own.
#include "core/runtime.h"

#include "util/text.h"

namespace nsgroup {

namespace {

bool is_hex64(std::string_view s) {
  if (s.size() != 64)
    return false;
  for (char ch : s)
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
      return false;
  return true;
}

// The middle of s when it is prefix + something + suffix.
std::optional<std::string_view> between(std::string_view s, std::string_view prefix,
                                        std::string_view suffix) {
  if (s.size() <= prefix.size() + suffix.size() || !s.starts_with(prefix) ||
      !s.ends_with(suffix))
    return std::nullopt;
  return s.substr(prefix.size(), s.size() - prefix.size() - suffix.size());
}

// A 64-hex id after prefix, with or without ".scope".
std::optional<std::string_view> hex_id(std::string_view c, std::string_view prefix) {
  if (auto id = between(c, prefix, ".scope"); id && is_hex64(*id))
    return id;
  if (auto id = between(c, prefix, ""); id && is_hex64(*id))
    return id;
  return std::nullopt;
}

// A pod uid as kubelet writes it: a UUID, or the hash of a static pod.
bool is_pod_uid(std::string_view s) {
  if (s.empty() || s.size() > 64)
    return false;
  for (char ch : s)
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || ch == '-'))
      return false;
  return true;
}

std::string underscores_to_dashes(std::string_view s) {
  std::string out(s);
  for (char& ch : out)
    if (ch == '_')
      ch = '-';
  return out;
}

struct Kube {
  bool in = false;
  std::string qos;
  std::string pod;
};

// Reads a kubepods component into k; true when it was one.
bool kube_component(std::string_view c, Kube& k) {
  if (c == "kubepods" || c == "kubepods.slice") {
    k = Kube{true, "guaranteed", ""};
    return true;
  }
  if (!k.in)
    return false;
  for (std::string_view qos : {"burstable", "besteffort"}) {
    if (c == qos || c == "kubepods-" + std::string(qos) + ".slice") {
      k.qos = std::string(qos);
      return true;
    }
  }
  if (auto uid = between(c, "pod", ""); uid && is_pod_uid(*uid)) {
    k.pod = std::string(*uid);
    return true;
  }
  for (std::string_view prefix :
       {"kubepods-pod", "kubepods-burstable-pod", "kubepods-besteffort-pod"}) {
    if (auto uid = between(c, prefix, ".slice")) {
      std::string dashed = underscores_to_dashes(*uid);
      if (!is_pod_uid(dashed))
        return false;
      k.pod = std::move(dashed);
      return true;
    }
  }
  return false;
}

// The runtime whose container this component is, given the one above it.
std::optional<RuntimeInfo> runtime_component(std::string_view c, std::string_view parent,
                                             bool parent_is_pod) {
  auto info = [](std::string_view name, std::string_view id) {
    return RuntimeInfo{std::string(name), std::string(id), {}, {}};
  };
  if (auto id = between(c, "docker-", ".scope"); id && is_hex64(*id))
    return info("docker", *id);
  if (parent == "docker" && is_hex64(c))
    return info("docker", c);
  if (auto id = between(c, "cri-containerd-", ".scope"); id && is_hex64(*id))
    return info("containerd", *id);
  if (parent_is_pod && is_hex64(c))
    return info("containerd", c);
  if (c.starts_with("crio-conmon-") || c.starts_with("libpod-conmon-"))
    return std::nullopt;
  if (auto id = hex_id(c, "crio-"))
    return info("crio", *id);
  if (auto id = hex_id(c, "libpod-"))
    return info("podman", *id);
  if (auto name = between(c, "machine-", ".scope")) {
    if (auto plain = systemd_unescape(*name))
      return info("nspawn", *plain);
    return std::nullopt;
  }
  if (auto name = between(c, "lxc.payload.", ""))
    return info("lxc", *name);
  if ((parent == "lxc" || parent == "lxc.payload") && !c.starts_with("lxc.monitor"))
    return info("lxc", c);
  return std::nullopt;
}

}  // namespace

std::optional<std::string> systemd_unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 3 >= s.size() || s[i + 1] != 'x')
      return std::nullopt;
    int hi = hex_digit(s[i + 2]);
    int lo = hex_digit(s[i + 3]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    char ch = static_cast<char>(hi * 16 + lo);
    if (ch == '\0' || ch == '/')
      return std::nullopt;
    out.push_back(ch);
    i += 3;
  }
  if (out.empty())
    return std::nullopt;
  return out;
}

std::optional<RuntimeInfo> runtime_from_cgroup(std::string_view path) {
  while (!path.empty() && (path.back() == '\n' || path.back() == '\r'))
    path.remove_suffix(1);
  Kube kube;
  std::optional<RuntimeInfo> best;
  std::optional<RuntimeInfo> outer;  // best before the last match
  std::string_view parent;
  bool parent_is_pod = false;
  bool parent_matched = false;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t end = path.find('/', pos);
    if (end == std::string_view::npos)
      end = path.size();
    std::string_view c = path.substr(pos, end - pos);
    pos = end + 1;
    if (c.empty())
      continue;
    bool is_pod = false;
    bool matched = false;
    std::string pod_before = kube.pod;
    if (kube_component(c, kube)) {
      is_pod = kube.pod != pod_before && !kube.pod.empty();
    } else if (parent_matched && best && best->name == "nspawn" && c == "supervisor") {
      best = outer;  // systemd-nspawn itself, not its container
    } else if (auto r = runtime_component(c, parent, parent_is_pod)) {
      if (kube.in && !kube.pod.empty()) {
        r->pod_uid = kube.pod;
        r->qos = kube.qos;
      }
      outer = std::move(best);
      best = std::move(r);
      matched = true;
    }
    parent = c;
    parent_is_pod = is_pod;
    parent_matched = matched;
  }
  return best;
}

bool leaf_may_be_runtimes(std::string_view leaf) {
  return leaf.find('.') != std::string_view::npos || is_hex64(leaf) || leaf == "payload" ||
         leaf == "container" || runtime_from_cgroup(leaf).has_value();
}

std::string short_runtime_id(std::string_view id) {
  return std::string(is_hex64(id) ? id.substr(0, 12) : id);
}

std::string runtime_label(const RuntimeInfo& r) {
  return r.name + ":" + short_runtime_id(r.id);
}

}  // namespace nsgroup
