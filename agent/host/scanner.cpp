// /proc and mountinfo reading.
#include "host/scanner.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/types.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <thread>

#include "host/procfs.h"
#include "util/fd.h"
#include "util/file.h"

namespace nsgroup {

namespace {

// NS_GET_ID (Linux 6.18): the namespace's 64-bit id. Debian 12's headers
// predate it.
constexpr unsigned long kNsGetId = _IOR(0xb7, 0xd, __u64);

bool all_digits(const char* s) {
  if (!*s)
    return false;
  for (; *s; ++s)
    if (!std::isdigit(static_cast<unsigned char>(*s)))
      return false;
  return true;
}

}  // namespace

Scanner::Scanner(ProcFs proc) : proc_(std::move(proc)) {
  // Asked once, of a file that surely is a namespace: a failure on some
  // other path (a bind mount we cannot see) says nothing about the kernel.
  UniqueFd fd(::open(proc_.self("ns/net").c_str(), O_RDONLY | O_CLOEXEC));
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
  std::string text;
  if (auto ok = proc_.read_into(pid, "stat", text); !ok) {
    int err = ok.error().err;
    if (err != ENOENT && err != ESRCH && !failed_)
      failed_ = ok.error();  // not "gone": something is wrong with us
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

  std::string ns_dir = proc_.path(pid, "ns/");
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

Result<std::vector<std::uint32_t>> Scanner::pids() {
  auto dir = Dir::open(proc_.root());
  if (!dir)
    return dir.error();
  std::vector<std::uint32_t> out;
  while (const dirent* ent = dir->next())
    if (all_digits(ent->d_name))
      out.push_back(static_cast<std::uint32_t>(std::strtoul(ent->d_name, nullptr, 10)));
  if (errno != 0)
    return errno_failure("reading " + proc_.root());
  return out;
}

Result<Snapshot> Scanner::scan() {
  failed_.reset();
  auto all = pids();
  if (!all)
    return all.error();
  Snapshot snap;
  std::unordered_map<std::uint64_t, std::uint64_t> ids;
  snap.procs.reserve(all->size());
  for (auto pid : *all)
    if (auto p = read(pid, ids))
      snap.procs.push_back(std::move(*p));
  if (failed_)
    return *failed_;
  snap.pins = pins();
  return snap;
}

bool Scanner::mounts_changed() {
  if (!mounts_) {
    mounts_.reset(::open(proc_.path(1, "mountinfo").c_str(), O_RDONLY | O_CLOEXEC));
    if (!mounts_)
      mounts_.reset(::open(proc_.self("mountinfo").c_str(), O_RDONLY | O_CLOEXEC));
    return true;
  }
  pollfd p{mounts_.get(), POLLPRI, 0};
  if (::poll(&p, 1, 0) <= 0 || !(p.revents & (POLLPRI | POLLERR)))
    return false;
  // The event stays until the file is read again from the start.
  char buf[65536];
  ::lseek(mounts_.get(), 0, SEEK_SET);
  while (::read(mounts_.get(), buf, sizeof buf) > 0) {
  }
  return true;
}

std::vector<PinnedNs> Scanner::pins() {
  // PID 1's mount namespace is the host's; ours may be private (systemd's
  // ProtectSystem=, PrivateTmp=). Fall back to ours where PID 1 is closed.
  std::string text, root;
  if (proc_.read_into(1, "mountinfo", text) && !text.empty())
    root = proc_.path(1, "root");
  else if (!read_file_into(proc_.self("mountinfo"), text))
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
      std::string path = proc_.path(pid, "ns/uts");
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

std::optional<std::uint32_t> Scanner::tgid(std::uint32_t tid) {
  auto text = proc_.read(tid, "status");
  if (!text)
    return std::nullopt;
  return parse_tgid(*text);
}

std::optional<std::uint64_t> Scanner::capabilities(std::uint32_t pid) {
  auto text = proc_.read(pid, "status");
  if (!text)
    return std::nullopt;
  return parse_cap_eff(*text);
}

std::optional<RuntimeInfo> Scanner::runtime(std::uint32_t pid) {
  auto text = proc_.read(pid, "cgroup");
  if (!text)
    return std::nullopt;
  return runtime_from_proc_cgroup(*text);
}

}  // namespace nsgroup
