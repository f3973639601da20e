// Synthetic events, snapshots and a tree that keeps its own Delta: what
// the unit tests of every layer build their trees from.
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/tree.h"

namespace nsgroup::test {

inline NsSet root_set() {
  NsSet s;
  s.inum = {4026531835, 4026531839, 4026531832, 4026531833, 4026531836,
            4026531836, 4026531834, 4026531834, 4026531837, 4026531838};
  return s;
}

inline NsSet with(NsSet s, std::size_t slot, std::uint32_t inum, std::uint64_t id = 0) {
  s.inum[slot] = inum;
  s.id[slot] = id;
  return s;
}

inline Event ns_event(EventKind kind, std::uint32_t pid, const NsSet& before,
                      const NsSet& after, std::uint64_t flags = 0) {
  Event e;
  e.kind = kind;
  e.pid = e.tid = pid;
  e.ppid = 1;
  e.comm = "test";
  e.flags = flags;
  e.syscall = kind == EventKind::Setns     ? Syscall::Setns
              : kind == EventKind::Unshare ? Syscall::Unshare
                                           : Syscall::Clone;
  e.before = before;
  e.after = after;
  e.start_ticks = 100 + pid;
  return e;
}

inline Event unshare(std::uint32_t pid, const NsSet& before, const NsSet& after,
                     std::string comm = "test") {
  Event e = ns_event(EventKind::Unshare, pid, before, after);
  e.comm = std::move(comm);
  return e;
}

// The entry into an existing set (an unshare into a known set would count
// as new namespaces that happen to reuse it).
inline Event setns(std::uint32_t pid, const NsSet& before, const NsSet& after) {
  return ns_event(EventKind::Setns, pid, before, after);
}

inline Event clone_child(std::uint32_t parent, std::uint32_t child, const NsSet& before,
                         const NsSet& after) {
  Event e = ns_event(EventKind::Clone, child, before, after);
  e.ppid = parent;
  return e;
}

inline Event fork_of(std::uint32_t parent, std::uint32_t child) {
  Event e;
  e.kind = EventKind::Fork;
  e.pid = e.tid = child;
  e.ppid = parent;
  e.start_ticks = 100 + child;
  return e;
}

inline Event exit_of(std::uint32_t pid) {
  Event e;
  e.kind = EventKind::Exit;
  e.pid = e.tid = pid;
  e.start_ticks = 100 + pid;
  return e;
}

inline ProcInfo proc(std::uint32_t pid, std::uint32_t ppid, const NsSet& ns,
                     std::uint64_t start) {
  ProcInfo p;
  p.pid = pid;
  p.ppid = ppid;
  p.ns = ns;
  p.start_ticks = start;
  p.comm = "p" + std::to_string(pid);
  return p;
}

constexpr std::uint32_t kNetA = 4026532100;
constexpr std::uint32_t kUtsA = 4026532101;
constexpr std::uint32_t kIpcA = 4026532102;

// A Tree that records its changes in a Delta of its own, so that tests can
// call it as the daemon does without threading one through.
class TestTree : public Tree {
 public:
  using Tree::Tree;
  Delta delta;

  ApplyResult apply(const Event& e) { return Tree::apply(e, delta); }
  void reconcile(const Snapshot& snap) { Tree::reconcile(snap, delta); }
  // What this call removed.
  std::vector<Removed> collect_garbage(const std::vector<PinnedNs>& pins,
                                       bool recheck_pinned = true) {
    std::size_t from = delta.removed.size();
    Tree::collect_garbage(pins, delta, recheck_pinned);
    return {delta.removed.begin() + static_cast<std::ptrdiff_t>(from), delta.removed.end()};
  }
  // "" when renamed, else why not.
  std::string rename(ContainerId id, std::string_view name) {
    auto done = Tree::rename(id, name, delta);
    return done ? "" : done.error().message();
  }
  std::size_t restore(const std::vector<SavedContainer>& saved) {
    return Tree::restore(saved, delta);
  }
  // The changes since the last call.
  Delta take() {
    Delta out = std::move(delta);
    delta = Delta{};
    return out;
  }
};

// A small nested tree, built by whatever applies an event where a test
// keeps its tree (a callable taking an Event, returning the ContainerId):
//   root -> a (pid 10, new uts) -> b (pid 20: entered a's set, then new net)
//   root -> sibling (pid 30, new ipc)
struct Nested {
  NsSet a_set = with(root_set(), NSG_NS_UTS, kUtsA);
  NsSet b_set = with(a_set, NSG_NS_NET, kNetA);
  NsSet sibling_set = with(root_set(), NSG_NS_IPC, kIpcA);
  ContainerId a = 0, b = 0, sibling = 0;

  // a and b only.
  template <class Apply>
  void chain(Apply&& apply) {
    a = apply(unshare(10, root_set(), a_set));
    apply(setns(20, root_set(), a_set));
    b = apply(unshare(20, a_set, b_set));
  }
  // a, b and the sibling.
  template <class Apply>
  void build(Apply&& apply) {
    chain(apply);
    sibling = apply(unshare(30, root_set(), sibling_set));
  }
};

// What Nested applies its events with on a TestTree.
inline auto into(TestTree& t) {
  return [&t](const Event& e) { return t.apply(e).container; };
}

// A container's members as a set (the tree keeps them unordered).
inline std::set<std::uint32_t> members_of(const Tree& t, ContainerId id) {
  const Container* c = t.find(id);
  return c ? std::set<std::uint32_t>(c->members.begin(), c->members.end())
           : std::set<std::uint32_t>{};
}

}  // namespace nsgroup::test
