// The container tree against the kernel's ground truth: real workloads,
// then `nsgroup tree --pids` compared with /proc/PID/ns/* of every process.
#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/sched.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "util/socket.h"
#include "mix.h"
#include "support.h"

namespace nsgroup::test {
namespace {

using Json = nlohmann::ordered_json;

class TreeGroundTruth : public ::testing::Test {
 protected:
  void SetUp() override { NSG_REQUIRE_PRIVILEGED(); }
  void TearDown() override {
    workloads_.kill_all();
    if (!mix_.netns_name.empty())
      run({"ip", "netns", "delete", mix_.netns_name});
  }
  Json tree_from(const DaemonProcess& d) {
    Json reply = d.request({{"op", "tree"}, {"pids", true}});
    EXPECT_TRUE(reply["ok"].get<bool>());
    return reply["tree"];
  }
  Workloads workloads_;
  Mix mix_;
};

TEST_F(TreeGroundTruth, LiveDaemon) {
  DaemonProcess d;
  ASSERT_TRUE(d.ready()) << d.log();
  ASSERT_NO_FATAL_FAILURE(start_mix(workloads_, mix_));
  auto before = read_proc();
  Json doc = tree_from(d);
  auto after = read_proc();
  EXPECT_EQ(doc["source"], "daemon");
  expect_matches_kernel(before, doc, after);
  expect_mix_structure(doc, mix_);
}

// Scans run on a thread of their own while events go on: with a scan
// every second during the workloads' start, the tree still agrees with
// the kernel (what events did after a scan began wins over the scan).
TEST_F(TreeGroundTruth, LiveDaemonScanningEverySecondOffTheLoop) {
  DaemonProcess d({"--reconcile-interval", "1"});
  ASSERT_TRUE(d.ready()) << d.log();
  ASSERT_NO_FATAL_FAILURE(start_mix(workloads_, mix_));
  int scans = d.request({{"op", "stats"}})["stats"]["reconciles"].get<int>();
  ASSERT_TRUE(eventually([&] {
    return d.request({{"op", "stats"}})["stats"]["reconciles"].get<int>() >= scans + 2;
  })) << "the periodic scans did not run";
  auto before = read_proc();
  Json doc = tree_from(d);
  auto after = read_proc();
  expect_matches_kernel(before, doc, after);
  expect_mix_structure(doc, mix_);
}

TEST_F(TreeGroundTruth, DaemonStartedAfterTheWorkloads) {
  ASSERT_NO_FATAL_FAILURE(start_mix(workloads_, mix_));
  DaemonProcess d;
  ASSERT_TRUE(d.ready()) << d.log();
  auto before = read_proc();
  Json doc = tree_from(d);
  auto after = read_proc();
  expect_matches_kernel(before, doc, after);
  expect_mix_structure(doc, mix_);
}

TEST_F(TreeGroundTruth, OneShotScanWithoutADaemon) {
  ASSERT_NO_FATAL_FAILURE(start_mix(workloads_, mix_));
  auto before = read_proc();
  auto out = capture({nsgroup_binary(), "tree", "--pids", "--socket",
                      "/tmp/nsgroup-test-no-daemon.sock"});
  auto after = read_proc();
  ASSERT_EQ(out.status, 0) << out.err;
  Json doc = Json::parse(out.out);
  EXPECT_EQ(doc["source"], "scan");
  expect_matches_kernel(before, doc, after);
  expect_mix_structure(doc, mix_);
}

// Both one-shot scans (the task iterator and /proc) agree with the kernel, and both label a container by the
// hostname of its UTS namespace: the iterator reads it from the kernel's
// uts_namespace, the /proc scan with a setns into it.
TEST_F(TreeGroundTruth, OneShotScansByIteratorAndByProcAgree) {
  ASSERT_NO_FATAL_FAILURE(start_mix(workloads_, mix_));
  pid_t named = workloads_.start(
      {"unshare", "-u", "sh", "-c", "hostname nsg-label-test && exec sleep 120"});
  std::string truth;
  ASSERT_TRUE(eventually([&] {
    auto h = capture({"nsenter", "-t", std::to_string(named), "-u", "hostname"});
    truth = h.out;
    return h.status == 0 && truth == "nsg-label-test\n";
  })) << truth;
  for (bool proc : {false, true}) {
    SCOPED_TRACE(proc ? "--proc-scan" : "task iterator");
    std::vector<std::string> argv{nsgroup_binary(), "tree", "--pids", "--socket",
                                  "/tmp/nsgroup-test-no-daemon.sock"};
    argv.push_back(proc ? "--scan=proc" : "--scan=iterator");
    auto before = read_proc();
    auto out = capture(argv);
    auto after = read_proc();
    ASSERT_EQ(out.status, 0) << out.err;
    Json doc = Json::parse(out.out);
    expect_matches_kernel(before, doc, after);
    expect_mix_structure(doc, mix_);
    Placement p = placement_of(doc);
    std::string path = path_of(p, named);
    ASSERT_FALSE(path.empty());
    EXPECT_EQ(p.node[path]["label"], "hostname:nsg-label-test");
  }
}

TEST_F(TreeGroundTruth, DaemonScanningProcAgrees) {
  ASSERT_NO_FATAL_FAILURE(start_mix(workloads_, mix_));
  DaemonProcess d({"--scan=proc"});
  ASSERT_TRUE(d.ready()) << d.log();
  auto before = read_proc();
  Json doc = tree_from(d);
  auto after = read_proc();
  expect_matches_kernel(before, doc, after);
  expect_mix_structure(doc, mix_);
  EXPECT_NE(d.log().find("scans: /proc"), std::string::npos) << d.log();
}

TEST_F(TreeGroundTruth, WhichAnswersTheTreePath) {
  DaemonProcess d;
  ASSERT_TRUE(d.ready()) << d.log();
  ASSERT_NO_FATAL_FAILURE(start_mix(workloads_, mix_));
  Placement p = placement_of(tree_from(d));
  pid_t inner = mix_.nested_inner();
  auto out = capture({nsgroup_binary(), "which", std::to_string(inner),
                      "--socket", d.socket()});
  EXPECT_EQ(out.status, 0) << out.err;
  EXPECT_EQ(out.out, path_of(p, inner) + "\n");
  out = capture({nsgroup_binary(), "which", "1"});
  // PID 1 may be unreadable (then listed at the root) or in the root.
  EXPECT_EQ(out.status, 0);
  out = capture({nsgroup_binary(), "which", "4194304", "--socket", d.socket()});
  EXPECT_EQ(out.status, 3);
  EXPECT_NE(out.err.find("no process"), std::string::npos) << out.err;
}

TEST_F(TreeGroundTruth, ContainersGoWhenWorkloadsExitButPinnedOnesStay) {
  DaemonProcess d;
  ASSERT_TRUE(d.ready()) << d.log();
  ASSERT_NO_FATAL_FAILURE(start_mix(workloads_, mix_));
  Placement p = placement_of(tree_from(d));
  std::set<std::string> workload_paths;
  for (pid_t pid : {mix_.uts, mix_.net_ipc, mix_.netns, mix_.clone3,
                    mix_.nested_inner(), mix_.nested})
    workload_paths.insert(path_of(p, pid));
  workload_paths.erase("/init_container");
  ASSERT_GE(workload_paths.size(), 5U);

  std::string who = " uts=" + std::to_string(mix_.uts) +
                    " nsenter=" + std::to_string(mix_.nsenter) +
                    " nsenter_child=" + std::to_string(mix_.nsenter_child());
  workloads_.kill_all();
  std::string left;
  auto gone = [&] {
    Placement now = placement_of(tree_from(d));
    left.clear();
    for (const auto& path : workload_paths)
      if (now.node.count(path))
        left += " " + path + " (" + now.node[path]["label"].dump() + " pids " + now.node[path]["pids"].dump() + ")";
    return left.empty();
  };
  EXPECT_TRUE(eventually(gone, std::chrono::seconds(1)))
      << "containers still there one second after their processes exited:"
      << left << who;

  // The ip netns namespace is still bind-mounted: its container stays.
  auto pinned = [&]() -> std::optional<Json> {
    Placement now = placement_of(tree_from(d));
    for (const auto& [path, node] : now.node)
      if (node["label"] == "ip-netns:" + mix_.netns_name)
        return node;
    return std::nullopt;
  };
  auto node = pinned();
  ASSERT_TRUE(node) << "the ip netns container is gone";
  EXPECT_EQ((*node)["nprocs"], 0);
  EXPECT_TRUE((*node)["pinned"].get<bool>());
  EXPECT_EQ((*node)["ns"]["net"], file_inode("/run/netns/" + mix_.netns_name));

  ASSERT_EQ(run({"ip", "netns", "delete", mix_.netns_name}), 0);
  mix_.netns_name.clear();
  EXPECT_TRUE(eventually([&] { return !pinned(); }, std::chrono::seconds(3)))
      << "the ip netns container outlived ip netns delete";
}

// Issue 12's measured bug: a network namespace pinned by `ip netns add`
// whose only process sits in a deeper set (ip netns exec's own mount
// namespace) when the daemon starts. When that process exits, the pinned
// namespace's container stays in the tree.
TEST(Pinned, ANetnsEnteredBeforeTheDaemonStartsStaysWhenItsProcessExits) {
  NSG_REQUIRE_PRIVILEGED();
  std::string name = "nsgpin" + std::to_string(::getpid());
  ASSERT_EQ(run({"ip", "netns", "add", name}), 0);
  // Deleted however the test ends: a failed assertion returns early.
  struct NetnsDeleter {
    std::string name;
    ~NetnsDeleter() { run({"ip", "netns", "delete", name}); }
  } deleter{name};
  Workloads w;
  pid_t sleeper = w.start({"ip", "netns", "exec", name, "sleep", "120"});
  const std::uint64_t pinned = file_inode("/run/netns/" + name);
  EXPECT_TRUE(eventually([&] {
    return ns_inode(sleeper, "net") == pinned && ns_inode(sleeper, "mnt") != ns_inode(::getpid(), "mnt");
  }));
  DaemonProcess d;
  EXPECT_TRUE(d.ready()) << d.log();
  w.kill_all();
  ASSERT_TRUE(eventually([&] { return ::kill(sleeper, 0) != 0; }));
  // The sleep's container goes; blue's stays, empty and labelled.
  Json node;
  bool stayed = eventually([&] {
    Placement p = placement_of(d.request({{"op", "tree"}, {"pids", true}})["tree"]);
    bool sleep_gone = p.paths.find(sleeper) == p.paths.end();
    for (const auto& [path, n] : p.node)
      if (n["label"] == "ip-netns:" + name)
        node = n;
    return sleep_gone && !node.is_null();
  });
  ASSERT_TRUE(stayed) << "no container labelled ip-netns:" << name << " after its process exited";
  EXPECT_EQ(node["nprocs"], 0);
  EXPECT_EQ(node["ns"]["net"].get<std::uint64_t>(), pinned);
}

TEST(ControlSocket, BadInputGetsErrorsAndTheDaemonServesOn) {
  NSG_REQUIRE_PRIVILEGED();
  DaemonProcess d;
  ASSERT_TRUE(d.ready()) << d.log();

  RawClient a(d.socket());
  a.send_bytes("this is not json\n");
  auto r = a.read_reply();
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)["ok"], false);
  EXPECT_TRUE((*r)["error"].is_string());
  a.send_bytes("{\"op\":\"frobnicate\"}\n");
  r = a.read_reply();
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)["ok"], false);
  a.send_bytes("[1,2,3]\n{\"no_op\":1}\n");
  EXPECT_EQ((*a.read_reply())["ok"], false);
  EXPECT_EQ((*a.read_reply())["ok"], false);
  a.send_bytes("{\"op\":\"which\",\"pid\":\"abc\"}\n");
  EXPECT_EQ((*a.read_reply())["ok"], false);
  // The same connection still works after errors.
  a.send_bytes("{\"op\":\"stats\"}\n");
  EXPECT_EQ((*a.read_reply())["ok"], true);

  {
    RawClient big(d.socket());
    big.send_bytes(std::string(10 << 20, 'x'));
    auto reply = big.read_reply();
    if (reply)  // an error reply, then the connection is closed
      EXPECT_EQ((*reply)["ok"], false);
    EXPECT_FALSE(big.read_reply());
  }
  {
    RawClient watcher(d.socket());
    watcher.send_bytes("{\"op\":\"watch\"}\n");
    EXPECT_EQ((*watcher.read_reply())["ok"], true);
    // Leaves mid-stream while events flow.
    Child c = fork_child([](int) { return ::unshare(CLONE_NEWUTS); });
    c.wait();
  }
  {
    RawClient half(d.socket());
    half.send_bytes("{\"op\":\"tr");  // and disconnects mid-request
  }
  Child c = fork_child([](int) { return ::unshare(CLONE_NEWUTS); });
  c.wait();

  Json reply = d.request({{"op", "tree"}});
  EXPECT_EQ(reply["ok"], true);
  EXPECT_EQ(reply["tree"]["root"]["name"], "init_container");
  EXPECT_EQ(d.stop(), 0) << d.log();
}

