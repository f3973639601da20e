// What one or more tree operations changed, as plain values: the tree
// appends to a Delta the caller owns (its capacity is reused batch after
// batch), and the consumers (mirror, fan-out, state) read it. The tree
// keeps no journal of its own.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nsgroup {

using ContainerId = std::uint64_t;
inline constexpr ContainerId kNoContainer = 0;
inline constexpr ContainerId kRootId = 1;
// Ids stay below 2^53, exact in every JSON reader. A larger one from a
// state file or an xattr is refused, not taken: the counter could wrap.
inline constexpr ContainerId kMaxContainerId = (ContainerId{1} << 53) - 1;

// A process's membership changed. from/to: its container before and after;
// kRootId for the root (where every process is that is in no other
// container), kNoContainer when it is gone.
struct PidMove {
  std::uint32_t pid = 0;
  ContainerId from = kNoContainer;
  ContainerId to = kNoContainer;
  std::uint64_t start_ticks = 0;  // the process's start as the tree knew it:
                                  // who this pid was (pids are reused)
};

struct Removed {
  ContainerId id = 0;
  std::string path;  // its full path when it went, if the Delta asked for paths
};

struct Delta {
  std::vector<ContainerId> made;   // new containers, parents first
  std::vector<Removed> removed;    // in the order they went (children first)
  std::vector<ContainerId> moved;  // renamed or re-parented: every path in
                                   // its subtree changed
  std::vector<PidMove> pids;       // in the order they happened
  // Set by the consumer: fill Removed::path (someone will print it; a
  // path is a walk to the root and a string per removal).
  bool want_paths = true;

  bool containers_changed() const {
    return !made.empty() || !removed.empty() || !moved.empty();
  }
  // Empties the lists, keeping their capacity (and want_paths).
  void clear() {
    made.clear();
    removed.clear();
    moved.clear();
    pids.clear();
  }
};

}  // namespace nsgroup
