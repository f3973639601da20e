// The cgroup v2 mirror on the real cgroupfs. Each test runs the daemon
// under a mirror root of its own and removes it at the end; what it checks
// is what the kernel says (cgroup.procs, /proc/PID/cgroup, directories).
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <poll.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <fstream>
#include <functional>
#include <sstream>

#include "mix.h"
#include "cgroupfs_view.h"
#include "support.h"

namespace nsgroup::test {
namespace {

bool write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  f.flush();
  return static_cast<bool>(f);
}

// Every directory below root (not root itself), as absolute paths.
std::set<std::string> dirs_under(const std::string& root) {
  std::set<std::string> out;
  std::function<void(const std::string&)> walk = [&](const std::string& dir) {
    DIR* d = ::opendir(dir.c_str());
    if (!d)
      return;
    while (dirent* e = ::readdir(d)) {
      if (e->d_type == DT_DIR && std::string(e->d_name) != "." &&
          std::string(e->d_name) != "..") {
        out.insert(dir + "/" + e->d_name);
        walk(dir + "/" + e->d_name);
      }
    }
    ::closedir(d);
  };
  walk(root);
  return out;
}

// A cgroup directory of the test's own; whatever is left in it at the end
// goes back to the cgroup2 root and the directories are removed.
class CgroupDir {
 public:
  explicit CgroupDir(const std::string& name) : path_(cgroup2_mount() + "/" + name) {
    ::mkdir(path_.c_str(), 0755);
  }
  ~CgroupDir() {
    auto dirs = dirs_under(path_);
    std::vector<std::string> all(dirs.begin(), dirs.end());
    all.push_back(path_);
    std::sort(all.begin(), all.end(), [](const std::string& a, const std::string& b) {
      return std::count(a.begin(), a.end(), '/') > std::count(b.begin(), b.end(), '/');
    });
    for (const auto& d : all) {
      for (pid_t pid : procs_in(d))
        write_text(cgroup2_mount() + "/cgroup.procs", std::to_string(pid));
      eventually([&] { return ::rmdir(d.c_str()) == 0 || errno == ENOENT; },
                 std::chrono::seconds(2));
    }
  }
  const std::string& path() const { return path_; }
  std::string rel() const { return path_.substr(cgroup2_mount().size()); }