TEST(ControlSocket, WatchStreamsEventsWithTheirContainers) {
  NSG_REQUIRE_PRIVILEGED();
  DaemonProcess d;
  ASSERT_TRUE(d.ready()) << d.log();
  RawClient w(d.socket());
  w.send_bytes("{\"op\":\"watch\"}\n");
  ASSERT_EQ((*w.read_reply())["ok"], true);
  Child c = fork_child([](int) { return ::unshare(CLONE_NEWUTS) == 0 ? 0 : 1; });
  pid_t pid = c.pid;
  ASSERT_EQ(c.wait(), 0);
  bool saw_unshare = false, saw_removed = false;
  std::string container;
  for (int i = 0; i < 50 && !(saw_unshare && saw_removed); ++i) {
    auto ev = w.read_reply();
    ASSERT_TRUE(ev);
    if ((*ev)["event"] == "unshare" && (*ev)["pid"] == pid) {
      saw_unshare = true;
      container = (*ev)["container"];
      EXPECT_EQ((*ev)["from"], "/init_container");
      EXPECT_EQ((*ev)["created"], true);
    }
    if (saw_unshare && (*ev)["event"] == "container_removed" &&
        (*ev)["container"] == container)
      saw_removed = true;
  }
  EXPECT_TRUE(saw_unshare);
  EXPECT_TRUE(saw_removed);
}

