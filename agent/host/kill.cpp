// pidfd-based signalling of a subtree's members.
#include "host/kill.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "host/procfs.h"
#include "util/fd.h"
#include "util/file.h"

namespace nsgroup {

namespace {

std::uint64_t start_ticks_now(std::uint32_t pid) {
  auto stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  if (!stat)
    return 0;
  auto f = parse_stat(*stat);
  return f ? f->start_ticks : 0;
}

}  // namespace

std::size_t kill_members(const Tree& tree, ContainerId id,
                         const std::function<bool(std::uint32_t)>& skip) {
  std::size_t n = 0;
  tree.visit(id, [&](const Container& c, int) {
    for (auto pid : c.members) {
      if (skip(pid))
        continue;
      // Open first, then check: the pidfd pins the process we checked.
      UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
      if (!pidfd)
        continue;
      auto it = tree.processes().find(pid);
      if (it == tree.processes().end() ||
          start_ticks_now(pid) != it->second.start_ticks)
        continue;
      if (::syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0) == 0)
        ++n;
    }
  });
  return n;
}

}  // namespace nsgroup
