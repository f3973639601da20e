// Filtered watchers in the daemon: the watch request's filter checked and
// resolved by the handler (service/api.h), then applied per watcher by the
// fan-out's delivery() (service/fanout.h) before any line is built.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "fake_backend.h"
#include "json/json.h"
#include "service/api.h"
#include "service/fanout.h"
#include "synthetic.h"

namespace nsgroup {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

struct Sample : ApiSample {
  Reply watch(ContainerId scope, const Json& req) {
    Identity who;
    who.scope = scope;
    return api.answer(who, req.dump());
  }
  // A watcher as the daemon makes one from the reply.
  Connection& watcher(ContainerId scope, const Reply& r) {
    auto& c = *conns.emplace_back(std::make_unique<Connection>());
    c.who.scope = scope;
    c.watching = r.start_watch;
    c.filter = r.filter;
    c.filter_ids = r.filter_ids;
    return c;
  }
  std::vector<std::unique_ptr<Connection>> conns;
  const Tree& tree() const { return backend.tree; }
};

Event proc_event(std::uint32_t pid, std::string comm) {
  Event e;
  e.kind = EventKind::Unshare;
  e.pid = pid;
  e.comm = std::move(comm);
  return e;
}

TEST(WatchFilterApi, TheFilterComesBackWithTheStream) {
  Sample s;
  Reply r = s.watch(kRootId, {{"op", "watch"}, {"pid", {20}}, {"events", {"unshare", "exit"}}});
  ASSERT_TRUE(r.start_watch) << r.text;
  EXPECT_EQ(r.text, R"({"ok":true,"watching":true})");
  EXPECT_EQ(r.filter.pids, std::vector<std::uint32_t>{20});
  EXPECT_EQ(r.filter.kinds, (std::vector<EventKind>{EventKind::Unshare, EventKind::Exit}));
  EXPECT_TRUE(r.filter_ids.empty());
}

TEST(WatchFilterApi, ABadFilterIsRefusedAndStartsNoStream) {
  Sample s;
  Reply r = s.watch(kRootId, {{"op", "watch"}, {"events", {"unshare", "fork"}}});
  EXPECT_FALSE(r.start_watch);
  Json j = Json::parse(r.text);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["error"].get<std::string>().rfind(R"(watch "events": 'fork' is not an event kind)", 0),
            0U)
      << r.text;
  EXPECT_EQ(s.counters.bad_requests, 1U);
}

TEST(WatchFilterApi, AContainerIsResolvedWithinTheClientsScope) {
  Sample s;
  std::string a = s.tree().path(s.a), sib = s.tree().path(s.sibling);
  Reply r = s.watch(kRootId, {{"op", "watch"}, {"container", a}});
  ASSERT_TRUE(r.start_watch) << r.text;
  EXPECT_EQ(r.filter_ids, std::vector<ContainerId>{s.a});
  // Outside the client's subtree: as if it did not exist.
  Reply outside = s.watch(s.a, {{"op", "watch"}, {"container", sib}});
  EXPECT_FALSE(outside.start_watch);
  EXPECT_EQ(outside.text, R"({"ok":false,"error":"watch: no container at )" + sib + R"(","code":"not_found"})");
  Reply none = s.watch(kRootId, {{"op", "watch"}, {"container", "/init_container/nowhere"}});
  EXPECT_FALSE(none.start_watch);
}

TEST(WatchFilterApi, AWatcherGetsOnlyWhatItsFilterKeeps) {
  Sample s;
  Connection& by_pid = s.watcher(kRootId, s.watch(kRootId, {{"op", "watch"}, {"pid", 20}}));
  Connection& all = s.watcher(kRootId, s.watch(kRootId, {{"op", "watch"}}));
  std::string b = s.tree().path(s.b), sib = s.tree().path(s.sibling);
  Event of20 = proc_event(20, "x"), of30 = proc_event(30, "x");
  EXPECT_EQ(delivery(s.tree(), by_pid, watch_subject(of20, b), {}), Delivery::Whole);
  EXPECT_EQ(delivery(s.tree(), by_pid, watch_subject(of30, sib), {}), Delivery::None);
  EXPECT_EQ(delivery(s.tree(), all, watch_subject(of30, sib), {}), Delivery::Whole);
}

TEST(WatchFilterApi, AContainerFilterFollowsARenameAndItsRemoval) {
  Sample s;
  Connection& c = s.watcher(kRootId, s.watch(kRootId, {{"op", "watch"},
                                                      {"container", s.tree().path(s.a)}}));
  ASSERT_TRUE(c.watching);
  ASSERT_TRUE(s.backend.rename(s.a, "web"));
  std::string b = s.tree().path(s.b);
  ASSERT_EQ(b.rfind("/init_container/web/", 0), 0U) << b;
  Event e = proc_event(20, "x");
  EXPECT_EQ(delivery(s.tree(), c, watch_subject(e, b), {}), Delivery::Whole);
  EXPECT_EQ(delivery(s.tree(), c, watch_subject(e, s.tree().path(s.sibling)), {}),
            Delivery::None);
  // The filter kept the path the container had last.
  EXPECT_EQ(c.filter.containers, std::vector<std::string>{"/init_container/web"});
}

// Renamed, then removed with no event between: the removal's event carries
// the new path, which the filter must hold by then (Fanout::renamed).
TEST(WatchFilterApi, ARenameReachesTheFilterBeforeAnyEvent) {
  Sample s;
  Connection& c = s.watcher(kRootId, s.watch(kRootId, {{"op", "watch"},
                                                      {"container", s.tree().path(s.a)}}));
  ASSERT_TRUE(s.backend.rename(s.a, "web"));
  refresh_container_filter(s.tree(), c);
  EXPECT_EQ(c.filter.containers, std::vector<std::string>{"/init_container/web"});
  Event removed;
  removed.kind = EventKind::ContainerRemoved;
  EXPECT_TRUE(c.filter.matches(watch_subject(removed, "/init_container/web")));
}

TEST(WatchFilterApi, AccessComesFirstAndRedactionStays) {
  Sample s;
  // A client in a, filtering on a pid of the sibling: never shown.
  Connection& in_a = s.watcher(s.a, s.watch(s.a, {{"op", "watch"}, {"pid", {20, 30}}}));
  Event of30 = proc_event(30, "x"), of20 = proc_event(20, "x");
  EXPECT_EQ(delivery(s.tree(), in_a, watch_subject(of30, s.tree().path(s.sibling)), {}),
            Delivery::None);
  // Into its subtree from outside: kept, redacted.
  EXPECT_EQ(delivery(s.tree(), in_a, watch_subject(of20, s.tree().path(s.b)), "/init_container"),
            Delivery::Redacted);
}

}  // namespace
}  // namespace nsgroup
