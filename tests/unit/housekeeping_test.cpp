// The housekeeping policies (service/housekeeping.h): when the state is
// saved and when memory is given back, as functions of the time and counts
// passed in.
#include <gtest/gtest.h>

#include "service/housekeeping.h"

namespace nsgroup {
namespace {

constexpr std::uint64_t kSec = 1'000'000'000ULL;

TEST(SaveSchedule, NothingChangedNothingDue) {
  SaveSchedule s(5 * kSec);
  EXPECT_FALSE(s.due(100 * kSec));
}

TEST(SaveSchedule, AChangeIsSavedOnceTheThrottlePassed) {
  SaveSchedule s(5 * kSec);
  s.mark_dirty();
  ASSERT_TRUE(s.due(100 * kSec));
  s.saved(100 * kSec);
  EXPECT_FALSE(s.due(101 * kSec));  // saved, and nothing changed
  s.mark_dirty();
  EXPECT_FALSE(s.due(103 * kSec));
  EXPECT_FALSE(s.due(105 * kSec));
  EXPECT_TRUE(s.due(105 * kSec + 1));
}

TEST(TrimPolicy, OnceForEachThousandRemovals) {
  TrimPolicy t;
  EXPECT_FALSE(t.after_removals(0));
  EXPECT_FALSE(t.after_removals(kTrimAfter - 1));
  EXPECT_TRUE(t.after_removals(kTrimAfter));
  EXPECT_FALSE(t.after_removals(kTrimAfter));  // no more since
  EXPECT_FALSE(t.after_removals(2 * kTrimAfter - 1));
  EXPECT_TRUE(t.after_removals(2 * kTrimAfter + 5));
  EXPECT_FALSE(t.after_removals(3 * kTrimAfter));  // counted from 2*N+5
  EXPECT_TRUE(t.after_removals(3 * kTrimAfter + 5));
}

TEST(TrimPolicy, AfterASaveOnlyOfALargeTree) {
  EXPECT_FALSE(TrimPolicy::after_save(false, 100'000));
  EXPECT_FALSE(TrimPolicy::after_save(true, kTrimAfter - 1));
  EXPECT_TRUE(TrimPolicy::after_save(true, kTrimAfter));
}

}  // namespace
}  // namespace nsgroup
