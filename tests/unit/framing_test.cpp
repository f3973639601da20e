// The control socket's framing (service/framing.h): lines, bounds, requests.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "service/framing.h"

namespace nsgroup {
namespace {

std::vector<std::string> drain(LineFramer& f) {
  std::vector<std::string> out;
  while (auto line = f.next())
    out.emplace_back(*line);
  return out;
}

using Lines = std::vector<std::string>;

TEST(LineFramer, SeveralLinesInOneFeed) {
  LineFramer f;
  f.feed("one\ntwo\nthree\n");
  EXPECT_EQ(drain(f), (Lines{"one", "two", "three"}));
  EXPECT_EQ(f.pending(), 0U);
}

TEST(LineFramer, ALineSplitOverTwoFeeds) {
  LineFramer f;
  f.feed("{\"op\":");
  EXPECT_EQ(f.next(), std::nullopt);
  EXPECT_EQ(f.pending(), 6U);
  f.feed("\"tree\"}\nrest");
  EXPECT_EQ(drain(f), (Lines{"{\"op\":\"tree\"}"}));
  EXPECT_EQ(f.pending(), 4U);  // "rest" waits for its newline
  f.feed("\n");
  EXPECT_EQ(drain(f), (Lines{"rest"}));
}

TEST(LineFramer, CarriageReturnLineFeedEndingsAreStripped) {
  LineFramer f;
  f.feed("a\r\nb\r\n");
  EXPECT_EQ(drain(f), (Lines{"a", "b"}));
}

TEST(LineFramer, BlankLinesAreSkipped) {
  LineFramer f;
  f.feed("\n\na\n\r\n\nb\n\n");
  EXPECT_EQ(drain(f), (Lines{"a", "b"}));
  EXPECT_EQ(f.pending(), 0U);
}

TEST(LineFramer, NotOverflowedAtTheBound) {
  LineFramer f(16);
  f.feed(std::string(16, 'x'));
  EXPECT_FALSE(f.overflowed());
}

TEST(LineFramer, OverflowedOnceMoreThanTheBoundIsPendingWithoutANewline) {
  LineFramer f(16);
  f.feed(std::string(10, 'x'));
  EXPECT_FALSE(f.overflowed());
  f.feed(std::string(7, 'x'));
  EXPECT_EQ(f.next(), std::nullopt);
  EXPECT_TRUE(f.overflowed());
}

TEST(LineFramer, ALongBufferOfShortLinesDoesNotOverflowOnceRead) {
  LineFramer f(16);
  std::string many;
  for (int i = 0; i < 20; ++i)
    many += "line" + std::to_string(i) + "\n";
  f.feed(many);
  EXPECT_EQ(drain(f).size(), 20U);
  EXPECT_FALSE(f.overflowed());
  EXPECT_EQ(f.pending(), 0U);
}

TEST(LineFramer, ConsumedLinesDoNotCountAgainstTheBound) {
  LineFramer f(16);
  f.feed("0123456789abc\n0123456789");  // 24 bytes, each line fits
  auto first = f.next();
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, "0123456789abc");
  EXPECT_FALSE(f.overflowed());
  EXPECT_EQ(f.next(), std::nullopt);
  EXPECT_EQ(f.pending(), 10U);
  EXPECT_FALSE(f.overflowed());
}

// Whole lines not read yet are not an overflow, however many there are.
TEST(LineFramer, CompleteLinesNotYetReadDoNotOverflow) {
  LineFramer f(16);
  f.feed("0123456789\n0123456789\n");
  EXPECT_FALSE(f.overflowed());
  EXPECT_EQ(drain(f), (Lines{"0123456789", "0123456789"}));
}

TEST(ParseRequest, AcceptsAnObject) {
  auto req = parse_request(R"({"op":"tree","pids":true})");
  ASSERT_TRUE(req);
  EXPECT_EQ((*req)["op"], "tree");
  EXPECT_EQ((*req)["pids"], true);
}

TEST(ParseRequest, AcceptsAnEmptyObject) {
  auto req = parse_request("{}");
  ASSERT_TRUE(req);
  EXPECT_TRUE(req->is_object());
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

TEST(ErrorReply, HasOkFalseAndTheMessage) {
  Json j = error_reply("no such thing");
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j.size(), 2U);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["error"], "no such thing");
  EXPECT_EQ(j.begin().key(), "ok");  // "ok" leads
}

// A whole line over the bound is refused too, even when its newline came
// in the same read.
TEST(LineFramer, AWholeLineOverTheBoundOverflows) {
  LineFramer f(16);
  f.feed("short\n" + std::string(40, 'x') + "\nafter\n");
  EXPECT_EQ(f.next(), "short");
  EXPECT_EQ(f.next(), std::nullopt);
  EXPECT_TRUE(f.overflowed());
}

}  // namespace
}  // namespace nsgroup
