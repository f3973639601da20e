// The tracer against the real kernel: each test makes a namespace change
// in a child and compares the event with what /proc/PID/ns says.
#include <fcntl.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/sched.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <chrono>
#include <set>
#include <thread>

#include "host/procfs.h"
#include "host/scanner.h"
#include "support.h"
#include "util/file.h"

namespace nsgroup::test {
namespace {

bool has_flag(const Event& e, std::uint64_t flag) { return (e.flags & flag) != 0; }

class Events : public ::testing::Test {
 protected:
  void SetUp() override {
    NSG_REQUIRE_PRIVILEGED();
    log_ = std::make_unique<EventLog>();
  }

  std::optional<Event> wait_kind(EventKind kind, pid_t pid) {
    return log_->wait_for([&](const Event& e) {
      return e.kind == kind && e.pid == static_cast<std::uint32_t>(pid);
    });
  }

  std::unique_ptr<EventLog> log_;
};

struct UnshareCase {
  std::uint64_t flag;
  std::size_t index;  // the /proc/PID/ns link that changes
};

class UnshareEach : public Events,
                    public ::testing::WithParamInterface<UnshareCase> {};

TEST_P(UnshareEach, EventMatchesTheChildsOwnLink) {
  const auto c = GetParam();
  Child child = fork_child([&](int out) {
    if (::unshare(static_cast<int>(c.flag)) != 0)
      return 1;
    // pid_for_children reads as nothing until a first child exists in the
    // new pid namespace: make one.
    if (c.flag == CLONE_NEWPID) {
      pid_t gc = ::fork();
      if (gc == 0)
        ::_exit(0);
      ::waitpid(gc, nullptr, 0);
    }
    write_self_ns(out);
    return 0;
  });
  NsSet seen;
  ASSERT_TRUE(child.read_exact(&seen, sizeof seen)) << "unshare failed";
  pid_t pid = child.pid;
  ASSERT_EQ(child.wait(), 0);

  auto e = wait_kind(EventKind::Unshare, pid);
  ASSERT_TRUE(e) << "no unshare event for " << kNsNames[c.index];
  EXPECT_EQ(e->tid, e->pid);
  EXPECT_TRUE(has_flag(*e, c.flag));
  EXPECT_EQ(e->syscall, Syscall::Unshare);
  EXPECT_EQ(e->ret, 0);
  EXPECT_EQ(ns_mask_names(e->changed_mask()),
            std::vector<std::string>{std::string(kNsNames[c.index])});
  EXPECT_EQ(e->after.inum[c.index], seen.inum[c.index]);
  EXPECT_NE(e->before.inum[c.index], seen.inum[c.index]);
  // The other nine links agree too.
  EXPECT_EQ(e->after.inum, seen.inum);
}

INSTANTIATE_TEST_SUITE_P(
    EightTypes, UnshareEach,
    ::testing::Values(UnshareCase{CLONE_NEWCGROUP, NSG_NS_CGROUP},
                      UnshareCase{CLONE_NEWIPC, NSG_NS_IPC},
                      UnshareCase{CLONE_NEWNS, NSG_NS_MNT},
                      UnshareCase{CLONE_NEWNET, NSG_NS_NET},
                      UnshareCase{CLONE_NEWPID, NSG_NS_PID_FOR_CHILDREN},
                      UnshareCase{CLONE_NEWTIME, NSG_NS_TIME_FOR_CHILDREN},
                      UnshareCase{CLONE_NEWUSER, NSG_NS_USER},
                      UnshareCase{CLONE_NEWUTS, NSG_NS_UTS}),
    [](const auto& info) {
      return std::string(kNsNames[info.param.index] ==
                                 std::string_view("pid_for_children")
                             ? "pid"
                         : kNsNames[info.param.index] ==
                                 std::string_view("time_for_children")
                             ? "time"
                             : kNsNames[info.param.index]);
    });

TEST_F(Events, Clone3WithNewUtsAndIpc) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  clone_args args{};
  args.flags = CLONE_NEWUTS | CLONE_NEWIPC;
  args.exit_signal = SIGCHLD;
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid == 0) {
    ::close(fds[0]);
    write_self_ns(fds[1]);
    ::_exit(0);
  }
  ASSERT_GT(pid, 0) << std::strerror(errno);
  ::close(fds[1]);
  Child child;
  child.pid = static_cast<pid_t>(pid);
  child.out = UniqueFd(fds[0]);
  NsSet seen;
  ASSERT_TRUE(child.read_exact(&seen, sizeof seen));
  ASSERT_EQ(child.wait(), 0);

