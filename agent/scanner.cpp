// /proc and mountinfo reading.
#include "scanner.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/types.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <thread>

#include "fd.h"
#include "file.h"

namespace nsgroup {

namespace {

// NS_GET_ID (Linux 6.18): the namespace's 64-bit id. Debian 12's headers
// predate it.
constexpr unsigned long kNsGetId = _IOR(0xb7, 0xd, __u64);


std::string unescape_octal(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() &&
        std::isdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isdigit(static_cast<unsigned char>(s[i + 2])) &&
        std::isdigit(static_cast<unsigned char>(s[i + 3]))) {
      out.push_back(static_cast<char>((s[i + 1] - '0') * 64 +
                                      (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}


bool all_digits(const char* s) {
  if (!*s)
    return false;
  for (; *s; ++s)
    if (!std::isdigit(static_cast<unsigned char>(*s)))
      return false;
  return true;
}

}  // namespace

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == sep) {
      if (sep != ' ' || i > start)
        out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

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

std::optional<std::string> runtime_id_from_cgroup(std::string_view cgroup) {
  std::size_t run = 0;
  for (std::size_t i = 0; i <= cgroup.size(); ++i) {
    bool hex = i < cgroup.size() &&
               std::isxdigit(static_cast<unsigned char>(cgroup[i])) &&
               !std::isupper(static_cast<unsigned char>(cgroup[i]));
    if (hex) {
      ++run;
      continue;
    }
    if (run == 64)
      return std::string(cgroup.substr(i - 64, 12));
    run = 0;
  }
  return std::nullopt;
}

Scanner::Scanner(std::string proc) : proc_(std::move(proc)) {
  // Asked once, of a file that surely is a namespace: a failure on some
  // other path (a bind mount we cannot see) says nothing about the kernel.
  UniqueFd fd(::open((proc_ + "/self/ns/net").c_str(), O_RDONLY | O_CLOEXEC));
  __u64 id = 0;
  ids_ = fd && ::ioctl(fd.get(), kNsGetId, &id) == 0;
}

std::uint64_t Scanner::ns_id(const std::string& path) {
  if (!ids_)
    return 0;
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd)
    return 0;
  __u64 id = 0;
  if (::ioctl(fd.get(), kNsGetId, &id) != 0)
    return 0;
  return id;
}

std::optional<ProcInfo> Scanner::read(
    std::uint32_t pid, std::unordered_map<std::uint64_t, std::uint64_t>& ids) {
  std::string base = proc_ + "/" + std::to_string(pid);
  std::string text;
  if (!read_file(base + "/stat", text)) {
    if (errno != ENOENT && errno != ESRCH)
      scan_failed_ = true;  // not "gone": something is wrong with us
    return std::nullopt;
  }
  auto st = parse_stat(text);
  if (!st)
    return std::nullopt;
  ProcInfo p;
  p.pid = pid;
  p.ppid = st->ppid;
  p.start_ticks = st->start_ticks;
  p.comm = std::move(st->comm);

  std::string ns_dir = base + "/ns/";
  char buf[64];
  int unreadable = 0;
  for (std::size_t i = 0; i < kNsCount; ++i) {
    std::string link = ns_dir + std::string(kNsNames[i]);
    ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
    if (n < 0) {
      if (errno == EACCES || errno == EPERM)
        ++unreadable;
      else if (errno == ENOENT && i != NSG_NS_PID_FOR_CHILDREN &&
               i != NSG_NS_TIME_FOR_CHILDREN && i != NSG_NS_TIME &&
               i != NSG_NS_CGROUP) {
        return std::nullopt;  // the process is gone
      }
      p.missing_mask |= 1U << i;
      continue;
    }
    std::size_t type_index = ns_type_of(i);
    std::string_view type = kNsNames[type_index];
    auto inum = parse_ns_link(std::string_view(buf, static_cast<std::size_t>(n)), type);
    if (!inum) {
      p.missing_mask |= 1U << i;
      continue;
    }
    p.ns.inum[i] = *inum;
    // Inodes of live namespaces are unique at any moment: one NS_GET_ID
    // per namespace per scan.
    std::uint64_t k = (static_cast<std::uint64_t>(type_index) << 32) | *inum;
    auto it = ids.find(k);
    if (it == ids.end()) {
      std::uint64_t id = ns_id(link);
      if (id == 0 && ids_) {
        p.partial = true;  // not cached: the next holder may answer
        continue;
      }
      it = ids.emplace(k, id).first;
    }
    p.ns.id[i] = it->second;
  }
  if (unreadable > 0) {
    p.readable = false;
    p.ns = NsSet{};
    p.missing_mask = 0;
  }
  return p;
}

std::optional<ProcInfo> Scanner::read_process(std::uint32_t pid) {
  std::unordered_map<std::uint64_t, std::uint64_t> ids;
  return read(pid, ids);
}

std::vector<std::uint32_t> Scanner::pids() {
  std::vector<std::uint32_t> out;
  DIR* d = ::opendir(proc_.c_str());
  if (!d) {
    scan_failed_ = true;
    return out;
  }
  while (dirent* ent = ::readdir(d)) {
    if (all_digits(ent->d_name))
      out.push_back(static_cast<std::uint32_t>(std::strtoul(ent->d_name, nullptr, 10)));
  }
  ::closedir(d);
  return out;
}

Snapshot Scanner::scan() {
  Snapshot snap;
  scan_failed_ = false;
  std::unordered_map<std::uint64_t, std::uint64_t> ids;
  auto all = pids();
  snap.procs.reserve(all.size());
  for (auto pid : all)
    if (auto p = read(pid, ids))
      snap.procs.push_back(std::move(*p));
  snap.pins = pins();
  snap.complete = !scan_failed_;
  return snap;
}

std::vector<PinnedNs> Scanner::pins() {
  // PID 1's mount namespace is the host's; ours may be private (systemd's
  // ProtectSystem=, PrivateTmp=). Fall back to ours where PID 1 is closed.
  std::string text, root;
  if (read_file(proc_ + "/1/mountinfo", text) && !text.empty())
    root = proc_ + "/1/root";
  else if (!read_file(proc_ + "/self/mountinfo", text))
    return {};
  auto out = parse_nsfs_mounts(text);
  for (auto& pin : out) {
    // Through PID 1's root when we may; else the same path seen from ours.
    pin.id = root.empty() ? 0 : ns_id(root + pin.mountpoint);
    if (pin.id == 0)
      pin.id = ns_id(pin.mountpoint);
  }
  return out;
}

NsSet Scanner::root_ns() {
  for (std::uint32_t pid : {2U, 1U}) {
    auto p = read_process(pid);
    if (p && p->readable && p->missing_mask == 0 &&
        (pid != 2 || p->comm == "kthreadd"))
      return p->ns;
  }
  auto self = read_process(static_cast<std::uint32_t>(::getpid()));
  return self ? self->ns : NsSet{};
}

std::unordered_map<std::uint32_t, std::string> Scanner::hostnames(
    const std::vector<std::uint32_t>& pids) {
  std::unordered_map<std::uint32_t, std::string> out;
  if (pids.empty())
    return out;
  // setns(CLONE_NEWUTS) changes only the calling thread: a helper thread
  // visits each namespace and leaves the agent's own alone.
  std::thread helper([&] {
    for (auto pid : pids) {
      std::string path = proc_ + "/" + std::to_string(pid) + "/ns/uts";
      UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd || ::setns(fd.get(), CLONE_NEWUTS) != 0)
        continue;
      utsname u{};
      if (::uname(&u) == 0)
        out[pid] = u.nodename;
    }
  });
  helper.join();
  return out;
}

std::optional<std::string> Scanner::runtime_id(std::uint32_t pid) {
  std::string text;
  if (!read_file(proc_ + "/" + std::to_string(pid) + "/cgroup", text))
    return std::nullopt;
  return runtime_id_from_cgroup(text);
}

}  // namespace nsgroup
