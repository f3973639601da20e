// Request lines parsed into Request (json/request_json.h): what each field
// takes, and what is refused.
#include <gtest/gtest.h>

#include "json/request_json.h"

namespace nsgroup {
namespace {

TEST(ParseRequest, TakesEachFieldOfItsType) {
  auto req = parse_request(R"({"op":"rename","pids":true,"pid":42,"path":"/a","name":"web"})");
  ASSERT_TRUE(req);
  EXPECT_EQ(req->op, "rename");
  EXPECT_TRUE(req->pids);
  EXPECT_EQ(req->pid, 42U);
  EXPECT_EQ(req->path, "/a");
  EXPECT_EQ(req->name, "web");
}

TEST(ParseRequest, AFieldOfAnotherTypeIsAbsent) {
  auto req = parse_request(R"({"op":7,"pids":1,"pid":-5,"path":3,"name":null})");
  ASSERT_TRUE(req);
  EXPECT_EQ(req->op, "");
  EXPECT_FALSE(req->pids);
  EXPECT_FALSE(req->pid);
  EXPECT_FALSE(req->path);
  EXPECT_FALSE(req->name);
  EXPECT_FALSE(parse_request(R"({"pid":"20"})")->pid);
  EXPECT_FALSE(parse_request(R"({"pid":2.5})")->pid);
  EXPECT_FALSE(parse_request(R"({"pids":false})")->pids);
}

TEST(ParseRequest, AcceptsAnEmptyObject) {
  auto req = parse_request("{}");
  ASSERT_TRUE(req);
  EXPECT_EQ(req->op, "");
}

TEST(ParseRequest, RejectsNonJson) {
  EXPECT_FALSE(parse_request("tree"));
  EXPECT_FALSE(parse_request("{\"op\":"));
  EXPECT_FALSE(parse_request(""));
}

TEST(ParseRequest, RejectsJsonThatIsNotAnObject) {
  EXPECT_FALSE(parse_request("[1,2]"));
  EXPECT_FALSE(parse_request("42"));
  EXPECT_FALSE(parse_request("\"tree\""));
  EXPECT_FALSE(parse_request("null"));
  EXPECT_FALSE(parse_request("true"));
}

TEST(ParseRequest, TheRefusalSaysWhatWasExpected) {
  auto req = parse_request("[]");
  ASSERT_FALSE(req);
  EXPECT_NE(req.error().message().find("JSON object"), std::string::npos);
}

TEST(WatchRequest, AFilterGoesOutAndComesBackTheSame) {
  WatchFilter f;
  f.pids = {10, 20};
  f.uids = {0};
  f.comms = {"unshare", "a,b"};
  f.kinds = {EventKind::Unshare, EventKind::ContainerRemoved};
  f.containers = {"/init_container/web"};
  std::string line = watch_request_line(f);
  EXPECT_EQ(line, R"({"op":"watch","pid":[10,20],"uid":[0],"comm":["unshare","a,b"],)"
                  R"("events":["unshare","container_removed"],"container":["/init_container/web"]})");
  auto req = parse_request(line);
  ASSERT_TRUE(req);
  EXPECT_EQ(req->watch_error, "");
  EXPECT_EQ(req->watch, f);
  EXPECT_EQ(watch_request_line(WatchFilter{}), R"({"op":"watch"})");
}

TEST(WatchRequest, OneValueStandsForAnArrayOfOne) {
  auto req = parse_request(R"({"op":"watch","pid":7,"comm":"sh","container":"/init_container"})");
  ASSERT_TRUE(req);
  EXPECT_EQ(req->watch_error, "");
  EXPECT_EQ(req->watch.pids, std::vector<std::uint32_t>{7});
  EXPECT_EQ(req->watch.comms, std::vector<std::string>{"sh"});
  EXPECT_EQ(req->watch.containers, std::vector<std::string>{"/init_container"});
}

TEST(WatchRequest, ABadValueIsNamed) {
  auto error = [](std::string_view line) { return parse_request(line)->watch_error; };
  EXPECT_EQ(error(R"({"op":"watch","pid":[1,"2"]})"), R"(watch "pid": "2" is not a pid)");
  EXPECT_EQ(error(R"({"op":"watch","pid":[0]})"), R"(watch "pid": '0' is not a pid)");
  EXPECT_EQ(error(R"({"op":"watch","pid":-4})"), R"(watch "pid": -4 is not a pid)");
  EXPECT_EQ(error(R"({"op":"watch","uid":[4294967296]})"),
            R"(watch "uid": '4294967296' is not a uid)");
  EXPECT_EQ(error(R"({"op":"watch","events":["unshare","fork"]})"),
            R"(watch "events": 'fork' is not an event kind (clone, unshare, setns, denied, )"
            R"(exit, lost, suppressed, container_removed))");
  EXPECT_EQ(error(R"({"op":"watch","events":"unshare,exit"})"),
            R"(watch "events": 'unshare,exit' is not an event kind (one per array element))");
  EXPECT_EQ(error(R"({"op":"watch","comm":["0123456789abcdef"]})"),
            R"(watch "comm": comm '0123456789abcdef' is longer than the 15 bytes the kernel keeps)");
  EXPECT_EQ(error(R"({"op":"watch","container":5})"),
            R"(watch "container": 5 is not a container path)");
}

TEST(WatchRequest, OtherOpsKeepTheirOwnPid) {
  auto req = parse_request(R"({"op":"which","pid":42})");
  ASSERT_TRUE(req);
  EXPECT_TRUE(req->watch.empty());
  EXPECT_EQ(req->watch_error, "");
  EXPECT_EQ(req->pid, 42U);
}

}  // namespace
}  // namespace nsgroup
