// The state files OCI runtimes keep for each container they run: which
// process is its init. runc and crun run without a manager in whatever
// cgroup config.json names (often "/<id>"), so their cgroup path says
// nothing; their state directory does. (LXC keeps no pid on disk, only an
// abstract command socket: its containers are known by their cgroup,
// lxc.payload.<name>.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/runtime.h"

namespace nsgroup {

struct RuntimeState {
  RuntimeInfo info;                // name and id
  std::uint32_t pid = 0;           // its init process
  std::uint64_t start_ticks = 0;   // the init's start (/proc/PID/stat field 22); 0: unknown
};

// runc's <root>/<id>/state.json: "id", "init_process_pid",
// "init_process_start". nullopt for anything else.
std::optional<RuntimeState> parse_runc_state(std::string_view text);
// crun's <root>/<id>/status: "pid", "process-start-time"; it holds no id,
// which is its directory's name.
std::optional<RuntimeState> parse_crun_status(std::string_view text, std::string_view id);

// Where the runtimes keep their state (their default --root as root).
struct RuntimeStateDirs {
  std::string runc = "/run/runc";
  std::string crun = "/run/crun";
};

// Bounds on one read of the state directories: entries per directory,
// bytes per file (runc's state.json holds the whole config: some KiB).
inline constexpr std::size_t kMaxRuntimeStates = 1024;
inline constexpr std::size_t kMaxRuntimeStateBytes = 1 << 20;

// Every container the state directories hold, by its init pid. A missing
// directory or an unreadable or malformed file is skipped.
std::unordered_map<std::uint32_t, RuntimeState> read_runtime_states(
    const RuntimeStateDirs& dirs = {});

}  // namespace nsgroup
