// Proving a Unix socket's peer without SO_PEERPIDFD.
#include "host/peer_proof.h"

#include <dirent.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cstring>

#include "host/procfs.h"
#include "util/clock.h"

namespace nsgroup {

UniqueFd PeerProcesses::open_pidfd(pid_t pid) {
  return UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
}

bool PeerProcesses::alive(int pidfd) {
  return ::syscall(SYS_pidfd_send_signal, pidfd, 0, nullptr, 0) == 0;
}

std::optional<std::uint64_t> PeerProcesses::start_ticks(pid_t pid) const {
  auto fields = proc_.stat(static_cast<std::uint32_t>(pid));
  if (!fields)
    return std::nullopt;
  return fields->start_ticks;
}

bool PeerProcesses::holds_socket(pid_t pid, std::uint64_t inode) const {
  std::string dir = proc_.path(static_cast<std::uint32_t>(pid), "fd");
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr)
    return false;
  const std::string want = "socket:[" + std::to_string(inode) + "]";
  std::array<char, 64> link{};
  bool found = false;
  while (const dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.')
      continue;
    ssize_t n = ::readlinkat(::dirfd(d), e->d_name, link.data(), link.size());
    if (n > 0 && static_cast<std::size_t>(n) == want.size() &&
        std::memcmp(link.data(), want.data(), want.size()) == 0) {
      found = true;
      break;
    }
  }
  ::closedir(d);
  return found;
}

Result<std::uint64_t> unix_peer_inode(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    return errno_failure("fstat of the connection");
  UniqueFd nl(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  if (!nl)
    return errno_failure("netlink sock_diag socket");
  struct {
    nlmsghdr nlh;
    unix_diag_req req;
  } ask{};
  ask.nlh.nlmsg_len = sizeof ask;
  ask.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  ask.nlh.nlmsg_flags = NLM_F_REQUEST;
  ask.req.sdiag_family = AF_UNIX;
  ask.req.udiag_states = ~0U;
  ask.req.udiag_ino = static_cast<std::uint32_t>(st.st_ino);
  ask.req.udiag_show = UDIAG_SHOW_PEER;
  ask.req.udiag_cookie[0] = ask.req.udiag_cookie[1] = ~0U;  // INET_DIAG_NOCOOKIE
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(nl.get(), &ask, sizeof ask, 0, reinterpret_cast<sockaddr*>(&kernel),
               sizeof kernel) != static_cast<ssize_t>(sizeof ask))
    return errno_failure("unix_diag request");
  alignas(nlmsghdr) std::array<char, 1024> buf{};
  ssize_t n = ::recv(nl.get(), buf.data(), buf.size(), 0);
  if (n < 0)
    return errno_failure("unix_diag reply");
  auto* h = reinterpret_cast<nlmsghdr*>(buf.data());
  if (!NLMSG_OK(h, static_cast<std::size_t>(n)))
    return failure("unix_diag: a short reply");
  if (h->nlmsg_type == NLMSG_ERROR) {
    const auto* e = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
    return Failure{-e->error, "unix_diag (is CONFIG_UNIX_DIAG there? modprobe unix_diag)"};
  }
  if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
      h->nlmsg_len < NLMSG_LENGTH(sizeof(unix_diag_msg)))
    return failure("unix_diag: an unexpected reply");
  const auto* msg = static_cast<const unix_diag_msg*>(NLMSG_DATA(h));
  if (msg->udiag_ino != ask.req.udiag_ino)
    return failure("unix_diag: a reply for another socket");
  auto len = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof *msg));
  for (auto* a = reinterpret_cast<rtattr*>(const_cast<unix_diag_msg*>(msg) + 1);
       RTA_OK(a, len); a = RTA_NEXT(a, len)) {
    if (a->rta_type == UNIX_DIAG_PEER && RTA_PAYLOAD(a) >= sizeof(std::uint32_t)) {
      std::uint32_t peer = 0;
      std::memcpy(&peer, RTA_DATA(a), sizeof peer);
      return std::uint64_t{peer};
    }
  }
  return failure("unix_diag: the connection has no peer (it closed)");
}

std::uint64_t boot_ticks_now() {
  static const auto hz = static_cast<std::uint64_t>(::sysconf(_SC_CLK_TCK));
  return BootClock::boot_ns_now() / (1000000000ULL / hz);
}

Result<UniqueFd> prove_peer(PeerProcesses& procs, pid_t pid, std::uint64_t peer_inode,
                            std::uint64_t accepted_ticks) {
  const std::string who = "pid " + std::to_string(pid);
  UniqueFd pidfd = procs.open_pidfd(pid);
  if (!pidfd)
    return errno_failure(who + " exited before it could be pinned");
  auto started = procs.start_ticks(pid);
  if (!started)
    return failure(who + " exited before it could be read");
  if (*started > accepted_ticks)
    return failure(who + " started after the connection was accepted: its pid was reused");
  if (!procs.holds_socket(pid, peer_inode))
    return failure(who + " does not hold the other end of this connection");
  if (!procs.alive(pidfd.get()))
    return failure(who + " exited while it was being checked");
  return pidfd;
}

}  // namespace nsgroup