  auto e = wait_kind(EventKind::Clone, static_cast<pid_t>(pid));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->ppid, static_cast<std::uint32_t>(::getpid()));
  EXPECT_EQ(e->syscall, Syscall::Clone3);
  EXPECT_TRUE(has_flag(*e, CLONE_NEWUTS));
  EXPECT_TRUE(has_flag(*e, CLONE_NEWIPC));
  EXPECT_EQ(ns_mask_names(e->changed_mask()),
            (std::vector<std::string>{"ipc", "uts"}));
  EXPECT_EQ(e->after.inum, seen.inum);
  EXPECT_EQ(e->before.inum, ns_inodes(::getpid()).inum);
}

TEST_F(Events, UnshareNewPidThenForkGivesACloneForTheChild) {
  Child child = fork_child([&](int out) {
    if (::unshare(CLONE_NEWPID) != 0)
      return 1;
    int fds[2];
    if (::pipe(fds) != 0)
      return 2;
    pid_t gc = ::fork();
    if (gc == 0) {
      // PID 1 of the new namespace: report the host pid via the parent.
      ::close(fds[0]);
      write_self_ns(fds[1]);
      ::_exit(0);
    }
    ::close(fds[1]);
    NsSet s;
    if (::read(fds[0], &s, sizeof s) != static_cast<ssize_t>(sizeof s))
      return 3;
    ::waitpid(gc, nullptr, 0);
    std::uint32_t host_pid = static_cast<std::uint32_t>(gc);
    if (::write(out, &host_pid, sizeof host_pid) != sizeof host_pid ||
        ::write(out, &s, sizeof s) != static_cast<ssize_t>(sizeof s))
      return 4;
    return 0;
  });
  std::uint32_t gc_pid = 0;
  NsSet seen;
  ASSERT_TRUE(child.read_exact(&gc_pid, sizeof gc_pid));
  ASSERT_TRUE(child.read_exact(&seen, sizeof seen));
  pid_t parent = child.pid;
  ASSERT_EQ(child.wait(), 0);

  auto e = wait_kind(EventKind::Clone, static_cast<pid_t>(gc_pid));
  ASSERT_TRUE(e) << "no clone event for the first child in the new pid ns";
  EXPECT_EQ(e->ppid, static_cast<std::uint32_t>(parent));
  EXPECT_EQ(ns_mask_names(e->changed_mask()), std::vector<std::string>{"pid"});
  EXPECT_EQ(e->after.inum, seen.inum);
}

// Both ways of reading the caller's task (plain loads where the kernel has
// bpf_get_current_task_btf(), helper reads elsewhere) give the sets /proc
// gives, for a caller of the initial pid namespace and for one a level
// down, whose pid namespace is read through a variable index.
class ReadPath : public ::testing::TestWithParam<bool> {};