void expect_watch_reports_an_unshare(WatchProcess& w, bool with_container) {
  // Retried: the watcher may still be attaching when the first one runs.
  std::optional<Json> ev;
  for (int attempt = 0; attempt < 50 && !ev; ++attempt) {
    Child c = fork_child([](int) { return ::unshare(CLONE_NEWUTS); });
    pid_t pid = c.pid;
    ASSERT_EQ(c.wait(), 0);
    ::usleep(100'000);
    // Non-blocking check: is there a line for this pid yet?
    int flags = ::fcntl(w.out.get(), F_GETFL);
    ::fcntl(w.out.get(), F_SETFL, flags | O_NONBLOCK);
    ev = w.next([&](const Json& j) { return j["event"] == "unshare" && j["pid"] == pid; });
    ::fcntl(w.out.get(), F_SETFL, flags);
  }
  ASSERT_TRUE(ev) << "nsgroup watch printed no unshare event";
  EXPECT_EQ((*ev)["new_ns"], Json::array({"uts"}));
  EXPECT_EQ(ev->contains("container"), with_container);
}

TEST(WatchCommand, StreamsFromTheDaemonAndStopsWithStatusZero) {
  NSG_REQUIRE_PRIVILEGED();
  DaemonProcess d;
  ASSERT_TRUE(d.ready()) << d.log();
  WatchProcess w({nsgroup_binary(), "watch", "--socket", d.socket()});
  ASSERT_NO_FATAL_FAILURE(expect_watch_reports_an_unshare(w, true));
  EXPECT_EQ(w.stop(SIGINT), 0);
}

TEST(WatchCommand, LoadsItsOwnProgramsWithoutADaemonAndStopsWithStatusZero) {
  NSG_REQUIRE_PRIVILEGED();
  WatchProcess w({nsgroup_binary(), "watch", "--socket", "/tmp/nsgroup-test-none.sock"});
  ASSERT_NO_FATAL_FAILURE(expect_watch_reports_an_unshare(w, false));
  EXPECT_EQ(w.stop(SIGTERM), 0);
}

TEST(Threads, AChildForkedByAThreadInOtherNamespacesIsPlacedByItsOwnSet) {
  NSG_REQUIRE_PRIVILEGED();
  DaemonProcess d;
  ASSERT_TRUE(d.ready()) << d.log();
  // A process whose second thread unshares its network namespace alone,
  // then forks: the child has the thread's namespaces, not the leader's.
  Child proc = fork_child([](int out) {
    pid_t child = -1;
    std::thread t([&] {
      if (::unshare(CLONE_NEWNET) != 0)
        return;
      child = ::fork();
      if (child == 0) {
        for (;;)
          ::pause();
      }
    });
    t.join();
    if (child <= 0 || ::write(out, &child, sizeof child) != sizeof child)
      return 1;
    for (;;)
      ::pause();
  });
  pid_t child = -1;
  ASSERT_TRUE(proc.read_exact(&child, sizeof child));
  Workloads w;
  w.adopt(child);
  ASSERT_NE(ns_inode(child, "net"), ns_inode(proc.pid, "net"));
  auto before = read_proc();
  Json tree = d.request({{"op", "tree"}, {"pids", true}})["tree"];
  expect_matches_kernel(before, tree, read_proc());
  Placement p = placement_of(tree);
  EXPECT_NE(path_of(p, child), path_of(p, proc.pid));
  EXPECT_EQ(p.node[path_of(p, child)]["ns"]["net"], ns_inode(child, "net"));
  EXPECT_EQ(path_of(p, proc.pid), "/init_container");
  // Placed by the event, not by a rescan.
  EXPECT_EQ(d.request({{"op", "stats"}})["stats"]["reconciles"], 1);
}

// `which` of a thread id (not a process id) names the process's container,
// and costs no rescan.
TEST(Threads, WhichOfAThreadIdAnswersForItsProcess) {
  NSG_REQUIRE_PRIVILEGED();
  DaemonProcess d;
  ASSERT_TRUE(d.ready()) << d.log();
  Child proc = fork_child([](int out) {
    if (::unshare(CLONE_NEWUTS) != 0)
      return 1;
    pid_t tid = -1;
    std::thread t([&] {
      tid = static_cast<pid_t>(::syscall(SYS_gettid));
      if (::write(out, &tid, sizeof tid) != sizeof tid)
        return;
      for (;;)
        ::pause();
    });
    t.join();
    return 0;
  });
  pid_t tid = -1;
  ASSERT_TRUE(proc.read_exact(&tid, sizeof tid));
  ASSERT_NE(tid, proc.pid);
  ASSERT_TRUE(eventually([&] {
    return placement_of(d.request({{"op", "tree"}, {"pids", true}})["tree"]).paths.count(proc.pid);
  }));
  Placement p = placement_of(d.request({{"op", "tree"}, {"pids", true}})["tree"]);
  int scans = d.request({{"op", "stats"}})["stats"]["reconciles"].get<int>();
  Json r = d.request({{"op", "which"}, {"pid", tid}});
  ASSERT_EQ(r["ok"], true) << r.dump();
  EXPECT_EQ(r["tgid"], proc.pid);
  EXPECT_EQ(r["container"], path_of(p, proc.pid));
  EXPECT_NE(r["container"], "/init_container");
  EXPECT_EQ(d.request({{"op", "stats"}})["stats"]["reconciles"].get<int>(), scans);
  auto out = capture({nsgroup_binary(), "which", std::to_string(tid), "--socket",
                      "/tmp/nsgroup-test-no-daemon.sock"});
  EXPECT_EQ(out.status, 0) << out.err;
  EXPECT_NE(out.out, "/init_container\n") << "the one-shot which answered for the thread alone";
}

TEST(Losses, ALostRecordIsReportedAndTheRescanHealsTheTree) {
  NSG_REQUIRE_PRIVILEGED();
  DaemonProcess d({"--ring-buffer-kib", "4"});  // about a dozen records
  ASSERT_TRUE(d.ready()) << d.log();
  WatchProcess w({nsgroup_binary(), "watch", "--socket", d.socket()});
  ASSERT_TRUE(eventually([&] {
    return d.request({{"op", "stats"}})["stats"]["clients"].get<int>() >= 2;
  }));
  // A burst: 300 processes enter new namespaces at once and stay there.
  Workloads burst;
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  std::vector<pid_t> pids;
  for (int i = 0; i < 300; ++i) {
    pid_t pid = ::fork();
    if (pid == 0) {
      char c;
      ::close(go[1]);
      if (::read(go[0], &c, 1) != 0)
        ::_exit(2);
      if (::unshare(CLONE_NEWUTS) != 0)
        ::_exit(1);
      ::pause();
      ::_exit(0);
    }
    pids.push_back(pid);
    burst.adopt(pid);
  }
  ::close(go[0]);
  // The daemon stopped while all of them go at once: the ring buffer
  // cannot be drained, so records are lost for certain.
  ASSERT_EQ(::kill(d.pid(), SIGSTOP), 0);
  ::close(go[1]);
  bool all = eventually([&] {
    for (pid_t pid : pids)
      if (!differs(pid, "uts"))
        return false;
    return true;
  });
  ASSERT_EQ(::kill(d.pid(), SIGCONT), 0);
  ASSERT_TRUE(all);
  auto lost = w.next([](const Json& j) { return j["event"] == "lost"; });
  ASSERT_TRUE(lost) << "no lost event";
  EXPECT_GT((*lost)["count"].get<int>(), 0);
  // The rescan runs on the scan thread: its snapshot is applied when ready.
  Json stats;
  EXPECT_TRUE(eventually([&] {
    stats = d.request({{"op", "stats"}})["stats"];
    return stats["reconciles"].get<int>() >= 2;
  })) << "no rescan after the loss";
  EXPECT_GT(stats["lost"].get<int>(), 0);
  // After the rescan the tree has every one of them, each in its own set.
  auto before = read_proc();
  Json tree = d.request({{"op", "tree"}, {"pids", true}})["tree"];
  expect_matches_kernel(before, tree, read_proc());
  Placement p = placement_of(tree);
  for (pid_t pid : pids)
    EXPECT_NE(path_of(p, pid), "/init_container") << pid;
  EXPECT_EQ(w.stop(SIGTERM), 0);
}

TEST(ControlSocket, TheDaemonsOwnHostnameReadsAreNotEvents) {
  NSG_REQUIRE_PRIVILEGED();
  DaemonProcess d;
  ASSERT_TRUE(d.ready()) << d.log();
  Workloads w;
  pid_t uts = w.start({"unshare", "-u", "sleep", "60"});
  ASSERT_TRUE(eventually([&] { return differs(uts, "uts"); }));
  RawClient watcher(d.socket());
  watcher.send_bytes("{\"op\":\"watch\"}\n");
  ASSERT_EQ((*watcher.read_reply())["ok"], true);
  // Labels: the daemon setns's a helper thread into the container's uts.
  Json tree = d.request({{"op", "tree"}});
  ASSERT_EQ(tree["ok"], true);
  Child marker = fork_child([](int) { return ::unshare(CLONE_NEWUTS); });
  pid_t mpid = marker.pid;
  ASSERT_EQ(marker.wait(), 0);
  for (;;) {
    auto ev = watcher.read_reply();
    ASSERT_TRUE(ev);
    EXPECT_NE((*ev)["pid"], d.pid()) << ev->dump();
    if ((*ev)["event"] == "unshare" && (*ev)["pid"] == mpid)
      break;
  }
}

}  // namespace
}  // namespace nsgroup::test