 private:
  std::string path_;
};

std::string unique_name(const char* what) {
  static int seq = 0;
  return std::string("nsgroup-test-") + what + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(++seq);
}

// Every container of a document, flattened (path -> node without children).
void each_container(const Json& c, const std::function<void(const Json&)>& fn) {
  fn(c);
  for (const auto& child : c["children"])
    each_container(child, fn);
}

std::set<pid_t> pids_of(const Json& node) {
  std::set<pid_t> out;
  for (const auto& p : node.value("pids", Json::array()))
    out.insert(p.get<pid_t>());
  return out;
}

std::set<pid_t> foreign_of(const Json& node) {
  std::set<pid_t> out;
  if (node.contains("foreign_cgroup"))
    for (const auto& [k, v] : node["foreign_cgroup"].items())
      out.insert(std::stoi(k));
  return out;
}

bool is_kernel_thread(pid_t pid) {
  std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  std::istringstream rest(stat.substr(close + 2));
  std::string f;
  unsigned long flags = 0;
  for (int i = 3; i <= 9 && rest >> f; ++i)
    if (i == 9)
      flags = std::stoul(f);
  return flags & 0x00200000;  // PF_KTHREAD
}

// The mirror agrees with the tree: each non-root container has its
// directory at the path its tree path implies, holding exactly its members
// (those left in a foreign cgroup aside), and no other directory exists.
// What differs, one line each; empty when they agree.
std::vector<std::string> mirror_mismatches(const Json& doc, const std::string& root) {
  std::vector<std::string> out;
  auto text = [](const std::set<pid_t>& pids) {
    std::string t = "{";
    for (pid_t p : pids)
      t += " " + std::to_string(p);
    return t + " }";
  };
  std::set<std::string> expected;
  each_container(doc["root"], [&](const Json& c) {
    std::string path = c["path"];
    if (path == "/init_container") {
      if (c["cgroup"] != root)
        out.push_back("the root's cgroup is " + c["cgroup"].dump());
      return;
    }
    std::string dir = root + path.substr(std::string("/init_container").size());
    expected.insert(dir);
    if (c["cgroup"] != dir)
      out.push_back(path + ": cgroup " + c["cgroup"].dump() + ", not " + dir);
    if (!is_dir(dir)) {
      out.push_back(dir + " is missing");
      return;
    }
    std::set<pid_t> foreign = foreign_of(c);
    std::set<pid_t> want;
    for (pid_t pid : pids_of(c))
      if (!foreign.count(pid))
        want.insert(pid);
    if (auto have = procs_in(dir); have != want)
      out.push_back(dir + " holds " + text(have) + ", the tree says " + text(want));
    for (pid_t pid : foreign)
      if (cgroup_of(pid) == root)
        out.push_back(std::to_string(pid) + " is foreign but in the mirror root");
  });
  for (const auto& d : dirs_under(root))
    if (!expected.count(d))
      out.push_back(d + ": a directory of no container");
  return out;
}

void expect_mirror_matches(const Json& doc, const std::string& root) {
  auto wrong = mirror_mismatches(doc, root);
  std::string all;
  for (const auto& w : wrong)
    all += "\n  " + w;
  EXPECT_TRUE(wrong.empty()) << "the mirror differs from the tree:" << all;
}

Json tree_of(const DaemonProcess& d) {
  Json reply = d.request({{"op", "tree"}, {"pids", true}});
  EXPECT_EQ(reply["ok"], true) << reply.dump();
  return reply["tree"];
}

class Mirror : public ::testing::Test {
 protected:
  void SetUp() override {
    NSG_REQUIRE_PRIVILEGED();
    if (cgroup2_mount().empty())
      GTEST_SKIP() << "no cgroup2 mount";
    root_ = std::make_unique<CgroupDir>(unique_name("mirror"));
  }
  void TearDown() override {
    workloads_.kill_all();
    if (!mix_.netns_name.empty())
      run({"ip", "netns", "delete", mix_.netns_name});
    daemon_.reset();
    root_.reset();
  }
  void start_daemon(std::vector<std::string> extra = {}) {
    extra.insert(extra.begin(), {"--cgroup-root", root_->path()});
    daemon_ = std::make_unique<DaemonProcess>(extra);
    ASSERT_TRUE(daemon_->ready()) << daemon_->log();
  }
  std::unique_ptr<CgroupDir> root_;
  Workloads workloads_;
  Mix mix_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(Mirror, EveryContainerIsADirectoryHoldingExactlyItsMembers) {
  ASSERT_EQ(cgroup_of(::getpid()), "/") << "the workloads must start in the cgroup2 root";
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  ASSERT_NO_FATAL_FAILURE(start_mix(workloads_, mix_));
  Json doc = tree_of(*daemon_);
  expect_mirror_matches(doc, root_->path());
  // Only kernel threads may stay where they are (the kernel refuses).
  each_container(doc["root"], [&](const Json& c) {
    for (pid_t pid : foreign_of(c))
      EXPECT_TRUE(is_kernel_thread(pid)) << pid << " left foreign";
  });
  // And the tree still equals /proc.
  auto before = read_proc();
  Json again = tree_of(*daemon_);
  expect_matches_kernel(before, again, read_proc());
}

// A second daemon on the first one's socket stops before it touches
// cgroupfs: it makes no mirror root of its own and moves nothing.
TEST_F(Mirror, ASecondDaemonOnTheSameSocketTouchesNoCgroup) {
  start_daemon();
  ASSERT_NO_FATAL_FAILURE(start_mix(workloads_, mix_));
  std::string name = unique_name("second");
  std::string second_root = cgroup2_mount() + "/" + name;
  auto out = capture({nsgroup_binary(), "daemon", "--socket", daemon_->socket(),
                      "--cgroup-root", second_root, "--no-events"});
  bool made = ::access(second_root.c_str(), F_OK) == 0;
  if (made) {
    CgroupDir cleanup(name);  // its destructor removes what the second daemon made
  }
  EXPECT_EQ(out.status, 1) << out.err;
  EXPECT_NE(out.err.find("already serving"), std::string::npos) << out.err;
  EXPECT_FALSE(made) << "the second daemon made " << second_root;
  // The first one still answers, its mirror as it was.
  EXPECT_TRUE(daemon_->request({{"op", "stats"}})["ok"].get<bool>());
}

TEST_F(Mirror, AdoptAutoLeavesAnotherManagersProcessAndAllMovesIt) {
  CgroupDir other(unique_name("manager"));
  std::string script = "echo $$ > " + other.path() + "/cgroup.procs && exec unshare -u sleep 60";
  pid_t pid = workloads_.start({"sh", "-c", script});
  ASSERT_TRUE(eventually([&] { return differs(pid, "uts"); }));
  ASSERT_EQ(cgroup_of(pid), other.rel());

  ASSERT_NO_FATAL_FAILURE(start_daemon());
  Json doc = tree_of(*daemon_);
  Placement p = placement_of(doc);
  std::string path = path_of(p, pid);
  ASSERT_NE(path, "/init_container");
  EXPECT_EQ(cgroup_of(pid), other.rel()) << "adopt=auto moved a foreign process";
  EXPECT_EQ(p.node[path]["foreign_cgroup"][std::to_string(pid)], other.rel());

  daemon_->stop();
  ASSERT_NO_FATAL_FAILURE(start_daemon({"--adopt=all"}));
  doc = tree_of(*daemon_);
  p = placement_of(doc);
  std::string dir = p.node[path_of(p, pid)]["cgroup"];
  EXPECT_TRUE(procs_in(dir).count(pid)) << "adopt=all did not move it";
  EXPECT_TRUE(procs_in(other.path()).empty());
  EXPECT_FALSE(p.node[path_of(p, pid)].contains("foreign_cgroup"));
}

// A cgroup named as a systemd unit is one: --adopt=all leaves its
// processes there (their limits and sandbox stay) unless the unit is
// opted in with --adopt-unit.
TEST_F(Mirror, AdoptAllLeavesAUnitsProcessUnlessTheUnitIsOptedIn) {
  std::string unit = unique_name("unit") + ".service";
  CgroupDir other(unit);
  std::string script = "echo $$ > " + other.path() + "/cgroup.procs && exec unshare -u sleep 60";
  pid_t pid = workloads_.start({"sh", "-c", script});
  ASSERT_TRUE(eventually([&] { return differs(pid, "uts"); }));
  ASSERT_EQ(cgroup_of(pid), other.rel());

  ASSERT_NO_FATAL_FAILURE(start_daemon({"--adopt=all"}));
  Json doc = tree_of(*daemon_);
  Placement p = placement_of(doc);
  std::string path = path_of(p, pid);
  ASSERT_NE(path, "/init_container");
  EXPECT_EQ(cgroup_of(pid), other.rel()) << "adopt=all took a process out of its unit";
  EXPECT_EQ(procs_in(other.path()).count(pid), 1U);

  daemon_->stop();
  ASSERT_NO_FATAL_FAILURE(start_daemon({"--adopt=all", "--adopt-unit", "nsgroup-test-unit-*.service"}));
  doc = tree_of(*daemon_);
  p = placement_of(doc);
  std::string dir = p.node[path_of(p, pid)]["cgroup"];
  EXPECT_TRUE(procs_in(dir).count(pid)) << "the opted-in unit's process was not moved";
  EXPECT_TRUE(procs_in(other.path()).empty());
}

TEST_F(Mirror, DirectoriesGoWithinASecondOfTheirProcesses) {
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  ASSERT_NO_FATAL_FAILURE(start_mix(workloads_, mix_));
  Json doc = tree_of(*daemon_);
  std::set<std::string> workload_dirs;
  Placement p = placement_of(doc);
  for (pid_t pid : {mix_.uts, mix_.net_ipc, mix_.clone3, mix_.nested, mix_.nested_inner()})
    workload_dirs.insert(p.node[path_of(p, pid)]["cgroup"].get<std::string>());
  for (const auto& d : workload_dirs)
    ASSERT_TRUE(is_dir(d));
  workloads_.kill_all();
  std::string left;
  EXPECT_TRUE(eventually(
      [&] {
        left.clear();
        for (const auto& d : workload_dirs)
          if (is_dir(d))
            left += " " + d;
        return left.empty();
      },
      std::chrono::seconds(1)))
      << "still there after a second:" << left;
}

TEST_F(Mirror, RenameMovesDirectoriesAndProcessesAndRefusesBadNames) {
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  pid_t outer = workloads_.start(
      {"unshare", "-u", "sh", "-c", "sleep 60 & unshare -n sleep 60; wait"});
  pid_t inner = -1;
  ASSERT_TRUE(eventually([&] {
    for (pid_t c : children_of(outer))
      if (differs(c, "net"))
        inner = c;
    return inner > 0 && children_of(outer).size() == 2;
  }));
  Placement p = placement_of(tree_of(*daemon_));
  std::string outer_path = path_of(p, outer);
  std::string inner_path = path_of(p, inner);
  ASSERT_EQ(p.parent[inner_path], outer_path);
  std::string old_outer_dir = p.node[outer_path]["cgroup"];
  std::string old_inner_dir = p.node[inner_path]["cgroup"];
  std::set<pid_t> outer_members = pids_of(p.node[outer_path]);
  ASSERT_EQ(outer_members.size(), 2U);
  auto dirs_before = dirs_under(root_->path());

  // Refused names change nothing.
  std::string sibling_name = "taken";
  pid_t sib = workloads_.start({"unshare", "-i", "sleep", "60"});
  ASSERT_TRUE(eventually([&] { return differs(sib, "ipc"); }));
  Placement ps = placement_of(tree_of(*daemon_));
  ASSERT_EQ(daemon_->request({{"op", "rename"}, {"path", path_of(ps, sib)},
                              {"name", sibling_name}})["ok"],
            true);
  dirs_before = dirs_under(root_->path());
  for (const std::string& bad :
       std::vector<std::string>{"a/b", "..", ".", std::string(65, 'n'), sibling_name,
                                std::string("x\0y", 3), "cgroup.procs"}) {
    Json r = daemon_->request({{"op", "rename"}, {"path", outer_path}, {"name", bad}});
    EXPECT_EQ(r["ok"], false) << "accepted " << bad;
    EXPECT_TRUE(r["error"].is_string());
  }
  EXPECT_EQ(dirs_under(root_->path()), dirs_before);
  EXPECT_EQ(path_of(placement_of(tree_of(*daemon_)), outer), outer_path);

  auto out = capture({nsgroup_binary(), "rename", outer_path, "web", "--socket",
                      daemon_->socket()});
  ASSERT_EQ(out.status, 0) << out.err;
  EXPECT_EQ(out.out, "/init_container/web\n");
  Json doc = tree_of(*daemon_);
  expect_mirror_matches(doc, root_->path());
  p = placement_of(doc);
  std::string new_inner = path_of(p, inner);
  EXPECT_EQ(path_of(p, outer), "/init_container/web");
  EXPECT_EQ(p.parent[new_inner], "/init_container/web");
  EXPECT_EQ(procs_in(root_->path() + "/web"), outer_members);
  EXPECT_TRUE(procs_in(p.node[new_inner]["cgroup"]).count(inner));
  EXPECT_FALSE(is_dir(old_outer_dir));
  EXPECT_FALSE(is_dir(old_inner_dir));
  out = capture({nsgroup_binary(), "which", std::to_string(inner), "--socket",
                 daemon_->socket()});
  EXPECT_EQ(out.out, new_inner + "\n");
}

TEST_F(Mirror, KillEndsEveryProcessOfTheSubtreeAndItsDirectories) {
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);  // we reap the orphans
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  pid_t outer = workloads_.start(
      {"unshare", "-u", "sh", "-c",
       "sleep 60 & sleep 60 & unshare -n sh -c 'sleep 60 & sleep 60 & wait'; wait"});
  ASSERT_TRUE(eventually([&] {
    Placement p = placement_of(tree_of(*daemon_));
    std::string o = path_of(p, outer);
    std::size_t n = 0;
    for (const auto& [path, node] : p.node)
      if (path.rfind(o, 0) == 0 && o != "/init_container")
        n += node["nprocs"].get<std::size_t>();
    return n == 6;  // sh and 2 sleeps, then the inner sh and 2 sleeps
  }, std::chrono::seconds(5)));
  Placement p = placement_of(tree_of(*daemon_));
  std::string outer_path = path_of(p, outer);
  std::vector<pid_t> victims;
  std::set<std::string> victim_dirs;
  for (const auto& [path, node] : p.node) {
    if (path.rfind(outer_path, 0) != 0)
      continue;
    victim_dirs.insert(node["cgroup"].get<std::string>());
    for (pid_t pid : pids_of(node))
      victims.push_back(pid);
  }
  ASSERT_GE(victims.size(), 6U);
  ASSERT_GE(victim_dirs.size(), 2U);

