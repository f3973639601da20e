// pidfd-based signalling of a subtree's members.
#include "host/kill.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "host/procfs.h"
#include "util/fd.h"

namespace nsgroup {

UniqueFd pidfd_if_started(std::uint32_t pid, std::uint64_t start_ticks, const ProcFs& proc) {
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd)
    return pidfd;
  auto fields = proc.stat(pid);
  if (!fields || fields->start_ticks != start_ticks)
    return UniqueFd();
  return pidfd;
}

std::size_t kill_members(const Tree& tree, ContainerId id,
                         const std::function<bool(std::uint32_t)>& skip,
                         const ProcFs& proc) {
  std::size_t n = 0;
  tree.visit(id, [&](const Container& c, int) {
    for (auto pid : c.members) {
      if (skip(pid))
        continue;
      auto it = tree.processes().find(pid);
      if (it == tree.processes().end())
        continue;
      UniqueFd pidfd = pidfd_if_started(pid, it->second.start_ticks, proc);
      if (!pidfd)
        continue;
      if (::syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0) == 0)
        ++n;
    }
  });
  return n;
}

}  // namespace nsgroup
