// Log prefixes: plain, or journald priorities when JOURNAL_STREAM names
// stderr.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "util/log.h"

namespace nsgroup {
namespace {

TEST(LogPrefix, PlainOrJournalPriority) {
  EXPECT_EQ(log_prefix(LogLevel::Error, false), "nsgroup: ");
  EXPECT_EQ(log_prefix(LogLevel::Error, true), "<3>");
  EXPECT_EQ(log_prefix(LogLevel::Warning, true), "<4>");
  EXPECT_EQ(log_prefix(LogLevel::Info, true), "<6>");
  EXPECT_EQ(log_prefix(LogLevel::Debug, true), "<7>");
}

TEST(JournalStream, MatchesOnlyTheSameFile) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  struct stat st {};
  ASSERT_EQ(::fstat(fds[1], &st), 0);
  std::string mine = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  EXPECT_TRUE(journal_stream_matches(mine.c_str(), fds[1]));
  EXPECT_FALSE(journal_stream_matches("1:2", fds[1]));
  EXPECT_FALSE(journal_stream_matches("garbage", fds[1]));
  EXPECT_FALSE(journal_stream_matches(nullptr, fds[1]));
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace
}  // namespace nsgroup
