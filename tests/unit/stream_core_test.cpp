// The connection core under both servers (service/stream_core.h), on
// socketpairs: no root, no listening socket. A line echo server stands for
// the control socket; the limits are small so that each is reached.
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "service/stream_core.h"

namespace nsgroup {
namespace {

// Echoes each line back; "close" asks the core to close after the reply,
// "keep" makes the client stay after its EOF (as a watcher does).
class Echo : public StreamUser {
 public:
  StreamCore* core = nullptr;
  std::vector<std::string> refusals;
  int slow = 0;
  bool keep_after_eof = false;

  void on_input(StreamConn& c) override {
    while (auto line = c.in.next()) {
      std::string l(*line);
      if (l == "close")
        c.closing = true;
      core->send(c, "echo " + l, true);
    }
  }
  bool finished(const StreamConn&) const override { return !keep_after_eof; }
  void on_refused(const StreamConn&, std::string_view why) override {
    refusals.emplace_back(why);
  }
  void dropped_slow(const StreamConn&) override { ++slow; }
};

EventLoop make_loop() {
  auto loop = EventLoop::create();
  EXPECT_TRUE(loop);
  return std::move(*loop);
}

struct Fixture {
  explicit Fixture(StreamLimits limits) : core(loop, echo, std::move(limits)) { echo.core = &core; }
  // A client: the test's end of a socketpair whose other end the core serves.
  UniqueFd client(bool* admitted = nullptr) {
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv), 0);
    bool ok = core.adopt(UniqueFd(sv[1]));
    if (admitted)
      *admitted = ok;
    return UniqueFd(sv[0]);
  }
  void turns(int n = 3) {
    for (int i = 0; i < n; ++i)
      loop.run_once(10);
  }
  // What the client can read now; "<EOF>" appended once the core closed.
  std::string read(int fd) {
    std::string out;
    char buf[65536];
    for (;;) {
      ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        out.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0)
        out += "<EOF>";
      return out;
    }
  }
  EventLoop loop = make_loop();
  Echo echo;
  StreamCore core;
};

StreamLimits small() {
  StreamLimits l;
  l.name = "test";
  l.max_clients = 4;
  l.max_input = 64;
  l.peer_credentials = true;
  return l;
}

void put(int fd, std::string_view s) {
  ASSERT_EQ(::send(fd, s.data(), s.size(), MSG_NOSIGNAL), static_cast<ssize_t>(s.size()));
}

TEST(StreamCore, LinesAreHandedOverAndRepliesSent) {
  Fixture f(small());
  UniqueFd c = f.client();
  put(c.get(), "a\r\nb\n\npartial");
  f.turns();
  EXPECT_EQ(f.read(c.get()), "echo a\necho b\n");
  put(c.get(), "\n");
  f.turns();
  EXPECT_EQ(f.read(c.get()), "echo partial\n");
}

TEST(StreamCore, PeerCredentialsAreTheKernels) {
  Fixture f(small());
  UniqueFd c = f.client();
  int seen = 0;
  f.core.for_each([&](StreamConn& conn) {
    ++seen;
    EXPECT_EQ(conn.peer_pid, ::getpid());
    EXPECT_EQ(conn.peer_uid, ::getuid());
  });
  EXPECT_EQ(seen, 1);
}

TEST(StreamCore, ClientsPastTheCapAreRefusedAndClosed) {
  Fixture f(small());
  std::vector<UniqueFd> held;
  for (int i = 0; i < 4; ++i) {
    bool admitted = false;
    held.push_back(f.client(&admitted));
    EXPECT_TRUE(admitted);
  }
  bool admitted = true;
  UniqueFd extra = f.client(&admitted);
  EXPECT_FALSE(admitted);
  EXPECT_EQ(f.core.count(), 4U);
  EXPECT_EQ(f.core.refused(), 1U);
  ASSERT_EQ(f.echo.refusals.size(), 1U);
  EXPECT_EQ(f.echo.refusals[0], "too many connections");
  EXPECT_EQ(f.read(extra.get()), "<EOF>");
}

