// The task iterator against the kernel's own answers: every live process's
// record compared with /proc/PID/stat, /proc/PID/ns/*, NS_GET_ID and
// /proc/PID/cgroup, and the UTS hostname with what nsenter(1) reports.
#include <bpf/bpf.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/types.h>

#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "host/cgroupfs.h"
#include "kernel/task_iter.h"
#include "support.h"

namespace nsgroup::test {
namespace {

// NS_GET_ID (Linux 6.18); Debian 12's headers predate it.
constexpr unsigned long kNsGetId = _IOR(0xb7, 0xd, __u64);
constexpr std::uint32_t kPfKthread = 0x00200000;

// What /proc says about one process, read without any of nsgroup's code.
struct Kernel {
  std::string comm;
  char state = '?';
  std::uint32_t ppid = 0;
  std::uint32_t flags = 0;
  std::uint64_t start = 0;
  NsSet ns;  // inodes, 0 where the link is unreadable; ids where NS_GET_ID answers
  std::string cgroup_leaf;
  bool operator==(const Kernel&) const = default;
};

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  return {std::istreambuf_iterator<char>(f), {}};
}

bool read_stat(pid_t pid, Kernel& k) {
  std::string s = slurp("/proc/" + std::to_string(pid) + "/stat");
  auto open = s.find('(');
  auto close = s.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close + 2 > s.size())
    return false;
  k.comm = s.substr(open + 1, close - open - 1);
  std::istringstream rest(s.substr(close + 2));
  std::string field;
  int i = 3;
  for (; i <= 22 && rest >> field; ++i) {
    if (i == 3)
      k.state = field[0];
    else if (i == 4)
      k.ppid = static_cast<std::uint32_t>(std::stoul(field));
    else if (i == 9)
      k.flags = static_cast<std::uint32_t>(std::stoul(field));
    else if (i == 22)
      k.start = std::stoull(field);
  }
  return i == 23;
}

std::uint64_t ns_get_id(pid_t pid, std::string_view name) {
  std::string path = "/proc/" + std::to_string(pid) + "/ns/" + std::string(name);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  __u64 id = 0;
  if (::ioctl(fd, kNsGetId, &id) != 0)
    id = 0;
  ::close(fd);
  return id;
}

// The last component of the "0::" line, "" for the root ("0::/").
std::optional<std::string> cgroup_leaf(pid_t pid) {
  std::istringstream in(slurp("/proc/" + std::to_string(pid) + "/cgroup"));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("0::", 0) != 0)
      continue;
    return line.substr(line.rfind('/') + 1);
  }
  return std::nullopt;
}

std::optional<Kernel> read_kernel(pid_t pid) {
  Kernel k;
  if (!read_stat(pid, k) || k.state == 'Z' || k.state == 'X')
    return std::nullopt;
  k.ns = ns_inodes(pid);
  for (std::size_t i = 0; i < kNsCount; ++i)
    k.ns.id[i] = k.ns.inum[i] ? ns_get_id(pid, kNsNames[i]) : 0;
  // No "0::" line: no cgroup v2 at all, where the kernel's default
  // hierarchy is its root ("").
  k.cgroup_leaf = cgroup_leaf(pid).value_or("");
  return k;
}

std::vector<pid_t> proc_pids() {
  std::vector<pid_t> out;
  DIR* d = ::opendir("/proc");
  if (!d)
    return out;
  while (const dirent* e = ::readdir(d))
    if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
      out.push_back(static_cast<pid_t>(std::atoi(e->d_name)));
  ::closedir(d);
  return out;
}

// Every live process (thread-group leaders: /proc lists no other tasks).
std::map<pid_t, Kernel> read_all() {
  std::map<pid_t, Kernel> out;
  for (pid_t pid : proc_pids())
    if (auto k = read_kernel(pid))
      out[pid] = std::move(*k);
  return out;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
    s.pop_back();
  return s;
}

// Programs named dump_task loaded in the kernel now.
int dump_task_programs() {
  int n = 0;
  __u32 id = 0;
  while (bpf_prog_get_next_id(id, &id) == 0) {
    int fd = bpf_prog_get_fd_by_id(id);
    if (fd < 0)
      continue;
    bpf_prog_info info{};
    __u32 len = sizeof info;
    if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
        std::string_view(info.name) == "dump_task")
      ++n;
    ::close(fd);
  }
  return n;
}

class TaskIter : public ::testing::Test {
 protected:
  void SetUp() override { NSG_REQUIRE_PRIVILEGED(); }
  void TearDown() override {
    workloads_.kill_all();
    if (!cgroup_.empty())
      eventually([&] { return ::rmdir(cgroup_.c_str()) == 0 || errno == ENOENT; });
  }
  // A cgroup v2 directory of the test's own, named the way runtimes name
  // theirs; its path, or "" (with a failure) when there is no cgroup2.
  std::string make_cgroup() {
    auto mount = cgroup2_mount();
    if (!mount) {
      ADD_FAILURE() << "no cgroup2 mount";
      return "";
    }
    leaf_ = "itertest-" + std::to_string(::getpid()) + ".scope";
    cgroup_ = *mount + "/" + leaf_;
    if (::mkdir(cgroup_.c_str(), 0755) != 0 && errno != EEXIST)
      ADD_FAILURE() << "mkdir " << cgroup_ << ": " << std::strerror(errno);
    return cgroup_;
  }
  Workloads workloads_;
  std::string cgroup_;
  std::string leaf_;
};

