// The daemon started in a cgroup namespace of its own, as in a pod on
// cgroup v2: moved into a child cgroup (the pod's), then `unshare --cgroup`.
// There the host's cgroup2 mount reads as rooted outside the namespace and
// /proc/PID/cgroup as "/../..": the daemon must enter the host's cgroup
// namespace, then mirror and label as on the host. What is checked is what
// the kernel says (cgroup.procs, /proc/PID/cgroup, /proc/PID/ns/cgroup).
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "mix.h"
#include "cgroupfs_view.h"
#include "support.h"

namespace nsgroup::test {
namespace {

std::string ns_link(pid_t pid, const char* ns) {
  char buf[64] = {};
  std::string path = "/proc/" + std::to_string(pid) + "/ns/" + ns;
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
}

// A cgroup directory of the test's own (below the cgroup2 root); at the
// end whatever is in it or below goes back to the cgroup2 root and the
// directories are removed, deepest first.
class CgroupDir {
 public:
  explicit CgroupDir(const std::string& rel) : path_(cgroup2_mount() + rel), rel_(rel) {
    ::mkdir(path_.c_str(), 0755);
  }
  ~CgroupDir() {
    std::vector<std::string> all;
    std::function<void(const std::string&)> walk = [&](const std::string& dir) {
      all.push_back(dir);
      if (DIR* d = ::opendir(dir.c_str())) {
        while (dirent* e = ::readdir(d))
          if (e->d_type == DT_DIR && e->d_name[0] != '.')
            walk(dir + "/" + e->d_name);
        ::closedir(d);
      }
    };
    walk(path_);
    std::reverse(all.begin(), all.end());  // deepest first
    for (const auto& d : all) {
      for (pid_t pid : procs_in(d))
        std::ofstream(cgroup2_mount() + "/cgroup.procs") << pid;
      eventually([&] { return ::rmdir(d.c_str()) == 0 || errno == ENOENT; },
                 std::chrono::seconds(2));
    }
  }
  const std::string& path() const { return path_; }
  const std::string& rel() const { return rel_; }

 private:
  std::string path_, rel_;
};

std::string hex64() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^ ::getpid());
  std::string out;
  for (int i = 0; i < 4; ++i) {
    char part[17];
    std::snprintf(part, sizeof part, "%016llx", static_cast<unsigned long long>(gen()));
    out += part;
  }
  return out;
}

void each_container(const Json& c, const std::function<void(const Json&)>& fn) {
  fn(c);
  for (const auto& child : c["children"])
    each_container(child, fn);
}

// What differs between the mirror and a tree document (empty: nothing):
// each non-root container has its directory under root, holding exactly
// its live members other than those it reports in another manager's cgroup.
std::vector<std::string> mirror_mismatches(const Json& doc, const std::string& root) {
  std::vector<std::string> out;
  each_container(doc["root"], [&](const Json& c) {
    std::string path = c["path"];
    if (path == "/init_container") {
      if (c["cgroup"] != root)
        out.push_back("the root's cgroup is " + c["cgroup"].dump());
      return;
    }
    std::string dir = root + path.substr(std::string("/init_container").size());
    if (c["cgroup"] != dir || !is_dir(dir)) {
      out.push_back(path + ": cgroup " + c["cgroup"].dump() + ", not the directory " + dir);
      return;
    }
    std::set<pid_t> want;
    for (const auto& p : c["pids"]) {
      pid_t pid = p.get<pid_t>();
      if (!c.contains("foreign_cgroup") || !c["foreign_cgroup"].contains(std::to_string(pid)))
        want.insert(pid);
    }
    std::set<pid_t> have = procs_in(dir);
    for (pid_t pid : want)
      if (!have.count(pid) && ::kill(pid, 0) == 0)
        out.push_back(dir + " lacks " + std::to_string(pid));
    for (pid_t pid : have)
      if (!want.count(pid))
        out.push_back(dir + " holds " + std::to_string(pid) + ", which the tree has elsewhere");
  });
  return out;
}

