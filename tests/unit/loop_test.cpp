// The fd -> handler loop (util/loop.h's EventLoop), on pipes.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/loop.h"

namespace nsgroup {
namespace {

struct Pipe {
  Pipe() {
    int p[2];
    EXPECT_EQ(::pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
    r.reset(p[0]);
    w.reset(p[1]);
  }
  void ring() const { EXPECT_EQ(::write(w.get(), "x", 1), 1); }
  UniqueFd r, w;
};

EventLoop make_loop() {
  auto loop = EventLoop::create();
  EXPECT_TRUE(loop);
  return std::move(*loop);
}

TEST(EventLoop, EachReadyFdRunsItsOwnHandler) {
  EventLoop loop = make_loop();
  Pipe a, b;
  std::vector<std::string> ran;
  ASSERT_TRUE(loop.add(a.r.get(), EPOLLIN, [&](std::uint32_t ev) {
    EXPECT_TRUE(ev & EPOLLIN);
    ran.emplace_back("a");
  }));
  ASSERT_TRUE(loop.add(b.r.get(), EPOLLIN, [&](std::uint32_t) { ran.emplace_back("b"); }));
  b.ring();
  EXPECT_EQ(loop.run_once(100), 1);
  EXPECT_EQ(ran, std::vector<std::string>{"b"});
  EXPECT_EQ(loop.run_once(0), 1);  // level-triggered: b is still readable
  EXPECT_FALSE(loop.add(a.r.get(), EPOLLIN, [](std::uint32_t) {}));  // once per fd
}

TEST(EventLoop, AnFdRemovedByAnEarlierHandlerIsNotCalled) {
  EventLoop loop = make_loop();
  Pipe a, b;
  int calls = 0;
  // Whichever runs first removes the other.
  ASSERT_TRUE(loop.add(a.r.get(), EPOLLIN, [&](std::uint32_t) {
    ++calls;
    loop.remove(b.r.get());
  }));
  ASSERT_TRUE(loop.add(b.r.get(), EPOLLIN, [&](std::uint32_t) {
    ++calls;
    loop.remove(a.r.get());
  }));
  a.ring();
  b.ring();
  EXPECT_EQ(loop.run_once(100), 1);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(loop.size(), 1U);
}

TEST(EventLoop, AHandlerMayRemoveItself) {
  EventLoop loop = make_loop();
  Pipe a;
  std::string seen = "kept alive";
  ASSERT_TRUE(loop.add(a.r.get(), EPOLLIN, [&, seen](std::uint32_t) {
    loop.remove(a.r.get());
    EXPECT_EQ(seen, "kept alive");  // its captures live until it returns
  }));
  a.ring();
  EXPECT_EQ(loop.run_once(100), 1);
  EXPECT_FALSE(loop.contains(a.r.get()));
  EXPECT_EQ(loop.run_once(0), 0);
}

TEST(EventLoop, ModifyChangesWhatWakesIt) {
  EventLoop loop = make_loop();
  Pipe a;
  int calls = 0;
  ASSERT_TRUE(loop.add(a.r.get(), EPOLLIN, [&](std::uint32_t) { ++calls; }));
  a.ring();
  ASSERT_TRUE(loop.modify(a.r.get(), 0));
  EXPECT_EQ(loop.run_once(0), 0);
  ASSERT_TRUE(loop.modify(a.r.get(), EPOLLIN));
  EXPECT_EQ(loop.run_once(0), 1);
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(loop.modify(12345, EPOLLIN));
}

TEST(EventLoop, PostedWorkRunsAtTheEndOfTheTurn) {
  EventLoop loop = make_loop();
  Pipe a;
  std::vector<std::string> order;
  ASSERT_TRUE(loop.add(a.r.get(), EPOLLIN, [&](std::uint32_t) {
    loop.post([&] { order.emplace_back("posted"); });
    order.emplace_back("handler");
  }));
  a.ring();
  loop.run_once(100);
  EXPECT_EQ(order, (std::vector<std::string>{"handler", "posted"}));
  order.clear();
  loop.post([&] { order.emplace_back("outside"); });
  loop.remove(a.r.get());
  loop.run_once(0);  // a turn with nothing ready still runs it
  EXPECT_EQ(order, std::vector<std::string>{"outside"});
}

}  // namespace
}  // namespace nsgroup
