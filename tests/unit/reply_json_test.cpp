// The control socket's reply lines (json/reply_json.h) and the stats
// report as JSON (json/stats_json.h): the bytes are those nlohmann writes
// for the same values, in the protocol's key order, and the client reads
// back what the daemon wrote.
#include <gtest/gtest.h>

#include <string>

#include "json/json.h"
#include "json/reply_json.h"
#include "json/stats_json.h"

namespace nsgroup {
namespace {

TEST(ReplyJson, LinesAreWhatNlohmannWrites) {
  std::string odd = "a \"b\"\\\n\x01\xff";  // every escape, and invalid UTF-8
  EXPECT_EQ(error_line(odd), dump_line(Json{{"ok", false}, {"error", odd}}));
  EXPECT_EQ(watching_line(), dump_line(Json{{"ok", true}, {"watching", true}}));
  EXPECT_EQ(which_line(21, 20, "/init_container/x", false),
            dump_line(Json{{"ok", true}, {"pid", 21}, {"tgid", 20}, {"container", "/init_container/x"}}));
  EXPECT_EQ(which_line(20, 20, "/c", true),
            dump_line(Json{{"ok", true}, {"pid", 20}, {"container", "/c"}, {"unreadable", true}}));
  EXPECT_EQ(renamed_line(odd), dump_line(Json{{"ok", true}, {"path", odd}}));
  EXPECT_EQ(killed_line("/c", true, 3),
            dump_line(Json{{"ok", true}, {"path", "/c"}, {"cgroup_kill", true}, {"signalled", 3}}));
}

StatsReport rich() {
  StatsReport s;
  s.hooks = "fexit";
  s.uptime_seconds = 12;
  s.events[static_cast<std::size_t>(EventKind::Unshare)] = 7;
  s.lost = 1;
  s.dropped = {{"ring_full", 1}, {"stdout_lines", 0}};
  s.suppressed_by_uid = {{"1000", 2}, {"other", 5}};
  s.reconciles = 3;
  s.failed_scans = 1;
  s.scans.source = "/proc";
  s.scans.last_us = 900;
  s.scans.max_us = 30000;
  s.scans.sum_us = 30900;
  s.scans.le_us = {{1000, 1}, {50000, 2}};
  s.scans.count = 3;
  s.containers = 4;
  s.processes = 9;
  s.containers_created = 5;
  s.containers_removed = 1;
  s.requests = 6;
  s.bad_requests = 2;
  s.clients = 1;
  s.heap_in_use = 4096;
  s.heap_free = 10;
  MirrorReport m;
  m.root = "/sys/fs/cgroup/nsgroup";
  m.adopt = "auto";
  m.directories = 4;
  m.mkdirs = 6;
  m.errors = {{"move: EBUSY", 1}};
  s.mirror = m;
  return s;
}

// The protocol's order of keys, as docs/design.md's "Stats" gives it.
TEST(StatsJson, TheKeysComeInTheProtocolsOrder) {
  std::string out;
  write_stats_json(rich(), out);
  EXPECT_EQ(out,
            R"({"hooks":"fexit","uptime_seconds":12,"events":{"unshare":7},"lost":1,)"
            R"("dropped":{"ring_full":1,"stdout_lines":0},"suppressed_by_uid":{"1000":2,"other":5},)"
            R"("reconciles":3,"failed_scans":1,"scans":{"source":"/proc","last_us":900,)"
            R"("max_us":30000,"sum_us":30900,"count":3,"le_us":{"1000":1,"50000":2,"+Inf":3}},)"
            R"("containers":4,"processes":9,"containers_created":5,"containers_removed":1,)"
            R"("requests":6,"bad_requests":2,"clients":1,"heap_bytes":{"in_use":4096,"free":10},)"
            R"("mirror":{"root":"/sys/fs/cgroup/nsgroup","adopt":"auto","directories":4,)"
            R"("mkdirs":6,"rmdirs":0,"moves":0,"pending_removals":0,"pending_retries":0,)"
            R"("foreign_processes":0,"errors":{"move: EBUSY":1}}})");
  EXPECT_EQ(dump_line(Json::parse(out)), out);
}

TEST(StatsJson, WithoutAMirrorItIsNull) {
  StatsReport s = rich();
  s.mirror.reset();
  std::string out;
  write_stats_json(s, out);
  EXPECT_EQ(Json::parse(out)["mirror"], nullptr);
}

TEST(StatsJson, AScopedReportHoldsItsSubtreesFiguresOnly) {
  StatsReport s;
  s.scope = "/init_container/a";
  s.containers = 2;
  s.processes = 3;
  s.requests = 99;  // not the client's to see
  std::string out;
  write_stats_json(s, out);
  EXPECT_EQ(out, R"({"scope":"/init_container/a","containers":2,"processes":3})");
  auto back = parse_stats_json(out);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->scope, "/init_container/a");
  EXPECT_EQ(back->processes, 3U);
}

TEST(StatsJson, WhatIsWrittenReadsBackTheSame) {
  std::string out;
  write_stats_json(rich(), out);
  auto back = parse_stats_json(out);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_FALSE(back->scope);
  std::string again;
  write_stats_json(*back, again);
  EXPECT_EQ(again, out);
  EXPECT_EQ(stats_line(rich()), R"({"ok":true,"stats":)" + out + "}");
  EXPECT_FALSE(parse_stats_json("[]"));
}

}  // namespace
}  // namespace nsgroup
