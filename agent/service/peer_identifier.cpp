// Peer identification: facts, placement, rules, the pidfd check.
#include "service/peer_identifier.h"

#include <sys/syscall.h>
#include <unistd.h>

namespace nsgroup {

bool SystemPeerProbe::alive(int pidfd) {
  return ::syscall(SYS_pidfd_send_signal, pidfd, 0, nullptr, 0) == 0;
}

Result<Identity> identify_peer(const Peer& peer, PeerProbe& probe, const Tree& tree,
                               const std::function<void()>& place) {
  auto pid = static_cast<std::uint32_t>(peer.pid);
  PeerFacts facts{peer.pid, peer.uid, std::nullopt, 0, peer.pidfd >= 0, peer.unpinned};
  if (auto proc = probe.read_process(pid); proc && proc->readable) {
    facts.ns = proc->ns;
    if (!tree.is_member(pid) && tree.key_of(proc->ns) != tree.root().key)
      place();
  }
  facts.capabilities = probe.capabilities(pid).value_or(0);
  auto who = identify(tree, facts);
  // With a pidfd of the connecting process: if it is still alive now, the
  // reads above were of it, not of a process that reused its pid.
  if (who && peer.pidfd >= 0 && !probe.alive(peer.pidfd))
    return failure("it exited before it could be identified");
  return who;
}

}  // namespace nsgroup