  auto out = capture({nsgroup_binary(), "kill", outer_path, "--socket", daemon_->socket()});
  ASSERT_EQ(out.status, 0) << out.err;
  // Reap: our child and the orphans we are subreaper of.
  EXPECT_TRUE(eventually([&] {
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    for (pid_t pid : victims)
      if (::kill(pid, 0) == 0)
        return false;
    return true;
  })) << "a process of the killed container survived";
  EXPECT_TRUE(eventually([&] {
    for (const auto& d : victim_dirs)
      if (is_dir(d))
        return false;
    return true;
  })) << "directories of the killed container remain";
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);
  Json r = daemon_->request({{"op", "kill"}, {"path", "/init_container"}});
  EXPECT_EQ(r["ok"], false);
}

TEST_F(Mirror, RestartAfterSigkillKeepsNamesAndContinuesTheCounter) {
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  ASSERT_NO_FATAL_FAILURE(start_mix(workloads_, mix_));
  Placement before = placement_of(tree_of(*daemon_));
  ASSERT_EQ(daemon_->request({{"op", "rename"}, {"path", path_of(before, mix_.uts)},
                              {"name", "kept"}})["ok"],
            true);
  before = placement_of(tree_of(*daemon_));
  auto dirs_before = dirs_under(root_->path());
  std::uint64_t highest = 0;
  for (const auto& [path, node] : before.node)
    highest = std::max<std::uint64_t>(highest, node["id"].get<std::uint64_t>());

  EXPECT_EQ(daemon_->stop(SIGKILL), 128 + SIGKILL);
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  Json doc = tree_of(*daemon_);
  Placement after = placement_of(doc);
  for (pid_t pid : {mix_.uts, mix_.net_ipc, mix_.netns, mix_.clone3, mix_.nested,
                    mix_.nested_inner(), mix_.nsenter_child()})
    EXPECT_EQ(path_of(after, pid), path_of(before, pid)) << "pid " << pid;
  EXPECT_EQ(path_of(after, mix_.uts), "/init_container/kept");
  EXPECT_EQ(dirs_under(root_->path()), dirs_before);
  expect_mirror_matches(doc, root_->path());

  pid_t fresh = workloads_.start({"unshare", "-u", "sleep", "60"});
  ASSERT_TRUE(eventually([&] { return differs(fresh, "uts"); }));
  Placement now = placement_of(tree_of(*daemon_));
  EXPECT_GT(now.node[path_of(now, fresh)]["id"].get<std::uint64_t>(), highest);
}

