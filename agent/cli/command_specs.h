// What each command accepts, said once: the parser (cli/args.h), the
// top-level help and each command's help (cli/help.h) read the same table,
// so they cannot drift. A new option is one OptionSpec here and its case in
// args.cpp's apply_value (or apply_flag).
#pragma once

#include <string_view>
#include <vector>

namespace nsgroup {

enum class Command { Daemon, Tree, Watch, Which, Stats, Rename, Kill };

struct OptionSpec {
  std::string_view name;        // "--output"
  char short_name = 0;          // 'o' for -o, 0 for none
  // For an option that takes a value: a METAVAR ("PATH"), or "=a|b|c" for
  // a choice. Empty for a flag.
  std::string_view value;
  std::string_view help;        // one sentence or two, for the command's help
};

struct CommandSpec {
  std::string_view name;
  Command command;
  std::string_view args;         // positional arguments: "PID", "PATH NEWNAME"
  std::string_view description;  // paragraphs, lines of at most 72 columns
  std::vector<OptionSpec> options;
};

// The formats a command's -o/--output takes, its default first (read from
// the option's "=a|b|c"); empty for a command that prints no data.
std::vector<std::string_view> output_formats(const CommandSpec& c);

// Every command, in the order the help lists them.
const std::vector<CommandSpec>& command_specs();
// The command named so, or nullptr.
const CommandSpec* find_command(std::string_view name);
// An option of a command by its long name ("--output") or its short one
// ("-o"), or nullptr.
const OptionSpec* find_option(const CommandSpec& c, std::string_view name);

// The options before or after any command: -v, -h, --version.
const std::vector<OptionSpec>& global_options();

}  // namespace nsgroup
