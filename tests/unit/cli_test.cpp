// Command-line parsing: what is accepted and every usage error.
#include <gtest/gtest.h>

#include "cli.h"

namespace nsgroup {
namespace {

using Kind = ParseResult::Kind;

ParseResult parse(std::vector<std::string_view> args) {
  return parse_args(args);
}

TEST(ParseArgs, Watch) {
  auto r = parse({"watch"});
  ASSERT_EQ(r.kind, Kind::Run);
  EXPECT_EQ(r.options.command, Command::Watch);
  EXPECT_FALSE(r.options.verbose);
}

TEST(ParseArgs, VerboseBeforeOrAfterTheCommand) {
  EXPECT_TRUE(parse({"-v", "watch"}).options.verbose);
  EXPECT_TRUE(parse({"watch", "--verbose"}).options.verbose);
}

TEST(ParseArgs, HelpAndVersion) {
  auto h = parse({"--help"});
  EXPECT_EQ(h.kind, Kind::Help);
  EXPECT_NE(h.text.find("watch"), std::string::npos);
  EXPECT_EQ(parse({"watch", "-h"}).kind, Kind::Help);
  EXPECT_EQ(parse({"--version"}).kind, Kind::Version);
}

TEST(ParseArgs, UsageErrors) {
  EXPECT_EQ(parse({}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"frobnicate"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"watch", "--bogus"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"watch", "extra"}).kind, Kind::UsageError);
  auto r = parse({"watch", "--bogus"});
  EXPECT_NE(r.text.find("--bogus"), std::string::npos);
}

}  // namespace
}  // namespace nsgroup