TEST_F(Mirror, MaxDescendantsIsCountedAndTheMirrorCatchesUp) {
  ASSERT_TRUE(write_text(root_->path() + "/cgroup.max.descendants", "1"));
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  ASSERT_NO_FATAL_FAILURE(start_mix(workloads_, mix_));
  auto before = read_proc();
  Json doc = tree_of(*daemon_);
  expect_matches_kernel(before, doc, read_proc());
  Json stats = daemon_->request({{"op", "stats"}})["stats"];
  std::uint64_t refused = 0;
  for (const auto& [k, v] : stats["mirror"]["errors"].items())
    if (k.find("cgroup.max.descendants") != std::string::npos)
      refused += v.get<std::uint64_t>();
  EXPECT_GT(refused, 0U) << stats.dump();
  EXPECT_EQ(::kill(daemon_->pid(), 0), 0) << "the daemon died";

  ASSERT_TRUE(write_text(root_->path() + "/cgroup.max.descendants", "max"));
  EXPECT_TRUE(eventually(
      [&] {
        Json d = tree_of(*daemon_);
        bool all = true;
        each_container(d["root"], [&](const Json& c) { all = all && c["cgroup"].is_string(); });
        return all;
      },
      std::chrono::seconds(5)))
      << "the mirror did not catch up";
  expect_mirror_matches(tree_of(*daemon_), root_->path());
}

