// The scan worker (service/scan_worker.h) on this machine's /proc, without
// root: one scan per request, signalled on its fd, taken once.
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include "service/scan_worker.h"

namespace nsgroup {
namespace {

// Waits for the worker's eventfd; false after 10 s.
bool wait_readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 10'000) == 1;
}

TEST(ScanWorker, ARequestGivesOneScanOfTheProcessesThere) {
  auto worker = ScanWorker::start(false);
  ASSERT_TRUE(worker) << worker.error().message();
  EXPECT_FALSE((*worker)->take());  // nothing asked, nothing done
  ASSERT_TRUE((*worker)->request());
  ASSERT_TRUE(wait_readable((*worker)->fd()));
  auto done = (*worker)->take();
  ASSERT_TRUE(done);
  ASSERT_TRUE(done->snap) << done->snap.error().message();
  auto self = static_cast<std::uint32_t>(::getpid());
  bool found = false;
  for (const ProcInfo& p : done->snap->procs)
    found = found || p.pid == self;
  EXPECT_TRUE(found);
  EXPECT_FALSE((*worker)->take());  // taken once
}

TEST(ScanWorker, OneScanAtATime) {
  auto worker = ScanWorker::start(false);
  ASSERT_TRUE(worker);
  ASSERT_TRUE((*worker)->request());
  EXPECT_FALSE((*worker)->request());  // under way, or done but not taken
  ASSERT_TRUE(wait_readable((*worker)->fd()));
  EXPECT_FALSE((*worker)->request());
  ASSERT_TRUE((*worker)->take());
  EXPECT_TRUE((*worker)->request());  // taken: the next may start
  ASSERT_TRUE(wait_readable((*worker)->fd()));
  EXPECT_TRUE((*worker)->take());
}

}  // namespace
}  // namespace nsgroup
