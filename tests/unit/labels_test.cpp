// Container labels (core/labels.h): each rule, its order, and relabel.
#include <gtest/gtest.h>

#include <string>

#include "core/labels.h"
#include "core/tree.h"

namespace nsgroup {
namespace {

NsSet root_set() {
  NsSet s;
  for (std::size_t i = 0; i < kNsCount; ++i)
    s.inum[i] = 4026531835U + static_cast<std::uint32_t>(i);
  return s;
}

NsSet with(NsSet s, std::size_t slot, std::uint32_t inum) {
  s.inum[slot] = inum;
  return s;
}

Event unshare(std::uint32_t pid, const NsSet& before, const NsSet& after,
              std::string comm = "sh") {
  Event e;
  e.kind = EventKind::Unshare;
  e.syscall = Syscall::Unshare;
  e.pid = pid;
  e.tid = pid;
  e.comm = std::move(comm);
  e.before = before;
  e.after = after;
  return e;
}

// A tree and the container one unshare made.
struct Fixture {
  Tree tree{root_set()};
  Delta delta;
  ContainerId add(std::uint32_t pid, const NsSet& before, const NsSet& after,
                  std::string comm = "sh") {
    return tree.apply(unshare(pid, before, after, std::move(comm)), delta).container;
  }
};

constexpr std::uint32_t kUts = 4026532100;
constexpr std::uint32_t kNet = 4026532200;

TEST(Labels, HostnameOfANewUtsNamespaceThatDiffersFromTheParents) {
  Fixture f;
  ContainerId c = f.add(10, root_set(), with(root_set(), NSG_NS_UTS, kUts));
  LabelInputs in;
  in.hostname[kRootId] = "host";
  in.hostname[c] = "web";
  EXPECT_EQ(label_of(f.tree, c, in), "hostname:web");
}

TEST(Labels, HostnameWhenNoAncestorsHostnameIsKnown) {
  Fixture f;
  ContainerId c = f.add(10, root_set(), with(root_set(), NSG_NS_UTS, kUts));
  LabelInputs in;
  in.hostname[c] = "web";
  EXPECT_EQ(label_of(f.tree, c, in), "hostname:web");
}

TEST(Labels, HostnameEqualToTheParentsFallsThrough) {
  Fixture f;
  ContainerId c = f.add(10, root_set(), with(root_set(), NSG_NS_UTS, kUts), "unshare");
  LabelInputs in;
  in.hostname[kRootId] = "host";
  in.hostname[c] = "host";
  EXPECT_EQ(label_of(f.tree, c, in), "comm:unshare");
}

TEST(Labels, HostnameIgnoredWithoutANewUtsNamespace) {
  Fixture f;
  ContainerId c = f.add(10, root_set(), with(root_set(), NSG_NS_NET, kNet), "ip");
  LabelInputs in;
  in.hostname[kRootId] = "host";
  in.hostname[c] = "other";
  EXPECT_EQ(label_of(f.tree, c, in), "comm:ip");
}

TEST(Labels, NetNamespacePinnedInRunNetnsIsAnIpNetns) {
  Fixture f;
  ContainerId c = f.add(10, root_set(), with(root_set(), NSG_NS_NET, kNet));
  LabelInputs in;
  in.pins.push_back(PinnedNs{NSG_NS_NET, kNet, 0, "/run/netns/blue"});
  EXPECT_EQ(label_of(f.tree, c, in), "ip-netns:blue");
}

TEST(Labels, NamespacePinnedElsewhereIsAnNsfsPath) {
  Fixture f;
  ContainerId c = f.add(10, root_set(), with(root_set(), NSG_NS_NET, kNet));
  LabelInputs in;
  in.pins.push_back(PinnedNs{NSG_NS_NET, kNet, 0, "/some/path"});
  EXPECT_EQ(label_of(f.tree, c, in), "nsfs:/some/path");
}

TEST(Labels, PinOfAnotherNamespaceDoesNotApply) {
  Fixture f;
  ContainerId c = f.add(10, root_set(), with(root_set(), NSG_NS_NET, kNet), "ip");
  LabelInputs in;
  in.pins.push_back(PinnedNs{NSG_NS_NET, kNet + 1, 0, "/run/netns/blue"});
  EXPECT_EQ(label_of(f.tree, c, in), "comm:ip");
}

TEST(Labels, HostnameComesBeforeAPin) {
  Fixture f;
  NsSet set = with(with(root_set(), NSG_NS_UTS, kUts), NSG_NS_NET, kNet);
  ContainerId c = f.add(10, root_set(), set);
  LabelInputs in;
  in.hostname[c] = "web";
  in.pins.push_back(PinnedNs{NSG_NS_NET, kNet, 0, "/run/netns/blue"});
  EXPECT_EQ(label_of(f.tree, c, in), "hostname:web");
}

TEST(Labels, RuntimeIdComesBeforeTheComm) {
  Fixture f;
  ContainerId c = f.add(10, root_set(), with(root_set(), NSG_NS_NET, kNet), "runc");
  LabelInputs in;
  in.runtime_id[c] = "abc";
  EXPECT_EQ(label_of(f.tree, c, in), "runtime:abc");
}

TEST(Labels, CommOfTheCreator) {
  Fixture f;
  ContainerId c = f.add(10, root_set(), with(root_set(), NSG_NS_NET, kNet), "x");
  EXPECT_EQ(label_of(f.tree, c, LabelInputs{}), "comm:x");
}

TEST(Labels, FirstMembersCommForAScannedContainer) {
  Tree tree(root_set());
  Delta delta;
  Snapshot snap;
  ProcInfo init;
  init.pid = 1;
  init.comm = "systemd";
  init.ns = root_set();
  ProcInfo p;
  p.pid = 10;
  p.ppid = 1;
  p.comm = "nginx";
  p.ns = with(root_set(), NSG_NS_NET, kNet);
  snap.procs = {init, p};
  tree.reconcile(snap, delta);
  ContainerId c = tree.container_of(10);
  ASSERT_NE(c, kRootId);
  EXPECT_EQ(label_of(tree, c, LabelInputs{}), "comm:nginx");
}

TEST(Labels, RootHasNoLabel) {
  Fixture f;
  LabelInputs in;
  in.hostname[kRootId] = "host";
  in.runtime_id[kRootId] = "abc";
  EXPECT_EQ(label_of(f.tree, kRootId, in), std::nullopt);
}

TEST(Labels, UnknownContainerHasNoLabel) {
  Fixture f;
  EXPECT_EQ(label_of(f.tree, 999, LabelInputs{}), std::nullopt);
}

TEST(Labels, RelabelSetsEveryContainersLabel) {
  Fixture f;
  ContainerId a = f.add(10, root_set(), with(root_set(), NSG_NS_UTS, kUts));
  ContainerId b = f.add(20, root_set(), with(root_set(), NSG_NS_NET, kNet), "ip");
  LabelInputs in;
  in.hostname[a] = "web";
  in.pins.push_back(PinnedNs{NSG_NS_NET, kNet, 0, "/run/netns/blue"});
  relabel(f.tree, in);
  EXPECT_EQ(f.tree.find(a)->label, "hostname:web");
  EXPECT_EQ(f.tree.find(b)->label, "ip-netns:blue");
  EXPECT_EQ(f.tree.root().label, std::nullopt);
}

TEST(Labels, RelabelClearsALabelWhoseRuleNoLongerApplies) {
  Fixture f;
  ContainerId c = f.add(10, root_set(), with(root_set(), NSG_NS_NET, kNet), "ip");
  LabelInputs in;
  in.runtime_id[c] = "abc";
  relabel(f.tree, in);
  ASSERT_EQ(f.tree.find(c)->label, "runtime:abc");
  relabel(f.tree, LabelInputs{});
  EXPECT_EQ(f.tree.find(c)->label, "comm:ip");
}

}  // namespace
}  // namespace nsgroup