TEST_F(Mirror, UnshareInALoopConvergesWithoutADirectoryPerCall) {
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  constexpr int kCalls = 5000;
  Child looper = fork_child([](int out) {
    for (int i = 0; i < kCalls; ++i)
      if (::unshare(CLONE_NEWUTS) != 0)
        return 1;
    char done = 'd';
    if (::write(out, &done, 1) != 1)
      return 2;
    for (;;)
      ::pause();
  });
  char done;
  ASSERT_TRUE(looper.read_exact(&done, 1));
  pid_t pid = looper.pid;
  Json doc;
  ASSERT_TRUE(eventually([&] {
    doc = tree_of(*daemon_);
    Placement p = placement_of(doc);
    std::string path = path_of(p, pid);
    return path != "" && path != "/init_container" &&
           p.node[path]["ns"]["uts"] == ns_inode(pid, "uts");
  })) << "the tree did not catch up with the loop";
  Placement p = placement_of(doc);
  EXPECT_EQ(p.parent[path_of(p, pid)], "/init_container") << "a chain of dead containers";
  expect_mirror_matches(doc, root_->path());
  Json stats = daemon_->request({{"op", "stats"}})["stats"];
  EXPECT_GE(stats["events"]["unshare"].get<std::uint64_t>() + stats["lost"].get<std::uint64_t>(),
            static_cast<std::uint64_t>(kCalls) / 2);
  EXPECT_LT(stats["mirror"]["mkdirs"].get<std::uint64_t>(), kCalls / 10U) << stats.dump();
  RecordProperty("stats", stats.dump());
}

