// The control socket's Server driven on its own loop (a thread of the
// test), with handlers that answer what the test asks: replies larger than
// the unread-output bound, clients that shut their side before reading,
// pipelines of requests, clients that ask without reading. Root: the
// socket is chowned to root as the daemon's is.
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <thread>

#include "json/json.h"
#include "service/server.h"
#include "support.h"
#include "util/socket.h"

namespace nsgroup::test {
namespace {

// A Server on a socket of its own, its loop on a thread until the end.
class ServerLoop {
 public:
  using Handler = std::function<void(Connection&, const Json&)>;
  explicit ServerLoop(Handler handler)
      : path_("/run/nsgroup-test-server-" + std::to_string(::getpid()) + ".sock") {
    loop_.emplace(EventLoop::create().value());
    // Each request line parsed here, as the daemon's Api does.
    server_ = Server::open(
                  path_, 0, *loop_,
                  [handler = std::move(handler)](Connection& c, std::string_view line) {
                    handler(c, Json::parse(line));
                  },
                  nullptr)
                  .value();
    thread_ = std::thread([this] { run(); });
  }
  ~ServerLoop() {
    stop_ = true;
    thread_.join();
    server_.reset();
  }
  const std::string& path() const { return path_; }
  Server& server() { return *server_; }
  // Loop turns so far, and the most requests any one turn handled.
  int turns() const { return turns_; }

  std::atomic<int> handled_this_turn{0};
  std::atomic<int> most_in_a_turn{0};

