// /proc under a root, and the parsers of its text and of mountinfo.
#include "host/procfs.h"

#include <unistd.h>

#include <cctype>

#include "core/ns.h"
#include "util/file.h"
#include "util/text.h"

namespace nsgroup {

std::vector<MountEntry> parse_mountinfo(std::string_view mountinfo) {
  std::vector<MountEntry> out;
  for (auto line : split(mountinfo, '\n')) {
    // "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE ..."
    auto sep = line.find(" - ");
    if (sep == std::string_view::npos)
      continue;
    auto head = split(line.substr(0, sep), ' ');
    auto tail = split(line.substr(sep + 3), ' ');
    if (head.size() < 5 || tail.empty())
      continue;
    out.push_back({head[3], unescape_octal(head[4]), tail[0]});
  }
  return out;
}

std::optional<std::uint32_t> parse_ns_link(std::string_view link,
                                           std::string_view type) {
  if (link.size() < type.size() + 4 || link.substr(0, type.size()) != type ||
      link.substr(type.size(), 2) != ":[" || link.back() != ']')
    return std::nullopt;
  std::string_view digits = link.substr(type.size() + 2);
  digits.remove_suffix(1);
  if (digits.empty() || digits.size() > 10)
    return std::nullopt;
  std::uint64_t v = 0;
  for (char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > 0xffffffffULL)
    return std::nullopt;
  return static_cast<std::uint32_t>(v);
}

std::optional<StatFields> parse_stat(std::string_view stat) {
  auto open = stat.find('(');
  auto close = stat.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos ||
      close < open)
    return std::nullopt;
  StatFields f;
  f.comm = std::string(stat.substr(open + 1, close - open - 1));
  // After ") ": state(3) ppid(4) ... starttime(22).
  auto rest = split(stat.substr(close + 1), ' ');
  if (rest.size() < 20)
    return std::nullopt;
  auto num = [](std::string_view s, std::uint64_t& out) {
    out = 0;
    if (s.empty())
      return false;
    for (char c : s) {
      if (!std::isdigit(static_cast<unsigned char>(c)))
        return false;
      out = out * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return true;
  };
  std::uint64_t ppid = 0;
  if (!num(rest[1], ppid) || !num(rest[6], f.flags) || !num(rest[19], f.start_ticks))
    return std::nullopt;
  f.ppid = static_cast<std::uint32_t>(ppid);
  return f;
}

std::vector<PinnedNs> parse_nsfs_mounts(std::string_view mountinfo) {
  std::vector<PinnedNs> out;
  for (auto& m : parse_mountinfo(mountinfo)) {
    if (m.fstype != "nsfs")
      continue;
    // The root of an nsfs mount is the namespace: "net:[4026532177]".
    auto colon = m.root.find(':');
    if (colon == std::string_view::npos)
      continue;
    auto type = ns_index(m.root.substr(0, colon));
    auto inum = type ? parse_ns_link(m.root, m.root.substr(0, colon)) : std::nullopt;
    if (!inum)
      continue;
    bool seen = false;
    for (const auto& p : out)
      seen = seen || (p.type == *type && p.inum == *inum);
    if (!seen)
      out.push_back({*type, *inum, 0, std::move(m.mountpoint)});
  }
  return out;
}

std::optional<RuntimeInfo> runtime_from_proc_cgroup(std::string_view text) {
  if (auto v2 = cgroup_v2_path(text))
    if (auto r = runtime_from_cgroup(*v2))
      return r;
  for (auto line : split(text, '\n')) {
    // "ID:CONTROLLERS:PATH"; the path may hold ':'.
    auto first = line.find(':');
    auto second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos || line.substr(0, second) == "0:")
      continue;
    if (auto r = runtime_from_cgroup(line.substr(second + 1)))
      return r;
  }
  return std::nullopt;
}

namespace {

// The value of a "Key:\tvalue" line of a /proc/PID/status text, its
// leading blanks skipped.
std::optional<std::string_view> status_field(std::string_view status, std::string_view key) {
  for (auto line : split(status, '\n')) {
    if (line.size() <= key.size() || line.substr(0, key.size()) != key ||
        line[key.size()] != ':')
      continue;
    line.remove_prefix(key.size() + 1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
      line.remove_prefix(1);
    return line;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::uint32_t> parse_tgid(std::string_view status) {
  auto text = status_field(status, "Tgid");
  auto v = text ? parse_u64(*text) : std::nullopt;
  if (!v || *v == 0 || *v > 0xffffffffULL)
    return std::nullopt;
  return static_cast<std::uint32_t>(*v);
}

std::optional<std::uint64_t> parse_cap_eff(std::string_view status) {
  if (auto line = status_field(status, "CapEff")) {
    if (line->empty() || line->size() > 16)
      return std::nullopt;
    std::uint64_t v = 0;
    for (char c : *line) {
      int d = hex_digit(c);
      if (d < 0)
        return std::nullopt;
      v = v * 16 + static_cast<std::uint64_t>(d);
    }
    return v;
  }
  return std::nullopt;
}

std::optional<std::string> cgroup2_mount_from(std::string_view mountinfo) {
  for (auto& m : parse_mountinfo(mountinfo))
    if (m.fstype == "cgroup2" && m.root == "/")
      return std::move(m.mountpoint);
  return std::nullopt;
}

std::optional<std::string> cgroup_v2_path(std::string_view proc_cgroup) {
  for (auto line : split(proc_cgroup, '\n'))
    if (line.substr(0, 3) == "0::")
      return std::string(line.substr(3));
  return std::nullopt;
}

std::string ProcFs::path(std::uint32_t pid, std::string_view file) const {
  std::string out = root_ + "/" + std::to_string(pid);
  if (!file.empty())
    out.append("/").append(file);
  return out;
}

std::string ProcFs::self(std::string_view file) const {
  return root_ + "/self/" + std::string(file);
}

std::optional<std::string> ProcFs::read(std::uint32_t pid, std::string_view file) const {
  auto text = read_file(path(pid, file));
  if (!text)
    return std::nullopt;
  return std::move(*text);
}

Status ProcFs::read_into(std::uint32_t pid, std::string_view file, std::string& out) const {
  return read_file_into(path(pid, file), out);
}

std::optional<StatFields> ProcFs::stat(std::uint32_t pid) const {
  auto text = read(pid, "stat");
  return text ? parse_stat(*text) : std::nullopt;
}

std::optional<std::string> ProcFs::cgroup_v2(std::uint32_t pid) const {
  auto text = read(pid, "cgroup");
  return text ? cgroup_v2_path(*text) : std::nullopt;
}

bool ProcFs::exists(std::uint32_t pid) const {
  return ::access(path(pid).c_str(), F_OK) == 0;
}

}  // namespace nsgroup
