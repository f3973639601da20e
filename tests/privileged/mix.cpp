// Shared workloads and ground-truth checks (see mix.h).
#include "mix.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/sched.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "util/socket.h"

namespace nsgroup::test {



// Start time (field 22), state (field 3) and comm of /proc/PID/stat.
static bool read_stat(pid_t pid, Truth& t) {
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


static void flatten(const Json& c, const std::string& parent, Placement& p) {
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


bool differs(pid_t pid, const char* ns) {
  std::uint32_t v = ns_inode(pid, ns);
  return v != 0 && v != ns_inode(::getpid(), ns);
}

static pid_t clone3_sleeper() {
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


RawClient::RawClient(const std::string& path) : fd(connect_unix(path).value()) {}

void RawClient::send_bytes(const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd.get(), s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0)
      return;  // the daemon may close on us: that is allowed
    off += static_cast<std::size_t>(n);
  }
}

std::optional<Json> RawClient::read_reply() {
  std::string line;
  char c;
  while (::read(fd.get(), &c, 1) == 1) {
    if (c == '\n')
      return Json::parse(line, nullptr, false);
    line.push_back(c);
  }
  return std::nullopt;
}

pid_t Mix::nested_inner() const {
  auto c = children_of(nested);
  return c.empty() ? -1 : c.front();
}

pid_t Mix::nsenter_child() const {
  auto c = children_of(nsenter);
  return c.empty() ? -1 : c.front();
}

WatchProcess::WatchProcess(std::vector<std::string> args) {
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
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  out.reset(fds[0]);
}

std::optional<Json> WatchProcess::next(const std::function<bool(const Json&)>& pred) {
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

int WatchProcess::stop(int sig) {
  ::kill(pid, sig);
  int st = wait_status(pid);
  pid = -1;
  return st;
}

WatchProcess::~WatchProcess() {
  if (pid > 0)
    stop(SIGKILL);
}

}  // namespace nsgroup::test
