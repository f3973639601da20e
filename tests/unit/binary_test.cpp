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

TEST(Binary, EachCommandsHelpThreeWays) {
  for (std::string cmd : {"daemon", "tree", "watch", "which", "stats", "rename", "kill"}) {
    auto help = capture({nsgroup_binary(), "help", cmd});
    EXPECT_EQ(help.status, 0) << cmd;
    EXPECT_TRUE(help.err.empty()) << help.err;
    EXPECT_EQ(help.out.rfind("Usage: nsgroup " + cmd + " [OPTIONS]", 0), 0U) << help.out;
    EXPECT_NE(help.out.find("\nOptions:\n  -"), std::string::npos) << help.out;
    // Only this command: no other's usage.
    EXPECT_EQ(help.out.find("Commands:"), std::string::npos);
    for (std::string flag : {"--help", "-h"}) {
      auto o = capture({nsgroup_binary(), cmd, flag});
      EXPECT_EQ(o.status, 0);
      EXPECT_EQ(o.out, help.out) << cmd << " " << flag;
    }
  }
  auto top = capture({nsgroup_binary(), "help"});
  EXPECT_EQ(top.status, 0);
  EXPECT_EQ(top.out, capture({nsgroup_binary(), "--help"}).out);
  auto nosuch = capture({nsgroup_binary(), "help", "nosuch"});
  EXPECT_EQ(nosuch.status, 2);
  EXPECT_NE(nosuch.err.find("'nosuch'"), std::string::npos) << nosuch.err;
}

TEST(Binary, UnknownOptionsAreNamed) {
  auto before = capture({nsgroup_binary(), "--versoin"});
  EXPECT_EQ(before.status, 2);
  EXPECT_EQ(before.err, "nsgroup: unknown option '--versoin'\nTry 'nsgroup --help'.\n");
  auto after = capture({nsgroup_binary(), "tree", "--bogus"});
  EXPECT_EQ(after.status, 2);
  EXPECT_EQ(after.err, "nsgroup: unknown option '--bogus' for tree\nTry 'nsgroup help tree'.\n");
  EXPECT_TRUE(after.out.empty());
}

// stdout on /dev/full: every write fails with ENOSPC.
Output to_dev_full(std::vector<std::string> argv) {
  std::string line = "exec";
  for (const auto& a : argv)
    line += " '" + a + "'";
  return capture({"/bin/sh", "-c", line + " >/dev/full"});
}

TEST(Binary, AWriteErrorOnStdoutFails) {
  for (auto args : {std::vector<std::string>{"--help"}, {"--version"}, {"help", "tree"},
                    {"tree", "--no-daemon", "--socket", "/nonexistent/nsgroup.sock"},
                    {"tree", "--no-daemon", "-o", "text"},
                    {"which", "1", "--socket", "/nonexistent/nsgroup.sock"}}) {
    args.insert(args.begin(), nsgroup_binary());
    auto o = to_dev_full(args);
    EXPECT_EQ(o.status, 1) << args[1];
    EXPECT_NE(o.err.find("writing to stdout: No space left on device"), std::string::npos)
        << args[1] << ": " << o.err;
  }
}

// A reader that goes away first (nsgroup tree | head): status 1, and no
// "Broken pipe" line on the terminal. The reader here exits before the
// tree is written.
TEST(Binary, AReaderThatLeftEndsTheCommandQuietlyWithStatusOne) {
  std::string cmd = "(sleep 0.3; exec '" + nsgroup_binary() +
                    "' tree --no-daemon -o text --socket /nonexistent/nsgroup.sock) | true; "
                    "exit ${PIPESTATUS[0]}";
  auto o = capture({"/bin/bash", "-c", cmd});
  EXPECT_EQ(o.status, 1) << o.err;
  EXPECT_EQ(o.err, "");
}

TEST(Binary, NoDaemonIsStatusFour) {
  for (auto args : {std::vector<std::string>{"stats"}, {"rename", "/init_container/a", "b"},
                    {"kill", "/init_container/a"}}) {
    args.insert(args.begin(), nsgroup_binary());
    args.insert(args.end(), {"--socket", "/nonexistent/nsgroup.sock"});
    auto o = capture(args);
    EXPECT_EQ(o.status, 4) << args[1] << ": " << o.err;
    EXPECT_NE(o.err.find("no daemon is listening at /nonexistent/nsgroup.sock"), std::string::npos)
        << o.err;
    EXPECT_TRUE(o.out.empty());
  }
}

TEST(Binary, WhichOfNoProcessIsStatusThree) {
  // pid_max is at most 2^22: no process has this pid. No daemon: a scan.
  auto o = capture({nsgroup_binary(), "which", "99999999", "--socket", "/nonexistent/s"});
  EXPECT_EQ(o.status, 3) << o.err;
  EXPECT_NE(o.err.find("no process with pid 99999999"), std::string::npos) << o.err;
}

TEST(Binary, WhichPrintsTextOrJson) {
  std::string self = std::to_string(::getpid());
  auto text = capture({nsgroup_binary(), "which", self, "--socket", "/nonexistent/s"});
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_EQ(text.out.rfind("/init_container", 0), 0U) << text.out;
  EXPECT_EQ(lines(text.out), 1U);
  auto json = capture({nsgroup_binary(), "which", self, "-o", "json", "--socket", "/nonexistent/s"});
  ASSERT_EQ(json.status, 0) << json.err;
  std::string path = text.out.substr(0, text.out.size() - 1);
  EXPECT_EQ(json.out.rfind("{\"pid\":" + self + ",\"container\":\"" + path + "\"", 0), 0U)
      << json.out;
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
