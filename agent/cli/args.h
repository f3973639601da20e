// Command-line parsing: pure, so every usage error is unit-tested. What
// each command accepts is in cli/command_specs.h.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command_specs.h"
#include "core/watch_filter.h"
#include "service/daemon.h"

namespace nsgroup {

// What a command prints: -o/--output (--text, stats' --format). Default:
// the command's own (output_formats()'s first).
enum class Output { Default, Json, Text, Prometheus };

struct Options {
  Command command = Command::Watch;
  bool verbose = false;
  std::string socket{kDefaultSocket};
  // daemon; watch uses hooks and ring_kib, tree scan
  DaemonOptions daemon;
  Output output = Output::Default;
  // tree
  bool pids = false;
  int depth = -1;  // tree --depth: levels below the root shown; -1 all
  bool no_daemon = false;  // tree --no-daemon: scan here, never ask the daemon
  // watch: --pid, --uid, --comm, --event, --container (cli/watch_args.h)
  WatchFilter filter;
  // daemon, watch: --btf, the BTF for CO-RE (kernel/bpf_support.h)
  std::string btf;
  // which
  std::uint32_t pid = 0;
  // rename, kill
  std::string path;
  std::string new_name;

  // The output asked for, or the command's default.
  bool text() const { return output == Output::Text; }
  bool json() const { return output == Output::Json; }
};

struct ParseResult {
  enum class Kind { Run, Help, Version, UsageError };
  Kind kind = Kind::Run;
  Options options;
  std::string text;  // help text, version, or the usage error
};

// args excludes argv[0]. `help [COMMAND]`, `COMMAND --help` and `--help`
// give Kind::Help with the help's text.
ParseResult parse_args(const std::vector<std::string_view>& args);

}  // namespace nsgroup
