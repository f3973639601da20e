// Who is on the other end of a Unix stream connection, proven without
// SO_PEERPIDFD (Linux 5.3 to 6.4: pidfd_open exists, SO_PEERPIDFD does not).
//
// SO_PEERCRED gives the pid that connected, but by the time the daemon reads
// /proc/PID that process may have exited and its pid been reused, and a
// reused pid would lend the newcomer's capabilities and container to the
// connection. The proof, in this order:
//   1. pidfd_open(pid): from here on the pid cannot be reused while the
//      pidfd's process lives;
//   2. that process started no later than the connection was accepted (a
//      pid reused after accept() belongs to a younger process);
//   3. it holds the peer end of this very connection among its fds (the
//      peer socket's inode, from the kernel's unix_diag);
//   4. the pidfd's process is still alive after those reads, so they were
//      all of it.
// What passes is a process that existed when the connection was accepted
// and holds its other end: the connecting process, or one it shared the
// socket with, which speaks for it anyway.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "host/procfs.h"
#include "util/fd.h"
#include "util/result.h"

namespace nsgroup {

// What the proof reads of a process. The real one reads /proc under a root
// and asks the kernel for pidfds; tests give fakes.
class PeerProcesses {
 public:
  explicit PeerProcesses(ProcFs proc = ProcFs()) : proc_(std::move(proc)) {}
  virtual ~PeerProcesses() = default;
  PeerProcesses(const PeerProcesses&) = delete;
  PeerProcesses& operator=(const PeerProcesses&) = delete;

  // pidfd_open(2); an invalid fd when the process is gone.
  virtual UniqueFd open_pidfd(pid_t pid);
  // Whether the pidfd's process has not exited (pidfd_send_signal, signal 0).
  virtual bool alive(int pidfd);
  // The start time of PID in clock ticks since boot (/proc/PID/stat).
  std::optional<std::uint64_t> start_ticks(pid_t pid) const;
  // Whether one of PID's fds is the socket of that inode (/proc/PID/fd/*
  // reads "socket:[INODE]").
  bool holds_socket(pid_t pid, std::uint64_t inode) const;

 private:
  ProcFs proc_;
};

// The inode of the peer socket of a connected AF_UNIX socket, from the
// kernel's sock_diag (unix_diag, UDIAG_SHOW_PEER), or why not (a kernel
// without CONFIG_UNIX_DIAG, or netlink refused).
Result<std::uint64_t> unix_peer_inode(int fd);

// Now on CLOCK_BOOTTIME, in the clock ticks of /proc/PID/stat's start time.
std::uint64_t boot_ticks_now();

// Steps 1 to 4 above: a pidfd of the proven peer, or why it is not proven.
Result<UniqueFd> prove_peer(PeerProcesses& procs, pid_t pid, std::uint64_t peer_inode,
                            std::uint64_t accepted_ticks);

}  // namespace nsgroup
