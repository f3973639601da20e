// `nsgroup watch` filters with real processes: a daemon's watcher with
// --pid or --container gets only its events while others happen at the
// same time, the one-shot watch (its own tracer) applies --event and
// --comm, and bad filters are refused by name. Each stream is read up to
// a sentinel event made after everything it must not show, so a line that
// slipped through cannot go unread; an unfiltered watcher proves the
// other events really came.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/tree.h"
#include "mix.h"
#include "support.h"

namespace nsgroup::test {
namespace {

using Json = nlohmann::ordered_json;
using Steps = std::vector<std::function<int()>>;

// A child named `comm` that runs each of its steps when the test says so,
// and says when each is done; it exits after the last (or when killed).
class Gated {
 public:
  Gated(const std::string& comm, Steps steps) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
      throw std::runtime_error("pipe2");
    gate_.reset(fds[1]);
    int rd = fds[0], wr = fds[1];
    child_ = std::make_unique<Child>(fork_child([rd, wr, comm, steps](int out) {
      ::close(wr);
      ::prctl(PR_SET_NAME, comm.c_str());
      for (const auto& step : steps) {
        char c;
        if (::read(rd, &c, 1) != 1)
          return 3;
        if (int rc = step(); rc != 0)
          return rc;
        if (::write(out, "k", 1) != 1)
          return 4;
      }
      return 0;
    }));
    ::close(rd);
  }
  pid_t pid() const { return child_->pid; }
  void go() { ASSERT_EQ(::write(gate_.get(), "g", 1), 1); }
  // True when the step it was let go on succeeded.
  bool done() {
    char c;
    return child_->read_exact(&c, 1);
  }
  bool step() {
    go();
    return done();
  }

 private:
  UniqueFd gate_;
  std::unique_ptr<Child> child_;
};

int unshare_step(int flags) { return ::unshare(flags) == 0 ? 0 : 1; }

// The lines w prints up to the first that satisfies `last` (included);
// nullopt when none does within the timeout.
std::optional<std::vector<Json>> lines_until(WatchProcess& w,
                                             const std::function<bool(const Json&)>& last,
                                             std::chrono::milliseconds timeout =
                                                 std::chrono::seconds(10)) {
  ::fcntl(w.out.get(), F_SETFL, ::fcntl(w.out.get(), F_GETFL) | O_NONBLOCK);
  std::vector<Json> seen;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (w.next([&](const Json& j) {
          seen.push_back(j);
          return last(j);
        }))
      return seen;
    pollfd p{w.out.get(), POLLIN, 0};
    ::poll(&p, 1, 100);
  }
  return std::nullopt;
}

bool is(const Json& j, const char* event, pid_t pid) {
  return j["event"] == event && j["pid"] == pid;
}

int clients(const DaemonProcess& d) {
  return d.request({{"op", "stats"}})["stats"]["clients"].get<int>();
}

TEST(WatchFilter, ADaemonWatcherWithPidGetsOnlyThatProcessWhileAnotherRuns) {
  NSG_REQUIRE_PRIVILEGED();
  DaemonProcess d;
  ASSERT_TRUE(d.ready()) << d.log();
  Gated target("nsgflt_target",
               {[] { return unshare_step(CLONE_NEWUTS); }, [] { return unshare_step(CLONE_NEWNET); }});
  Gated other("nsgflt_other", {[] {
                for (int i = 0; i < 20; ++i)
                  if (::unshare(CLONE_NEWIPC) != 0)
                    return 1;
                return 0;
              }});
  WatchProcess filtered(
      {nsgroup_binary(), "watch", "--socket", d.socket(), "--pid", std::to_string(target.pid())});
  WatchProcess all({nsgroup_binary(), "watch", "--socket", d.socket()});
  ASSERT_TRUE(eventually([&] { return clients(d) >= 3; }));

  // Both at once, then the target's sentinel once the other is done.
  ASSERT_NO_FATAL_FAILURE(other.go());
  ASSERT_NO_FATAL_FAILURE(target.go());
  ASSERT_TRUE(other.done());
  ASSERT_TRUE(target.done());
  std::uint32_t uts = ns_inode(target.pid(), "uts");
  ASSERT_NE(uts, ns_inode(::getpid(), "uts"));
  ASSERT_NE(ns_inode(other.pid(), "ipc"), ns_inode(::getpid(), "ipc"));
  ASSERT_TRUE(target.step());
  auto sentinel = [&](const Json& j) {
    return is(j, "unshare", target.pid()) && j["new_ns"] == Json::array({"net"});
  };

  auto lines = lines_until(filtered, sentinel);
  ASSERT_TRUE(lines) << "the filtered watcher never showed the target's second unshare";
  bool saw_uts = false;
  for (const Json& j : *lines) {
    if (j["event"] == "lost")
      continue;  // kept by every filter but --event
    EXPECT_EQ(j["pid"], target.pid()) << j.dump();
    if (is(j, "unshare", target.pid()) && j["new_ns"] == Json::array({"uts"})) {
      saw_uts = true;
      EXPECT_EQ(j["ns"]["uts"], uts) << "not what /proc/PID/ns/uts says";
    }
  }
  EXPECT_TRUE(saw_uts);
  // The other's events were there to be left out.
  auto unfiltered = lines_until(all, sentinel);
  ASSERT_TRUE(unfiltered);
  int others = 0;
  for (const Json& j : *unfiltered)
    others += is(j, "unshare", other.pid()) ? 1 : 0;
  EXPECT_EQ(others, 20);
  EXPECT_EQ(filtered.stop(SIGTERM), 0);
  EXPECT_EQ(all.stop(SIGTERM), 0);
}

