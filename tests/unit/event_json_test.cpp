// JSON of events: schema fields, and strings from the kernel that are not
// valid UTF-8.
#include <gtest/gtest.h>

#include <optional>

#include "json/event_json.h"
#include "json/json.h"

namespace nsgroup {
namespace {

using json = Json;

// The line as the daemon prints it, parsed back.
json event_json(const Event& e, const BootClock& clock,
                const std::optional<EventPlacement>& p = std::nullopt, bool redact = false) {
  return json::parse(event_line(e, clock, p ? &*p : nullptr, redact));
}

Event unshare_event() {
  Event e;
  e.kind = EventKind::Unshare;
  e.ts_boot_ns = 1'500'000;  // 1.5 ms after boot
  e.pid = 4242;
  e.tid = 4242;
  e.ppid = 4240;
  e.comm = "ip";
  e.flags = NSG_CLONE_NEWNET;
  e.syscall = Syscall::Unshare;
  for (std::size_t i = 0; i < kNsCount; ++i)
    e.before.inum[i] = 4026531830 + static_cast<std::uint32_t>(i);
  e.after = e.before;
  e.after.inum[NSG_NS_NET] = 4026532500;
  return e;
}

TEST(Iso8601, MicrosecondsUtc) {
  EXPECT_EQ(iso8601_utc(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(iso8601_utc(1795370400123456789LL),
            "2026-11-22T18:00:00.123456Z");
  // The date is formatted once a second and reused: the same second, the
  // next one, and back again all read right.
  EXPECT_EQ(iso8601_utc(1795370400000000999LL), "2026-11-22T18:00:00.000000Z");
  EXPECT_EQ(iso8601_utc(1795370400999999000LL), "2026-11-22T18:00:00.999999Z");
  EXPECT_EQ(iso8601_utc(1795370401000001000LL), "2026-11-22T18:00:01.000001Z");
  EXPECT_EQ(iso8601_utc(1795370400000042000LL), "2026-11-22T18:00:00.000042Z");
  EXPECT_EQ(iso8601_utc(-1000), "1969-12-31T23:59:59.999999Z");
}

TEST(EventJson, UnshareHasTheDesignFields) {
  BootClock clock(1795370400000000000LL);
  json j = event_json(unshare_event(), clock);
  EXPECT_EQ(j["time"], "2026-11-22T18:00:00.001500Z");
  EXPECT_EQ(j["event"], "unshare");
  EXPECT_EQ(j["pid"], 4242);
  EXPECT_EQ(j["ppid"], 4240);
  EXPECT_EQ(j["comm"], "ip");
  EXPECT_EQ(j["flags"], json::array({"CLONE_NEWNET"}));
  EXPECT_EQ(j["new_ns"], json::array({"net"}));
  EXPECT_EQ(j["ns"]["net"], 4026532500U);
  EXPECT_EQ(j["ns"].size(), kNsCount);
  EXPECT_FALSE(j.contains("ns_ids"));  // no ids in this set
  EXPECT_FALSE(j.contains("container"));  // no tree: no placement
}

TEST(EventJson, IdsWhenTheKernelHasThem) {
  Event e = unshare_event();
  e.after.id.fill(5);
  json j = event_json(e, BootClock(0));
  ASSERT_TRUE(j.contains("ns_ids"));
  EXPECT_EQ(j["ns_ids"]["uts"], 5);
}

TEST(EventJson, PlacementAddsContainerFields) {
  json j = event_json(unshare_event(), BootClock(0),
                      EventPlacement{"/init_container/container_3",
                                     "/init_container", true});
  EXPECT_EQ(j["container"], "/init_container/container_3");
  EXPECT_EQ(j["from"], "/init_container");
  EXPECT_EQ(j["created"], true);
}

TEST(EventJson, DeniedCarriesErrno) {
  Event e = unshare_event();
  e.kind = EventKind::Denied;
  e.ret = -1;  // -EPERM
  json j = event_json(e, BootClock(0));
  EXPECT_EQ(j["event"], "denied");
  EXPECT_EQ(j["errno"], 1);
  EXPECT_EQ(j["error"], "EPERM");
}

TEST(EventJson, SuppressedNamesTheUidAndTheCount) {
  json j = event_json(suppressed_event(65534, 1234, 1'500'000), BootClock(0));
  EXPECT_EQ(j["event"], "suppressed");
  EXPECT_EQ(j["uid"], 65534);
  EXPECT_EQ(j["count"], 1234);
  EXPECT_EQ(j["of"], "denied");
  EXPECT_FALSE(j.contains("pid"));
}

TEST(EventJson, SetnsFlagsAreNstypeNamesAndFdIsShown) {
  Event e = unshare_event();
  e.kind = EventKind::Setns;
  e.syscall = Syscall::Setns;
  e.flags = 0;
  e.fd = 7;
  json j = event_json(e, BootClock(0));
  EXPECT_EQ(j["flags"], json::array());
  EXPECT_EQ(j["fd"], 7);
}

TEST(EventJson, ExitShowsStatus) {
  Event e;
  e.kind = EventKind::Exit;
  e.pid = 9;
  e.exit_code = 9;  // killed by SIGKILL
  json j = event_json(e, BootClock(0));
  EXPECT_EQ(j["signal"], 9);
  e.exit_code = 2 << 8;
  j = event_json(e, BootClock(0));
  EXPECT_EQ(j["exit_code"], 2);
}

TEST(EventJson, InvalidUtf8CommDumpsWithoutThrowing) {
  Event e = unshare_event();
  e.comm = std::string("\xff\xfe\xc3(bad", 7);
  std::string line = event_line(e, BootClock(0));
  // Each invalid byte became U+FFFD, and the result parses back.
  json back = json::parse(line);
  EXPECT_EQ(back["comm"], "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD(bad");
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(EventJson, RedactedHidesOriginOnly) {
  EventPlacement p{"/init_container/container_3", "/init_container", true};
  json full = event_json(unshare_event(), BootClock(0), p);
  json hidden = event_json(unshare_event(), BootClock(0), p, true);
  EXPECT_EQ(hidden["from"], nullptr);
  EXPECT_FALSE(hidden.contains("ppid"));
  EXPECT_EQ(full["ppid"], 4240);
  full.erase("ppid");
  full["from"] = nullptr;
  EXPECT_EQ(hidden, full);  // nothing else differs, in the same key order
}

// The writer's text is what nlohmann would print for the same document:
// same key order, same escapes, same replacement of invalid UTF-8.
TEST(EventJson, TextIsNlohmannsCompactDump) {
  Event e = unshare_event();
  static constexpr char kComm[] = "a\"\\\x01\x7f\xc3\xa9\xf0\x9f\x98\x80\xed\xa0\x80\xff";
  e.comm = std::string(kComm, sizeof kComm - 1);  // 15 bytes (ASan found a read of 17)
  e.after.id.fill(7);
  EventPlacement p{"/init_container/a\tb", "/init_container", false};
  std::string line = event_line(e, BootClock(0), &p);
  EXPECT_EQ(line, dump_line(json::parse(line)));
  EXPECT_NE(line.find("\\u0001"), std::string::npos);
}

}  // namespace
}  // namespace nsgroup
