// Who a connecting client is: its facts read from /proc while it is still
// the process that connected (a pid read later could be someone else's),
// the tree asked to place it when a scan has not yet, the access rules
// applied (service/access.h), and the reads checked against its pidfd.
// What is read of the peer comes through PeerProbe, so that the decision
// is tested without /proc or a socket.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/snapshot.h"
#include "core/tree.h"
#include "host/scanner.h"
#include "service/access.h"
#include "util/result.h"

namespace nsgroup {

// What identification reads of a peer process.
class PeerProbe {
 public:
  virtual ~PeerProbe() = default;
  virtual std::optional<ProcInfo> read_process(std::uint32_t pid) = 0;
  // CapEff, if the process exists.
  virtual std::optional<std::uint64_t> capabilities(std::uint32_t pid) = 0;
  // True while the process of the pidfd is alive.
  virtual bool alive(int pidfd) = 0;
};

// The probe of a live system: /proc through a Scanner, pidfd_send_signal.
class SystemPeerProbe final : public PeerProbe {
 public:
  explicit SystemPeerProbe(Scanner& proc) : proc_(proc) {}
  std::optional<ProcInfo> read_process(std::uint32_t pid) override {
    return proc_.read_process(pid);
  }
  std::optional<std::uint64_t> capabilities(std::uint32_t pid) override {
    return proc_.capabilities(pid);
  }
  bool alive(int pidfd) override;

 private:
  Scanner& proc_;
};

// A connecting client as the socket saw it.
struct Peer {
  pid_t pid = 0;
  uid_t uid = 0;
  int pidfd = -1;         // -1: none (then `unpinned` says why)
  std::string unpinned;
};

// The peer's identity, or why it is refused. `place` rescans so that the
// tree places a process it has not (called at most once, and only for a
// peer outside the root's namespaces); `tree` is read after it.
Result<Identity> identify_peer(const Peer& peer, PeerProbe& probe, const Tree& tree,
                               const std::function<void()>& place);

}  // namespace nsgroup
