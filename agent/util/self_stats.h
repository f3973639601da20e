// The daemon's own process figures, for the standard process_* metrics
// (Prometheus' client conventions): CPU time, memory, file descriptors and
// start time, read from /proc/<pid>/{stat,fd,limits} and /proc/stat.
#pragma once

#include <cstdint>
#include <string>

#include "util/result.h"

namespace nsgroup {

struct SelfStats {
  std::uint64_t ticks_per_second = 0;  // sysconf(_SC_CLK_TCK), stat's unit
  std::uint64_t cpu_ticks = 0;         // utime + stime
  std::uint64_t start_time_ticks = 0;  // since the epoch: btime + starttime
  std::uint64_t virtual_bytes = 0;     // vsize
  std::uint64_t resident_bytes = 0;    // rss pages * page size
  std::uint64_t open_fds = 0;          // entries of fd/ (the one reading it included)
  std::uint64_t max_fds = 0;           // the soft "Max open files"
};

// The figures of process pid ("self") under proc (a procfs mount).
Result<SelfStats> read_self_stats(const std::string& proc = "/proc",
                                  const std::string& pid = "self");

}  // namespace nsgroup