TEST_P(ReadPath, UnshareAtPidLevelsZeroAndOneMatchesProc) {
  NSG_REQUIRE_PRIVILEGED();
  TracerOptions opts = EventLog::own_events();
  opts.plain_loads = GetParam();
  EventLog log(opts);
  for (bool nested : {false, true}) {
    SCOPED_TRACE(nested ? "pid level 1" : "pid level 0");
    Child child = fork_child([&](int out) {
      if (nested) {
        if (::unshare(CLONE_NEWPID) != 0)
          return 1;
        pid_t gc = ::fork();
        if (gc < 0)
          return 2;
        if (gc != 0) {
          int st = 0;
          ::waitpid(gc, &st, 0);
          return WIFEXITED(st) ? WEXITSTATUS(st) : 3;
        }
      }
      if (::unshare(CLONE_NEWUTS | CLONE_NEWIPC) != 0)
        ::_exit(4);
      // Our pid and start time as the host's /proc knows them.
      auto stat = read_file("/proc/self/stat");
      auto fields = stat ? parse_stat(*stat) : std::nullopt;
      if (!fields)
        ::_exit(5);
      std::uint32_t host_pid = static_cast<std::uint32_t>(std::stoul(*stat));
      std::uint64_t start = fields->start_ticks;
      if (::write(out, &host_pid, sizeof host_pid) != sizeof host_pid ||
          ::write(out, &start, sizeof start) != sizeof start)
        ::_exit(6);
      write_self_ns(out);
      ::_exit(0);
    });
    std::uint32_t pid = 0;
    std::uint64_t start = 0;
    NsSet seen;
    ASSERT_TRUE(child.read_exact(&pid, sizeof pid));
    ASSERT_TRUE(child.read_exact(&start, sizeof start));
    ASSERT_TRUE(child.read_exact(&seen, sizeof seen));
    ASSERT_EQ(child.wait(), 0);
    auto e = log.wait_for([&](const Event& ev) {
      return ev.kind == EventKind::Unshare && ev.pid == pid;
    });
    ASSERT_TRUE(e) << "no unshare event";
    EXPECT_EQ(e->after.inum, seen.inum);
    EXPECT_EQ(ns_mask_names(e->changed_mask()),
              (std::vector<std::string>{"ipc", "uts"}));
    EXPECT_EQ(e->before.inum[NSG_NS_PID], seen.inum[NSG_NS_PID]);
    EXPECT_EQ(e->start_ticks, start);
  }
}

INSTANTIATE_TEST_SUITE_P(PlainAndHelper, ReadPath, ::testing::Bool(),
                         [](const auto& info) {
                           return std::string(info.param ? "PlainLoads" : "HelperReads");
                         });

// A process in new net, uts and ipc namespaces to setns into; stopped by
// SIGKILL when the test ends.
Child make_target() {
  return fork_child([](int out) {
    if (::unshare(CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC) != 0)
      return 1;
    char ok = 'k';
    if (::write(out, &ok, 1) != 1)
      return 2;
    for (;;)
      ::pause();
  });
}

// Waits for the caller's setns event and checks it against the ten links
// the caller read after its call. Returns the event (empty on failure).
std::optional<Event> expect_setns_matches(EventLog& log, Child& caller,
                                          std::uint64_t nstype) {
  NsSet seen;
  if (!caller.read_exact(&seen, sizeof seen)) {
    ADD_FAILURE() << "setns failed in the caller";
    return std::nullopt;
  }
  pid_t pid = caller.pid;
  EXPECT_EQ(caller.wait(), 0);
  auto e = log.wait_for([&](const Event& ev) {
    return ev.kind == EventKind::Setns &&
           ev.pid == static_cast<std::uint32_t>(pid);
  });
  if (!e) {
    ADD_FAILURE() << "no setns event";
    return std::nullopt;
  }
  EXPECT_EQ(e->flags, nstype);
  EXPECT_EQ(e->syscall, Syscall::Setns);
  EXPECT_EQ(e->ret, 0);
  EXPECT_EQ(e->after.inum, seen.inum);
  return e;
}

TEST_F(Events, SetnsByNamespaceFd) {
  Child target = make_target();
  char ok;
  ASSERT_TRUE(target.read_exact(&ok, 1));
  std::string path = "/proc/" + std::to_string(target.pid) + "/ns/net";
  Child caller = fork_child([&](int out) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0)
      return 1;
    write_self_ns(out);
    return 0;
  });
  auto e = expect_setns_matches(*log_, caller, CLONE_NEWNET);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->after.inum[NSG_NS_NET], ns_inode(target.pid, "net"));
  EXPECT_EQ(ns_mask_names(e->changed_mask()), std::vector<std::string>{"net"});
}

TEST_F(Events, SetnsWithNstypeZero) {
  Child target = make_target();
  char ok;
  ASSERT_TRUE(target.read_exact(&ok, 1));
  std::string path = "/proc/" + std::to_string(target.pid) + "/ns/uts";
  Child caller = fork_child([&](int out) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::setns(fd, 0) != 0)
      return 1;
    write_self_ns(out);
    return 0;
  });
  auto e = expect_setns_matches(*log_, caller, 0);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->after.inum[NSG_NS_UTS], ns_inode(target.pid, "uts"));
}

