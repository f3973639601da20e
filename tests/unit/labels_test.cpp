// Container labels (core/labels.h): each rule, its order, and relabel.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "core/labels.h"
#include "core/tree.h"
#include "synthetic.h"

namespace nsgroup {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

// A tree, the sets an unshare from the root makes, and the facts labels
// are chosen from.
struct Fixture {
  TestTree tree{root_set()};
  NsSet uts = with(root_set(), NSG_NS_UTS, kUtsA);
  NsSet net = with(root_set(), NSG_NS_NET, kNetA);
  LabelInputs in;
  // The container an unshare from the root into `set` made.
  ContainerId add(const NsSet& set, std::string comm = "sh", std::uint32_t pid = 10) {
    return tree.apply(unshare(pid, root_set(), set, std::move(comm))).container;
  }
  // A net namespace pinned at `path` (a bind mount of its nsfs file).
  void pin_net(std::string path, std::uint32_t inum = kNetA) {
    in.pins.push_back(PinnedNs{NSG_NS_NET, inum, 0, std::move(path)});
  }
};

TEST(Labels, HostnameOfANewUtsNamespaceThatDiffersFromTheParents) {
  Fixture f;
  ContainerId c = f.add(f.uts);
  f.in.hostname[kRootId] = "host";
  f.in.hostname[c] = "web";
  EXPECT_EQ(label_of(f.tree, c, f.in), "hostname:web");
}

TEST(Labels, HostnameWhenNoAncestorsHostnameIsKnown) {
  Fixture f;
  ContainerId c = f.add(f.uts);
  f.in.hostname[c] = "web";
  EXPECT_EQ(label_of(f.tree, c, f.in), "hostname:web");
}

TEST(Labels, HostnameEqualToTheParentsFallsThrough) {
  Fixture f;
  ContainerId c = f.add(f.uts, "unshare");
  f.in.hostname[kRootId] = "host";
  f.in.hostname[c] = "host";
  EXPECT_EQ(label_of(f.tree, c, f.in), "comm:unshare");
}

TEST(Labels, HostnameIgnoredWithoutANewUtsNamespace) {
  Fixture f;
  ContainerId c = f.add(f.net, "ip");
  f.in.hostname[kRootId] = "host";
  f.in.hostname[c] = "other";
  EXPECT_EQ(label_of(f.tree, c, f.in), "comm:ip");
}

TEST(Labels, NetNamespacePinnedInRunNetnsIsAnIpNetns) {
  Fixture f;
  ContainerId c = f.add(f.net);
  f.pin_net("/run/netns/blue");
  EXPECT_EQ(label_of(f.tree, c, f.in), "ip-netns:blue");
}

TEST(Labels, NamespacePinnedElsewhereIsAnNsfsPath) {
  Fixture f;
  ContainerId c = f.add(f.net);
  f.pin_net("/some/path");
  EXPECT_EQ(label_of(f.tree, c, f.in), "nsfs:/some/path");
}

TEST(Labels, PinOfAnotherNamespaceDoesNotApply) {
  Fixture f;
  ContainerId c = f.add(f.net, "ip");
  f.pin_net("/run/netns/blue", kNetA + 1);
  EXPECT_EQ(label_of(f.tree, c, f.in), "comm:ip");
}

TEST(Labels, HostnameComesBeforeAPin) {
  Fixture f;
  ContainerId c = f.add(with(f.uts, NSG_NS_NET, kNetA));
  f.in.hostname[c] = "web";
  f.pin_net("/run/netns/blue");
  EXPECT_EQ(label_of(f.tree, c, f.in), "hostname:web");
}

TEST(Labels, RuntimeComesBeforeTheComm) {
  Fixture f;
  ContainerId c = f.add(f.net, "runc");
  f.in.runtime_id[c] = {"runc", "mybox", {}, {}};
  EXPECT_EQ(label_of(f.tree, c, f.in), "runc:mybox");
}

TEST(Labels, RuntimeComesBeforeTheHostnameAndAPin) {
  Fixture f;
  ContainerId c = f.add(with(f.uts, NSG_NS_NET, kNetA));
  f.in.hostname[c] = "web";
  f.pin_net("/run/netns/blue");
  f.in.runtime_id[c] = {"docker", std::string(64, 'f'), {}, {}};
  EXPECT_EQ(label_of(f.tree, c, f.in), "docker:ffffffffffff");
  f.in.runtime_id[c] = {"nspawn", "web-1", {}, {}};
  EXPECT_EQ(label_of(f.tree, c, f.in), "nspawn:web-1");
}

// A container nested in a runtime's (a sandbox inside a docker container)
// has the same cgroup: it keeps a label of its own, and shows the runtime
// in JSON only.
TEST(Labels, ANestedContainerOfTheSameRuntimeKeepsItsOwnLabel) {
  Fixture f;
  ContainerId outer = f.add(f.net, "runc", 10);
  ContainerId inner =
      f.tree.apply(unshare(11, f.net, with(f.net, NSG_NS_IPC, 4026532600), "sh")).container;
  ASSERT_NE(inner, outer);
  ASSERT_EQ(f.tree.find(inner)->parent, outer);
  f.in.runtime_id[outer] = {"runc", "mybox", {}, {}};
  f.in.runtime_id[inner] = {"runc", "mybox", {}, {}};
  EXPECT_EQ(label_of(f.tree, outer, f.in), "runc:mybox");
  EXPECT_EQ(label_of(f.tree, inner, f.in), "comm:sh");
  relabel(f.tree, f.in);
  ASSERT_TRUE(f.tree.find(inner)->runtime);
  EXPECT_EQ(f.tree.find(inner)->runtime->id, "mybox");
  // Another runtime inside (docker in an LXC container) is named.
  f.in.runtime_id[inner] = {"docker", "x", {}, {}};
  EXPECT_EQ(label_of(f.tree, inner, f.in), "docker:x");
}

TEST(Labels, CommOfTheCreator) {
  Fixture f;
  ContainerId c = f.add(f.net, "x");
  EXPECT_EQ(label_of(f.tree, c, LabelInputs{}), "comm:x");
}

TEST(Labels, FirstMembersCommForAScannedContainer) {
  TestTree tree(root_set());
  Snapshot snap;
  ProcInfo init = proc(1, 0, root_set(), 0);
  init.comm = "systemd";
  ProcInfo p = proc(10, 1, with(root_set(), NSG_NS_NET, kNetA), 0);
  p.comm = "nginx";
  snap.procs = {init, p};
  tree.reconcile(snap);
  ContainerId c = tree.container_of(10);
  ASSERT_NE(c, kRootId);
  EXPECT_EQ(label_of(tree, c, LabelInputs{}), "comm:nginx");
}

TEST(Labels, RootHasNoLabel) {
  Fixture f;
  f.in.hostname[kRootId] = "host";
  f.in.runtime_id[kRootId] = {"runc", "abc", {}, {}};
  EXPECT_EQ(label_of(f.tree, kRootId, f.in), std::nullopt);
}

TEST(Labels, UnknownContainerHasNoLabel) {
  Fixture f;
  EXPECT_EQ(label_of(f.tree, 999, LabelInputs{}), std::nullopt);
}

TEST(Labels, RelabelSetsEveryContainersLabel) {
  Fixture f;
  ContainerId a = f.add(f.uts);
  ContainerId b = f.add(f.net, "ip", 20);
  f.in.hostname[a] = "web";
  f.pin_net("/run/netns/blue");
  relabel(f.tree, f.in);
  EXPECT_EQ(f.tree.find(a)->label, "hostname:web");
  EXPECT_EQ(f.tree.find(b)->label, "ip-netns:blue");
  EXPECT_EQ(f.tree.root().label, std::nullopt);
}

TEST(Labels, RelabelClearsALabelWhoseRuleNoLongerApplies) {
  Fixture f;
  ContainerId c = f.add(f.net, "ip");
  f.in.runtime_id[c] = {"crun", "abc", {}, {}};
  relabel(f.tree, f.in);
  ASSERT_EQ(f.tree.find(c)->label, "crun:abc");
  ASSERT_TRUE(f.tree.find(c)->runtime);
  EXPECT_EQ(f.tree.find(c)->runtime->name, "crun");
  relabel(f.tree, LabelInputs{});
  EXPECT_EQ(f.tree.find(c)->label, "comm:ip");
  EXPECT_FALSE(f.tree.find(c)->runtime);
}

}  // namespace
}  // namespace nsgroup
