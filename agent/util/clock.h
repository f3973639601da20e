// Converts the kernel's boot-time timestamps to wall-clock ISO 8601 strings.
#pragma once

#include <cstdint>
#include <string>

namespace nsgroup {

class BootClock {
 public:
  // Reads CLOCK_REALTIME and CLOCK_BOOTTIME now to fix the offset.
  static BootClock now();
  // A clock with a given offset (realtime - boottime), for tests.
  explicit BootClock(std::int64_t offset_ns) : offset_ns_(offset_ns) {}

  // "2026-11-22T18:00:00.123456Z" for a bpf_ktime_get_boot_ns() value.
  std::string iso8601(std::uint64_t boot_ns) const;
  // The current boot-time clock, in ns.
  static std::uint64_t boot_ns_now();

 private:
  std::int64_t offset_ns_;
};

// ISO 8601 UTC with microseconds for a CLOCK_REALTIME value in ns.
std::string iso8601_utc(std::int64_t realtime_ns);

}  // namespace nsgroup