TEST(WatchFilter, TheOneShotWatchPrintsOnlyTheEventsAndCommsAskedFor) {
  NSG_REQUIRE_PRIVILEGED();
  WatchProcess w({nsgroup_binary(), "watch", "--socket", "/tmp/nsgroup-test-none.sock", "--event",
                  "unshare", "--comm", "nsgflt_match"});
  auto matching = [](const Json& j) {
    return j["event"] == "unshare" && j["comm"] == "nsgflt_match";
  };
  // Retried until its programs are attached.
  bool attached = false;
  for (int attempt = 0; attempt < 50 && !attached; ++attempt) {
    Gated probe("nsgflt_match", {[] { return unshare_step(CLONE_NEWUTS); }});
    ASSERT_TRUE(probe.step());
    attached = lines_until(w, matching, std::chrono::milliseconds(200)).has_value();
  }
  ASSERT_TRUE(attached) << "the one-shot watch printed no matching unshare";

  // The match unshares (shown), enters its old uts namespace again (a
  // setns: not shown), and exits (not shown); another comm unshares (not
  // shown); then the match's sentinel.
  UniqueFd old_uts(::open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(old_uts);
  int fd = old_uts.get();
  Gated match("nsgflt_match", {[] { return unshare_step(CLONE_NEWUTS); },
                               [fd] { return ::setns(fd, CLONE_NEWUTS) == 0 ? 0 : 1; },
                               [] { return 0; }});  // held until then, for /proc
  Gated other("nsgflt_other", {[] { return unshare_step(CLONE_NEWUTS | CLONE_NEWIPC); }});
  ASSERT_TRUE(match.step());
  std::uint32_t uts = ns_inode(match.pid(), "uts");
  ASSERT_NE(uts, ns_inode(::getpid(), "uts"));
  ASSERT_TRUE(match.step());
  ASSERT_EQ(ns_inode(match.pid(), "uts"), ns_inode(::getpid(), "uts"));  // the setns happened
  ASSERT_TRUE(other.step());
  ASSERT_NE(ns_inode(other.pid(), "ipc"), ns_inode(::getpid(), "ipc"));
  ASSERT_TRUE(match.step());  // it exits
  Gated last("nsgflt_match", {[] { return unshare_step(CLONE_NEWNET); }});
  ASSERT_TRUE(last.step());

  auto lines = lines_until(w, [&](const Json& j) { return is(j, "unshare", last.pid()); });
  ASSERT_TRUE(lines) << "the sentinel unshare was not printed";
  bool saw_first = false;
  for (const Json& j : *lines) {
    EXPECT_TRUE(matching(j)) << j.dump();
    if (is(j, "unshare", match.pid())) {
      saw_first = true;
      EXPECT_EQ(j["ns"]["uts"], uts) << "not what /proc/PID/ns/uts said";
    }
  }
  EXPECT_TRUE(saw_first);
  EXPECT_EQ(w.stop(SIGTERM), 0);
}

TEST(WatchFilter, ABadFilterIsRefusedByName) {
  NSG_REQUIRE_PRIVILEGED();
  DaemonProcess d;
  ASSERT_TRUE(d.ready()) << d.log();
  // On the socket: an error reply, and the connection stays a client.
  RawClient c(d.socket());
  c.send_bytes(R"({"op":"watch","pid":[1],"events":["unshare","fork"]})" "\n");
  auto reply = c.read_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ((*reply)["ok"], false);
  EXPECT_EQ((*reply)["error"],
            "watch \"events\": 'fork' is not an event kind (clone, unshare, setns, denied, exit, "
            "lost, suppressed, container_removed)");
  EXPECT_EQ((*reply)["code"], "invalid");
  c.send_bytes(R"({"op":"stats"})" "\n");
  auto stats = c.read_reply();
  ASSERT_TRUE(stats);
  EXPECT_EQ((*stats)["ok"], true) << stats->dump();
  EXPECT_EQ((*stats)["stats"]["bad_requests"], 1) << stats->dump();

  // The binary: a container the daemon does not know, then usage errors.
  auto nowhere = capture({nsgroup_binary(), "watch", "--socket", d.socket(), "--container",
                          "/init_container/nsgflt_nowhere"},
                         -1, std::chrono::seconds(10));
  EXPECT_EQ(nowhere.status, 3);  // not found
  EXPECT_EQ(nowhere.out, "");
  EXPECT_NE(nowhere.err.find("watch: no container at /init_container/nsgflt_nowhere"),
            std::string::npos)
      << nowhere.err;
  auto kind = capture({nsgroup_binary(), "watch", "--socket", d.socket(), "--event", "forks"});
  EXPECT_EQ(kind.status, 2);
  EXPECT_NE(kind.err.find("--event: 'forks' is not an event kind"), std::string::npos) << kind.err;
  // Without a daemon there is no tree: --container fails, not ignored.
  auto alone = capture({nsgroup_binary(), "watch", "--socket", "/tmp/nsgroup-test-none.sock",
                        "--container", "/init_container"},
                       -1, std::chrono::seconds(10));
  EXPECT_EQ(alone.status, 4);  // no daemon
  EXPECT_EQ(alone.out, "");
  EXPECT_NE(alone.err.find("--container needs the daemon"), std::string::npos) << alone.err;
}

TEST(WatchFilter, AContainerWatcherGetsOnlyThatSubtree) {
  NSG_REQUIRE_PRIVILEGED();
  DaemonProcess d;
  ASSERT_TRUE(d.ready()) << d.log();
  Gated holder("nsgflt_holder", {[] { return unshare_step(CLONE_NEWUTS); }, [] { return 0; }});
  ASSERT_TRUE(holder.step());
  std::string path;
  ASSERT_TRUE(eventually([&] {
    Json r = d.request({{"op", "which"}, {"pid", holder.pid()}});
    path = r.value("container", "");
    return !path.empty() && path != "/init_container";
  })) << path;
  WatchProcess filtered({nsgroup_binary(), "watch", "--socket", d.socket(), "--container", path});
  WatchProcess all({nsgroup_binary(), "watch", "--socket", d.socket()});
  ASSERT_TRUE(eventually([&] { return clients(d) >= 3; }));

  Workloads w;
  // Outside the subtree, at the same time as the inside one starts.
  Child outside = fork_child([](int) { return unshare_step(CLONE_NEWIPC); });
  pid_t inside = w.start({"nsenter", "-t", std::to_string(holder.pid()), "-u", "unshare", "-i",
                          "sleep", "60"});
  pid_t outside_pid = outside.pid;
  ASSERT_EQ(outside.wait(), 0);
  ASSERT_TRUE(eventually([&] {
    return differs(inside, "ipc") && ns_inode(inside, "uts") == ns_inode(holder.pid(), "uts");
  }));

  auto lines = lines_until(filtered, [&](const Json& j) { return is(j, "unshare", inside); });
  ASSERT_TRUE(lines) << "the filtered watcher never showed the unshare inside " << path;
  for (const Json& j : *lines) {
    if (j["event"] == "lost")
      continue;
    ASSERT_TRUE(j.contains("container")) << j.dump();
    EXPECT_TRUE(path_within(j["container"].get<std::string>(), path)) << j.dump();
  }
  const Json& made = lines->back();
  EXPECT_EQ(made["ns"]["ipc"], ns_inode(inside, "ipc")) << "not what /proc/PID/ns/ipc says";
  EXPECT_EQ(made["container"], d.request({{"op", "which"}, {"pid", inside}})["container"]);
  EXPECT_NE(made["container"], path);  // a container below it
  // The outside event came, to the unfiltered watcher.
  auto unfiltered = lines_until(all, [&](const Json& j) { return is(j, "unshare", inside); });
  ASSERT_TRUE(unfiltered);
  bool saw_outside = false;
  for (const Json& j : *unfiltered)
    saw_outside = saw_outside || is(j, "unshare", outside_pid);
  EXPECT_TRUE(saw_outside);
  EXPECT_EQ(filtered.stop(SIGTERM), 0);
  EXPECT_EQ(all.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace nsgroup::test