TEST_F(Events, SetnsByPidfdWithSeveralFlags) {
  Child target = make_target();
  char ok;
  ASSERT_TRUE(target.read_exact(&ok, 1));
  pid_t tpid = target.pid;
  const std::uint64_t flags = CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC;
  Child caller = fork_child([&](int out) {
    int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, tpid, 0));
    if (pidfd < 0 || ::setns(pidfd, static_cast<int>(flags)) != 0)
      return 1;
    write_self_ns(out);
    return 0;
  });
  auto e = expect_setns_matches(*log_, caller, flags);
  ASSERT_TRUE(e);
  NsSet target_ns = ns_inodes(tpid);
  for (std::size_t i : {NSG_NS_NET, NSG_NS_UTS, NSG_NS_IPC})
    EXPECT_EQ(e->after.inum[i], target_ns.inum[i]) << kNsNames[i];
  EXPECT_EQ(ns_mask_names(e->changed_mask()),
            (std::vector<std::string>{"ipc", "net", "uts"}));
}

TEST_F(Events, UnprivilegedUnshareIsDeniedWithEperm) {
  Child child = fork_child([](int out) {
    if (::setresgid(65534, 65534, 65534) != 0 ||
        ::setresuid(65534, 65534, 65534) != 0)
      return 1;
    int rc = ::unshare(CLONE_NEWNET);
    int err = errno;
    if (::write(out, &err, sizeof err) != sizeof err)
      return 2;
    return rc == 0 ? 3 : 0;
  });
  int err = 0;
  ASSERT_TRUE(child.read_exact(&err, sizeof err));
  pid_t pid = child.pid;
  ASSERT_EQ(child.wait(), 0) << "unshare unexpectedly succeeded";
  ASSERT_EQ(err, EPERM);

  auto e = wait_kind(EventKind::Denied, pid);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->ret, -EPERM);
  EXPECT_EQ(e->uid, 65534U);
  EXPECT_EQ(e->syscall, Syscall::Unshare);
  EXPECT_TRUE(has_flag(*e, CLONE_NEWNET));
  EXPECT_EQ(e->changed_mask(), 0U);
}

TEST_F(Events, FailedCloneWithNewNamespacesIsDenied) {
  Child child = fork_child([](int out) {
    if (::setresgid(65534, 65534, 65534) != 0 ||
        ::setresuid(65534, 65534, 65534) != 0)
      return 1;
    clone_args args{};
    args.flags = CLONE_NEWNET;
    args.exit_signal = SIGCHLD;
    long rc = ::syscall(SYS_clone3, &args, sizeof args);
    if (rc == 0)
      ::_exit(0);
    int err = errno;
    if (::write(out, &err, sizeof err) != sizeof err)
      return 2;
    return rc < 0 ? 0 : 3;
  });
  int err = 0;
  ASSERT_TRUE(child.read_exact(&err, sizeof err));
  pid_t pid = child.pid;
  ASSERT_EQ(child.wait(), 0);
  auto e = wait_kind(EventKind::Denied, pid);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->ret, -err);
  EXPECT_EQ(e->syscall, Syscall::Clone3);
  EXPECT_TRUE(has_flag(*e, CLONE_NEWNET));
}

TEST_F(Events, ThousandPlainForksGiveNoEvent) {
  std::set<std::uint32_t> forked;
  for (int i = 0; i < 1000; ++i) {
    pid_t pid = ::fork();
    if (pid == 0)
      ::_exit(0);
    ASSERT_GT(pid, 0);
    forked.insert(static_cast<std::uint32_t>(pid));
  }
  for (std::size_t i = 0; i < forked.size(); ++i)
    ::wait(nullptr);
  // A marker: once its event is here, every earlier record is too.
  Child marker = fork_child([](int) { return ::unshare(CLONE_NEWUTS); });
  pid_t mpid = marker.pid;
  ASSERT_EQ(marker.wait(), 0);
  ASSERT_TRUE(wait_kind(EventKind::Unshare, mpid));
  const std::uint32_t self = static_cast<std::uint32_t>(::getpid());
  for (const Event& e : log_->events()) {
    EXPECT_FALSE(forked.count(e.pid)) << to_string(e.kind) << " for a plain fork";
    if (e.pid != static_cast<std::uint32_t>(mpid))
      EXPECT_NE(e.ppid, self) << to_string(e.kind) << " from the test process";
  }
}

