// Entering the root's cgroup namespace (cgroupns.h).
#include "host/cgroupns.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/procfs.h"
#include "util/fd.h"
#include "util/file.h"
#include "util/log.h"

namespace nsgroup {

namespace {

constexpr std::uint64_t kPfKthread = 0x00200000;

// PID 2 is kthreadd, the kernel's: with the host's pid namespace, its
// namespaces are the tree's root (Scanner::root_ns reads them first too).
bool pid2_is_kthreadd(const ProcFs& proc) {
  auto stat = proc.stat(2);
  return stat && stat->ppid == 0 && (stat->flags & kPfKthread) != 0;
}

std::size_t thread_count(const ProcFs& proc) {
  auto dir = Dir::open(proc.self("task"));
  std::size_t n = 0;
  if (dir)
    while (dir->next())
      ++n;
  return n;
}

std::string ns_name(std::uint64_t inode) { return "cgroup:[" + std::to_string(inode) + "]"; }

constexpr const char* kWhatToDo =
    "run it with the host's pid namespace (Kubernetes: hostPID: true; docker run --pid=host) "
    "and CAP_SYS_ADMIN and CAP_SYS_PTRACE (as dist/kubernetes/daemonset.yaml does), "
    "or in the host's cgroup namespace (docker run --cgroupns=host)";

}  // namespace

bool cgroup_path_is_outside(std::string_view path) {
  return path == "/.." || path.starts_with("/../");
}

Result<CgroupNsEntered> enter_root_cgroup_namespace(const ProcFs& proc) {
  CgroupNsEntered r;
  struct stat own {};
  if (::stat(proc.self("ns/cgroup").c_str(), &own) != 0)
    return r;  // a kernel without cgroup namespaces: every path is absolute
  r.from = own.st_ino;

  // The root's namespace: kthreadd's, else PID 1's.
  UniqueFd target;
  struct stat theirs {};
  Failure unreadable;
  for (std::uint32_t pid : {2U, 1U}) {
    if (pid == 2 && !pid2_is_kthreadd(proc))
      continue;
    std::string path = proc.path(pid, "ns/cgroup");
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd || ::fstat(fd.get(), &theirs) != 0) {
      if (unreadable.what.empty())
        unreadable = errno_failure(path);
      continue;
    }
    target = std::move(fd);
    r.of_pid = pid;
    break;
  }
  if (!target) {
    // Nothing to compare with; the initial namespace needs nothing anyway.
    if (own.st_ino == kInitialCgroupNsInode)
      return r;
    return Failure{unreadable.err,
                   "nsgroup runs in a cgroup namespace of its own (" + ns_name(own.st_ino) +
                       "), where cgroup paths read relative to its own cgroup, and cannot read "
                       "the host's to enter it: " +
                       kWhatToDo + "; " + unreadable.what};
  }
  if (theirs.st_ino == own.st_ino && theirs.st_dev == own.st_dev)
    return r;
  r.to = theirs.st_ino;
  std::string from_to = ns_name(own.st_ino) + " to PID " + std::to_string(r.of_pid) + "'s " +
                        ns_name(theirs.st_ino);
  // setns moves the calling thread only: another thread would stay behind.
  if (std::size_t n = thread_count(proc); n > 1)
    return failure("internal: the cgroup namespace must be entered before any thread starts (" +
                   std::to_string(n) + " threads)");
  if (::setns(target.get(), CLONE_NEWCGROUP) != 0)
    return errno_failure("nsgroup runs in a cgroup namespace of its own and cannot enter the "
                         "host's (" + from_to + "): " + kWhatToDo + "; setns");
  // The root's namespace shows this process's cgroup from the cgroup2
  // root; a PID 1 that is not the host's (a pod without hostPID) shows it
  // outside.
  auto text = read_file(proc.self("cgroup"));
  auto mine = text ? cgroup_v2_path(*text) : std::nullopt;
  if (mine && cgroup_path_is_outside(*mine))
    return failure("entered the cgroup namespace of PID " + std::to_string(r.of_pid) + " (" +
                   from_to + "), but this process's cgroup still reads " + *mine +
                   " there: PID " + std::to_string(r.of_pid) + " is not the host's; " + kWhatToDo);
  r.entered = true;
  log_info("entered the host's cgroup namespace (from " + from_to +
           "): cgroup paths now read from the cgroup2 root");
  return r;
}

}  // namespace nsgroup
