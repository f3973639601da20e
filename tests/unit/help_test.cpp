// The help texts, as the completions and the man page test read them.
#include <gtest/gtest.h>

#include <sstream>

#include "cli/command_specs.h"
#include "cli/exit_status.h"
#include "cli/help.h"

namespace nsgroup {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    out.push_back(l);
  return out;
}

// The option lines of a command's help ("  -o, --output=json|text  ..."),
// each one's head: the text before two spaces.
std::vector<std::string> option_heads(const std::string& help) {
  std::vector<std::string> heads;
  bool inside = false;
  for (const auto& l : lines_of(help)) {
    if (l == "Options:") {
      inside = true;
      continue;
    }
    if (inside && l.starts_with("  -"))
      heads.push_back(l.substr(2, l.find("  ", 2) - 2));
  }
  return heads;
}

TEST(Help, ACommandsHelpHasItsShape) {
  for (const auto& c : command_specs()) {
    auto l = lines_of(command_help(c));
    ASSERT_GT(l.size(), 5U);
    std::string usage = "Usage: nsgroup " + std::string(c.name) + " [OPTIONS]";
    if (!c.args.empty())
      usage += " " + std::string(c.args);
    EXPECT_EQ(l[0], usage);
    EXPECT_EQ(l[1], "");
    EXPECT_NE(l[2], "");
    for (const auto& line : l)
      EXPECT_LE(line.size(), 79U) << c.name << ": " << line;
  }
}

TEST(Help, EveryOptionOnItsLineWithItsValue) {
  for (const auto& c : command_specs()) {
    auto heads = option_heads(command_help(c));
    // The command's options, then -v and -h.
    ASSERT_EQ(heads.size(), c.options.size() + 2) << c.name;
    for (std::size_t i = 0; i < c.options.size(); ++i) {
      const auto& o = c.options[i];
      std::string want = o.short_name ? std::string("-") + o.short_name + ", " : "";
      want += std::string(o.name);
      if (!o.value.empty())
        want += (o.value[0] == '=' ? "" : " ") + std::string(o.value);
      EXPECT_EQ(heads[i], want) << c.name;
    }
    EXPECT_EQ(heads[c.options.size()], "-v, --verbose");
    EXPECT_EQ(heads[c.options.size() + 1], "-h, --help");
  }
}

TEST(Help, MetavarsAreUpperCaseAndChoicesAreListed) {
  for (const auto& c : command_specs())
    for (const auto& o : c.options) {
      if (o.value.empty() || o.value[0] == '=')
        continue;
      for (char ch : o.value)
        EXPECT_TRUE((ch >= 'A' && ch <= 'Z') || ch == ':') << o.name << " " << o.value;
    }
}

TEST(Help, EveryCommandThatPrintsDataHasOutput) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(output_formats(*find_command("tree")), (V{"json", "text"}));
  EXPECT_EQ(output_formats(*find_command("watch")), (V{"json", "text"}));
  EXPECT_EQ(output_formats(*find_command("stats")), (V{"json", "prometheus"}));
  EXPECT_EQ(output_formats(*find_command("which")), (V{"text", "json"}));
  EXPECT_EQ(output_formats(*find_command("rename")), (V{"text", "json"}));
  EXPECT_EQ(output_formats(*find_command("kill")), (V{"text", "json"}));
  EXPECT_TRUE(output_formats(*find_command("daemon")).empty());
  EXPECT_EQ(find_option(*find_command("tree"), "-o"), find_option(*find_command("tree"), "--output"));
  EXPECT_EQ(find_option(*find_command("daemon"), "-o"), nullptr);
}

TEST(Help, TopLevelListsEveryCommandsUsageAndEndsWithTheStatuses) {
  std::string top = usage_text();
  for (const auto& c : command_specs()) {
    EXPECT_NE(top.find("\n  " + std::string(c.name) + " "), std::string::npos) << c.name;
    for (const auto& o : c.options)
      EXPECT_NE(top.find("[" + std::string(o.name)), std::string::npos) << o.name;
  }
  EXPECT_NE(top.find("\nCommands:\n"), std::string::npos);
  EXPECT_NE(top.find("\nOptions:\n  -v, --verbose"), std::string::npos);
  EXPECT_NE(top.find("nsgroup help COMMAND"), std::string::npos);
  EXPECT_TRUE(top.ends_with(exit_status_text()));
  for (const auto& line : lines_of(top))
    EXPECT_LE(line.size(), 80U) << line;
}

TEST(ExitStatus, EachKindAndErrno) {
  EXPECT_EQ(exit_status(failure("anything")), 1);
  EXPECT_EQ(exit_status(Failure{ENOSPC, "writing to stdout"}), 1);
  EXPECT_EQ(exit_status(failure(Failure::Kind::NotFound, "no container at /x")), 3);
  EXPECT_EQ(exit_status(failure(Failure::Kind::Unavailable, "no daemon")), 4);
  EXPECT_EQ(exit_status(failure(Failure::Kind::Refused, "permission denied")), 5);
  EXPECT_EQ(exit_status(Failure{EACCES, "open"}), 5);
  EXPECT_EQ(exit_status(Failure{EPERM, "bpf"}), 5);
  // The kind wins over errno.
  EXPECT_EQ(exit_status(Failure{EACCES, "x", Failure::Kind::NotFound}), 3);
  EXPECT_EQ(kExitUsage, 2);
}

}  // namespace
}  // namespace nsgroup
