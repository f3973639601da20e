// The control socket's access rules, those the 2007 `ns` cgroup
// subsystem's can_attach and create hooks enforced (docs/design.md,
// "Access rules"). Pure functions of the tree and a client's identity.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/tree.h"
#include "util/result.h"

namespace nsgroup {

// Who a client is, fixed when it connected.
struct Identity {
  pid_t pid = 0;
  uid_t uid = 0;
  ContainerId scope = kRootId;  // the container whose subtree it may see
  bool admin = false;           // may change containers (rule 2)
  // Why a client that would be admin is not: its peer was not pinned.
  std::string unpinned;
};

// What the kernel said of a connecting process.
struct PeerFacts {
  pid_t pid = 0;
  uid_t uid = 0;                     // SO_PEERCRED at connect()
  std::optional<NsSet> ns;           // nullopt: its links cannot be read
  std::uint64_t capabilities = 0;    // CapEff
  // The connection holds a pidfd of the peer (SO_PEERPIDFD, or the proof
  // of host/peer_proof.h): the reads of /proc above are checked to be of
  // it. Without one, a pid reused between connect() and those reads could
  // lend its capabilities; `unpinned` says why there is none.
  bool pinned = true;
  std::string unpinned;
};

// What getsockopt(SO_PEERPIDFD) gave for a new client.
enum class PeerPidfd {
  Held,         // a pidfd of the peer
  Unsupported,  // the kernel has no SO_PEERPIDFD (before 6.5): no admin
  Failed,       // any other failure: the client is refused
};
// err: 0 when the call succeeded (with pidfd), else its errno.
PeerPidfd classify_peer_pidfd(int err, int pidfd);

inline constexpr unsigned kCapSysAdmin = 21;

// The client's identity, or why it is refused. Its scope is its own
// container; it is admin when it was uid 0 at connect(), is in the initial
// user namespace, holds CAP_SYS_ADMIN, and is pinned by a pidfd. A process the tree places at
// the root without having the root's set is refused (it is in no known
// container).
Result<Identity> identify(const Tree& tree, const PeerFacts& peer);

// Rule 1: a client sees the container at `path` when it is its scope or
// below it. An empty path (no container) is seen by root-scoped clients
// only.
bool may_see(const Tree& tree, const Identity& who, std::string_view path);

// Rule 2: why `who` may not change `target` by `op`, or nullopt when it
// may. Needs admin and a target strictly below the client's container.
std::optional<std::string> refuse_change(const Tree& tree, const Identity& who,
                                         ContainerId target, std::string_view op);

}  // namespace nsgroup
