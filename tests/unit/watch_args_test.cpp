// The filter options of `nsgroup watch` (cli/watch_args.h) through the
// command line's parser: repeated and comma-separated values, bad values
// named, and the options for watch only.
#include <gtest/gtest.h>

#include "cli/args.h"

namespace nsgroup {
namespace {

using Kind = ParseResult::Kind;

ParseResult parse(std::vector<std::string_view> args) { return parse_args(args); }

TEST(WatchArgs, EachFilterRepeatedOrCommaSeparated) {
  auto r = parse({"watch", "--pid", "10,20", "--pid=30", "--uid", "0", "--comm", "unshare",
                  "--comm=ip", "--event", "unshare,setns", "--event", "exit", "--container",
                  "/init_container/web", "--container", "/init_container/a,b"});
  ASSERT_EQ(r.kind, Kind::Run) << r.text;
  const WatchFilter& f = r.options.filter;
  EXPECT_EQ(f.pids, (std::vector<std::uint32_t>{10, 20, 30}));
  EXPECT_EQ(f.uids, std::vector<std::uint32_t>{0});
  EXPECT_EQ(f.comms, (std::vector<std::string>{"unshare", "ip"}));
  EXPECT_EQ(f.kinds,
            (std::vector<EventKind>{EventKind::Unshare, EventKind::Setns, EventKind::Exit}));
  EXPECT_EQ(f.containers,
            (std::vector<std::string>{"/init_container/web", "/init_container/a,b"}));
  EXPECT_TRUE(parse({"watch"}).options.filter.empty());
}

TEST(WatchArgs, ABadValueIsAUsageErrorNamingIt) {
  auto r = parse({"watch", "--event", "unshare,forks"});
  ASSERT_EQ(r.kind, Kind::UsageError);
  EXPECT_EQ(r.text.rfind("--event: 'forks' is not an event kind (clone, ", 0), 0U) << r.text;
  auto pid = parse({"watch", "--pid", "x1"});
  ASSERT_EQ(pid.kind, Kind::UsageError);
  EXPECT_EQ(pid.text.rfind("--pid: 'x1' is not a pid", 0), 0U) << pid.text;
  EXPECT_EQ(parse({"watch", "--uid", "-1"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"watch", "--comm", "sixteen_bytes_xx"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"watch", "--container", "web"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"watch", "--pid"}).kind, Kind::UsageError);  // no value
}

TEST(WatchArgs, OnlyWatchTakesThem) {
  for (std::string_view cmd : {"tree", "stats", "daemon"}) {
    auto r = parse({cmd, "--pid", "1"});
    EXPECT_EQ(r.kind, Kind::UsageError) << cmd;
  }
}

TEST(WatchArgs, TheHelpNamesThem) {
  std::string help = parse({"--help"}).text;
  for (std::string_view opt : {"--pid PID", "--uid UID", "--comm NAME", "--event KIND",
                               "--container PATH"})
    EXPECT_NE(help.find(opt), std::string::npos) << opt;
}

}  // namespace
}  // namespace nsgroup
