// The scan scheduler (service/scan_scheduler.h): loss rescans and their
// rate limit, and the worker's state machine, with the time passed in.
#include <gtest/gtest.h>

#include "service/scan_scheduler.h"

namespace nsgroup {
namespace {

constexpr std::uint64_t kSec = 1'000'000'000ULL;
constexpr std::uint64_t kT0 = 50 * kSec;  // boot time well past the first second

TEST(ScanScheduler, NoLossNoRescan) {
  ScanScheduler s;
  EXPECT_FALSE(s.take_loss_scan(kT0));
  EXPECT_FALSE(s.loss_due());
}

TEST(ScanScheduler, ALossAsksForOneRescanOnly) {
  ScanScheduler s;
  for (int i = 0; i < 5; ++i)
    s.note_loss();  // five batches lost records
  EXPECT_TRUE(s.take_loss_scan(kT0));
  EXPECT_FALSE(s.take_loss_scan(kT0 + 1));
  EXPECT_FALSE(s.take_loss_scan(kT0 + 3 * kSec));
}

TEST(ScanScheduler, LossesWithinTheLimitWaitForIt) {
  ScanScheduler s;
  s.note_loss();
  ASSERT_TRUE(s.take_loss_scan(kT0));
  s.note_loss();
  EXPECT_FALSE(s.take_loss_scan(kT0 + kSec / 2));
  EXPECT_TRUE(s.loss_due());  // held back, not forgotten
  EXPECT_FALSE(s.take_loss_scan(kT0 + kSec - 1));
  EXPECT_TRUE(s.take_loss_scan(kT0 + kSec));
  EXPECT_FALSE(s.loss_due());
}

TEST(ScanScheduler, TheLimitIsTheOneGiven) {
  ScanScheduler s(10);
  s.note_loss();
  ASSERT_TRUE(s.take_loss_scan(100));
  s.note_loss();
  EXPECT_FALSE(s.take_loss_scan(109));
  EXPECT_TRUE(s.take_loss_scan(110));
}

TEST(ScanScheduler, AScanOnTheLoopCoversTheLoss) {
  ScanScheduler s;
  s.note_loss();
  s.scan_on_loop();
  EXPECT_FALSE(s.take_loss_scan(kT0));
}

TEST(ScanScheduler, AWorkerScanStartsWhenNoneRuns) {
  ScanScheduler s;
  EXPECT_TRUE(s.want(false));
  s.started("timer");
  EXPECT_TRUE(s.scanning());
  auto f = s.finish();
  EXPECT_FALSE(s.scanning());
  EXPECT_TRUE(f.apply);
  EXPECT_FALSE(f.relabel);
  EXPECT_FALSE(f.again);
  EXPECT_EQ(f.why, "timer");
}

TEST(ScanScheduler, ARequestWhileOneRunsIsFollowedByAnother) {
  ScanScheduler s;
  ASSERT_TRUE(s.want(false));
  s.started("timer");
  EXPECT_FALSE(s.want(false));
  EXPECT_FALSE(s.want(false));
  auto f = s.finish();
  EXPECT_TRUE(f.apply);
  EXPECT_TRUE(f.again);
  // One follow-up, not one per request.
  ASSERT_TRUE(s.want(false));
  s.started(f.why);
  EXPECT_FALSE(s.finish().again);
}

TEST(ScanScheduler, RelabelIsKeptUntilAScanFinishes) {
  ScanScheduler s;
  ASSERT_TRUE(s.want(false));
  s.started("lost events");
  EXPECT_FALSE(s.want(true));  // the timer's, while a loss scan runs
  EXPECT_TRUE(s.finish().relabel);
  ASSERT_TRUE(s.want(false));
  s.started("again");
  EXPECT_FALSE(s.finish().relabel);
}

TEST(ScanScheduler, AScanOnTheLoopOvertakesTheWorkersScan) {
  ScanScheduler s;
  ASSERT_TRUE(s.want(false));
  s.started("timer");
  s.scan_on_loop();  // SIGHUP, or a client the tree had not placed
  EXPECT_FALSE(s.finish().apply);
  // The next one is applied again.
  ASSERT_TRUE(s.want(false));
  s.started("timer");
  EXPECT_TRUE(s.finish().apply);
}

TEST(ScanScheduler, AScanOnTheLoopWithNoWorkerScanOvertakesNothing) {
  ScanScheduler s;
  s.scan_on_loop();
  ASSERT_TRUE(s.want(false));
  s.started("timer");
  EXPECT_TRUE(s.finish().apply);
}

TEST(ScanScheduler, PidsTouchedOnlyWhileAScanRunsAreHandedOver) {
  ScanScheduler s;
  s.touched(1);  // before: the scan will see its effect
  ASSERT_TRUE(s.want(false));
  s.started("timer");
  s.touched(2);
  s.touched(3);
  auto f = s.finish();
  EXPECT_EQ(f.touched, (std::vector<std::uint32_t>{2, 3}));
  s.touched(4);  // after: no scan runs
  ASSERT_TRUE(s.want(false));
  s.started("timer");
  EXPECT_TRUE(s.finish().touched.empty());
}

}  // namespace
}  // namespace nsgroup