TEST_F(Events, ExitArrivesForAProcessThatWasInAnEvent) {
  Child child = fork_child([](int) { return ::unshare(CLONE_NEWUTS) == 0 ? 7 : 1; });
  pid_t pid = child.pid;
  ASSERT_EQ(child.wait(), 7);
  ASSERT_TRUE(wait_kind(EventKind::Unshare, pid));
  auto e = wait_kind(EventKind::Exit, pid);
  ASSERT_TRUE(e);
  EXPECT_EQ((e->exit_code >> 8) & 0xff, 7U);
}

TEST_F(Events, UnshareUtilityGivesUnshareThenExit) {
  pid_t pid = spawn({"unshare", "-u", "true"});
  ASSERT_EQ(wait_status(pid), 0);
  auto e = wait_kind(EventKind::Unshare, pid);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->comm, "unshare");
  EXPECT_EQ(clone_flag_names(e->flags), std::vector<std::string>{"CLONE_NEWUTS"});
  EXPECT_EQ(ns_mask_names(e->changed_mask()), std::vector<std::string>{"uts"});
  EXPECT_TRUE(wait_kind(EventKind::Exit, pid));
}

class IpNetns : public Events {
 protected:
  void TearDown() override {
    if (!name_.empty())
      run({"ip", "netns", "delete", name_});
  }
  std::string name_ = "nsgtest" + std::to_string(::getpid());
};

TEST_F(IpNetns, AddExecDelete) {
  pid_t add = spawn({"ip", "netns", "add", name_});
  ASSERT_EQ(wait_status(add), 0);
  const std::uint64_t bound = file_inode("/run/netns/" + name_);
  ASSERT_NE(bound, 0U);
  auto created = wait_kind(EventKind::Unshare, add);
  ASSERT_TRUE(created) << "ip netns add gave no unshare event";
  EXPECT_TRUE(has_flag(*created, CLONE_NEWNET));
  EXPECT_EQ(created->after.inum[NSG_NS_NET], bound);

  pid_t exec = spawn({"ip", "netns", "exec", name_, "true"});
  ASSERT_EQ(wait_status(exec), 0);
  auto entered = wait_kind(EventKind::Setns, exec);
  ASSERT_TRUE(entered) << "ip netns exec gave no setns event";
  EXPECT_EQ(entered->after.inum[NSG_NS_NET], bound);
  EXPECT_TRUE(entered->changed_mask() & (1U << NSG_NS_NET));
  // It also unshares a mount namespace to remount /sys for the netns.
  auto remount = wait_kind(EventKind::Unshare, exec);
  ASSERT_TRUE(remount);
  EXPECT_EQ(ns_mask_names(remount->changed_mask()), std::vector<std::string>{"mnt"});

  pid_t del = spawn({"ip", "netns", "delete", name_});
  ASSERT_EQ(wait_status(del), 0);
  EXPECT_EQ(file_inode("/run/netns/" + name_), 0U);
  name_.clear();
  // Deleting creates or enters nothing: a marker proves the log is current.
  Child marker = fork_child([](int) { return ::unshare(CLONE_NEWUTS); });
  pid_t mpid = marker.pid;
  ASSERT_EQ(marker.wait(), 0);
  ASSERT_TRUE(wait_kind(EventKind::Unshare, mpid));
  for (const Event& e : log_->events())
    EXPECT_FALSE(e.pid == static_cast<std::uint32_t>(del) &&
                 e.kind != EventKind::Exit)
        << to_string(e.kind) << " from ip netns delete";
}

TEST_F(Events, NsenterIntoAnotherNetNamespace) {
  Child target = make_target();
  char ok;
  ASSERT_TRUE(target.read_exact(&ok, 1));
  pid_t pid = spawn({"nsenter", "-t", std::to_string(target.pid), "-n", "true"});
  ASSERT_EQ(wait_status(pid), 0);
  auto e = wait_kind(EventKind::Setns, pid);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->comm, "nsenter");
  EXPECT_EQ(e->after.inum[NSG_NS_NET], ns_inode(target.pid, "net"));
  EXPECT_EQ(ns_mask_names(e->changed_mask()), std::vector<std::string>{"net"});
}

