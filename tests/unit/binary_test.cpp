// The nsgroup binary's exit statuses and messages (no BPF needed).
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>

#include "support.h"

namespace nsgroup::test {
namespace {

std::size_t lines(const std::string& s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

TEST(Binary, HelpGoesToStdoutWithStatusZero) {
  auto o = capture({nsgroup_binary(), "--help"});
  EXPECT_EQ(o.status, 0);
  EXPECT_NE(o.out.find("watch"), std::string::npos);
  EXPECT_TRUE(o.err.empty());
}

TEST(Binary, BadFlagIsAUsageError) {
  auto o = capture({nsgroup_binary(), "watch", "--frobnicate"});
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("--frobnicate"), std::string::npos);
  EXPECT_TRUE(o.out.empty());
}

TEST(Binary, UnknownCommandIsAUsageError) {
  EXPECT_EQ(capture({nsgroup_binary(), "frobnicate"}).status, 2);
  EXPECT_EQ(capture({nsgroup_binary()}).status, 2);
}

TEST(Binary, WatchWithoutRootFailsWithOneClearLine) {
  // As root, drop to nobody; as anyone else, we are already unprivileged.
  int uid = ::geteuid() == 0 ? 65534 : -1;
  auto o = capture({uid >= 0 ? reachable_binary() : nsgroup_binary(), "watch"}, uid);
  EXPECT_EQ(o.status, 1);
  EXPECT_EQ(lines(o.err), 1U) << o.err;
  EXPECT_NE(o.err.find("root"), std::string::npos) << o.err;
  EXPECT_TRUE(o.out.empty());
}

}  // namespace
}  // namespace nsgroup::test
