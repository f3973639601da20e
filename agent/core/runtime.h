// Container runtimes: which runtime made a container, and its id, as read
// from a cgroup path. Pure: the host layer reads the paths (and the
// runtimes' own state files, for those whose cgroup says nothing).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nsgroup {

struct RuntimeInfo {
  std::string name;     // docker, containerd, crio, podman, nspawn, lxc, runc, crun
  std::string id;       // the runtime's container id or name (whole)
  std::string pod_uid;  // a Kubernetes pod's uid; empty outside kubepods
  std::string qos;      // its QoS class: guaranteed, burstable, besteffort
  bool operator==(const RuntimeInfo&) const = default;
};

// The runtime of a process in this cgroup (one path, as in "0::PATH"; a
// trailing newline is ignored), from the deepest component that is a
// runtime's container. nullopt for paths no runtime makes, and for a
// runtime's own helpers (conmon, the LXC monitor, nspawn's supervisor).
std::optional<RuntimeInfo> runtime_from_cgroup(std::string_view path);

// Whether a process whose cgroup's last component is leaf may be in a
// runtime's container, so that its whole cgroup path is worth reading (a
// task iterator's scan carries the leaf alone): a leaf with a '.' (a
// runtime's scope, lxc.payload.NAME, a unit of a systemd inside a
// container), a 64-hex id, nspawn's "payload", podman's "container", or
// a leaf that names a runtime by itself (crio-ID under cgroupfs).
// Not the mirror's own directories, whose names hold no '.' (rename
// refuses one): a mirror of 10,000 containers costs no read.
bool leaf_may_be_runtimes(std::string_view leaf);

// A systemd unit name's escapes decoded ("web\x2d1" is "web-1"); nullopt
// for a malformed escape or a decoded '/' or NUL.
std::optional<std::string> systemd_unescape(std::string_view s);

// The id as labels show it: 12 digits of a 64-digit hex id (as docker
// and crictl print it), else the whole id.
std::string short_runtime_id(std::string_view id);

// "docker:3f2a9c1b7d0e", "lxc:c1".
std::string runtime_label(const RuntimeInfo& r);

}  // namespace nsgroup