// A child that drops to uid 65534 and calls setns(-1, 0) `calls` times;
// returns how many the kernel refused with EBADF (read back from it).
int denied_flood(int calls, pid_t* pid) {
  Child c = fork_child([calls](int out) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0)
      return 1;
    int refused = 0;
    for (int i = 0; i < calls; ++i)
      refused += ::setns(-1, 0) != 0 && errno == EBADF;
    return ::write(out, &refused, sizeof refused) == sizeof refused ? 0 : 2;
  });
  int refused = -1;
  *pid = c.pid;
  if (!c.read_exact(&refused, sizeof refused) || c.wait() != 0)
    return -1;
  return refused;
}

std::uint64_t denied_of(const EventLog& log, pid_t pid) {
  return static_cast<std::uint64_t>(
      std::count_if(log.events().begin(), log.events().end(), [&](const Event& e) {
        return e.kind == EventKind::Denied && e.pid == static_cast<std::uint32_t>(pid);
      }));
}

TEST(DeniedRate, AFloodIsSuppressedPerUidAndEveryRecordIsAccountedFor) {
  NSG_REQUIRE_PRIVILEGED();
  TracerOptions opts = EventLog::own_events();
  opts.denied_rate = 10;
  opts.denied_burst = 5;
  EventLog log(opts);
  constexpr int kCalls = 3000;
  auto started = std::chrono::steady_clock::now();
  pid_t pid = 0;
  ASSERT_EQ(denied_flood(kCalls, &pid), kCalls) << "the kernel did not refuse every call";
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  log.drain();
  ASSERT_EQ(log.tracer().take_lost(), 0U);
  std::uint64_t sent = denied_of(log, pid);
  std::uint64_t suppressed = log.tracer().take_drops(Drop::Suppressed);
  // Every refused call is either delivered or counted, never both.
  EXPECT_EQ(sent + suppressed, static_cast<std::uint64_t>(kCalls));
  EXPECT_GE(sent, 5U);  // the burst
  EXPECT_LE(sent, 5U + static_cast<std::uint64_t>(10 * took) + 2) << "over the rate";
  auto by_uid = log.tracer().take_suppressed();
  auto nobody = std::find_if(by_uid.begin(), by_uid.end(),
                             [](const UidCount& u) { return u.uid == 65534; });
  ASSERT_NE(nobody, by_uid.end()) << "uid 65534 is not named";
  EXPECT_EQ(nobody->count, suppressed);
  for (const Event& e : log.events())
    if (e.kind == EventKind::Denied && e.pid == static_cast<std::uint32_t>(pid))
      EXPECT_EQ(e.uid, 65534U);
  // Deltas, not running totals.
  EXPECT_EQ(log.tracer().take_drops(Drop::Suppressed), 0U);
  EXPECT_TRUE(log.tracer().take_suppressed().empty());
}

TEST(DeniedRate, ZeroMeansEveryDeniedRecordIsSent) {
  NSG_REQUIRE_PRIVILEGED();
  TracerOptions opts = EventLog::own_events();
  opts.denied_rate = 0;
  EventLog log(opts);
  constexpr int kCalls = 2 * static_cast<int>(kDefaultDeniedBurst);
  pid_t pid = 0;
  ASSERT_EQ(denied_flood(kCalls, &pid), kCalls);
  log.drain();
  EXPECT_EQ(denied_of(log, pid), static_cast<std::uint64_t>(kCalls));
  EXPECT_EQ(log.tracer().take_drops(Drop::Suppressed), 0U);
}

// A process one of whose threads enters another net namespace, forks, and
// (with `back`) returns; then the process forks. Its pid.
pid_t thread_round_trip(const std::string& target_net, bool back) {
  Child c = fork_child([&](int out) {
    int home = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    int away = ::open(target_net.c_str(), O_RDONLY | O_CLOEXEC);
    if (home < 0 || away < 0)
      return 1;
    bool ok = true;
    std::thread t([&] {  // Go's LockOSThread + setns, and back
      ok = ::setns(away, CLONE_NEWNET) == 0 && (!back || ::setns(home, CLONE_NEWNET) == 0);
    });
    t.join();
    if (!ok)
      return 2;
    pid_t gc = ::fork();
    if (gc == 0)
      ::_exit(0);
    ::waitpid(gc, nullptr, 0);
    return 0;
  });
  pid_t pid = c.pid;
  return c.wait() == 0 ? pid : -1;
}

