// The control socket's request handlers (service/api.h) against a fake backend.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "core/tree.h"
#include "fake_backend.h"
#include "json/json.h"
#include "service/api.h"
#include "synthetic.h"

namespace nsgroup {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

// A request as the server hands it over: its line.
std::string wire(const Json& req) { return req.dump(); }

struct Sample : ApiSample {
  const Tree& tree() const { return backend.tree; }
  Json ask(ContainerId scope, bool admin, const Json& req) {
    Identity who;
    who.pid = 1000;
    who.scope = scope;
    who.admin = admin;
    Reply r = api.answer(who, wire(req));
    // Parsed as the client would.
    return Json::parse(r.text);
  }
};

TEST(Api, UnknownOpIsABadRequest) {
  Sample s;
  Json r = s.ask(kRootId, true, {{"op", "frobnicate"}});
  EXPECT_EQ(r["ok"], false);
  EXPECT_NE(r["error"].get<std::string>().find("frobnicate"), std::string::npos);
  EXPECT_EQ(s.counters.bad_requests, 1U);
  EXPECT_EQ(s.counters.requests, 1U);
}

TEST(Api, MissingOpIsABadRequest) {
  Sample s;
  EXPECT_EQ(s.ask(kRootId, true, Json::object())["ok"], false);
  EXPECT_EQ(s.ask(kRootId, true, {{"op", 7}})["ok"], false);
  EXPECT_EQ(s.counters.bad_requests, 2U);
}

TEST(Api, ALineThatIsNotAnObjectIsAnsweredButNotCounted) {
  Sample s;
  Identity who;
  for (std::string_view line : {"tree", "[1]", "{\"op\":"}) {
    Reply r = s.api.answer(who, line);
    EXPECT_EQ(r.text, R"({"ok":false,"error":"request is not a JSON object","code":"invalid"})") << line;
    EXPECT_FALSE(r.start_watch);
  }
  EXPECT_EQ(s.counters.requests, 0U);
  EXPECT_EQ(s.counters.bad_requests, 0U);
}

TEST(Api, WatchStartsAnEventStream) {
  Sample s;
  Identity who;
  Reply r = s.api.answer(who, wire({{"op", "watch"}}));
  EXPECT_TRUE(r.start_watch);
  EXPECT_EQ(r.text, R"({"ok":true,"watching":true})");
  EXPECT_EQ(s.counters.bad_requests, 0U);
}

TEST(Api, OtherOpsDoNotStartAStream) {
  Sample s;
  Identity who;
  EXPECT_FALSE(s.api.answer(who, wire({{"op", "stats"}})).start_watch);
}

TEST(Api, WhichAnswersTheContainerOfAPidInTheSubtree) {
  Sample s;
  Json r = s.ask(s.a, false, {{"op", "which"}, {"pid", 20}});
  ASSERT_EQ(r["ok"], true) << r.dump();
  EXPECT_EQ(r["pid"], 20);
  EXPECT_EQ(r["container"], s.tree().path(s.b));
}

TEST(Api, WhichOfARootProcessForARootScopedClient) {
  Sample s;
  Json r = s.ask(kRootId, false, {{"op", "which"}, {"pid", 1}});
  ASSERT_EQ(r["ok"], true) << r.dump();
  EXPECT_EQ(r["container"], s.tree().path(kRootId));
}

TEST(Api, WhichOutsideTheSubtreeAnswersLikeANonexistentPid) {
  Sample outside;
  Json r_outside = outside.ask(outside.a, false, {{"op", "which"}, {"pid", 30}});
  Json r_root = outside.ask(outside.a, false, {{"op", "which"}, {"pid", 1}});

  Sample gone;
  gone.backend.proc.erase(30);
  gone.backend.proc.erase(1);
  Json r_gone30 = gone.ask(gone.a, false, {{"op", "which"}, {"pid", 30}});
  Json r_gone1 = gone.ask(gone.a, false, {{"op", "which"}, {"pid", 1}});

  EXPECT_EQ(r_outside["ok"], false);
  EXPECT_NE(r_outside["error"].get<std::string>().find("pid 30"), std::string::npos);
  EXPECT_EQ(r_outside["error"], r_gone30["error"]);
  EXPECT_EQ(r_outside, r_gone30);
  EXPECT_EQ(r_root, r_gone1);
}

TEST(Api, WhichRescansForAProcessTheTreeHasNotPlaced) {
  Sample s;
  NsSet fresh = with(s.a_set, NSG_NS_MNT, 700);
  s.backend.proc[50] = fresh;
  s.backend.unseen.push_back(unshare(50, s.a_set, fresh));
  Json r = s.ask(kRootId, false, {{"op", "which"}, {"pid", 50}});
  EXPECT_EQ(s.backend.reconciles, 1);
  ASSERT_EQ(r["ok"], true) << r.dump();
  EXPECT_EQ(r["container"], s.tree().path(s.tree().container_of(50)));
  EXPECT_NE(s.tree().container_of(50), kRootId);
}

// A thread id names its process's container, without a rescan (the
// thread's own /proc entry is not a member of anything).
TEST(Api, WhichOfAThreadIdAnswersForItsProcess) {
  Sample s;
  s.backend.threads[21] = 20;
  s.backend.proc[21] = root_set();  // a thread that setns'd back on its own
  Json r = s.ask(kRootId, false, {{"op", "which"}, {"pid", 21}});
  ASSERT_EQ(r["ok"], true) << r.dump();
  EXPECT_EQ(r["pid"], 21);
  EXPECT_EQ(r["tgid"], 20);
  EXPECT_EQ(r["container"], s.tree().path(s.tree().container_of(20)));
  EXPECT_NE(s.tree().container_of(20), kRootId);
  EXPECT_EQ(s.backend.reconciles, 0);
}

TEST(Api, WhichNeedsAPositivePid) {
  Sample s;
  EXPECT_EQ(s.ask(kRootId, false, {{"op", "which"}})["ok"], false);
  EXPECT_EQ(s.ask(kRootId, false, {{"op", "which"}, {"pid", 0}})["ok"], false);
  EXPECT_EQ(s.ask(kRootId, false, {{"op", "which"}, {"pid", -5}})["ok"], false);
  EXPECT_EQ(s.ask(kRootId, false, {{"op", "which"}, {"pid", "20"}})["ok"], false);
}

TEST(Api, TreeOfAScopedClientIsRootedAtItsContainer) {
  Sample s;
  Json r = s.ask(s.a, false, {{"op", "tree"}});
  ASSERT_EQ(r["ok"], true) << r.dump();
  const Json& root = r["tree"]["root"];
  EXPECT_EQ(root["path"], s.tree().path(s.a));
  ASSERT_EQ(root["children"].size(), 1U);
  EXPECT_EQ(root["children"][0]["path"], s.tree().path(s.b));
}

TEST(Api, TreeOfARootScopedClientShowsEverything) {
  Sample s;
  Json r = s.ask(kRootId, false, {{"op", "tree"}, {"pids", true}});
  ASSERT_EQ(r["ok"], true) << r.dump();
  const Json& root = r["tree"]["root"];
  EXPECT_EQ(root["path"], s.tree().path(kRootId));
  EXPECT_EQ(root["children"].size(), 2U);
  EXPECT_EQ(root["pids"], (std::vector<std::uint32_t>{1, 2}));
}

TEST(Api, RenameWithoutAdminIsRefused) {
  Sample s;
  std::string before = s.tree().find(s.b)->name;
  Json r = s.ask(s.a, false,
                 {{"op", "rename"}, {"path", s.tree().path(s.b)}, {"name", "web"}});
  EXPECT_EQ(r["ok"], false);
  EXPECT_NE(r["error"].get<std::string>().find("permission denied"), std::string::npos);
  EXPECT_EQ(r["code"], "refused");
  EXPECT_EQ(s.tree().find(s.b)->name, before);
}

TEST(Api, RenameOfAStrictDescendantByAnAdmin) {
  Sample s;
  Json r = s.ask(s.a, true, {{"op", "rename"}, {"path", s.tree().path(s.b)}, {"name", "web"}});
  ASSERT_EQ(r["ok"], true) << r.dump();
  EXPECT_EQ(s.tree().find(s.b)->name, "web");
  EXPECT_EQ(r["path"], s.tree().path(s.b));
  EXPECT_EQ(s.tree().find_path(r["path"].get<std::string>()), s.b);
}

TEST(Api, RenameToANameWithADotIsRefused) {
  Sample s;
  std::string before = s.tree().find(s.b)->name;
  Json r = s.ask(kRootId, true,
                 {{"op", "rename"}, {"path", s.tree().path(s.b)}, {"name", "web.slice"}});
  EXPECT_EQ(r["ok"], false);
  EXPECT_EQ(s.tree().find(s.b)->name, before);
}

TEST(Api, RenameOfTheClientsOwnContainerIsRefused) {
  Sample s;
  Json r = s.ask(s.a, true, {{"op", "rename"}, {"path", s.tree().path(s.a)}, {"name", "web"}});
  EXPECT_EQ(r["ok"], false);
  EXPECT_NE(s.tree().find(s.a)->name, "web");
}

TEST(Api, RenameOutsideTheSubtreeLooksLikeNoContainer) {
  Sample s;
  std::string sibling_path = s.tree().path(s.sibling);
  Json r = s.ask(s.a, true, {{"op", "rename"}, {"path", sibling_path}, {"name", "web"}});
  Json none = s.ask(s.a, true,
                    {{"op", "rename"}, {"path", "/init_container/nothing"}, {"name", "web"}});
  EXPECT_EQ(r["ok"], false);
  EXPECT_EQ(r["error"], "no container at " + sibling_path);
  EXPECT_EQ(r["code"], "not_found");
  EXPECT_EQ(none["error"], "no container at /init_container/nothing");
  EXPECT_EQ(none["code"], "not_found");
}

TEST(Api, KillOfTheClientsOwnContainerIsRefused) {
  Sample s;
  Json r = s.ask(s.a, true, {{"op", "kill"}, {"path", s.tree().path(s.a)}});
  EXPECT_EQ(r["ok"], false);
  EXPECT_NE(r["error"].get<std::string>().find("permission denied"), std::string::npos);
  EXPECT_EQ(r["code"], "refused");
  EXPECT_TRUE(s.backend.killed.empty());
}

TEST(Api, KillOfTheRootIsRefused) {
  Sample s;
  Json r = s.ask(kRootId, true, {{"op", "kill"}, {"path", "/init_container"}});
  EXPECT_EQ(r["ok"], false);
  EXPECT_TRUE(s.backend.killed.empty());
}

TEST(Api, KillOfAStrictDescendantByAnAdmin) {
  Sample s;
  Json r = s.ask(s.a, true, {{"op", "kill"}, {"path", s.tree().path(s.b)}});
  ASSERT_EQ(r["ok"], true) << r.dump();
  EXPECT_EQ(s.backend.killed, std::vector<ContainerId>{s.b});
  EXPECT_EQ(r["signalled"], 1);
}

TEST(Api, StatsOfAScopedClientCountOnlyItsSubtree) {
  Sample s;
  Json r = s.ask(s.a, false, {{"op", "stats"}});
  ASSERT_EQ(r["ok"], true) << r.dump();
  const Json& st = r["stats"];
  EXPECT_EQ(st["scope"], s.tree().path(s.a));
  EXPECT_EQ(st["containers"], 2);  // a and b, not the root or the sibling
  EXPECT_EQ(st["processes"], 2);   // 10 and 20, not 30
  EXPECT_FALSE(st.contains("requests"));
  EXPECT_EQ(s.tree().container_count(), 4U);
}

TEST(Api, StatsOfARootScopedClientAreTheBackends) {
  Sample s;
  Json r = s.ask(kRootId, false, {{"op", "stats"}});
  ASSERT_EQ(r["ok"], true) << r.dump();
  EXPECT_FALSE(r["stats"].contains("scope"));
  EXPECT_EQ(r["stats"]["containers"], s.tree().container_count());
}

}  // namespace
}  // namespace nsgroup
