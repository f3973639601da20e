// The state files OCI runtimes keep for each container they run: which
// process is its init. runc and crun run without a manager in whatever
// cgroup config.json names (often "/<id>"), so their cgroup path says
// nothing; their state directory does. (LXC keeps no pid on disk, only an
// abstract command socket: its containers are known by their cgroup,
// lxc.payload.<name>.) The files are read here and decoded in json/.
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

// A container id as runc accepts one (^[\w+-\.]+$), which is also a safe
// directory name.
bool is_runtime_id(std::string_view id);

// Decodes the state files, which are JSON. host/ sits below json/ in the
// layers and may not parse JSON itself: it reads the files, and the real
// decoder (json/runtime_json.h) is handed in by whoever gathers labels.
class RuntimeStateDecoder {
 public:
  virtual ~RuntimeStateDecoder() = default;
  // runc's <root>/<id>/state.json: "id", "init_process_pid",
  // "init_process_start". nullopt for anything else.
  virtual std::optional<RuntimeState> runc(std::string_view text) const = 0;
  // crun's <root>/<id>/status: "pid", "process-start-time"; it holds no
  // id, which is its directory's name.
  virtual std::optional<RuntimeState> crun(std::string_view text, std::string_view id) const = 0;
};

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
    const RuntimeStateDecoder& decode, const RuntimeStateDirs& dirs = {});

}  // namespace nsgroup
