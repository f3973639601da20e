// Command-line parsing: pure, so every usage error is unit-tested.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/watch_filter.h"
#include "service/daemon.h"

namespace nsgroup {

enum class Command { Daemon, Tree, Watch, Which, Stats, Rename, Kill };

struct Options {
  Command command = Command::Watch;
  bool verbose = false;
  std::string socket{kDefaultSocket};
  // daemon; watch uses hooks and ring_kib, tree scan
  DaemonOptions daemon;
  // tree, watch (text)
  bool text = false;
  bool pids = false;
  int depth = -1;  // tree --depth: levels below the root shown; -1 all
  bool no_daemon = false;  // tree --no-daemon: scan here, never ask the daemon
  // watch: --pid, --uid, --comm, --event, --container (cli/watch_args.h)
  WatchFilter filter;
  // stats
  enum class Format { Json, Prometheus } format = Format::Json;
  // daemon, watch: --btf, the BTF for CO-RE (kernel/bpf_support.h)
  std::string btf;
  // which
  std::uint32_t pid = 0;
  // rename, kill
  std::string path;
  std::string new_name;
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
