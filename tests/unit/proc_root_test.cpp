// Every reader of /proc in host/ reads under its ProcFs's root: over a
// fake /proc in a temporary directory, without root, the scan, cgroup
// paths, kill targets, label inputs and the cgroup namespace check see
// what the fake says, not what the real /proc says.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "host/cgroupfs.h"
#include "host/cgroupns.h"
#include "host/kill.h"
#include "host/label_inputs.h"
#include "host/procfs.h"
#include "host/scanner.h"
#include "synthetic.h"

namespace nsgroup {
namespace {

namespace fs = std::filesystem;
using namespace test;  // NOLINT(google-build-using-namespace)

constexpr std::uint64_t kPfKthread = 0x00200000;
const std::string kDockerId = "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb";

// A /proc laid out in a temporary directory, removed at the end.
class FakeProc {
 public:
  FakeProc() {
    char tmpl[] = "/tmp/nsgroup-proc-XXXXXX";
    root_ = ::mkdtemp(tmpl);
  }
  ~FakeProc() { fs::remove_all(root_); }
  FakeProc(const FakeProc&) = delete;
  FakeProc& operator=(const FakeProc&) = delete;

  ProcFs procfs() const { return ProcFs(root_.string()); }
  fs::path path(const std::string& rel) const { return root_ / rel; }

  void file(const std::string& rel, const std::string& text) const {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << text;
  }
  // PID's stat (ppid, flags, start time, comm), and its namespace links
  // as the kernel writes them, each inode `ns_base` + its index.
  void process(std::uint32_t pid, std::uint32_t ppid, std::uint64_t ticks,
               std::uint64_t flags = 0, const std::string& comm = "fake",
               std::uint32_t ns_base = 4026531000) const {
    std::string p = std::to_string(pid);
    file(p + "/stat", p + " (" + comm + ") S " + std::to_string(ppid) + " 1 1 0 -1 " +
                          std::to_string(flags) + " 0 0 0 0 0 0 0 0 20 0 1 0 " +
                          std::to_string(ticks) + " 0 0\n");
    fs::create_directories(root_ / p / "ns");
    for (std::size_t i = 0; i < kNsCount; ++i) {
      std::string type(kNsNames[ns_type_of(i)]);
      fs::create_symlink(type + ":[" + std::to_string(ns_base + ns_type_of(i)) + "]",
                         root_ / p / "ns" / std::string(kNsNames[i]));
    }
  }

