// Boot-time to wall-clock conversion.
#include "util/clock.h"

#include <cstdint>
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
  // Events come thousands a second: the date and time of day are formatted
  // once a second, the microseconds by hand.
  thread_local std::int64_t cached_sec = INT64_MIN;
  thread_local char head[64];
  thread_local std::size_t head_len = 0;
  if (sec != cached_sec) {
    time_t t = static_cast<time_t>(sec);
    tm utc{};
    gmtime_r(&t, &utc);
    int n = std::snprintf(head, sizeof head, "%04d-%02d-%02dT%02d:%02d:%02d.",
                          utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour,
                          utc.tm_min, utc.tm_sec);
    head_len = n > 0 ? static_cast<std::size_t>(n) : 0;
    cached_sec = sec;
  }
  std::string out(head, head_len);
  char digits[7] = {};
  for (int i = 5; i >= 0; --i, usec /= 10)
    digits[i] = static_cast<char>('0' + usec % 10);
  out.append(digits, 6);
  out.push_back('Z');
  return out;
}

}  // namespace nsgroup
