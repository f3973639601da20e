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

#include "server.h"
#include "support.h"

namespace nsgroup::test {
namespace {

using Json = nlohmann::ordered_json;

// What /proc says about one process: its start time and its ten links.
struct Truth {
  std::uint64_t start = 0;
  char state = '?';
  std::string comm;
  NsSet ns;
  bool readable() const { return ns.inum[NSG_NS_NET] != 0; }
};

// Start time (field 22), state (field 3) and comm of /proc/PID/stat.
bool read_stat(pid_t pid, Truth& t) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), {});
  auto open = s.find('(');
  auto close = s.rfind(')');
  if (open == std::string::npos || close == std::string::npos)
    return false;
  t.comm = s.substr(open + 1, close - open - 1);
  std::istringstream rest(s.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i) {
    if (i == 3)
      t.state = field[0];
    if (i == 22)
      t.start = std::stoull(field);
  }
  return t.start != 0;
}

std::map<pid_t, Truth> read_proc() {
  std::map<pid_t, Truth> out;
  for (const auto& pid : [] {
         std::vector<pid_t> v;
         if (FILE* p = ::popen("ls /proc", "r")) {
           char line[64];
           while (std::fgets(line, sizeof line, p))
             if (line[0] >= '0' && line[0] <= '9')
               v.push_back(std::atoi(line));
           ::pclose(p);
         }
         return v;
       }()) {
    Truth t;
    // A zombie has no namespaces left: it is in no container.
    if (!read_stat(pid, t) || t.state == 'Z')
      continue;
    t.ns = ns_inodes(pid);
    out[pid] = t;
  }
  return out;
}

// pid -> container path, from a tree document.
struct Placement {
  std::map<pid_t, std::vector<std::string>> paths;  // a pid may (wrongly) repeat
  std::map<std::string, std::string> parent;        // path -> parent path
  std::set<pid_t> unreadable;
  std::map<std::string, Json> node;                 // path -> container (no children)
};

void flatten(const Json& c, const std::string& parent, Placement& p) {
  std::string path = c["path"];
  p.parent[path] = parent;
  Json copy = c;
  copy.erase("children");
  p.node[path] = copy;
  for (const auto& pid : c.value("pids", Json::array()))
    p.paths[pid.get<pid_t>()].push_back(path);
  for (const auto& pid : c.value("unreadable", Json::array()))
    p.unreadable.insert(pid.get<pid_t>());
  for (const auto& child : c["children"])
    flatten(child, path, p);
}

Placement placement_of(const Json& doc) {
  Placement p;
  flatten(doc["root"], "", p);
  return p;
}

// The ground-truth check: every readable process that lived through the
// query is in exactly one container, and two of them share a container if
// and only if all ten of their links are equal.
void expect_matches_kernel(const std::map<pid_t, Truth>& before, const Json& doc,
                           const std::map<pid_t, Truth>& after) {
  Placement p = placement_of(doc);
  std::map<std::string, std::set<std::array<std::uint32_t, kNsCount>>> sets_in;
  std::map<std::array<std::uint32_t, kNsCount>, std::set<std::string>> containers_of;
  int checked = 0;
  for (const auto& [pid, t] : before) {
    auto a = after.find(pid);
    if (a == after.end() || a->second.start != t.start || !(a->second.ns == t.ns))
      continue;  // came, went or moved during the query
    if (!t.readable()) {
      EXPECT_TRUE(p.unreadable.count(pid))
          << "unreadable pid " << pid << " (" << t.comm << ") not listed";
      continue;
    }
    auto it = p.paths.find(pid);
    if (it == p.paths.end()) {
      ADD_FAILURE() << "pid " << pid << " (" << t.comm << ") is in no container";
      continue;
    }
    EXPECT_EQ(it->second.size(), 1U) << "pid " << pid << " is in several containers";
    const std::string& path = it->second.front();
    sets_in[path].insert(t.ns.inum);
    containers_of[t.ns.inum].insert(path);
    ++checked;
  }
  EXPECT_GT(checked, 10);
  for (const auto& [path, sets] : sets_in)
    EXPECT_EQ(sets.size(), 1U) << path << " holds processes with different namespace sets";
  for (const auto& [set, paths] : containers_of)
    EXPECT_EQ(paths.size(), 1U) << "one namespace set is split over "
                                << paths.size() << " containers";
}

// The workloads of the acceptance test, started and settled.
struct Mix {
  pid_t uts = -1;       // unshare -u sleep
  pid_t net_ipc = -1;   // unshare -n -i sleep
  pid_t pidns = -1;     // unshare --fork --pid --mount-proc sleep
  pid_t netns = -1;     // ip netns exec X sleep
  pid_t nsenter = -1;   // nsenter -t <uts> -a sleep
  pid_t clone3 = -1;    // clone3 with new uts and ipc
  pid_t nested = -1;    // unshare -u sh -c 'unshare -n sleep'
  std::string netns_name;
  pid_t nested_inner() const {
    auto c = children_of(nested);
    return c.empty() ? -1 : c.front();
  }
  pid_t nsenter_child() const {
    auto c = children_of(nsenter);
    return c.empty() ? -1 : c.front();
  }
};

bool differs(pid_t pid, const char* ns) {
  std::uint32_t v = ns_inode(pid, ns);
  return v != 0 && v != ns_inode(::getpid(), ns);
}

