// The control socket's framing (service/framing.h): lines and bounds.
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

}  // namespace
}  // namespace nsgroup