TEST(Tracking, AThreadThatEntersAndLeavesLeavesItsProcessUntracked) {
  NSG_REQUIRE_PRIVILEGED();
  EventLog log;
  log.tracer().set_root_ns(Scanner().root_ns());
  Child target = make_target();
  char ok;
  ASSERT_TRUE(target.read_exact(&ok, 1));
  std::string net = "/proc/" + std::to_string(target.pid) + "/ns/net";
  pid_t round_trip = thread_round_trip(net, true);
  ASSERT_GT(round_trip, 0);
  pid_t stays = thread_round_trip(net, false);
  ASSERT_GT(stays, 0);
  // Control: a leader that enters the namespace is tracked, and its fork
  // is reported; it comes last, so the others' records are in by then.
  Child leader = fork_child([&](int) {
    int away = ::open(net.c_str(), O_RDONLY | O_CLOEXEC);
    if (away < 0 || ::setns(away, CLONE_NEWNET) != 0)
      return 1;
    pid_t gc = ::fork();
    if (gc == 0)
      ::_exit(0);
    ::waitpid(gc, nullptr, 0);
    return 0;
  });
  pid_t lpid = leader.pid;
  ASSERT_EQ(leader.wait(), 0);
  ASSERT_TRUE(log.wait_for([&](const Event& e) {
    return e.kind == EventKind::Fork && e.ppid == static_cast<std::uint32_t>(lpid);
  })) << "the control's fork was not reported";
  for (pid_t pid : {round_trip, stays}) {
    // Its threads' setns records came: the process was seen...
    EXPECT_TRUE(std::any_of(log.events().begin(), log.events().end(), [&](const Event& e) {
      return e.kind == EventKind::Setns && e.pid == static_cast<std::uint32_t>(pid) &&
             e.tid != e.pid;
    }));
    // ...and, its leader never having left the initial namespaces, it is
    // not tracked: its fork gives no record.
    for (const Event& e : log.events())
      EXPECT_FALSE(e.kind == EventKind::Fork && e.ppid == static_cast<std::uint32_t>(pid))
          << "pid " << pid << " stayed tracked";
  }
}

TEST(EventLoss, ABoundedConsumeDeliversThatManyAndTheRestNextTime) {
  NSG_REQUIRE_PRIVILEGED();
  std::vector<Event> got;
  Tracer tracer =
      Tracer::open(EventLog::own_events(), [&](const Event& e) { got.push_back(e); }).value();
  std::vector<pid_t> pids;
  for (int i = 0; i < 30; ++i) {
    Child c = fork_child([](int) { return ::unshare(CLONE_NEWUTS); });
    pids.push_back(c.pid);
    ASSERT_EQ(c.wait(), 0);
  }
  EXPECT_EQ(tracer.consume(7), 7);
  EXPECT_EQ(got.size(), 7U);
  while (tracer.consume(7) != 0) {
  }
  EXPECT_EQ(tracer.take_lost(), 0U);
  // Each unshare once, in the order they happened: none skipped, none twice.
  std::vector<pid_t> unshares;
  for (const Event& e : got)
    if (e.kind == EventKind::Unshare && std::find(pids.begin(), pids.end(), static_cast<pid_t>(e.pid)) != pids.end())
      unshares.push_back(static_cast<pid_t>(e.pid));
  EXPECT_EQ(unshares, pids);
}

TEST(EventLoss, AFullRingBufferIsCountedNotSilent) {
  NSG_REQUIRE_PRIVILEGED();
  TracerOptions opts = EventLog::own_events();
  opts.ring_bytes = 4096;  // room for about a dozen records
  std::vector<Event> got;
  Tracer tracer = Tracer::open(opts, [&](const Event& e) { got.push_back(e); }).value();
  // 50 unshares and their exits, none consumed while they happen.
  for (int i = 0; i < 50; ++i) {
    Child c = fork_child([](int) { return ::unshare(CLONE_NEWUTS); });
    ASSERT_EQ(c.wait(), 0);
  }
  tracer.consume();
  std::uint64_t lost = tracer.take_lost();
  EXPECT_GT(lost, 0U);
  EXPECT_GE(got.size() + lost, 100U);  // nothing vanished uncounted
  EXPECT_EQ(tracer.take_lost(), 0U);   // a delta, not a running total
}

}  // namespace
}  // namespace nsgroup::test
