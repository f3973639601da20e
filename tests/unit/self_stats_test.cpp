// The process_* figures (util/self_stats.h), against this test process's
// /proc entries read here independently, and getrlimit.
#include <sys/resource.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "util/self_stats.h"

namespace nsgroup {
namespace {

// The fields of /proc/self/stat after the ")" that closes comm, so that
// fields[0] is field 3 of proc(5).
std::vector<std::string> stat_fields() {
  std::ifstream in("/proc/self/stat");
  std::string line((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream rest(line.substr(line.rfind(')') + 1));
  std::vector<std::string> out;
  for (std::string f; rest >> f;)
    out.push_back(f);
  return out;
}

std::uint64_t field(const std::vector<std::string>& f, std::size_t n) {
  return std::stoull(f.at(n - 3));
}

std::uint64_t btime() {
  std::ifstream in("/proc/stat");
  for (std::string key; in >> key;) {
    if (key == "btime") {
      std::uint64_t t = 0;
      in >> t;
      return t;
    }
  }
  return 0;
}

TEST(SelfStats, MatchProcAndGetrlimit) {
  auto before = stat_fields();
  auto s = read_self_stats();
  auto after = stat_fields();
  ASSERT_TRUE(s) << s.error().message();
  const auto tps = static_cast<std::uint64_t>(::sysconf(_SC_CLK_TCK));
  EXPECT_EQ(s->ticks_per_second, tps);
  // Between two reads of its own: CPU time only grows.
  EXPECT_GE(s->cpu_ticks, field(before, 14) + field(before, 15));
  EXPECT_LE(s->cpu_ticks, field(after, 14) + field(after, 15));
  EXPECT_EQ(s->start_time_ticks, btime() * tps + field(before, 22));
  EXPECT_GT(s->virtual_bytes, 0U);
  EXPECT_GE(s->virtual_bytes, std::min(field(before, 23), field(after, 23)) / 2);
  EXPECT_LE(s->virtual_bytes, std::max(field(before, 23), field(after, 23)) * 2);
  const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  EXPECT_GE(s->resident_bytes, std::min(field(before, 24), field(after, 24)) * page / 2);
  EXPECT_LE(s->resident_bytes, std::max(field(before, 24), field(after, 24)) * page * 2);
  rlimit nofile{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &nofile), 0);
  EXPECT_EQ(s->max_fds, nofile.rlim_cur == RLIM_INFINITY ? UINT64_MAX : nofile.rlim_cur);
}

TEST(SelfStats, OpenFdsCountsEveryDescriptor) {
  auto count = [] {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd"))
      ++n;
    return n;  // the directory's own fd included, as read_self_stats counts it
  };
  auto s = read_self_stats();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->open_fds, count());
  int extra = ::dup(0);
  ASSERT_GE(extra, 0);
  auto more = read_self_stats();
  ::close(extra);
  ASSERT_TRUE(more);
  EXPECT_EQ(more->open_fds, s->open_fds + 1);
}

TEST(SelfStats, AMissingProcessIsAnError) {
  EXPECT_FALSE(read_self_stats("/proc", "0"));
  EXPECT_FALSE(read_self_stats("/nonexistent"));
}

}  // namespace
}  // namespace nsgroup