TEST(StreamCore, AClientDoneAfterItsEofIsClosedOnceAnswered) {
  Fixture f(small());
  UniqueFd c = f.client();
  put(c.get(), "x\n");
  ::shutdown(c.get(), SHUT_WR);
  f.turns();
  EXPECT_EQ(f.read(c.get()), "echo x\n<EOF>");
  EXPECT_EQ(f.core.count(), 0U);
}

TEST(StreamCore, AClientKeptAfterItsEofStaysOpen) {
  Fixture f(small());
  f.echo.keep_after_eof = true;
  UniqueFd c = f.client();
  ::shutdown(c.get(), SHUT_WR);
  f.turns();
  EXPECT_EQ(f.core.count(), 1U);
  EXPECT_EQ(f.read(c.get()), "");
}

TEST(StreamCore, ClosingSendsTheReplyThenEof) {
  Fixture f(small());
  UniqueFd c = f.client();
  put(c.get(), "close\nnot answered\n");
  f.turns();
  EXPECT_EQ(f.read(c.get()), "echo close\n<EOF>");
}

// Input past max_input waits in the socket: the core never holds more
// than the bound plus one read.
TEST(StreamCore, InputPastTheBoundWaitsInTheSocket) {
  Fixture f(small());
  UniqueFd c = f.client();
  put(c.get(), std::string(200'000, 'a'));
  f.turns();
  std::size_t buffered = 0;
  f.core.for_each([&](StreamConn& conn) { buffered = conn.in.pending(); });
  EXPECT_GT(buffered, 64U);
  EXPECT_LE(buffered, 64U + 65536U);
}

// A client that does not read while more comes is dropped and counted;
// one send larger than the cap still goes whole to one that reads.
TEST(StreamCore, AClientThatLeavesTooMuchUnreadIsDropped) {
  StreamLimits l = small();
  l.max_unsent = 1 << 20;
  Fixture f(l);
  UniqueFd c = f.client();
  StreamConn* conn = nullptr;
  f.core.for_each([&](StreamConn& x) { conn = &x; });
  ASSERT_NE(conn, nullptr);
  f.core.send(*conn, std::string(4 << 20, 'x'));  // larger than the cap: queued whole
  EXPECT_FALSE(conn->dead);
  EXPECT_GT(conn->unsent(), 0U);
  f.core.send(*conn, std::string(1 << 20, 'y'));  // more, while much is unread
  EXPECT_TRUE(conn->dead);
  EXPECT_EQ(f.core.slow_drops(), 1U);
  EXPECT_EQ(f.echo.slow, 1);
  f.turns();
  EXPECT_EQ(f.core.count(), 0U);
}

// Output queued beyond what the socket takes is sent as the client reads.
TEST(StreamCore, OutputLargerThanTheSocketIsSentAsTheClientReads) {
  Fixture f(small());
  UniqueFd c = f.client();
  StreamConn* conn = nullptr;
  f.core.for_each([&](StreamConn& x) { conn = &x; });
  ASSERT_NE(conn, nullptr);
  const std::size_t n = 8 << 20;
  f.core.send(*conn, std::string(n, 'z'), true);
  std::string got;
  for (int i = 0; i < 2000 && got.size() < n + 1; ++i) {
    got += f.read(c.get());
    f.loop.run_once(1);
  }
  EXPECT_EQ(got.size(), n + 1);
  EXPECT_EQ(got.back(), '\n');
}

TEST(StreamCore, ConnectionsPastTheirLifetimeAreClosed) {
  StreamLimits l = small();
  l.lifetime_ms = 5000;
  Fixture f(l);
  UniqueFd c = f.client();
  f.core.expire(monotonic_ms());
  EXPECT_EQ(f.core.count(), 1U);
  f.core.expire(monotonic_ms() + 5000);
  EXPECT_EQ(f.core.count(), 0U);
  f.turns(1);  // freed at the end of the turn
  EXPECT_EQ(f.read(c.get()), "<EOF>");
}

TEST(StreamCore, APeerThatHangsUpIsClosed) {
  Fixture f(small());
  {
    UniqueFd c = f.client();
    put(c.get(), "x\n");
  }
  f.turns();
  EXPECT_EQ(f.core.count(), 0U);
  EXPECT_EQ(f.loop.size(), 0U);  // nothing of it left in the loop
}

}  // namespace
}  // namespace nsgroup
