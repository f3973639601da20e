// Hostile load against a running daemon: an unprivileged user floods it
// with denied namespace requests (setns(-1, 0) in a loop, in two copies).
// What the kernel refused is compared with what the daemon printed and
// counted: every refused call is either one "denied" line or counted as
// suppressed for its uid, the lines stay within the rate, and the control
// socket keeps answering throughout.
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "json/json.h"
#include "support.h"

namespace nsgroup::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kNobody = 65534;

// A child that, as uid 65534, calls setns(-1, 0) until `until` and then
// writes how many calls the kernel refused with EBADF.
Child flooder(Clock::time_point until) {
  return fork_child([until](int out) {
    if (::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)
      return 1;
    std::uint64_t refused = 0;
    while (Clock::now() < until)
      for (int i = 0; i < 1000; ++i)
        refused += ::setns(-1, 0) != 0 && errno == EBADF;
    return ::write(out, &refused, sizeof refused) == sizeof refused ? 0 : 2;
  });
}

struct Printed {
  std::uint64_t denied = 0;      // "denied" lines of uid 65534
  std::uint64_t suppressed = 0;  // the counts of its "suppressed" lines
};

Printed printed_for_nobody(const std::string& events) {
  Printed p;
  std::size_t pos = 0, nl;
  while ((nl = events.find('\n', pos)) != std::string::npos) {
    auto j = Json::parse(events.substr(pos, nl - pos), nullptr, false);
    pos = nl + 1;
    if (!j.is_object() || j.value("uid", 0U) != kNobody)
      continue;
    if (j["event"] == "denied")
      ++p.denied;
    else if (j["event"] == "suppressed")
      p.suppressed += j["count"].get<std::uint64_t>();
  }
  return p;
}

TEST(Flood, AnUnprivilegedDeniedFloodIsBoundedCountedAndTheSocketAnswers) {
  NSG_REQUIRE_PRIVILEGED();
  // Under a watchdog of 1 s (a keep-alive every 500 ms), as systemd runs it.
  NotifySocket notify;
  DaemonProcess d({DaemonProcess::kPrintEvents}, {"env", notify.env(), "WATCHDOG_USEC=1000000"});
  ASSERT_TRUE(d.ready()) << d.log();
  ASSERT_TRUE(notify.wait_for("WATCHDOG=1", 5s)) << "no keep-alive before the flood";
  std::vector<Clock::time_point> pings;
  std::atomic<bool> watching{true};
  std::thread pinged([&] {
    while (watching)
      if (auto msg = notify.next(100ms); msg && msg->find("WATCHDOG=1") != std::string::npos)
        pings.push_back(Clock::now());
  });

  const auto kFlood = 3s;
  auto started = Clock::now();
  std::vector<Child> flooders;
  for (int i = 0; i < 2; ++i)
    flooders.push_back(flooder(started + kFlood));
  // The socket, asked throughout the flood.
  std::vector<double> answer_ms;
  while (Clock::now() < started + kFlood) {
    auto t0 = Clock::now();
    auto stats = d.request({{"op", "stats"}});
    answer_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    EXPECT_EQ(stats["ok"], true);
    std::this_thread::sleep_for(20ms);
  }
  watching = false;
  pinged.join();
  std::uint64_t refused = 0;
  for (Child& f : flooders) {
    std::uint64_t n = 0;
    ASSERT_TRUE(f.read_exact(&n, sizeof n));
    EXPECT_EQ(f.wait(), 0);
    refused += n;
  }
  double flood_s = std::chrono::duration<double>(Clock::now() - started).count();
  ASSERT_GT(refused, 10'000U) << "the flood was too small to test anything";

  // Once reported (once a second), every refused call is accounted for.
  Printed p;
  ASSERT_TRUE(eventually(
      [&] {
        p = printed_for_nobody(d.events());
        return p.denied + p.suppressed >= refused;
      },
      10s))
      << "printed " << p.denied << " denied + " << p.suppressed << " suppressed of " << refused;
  EXPECT_EQ(p.denied + p.suppressed, refused);
  // The journal's share: the burst, then the rate, for the flood's length.
  const double bound = kDefaultDeniedBurst + kDefaultDeniedRate * (flood_s + 1) + 10;
  EXPECT_LE(static_cast<double>(p.denied), bound);

  auto stats = d.request({{"op", "stats"}})["stats"];
  EXPECT_EQ(stats["lost"], 0);
  EXPECT_EQ(stats["suppressed_by_uid"][std::to_string(kNobody)], p.suppressed);
  EXPECT_GE(stats["dropped"]["suppressed"].get<std::uint64_t>(), p.suppressed);
  EXPECT_EQ(stats["dropped"]["stdout_lines"], 0);

  std::sort(answer_ms.begin(), answer_ms.end());
  ASSERT_FALSE(answer_ms.empty());
  double median = answer_ms[answer_ms.size() / 2], worst = answer_ms.back();
  RecordProperty("answers", static_cast<int>(answer_ms.size()));
  RecordProperty("median_ms", std::to_string(median));
  RecordProperty("worst_ms", std::to_string(worst));
  std::printf("flood: %llu calls refused in %.1f s; %llu denied lines (bound %.0f), %llu "
              "suppressed; %zu stats answers, median %.2f ms, worst %.2f ms\n",
              static_cast<unsigned long long>(refused), flood_s,
              static_cast<unsigned long long>(p.denied), bound,
              static_cast<unsigned long long>(p.suppressed), answer_ms.size(), median, worst);
  // Liveness, not speed: before the rate limit, the daemon left requests
  // unanswered for over 5 s.
  EXPECT_LT(worst, 2000.0);
  // The watchdog was never missed: no two keep-alives a WatchdogSec apart.
  ASSERT_GE(pings.size(), 2U) << "keep-alives stopped during the flood";
  double widest = 0;
  for (std::size_t i = 1; i < pings.size(); ++i)
    widest = std::max(widest, std::chrono::duration<double, std::milli>(pings[i] - pings[i - 1]).count());
  std::printf("flood: %zu keep-alives, widest gap %.0f ms (watchdog 1000 ms)\n", pings.size(), widest);
  EXPECT_LT(widest, 1000.0);
}

}  // namespace
}  // namespace nsgroup::test
