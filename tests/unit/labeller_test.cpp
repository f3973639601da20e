// The labeller (service/labeller.h): which containers are labelled when,
// with a fake reader that says what it was asked and answers a new
// hostname each time.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "service/labeller.h"
#include "synthetic.h"

namespace nsgroup {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

struct Fixture {
  TestTree tree{root_set()};
  Nested n;
  std::vector<std::vector<ContainerId>> asked;  // each read's ids
  std::vector<const Snapshot*> snaps;
  int reads = 0;
  Labeller labeller{[this](const Tree&, std::span<const ContainerId> ids, LabelInputs& in,
                           const Snapshot* snap) {
    ++reads;
    asked.emplace_back(ids.begin(), ids.end());
    snaps.push_back(snap);
    in.hostname[kRootId] = "host";
    for (ContainerId id : ids)
      if (id != kRootId)
        in.hostname[id] = "web" + std::to_string(reads);
  }};

  Fixture() { n.chain(into(tree)); }
  std::optional<std::string> label(ContainerId id) const { return tree.find(id)->label; }
};

TEST(Labeller, RelabelAllReadsEveryContainerOnce) {
  Fixture f;
  Snapshot snap;
  f.labeller.relabel_all(f.tree, &snap);
  ASSERT_EQ(f.reads, 1);
  EXPECT_EQ(f.asked[0], (std::vector<ContainerId>{kRootId, f.n.a, f.n.b}));
  EXPECT_EQ(f.snaps[0], &snap);  // from the scan just applied
  EXPECT_EQ(f.label(f.n.a), "hostname:web1");
}

TEST(Labeller, NewContainersAreLabelledOnTheirFirstTicks) {
  Fixture f;
  f.labeller.note(f.tree.take());  // a and b made
  EXPECT_EQ(f.labeller.fresh_count(), 2U);
  for (int tick = 1; tick <= kFreshTicks; ++tick) {
    f.labeller.tick(f.tree);
    EXPECT_EQ(f.reads, tick);
    EXPECT_EQ(f.asked.back(), (std::vector<ContainerId>{f.n.a, f.n.b}));
    EXPECT_EQ(f.snaps.back(), nullptr);
    EXPECT_EQ(f.label(f.n.a), "hostname:web" + std::to_string(tick));  // set late: followed
  }
  EXPECT_EQ(f.labeller.fresh_count(), 0U);
  f.labeller.tick(f.tree);
  EXPECT_EQ(f.reads, kFreshTicks);  // settled: not read again
  EXPECT_EQ(f.label(f.n.a), "hostname:web" + std::to_string(kFreshTicks));
}

TEST(Labeller, UnlabelledOnlyOnceAndCountsAsTheFirstTick) {
  Fixture f;
  f.labeller.note(f.tree.take());
  f.labeller.label_unlabelled(f.tree);  // a request about to show them
  EXPECT_EQ(f.reads, 1);
  EXPECT_EQ(f.label(f.n.a), "hostname:web1");
  f.labeller.label_unlabelled(f.tree);  // labelled already
  EXPECT_EQ(f.reads, 1);
  for (int i = 0; i < kFreshTicks; ++i)
    f.labeller.tick(f.tree);
  EXPECT_EQ(f.reads, kFreshTicks);
}

TEST(Labeller, AContainerGoneIsNotRead) {
  Fixture f;
  f.labeller.note(f.tree.take());
  f.tree.apply(exit_of(20));  // b's only member
  f.tree.collect_garbage({});
  f.labeller.note(f.tree.take());
  ASSERT_EQ(f.tree.find(f.n.b), nullptr);
  f.labeller.tick(f.tree);
  EXPECT_EQ(f.asked.back(), (std::vector<ContainerId>{f.n.a}));
}

TEST(Labeller, NothingNewNothingRead) {
  Fixture f;
  f.labeller.tick(f.tree);
  f.labeller.label_unlabelled(f.tree);
  EXPECT_EQ(f.reads, 0);
}

}  // namespace
}  // namespace nsgroup
