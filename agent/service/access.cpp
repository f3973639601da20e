// Access rules.
#include "service/access.h"

#include <cerrno>

namespace nsgroup {

Result<Identity> identify(const Tree& tree, const PeerFacts& peer) {
  if (!peer.ns)
    return failure("its namespaces cannot be read");
  Identity who;
  who.pid = peer.pid;
  who.uid = peer.uid;
  const Container& root = tree.root();
  bool at_root = tree.key_of(*peer.ns) == root.key;
  who.scope = tree.container_of(static_cast<std::uint32_t>(peer.pid));
  if (who.scope == kRootId && !at_root)
    return failure("it is in no known container");
  bool initial_user = peer.ns->inum[NSG_NS_USER] == root.ns.inum[NSG_NS_USER] &&
                      peer.ns->id[NSG_NS_USER] == root.ns.id[NSG_NS_USER];
  // uid 0 as SO_PEERCRED saw it at connect(): a process that execs a
  // setuid program after connecting gains nothing.
  bool privileged = peer.uid == 0 && initial_user &&
                    (peer.capabilities & (1ULL << kCapSysAdmin)) != 0;
  who.admin = privileged && peer.pinned;
  if (privileged && !peer.pinned)
    who.unpinned = peer.unpinned.empty() ? "the connecting process was not pinned" : peer.unpinned;
  return who;
}

PeerPidfd classify_peer_pidfd(int err, int pidfd) {
  if (err == 0)
    return pidfd >= 0 ? PeerPidfd::Held : PeerPidfd::Failed;
  // An unknown socket option: the kernel predates SO_PEERPIDFD.
  return err == ENOPROTOOPT ? PeerPidfd::Unsupported : PeerPidfd::Failed;
}

bool may_see(const Tree& tree, const Identity& who, std::string_view path) {
  if (who.scope == kRootId)
    return true;
  if (path.empty() || !tree.find(who.scope))
    return false;
  return path_within(path, tree.path(who.scope));
}

std::optional<std::string> refuse_change(const Tree& tree, const Identity& who,
                                         ContainerId target, std::string_view op) {
  if (!who.admin && !who.unpinned.empty())
    return "permission denied: " + std::string(op) +
           " needs a proven peer, and this connection's was not: " + who.unpinned;
  if (!who.admin)
    return "permission denied: " + std::string(op) +
           " needs CAP_SYS_ADMIN in the initial user namespace";
  if (target == who.scope || !tree.is_within(target, who.scope)) {
    std::string mine = tree.find(who.scope) ? tree.path(who.scope) : "(gone)";
    return "permission denied: " + tree.path(target) + " is not strictly below your container " +
           mine;
  }
  return std::nullopt;
}

}  // namespace nsgroup