TEST_F(Mirror, ARootOutsideCgroup2IsAClearError) {
  auto out = capture({nsgroup_binary(), "daemon", "--no-events", "--socket",
                      "/tmp/nsgroup-test-badroot.sock", "--cgroup-root", "/tmp/not-cgroup"});
  EXPECT_EQ(out.status, 1);
  EXPECT_NE(out.err.find("not inside the cgroup2 mount"), std::string::npos) << out.err;
  EXPECT_EQ(std::count(out.err.begin(), out.err.end(), '\n'), 1);
}

TEST_F(Mirror, AReadOnlyCgroupfsIsCountedAndTheTreeStaysRight) {
  // The daemon sees cgroupfs read-only through a mount namespace of its own.
  std::string script = "mount -o remount,bind,ro " + cgroup2_mount() + " && exec \"$0\" \"$@\"";
  daemon_ = std::make_unique<DaemonProcess>(
      std::vector<std::string>{"--cgroup-root", root_->path()},
      std::vector<std::string>{"unshare", "-m", "--propagation", "private", "sh", "-c", script});
  ASSERT_TRUE(daemon_->ready()) << daemon_->log();
  ASSERT_NO_FATAL_FAILURE(start_mix(workloads_, mix_));
  auto before = read_proc();
  Json doc = tree_of(*daemon_);
  expect_matches_kernel(before, doc, read_proc());
  Json stats = daemon_->request({{"op", "stats"}})["stats"];
  bool erofs = false;
  for (const auto& [k, v] : stats["mirror"]["errors"].items())
    erofs = erofs || k.find("EROFS") != std::string::npos;
  EXPECT_TRUE(erofs) << stats.dump();
  EXPECT_TRUE(dirs_under(root_->path()).empty());
  EXPECT_EQ(daemon_->stop(), 0) << daemon_->log();
}

}  // namespace
}  // namespace nsgroup::test

