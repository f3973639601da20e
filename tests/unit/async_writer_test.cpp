// AsyncWriter against real pipes: what a reader gets, and what a reader
// that never reads costs the writer (dropped lines, not a blocked call).
#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "util/async_writer.h"

namespace nsgroup {
namespace {

struct Pipe {
  int r = -1, w = -1;
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) == 0) {
      r = fds[0];
      w = fds[1];
    }
  }
  ~Pipe() {
    if (r >= 0)
      ::close(r);
    if (w >= 0)
      ::close(w);
  }
  std::string read_all() {
    ::close(w);
    w = -1;
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(r, buf, sizeof buf)) > 0)
      out.append(buf, static_cast<std::size_t>(n));
    return out;
  }
};

TEST(AsyncWriter, EveryLineReachesAReaderInOrder) {
  Pipe p;
  ASSERT_GE(p.r, 0);
  std::string expected;
  {
    AsyncWriter w(p.w, 1 << 20);
    for (int i = 0; i < 1000; ++i) {
      std::string line = "line " + std::to_string(i) + "\n";
      expected += line;
      ASSERT_TRUE(w.push(line));
    }
    EXPECT_EQ(w.dropped(), 0U);
  }  // the destructor waits for the queue to drain
  EXPECT_EQ(p.read_all(), expected);
}

TEST(AsyncWriter, AReaderThatNeverReadsCostsCountedLinesNotABlockedCaller) {
  Pipe p;
  ASSERT_GE(p.r, 0);
  // The pipe holds 64 KiB, the queue 64 KiB more: 1 MiB of lines cannot fit.
  AsyncWriter w(p.w, 64 << 10);
  std::string line(99, 'x');
  line.push_back('\n');
  auto start = std::chrono::steady_clock::now();
  std::uint64_t refused = 0;
  for (int i = 0; i < 10'000; ++i)
    refused += !w.push(line);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GT(refused, 0U);
  EXPECT_EQ(w.dropped(), refused);  // one line per refused push here
  // Not a timing assertion of speed: a blocked push would never return.
  EXPECT_LT(took, std::chrono::seconds(5));
  // What was taken is whole lines, in order, once the reader reads.
  ::fcntl(p.r, F_SETFL, O_NONBLOCK);
  std::string got;
  char buf[65536];
  for (int tries = 0; tries < 200 && got.size() < (10'000 - refused) * line.size(); ++tries) {
    ssize_t n = ::read(p.r, buf, sizeof buf);
    if (n > 0)
      got.append(buf, static_cast<std::size_t>(n));
    else
      ::usleep(5000);
  }
  EXPECT_EQ(got.size(), (10'000 - refused) * line.size());
  EXPECT_EQ(got.find_first_not_of("x\n"), std::string::npos);
}

TEST(AsyncWriter, AClosedReaderStopsTheWriterAndCountsTheRest) {
  Pipe p;
  ASSERT_GE(p.r, 0);
  ::close(p.r);
  p.r = -1;
  AsyncWriter w(p.w, 1 << 20);
  w.push("a\n");
  for (int i = 0; i < 200 && w.open(); ++i)
    ::usleep(5000);
  EXPECT_FALSE(w.open());
  EXPECT_FALSE(w.push("b\nc\n"));
  EXPECT_GE(w.dropped(), 2U);
}

}  // namespace
}  // namespace nsgroup
