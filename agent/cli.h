// Command-line parsing: pure, so every usage error is unit-tested.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nsgroup {

enum class Command { Watch };

struct Options {
  Command command = Command::Watch;
  bool verbose = false;
};

struct ParseResult {
  enum class Kind { Run, Help, Version, UsageError };
  Kind kind = Kind::Run;
  Options options;
  std::string text;  // help text, version, or the usage error
};

// args excludes argv[0].
ParseResult parse_args(const std::vector<std::string_view>& args);

// The text of `nsgroup --help`.
std::string usage_text();

}  // namespace nsgroup
