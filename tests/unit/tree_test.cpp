// The container tree with synthetic events and snapshots.
#include <gtest/gtest.h>

#include "core/labels.h"
#include "core/tree.h"
#include "synthetic.h"

namespace nsgroup {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

TEST(Tree, StartsWithTheRootOnly) {
  TestTree t(root_set());
  EXPECT_EQ(t.container_count(), 1U);
  EXPECT_EQ(t.root().name, "init_container");
  EXPECT_EQ(t.path(kRootId), "/init_container");
  EXPECT_EQ(t.container_of(4242), kRootId);
}

TEST(Tree, UnshareCreatesAChildOfTheCallersContainer) {
  TestTree t(root_set());
  NsSet net = with(root_set(), NSG_NS_NET, kNetA);
  auto r = t.apply(unshare(10, root_set(), net));
  EXPECT_TRUE(r.created);
  EXPECT_EQ(r.from, kRootId);
  ASSERT_NE(r.container, kRootId);
  const Container& c = *t.find(r.container);
  EXPECT_EQ(c.name, "container_" + std::to_string(c.id));
  EXPECT_EQ(t.path(c.id), "/init_container/" + c.name);
  EXPECT_EQ(c.members, std::vector<std::uint32_t>{10});
  EXPECT_EQ(ns_mask_names(t.new_ns_mask(c.id)), std::vector<std::string>{"net"});
  ASSERT_TRUE(c.created);
  EXPECT_EQ(c.created->pid, 10U);
  EXPECT_EQ(c.created->via, Syscall::Unshare);
  EXPECT_EQ(t.container_of(10), c.id);
}

TEST(Tree, NamesComeFromACounterThatNeverRepeats) {
  TestTree t(root_set());
  auto a = t.apply(unshare(10, root_set(), with(root_set(), NSG_NS_NET, kNetA)));
  t.apply(exit_of(10));
  t.collect_garbage({});
  EXPECT_EQ(t.find(a.container), nullptr);
  auto b = t.apply(unshare(11, root_set(), with(root_set(), NSG_NS_NET, kNetA + 1)));
  EXPECT_NE(t.find(b.container)->name, "container_" + std::to_string(a.container));
  EXPECT_GT(b.container, a.container);
}

TEST(Tree, SameSetJoinsTheExistingContainer) {
  TestTree t(root_set());
  NsSet set = with(with(root_set(), NSG_NS_NET, kNetA), NSG_NS_UTS, kUtsA);
  auto a = t.apply(unshare(10, root_set(), set));
  auto b = t.apply(ns_event(EventKind::Setns, 20, root_set(), set));
  EXPECT_FALSE(b.created);
  EXPECT_EQ(a.container, b.container);
  EXPECT_EQ(members_of(t, a.container), (std::set<std::uint32_t>{10, 20}));
  EXPECT_EQ(t.container_count(), 2U);
}

TEST(Tree, NestedUnshareIsAGrandchild) {
  TestTree t(root_set());
  NsSet uts = with(root_set(), NSG_NS_UTS, kUtsA);
  NsSet uts_net = with(uts, NSG_NS_NET, kNetA);
  auto outer = t.apply(unshare(10, root_set(), uts));
  t.apply(fork_of(10, 11));
  auto inner = t.apply(unshare(11, uts, uts_net));
  EXPECT_EQ(inner.from, outer.container);
  EXPECT_EQ(t.find(inner.container)->parent, outer.container);
  EXPECT_EQ(ns_mask_names(t.new_ns_mask(inner.container)),
            std::vector<std::string>{"net"});
  EXPECT_TRUE(t.is_within(inner.container, outer.container));
  EXPECT_FALSE(t.is_within(outer.container, inner.container));
  EXPECT_EQ(t.find_path(t.path(inner.container)), inner.container);
}

TEST(Tree, CloneIntoNewNamespacesParentsOnTheCreator) {
  TestTree t(root_set());
  NsSet uts = with(root_set(), NSG_NS_UTS, kUtsA);
  auto outer = t.apply(unshare(10, root_set(), uts));
  NsSet child = with(uts, NSG_NS_IPC, 4026532200);
  auto r = t.apply(clone_child(10, 12, uts, child));
  EXPECT_TRUE(r.created);
  EXPECT_EQ(r.from, outer.container);
  EXPECT_EQ(t.find(r.container)->parent, outer.container);
  EXPECT_EQ(t.container_of(12), r.container);
}

TEST(Tree, ForkJoinsTheParentsContainerAndExitLeaves) {
  TestTree t(root_set());
  auto c = t.apply(unshare(10, root_set(), with(root_set(), NSG_NS_NET, kNetA)));
  auto f = t.apply(fork_of(10, 11));
  EXPECT_EQ(f.container, c.container);
  EXPECT_EQ(t.find(c.container)->members.size(), 2U);
  t.apply(exit_of(10));
  EXPECT_TRUE(t.collect_garbage({}).empty());  // 11 is still there
  t.apply(exit_of(11));
  auto removed = t.collect_garbage({});
  ASSERT_EQ(removed.size(), 1U);
  EXPECT_EQ(removed[0].id, c.container);
  EXPECT_EQ(t.container_count(), 1U);
}

TEST(Tree, ForkOfARootProcessStaysAtTheRoot) {
  TestTree t(root_set());
  auto r = t.apply(fork_of(5, 6));
  EXPECT_EQ(r.container, kRootId);
  EXPECT_FALSE(t.is_member(6));
}

TEST(Tree, AnEmptyContainerIsSplicedOutAndItsChildrenMoveUp) {
  TestTree t(root_set());
  NsSet uts = with(root_set(), NSG_NS_UTS, kUtsA);
  NsSet uts_net = with(uts, NSG_NS_NET, kNetA);
  auto outer = t.apply(unshare(10, root_set(), uts));
  t.apply(fork_of(10, 11));
  auto inner = t.apply(unshare(11, uts, uts_net));
  t.apply(exit_of(10));
  auto removed = t.collect_garbage({});
  ASSERT_EQ(removed.size(), 1U);
  EXPECT_EQ(removed[0].id, outer.container);
  ASSERT_NE(t.find(inner.container), nullptr);
  EXPECT_EQ(t.find(inner.container)->parent, kRootId);
  EXPECT_EQ(t.path(inner.container),
            "/init_container/container_" + std::to_string(inner.container));
  // Relative to its new parent it is new in both namespaces.
  EXPECT_EQ(ns_mask_names(t.new_ns_mask(inner.container)),
            (std::vector<std::string>{"net", "uts"}));
  t.apply(exit_of(11));
  removed = t.collect_garbage({});
  ASSERT_EQ(removed.size(), 1U);
  EXPECT_EQ(removed[0].id, inner.container);
  EXPECT_EQ(t.container_count(), 1U);
}

TEST(Tree, UnshareInALoopLeavesOneContainerNotAChain) {
  TestTree t(root_set());
  NsSet cur = root_set();
  ApplyResult last;
  for (std::uint32_t i = 0; i < 1000; ++i) {
    NsSet next = with(cur, NSG_NS_UTS, 4026533000 + i, 5000 + i);
    last = t.apply(unshare(10, cur, next));
    cur = next;
    if (i % 64 == 63)
      t.collect_garbage({});
  }
  t.collect_garbage({});
  EXPECT_EQ(t.container_count(), 2U);
  EXPECT_EQ(t.find(last.container)->parent, kRootId);
  EXPECT_EQ(t.container_of(10), last.container);
}

TEST(Tree, NestingStopsAtSixtyFourLevels) {
  TestTree t(root_set());
  NsSet cur = root_set();
  ApplyResult r;
  for (std::uint32_t i = 0; i < 200; ++i) {
    t.apply(fork_of(1000 + i, 2000 + i));  // a member stays at each level
    NsSet next = with(cur, NSG_NS_UTS, 4026534000 + i, 6000 + i);
    Event e = unshare(1000 + i + 1, cur, next);
    r = t.apply(e);
    // the creator of the next level is this level's member
    cur = next;
  }
  int depth = 0;
  for (const Container* c = t.find(r.container); c->parent; c = t.find(c->parent))
    ++depth;
  EXPECT_EQ(depth, 64);
  EXPECT_EQ(t.container_of(1200), r.container);
}

TEST(Tree, AWholeLoopInOneBatchCollapsesInOneCollection) {
  // The daemon fell behind: 5000 unshares arrive before one collection.
  TestTree t(root_set());
  NsSet cur = root_set();
  ApplyResult last;
  for (std::uint32_t i = 0; i < 5000; ++i) {
    NsSet next = with(cur, NSG_NS_UTS, 4026535000 + i, 9000 + i);
    last = t.apply(unshare(10, cur, next));
    cur = next;
  }
  auto removed = t.collect_garbage({});
  EXPECT_EQ(removed.size(), 4999U);
  EXPECT_EQ(t.container_count(), 2U);
  EXPECT_EQ(t.find(last.container)->parent, kRootId);
  EXPECT_EQ(t.find(last.container)->name, "container_" + std::to_string(last.container));
}

TEST(Tree, SplicedChildKeepsItsNameUnlessASiblingHasIt) {
  TestTree t(root_set());
  NsSet uts = with(root_set(), NSG_NS_UTS, kUtsA);
  auto outer = t.apply(unshare(10, root_set(), uts));
  t.apply(fork_of(10, 11));
  auto inner = t.apply(unshare(11, uts, with(uts, NSG_NS_NET, kNetA)));
  auto other = t.apply(unshare(20, root_set(), with(root_set(), NSG_NS_IPC, 4026532600)));
  ASSERT_EQ(t.rename(other.container, "web"), "");
  ASSERT_EQ(t.rename(inner.container, "web"), "");  // not siblings yet
  t.apply(exit_of(10));
  t.collect_garbage({});
  EXPECT_EQ(t.find(outer.container), nullptr);
  EXPECT_EQ(t.find(other.container)->name, "web");
  EXPECT_EQ(t.find(inner.container)->name,
            "web-" + std::to_string(inner.container));
}

TEST(TreeRename, RenamesAndMovesTheSubtreesPaths) {
  TestTree t(root_set());
  NsSet uts = with(root_set(), NSG_NS_UTS, kUtsA);
  auto outer = t.apply(unshare(10, root_set(), uts));
  auto inner = t.apply(unshare(10, uts, with(uts, NSG_NS_NET, kNetA)));
  t.apply(fork_of(10, 11));
  t.take();
  ASSERT_EQ(t.rename(outer.container, "web"), "");
  EXPECT_EQ(t.path(inner.container), "/init_container/web/container_" +
                                         std::to_string(inner.container));
  EXPECT_EQ(t.find_path("/init_container/web"), outer.container);
  // The delta names the top of the subtree whose paths changed.
  Delta changes = t.take();
  EXPECT_EQ(changes.moved, std::vector<ContainerId>{outer.container});
  EXPECT_TRUE(changes.made.empty());
  EXPECT_TRUE(changes.pids.empty());
}

TEST(TreeRename, RefusesBadNamesAndChangesNothing) {
  TestTree t(root_set());
  auto a = t.apply(unshare(10, root_set(), with(root_set(), NSG_NS_UTS, kUtsA)));
  auto b = t.apply(unshare(20, root_set(), with(root_set(), NSG_NS_NET, kNetA)));
  ASSERT_EQ(t.rename(a.container, "web"), "");
  std::string before_b = t.find(b.container)->name;
  // The model's own rules; cgroupfs's ('.', length, control characters)
  // are the mirror's (host/cgroupfs.h).
  for (std::string bad : {std::string(""), std::string("."), std::string(".."),
                          std::string("a/b"), std::string("a\0b", 3),
                          std::string("container_99"), std::string("web")}) {
    EXPECT_NE(t.rename(b.container, bad), "") << "accepted '" << bad << "'";
    EXPECT_EQ(t.find(b.container)->name, before_b);
  }
  EXPECT_NE(t.rename(kRootId, "root"), "");
  EXPECT_NE(t.rename(999, "x"), "");
  EXPECT_EQ(t.rename(b.container, std::string(64, 'x')), "");
  EXPECT_EQ(t.take().moved, (std::vector<ContainerId>{a.container, b.container}));
}

TEST(TreeRestore, KeepsIdsNamesAndParentsAndTheCounterContinues) {
  TestTree t(root_set());
  NsSet uts = with(root_set(), NSG_NS_UTS, kUtsA, 77);
  NsSet uts_net = with(uts, NSG_NS_NET, kNetA, 78);
  NsSet dead = with(root_set(), NSG_NS_IPC, 4026532999, 79);
  std::vector<SavedContainer> dirs = {
      {12, "container_12", 5, uts_net, std::nullopt},  // child listed first
      {5, "web", kRootId, uts, std::nullopt},
      {40, "container_40", kRootId, dead, std::nullopt},
      {41, "dup", kRootId, uts, std::nullopt},  // same set as 5: skipped
  };
  EXPECT_EQ(t.restore(dirs), 3U);
  Snapshot snap;
  snap.procs = {proc(100, 1, uts, 5), proc(101, 100, uts_net, 6)};
  t.reconcile(snap);
  auto removed = t.collect_garbage({});
  ASSERT_EQ(removed.size(), 1U);
  EXPECT_EQ(removed[0].id, 40U);
  EXPECT_EQ(t.container_of(100), 5U);
  EXPECT_EQ(t.container_of(101), 12U);
  EXPECT_EQ(t.path(12), "/init_container/web/container_12");
  auto fresh = t.apply(unshare(200, root_set(), with(root_set(), NSG_NS_CGROUP, 4026533100, 80)));
  EXPECT_GT(fresh.container, 41U);
}

// Ids from a state file or an xattr near UINT64_MAX would wrap the
// counter (and 0 and 1 are taken): they are refused, and the counter and
// the containers made after stay sane.
TEST(TreeRestore, IdsThatWouldWrapTheCounterAreRefused) {
  TestTree t(root_set());
  NsSet uts = with(root_set(), NSG_NS_UTS, kUtsA, 77);
  NsSet net = with(root_set(), NSG_NS_NET, kNetA, 78);
  std::vector<SavedContainer> dirs = {
      {UINT64_MAX, "huge", kRootId, uts, std::nullopt},
      {7, "child_of_huge", UINT64_MAX, net, std::nullopt},
  };
  EXPECT_EQ(t.restore(dirs), 1U);
  EXPECT_EQ(t.find(7)->parent, kRootId);
  t.reserve_ids(UINT64_MAX);
  t.reserve_ids(kMaxContainerId + 1);
  EXPECT_EQ(t.next_id(), 8U);
  auto fresh = t.apply(unshare(200, root_set(), uts));
  EXPECT_EQ(fresh.container, 8U);
  EXPECT_EQ(t.path(fresh.container), "/init_container/container_8");
}

TEST(Tree, SetnsBackToTheRootLeavesTheContainer) {
  TestTree t(root_set());
  NsSet net = with(root_set(), NSG_NS_NET, kNetA);
  auto c = t.apply(unshare(10, root_set(), net));
  t.take();
  auto back = t.apply(ns_event(EventKind::Setns, 10, net, root_set()));
  Delta d = t.take();
  ASSERT_EQ(d.pids.size(), 1U);
  EXPECT_EQ(d.pids[0].pid, 10U);
  EXPECT_EQ(d.pids[0].from, c.container);
  EXPECT_EQ(d.pids[0].to, kRootId);
  EXPECT_EQ(back.container, kRootId);
  EXPECT_FALSE(t.is_member(10));
  EXPECT_EQ(t.collect_garbage({}).size(), 1U);
  EXPECT_EQ(t.find(c.container), nullptr);
}

TEST(Tree, PartialSetnsMakesAContainerThatSharesItsNamespace) {
  TestTree t(root_set());
  NsSet target = with(with(root_set(), NSG_NS_NET, kNetA), NSG_NS_UTS, kUtsA);
  auto tc = t.apply(unshare(10, root_set(), target));
  // Another root process enters only the target's net namespace.
  NsSet partial = with(root_set(), NSG_NS_NET, kNetA);
  auto p = t.apply(ns_event(EventKind::Setns, 20, root_set(), partial));
  EXPECT_TRUE(p.created);
  EXPECT_NE(p.container, tc.container);
  auto shares = t.shares(p.container, t.share_index());
  ASSERT_EQ(shares.size(), 1U);
  EXPECT_EQ(kNsNames[shares[0].ns], "net");
  EXPECT_EQ(shares[0].with, tc.container);
}

TEST(Tree, ThreadThatIsNotTheLeaderDoesNotMoveItsProcess) {
  TestTree t(root_set());
  Event e = unshare(10, root_set(), with(root_set(), NSG_NS_NET, kNetA));
  e.tid = 11;
  auto r = t.apply(e);
  EXPECT_EQ(r.container, kRootId);
  EXPECT_EQ(t.container_count(), 1U);
}

TEST(Tree, ReusedInodeOfANewNamespaceIsAnotherContainer) {
  TestTree t(root_set());
  NsSet net = with(root_set(), NSG_NS_NET, kNetA);
  auto first = t.apply(unshare(10, root_set(), net));
  // 10's exit was never seen; the kernel freed its namespace and gave the
  // same inode to a namespace that 20 creates.
  auto second = t.apply(unshare(20, root_set(), net));
  EXPECT_TRUE(second.created);
  EXPECT_NE(first.container, second.container);
  EXPECT_EQ(t.container_of(10), first.container);
  EXPECT_EQ(t.container_of(20), second.container);
  // A process that setns's into the namespace now joins the new one.
  auto third = t.apply(ns_event(EventKind::Setns, 30, root_set(), net));
  EXPECT_EQ(third.container, second.container);
}

TEST(Tree, ReusedInodeIsIrrelevantWithKernelIds) {
  TestTree t(root_set());
  NsSet a = with(root_set(), NSG_NS_NET, kNetA, 9001);
  NsSet b = with(root_set(), NSG_NS_NET, kNetA, 9002);
  auto first = t.apply(unshare(10, root_set(), a));
  auto second = t.apply(unshare(20, root_set(), b));
  EXPECT_NE(first.container, second.container);
  auto third = t.apply(ns_event(EventKind::Setns, 30, root_set(), a));
  EXPECT_EQ(third.container, first.container);
}

TEST(Tree, FirstChildInANewPidNamespaceCreatesNoGeneration) {
  TestTree t(root_set());
  NsSet pfc = with(root_set(), NSG_NS_PID_FOR_CHILDREN, 4026532300);
  auto parent = t.apply(unshare(10, root_set(), pfc));
  NsSet child = with(pfc, NSG_NS_PID, 4026532300);
  auto c1 = t.apply(clone_child(10, 11, pfc, child));
  auto c2 = t.apply(clone_child(10, 12, pfc, child));
  EXPECT_EQ(c1.container, c2.container);  // both children of the same ns
  EXPECT_EQ(t.find(c1.container)->parent, parent.container);
  EXPECT_EQ(ns_mask_names(t.new_ns_mask(c1.container)),
            std::vector<std::string>{"pid"});
}

TEST(Tree, PinnedContainerStaysUntilThePinGoes) {
  TestTree t(root_set());
  NsSet net = with(root_set(), NSG_NS_NET, kNetA);
  auto c = t.apply(unshare(10, root_set(), net));  // ip netns add
  t.apply(ns_event(EventKind::Setns, 10, net, root_set()));
  std::vector<PinnedNs> pins{{NSG_NS_NET, kNetA, 0, "/run/netns/blue"}};
  EXPECT_TRUE(t.collect_garbage(pins).empty());
  ASSERT_NE(t.find(c.container), nullptr);
  EXPECT_TRUE(t.find(c.container)->pinned);
  EXPECT_TRUE(t.find(c.container)->members.empty());
  EXPECT_TRUE(t.collect_garbage(pins).empty());  // rechecked, still pinned
  EXPECT_EQ(t.collect_garbage({}).size(), 1U);   // ip netns delete
}

TEST(Tree, AContainerWithAnUnpinnedNewNamespaceIsNotKeptByAPin) {
  TestTree t(root_set());
  // ip netns exec blue: net from the pin, and a new mount namespace.
  NsSet exec = with(with(root_set(), NSG_NS_NET, kNetA), NSG_NS_MNT, 4026532400);
  auto c = t.apply(ns_event(EventKind::Setns, 10, root_set(), exec));
  t.apply(exit_of(10));
  std::vector<PinnedNs> pins{{NSG_NS_NET, kNetA, 0, "/run/netns/blue"}};
  EXPECT_EQ(t.collect_garbage(pins).size(), 1U);
  EXPECT_EQ(t.find(c.container), nullptr);
}


TEST(TreeBootstrap, ParentIsTheNearestAncestorWithAnotherSet) {
  TestTree t(root_set());
  NsSet uts = with(root_set(), NSG_NS_UTS, kUtsA);
  NsSet uts_net = with(uts, NSG_NS_NET, kNetA);
  Snapshot snap;
  snap.procs = {proc(1, 0, root_set(), 1), proc(100, 1, root_set(), 5),
                proc(200, 100, uts, 6),   proc(201, 200, uts, 7),
                proc(300, 201, uts_net, 8), proc(301, 300, uts_net, 9)};
  t.reconcile(snap);
  EXPECT_EQ(t.container_count(), 3U);
  ContainerId outer = t.container_of(200);
  ContainerId inner = t.container_of(300);
  EXPECT_EQ(t.container_of(201), outer);
  EXPECT_EQ(t.container_of(301), inner);
  EXPECT_EQ(t.find(outer)->parent, kRootId);
  EXPECT_EQ(t.find(inner)->parent, outer);
  EXPECT_FALSE(t.find(outer)->created);
  EXPECT_EQ(t.find(outer)->first_comm, "p200");
  EXPECT_FALSE(t.is_member(1));
  EXPECT_EQ(root_members(t, {1, 100, 200, 201, 300, 301}),
            (std::vector<std::uint32_t>{1, 100}));
}

TEST(TreeBootstrap, AncestorsSetIsCreatedEvenWhenOnlyItsChildIsSeenFirst) {
  TestTree t(root_set());
  NsSet uts = with(root_set(), NSG_NS_UTS, kUtsA);
  NsSet uts_net = with(uts, NSG_NS_NET, kNetA);
  Snapshot snap;
  // The nested process is older than its parent's set's only member would
  // suggest: placement must still parent it on the ancestor's set.
  snap.procs = {proc(300, 200, uts_net, 3), proc(200, 1, uts, 4)};
  t.reconcile(snap);
  EXPECT_EQ(t.find(t.container_of(300))->parent, t.container_of(200));
}

// A scan read on another thread while events went on: what the events did
// after the read began is newer, and keep_newer makes the reconcile leave
// it alone; the rest of the read is applied as usual.
TEST(TreeReconcile, EventsNewerThanAnOffLoopReadWin) {
  NsSet uts = with(root_set(), NSG_NS_UTS, kUtsA);
  NsSet net = with(root_set(), NSG_NS_NET, kNetA);
  NsSet ipc = with(root_set(), NSG_NS_IPC, kIpcA);
  auto run = [&](bool keep) {
    auto t = std::make_unique<TestTree>(root_set());
    t->apply(unshare(10, root_set(), uts));
    t->apply(unshare(11, root_set(), net));
    // The read: 10 in uts, 11 in net, and 20 in ipc, which no event told.
    Snapshot snap;
    snap.procs = {proc(1, 0, root_set(), 1), proc(10, 1, uts, 110), proc(11, 1, net, 111),
                  proc(20, 1, ipc, 120)};
    // Meanwhile: 11 exits, 10 forks 12, 10 moves on to net.
    std::vector<std::uint32_t> touched{11, 12, 10};
    t->apply(exit_of(11));
    t->apply(fork_of(10, 12));
    t->apply(setns(10, uts, net));
    if (keep)
      keep_newer(snap, *t, touched);
    t->reconcile(snap);
    return t;
  };
  auto t = run(true);
  EXPECT_FALSE(t->is_member(11)) << "an exit after the read was undone";
  EXPECT_TRUE(t->is_member(12)) << "a fork after the read was dropped";
  EXPECT_EQ(t->find(t->container_of(10))->ns, net) << "a setns after the read was undone";
  EXPECT_EQ(t->find(t->container_of(12))->ns, uts) << "the fork's container changed";
  EXPECT_EQ(t->find(t->container_of(20))->ns, ipc) << "the read itself was not applied";
  // Without it, the read undoes the newer events: the test can tell.
  auto stale = run(false);
  EXPECT_TRUE(stale->is_member(11));
  EXPECT_FALSE(stale->is_member(12));
}

TEST(TreeBootstrap, UnreadableProcessesAreListedNotGuessed) {
  TestTree t(root_set());
  Snapshot snap;
  ProcInfo one = proc(1, 0, NsSet{}, 1);
  one.readable = false;
  snap.procs = {one, proc(2, 0, root_set(), 1)};
  t.reconcile(snap);
  EXPECT_EQ(t.unreadable(), std::vector<std::uint32_t>{1});
  EXPECT_EQ(t.container_count(), 1U);
  EXPECT_EQ(root_members(t, {1, 2}), std::vector<std::uint32_t>{2});
}

TEST(TreeReconcile, DropsStaleMembersAndMovesChangedOnes) {
  TestTree t(root_set());
  NsSet net = with(root_set(), NSG_NS_NET, kNetA);
  NsSet uts = with(root_set(), NSG_NS_UTS, kUtsA);
  auto a = t.apply(unshare(10, root_set(), net));
  t.apply(ns_event(EventKind::Setns, 20, root_set(), net));
  Snapshot snap;
  // 10 is gone; 20 is now in uts only (a missed setns); 30 is new.
  snap.procs = {proc(20, 1, uts, 120), proc(30, 1, net, 130)};
  t.reconcile(snap);
  t.collect_garbage({});
  EXPECT_FALSE(t.is_member(10));
  EXPECT_EQ(t.container_of(30), a.container);
  EXPECT_NE(t.container_of(20), a.container);
  EXPECT_EQ(t.find(t.container_of(20))->ns, uts);
}

TEST(TreeReconcile, APartlyReadProcessIsNeitherDroppedNorMoved) {
  TestTree t(root_set());
  NsSet net = with(root_set(), NSG_NS_NET, kNetA, 77);
  auto c = t.apply(unshare(10, root_set(), net));
  Snapshot snap;
  ProcInfo p = proc(10, 1, with(root_set(), NSG_NS_NET, kNetA, 0), 110);
  p.partial = true;  // its namespace id could not be read
  snap.procs = {p};
  t.reconcile(snap);
  EXPECT_EQ(t.container_of(10), c.container);
  EXPECT_TRUE(t.collect_garbage({}).empty());
}

TEST(TreeReconcile, PidReuseIsANewProcess) {
  TestTree t(root_set());
  NsSet net = with(root_set(), NSG_NS_NET, kNetA);
  t.apply(unshare(10, root_set(), net));
  Snapshot snap;
  snap.procs = {proc(10, 1, root_set(), 999)};  // same pid, later start
  t.reconcile(snap);
  EXPECT_FALSE(t.is_member(10));
  EXPECT_EQ(t.collect_garbage({}).size(), 1U);
}

TEST(TreeReconcile, UnreadablePidForChildrenKeepsWhatEventsSaid) {
  TestTree t(root_set());
  NsSet pfc = with(root_set(), NSG_NS_PID_FOR_CHILDREN, 4026532300);
  auto c = t.apply(unshare(10, root_set(), pfc));
  Snapshot snap;
  ProcInfo p = proc(10, 1, with(root_set(), NSG_NS_PID_FOR_CHILDREN, 0), 110);
  p.missing_mask = 1U << NSG_NS_PID_FOR_CHILDREN;
  snap.procs = {p};
  t.reconcile(snap);
  EXPECT_EQ(t.container_of(10), c.container);
}

TEST(TreeReconcile, ExitOlderThanTheKnownMemberIsIgnored) {
  TestTree t(root_set());
  t.apply(unshare(10, root_set(), with(root_set(), NSG_NS_NET, kNetA)));
  Event stale = exit_of(10);
  stale.start_ticks = 1;
  t.apply(stale);
  EXPECT_TRUE(t.is_member(10));
}

TEST(TreeBootstrap, PinnedNamespaceWithoutProcessesGetsAContainer) {
  TestTree t(root_set());
  Snapshot snap;
  snap.procs = {proc(2, 0, root_set(), 1)};
  snap.pins = {{NSG_NS_NET, kNetA, 0, "/run/netns/blue"}};
  t.reconcile(snap);
  EXPECT_TRUE(t.collect_garbage(snap.pins).empty());
  ASSERT_EQ(t.container_count(), 2U);
  const Container& c = *t.find(*t.root().children.begin());
  EXPECT_TRUE(c.pinned);
  EXPECT_EQ(c.ns.inum[NSG_NS_NET], kNetA);
  LabelInputs ctx;
  ctx.pins = snap.pins;
  relabel(t, ctx);
  EXPECT_EQ(c.label, "ip-netns:blue");
}

// Issue 12's measured bug: ip netns add blue; ip netns exec blue sleep
// (new mnt, blue's net); the daemon starts; the sleep dies. The scan makes
// blue's container even though the sleep's deeper set holds blue, places
// the sleep's set below it, and blue stays when the sleep goes.
TEST(TreeBootstrap, PinnedNamespaceHeldOnlyByADeeperSetStillGetsItsContainer) {
  TestTree t(root_set());
  NsSet blue = with(root_set(), NSG_NS_NET, kNetA);
  NsSet exec = with(blue, NSG_NS_MNT, 4026532600);
  Snapshot snap;
  snap.procs = {proc(2, 0, root_set(), 1), proc(50, 2, exec, 5)};
  snap.pins = {{NSG_NS_NET, kNetA, 0, "/run/netns/blue"}};
  t.reconcile(snap);
  ASSERT_EQ(t.container_count(), 3U);
  const Container& sleep = *t.find(t.container_of(50));
  const Container& pinned = *t.find(sleep.parent);
  EXPECT_NE(sleep.parent, kRootId) << "the sleep's set is not below blue's";
  EXPECT_EQ(pinned.ns, blue);
  EXPECT_EQ(pinned.parent, kRootId);
  // The sleep dies: blue stays, pinned.
  snap.procs = {proc(2, 0, root_set(), 1)};
  t.reconcile(snap);
  t.collect_garbage(snap.pins);
  ASSERT_EQ(t.container_count(), 2U);
  const Container& left = *t.find(*t.root().children.begin());
  EXPECT_EQ(left.ns, blue);
  EXPECT_TRUE(left.pinned);
}

TEST(TreeLabels, RuntimeThenHostnameThenNetnsThenComm) {
  TestTree t(root_set());
  auto host = t.apply(unshare(10, root_set(), with(root_set(), NSG_NS_UTS, kUtsA)));
  auto netns = t.apply(unshare(20, root_set(), with(root_set(), NSG_NS_NET, kNetA)));
  auto rt = t.apply(unshare(30, root_set(), with(root_set(), NSG_NS_IPC, 4026532500)));
  auto plain = t.apply(unshare(40, root_set(), with(root_set(), NSG_NS_IPC, 4026532501)));
  LabelInputs ctx;
  ctx.hostname[kRootId] = "host";
  ctx.hostname[host.container] = "web";
  ctx.pins = {{NSG_NS_NET, kNetA, 0, "/run/netns/blue"}};
  ctx.runtime_id[rt.container] = {"docker", "0123456789ab" + std::string(52, '0'), {}, {}};
  relabel(t, ctx);
  EXPECT_EQ(t.find(host.container)->label, "hostname:web");
  EXPECT_EQ(t.find(netns.container)->label, "ip-netns:blue");
  EXPECT_EQ(t.find(rt.container)->label, "docker:0123456789ab");
  EXPECT_EQ(t.find(plain.container)->label, "comm:test");
  // The same hostname as the parent's is no label.
  ctx.hostname[host.container] = "host";
  relabel(t, ctx);
  EXPECT_EQ(t.find(host.container)->label, "comm:test");
}

}  // namespace
}  // namespace nsgroup