TEST_F(TaskIter, EveryProcessAgreesWithProc) {
  // A new UTS namespace with a hostname, a new network namespace, a pid
  // namespace with its first process, and one still without (where /proc
  // cannot read pid_for_children).
  pid_t uts = workloads_.start({"unshare", "-u", "sh", "-c", "hostname itertest; sleep 30"});
  pid_t net = workloads_.start({"unshare", "-n", "sleep", "30"});
  pid_t pidns = workloads_.start({"unshare", "--fork", "--pid", "sleep", "30"});
  pid_t empty_pidns = workloads_.start({"unshare", "--pid", "sleep", "30"});
  // And a process in a cgroup v2 directory below the root.
  pid_t in_cgroup = workloads_.start({"sleep", "30"});
  std::string cg = make_cgroup();
  ASSERT_FALSE(cg.empty());
  {
    std::ofstream procs(cg + "/cgroup.procs");
    procs << in_cgroup << std::endl;
    ASSERT_TRUE(procs.good()) << "moving " << in_cgroup << " into " << cg;
  }
  ASSERT_EQ(cgroup_leaf(in_cgroup), leaf_);
  ASSERT_TRUE(eventually([&] {
    return trimmed(capture({"nsenter", "-u", "-t", std::to_string(uts), "hostname"}).out) ==
           "itertest";
  }));
  ASSERT_TRUE(eventually([&] {
    auto self = ns_inodes(::getpid());
    return ns_inode(net, "net") != 0 && ns_inode(net, "net") != self.inum[NSG_NS_NET] &&
           !children_of(pidns).empty() && slurp("/proc/" + std::to_string(empty_pidns) +
                                                "/comm") == "sleep\n";
  }));
  pid_t pidns_child = children_of(pidns).front();
  ASSERT_EQ(ns_inode(empty_pidns, "pid_for_children"), 0U)
      << "a pid namespace without a process should be unreadable in /proc";

  auto scanner = TaskScanner::open();
  ASSERT_TRUE(scanner) << scanner.error().message();
  auto before = read_all();
  auto scan = scanner->scan();
  auto after = read_all();
  ASSERT_TRUE(scan) << scan.error().message();

  std::map<pid_t, ProcInfo> by_pid;
  for (auto& p : *scan) {
    EXPECT_TRUE(by_pid.emplace(static_cast<pid_t>(p.pid), p).second)
        << "pid " << p.pid << " twice";
  }
  char host[256] = {};
  ASSERT_EQ(::gethostname(host, sizeof host - 1), 0);
  auto self_ns = ns_inodes(::getpid());

  int compared = 0, changed = 0, unreadable = 0;
  for (const auto& [pid, k] : before) {
    auto a = after.find(pid);
    if (a == after.end() || a->second.start != k.start)
      continue;  // gone (or pid reused) during the scan
    SCOPED_TRACE("pid " + std::to_string(pid) + " (" + k.comm + ")");
    auto it = by_pid.find(pid);
    // A process whose links even root may not read (EACCES: on this
    // sandbox, PID 1) may be hidden from the iterator too; any other
    // process alive through the scan must be in it.
    bool hidden = k.ns.inum[NSG_NS_NET] == 0;
    if (it == by_pid.end() && hidden) {
      ++unreadable;
      continue;
    }
    ASSERT_NE(it, by_pid.end()) << "alive through the scan but not in it";
    if (!(a->second == k)) {
      ++changed;  // exec, setns, reparenting or a cgroup move during the scan
      continue;
    }
    ++compared;
    const ProcInfo& r = it->second;
    EXPECT_EQ(r.ppid, k.ppid);
    EXPECT_EQ(r.start_ticks, k.start);
    EXPECT_EQ(r.kernel_thread, (k.flags & kPfKthread) != 0);
    // task->comm holds 15 characters. For kernel threads /proc shows more:
    // the full name ("rcu_tasks_kthread") and a worker's current work
    // ("kworker/0:1-events"); the iterator has the 15.
    if (k.flags & kPfKthread)
      EXPECT_EQ(k.comm.substr(0, 15).rfind(r.comm, 0), 0U) << r.comm;
    else
      EXPECT_EQ(r.comm, k.comm);
    EXPECT_TRUE(r.readable);
    EXPECT_EQ(r.missing_mask, 0U);
    for (std::size_t i = 0; !hidden && i < kNsCount; ++i) {
      SCOPED_TRACE(std::string(kNsNames[i]));
      if (k.ns.inum[i] == 0) {
        // Only pid_for_children may be unreadable in /proc (no process in
        // the new pid namespace yet); the iterator still has it.
        EXPECT_EQ(i, std::size_t{NSG_NS_PID_FOR_CHILDREN});
        EXPECT_NE(r.ns.inum[i], 0U);
        continue;
      }
      EXPECT_EQ(r.ns.inum[i], k.ns.inum[i]);
      if (k.ns.id[i] != 0)
        EXPECT_EQ(r.ns.id[i], k.ns.id[i]);
    }
    EXPECT_EQ(r.cgroup_leaf, k.cgroup_leaf);
    if (r.ns.inum[NSG_NS_UTS] == self_ns.inum[NSG_NS_UTS])
      EXPECT_EQ(r.hostname, host);
  }
  RecordProperty("compared", compared);
  RecordProperty("changed", changed);
  RecordProperty("hidden", unreadable);
  // The machine is shared: some churn is expected, not most of it.
  EXPECT_GT(compared, 20);
  EXPECT_LT(changed * 10, compared) << changed << " changed during the scan";
  EXPECT_LT(unreadable * 20, compared) << unreadable << " hidden from root and the scan";

  ASSERT_TRUE(by_pid.count(uts));
  EXPECT_EQ(by_pid[uts].hostname,
            trimmed(capture({"nsenter", "-u", "-t", std::to_string(uts), "hostname"}).out));
  EXPECT_EQ(by_pid[uts].hostname, "itertest");
  EXPECT_NE(by_pid[uts].ns.inum[NSG_NS_UTS], self_ns.inum[NSG_NS_UTS]);

  ASSERT_TRUE(by_pid.count(net));
  EXPECT_EQ(by_pid[net].ns.inum[NSG_NS_NET], ns_inode(net, "net"));
  EXPECT_NE(by_pid[net].ns.inum[NSG_NS_NET], self_ns.inum[NSG_NS_NET]);
  EXPECT_EQ(by_pid[net].hostname, host);

  ASSERT_TRUE(by_pid.count(pidns));
  ASSERT_TRUE(by_pid.count(pidns_child));
  EXPECT_EQ(by_pid[pidns].ns.inum[NSG_NS_PID_FOR_CHILDREN], ns_inode(pidns, "pid_for_children"));
  EXPECT_EQ(by_pid[pidns_child].ns.inum[NSG_NS_PID], ns_inode(pidns, "pid_for_children"));
  EXPECT_EQ(by_pid[pidns_child].ppid, static_cast<std::uint32_t>(pidns));

  // Where /proc has nothing to say, the iterator still knows the namespace
  // the next child will get: a new one, not the process's own.
  ASSERT_TRUE(by_pid.count(empty_pidns));
  const auto& e = by_pid[empty_pidns].ns;
  EXPECT_NE(e.inum[NSG_NS_PID_FOR_CHILDREN], 0U);
  EXPECT_NE(e.inum[NSG_NS_PID_FOR_CHILDREN], e.inum[NSG_NS_PID]);
  EXPECT_EQ(e.inum[NSG_NS_PID], self_ns.inum[NSG_NS_PID]);

  ASSERT_TRUE(by_pid.count(in_cgroup));
  EXPECT_EQ(by_pid[in_cgroup].cgroup_leaf, leaf_);
  EXPECT_EQ(by_pid[in_cgroup].cgroup_leaf, cgroup_leaf(in_cgroup));

  ASSERT_TRUE(by_pid.count(2));
  EXPECT_TRUE(by_pid[2].kernel_thread);
  EXPECT_EQ(by_pid[2].comm, "kthreadd");
  if (by_pid.count(1))
    EXPECT_FALSE(by_pid[1].kernel_thread);
  EXPECT_TRUE(by_pid.count(::getpid()));
}

