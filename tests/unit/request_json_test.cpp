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

}  // namespace
}  // namespace nsgroup