namespace nsgroup::test {
namespace {

using SoakClock = std::chrono::steady_clock;

// Built with AddressSanitizer (then the daemon is too): slower, and its
// freed memory stays in quarantine.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// The daemon's resident set, KiB (/proc/PID/status VmRSS).
long rss_kib(pid_t pid) {
  std::istringstream in(read_text("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stol(line.substr(6));
  return -1;
}

// Watch clients of one daemon, read (and discarded) by a thread until the
// daemon closes them or the pool goes. `idle` more connect and never read.
class WatchPool {
 public:
  WatchPool(const std::string& socket, int readers, int idle) {
    for (int i = 0; i < readers + idle; ++i) {
      auto c = std::make_unique<RawClient>(socket);
      c->send_bytes("{\"op\":\"watch\"}\n");
      (i < readers ? readers_ : idle_).push_back(std::move(c));
    }
    thread_ = std::thread([this] { run(); });
  }
  ~WatchPool() { stop(); }
  void stop() {
    if (!stop_.exchange(true))
      thread_.join();
  }
  // Readers that received nothing after the watch acknowledgement.
  int starved() const {
    int n = 0;
    for (std::size_t b : received_)
      n += b <= kAckBytes;
    return n;
  }

 private:
  void run() {
    std::vector<pollfd> fds;
    for (const auto& c : readers_)
      fds.push_back({c->fd.get(), POLLIN, 0});
    received_.assign(fds.size(), 0);
    char buf[65536];
    while (!stop_) {
      if (::poll(fds.data(), fds.size(), 100) <= 0)
        continue;
      for (std::size_t i = 0; i < fds.size(); ++i) {
        pollfd& p = fds[i];
        if (p.fd < 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR)))
          continue;
        ssize_t n = ::read(p.fd, buf, sizeof buf);
        if (n <= 0)
          p.fd = -1;  // closed by the daemon (killed, or dropped us)
        else
          received_[i] += static_cast<std::size_t>(n);
      }
    }
  }
  static constexpr std::size_t kAckBytes = 64;  // {"ok":true,...} and its newline
  std::vector<std::size_t> received_;
  std::vector<std::unique_ptr<RawClient>> readers_, idle_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
};

// Sum of the "count" of every line of `kind` among a daemon's events.
std::uint64_t printed_count(const std::string& events, const std::string& kind) {
  std::uint64_t n = 0;
  std::istringstream in(events);
  std::string line;
  while (std::getline(in, line)) {
    auto j = Json::parse(line, nullptr, false);
    if (j.is_object() && j.value("event", "") == kind)
      n += j.value("count", std::uint64_t{0});
  }
  return n;
}

// Sixty seconds of everything at once against a mirroring daemon: loops of
// unshare (containers made and gone), a fork storm inside a container, an
// unprivileged setns flood, 50 watch clients (one never reads), and a
// kill -9 and restart of the daemon halfway. Afterwards the tree equals
// /proc, the mirror holds no stale directory, the daemon's memory is back
// near where it started, and what it dropped is counted.
TEST_F(Mirror, SoakOfMixedLoadWithARestartEndsTrueCleanAndCounted) {
  using namespace std::chrono_literals;
  ASSERT_NO_FATAL_FAILURE(start_daemon({DaemonProcess::kPrintEvents}));
  ASSERT_NO_FATAL_FAILURE(start_mix(workloads_, mix_));
  (void)tree_of(*daemon_);
  std::this_thread::sleep_for(2s);  // a tick or two: labels, state, trims
  long rss_start = rss_kib(daemon_->pid());
  ASSERT_GT(rss_start, 0);

  const auto soak = 60s;
  const auto deadline = SoakClock::now() + soak;
  std::vector<Child> load;
  load.push_back(fork_child([deadline](int) {  // containers made and gone
    while (SoakClock::now() < deadline) {
      pid_t c = ::fork();
      if (c == 0)
        ::_exit(::unshare(CLONE_NEWUTS | CLONE_NEWIPC) == 0 ? 0 : 1);
      ::waitpid(c, nullptr, 0);
    }
    return 0;
  }));
  load.push_back(fork_child([deadline](int) {  // a fork storm in a container
    if (::unshare(CLONE_NEWUTS) != 0)
      return 1;
    while (SoakClock::now() < deadline) {
      pid_t c = ::fork();
      if (c == 0)
        ::_exit(0);
      ::waitpid(c, nullptr, 0);
    }
    return 0;
  }));
  load.push_back(fork_child([deadline](int) {  // any user's denied flood
    if (::setgid(65534) != 0 || ::setuid(65534) != 0)
      return 1;
    while (SoakClock::now() < deadline)
      for (int i = 0; i < 1000; ++i)
        (void)::setns(-1, 0);
    return 0;
  }));
  auto watchers = std::make_unique<WatchPool>(daemon_->socket(), 49, 1);

  std::this_thread::sleep_for(soak / 2);
  // Halfway: the daemon dies without a word and comes back.
  EXPECT_EQ(daemon_->stop(SIGKILL), 128 + SIGKILL);
  watchers.reset();
  ASSERT_NO_FATAL_FAILURE(start_daemon({DaemonProcess::kPrintEvents}));
  watchers = std::make_unique<WatchPool>(daemon_->socket(), 49, 1);

  for (Child& c : load)
    EXPECT_EQ(c.wait(), 0);
  long rss_loaded = rss_kib(daemon_->pid());
  watchers->stop();
  // The one that never read cost the others nothing: each got its stream.
  EXPECT_EQ(watchers->starved(), 0);
  watchers.reset();

  // Within a second of the load's end, the tree is the kernel's, and the
  // mirror the tree's (a sanitizer build, several times slower, gets 10 s
  // to drain what the load left in the ring).
  std::this_thread::sleep_for(1s);
  auto before = read_proc();
  Json doc = tree_of(*daemon_);
  expect_matches_kernel(before, doc, read_proc());
  eventually([&] { return mirror_mismatches(doc = tree_of(*daemon_), root_->path()).empty(); },
             kSanitized ? 10s : 1s);
  expect_mirror_matches(doc, root_->path());

  // Memory: back within 10% of the first daemon's before the load.
  std::this_thread::sleep_for(2s);
  long rss_end = rss_kib(daemon_->pid());
  std::printf("soak: daemon RSS %ld KiB before the load, %ld KiB at its end, %ld KiB after\n",
              rss_start, rss_loaded, rss_end);
  if (!kSanitized)  // ASan keeps freed memory in quarantine by design
    EXPECT_LE(rss_end, rss_start + rss_start / 10);

  // What the restarted daemon dropped is counted, and what it printed of
  // its drops adds up to its counters.
  Json stats = daemon_->request({{"op", "stats"}})["stats"];
  std::string events = daemon_->events();
  std::printf("soak: dropped %s, lost %s, containers made %s\n", stats["dropped"].dump().c_str(),
              stats["lost"].dump().c_str(), stats["containers_created"].dump().c_str());
  EXPECT_EQ(printed_count(events, "lost"), stats["lost"].get<std::uint64_t>());
  EXPECT_EQ(printed_count(events, "suppressed"),
            stats["dropped"]["suppressed"].get<std::uint64_t>());
  EXPECT_GT(stats["dropped"]["suppressed"].get<std::uint64_t>(), 0U);
  EXPECT_EQ(stats["suppressed_by_uid"]["65534"], stats["dropped"]["suppressed"]);
}

}  // namespace
}  // namespace nsgroup::test
