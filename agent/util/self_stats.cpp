// Process figures from procfs.
#include "util/self_stats.h"

#include <unistd.h>

#include <optional>
#include <vector>

#include "util/file.h"
#include "util/text.h"

namespace nsgroup {

namespace {

// The fields of a stat line after "(comm)", numbered as proc(5) numbers
// them: field(3) is the state. comm may hold spaces and parentheses.
class StatFields {
 public:
  explicit StatFields(std::string_view line) {
    auto close = line.rfind(')');
    if (close == std::string_view::npos)
      return;
    std::string_view rest = line.substr(close + 1);
    while (!rest.empty()) {
      auto start = rest.find_first_not_of(" \n");
      if (start == std::string_view::npos)
        break;
      rest.remove_prefix(start);
      auto end = rest.find_first_of(" \n");
      fields_.push_back(rest.substr(0, end));
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
    }
  }
  std::optional<std::uint64_t> number(std::size_t n) const {
    if (n < 3 || n - 3 >= fields_.size())
      return std::nullopt;
    return parse_u64(fields_[n - 3]);
  }

 private:
  std::vector<std::string_view> fields_;
};

// The "btime" line of /proc/stat: boot time in seconds since the epoch.
std::optional<std::uint64_t> boot_time(const std::string& stat) {
  for (std::string_view line : split(stat, '\n'))
    if (line.substr(0, 6) == "btime ")
      return parse_u64(line.substr(6));
  return std::nullopt;
}

// The soft limit of "Max open files" in a limits file.
std::optional<std::uint64_t> max_open_files(const std::string& limits) {
  for (std::string_view line : split(limits, '\n')) {
    if (line.substr(0, 14) != "Max open files")
      continue;
    std::string_view rest = line.substr(14);
    auto start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos)
      return std::nullopt;
    rest.remove_prefix(start);
    if (rest.substr(0, 9) == "unlimited")
      return UINT64_MAX;
    return parse_u64(rest.substr(0, rest.find(' ')));
  }
  return std::nullopt;
}

}  // namespace

Result<SelfStats> read_self_stats(const std::string& proc, const std::string& pid) {
  std::string dir = proc + "/" + pid;
  auto stat = read_file(dir + "/stat");
  if (!stat)
    return stat.error();
  auto system = read_file(proc + "/stat");
  if (!system)
    return system.error();
  auto limits = read_file(dir + "/limits");
  if (!limits)
    return limits.error();
  StatFields f(*stat);
  auto utime = f.number(14), stime = f.number(15), start = f.number(22);
  auto vsize = f.number(23), rss = f.number(24);
  auto btime = boot_time(*system);
  auto max_fds = max_open_files(*limits);
  if (!utime || !stime || !start || !vsize || !rss || !btime || !max_fds)
    return failure("cannot read the figures of " + dir);
  SelfStats s;
  long tps = ::sysconf(_SC_CLK_TCK);
  long page = ::sysconf(_SC_PAGESIZE);
  s.ticks_per_second = tps > 0 ? static_cast<std::uint64_t>(tps) : 100;
  s.cpu_ticks = *utime + *stime;
  s.start_time_ticks = *btime * s.ticks_per_second + *start;
  s.virtual_bytes = *vsize;
  s.resident_bytes = *rss * static_cast<std::uint64_t>(page > 0 ? page : 4096);
  s.max_fds = *max_fds;
  auto fds = Dir::open(dir + "/fd");
  if (!fds)
    return fds.error();
  while (fds->next())
    ++s.open_fds;
  return s;
}

}  // namespace nsgroup