 private:
  fs::path root_;
};

TEST(ProcFs, PathsAndReadsAreUnderItsRoot) {
  FakeProc fake;
  fake.process(42, 1, 777, 0, "a b) c");
  fake.file("42/cgroup", "0::/fake.slice/x\n");
  ProcFs proc = fake.procfs();
  EXPECT_EQ(proc.path(42, "stat"), fake.path("42/stat").string());
  EXPECT_EQ(proc.self("mountinfo"), fake.path("self/mountinfo").string());
  auto stat = proc.stat(42);
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->start_ticks, 777U);
  EXPECT_EQ(stat->comm, "a b) c");
  EXPECT_EQ(proc.cgroup_v2(42), "/fake.slice/x");
  EXPECT_TRUE(proc.exists(42));
  // Our own pid is in the real /proc, not in this one.
  EXPECT_FALSE(proc.exists(static_cast<std::uint32_t>(::getpid())));
  EXPECT_EQ(proc.stat(43), std::nullopt);
  EXPECT_EQ(ProcFs().root(), "/proc");
}

TEST(ScannerUnderARoot, ScansTheFakeProcesses) {
  FakeProc fake;
  fake.process(1, 0, 10);
  fake.process(42, 1, 4200, 0, "worker", 4026532000);
  fake.file("42/status", "Name:\tworker\nTgid:\t42\nCapEff:\t00000000a80425fb\n");
  fake.file("42/cgroup", "0::/system.slice/docker-" + kDockerId + ".scope\n");
  Scanner scanner(fake.procfs());
  auto pids = scanner.pids();
  ASSERT_TRUE(pids);
  std::sort(pids->begin(), pids->end());
  EXPECT_EQ(*pids, (std::vector<std::uint32_t>{1, 42}));
  auto snap = scanner.scan();
  ASSERT_TRUE(snap) << snap.error().message();
  ASSERT_EQ(snap->procs.size(), 2U);
  auto worker = scanner.read_process(42);
  ASSERT_TRUE(worker);
  EXPECT_EQ(worker->comm, "worker");
  EXPECT_EQ(worker->start_ticks, 4200U);
  EXPECT_EQ(worker->ns.inum[NSG_NS_NET], 4026532000U + NSG_NS_NET);
  EXPECT_EQ(scanner.tgid(42), 42U);
  EXPECT_EQ(scanner.capabilities(42), 0xa80425fbU);
  auto rt = scanner.runtime(42);
  ASSERT_TRUE(rt);
  EXPECT_EQ(rt->name, "docker");
  EXPECT_EQ(rt->id, kDockerId);
}

TEST(CgroupFsUnderARoot, ProcessesAndTheirCgroupsComeFromIt) {
  FakeProc fake;
  fake.process(2, 0, 1, kPfKthread, "kthreadd");
  fake.process(42, 1, 4200);
  fake.file("42/cgroup", "1:name=systemd:/x\n0::/nsgroup/init_container/container_3\n");
  SystemCgroupFs cg(fake.procfs());
  EXPECT_EQ(cg.cgroup_of(42), "/nsgroup/init_container/container_3");
  EXPECT_EQ(cg.cgroup_of(43), std::nullopt);
  EXPECT_TRUE(cg.is_kernel_thread(2));
  EXPECT_FALSE(cg.is_kernel_thread(42));
  EXPECT_TRUE(cg.process_exists(42));
  EXPECT_FALSE(cg.process_exists(1));  // the real PID 1 is not in the fake
}

TEST(CgroupFsUnderARoot, TheCgroup2MountIsFoundInItsMountinfo) {
  FakeProc fake;
  fake.file("self/mountinfo", "41 31 0:38 / /fake/cgroup2 rw - cgroup2 cgroup2 rw\n");
  EXPECT_EQ(cgroup2_mount(fake.procfs()), "/fake/cgroup2");
  fake.file("self/mountinfo", "22 27 0:21 / /proc rw - proc proc rw\n");
  EXPECT_EQ(cgroup2_mount(fake.procfs()), std::nullopt);
  auto place = prepare_mirror_root("", fake.procfs());
  ASSERT_FALSE(place);
  EXPECT_NE(place.error().message().find("no cgroup2 filesystem"), std::string::npos)
      << place.error().message();
}

// A child of ours that waits to be killed; reaped at the end.
class Child {
 public:
  Child() {
    pid_ = ::fork();
    if (pid_ == 0) {
      ::pause();
      ::_exit(0);
    }
  }
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  std::uint32_t pid() const { return static_cast<std::uint32_t>(pid_); }
  // The signal that ended it, waiting for it at most a few seconds; 0
  // while it lives.
  int killed_by() {
    for (int i = 0; i < 300; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        reaped_ = true;
        return WIFSIGNALED(status) ? WTERMSIG(status) : -1;
      }
      ::usleep(10'000);
    }
    return 0;
  }
  bool alive() const { return ::kill(pid_, 0) == 0; }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

TEST(KillUnderARoot, TheStartTimeIsReadFromIt) {
  Child child;
  ASSERT_GT(child.pid(), 0U);
  FakeProc fake;
  fake.process(child.pid(), 1, 5555);
  // The pidfd is the kernel's; whether it is still the process the tree
  // knew, the fake says.
  EXPECT_TRUE(pidfd_if_started(child.pid(), 5555, fake.procfs()));
  EXPECT_FALSE(pidfd_if_started(child.pid(), 5556, fake.procfs()));
  FakeProc empty;
  EXPECT_FALSE(pidfd_if_started(child.pid(), 5555, empty.procfs()));
}

TEST(KillUnderARoot, OnlyMembersTheFakeVouchesForAreKilled) {
  Child same, reused;
  ASSERT_GT(same.pid(), 0U);
  ASSERT_GT(reused.pid(), 0U);
  TestTree t(root_set());
  NsSet set = with(root_set(), NSG_NS_UTS, kUtsA);
  Event first = unshare(same.pid(), root_set(), set);
  first.start_ticks = 5555;
  ContainerId id = t.apply(first).container;
  Event second = setns(reused.pid(), root_set(), set);
  second.start_ticks = 6666;
  ASSERT_EQ(t.apply(second).container, id);
  FakeProc fake;
  fake.process(same.pid(), 1, 5555);
  fake.process(reused.pid(), 1, 7777);  // another process by now, says the fake
  EXPECT_EQ(kill_members(t, id, [](std::uint32_t) { return false; }, fake.procfs()), 1U);
  EXPECT_EQ(same.killed_by(), SIGKILL);
  EXPECT_TRUE(reused.alive());
}

// What gather_labels asks of the state files: counted, nothing found.
class NoStates final : public RuntimeStateDecoder {
 public:
  std::optional<RuntimeState> runc(std::string_view) const override { return std::nullopt; }
  std::optional<RuntimeState> crun(std::string_view, std::string_view) const override {
    return std::nullopt;
  }
};

TEST(LabelInputsUnderARoot, RuntimeIdsComeFromItsCgroupFiles) {
  TestTree t(root_set());
  Nested n;
  n.chain(into(t));  // a: pid 10, b: pid 20
  FakeProc fake;
  fake.file("10/cgroup", "0::/system.slice/docker-" + kDockerId + ".scope\n");
  fake.file("20/cgroup", "0::/user.slice/session-1.scope\n");
  // A task iterator's scan: cgroup leaves only; the whole path is read.
  ProcInfo a = proc(10, 1, n.a_set, 110);
  a.cgroup_leaf = "docker-" + kDockerId + ".scope";
  ProcInfo b = proc(20, 1, n.b_set, 120);
  b.cgroup_leaf = "session-1.scope";
  std::vector<ContainerId> ids = {n.a, n.b};
  LabelInputs in;
  NoStates states;
  gather_labels(t, {a, b}, ids, in, states, fake.procfs());
  ASSERT_TRUE(in.runtime_id.count(n.a));
  EXPECT_EQ(in.runtime_id.at(n.a).name, "docker");
  EXPECT_EQ(in.runtime_id.at(n.a).id, kDockerId);
  EXPECT_FALSE(in.runtime_id.count(n.b));

  // The /proc scan's way: each container's runtime read by the Scanner.
  fake.file("20/cgroup", "0::/system.slice/docker-" + kDockerId + ".scope\n");
  Scanner scanner(fake.procfs());
  LabelInputs again;
  gather_labels(t, scanner, ids, again, states);
  EXPECT_EQ(again.runtime_id.size(), 2U);
}

TEST(CgroupNamespaceUnderARoot, TheSameNamespaceIsLeftAlone) {
  FakeProc fake;
  fake.process(2, 0, 1, kPfKthread, "kthreadd");
  // Namespace files: ours and kthreadd's, one file (one inode) or two.
  fs::remove(fake.path("2/ns/cgroup"));
  fake.file("2/ns/cgroup", "");
  fake.file("self/task/1/stat", "");
  fs::create_directories(fake.path("self/ns"));
  fs::create_hard_link(fake.path("2/ns/cgroup"), fake.path("self/ns/cgroup"));
  auto same = enter_root_cgroup_namespace(fake.procfs());
  ASSERT_TRUE(same) << same.error().message();
  EXPECT_FALSE(same->entered);
  EXPECT_EQ(same->of_pid, 2U);
  struct stat st {};
  ASSERT_EQ(::stat(fake.path("2/ns/cgroup").c_str(), &st), 0);
  EXPECT_EQ(same->from, st.st_ino);

  // Another one: entering it is tried, and a file that is no namespace
  // is refused by the kernel (setns: EINVAL), whoever we are.
  fs::remove(fake.path("self/ns/cgroup"));
  fake.file("self/ns/cgroup", "");
  auto other = enter_root_cgroup_namespace(fake.procfs());
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message().find("cannot enter"), std::string::npos)
      << other.error().message();
}

}  // namespace
}  // namespace nsgroup
