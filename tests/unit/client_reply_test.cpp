// The client's side of the socket protocol (json/client_reply.h): request
// lines as the daemon parses them, replies as it writes them.
#include "json/client_reply.h"

#include <gtest/gtest.h>

#include "json/json.h"

namespace nsgroup {
namespace {

TEST(RequestLine, MembersInOrderEscaped) {
  EXPECT_EQ(RequestLine("stats").str(), R"({"op":"stats"})");
  EXPECT_EQ(RequestLine("tree").with("pids", true).str(), R"({"op":"tree","pids":true})");
  EXPECT_EQ(RequestLine("which").with("pid", std::uint32_t{4242}).str(),
            R"({"op":"which","pid":4242})");
  std::string line =
      RequestLine("rename").with("path", "/init_container/\"a\"\n").with("name", "web").str();
  // What nlohmann (the daemon's parser) reads back.
  Json j = Json::parse(line);
  EXPECT_EQ(j["op"], "rename");
  EXPECT_EQ(j["path"], "/init_container/\"a\"\n");
  EXPECT_EQ(j["name"], "web");
  EXPECT_EQ(line, dump_line(j));
}

TEST(Reply, OkOrWhatTheDaemonSaid) {
  EXPECT_TRUE(check_reply(R"({"ok":true,"container":"/init_container"})"));
  EXPECT_TRUE(check_reply(R"({ "ok": true })"));
  auto refused = check_reply(R"({"ok":false,"error":"no container at /x"})");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message(), "no container at /x");
  EXPECT_EQ(refused.error().kind, Failure::Kind::Other);  // no "code": any failure
  auto missing = check_reply(R"({"ok":false,"error":"no container at /x","code":"not_found"})");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "no container at /x");
  EXPECT_EQ(missing.error().kind, Failure::Kind::NotFound);
  auto denied = check_reply(R"({"ok":false,"error":"permission denied","code":"refused"})");
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().kind, Failure::Kind::Refused);
  auto invalid = check_reply(R"({"ok":false,"error":"bad","code":"invalid"})");
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().kind, Failure::Kind::Other);
  auto bare = check_reply(R"({"ok":false})");
  ASSERT_FALSE(bare);
  EXPECT_EQ(bare.error().message(), "the daemon refused the request");
  auto garbage = check_reply("<html>");
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().message(), "the daemon sent a reply that is not JSON");
  EXPECT_EQ(reply_error(R"({"ok":false,"error":"busy"})"), "busy");
  EXPECT_EQ(reply_error(R"({"ok":true})"), std::nullopt);
  EXPECT_EQ(reply_error("{\"ok\":true,\"tree\":{"), std::nullopt);
}

TEST(Reply, NumbersAndBooleans) {
  std::string kill = R"({"ok":true,"path":"/init_container/a","cgroup_kill":true,"signalled":2})";
  EXPECT_EQ(*reply_number(kill, "signalled"), 2U);
  EXPECT_TRUE(*reply_bool(kill, "cgroup_kill"));
  EXPECT_FALSE(reply_number(kill, "path"));
  EXPECT_FALSE(reply_bool(kill, "signalled"));
  EXPECT_FALSE(reply_bool(kill, "nothing"));
}

TEST(Reply, MembersTakenOut) {
  std::string which = R"({"ok":true,"container":"/init_container/container_3"})";
  EXPECT_EQ(*reply_string(which, "container"), "/init_container/container_3");
  EXPECT_FALSE(reply_string(which, "path"));
  EXPECT_FALSE(reply_string(R"({"ok":true,"path":7})", "path"));
  std::string kill = R"({"ok":true,"signalled":3,"cgroup_kill":false})";
  EXPECT_EQ(*reply_without_ok(kill), R"({"signalled":3,"cgroup_kill":false})");
  std::string stats = R"({"ok":true,"stats":{"b":1,"a":[]}})";
  EXPECT_EQ(*reply_member_indented(stats, "stats"), "{\n  \"b\": 1,\n  \"a\": []\n}");
  EXPECT_FALSE(reply_member_indented(stats, "tree"));
}

TEST(Reply, JsonStringLiterals) {
  EXPECT_EQ(decode_json_string(R"("/init_container/a\"b\u00e9")"), "/init_container/a\"b\xc3\xa9");
  EXPECT_EQ(decode_json_string("\"cut"), std::nullopt);
  EXPECT_EQ(decode_json_string("12"), std::nullopt);
}

}  // namespace
}  // namespace nsgroup