class CgroupNamespace : public ::testing::Test {
 protected:
  void SetUp() override {
    NSG_REQUIRE_PRIVILEGED();
    if (cgroup2_mount().empty())
      GTEST_SKIP() << "no cgroup2 mount";
    if (ns_link(::getpid(), "cgroup").empty())
      GTEST_SKIP() << "no cgroup namespaces";
    ASSERT_EQ(cgroup_of(::getpid()), "/") << "the test must start in the cgroup2 root";
    std::string tag = std::to_string(::getpid());
    pod_ = std::make_unique<CgroupDir>("/nsgroup-test-cgns-pod-" + tag);
    mirror_ = std::make_unique<CgroupDir>("/nsgroup-test-cgns-mirror-" + tag);
    runtime_ = std::make_unique<CgroupDir>("/nsgroup-test-cgns-runtime-" + tag);
  }
  void TearDown() override {
    workloads_.kill_all();
    daemon_.reset();
    scope_.reset();
    runtime_.reset();
    mirror_.reset();
    pod_.reset();
  }
  // `sh` moves itself into the pod's cgroup, then unshares a cgroup
  // namespace rooted there and execs what follows.
  std::vector<std::string> in_pod(const std::vector<std::string>& more = {}) const {
    std::vector<std::string> w = {"sh", "-c",
                                  "echo $$ > " + pod_->path() +
                                      "/cgroup.procs && exec unshare --cgroup \"$@\"",
                                  "sh"};
    w.insert(w.end(), more.begin(), more.end());
    return w;
  }
  std::unique_ptr<CgroupDir> pod_, mirror_, runtime_, scope_;
  Workloads workloads_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(CgroupNamespace, TheDaemonEntersTheHostsAndMirrorsAndLabels) {
  // A process in a cgroup shaped like docker's (systemd driver), in a uts
  // namespace of its own; and one in the cgroup2 root.
  std::string id = hex64();
  scope_ = std::make_unique<CgroupDir>(runtime_->rel() + "/docker-" + id + ".scope");
  pid_t docker = workloads_.start(
      {"sh", "-c", "echo $$ > " + scope_->path() + "/cgroup.procs && exec unshare -u sleep 120"});
  pid_t plain = workloads_.start({"unshare", "-u", "sleep", "120"});
  ASSERT_TRUE(eventually([&] { return differs(docker, "uts") && differs(plain, "uts"); }));
  ASSERT_EQ(cgroup_of(docker), scope_->rel());

  daemon_ = std::make_unique<DaemonProcess>(
      std::vector<std::string>{"--cgroup-root", mirror_->path()}, in_pod());
  ASSERT_TRUE(daemon_->ready()) << daemon_->log();
  pid_t agent = daemon_->pid();
  // It ran where it was put: the pod's cgroup (the mirror leaves the agent
  // alone), now in the host's cgroup namespace, which it says.
  EXPECT_EQ(cgroup_of(agent), pod_->rel());
  EXPECT_EQ(ns_link(agent, "cgroup"), ns_link(::getpid(), "cgroup"));
  EXPECT_NE(daemon_->log().find("entered the host's cgroup namespace"), std::string::npos)
      << daemon_->log();

  Json doc;
  std::vector<std::string> wrong;
  // Processes come and go on a shared machine: the mirror must agree with
  // a tree within a few tries.
  eventually(
      [&] {
        Json reply = daemon_->request({{"op", "tree"}, {"pids", true}});
        if (reply["ok"] != true)
          return false;
        doc = reply["tree"];
        wrong = mirror_mismatches(doc, mirror_->path());
        return wrong.empty();
      },
      std::chrono::seconds(10));
  std::string all;
  for (const auto& w : wrong)
    all += "\n  " + w;
  EXPECT_TRUE(wrong.empty()) << "the mirror differs from the tree:" << all;

  Placement p = placement_of(doc);
  // The plain workload: moved into its container's directory, alone.
  std::string plain_path = path_of(p, plain);
  ASSERT_NE(plain_path, "/init_container");
  std::string plain_dir = mirror_->path() + plain_path.substr(std::string("/init_container").size());
  EXPECT_EQ(procs_in(plain_dir), std::set<pid_t>{plain});
  EXPECT_EQ(cgroup_of(plain), mirror_->rel() + plain_path.substr(std::string("/init_container").size()));
  // The runtime's: left in its scope (another manager's), labelled by it.
  std::string docker_path = path_of(p, docker);
  ASSERT_NE(docker_path, "/init_container");
  const Json& c = p.node[docker_path];
  EXPECT_EQ(c["label"], "docker:" + id.substr(0, 12)) << c.dump();
  EXPECT_EQ(c["runtime"]["name"], "docker") << c.dump();
  EXPECT_EQ(c["runtime"]["id"], id) << c.dump();
  EXPECT_EQ(procs_in(scope_->path()), std::set<pid_t>{docker});
  EXPECT_EQ(c["foreign_cgroup"][std::to_string(docker)], scope_->rel()) << c.dump();
}

// Without CAP_SYS_ADMIN it cannot enter: it stops at once and says what
// to give it, not that no cgroup2 filesystem is mounted.
TEST_F(CgroupNamespace, WithoutCapSysAdminItSaysWhatToDo) {
  std::string socket = "/tmp/nsgroup-test-cgns-" + std::to_string(::getpid()) + ".sock";
  auto out = capture(in_pod({"setpriv", "--bounding-set=-sys_admin", "--inh-caps=-sys_admin",
                             nsgroup_binary(), "daemon", "--socket", socket, "--cgroup-root",
                             mirror_->path(), "--no-events"}),
                     -1, std::chrono::seconds(20));
  ::unlink(socket.c_str());
  EXPECT_EQ(out.status, 5) << out.err;  // setns: EPERM, refused by the system
  EXPECT_NE(out.err.find("cannot enter the host's"), std::string::npos) << out.err;
  EXPECT_NE(out.err.find("CAP_SYS_ADMIN"), std::string::npos) << out.err;
  EXPECT_EQ(out.err.find("no cgroup2 filesystem"), std::string::npos) << out.err;
}

}  // namespace
}  // namespace nsgroup::test