TEST_F(TaskIter, ScansAgainAndSeesNewProcesses) {
  auto scanner = TaskScanner::open();
  ASSERT_TRUE(scanner) << scanner.error().message();
  auto first = scanner->scan();
  ASSERT_TRUE(first) << first.error().message();
  pid_t late = workloads_.start({"unshare", "-u", "sleep", "30"});
  ASSERT_TRUE(eventually([&] {
    return slurp("/proc/" + std::to_string(late) + "/comm") == "sleep\n";
  }));
  auto second = scanner->scan();
  ASSERT_TRUE(second) << second.error().message();
  auto has = [](const std::vector<ProcInfo>& v, pid_t pid) {
    return std::any_of(v.begin(), v.end(),
                       [&](const ProcInfo& p) { return p.pid == static_cast<std::uint32_t>(pid); });
  };
  EXPECT_FALSE(has(*first, late));
  EXPECT_TRUE(has(*second, late));
  EXPECT_TRUE(has(*second, ::getpid()));
}

TEST_F(TaskIter, ReleasesItsProgram) {
  int already = dump_task_programs();
  {
    auto scanner = TaskScanner::open();
    ASSERT_TRUE(scanner) << scanner.error().message();
    EXPECT_EQ(dump_task_programs(), already + 1);
    auto moved = std::move(*scanner);
    ASSERT_TRUE(moved.scan());
  }
  // The program goes with its last reference, the link, at close.
  EXPECT_TRUE(eventually([&] { return dump_task_programs() == already; }));
}

}  // namespace
}  // namespace nsgroup::test
