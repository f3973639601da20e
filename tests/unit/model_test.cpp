// The model (service/model.h): events applied, counted and published;
// empty containers collected when the schedule says; each batch's delta
// handed to the sinks once. A fake publisher keeps the lines, a fake pins
// source says when it was asked for fresh pins.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "json/json.h"
#include "service/model.h"
#include "synthetic.h"

namespace nsgroup {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

struct Line {
  Json json;
  std::string where, from;
  WatchSubject subject;  // its container a view into `where`: do not keep
};

struct FakePublisher : EventPublisher {
  bool listening = true;
  std::vector<Line> lines;
  bool wanted() const override { return listening; }
  void publish(const WatchSubject& subject, const LineFn& line, std::string_view from,
               const LineFn&) override {
    lines.push_back({Json::parse(line()), std::string(subject.container), std::string(from),
                     subject});
  }
};

struct Fixture {
  FakePublisher out;
  Counters counters;
  BootClock clock{0};
  std::vector<PinnedNs> pins;
  int fresh_reads = 0, cached_reads = 0;
  std::vector<Delta> synced;  // what each sync handed on
  Model model{root_set(), out, counters, clock, [this](bool fresh) -> const std::vector<PinnedNs>& {
                ++(fresh ? fresh_reads : cached_reads);
                return pins;
              }};
  Fixture() {
    model.add_sink([this](const Tree&, const Delta& d) { synced.push_back(d); });
  }
  std::size_t count(EventKind k) const { return counters.events[static_cast<std::size_t>(k)]; }
};

const NsSet kNet = with(root_set(), NSG_NS_NET, kNetA);

TEST(Model, AnEventIsAppliedCountedAndPublished) {
  Fixture f;
  ApplyResult r = f.model.apply(unshare(10, root_set(), kNet));
  ASSERT_TRUE(r.created);
  EXPECT_EQ(f.counters.containers_created, 1U);
  EXPECT_EQ(f.count(EventKind::Unshare), 1U);
  ASSERT_EQ(f.out.lines.size(), 1U);
  EXPECT_EQ(f.out.lines[0].where, f.model.tree().path(r.container));
  EXPECT_EQ(f.out.lines[0].from, "/init_container");
  EXPECT_EQ(f.out.lines[0].json["container"], f.model.tree().path(r.container));
}

TEST(Model, AnEventIsPublishedWithTheFactsAFilterReads) {
  Fixture f;
  Event e = unshare(10, root_set(), kNet);
  e.uid = 1000;
  e.comm = "unshare";
  f.model.apply(e);
  f.model.apply(exit_of(10));
  f.model.collect();
  ASSERT_EQ(f.out.lines.size(), 3U);
  const WatchSubject& made = f.out.lines[0].subject;
  EXPECT_EQ(made.kind, EventKind::Unshare);
  EXPECT_EQ(made.pid, 10U);
  EXPECT_EQ(made.uid, 1000U);
  EXPECT_EQ(made.comm, "unshare");
  EXPECT_EQ(f.out.lines[1].subject.kind, EventKind::Exit);
  EXPECT_FALSE(f.out.lines[1].subject.uid);  // exits carry none
  EXPECT_EQ(f.out.lines[2].subject.kind, EventKind::ContainerRemoved);
  EXPECT_EQ(f.out.lines[2].where, f.out.lines[0].where);
  EXPECT_FALSE(f.out.lines[2].subject.pid);
}

TEST(Model, ForksAreCountedNotPublished) {
  Fixture f;
  f.model.apply(unshare(10, root_set(), kNet));
  f.model.apply(fork_of(10, 11));
  EXPECT_EQ(f.count(EventKind::Fork), 1U);
  EXPECT_EQ(f.out.lines.size(), 1U);
  EXPECT_TRUE(f.model.tree().is_member(11));
}

TEST(Model, NobodyListeningNothingBuilt) {
  Fixture f;
  f.out.listening = false;
  f.model.apply(unshare(10, root_set(), kNet));
  f.model.apply(exit_of(10));
  f.model.collect();
  EXPECT_TRUE(f.out.lines.empty());
  EXPECT_EQ(f.counters.containers_removed, 1U);  // counted all the same
}

TEST(Model, ExitsLeaveGarbageUntilCollected) {
  Fixture f;
  ContainerId c = f.model.apply(unshare(10, root_set(), kNet)).container;
  f.model.apply(exit_of(10));
  ASSERT_NE(f.model.tree().find(c), nullptr);  // childless: left for the batch's end
  EXPECT_EQ(f.fresh_reads, 0);  // the splice looked with the pins it had
  f.model.collect();
  EXPECT_EQ(f.model.tree().find(c), nullptr);
  EXPECT_EQ(f.fresh_reads, 1);  // with pins read afresh
  EXPECT_EQ(f.counters.containers_removed, 1U);
  ASSERT_EQ(f.out.lines.size(), 3U);  // unshare, exit, removal
  EXPECT_EQ(f.out.lines[2].json["event"], "container_removed");
  EXPECT_EQ(f.out.lines[2].where, "/init_container/container_2");
}

TEST(Model, AnEmptyContainerWithChildrenIsSplicedAtOnce) {
  Fixture f;
  NsSet uts = with(kNet, NSG_NS_UTS, kUtsA);
  ContainerId outer = f.model.apply(unshare(10, root_set(), kNet)).container;
  ContainerId inner = f.model.apply(unshare(10, kNet, uts)).container;  // unshare again
  EXPECT_EQ(f.model.tree().find(outer), nullptr);
  EXPECT_EQ(f.model.tree().find(inner)->parent, kRootId);
  EXPECT_EQ(f.cached_reads, 1);  // no mountinfo read per record
  EXPECT_EQ(f.fresh_reads, 0);
  EXPECT_EQ(f.counters.containers_removed, 1U);
}

TEST(Model, PinnedContainersAreRecheckedOnlyWhenAsked) {
  Fixture f;
  f.pins = {{NSG_NS_NET, kNetA, 0, "/run/netns/blue"}};
  ContainerId c = f.model.apply(unshare(10, root_set(), kNet)).container;  // ip netns add
  f.model.apply(ns_event(EventKind::Setns, 10, kNet, root_set()));
  f.model.collect();
  ASSERT_NE(f.model.tree().find(c), nullptr);
  f.pins.clear();  // ip netns delete: no event comes
  f.model.collect();
  EXPECT_NE(f.model.tree().find(c), nullptr);
  f.model.collect_pinned();  // the tick
  EXPECT_EQ(f.model.tree().find(c), nullptr);
}

TEST(Model, SinksGetEachBatchOnce) {
  Fixture f;
  ContainerId c = f.model.apply(unshare(10, root_set(), kNet)).container;
  f.model.sync();
  ASSERT_EQ(f.synced.size(), 1U);
  EXPECT_EQ(f.synced[0].made, (std::vector<ContainerId>{c}));
  f.model.apply(exit_of(10));
  f.model.collect();
  f.model.sync();
  ASSERT_EQ(f.synced.size(), 2U);
  EXPECT_TRUE(f.synced[1].made.empty());
  ASSERT_EQ(f.synced[1].removed.size(), 1U);
  EXPECT_EQ(f.synced[1].removed[0].id, c);
  f.model.sync();
  EXPECT_FALSE(f.synced[2].containers_changed());
  EXPECT_TRUE(f.synced[2].pids.empty());
}

TEST(Model, ADiscardedDeltaReachesNoSink) {
  Fixture f;
  f.model.apply(unshare(10, root_set(), kNet));
  f.model.discard();
  f.model.sync();
  ASSERT_EQ(f.synced.size(), 1U);
  EXPECT_TRUE(f.synced[0].made.empty());
}

TEST(Model, NotesAreCountedAndGoToTheRootsWatchers) {
  Fixture f;
  f.model.publish_note(lost_event(42, 5));
  EXPECT_EQ(f.count(EventKind::Lost), 1U);
  ASSERT_EQ(f.out.lines.size(), 1U);
  EXPECT_EQ(f.out.lines[0].where, "");
  EXPECT_EQ(f.out.lines[0].json["event"], "lost");
}

}  // namespace
}  // namespace nsgroup
