// Text helpers for the kernel's formats: split, parse_u64, unescape_octal.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "util/text.h"

namespace nsgroup {
namespace {

using Fields = std::vector<std::string_view>;

TEST(Split, RunsOfSpacesCountAsOneSeparator) {
  EXPECT_EQ(split("  a   b c ", ' '), (Fields{"a", "b", "c"}));
}

TEST(Split, OnlySpacesGiveNoFields) {
  EXPECT_TRUE(split("    ", ' ').empty());
  EXPECT_TRUE(split("", ' ').empty());
}

TEST(Split, OtherSeparatorsKeepEmptyFields) {
  EXPECT_EQ(split("a,,b,", ','), (Fields{"a", "", "b", ""}));
  EXPECT_EQ(split(",x", ','), (Fields{"", "x"}));
}

TEST(Split, OtherSeparatorWithoutOneGivesTheWholeText) {
  EXPECT_EQ(split("a b", ':'), (Fields{"a b"}));
}

TEST(ParseU64, AcceptsDigits) {
  EXPECT_EQ(parse_u64("0"), 0U);
  EXPECT_EQ(parse_u64("42"), 42U);
  EXPECT_EQ(parse_u64("007"), 7U);
}

TEST(ParseU64, AcceptsTheLargest64BitValue) {
  EXPECT_EQ(parse_u64("18446744073709551615"), UINT64_MAX);
}

TEST(ParseU64, RejectsAnOverflow) {
  EXPECT_EQ(parse_u64("18446744073709551616"), std::nullopt);
  EXPECT_EQ(parse_u64("99999999999999999999"), std::nullopt);
  EXPECT_EQ(parse_u64("000000000000000000001"), std::nullopt);  // 21 digits
}

TEST(ParseU64, RejectsAnythingButDigits) {
  EXPECT_EQ(parse_u64(""), std::nullopt);
  EXPECT_EQ(parse_u64("-1"), std::nullopt);
  EXPECT_EQ(parse_u64("+1"), std::nullopt);
  EXPECT_EQ(parse_u64(" 1"), std::nullopt);
  EXPECT_EQ(parse_u64("1 "), std::nullopt);
  EXPECT_EQ(parse_u64("1x"), std::nullopt);
  EXPECT_EQ(parse_u64("0x10"), std::nullopt);
}

TEST(UnescapeOctal, DecodesASpace) {
  EXPECT_EQ(unescape_octal("a\\040b"), "a b");
}

TEST(UnescapeOctal, DecodesSeveralEscapes) {
  EXPECT_EQ(unescape_octal("\\011x\\134"), "\tx\\");
}

TEST(UnescapeOctal, KeepsATrailingIncompleteEscape) {
  EXPECT_EQ(unescape_octal("a\\04"), "a\\04");
  EXPECT_EQ(unescape_octal("a\\"), "a\\");
}

TEST(UnescapeOctal, KeepsABackslashNotFollowedByThreeOctalDigits) {
  EXPECT_EQ(unescape_octal("a\\089b"), "a\\089b");
}

TEST(UnescapeOctal, LeavesPlainTextAlone) {
  EXPECT_EQ(unescape_octal("/run/netns/blue"), "/run/netns/blue");
}

}  // namespace
}  // namespace nsgroup
