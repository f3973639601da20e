// Command-line parsing: pure, so every usage error is unit-tested.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nsgroup {

enum class Command { Daemon, Tree, Watch, Which, Stats, Rename, Kill };

inline constexpr std::string_view kDefaultSocket = "/run/nsgroup/nsgroup.sock";

enum class HookChoice { Auto, Fexit, Tracepoint };

struct Options {
  Command command = Command::Watch;
  HookChoice hooks = HookChoice::Auto;  // daemon, watch
  std::uint32_t ring_kib = 0;           // daemon, watch: 0 = 4096
  bool verbose = false;
  std::string socket{kDefaultSocket};
  // tree
  bool text = false;
  bool pids = false;
  // which
  std::uint32_t pid = 0;
  // rename, kill
  std::string path;
  std::string new_name;
  // daemon
  bool no_events = false;
  unsigned reconcile_seconds = 10;
  bool no_mirror = false;
  std::string cgroup_root;  // empty: <cgroup2 mount>/nsgroup
  bool adopt_all = false;
  std::string socket_group;  // empty: root
  std::string state_dir;     // empty: $STATE_DIRECTORY, else /var/lib/nsgroup
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
