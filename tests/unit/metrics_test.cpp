// `nsgroup stats` in Prometheus' text format (service/metrics.h), and the
// /metrics listener's replies and limits (service/metrics_http.h).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "fake_backend.h"
#include "service/metrics.h"
#include "service/metrics_http.h"
#include "service/stats.h"
#include "util/self_stats.h"

namespace nsgroup {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

// Every figure stats can hold, none of them zero where a zero would hide
// a mistake.
struct RichStats : ApiSample {
  StatsReport stats() {
    counters.events[static_cast<std::size_t>(EventKind::Unshare)] = 7;
    counters.events[static_cast<std::size_t>(EventKind::Denied)] = 3;
    counters.drops[static_cast<std::size_t>(Drop::RingFull)] = 11;
    count_suppressed(counters, 65534, 40);
    count_suppressed(counters, 1000, 2);
    record_scan(counters, 800);        // <= 1 ms
    record_scan(counters, 30'000);     // <= 50 ms
    record_scan(counters, 9'000'000);  // past every bound
    counters.reconciles = 3;
    counters.requests = 5;
    StatsContext ctx;
    ctx.hooks = "tracepoint";
    ctx.scans = "task iterator";
    ctx.clients = 2;
    ctx.heap_in_use = 4096;
    ctx.stdout_drops = 9;
    MirrorStats m;
    m.directories = 4;
    m.mkdirs = 6;
    m.moves = 2;
    m.errors["move: \"EBUSY\"\n"] = 1;  // a cause with every character to escape
    ctx.mirror = m;
    return stats_report(counters, backend.tree, ctx);
  }
};

// The value of the sample written exactly as `series`, or "" without one.
std::string sample(const std::string& text, const std::string& series) {
  std::string needle = "\n" + series + " ";
  auto at = ("\n" + text).find(needle);
  if (at == std::string::npos)
    return "";
  auto start = at + needle.size() - 1;
  return text.substr(start, text.find('\n', start) - start);
}

TEST(Metrics, SamplesCarryTheStatsFigures) {
  RichStats s;
  std::string t = prometheus_text(s.stats(), "1.2.3");
  EXPECT_EQ(sample(t, "nsgroup_build_info{version=\"1.2.3\"}"), "1");
  EXPECT_EQ(sample(t, "nsgroup_hooks_info{hooks=\"tracepoint\",scan=\"task iterator\"}"), "1");
  EXPECT_EQ(sample(t, "nsgroup_events_total{kind=\"unshare\"}"), "7");
  EXPECT_EQ(sample(t, "nsgroup_events_total{kind=\"clone\"}"), "0");  // zero, still there
  EXPECT_EQ(sample(t, "nsgroup_dropped_total{cause=\"ring_full\"}"), "11");
  EXPECT_EQ(sample(t, "nsgroup_dropped_total{cause=\"stdout_lines\"}"), "9");
  EXPECT_EQ(sample(t, "nsgroup_suppressed_total{uid=\"65534\"}"), "40");
  EXPECT_EQ(sample(t, "nsgroup_suppressed_total{uid=\"1000\"}"), "2");
  EXPECT_EQ(sample(t, "nsgroup_containers"), std::to_string(s.backend.tree.container_count()));
  EXPECT_EQ(sample(t, "nsgroup_processes"), std::to_string(s.backend.tree.member_count()));
  EXPECT_EQ(sample(t, "nsgroup_clients"), "2");
  EXPECT_EQ(sample(t, "nsgroup_requests_total"), "5");
  EXPECT_EQ(sample(t, "nsgroup_heap_bytes{state=\"in_use\"}"), "4096");
  EXPECT_EQ(sample(t, "nsgroup_mirror_directories"), "4");
  EXPECT_EQ(sample(t, "nsgroup_mirror_operations_total{op=\"mkdir\"}"), "6");
  EXPECT_EQ(sample(t, "nsgroup_mirror_operations_total{op=\"move\"}"), "2");
  EXPECT_EQ(sample(t, "nsgroup_mirror_errors_total{cause=\"move: \\\"EBUSY\\\"\\n\"}"), "1");
}

TEST(Metrics, ScanHistogramIsCumulativeInSeconds) {
  RichStats s;
  std::string t = prometheus_text(s.stats(), "x");
  EXPECT_EQ(sample(t, "nsgroup_scan_duration_seconds_bucket{le=\"0.001\"}"), "1");
  EXPECT_EQ(sample(t, "nsgroup_scan_duration_seconds_bucket{le=\"0.025\"}"), "1");
  EXPECT_EQ(sample(t, "nsgroup_scan_duration_seconds_bucket{le=\"0.05\"}"), "2");
  EXPECT_EQ(sample(t, "nsgroup_scan_duration_seconds_bucket{le=\"5\"}"), "2");
  EXPECT_EQ(sample(t, "nsgroup_scan_duration_seconds_bucket{le=\"+Inf\"}"), "3");
  EXPECT_EQ(sample(t, "nsgroup_scan_duration_seconds_count"), "3");
  EXPECT_EQ(sample(t, "nsgroup_scan_duration_seconds_sum"), "9.0308");
}

TEST(Metrics, EachFamilyIsDeclaredOnceBeforeItsSamples) {
  RichStats s;
  std::string t = prometheus_text(s.stats(), "x");
  std::map<std::string, int> types;
  std::string declared;
  std::size_t pos = 0;
  while (pos < t.size()) {
    std::string line = t.substr(pos, t.find('\n', pos) - pos);
    pos += line.size() + 1;
    if (line.rfind("# TYPE ", 0) == 0) {
      declared = line.substr(7, line.find(' ', 7) - 7);
      ++types[declared];
    } else if (line[0] != '#') {
      EXPECT_EQ(line.rfind(declared, 0), 0U) << line << " follows the TYPE of " << declared;
    }
  }
  for (const auto& [family, n] : types)
    EXPECT_EQ(n, 1) << family;
  EXPECT_GE(types.size(), 20U);
}

TEST(Metrics, AScopedClientsFiguresGiveTreeGaugesOnly) {
  ApiSample s;
  std::string t = prometheus_text(scoped_stats_report(s.backend.tree, s.a), "x");
  EXPECT_EQ(sample(t, "nsgroup_containers"), "2");  // a and b
  EXPECT_EQ(t.find("nsgroup_events_total"), std::string::npos);
  EXPECT_EQ(t.find("nsgroup_mirror"), std::string::npos);
}

TEST(Metrics, ProcessFamiliesCarryTheFiguresInSeconds) {
  SelfStats p;
  p.ticks_per_second = 100;
  p.cpu_ticks = 250;
  p.start_time_ticks = 170'000'000'050;
  p.virtual_bytes = 1 << 30;
  p.resident_bytes = 12 << 20;
  p.open_fds = 9;
  p.max_fds = 524288;
  ApiSample s;
  std::string t = prometheus_text(s.backend.stats(), "x", &p);
  EXPECT_EQ(sample(t, "process_cpu_seconds_total"), "2.5");
  EXPECT_EQ(sample(t, "process_start_time_seconds"), "1700000000.5");
  EXPECT_EQ(sample(t, "process_virtual_memory_bytes"), std::to_string(1 << 30));
  EXPECT_EQ(sample(t, "process_resident_memory_bytes"), std::to_string(12 << 20));
  EXPECT_EQ(sample(t, "process_open_fds"), "9");
  EXPECT_EQ(sample(t, "process_max_fds"), "524288");
  EXPECT_NE(t.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
  // Not without the daemon's own figures (`nsgroup stats --format=prometheus`).
  EXPECT_EQ(prometheus_text(s.backend.stats(), "x").find("process_"), std::string::npos);
}

// Debian's promtool, the checker Prometheus' own CI uses, on every family.
TEST(Metrics, PromtoolAcceptsTheText) {
  if (::system("command -v promtool >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "promtool is not installed (Debian package prometheus)";
  RichStats s;
  auto self = read_self_stats();
  ASSERT_TRUE(self) << self.error().message();
  std::string t = prometheus_text(s.stats(), "0.1.0", &*self);
  EXPECT_NE(t.find("\nprocess_start_time_seconds "), std::string::npos);
  char path[] = "/tmp/nsgroup-metrics-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, t.data(), t.size()), static_cast<ssize_t>(t.size()));
  ::close(fd);
  std::string cmd = std::string("promtool check metrics < ") + path + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof buf, p))
    out += buf;
  int status = ::pclose(p);
  ::unlink(path);
  EXPECT_EQ(status, 0) << out;
  EXPECT_EQ(out, "");  // no lint finding either
}

std::string render() { return "m 1\n"; }

TEST(MetricsHttp, GetOfMetricsIsTheExposition) {
  std::string r = metrics_reply("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", render);
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0U);
  EXPECT_NE(r.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(r.find("Content-Length: 4\r\n"), std::string::npos);
  EXPECT_EQ(r.substr(r.size() - 4), "m 1\n");
  EXPECT_EQ(metrics_reply("GET /metrics?x=1 HTTP/1.0\n\n", render).rfind("HTTP/1.1 200", 0), 0U);
}

TEST(MetricsHttp, HeadHasTheHeadersOnly) {
  std::string r = metrics_reply("HEAD /metrics HTTP/1.1\r\n\r\n", render);
  EXPECT_NE(r.find("Content-Length: 4\r\n"), std::string::npos);
  EXPECT_EQ(r.substr(r.size() - 4), "\r\n\r\n");
}

TEST(MetricsHttp, EverythingElseIsRefused) {
  auto status = [](std::string_view head) {
    std::string r = metrics_reply(head, render);
    return r.substr(9, 3);
  };
  EXPECT_EQ(status("GET / HTTP/1.1\r\n\r\n"), "404");
  EXPECT_EQ(status("GET /metricsx HTTP/1.1\r\n\r\n"), "404");
  EXPECT_EQ(status("POST /metrics HTTP/1.1\r\n\r\n"), "405");
  EXPECT_EQ(status("GET /metrics\r\n\r\n"), "400");
  EXPECT_EQ(status("GET /metrics SPDY/3\r\n\r\n"), "400");
  EXPECT_EQ(status("GET  /metrics HTTP/1.1\r\n\r\n"), "400");
  EXPECT_EQ(status("\r\n\r\n"), "400");
}

TEST(MetricsHttp, APortAloneIsEveryAddress) {
  auto any = parse_inet_address(":9753");
  ASSERT_TRUE(any);
  EXPECT_TRUE(any->any);
  EXPECT_FALSE(parse_inet_address(":"));
  EXPECT_FALSE(parse_inet_address(":x"));
  EXPECT_FALSE(parse_inet_address(":65536"));
  EXPECT_FALSE(parse_inet_address("127.0.0.1:9753")->any);
}

TEST(MetricsHttp, AddressesAreNumeric) {
  EXPECT_TRUE(parse_inet_address("127.0.0.1:9753"));
  EXPECT_TRUE(parse_inet_address("[::1]:9753"));
  EXPECT_TRUE(parse_inet_address("0.0.0.0:0"));
  EXPECT_FALSE(parse_inet_address("localhost:9753"));
  EXPECT_FALSE(parse_inet_address("127.0.0.1"));
  EXPECT_FALSE(parse_inet_address("127.0.0.1:65536"));
  EXPECT_FALSE(parse_inet_address("::1:9753"));
  EXPECT_FALSE(parse_inet_address("[::1:9753"));
}

// A listener on loopback, driven by the test as the daemon's loop would.
EventLoop make_loop() {
  auto loop = EventLoop::create();
  EXPECT_TRUE(loop);
  return std::move(*loop);
}

struct Loop {
  EventLoop loop = make_loop();
  std::unique_ptr<MetricsListener> l;
  int port = 0;
  explicit Loop(const std::string& address = "127.0.0.1:0") {
    auto opened = MetricsListener::open(address, loop, render);
    EXPECT_TRUE(opened) << opened.error().what;
    l = std::move(*opened);
    port = std::stoi(l->address().substr(l->address().rfind(':') + 1));
  }
  void turn(int timeout_ms = 50) { loop.run_once(timeout_ms); }
  UniqueFd connect() const {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    return fd;
  }
  UniqueFd connect6() const {
    UniqueFd fd(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(static_cast<std::uint16_t>(port));
    a.sin6_addr = in6addr_loopback;
    EXPECT_EQ(::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    return fd;
  }
};

// Everything the peer sent until it closed, while the loop turns.
std::string read_all(Loop& loop, int fd) {
  std::string out;
  char buf[4096];
  for (int i = 0; i < 100; ++i) {
    loop.turn(10);
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0)
      return out;
    if (n > 0)
      out.append(buf, static_cast<std::size_t>(n));
  }
  return out + "<not closed>";
}

TEST(MetricsHttp, ASilentClientDoesNotDelayTheNext) {
  Loop loop;
  UniqueFd silent = loop.connect();
  loop.turn();
  UniqueFd asking = loop.connect();
  std::string req = "GET /metrics HTTP/1.1\r\n\r\n";
  ASSERT_EQ(::send(asking.get(), req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  std::string reply = read_all(loop, asking.get());
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK", 0), 0U) << reply;
  EXPECT_EQ(reply.substr(reply.size() - 4), "m 1\n");
  EXPECT_EQ(loop.l->connections(), 1U);  // the silent one, until its deadline
  loop.l->expire(monotonic_ms() + kMetricsDeadlineMs);
  EXPECT_EQ(loop.l->connections(), 0U);
  EXPECT_EQ(read_all(loop, silent.get()), "");
}

// ":PORT" answers on IPv4 and IPv6 loopback alike (one dual-stack socket).
TEST(MetricsHttp, APortAloneServesBothFamilies) {
  Loop loop(":0");
  std::string req = "GET /metrics HTTP/1.1\r\n\r\n";
  UniqueFd four = loop.connect();
  ASSERT_EQ(::send(four.get(), req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  EXPECT_EQ(read_all(loop, four.get()).rfind("HTTP/1.1 200 OK", 0), 0U);
  UniqueFd six = loop.connect6();
  ASSERT_EQ(::send(six.get(), req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  EXPECT_EQ(read_all(loop, six.get()).rfind("HTTP/1.1 200 OK", 0), 0U);
  EXPECT_EQ(loop.l->served(), 2U);
}

TEST(MetricsHttp, ConnectionsPastTheLimitAreClosedAtOnce) {
  Loop loop;
  std::vector<UniqueFd> held;
  for (std::size_t i = 0; i < kMetricsClients; ++i)
    held.push_back(loop.connect());
  UniqueFd extra = loop.connect();
  for (int i = 0; i < 5; ++i)
    loop.turn(10);
  EXPECT_EQ(loop.l->connections(), kMetricsClients);
  EXPECT_EQ(loop.l->refused(), 1U);
  EXPECT_EQ(read_all(loop, extra.get()), "");
}

TEST(MetricsHttp, AnOverlongHeadIsRefused) {
  Loop loop;
  UniqueFd fd = loop.connect();
  std::string junk = "GET /metrics HTTP/1.1\r\nX: " + std::string(kMetricsHeadBytes, 'a');
  ASSERT_EQ(::send(fd.get(), junk.data(), junk.size(), 0), static_cast<ssize_t>(junk.size()));
  std::string reply = read_all(loop, fd.get());
  EXPECT_EQ(reply.rfind("HTTP/1.1 431", 0), 0U) << reply.substr(0, 80);
}

}  // namespace
}  // namespace nsgroup