 private:
  void run() {
    while (!stop_) {
      handled_this_turn = 0;
      loop_->run_once(server_->busy() ? 0 : 10);
      server_->service();
      most_in_a_turn = std::max(most_in_a_turn.load(), handled_this_turn.load());
      ++turns_;
    }
  }
  std::string path_;
  std::optional<EventLoop> loop_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> turns_{0};
};

std::string read_to_eof(int fd) {
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0)
    out.append(buf, static_cast<std::size_t>(n));
  return out;
}

// A reply of n bytes of 'x' (a JSON string), for {"op":"big","n":N}.
void big_reply(Server& s, Connection& c, const Json& req) {
  std::size_t n = req.value("n", std::size_t{0});
  s.send(c, std::string("\"") + std::string(n, 'x') + "\"");
}

TEST(Server, AReplyLargerThanTheUnreadBoundIsSentWhole) {
  NSG_REQUIRE_PRIVILEGED();
  ServerLoop* loop = nullptr;
  ServerLoop l([&](Connection& c, const Json& req) { big_reply(loop->server(), c, req); });
  loop = &l;
  auto fd = connect_unix(l.path()).value();
  const std::size_t n = kMaxPendingOutput + (4 << 20);
  std::string req = "{\"op\":\"big\",\"n\":" + std::to_string(n) + "}\n";
  ASSERT_EQ(::write(fd.get(), req.data(), req.size()), static_cast<ssize_t>(req.size()));
  ::shutdown(fd.get(), SHUT_WR);
  std::string got = read_to_eof(fd.get());
  ASSERT_EQ(got.size(), n + 3) << "the reply was cut";
  EXPECT_EQ(got.back(), '\n');
  EXPECT_EQ(l.server().slow_drops(), 0U);
}

TEST(Server, AClientThatShutsItsSideFirstGetsEveryReply) {
  NSG_REQUIRE_PRIVILEGED();
  ServerLoop* loop = nullptr;
  ServerLoop l([&](Connection& c, const Json& req) { big_reply(loop->server(), c, req); });
  loop = &l;
  auto fd = connect_unix(l.path()).value();
  // Three replies of 2 MiB: more than a socket buffer holds at once.
  std::string req;
  for (int i = 0; i < 3; ++i)
    req += "{\"op\":\"big\",\"n\":2097152}\n";
  ASSERT_EQ(::write(fd.get(), req.data(), req.size()), static_cast<ssize_t>(req.size()));
  ASSERT_EQ(::shutdown(fd.get(), SHUT_WR), 0);
  ::usleep(100'000);  // the server sees the EOF before anything is read
  std::string got = read_to_eof(fd.get());
  EXPECT_EQ(got.size(), 3 * (2097152 + 3U));
}

TEST(Server, APipelineIsAnsweredInOrderAFewRequestsATurn) {
  NSG_REQUIRE_PRIVILEGED();
  ServerLoop* loop = nullptr;
  ServerLoop l([&](Connection& c, const Json& req) {
    ++loop->handled_this_turn;
    loop->server().send(c, dump_line(Json{{"ok", true}, {"n", req.at("n")}}));
  });
  loop = &l;
  auto fd = connect_unix(l.path()).value();
  constexpr int kRequests = 200;
  std::string req;
  for (int i = 0; i < kRequests; ++i)
    req += "{\"op\":\"echo\",\"n\":" + std::to_string(i) + "}\n";
  ASSERT_EQ(::write(fd.get(), req.data(), req.size()), static_cast<ssize_t>(req.size()));
  ::shutdown(fd.get(), SHUT_WR);
  std::string got = read_to_eof(fd.get());
  int i = 0;
  for (std::size_t pos = 0, nl; (nl = got.find('\n', pos)) != std::string::npos; pos = nl + 1)
    EXPECT_EQ(Json::parse(got.substr(pos, nl - pos))["n"], i++);
  EXPECT_EQ(i, kRequests);
  EXPECT_GE(l.most_in_a_turn.load(), 1);
  EXPECT_LE(l.most_in_a_turn.load(), kRequestsPerTurn);
}

TEST(Server, AClientThatAsksWithoutReadingIsHeldNotDropped) {
  NSG_REQUIRE_PRIVILEGED();
  ServerLoop* loop = nullptr;
  ServerLoop l([&](Connection& c, const Json& req) { big_reply(loop->server(), c, req); });
  loop = &l;
  auto fd = connect_unix(l.path()).value();
  // 40 replies of 1 MiB asked for at once: 40 MiB, over the unread bound
  // if they were all made before the client reads.
  constexpr int kRequests = 40;
  std::string req;
  for (int i = 0; i < kRequests; ++i)
    req += "{\"op\":\"big\",\"n\":1048576}\n";
  ASSERT_EQ(::write(fd.get(), req.data(), req.size()), static_cast<ssize_t>(req.size()));
  ::usleep(300'000);  // the server works while nothing is read
  ::shutdown(fd.get(), SHUT_WR);
  std::string got = read_to_eof(fd.get());
  EXPECT_EQ(got.size(), kRequests * (1048576 + 3U));
  EXPECT_EQ(l.server().slow_drops(), 0U);
}

TEST(Server, AWatcherThatNeverReadsIsDroppedAndCounted) {
  NSG_REQUIRE_PRIVILEGED();
  ServerLoop* loop = nullptr;
  ServerLoop l([&](Connection& c, const Json& req) {
    if (req["op"] == "watch") {
      c.watching = true;
      loop->server().send(c, std::string_view(R"({"ok":true})"));
      return;
    }
    // 24 MiB of events to every watcher, 1 KiB a line.
    std::string line(1023, 'e');
    for (int i = 0; i < 24 * 1024; ++i)
      loop->server().broadcast(line, [](const Connection&) { return true; });
    loop->server().send(c, std::string_view(R"({"ok":true})"));
  });
  loop = &l;
  auto idle = connect_unix(l.path()).value();
  ASSERT_EQ(::write(idle.get(), "{\"op\":\"watch\"}\n", 15), 15);
  char ack[64];
  ASSERT_GT(::read(idle.get(), ack, sizeof ack), 0);  // watching from here
  auto talker = connect_unix(l.path()).value();
  ASSERT_EQ(::write(talker.get(), "{\"op\":\"spam\"}\n", 14), 14);
  char buf[64];
  ASSERT_GT(::read(talker.get(), buf, sizeof buf), 0);  // answered
  EXPECT_EQ(l.server().slow_drops(), 1U);
  // The idle watcher's stream ends: what it got, then EOF.
  ::shutdown(idle.get(), SHUT_WR);
  std::string got = read_to_eof(idle.get());
  EXPECT_LE(got.size(), kMaxPendingOutput + (1U << 20));
}

}  // namespace
}  // namespace nsgroup::test
