// The container tree: namespace sets grouped into containers, each the
// child of the container its creator was in. Pure: it takes events and
// snapshots, appends what changed to a Delta the caller owns, and does no
// I/O.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/delta.h"
#include "core/event.h"
#include "core/ns.h"
#include "core/persist.h"
#include "core/runtime.h"
#include "core/snapshot.h"
#include "util/result.h"

namespace nsgroup {

inline constexpr std::string_view kRootName = "init_container";

// The identity of a namespace set: per slot the kernel's 64-bit ns id, or
// (where there is none) the inode number tagged with a generation that
// grows each time a creation event reuses a known inode.
using NsKey = std::array<std::uint64_t, kNsCount>;

struct NsKeyHash {
  std::size_t operator()(const NsKey& k) const noexcept;
};

struct Container {
  ContainerId id = 0;
  std::string name;
  ContainerId parent = 0;  // 0 for the root
  std::uint32_t depth = 0;  // the root's is 0
  std::vector<ContainerId> children;  // ascending
  NsSet ns;
  NsKey key{};
  std::vector<std::uint32_t> members;  // thread-group ids, unordered (never the root's)
  std::optional<Creation> created;  // nullopt: found by a scan
  std::string first_comm;           // comm of its first member
  std::optional<std::string> label;
  std::optional<RuntimeInfo> runtime;  // set with the label (core/labels.h)
  bool pinned = false;  // empty, kept alive by nsfs bind mounts
};

struct Process {
  std::uint64_t start_ticks = 0;
  ContainerId container = 0;
  std::uint32_t slot = 0;  // its index in the container's members
};

// Where an event left its subject.
struct ApplyResult {
  ContainerId container = 0;  // the subject's container after (0: none)
  ContainerId from = 0;       // the creator's container before
  bool created = false;       // a new container was made
};

// True when `path` is `dir` or below it ("/a/b" is within "/a", "/ab" is
// not).
bool path_within(std::string_view path, std::string_view dir);

// Another container that holds one of this container's namespaces.
struct Share {
  std::size_t ns = 0;  // index into kNsNames
  ContainerId with = 0;
};

// A namespace in a slot: (slot, its NsKey value).
using SlotValue = std::pair<std::size_t, std::uint64_t>;
struct SlotValueHash {
  std::size_t operator()(const SlotValue& k) const noexcept {
    return std::hash<std::uint64_t>()(k.second * 31 + k.first);
  }
};
// Every container holding each namespace, ascending: built once for a
// whole-tree answer (shares), never kept up to date.
using ShareIndex = std::unordered_map<SlotValue, std::vector<ContainerId>, SlotValueHash>;

class Tree {
 public:
  // root_ns: the initial namespaces (those of kthreadd, PID 2).
  explicit Tree(const NsSet& root_ns);

  // Applies one event from the tracer.
  ApplyResult apply(const Event& e, Delta& delta);

  // Makes the tree agree with a scan: stale members dropped, every readable
  // process placed (new containers parented by the ppid rule), unreadable
  // ones listed. On an empty tree this is the bootstrap.
  void reconcile(const Snapshot& snap, Delta& delta);

  // Removes containers with no members unless every namespace in which
  // they differ from their parent is pinned. A removed container's children
  // move up to its parent (a process that unshares in a loop leaves no
  // chain of dead containers).
  // recheck_pinned: look again at containers kept by pins (a pin goes away
  // without any event: ip netns delete); else only at the newly empty.
  // splice_only: remove only empty containers that have children (what an
  // unshare loop leaves behind), and leave the childless for a later call
  // with fresher pins (ip netns add pins its namespace between its unshare
  // and its setns back).
  void collect_garbage(const std::vector<PinnedNs>& pins, Delta& delta,
                       bool recheck_pinned = true, bool splice_only = false);
  // True when some container may have become removable.
  bool has_garbage() const { return !empty_.empty(); }
  // True when some container is kept only by an nsfs bind mount.
  bool has_pinned() const { return !pinned_.empty(); }

  // Renames a container. Refuses names that would break a path (empty,
  // '/', NUL, "." or ".."), the counter's names (container_N) and a
  // sibling's name; nothing changes then.
  Status rename(ContainerId id, std::string_view name, Delta& delta);

  // Seeds the tree with containers a previous run wrote down, before the
  // first reconcile: ids, names and parents are kept; those no process
  // joins are collected like any empty container. Returns how many were
  // taken (duplicates of a set or an id are skipped).
  std::size_t restore(const std::vector<SavedContainer>& saved, Delta& delta);
  // The next container_N will have N >= n.
  // Ids below n are not handed out (n above kMaxContainerId is ignored).
  void reserve_ids(ContainerId n) {
    if (n <= kMaxContainerId)
      next_id_ = std::max(next_id_, n);
  }
  ContainerId next_id() const { return next_id_; }

  // Sets a container's label (see core/labels.h).
  void set_label(ContainerId id, std::optional<std::string> label);
  // Sets the runtime a container belongs to (see core/labels.h).
  void set_runtime(ContainerId id, std::optional<RuntimeInfo> runtime);

