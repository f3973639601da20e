// Boot-time to wall-clock conversion.
#include "util/clock.h"

#include <cstdio>
#include <ctime>

namespace nsgroup {

namespace {

std::int64_t read_ns(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

BootClock BootClock::now() {
  return BootClock(read_ns(CLOCK_REALTIME) - read_ns(CLOCK_BOOTTIME));
}

std::uint64_t BootClock::boot_ns_now() {
  return static_cast<std::uint64_t>(read_ns(CLOCK_BOOTTIME));
}

std::string BootClock::iso8601(std::uint64_t boot_ns) const {
  return iso8601_utc(static_cast<std::int64_t>(boot_ns) + offset_ns_);
}

std::string iso8601_utc(std::int64_t realtime_ns) {
  std::int64_t sec = realtime_ns / 1'000'000'000;
  std::int64_t usec = (realtime_ns % 1'000'000'000) / 1000;
  if (usec < 0) {
    sec -= 1;
    usec += 1'000'000;
  }
  time_t t = static_cast<time_t>(sec);
  tm utc{};
  gmtime_r(&t, &utc);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ",
                utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour,
                utc.tm_min, utc.tm_sec, static_cast<long long>(usec));
  return buf;
}

}  // namespace nsgroup
