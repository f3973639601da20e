// Runtimes for real: a container started by runc, crun, LXC and
// systemd-nspawn from a rootfs built of host files; then every source of
// the tree (the one-shot scans by task iterator and by /proc, a daemon
// that saw the container start) must name the runtime and its id, in the
// JSON and the label, on the container that holds the runtime's init
// process, whose namespaces are those /proc shows for it.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "host/procfs.h"
#include "mix.h"
#include "support.h"
#include "util/file.h"

namespace nsgroup::test {
namespace {

using namespace std::chrono_literals;

bool have(const std::string& bin) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/sbin:/sbin";
  std::istringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty())
      continue;
    dir += '/';
    dir += bin;
    if (::access(dir.c_str(), X_OK) == 0)
      return true;
  }
  return false;
}

std::string slurp(const std::string& path) {
  auto text = read_file(path);
  return text ? *text : std::string();
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

// Runs fn when it goes: cleanup that happens on a failed assertion too.
class Guard {
 public:
  explicit Guard(std::function<void()> fn) : fn_(std::move(fn)) {}
  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;
  ~Guard() {
    if (fn_)
      fn_();
  }

 private:
  std::function<void()> fn_;
};

// A directory of mkdtemp in /tmp, removed with what is in it: the
// bundle does not live in the build tree, which may be a 0700 clone
// under /root.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/nsg-runtime.XXXXXX";
    if (::mkdtemp(tmpl))
      path_ = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;  // a destructor does not throw
    if (!path_.empty())
      std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A shell command with its stdin and stdout on /dev/null and its stderr
// in a file: a detached container inherits them, and capture()'s pipes
// would stay open as long as it runs. The status and what it wrote.
Output sh(const std::string& cmd, const std::string& errfile) {
  Output o = capture({"sh", "-c", cmd + " </dev/null >/dev/null 2>'" + errfile + "'"}, -1, 60s);
  o.err = slurp(errfile);
  return o;
}

// dir/rootfs with the host's sleep and sh and their libraries (ldd), and
// the mount points the runtimes need.
Output make_rootfs(const std::string& dir) {
  return sh("set -e; R='" + dir +
                "/rootfs'; mkdir -p $R/bin $R/proc $R/sys $R/dev $R/etc $R/tmp $R/usr $R/run; "
                ": > $R/etc/os-release; "
                "for b in sleep sh; do p=$(command -v $b); cp -L $p $R/bin/$b; "
                "for l in $(ldd $p | grep -o '/[^ ]*'); do "
                "mkdir -p $R$(dirname $l); cp -L $l $R$l; done; done",
            dir + "/rootfs.err");
}

// An OCI bundle's config.json (from `runc spec` or `crun spec`) made to
// run sleep in the background, with a hostname: the hostname rule would
// label it, the runtime rule comes first.
bool edit_config(const std::string& path) {
  auto text = read_file(path);
  if (!text)
    return false;
  Json c = Json::parse(*text, nullptr, false);
  if (c.is_discarded())
    return false;
  c["process"]["terminal"] = false;
  c["process"]["args"] = {"/bin/sleep", "300"};
  c["hostname"] = "nsg-rt-host";
  std::ofstream(path) << c.dump();
  return true;
}

// The cgroup hierarchies' mount points (v1 and v2).
std::vector<std::string> cgroup_mounts() {
  std::vector<std::string> out;
  // MountEntry's fields are views into the text: it must outlive the loop.
  std::string text = slurp("/proc/self/mountinfo");
  for (const MountEntry& m : parse_mountinfo(text))
    if (m.fstype == "cgroup" || m.fstype == "cgroup2")
      out.push_back(m.mountpoint);
  return out;
}

std::string cgroup2_mount() {
  return cgroup2_mount_from(slurp("/proc/self/mountinfo")).value_or("");
}

// The one child of parent that is in a pid namespace of its own (the
// container's init, as the kernel shows it), or -1.
pid_t init_child_of(pid_t parent) {
  for (pid_t c : children_of(parent))
    if (differs(c, "pid"))
      return c;
  return -1;
}

Json one_shot(bool proc) {
  auto out = capture({nsgroup_binary(), "tree", "--pids", "--socket",
                      "/tmp/nsgroup-test-no-daemon.sock", proc ? "--scan=proc" : "--scan=iterator"});
  EXPECT_EQ(out.status, 0) << out.err;
  return out.status == 0 ? Json::parse(out.out, nullptr, false) : Json();
}

// The container holding init in doc, or null.
Json node_of(const Json& doc, pid_t init) {
  if (!doc.is_object())
    return Json();
  Placement p = placement_of(doc);
  std::string path = path_of(p, init);
  return path.empty() ? Json() : p.node[path];
}

bool names_runtime(const Json& node, const std::string& name, const std::string& id) {
  return node.is_object() && node["runtime"].is_object() && node["runtime"]["name"] == name &&
         node["runtime"]["id"] == id;
}

class RuntimeLabels : public ::testing::Test {
 protected:
  void SetUp() override {
    NSG_REQUIRE_PRIVILEGED();
    ASSERT_FALSE(tmp_.path().empty()) << "mkdtemp";
  }
  void TearDown() override { daemon_.reset(); }

  // A daemon started before the container: it sees it made, labels it
  // fresh and again at every scan. Then the rootfs.
  void prepare() {
    daemon_ = std::make_unique<DaemonProcess>(std::vector<std::string>{"--reconcile-interval", "1"});
    ASSERT_TRUE(daemon_->ready()) << daemon_->log();
    auto fs = make_rootfs(tmp_.path());
    ASSERT_EQ(fs.status, 0) << fs.err;
  }

  // The container of init, from every source, names the runtime.
  void expect_runtime(pid_t init, const std::string& name, const std::string& id) {
    ASSERT_GT(init, 0);
    // A runtime's init sets up namespaces (nspawn's unshares its cgroup
    // namespace) before it execs the payload: the truth is read after.
    ASSERT_TRUE(eventually(
        [&] { return slurp("/proc/" + std::to_string(init) + "/comm") == "sleep\n"; }, 15s))
        << "pid " << init << " never became the container's sleep";
    NsSet truth = ns_inodes(init);
    auto check = [&](const Json& node, const char* source) {
      SCOPED_TRACE(source);
      ASSERT_TRUE(node.is_object()) << "no container holds pid " << init;
      // It is the container of init's own namespaces.
      for (std::size_t i = 0; i < kNsCount; ++i)
        if (truth.inum[i] != 0)
          EXPECT_EQ(node["ns"][std::string(kNsNames[i])], truth.inum[i]) << kNsNames[i];
      ASSERT_TRUE(node["runtime"].is_object()) << node.dump();
      EXPECT_EQ(node["runtime"]["name"], name);
      EXPECT_EQ(node["runtime"]["id"], id);
      EXPECT_FALSE(node["runtime"].contains("pod_uid"));
      EXPECT_EQ(node["label"], name + ":" + id);
    };
    Json live;
    bool named = eventually(
        [&] {
          Json reply = daemon_->request({{"op", "tree"}, {"pids", true}});
          live = node_of(reply["tree"], init);
          return names_runtime(live, name, id);
        },
        15s);
    EXPECT_TRUE(named) << live.dump() << "\n" << daemon_->log();
    check(live, "daemon");
    check(node_of(one_shot(false), init), "one-shot scan, task iterator");
    check(node_of(one_shot(true), init), "one-shot scan, /proc");
  }

  TempDir tmp_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::string suffix_ = std::to_string(::getpid());
};

// runc without a manager: its cgroup is "/<id>", which names no runtime;
// /run/runc/<id>/state.json does.
TEST_F(RuntimeLabels, Runc) {
  if (!have("runc"))
    GTEST_SKIP() << "runc is not installed";
  ASSERT_NO_FATAL_FAILURE(prepare());
  auto spec = sh("cd '" + tmp_.path() + "' && runc spec", tmp_.path() + "/spec.err");
  ASSERT_EQ(spec.status, 0) << spec.err;
  ASSERT_TRUE(edit_config(tmp_.path() + "/config.json"));
  std::string id = "nsg-runc-" + suffix_;
  Guard gone([&] { run({"runc", "delete", "-f", id}); });
  auto r = sh("runc run -d --bundle '" + tmp_.path() + "' " + id, tmp_.path() + "/run.err");
  ASSERT_EQ(r.status, 0) << r.err;
  Json state = Json::parse(slurp("/run/runc/" + id + "/state.json"), nullptr, false);
  ASSERT_TRUE(state.is_object() && state["init_process_pid"].is_number()) << state.dump();
  auto init = state["init_process_pid"].get<pid_t>();
  ASSERT_TRUE(differs(init, "pid")) << init << " is not in a pid namespace of its own";
  expect_runtime(init, "runc", id);
}

// crun: /run/crun/<id>/status. crun 1.8 refuses a hybrid host whose
// cgroup2 holds controllers ("cgroups in hybrid mode not supported"):
// there it runs with its cgroup manager disabled and the cgroup2 mount
// hidden from it alone (a mount namespace of its own), so that nothing
// but its state file names the container.
TEST_F(RuntimeLabels, Crun) {
  if (!have("crun"))
    GTEST_SKIP() << "crun is not installed";
  ASSERT_NO_FATAL_FAILURE(prepare());
  auto spec = sh("cd '" + tmp_.path() + "' && crun spec", tmp_.path() + "/spec.err");
  ASSERT_EQ(spec.status, 0) << spec.err;
  ASSERT_TRUE(edit_config(tmp_.path() + "/config.json"));
  std::string id = "nsg-crun-" + suffix_;
  std::string crun = "crun ";
  Guard gone([&] {
    sh(crun + "delete -f " + id, tmp_.path() + "/delete.err");
  });
  std::string start = "run -d --bundle '" + tmp_.path() + "' " + id;
  auto r = sh(crun + start, tmp_.path() + "/run.err");
  if (r.status != 0 && r.err.find("hybrid mode") != std::string::npos) {
    std::string cg2 = cgroup2_mount();
    ASSERT_FALSE(cg2.empty());
    crun = "unshare -m --propagation private sh -c 'umount " + cg2 +
           " && exec crun --cgroup-manager=disabled \"$@\"' crun ";
    r = sh(crun + start, tmp_.path() + "/run.err");
  }
  ASSERT_EQ(r.status, 0) << r.err;
  Json status = Json::parse(slurp("/run/crun/" + id + "/status"), nullptr, false);
  ASSERT_TRUE(status.is_object() && status["pid"].is_number()) << status.dump();
  auto init = status["pid"].get<pid_t>();
  ASSERT_TRUE(differs(init, "pid")) << init << " is not in a pid namespace of its own";
  expect_runtime(init, "crun", id);
}

// LXC writes no pid file (lxc-info asks the monitor's abstract socket):
// its container is known by its cgroup, lxc.payload.<name>.
TEST_F(RuntimeLabels, Lxc) {
  if (!have("lxc-start"))
    GTEST_SKIP() << "lxc is not installed";
  ASSERT_NO_FATAL_FAILURE(prepare());
  std::string name = "nsg-lxc-" + suffix_;
  std::string lxcpath = tmp_.path() + "/lxc";
  ASSERT_EQ(run({"mkdir", "-p", lxcpath + "/" + name}), 0);
  std::ofstream(lxcpath + "/" + name + "/config")
      << "lxc.uts.name = nsg-rt-host\n"
      << "lxc.rootfs.path = dir:" << tmp_.path() << "/rootfs\n"
      << "lxc.net.0.type = empty\n"
      << "lxc.init.cmd = /bin/sleep 300\n"
      << "lxc.mount.auto = proc:mixed sys:ro\n"
      << "lxc.apparmor.profile = unconfined\n";
  // LXC leaves lxc.pivot in each hierarchy (where it parks its monitor),
  // and a lock directory named after the lxcpath.
  std::vector<std::string> pivots;
  for (const auto& m : cgroup_mounts())
    if (!exists(m + "/lxc.pivot"))
      pivots.push_back(m + "/lxc.pivot");
  Guard gone([&] {
    run({"lxc-stop", "-n", name, "-P", lxcpath, "-k"});
    for (const auto& p : pivots)
      ::rmdir(p.c_str());
    run({"rm", "-rf", "/run/lxc/lock" + tmp_.path()});
    // What LXC made above it, when nothing else is in it.
    for (const char* d : {"/run/lxc/lock/tmp", "/run/lxc/lock", "/run/lxc"})
      ::rmdir(d);
  });
  auto r = sh("lxc-start -n " + name + " -P '" + lxcpath + "' -d -l INFO -o '" + tmp_.path() +
                  "/lxc.log'",
              tmp_.path() + "/run.err");
  ASSERT_EQ(r.status, 0) << r.err << slurp(tmp_.path() + "/lxc.log");
  pid_t init = -1;
  ASSERT_TRUE(eventually([&] {
    auto info = capture({"lxc-info", "-n", name, "-P", lxcpath, "-p", "-H"});
    init = info.status == 0 ? std::atoi(info.out.c_str()) : -1;
    return init > 0;
  })) << slurp(tmp_.path() + "/lxc.log");
  ASSERT_TRUE(differs(init, "pid")) << init << " is not in a pid namespace of its own";
  expect_runtime(init, "lxc", name);
}

// systemd-nspawn: machined's machine-<name>.scope. Where systemd is not
// PID 1 (nspawn cannot ask it for a scope: "Failed to open system bus"),
// the test makes the scope's cgroup as systemd would name it and runs
// nspawn in it with --keep-unit; nspawn then splits it into payload/ and
// supervisor/ as it does under systemd.
TEST_F(RuntimeLabels, Nspawn) {
  if (!have("systemd-nspawn"))
    GTEST_SKIP() << "systemd-nspawn is not installed";
  ASSERT_NO_FATAL_FAILURE(prepare());
  std::string name = "nsg-spawn-" + suffix_;
  std::string unit = "machine-nsg\\x2dspawn\\x2d" + suffix_ + ".scope";
  bool booted = exists("/run/systemd/system");  // sd_booted()
  std::string slice = cgroup2_mount() + "/machine.slice";
  std::string scope = slice + "/" + unit;
  bool had_slice = exists(slice);
  bool had_nspawn_dir = exists("/run/systemd/nspawn");
  std::string log = tmp_.path() + "/nspawn.log";
  Workloads nspawn;
  Guard gone([&] {
    if (!booted)
      (void)write_file(scope + "/cgroup.kill", "1");
    nspawn.kill_all();
    if (!booted) {
      eventually([&] { return slurp(scope + "/payload/cgroup.procs").empty() &&
                              slurp(scope + "/supervisor/cgroup.procs").empty() &&
                              slurp(scope + "/cgroup.procs").empty(); });
      for (const auto& d : {scope + "/payload", scope + "/supervisor", scope})
        ::rmdir(d.c_str());
      if (!had_slice)
        ::rmdir(slice.c_str());
    }
    run({"rm", "-rf", had_nspawn_dir ? "/run/systemd/nspawn/propagate/" + name
                                     : std::string("/run/systemd/nspawn")});
  });
  std::string cmd = "exec systemd-nspawn --register=no -q -D '" + tmp_.path() + "/rootfs' -M " +
                    name + " /bin/sleep 300 >'" + log + "' 2>&1";
  if (!booted) {
    ASSERT_FALSE(cgroup2_mount().empty()) << "no cgroup2 mount";
    ::mkdir(slice.c_str(), 0755);
    ASSERT_EQ(::mkdir(scope.c_str(), 0755), 0) << scope;
    cmd = "echo $$ > '" + scope + "/cgroup.procs' && exec systemd-nspawn --keep-unit" +
          cmd.substr(std::string_view("exec systemd-nspawn").size());
  }
  pid_t supervisor = nspawn.start({"sh", "-c", cmd});
  pid_t init = -1;
  ASSERT_TRUE(eventually([&] { return (init = init_child_of(supervisor)) > 0; }, 15s))
      << slurp(log);
  expect_runtime(init, "nspawn", name);
}

}  // namespace
}  // namespace nsgroup::test