  const Container* find(ContainerId id) const;
  const Container& root() const { return *find(kRootId); }
  // The container a process is in: a member's container, else the root.
  ContainerId container_of(std::uint32_t pid) const;
  bool is_member(std::uint32_t pid) const { return procs_.count(pid) != 0; }
  // "/init_container/container_3".
  std::string path(ContainerId id) const;
  // The container at a full path, if any.
  std::optional<ContainerId> find_path(std::string_view path) const;
  // True when `inner` is `outer` or below it.
  bool is_within(ContainerId inner, ContainerId outer) const;
  // Namespaces in which c differs from its parent (bit i: kNsNames[i]).
  std::uint32_t new_ns_mask(ContainerId id) const;
  // The index shares() reads: one pass over the tree.
  ShareIndex share_index() const;
  // For each namespace in which c differs from its parent: another
  // container (lowest id) outside c's subtree holding the same namespace.
  std::vector<Share> shares(ContainerId id, const ShareIndex& index) const;

  std::size_t container_count() const { return containers_.size(); }
  // Processes in non-root containers.
  std::size_t member_count() const { return procs_.size(); }
  const std::unordered_map<std::uint32_t, Process>& processes() const {
    return procs_;
  }
  const std::vector<std::uint32_t>& unreadable() const { return unreadable_; }
  // The identity of a set under the current generations.
  NsKey key_of(const NsSet& s) const;
  // The identity of one slot's namespace (see NsKey).
  std::uint64_t slot_key(std::size_t slot, std::uint32_t inum, std::uint64_t id) const;
  // Visits containers parents first, children in id order.
  void visit(ContainerId from,
             const std::function<void(const Container&, int depth)>& fn) const;

 private:
  using ByPid = std::unordered_map<std::uint32_t, const ProcInfo*>;

  Container& get(ContainerId id) { return containers_.at(id); }
  ContainerId create(const NsSet& ns, const NsKey& key, ContainerId parent,
                     std::optional<Creation> created, std::string_view comm,
                     Delta& delta);
  void add_member(ContainerId c, std::uint32_t pid, std::uint64_t start, Delta& delta);
  // to: where the process went (kRootId, or kNoContainer when it is gone).
  void remove_member(std::uint32_t pid, ContainerId to, Delta& delta);
  // Takes pid out of its container's members (procs_ keeps its entry).
  void unlink_member(std::uint32_t pid, const Process& p);
  void bump_created(const Event& e);
  ApplyResult move_subject(const Event& e, Delta& delta);
  ContainerId scan_parent(const ProcInfo& p, const ByPid& by_pid, const NsKey& own,
                          int depth, Delta& delta);
  ContainerId place_scanned(const ProcInfo& p, const NsKey& key, const ByPid& by_pid,
                            int depth, Delta& delta);
  // The container of each pinned namespace (the root's set with the pinned
  // one in its place), made where none has exactly that set; kept in
  // scan_pins_ for the reconcile that calls it.
  void synthesize_pinned(const std::vector<PinnedNs>& pins, Delta& delta);
  // The deepest of scan_pins_ whose pinned namespaces `own` shares, else
  // the root: the parent of a set the ppid rule cannot place.
  ContainerId pinned_parent(const NsKey& own) const;
  void remove_container(ContainerId id, Delta& delta);
  // Sets the depth of id's subtree from its parent's.
  void redepth(ContainerId id);
  std::string unique_child_name(ContainerId parent, const std::string& name,
                                ContainerId id) const;

  void index_add(const Container& c);
  void index_remove(const Container& c);
  // True when some container holds the namespace value in a slot.
  bool held(std::size_t slot, std::uint64_t value) const {
    return holders_.count({slot, value}) != 0;
  }
  void mark_empty(ContainerId id) { empty_.push_back(id); }
  // Keeps children ascending.
  static void add_child(Container& parent, ContainerId child) {
    auto& v = parent.children;
    v.insert(std::lower_bound(v.begin(), v.end(), child), child);
  }

  std::unordered_map<ContainerId, Container> containers_;
  // How many containers hold each namespace (slot, value).
  std::unordered_map<SlotValue, std::uint32_t, SlotValueHash> holders_;
  std::unordered_map<NsKey, ContainerId, NsKeyHash> by_key_;
  std::unordered_map<std::uint32_t, Process> procs_;
  std::vector<std::uint32_t> unreadable_;
  // Inode generations, keyed by (namespace type << 32 | inode).
  std::unordered_map<std::uint64_t, std::uint32_t> gen_;
  std::vector<ContainerId> empty_;  // may be removable (duplicates allowed)
  std::set<ContainerId> pinned_;  // kept by pins: recheck each collection
  ContainerId next_id_ = kRootId + 1;
  std::vector<ContainerId> scan_pins_;  // during reconcile() only
};

// A snapshot read while events went on (a scan on another thread): the
// processes that events touched since the read began keep what the events
// made of them, which is newer than the read. They are marked partial
// (neither placed nor dropped), and a member the read missed (forked after
// it) is added as such, so that the reconcile leaves them alone.
void keep_newer(Snapshot& snap, const Tree& tree, std::vector<std::uint32_t> touched);

// The root container's processes: live pids minus the members of other
// containers and the unreadable ones, sorted.
std::vector<std::uint32_t> root_members(const Tree& tree,
                                        const std::vector<std::uint32_t>& live);

}  // namespace nsgroup
