// The snapshot pipeline (service/tree_pipeline.h): reconcile, collect,
// label, in that order, on a synthetic snapshot.
#include <gtest/gtest.h>

#include <vector>

#include "service/tree_pipeline.h"
#include "synthetic.h"

namespace nsgroup {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

const NsSet kUts = with(root_set(), NSG_NS_UTS, kUtsA, 70);
const NsSet kGone = with(root_set(), NSG_NS_IPC, kIpcA, 71);
const PinnedNs kBlue{NSG_NS_NET, kNetA, 0, "/run/netns/blue"};

struct Fixture {
  TestTree tree{root_set()};
  Snapshot snap;
  int reads = 0;
  const Snapshot* read_from = nullptr;
  std::size_t containers_when_read = 0;
  Labeller labeller{[this](const Tree& t, std::span<const ContainerId>, LabelInputs& in,
                           const Snapshot* s) {
    ++reads;
    read_from = s;
    containers_when_read = t.container_count();
    in.hostname[kRootId] = "host";
    in.pins = s ? s->pins : std::vector<PinnedNs>{};
    for (const auto& [pid, p] : t.processes())
      in.hostname[p.container] = "web";
  }};

  Fixture() {
    // A container of a previous run no process is in any more.
    std::vector<SavedContainer> saved{{40, "old", kRootId, kGone, std::nullopt}};
    tree.restore(saved);
    snap.procs = {proc(1, 0, root_set(), 1), proc(100, 1, kUts, 5)};
    snap.pins = {kBlue};
  }
  const Container* container_with(std::size_t slot, std::uint32_t inum) const {
    const Container* found = nullptr;
    tree.visit(kRootId, [&](const Container& c, int) {
      if (c.id != kRootId && c.ns.inum[slot] == inum)
        found = &c;
    });
    return found;
  }
};

TEST(TreePipeline, ReconcilesCollectsAndLabels) {
  Fixture f;
  f.snap.hostnames = true;
  apply_snapshot(f.tree, f.tree.delta, f.snap, {nullptr, false, &f.labeller});
  ContainerId web = f.tree.container_of(100);
  ASSERT_NE(web, kRootId);
  EXPECT_EQ(f.tree.find(40), nullptr);  // collected: nobody joined it
  EXPECT_NE(f.container_with(NSG_NS_NET, kNetA), nullptr);  // kept by its pin
  ASSERT_EQ(f.reads, 1);
  EXPECT_EQ(f.read_from, &f.snap);
  EXPECT_EQ(f.containers_when_read, f.tree.container_count());  // labelled after collect
  EXPECT_EQ(f.tree.find(web)->label, "hostname:web");
  EXPECT_EQ(f.container_with(NSG_NS_NET, kNetA)->label, "ip-netns:blue");
  ASSERT_EQ(f.tree.delta.removed.size(), 1U);
  EXPECT_EQ(f.tree.delta.removed[0].id, 40U);
}

TEST(TreePipeline, WithoutALabellerLabelsStayAsTheyAre) {
  Fixture f;
  apply_snapshot(f.tree, f.tree.delta, f.snap, {nullptr, false, nullptr});
  EXPECT_EQ(f.reads, 0);
  EXPECT_FALSE(f.tree.find(f.tree.container_of(100))->label);
}

TEST(TreePipeline, CollectsByThePinsGivenOverTheSnapshots) {
  Fixture f;
  std::vector<PinnedNs> none;  // read after the scan: blue deleted since
  apply_snapshot(f.tree, f.tree.delta, f.snap, {&none, true, nullptr});
  EXPECT_EQ(f.container_with(NSG_NS_NET, kNetA), nullptr);
  EXPECT_NE(f.tree.container_of(100), kRootId);
}

}  // namespace
}  // namespace nsgroup
