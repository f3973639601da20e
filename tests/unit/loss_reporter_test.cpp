// The tracer session's loss accounting (service/tracer_session.h) against
// fake kernel counters: what is reported, and how often.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "service/tracer_session.h"

namespace nsgroup {
namespace {

constexpr std::uint64_t kSec = 1'000'000'000ULL;

// Counters as the kernel side keeps them: take_* hands over what grew.
struct FakeCounters : DropCounters {
  std::array<std::uint64_t, kDropCount> pending{};
  std::vector<UidCount> per_uid;
  int walks = 0;  // take_suppressed calls: a walk of a BPF map each
  std::uint64_t take_drops(Drop d) override {
    return std::exchange(pending[static_cast<std::size_t>(d)], 0);
  }
  std::vector<UidCount> take_suppressed() override {
    ++walks;
    return std::exchange(per_uid, {});
  }
};

struct Heard : LossListener {
  std::vector<std::uint64_t> lost_counts;
  std::vector<std::pair<Drop, std::uint64_t>> drops;
  std::vector<std::pair<std::uint32_t, std::uint64_t>> uids;
  void lost(std::uint64_t n, std::uint64_t) override { lost_counts.push_back(n); }
  void dropped(Drop d, std::uint64_t n) override { drops.emplace_back(d, n); }
  void suppressed(std::uint32_t uid, std::uint64_t n, std::uint64_t) override {
    uids.emplace_back(uid, n);
  }
};

struct Fixture {
  FakeCounters kernel;
  Heard heard;
  LossReporter reporter{kernel, heard};
  std::uint64_t& pending(Drop d) { return kernel.pending[static_cast<std::size_t>(d)]; }
};

TEST(LossReporter, NothingLostNothingHeard) {
  Fixture f;
  f.reporter.report(10 * kSec);
  EXPECT_TRUE(f.heard.lost_counts.empty());
  EXPECT_TRUE(f.heard.drops.empty());
  EXPECT_EQ(f.kernel.walks, 0);  // the per-uid map is not walked for nothing
}

TEST(LossReporter, RingLossesAreReportedEveryBatchOnce) {
  Fixture f;
  f.pending(Drop::RingFull) = 7;
  f.reporter.report(10 * kSec);
  f.reporter.report(10 * kSec + 1);  // nothing new
  f.pending(Drop::RingFull) = 3;
  f.reporter.report(10 * kSec + 2);  // within the second: still reported
  EXPECT_EQ(f.heard.lost_counts, (std::vector<std::uint64_t>{7, 3}));
}

TEST(LossReporter, OtherDropsAtMostOnceASecond) {
  Fixture f;
  f.pending(Drop::TrackedFull) = 2;
  f.reporter.report(10 * kSec);
  ASSERT_EQ(f.heard.drops.size(), 1U);
  EXPECT_EQ(f.heard.drops[0], std::make_pair(Drop::TrackedFull, std::uint64_t{2}));
  f.pending(Drop::PendingMiss) = 5;
  f.reporter.report(10 * kSec + kSec / 2);
  EXPECT_EQ(f.heard.drops.size(), 1U);
  f.reporter.report(11 * kSec);
  ASSERT_EQ(f.heard.drops.size(), 2U);
  EXPECT_EQ(f.heard.drops[1], std::make_pair(Drop::PendingMiss, std::uint64_t{5}));
}

TEST(LossReporter, SuppressedTotalThenPerUid) {
  Fixture f;
  f.pending(Drop::Suppressed) = 12;
  f.kernel.per_uid = {{1000, 10}};  // a uid evicted meanwhile took 2 with it
  f.reporter.report(10 * kSec);
  ASSERT_EQ(f.heard.drops.size(), 1U);
  EXPECT_EQ(f.heard.drops[0], std::make_pair(Drop::Suppressed, std::uint64_t{12}));
  EXPECT_EQ(f.heard.uids, (std::vector<std::pair<std::uint32_t, std::uint64_t>>{{1000, 10}}));
  EXPECT_EQ(f.kernel.walks, 1);
  f.reporter.report(12 * kSec);  // the total did not move: no walk
  EXPECT_EQ(f.kernel.walks, 1);
}

}  // namespace
}  // namespace nsgroup