pid_t clone3_sleeper() {
  clone_args args{};
  args.flags = CLONE_NEWUTS | CLONE_NEWIPC;
  args.exit_signal = SIGCHLD;
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid == 0) {
    ::setpgid(0, 0);
    for (;;)
      ::pause();
  }
  return static_cast<pid_t>(pid);
}

void start_mix(Workloads& w, Mix& m) {
  m.netns_name = "nsgtree" + std::to_string(::getpid());
  ASSERT_EQ(run({"ip", "netns", "add", m.netns_name}), 0);
  m.uts = w.start({"unshare", "-u", "sleep", "120"});
  m.net_ipc = w.start({"unshare", "-n", "-i", "sleep", "120"});
  m.pidns = w.start({"unshare", "--fork", "--pid", "--mount-proc", "--kill-child",
                     "sleep", "120"});
  m.netns = w.start({"ip", "netns", "exec", m.netns_name, "sleep", "120"});
  m.nested = w.start({"unshare", "-u", "sh", "-c", "unshare -n sleep 120"});
  m.clone3 = clone3_sleeper();
  ASSERT_GT(m.clone3, 0);
  w.adopt(m.clone3);
  ASSERT_TRUE(eventually([&] { return differs(m.uts, "uts"); }));
  m.nsenter = w.start({"nsenter", "-t", std::to_string(m.uts), "-a", "sleep", "120"});
  const std::uint64_t netns_inode = file_inode("/run/netns/" + m.netns_name);
  ASSERT_TRUE(eventually([&] {
    pid_t inner = m.nested_inner();
    pid_t entered = m.nsenter_child();
    pid_t pid1 = children_of(m.pidns).empty() ? -1 : children_of(m.pidns).front();
    return differs(m.net_ipc, "net") && pid1 > 0 && differs(pid1, "pid") &&
           ns_inode(m.netns, "net") == netns_inode && inner > 0 &&
           differs(inner, "net") && entered > 0 &&
           ns_inode(entered, "uts") == ns_inode(m.uts, "uts") &&
           // exec'd: nsenter's child is sleep, not nsenter any more
           ns_inode(entered, "ipc") == ns_inode(m.uts, "ipc");
  })) << "workloads did not settle";
}

std::string path_of(const Placement& p, pid_t pid) {
  auto it = p.paths.find(pid);
  return it == p.paths.end() || it->second.empty() ? "" : it->second.front();
}

void expect_mix_structure(const Json& doc, const Mix& m) {
  Placement p = placement_of(doc);
  std::string sh = path_of(p, m.nested);
  std::string inner = path_of(p, m.nested_inner());
  ASSERT_FALSE(sh.empty());
  ASSERT_FALSE(inner.empty());
  EXPECT_EQ(p.parent[inner], sh) << "nested container is not its creator's child";
  EXPECT_EQ(path_of(p, m.nsenter_child()), path_of(p, m.uts))
      << "nsenter -a did not join its target's container";
  EXPECT_NE(path_of(p, m.uts), "/init_container");
  EXPECT_NE(path_of(p, m.clone3), "/init_container");
  EXPECT_EQ(p.parent[path_of(p, m.clone3)], "/init_container");
}

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
  EXPECT_EQ(out.status, 1);
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

// A raw control-socket connection.
struct RawClient {
  UniqueFd fd;
  explicit RawClient(const std::string& path) : fd(connect_socket(path, nullptr)) {}
  void send_bytes(const std::string& s) {
    std::size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ::send(fd.get(), s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0)
        return;  // the daemon may close on us: that is allowed
      off += static_cast<std::size_t>(n);
    }
  }
  std::optional<Json> read_reply() {
    std::string line;
    char c;
    while (::read(fd.get(), &c, 1) == 1) {
      if (c == '\n')
        return Json::parse(line, nullptr, false);
      line.push_back(c);
    }
    return std::nullopt;
  }
};

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

// `nsgroup watch` as a process: its stdout lines, and its exit status
// after sig.
struct WatchProcess {
  pid_t pid = -1;
  UniqueFd out;
  std::string buf;
  explicit WatchProcess(std::vector<std::string> args) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
      throw std::runtime_error("pipe");
    pid = ::fork();
    if (pid == 0) {
      ::dup2(fds[1], 1);
      std::vector<char*> argv;
      for (auto& a : args)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    out.reset(fds[0]);
  }
  // The next line that satisfies pred (blocking read; the test's own
  // trigger guarantees one comes).
  std::optional<Json> next(const std::function<bool(const Json&)>& pred) {
    for (;;) {
      auto nl = buf.find('\n');
      if (nl != std::string::npos) {
        Json j = Json::parse(buf.substr(0, nl), nullptr, false);
        buf.erase(0, nl + 1);
        if (!j.is_discarded() && pred(j))
          return j;
        continue;
      }
      char tmp[4096];
      ssize_t n = ::read(out.get(), tmp, sizeof tmp);
      if (n <= 0)
        return std::nullopt;
      buf.append(tmp, static_cast<std::size_t>(n));
    }
  }
  int stop(int sig) {
    ::kill(pid, sig);
    int st = wait_status(pid);
    pid = -1;
    return st;
  }
  ~WatchProcess() {
    if (pid > 0)
      stop(SIGKILL);
  }
};

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
