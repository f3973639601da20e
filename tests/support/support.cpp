// Privileged test helpers.
#include "support.h"

#include "util/socket.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <thread>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace nsgroup::test {

std::string test_hooks_name() {
  const char* h = std::getenv("NSGROUP_TEST_HOOKS");
  return h && *h ? h : "auto";
}

Hooks test_hooks() {
  std::string h = test_hooks_name();
  if (h == "fexit")
    return Hooks::Fexit;
  if (h == "tracepoint")
    return Hooks::Tracepoint;
  return Hooks::Auto;
}

std::string privileged_skip_reason() {
  if (geteuid() != 0)
    return "needs root (BPF, namespaces, cgroupfs)";
  struct stat st {};
  if (::stat("/sys/kernel/btf/vmlinux", &st) != 0)
    return "kernel has no BTF at /sys/kernel/btf/vmlinux";
  return "";
}

namespace {

std::uint32_t link_inode(const std::string& path) {
  char buf[128];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  const char* open = std::strchr(buf, '[');
  return open ? static_cast<std::uint32_t>(std::strtoul(open + 1, nullptr, 10))
              : 0;
}

}  // namespace

std::uint32_t ns_inode(pid_t pid, std::string_view name) {
  return link_inode("/proc/" + std::to_string(pid) + "/ns/" + std::string(name));
}

NsSet ns_inodes(pid_t pid) {
  NsSet s;
  for (std::size_t i = 0; i < kNsCount; ++i)
    s.inum[i] = ns_inode(pid, kNsNames[i]);
  return s;
}

std::uint64_t file_inode(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

bool Child::read_exact(void* buf, std::size_t n) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t r = ::read(out.get(), p, n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return false;
    p += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

int Child::wait() {
  if (pid <= 0)
    return -1;
  int st = wait_status(pid);
  pid = -1;
  return st;
}

void Child::kill() {
  if (pid > 0) {
    ::kill(pid, SIGKILL);
    wait();
  }
}

Child::~Child() { kill(); }

Child fork_child(std::function<int(int out_fd)> fn) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw std::system_error(errno, std::generic_category(), "pipe2");
  pid_t pid = ::fork();
  if (pid < 0)
    throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) {
    ::close(fds[0]);
    int rc = 127;
    try {
      rc = fn(fds[1]);
    } catch (...) {
    }
    ::_exit(rc);
  }
  ::close(fds[1]);
  Child c;
  c.pid = pid;
  c.out = UniqueFd(fds[0]);
  return c;
}

void write_self_ns(int out_fd) {
  // /proc/self, not /proc/getpid(): inside a new pid namespace getpid() is
  // not the pid that the host's /proc knows.
  NsSet s;
  for (std::size_t i = 0; i < kNsCount; ++i)
    s.inum[i] = link_inode("/proc/self/ns/" + std::string(kNsNames[i]));
  const char* p = reinterpret_cast<const char*>(&s);
  std::size_t n = sizeof s;
  while (n > 0) {
    ssize_t w = ::write(out_fd, p, n);
    if (w <= 0)
      return;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

namespace {

// Where a spawned process's standard streams go: a file opened for it, or
// (empty) the test's own.
struct Streams {
  std::string in, out, err;
  bool truncate_err = false;
};

// posix_spawnp(argv) with its streams redirected, optionally leading a
// process group of its own.
pid_t spawn_with(const std::vector<std::string>& argv, const Streams& s,
                 bool own_group) {
  std::vector<char*> cargv;
  for (const auto& a : argv)
    cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (!s.in.empty())
    posix_spawn_file_actions_addopen(&fa, 0, s.in.c_str(), O_RDONLY, 0);
  if (!s.out.empty())
    posix_spawn_file_actions_addopen(&fa, 1, s.out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (!s.err.empty())
    posix_spawn_file_actions_addopen(
        &fa, 2, s.err.c_str(), O_WRONLY | (s.truncate_err ? O_CREAT | O_TRUNC : 0), 0644);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  if (own_group) {
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
  }
  pid_t pid = -1;
  int err = posix_spawnp(&pid, cargv[0], &fa, &attr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (err != 0)
    throw std::system_error(err, std::generic_category(), "spawn " + argv[0]);
  return pid;
}

}  // namespace

pid_t spawn(const std::vector<std::string>& argv, bool keep_output) {
  Streams s;
  if (!keep_output)
    s.out = s.err = "/dev/null";
  return spawn_with(argv, s, false);
}

int wait_status(pid_t pid) {
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0) {
    if (errno != EINTR)
      return -1;
  }
  if (WIFEXITED(st))
    return WEXITSTATUS(st);
  return 128 + WTERMSIG(st);
}

int run(const std::vector<std::string>& argv) { return wait_status(spawn(argv)); }

namespace {

std::string read_all(int fd) {
  std::string s;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return s;
    s.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace

Output capture(const std::vector<std::string>& argv, int uid,
               std::chrono::milliseconds timeout) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
    throw std::system_error(errno, std::generic_category(), "pipe2");
  pid_t pid = ::fork();
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    if (uid >= 0 && (::setgroups(0, nullptr) != 0 || ::setresgid(uid, uid, uid) != 0 ||
                     ::setresuid(uid, uid, uid) != 0))
      ::_exit(126);
    std::vector<char*> cargv;
    for (const auto& a : argv)
      cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    ::execvp(cargv[0], cargv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  std::thread stopper;
  std::atomic<bool> done{false};
  if (timeout.count() > 0)
    stopper = std::thread([&] {
      auto deadline = std::chrono::steady_clock::now() + timeout;
      while (!done && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      if (!done)
        ::kill(pid, SIGTERM);
    });
  Output o;
  // Small outputs: read stderr after stdout without risk of a full pipe for
  // the commands these tests run; large stdout is read first.
  o.out = read_all(out[0]);
  o.err = read_all(err[0]);
  ::close(out[0]);
  ::close(err[0]);
  o.status = wait_status(pid);
  done = true;
  if (stopper.joinable())
    stopper.join();
  return o;
}

std::string nsgroup_binary() {
  // The test VM puts the binary elsewhere.
  const char* env = std::getenv("NSGROUP_TEST_BINARY");
  return env && *env ? env : NSGROUP_BINARY;
}

namespace {

// A 0755 directory under /tmp holding a 0755 copy of the binary.
struct ReachableCopy {
  std::string dir, path;
  ReachableCopy() {
    char tmpl[] = "/tmp/nsgroup-test-bin.XXXXXX";
    if (!::mkdtemp(tmpl))
      throw std::system_error(errno, std::generic_category(), "mkdtemp");
    dir = tmpl;
    path = dir + "/nsgroup";
    ::chmod(dir.c_str(), 0755);
    if (run({"cp", nsgroup_binary(), path}) != 0 || ::chmod(path.c_str(), 0755) != 0)
      throw std::runtime_error("cannot copy " + nsgroup_binary() + " to " + path);
  }
  ~ReachableCopy() {
    ::unlink(path.c_str());
    ::rmdir(dir.c_str());
  }
};

}  // namespace

std::string reachable_binary() {
  static ReachableCopy copy;
  return copy.path;
}

pid_t Workloads::start(const std::vector<std::string>& argv) {
  pid_t pid = spawn_with(argv, {"/dev/null", "/dev/null", "", false}, true);
  pids_.push_back(pid);
  return pid;
}

void Workloads::kill_all() {
  for (pid_t pid : pids_) {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  }
  for (pid_t pid : pids_)
    ::waitpid(pid, nullptr, 0);
  pids_.clear();
}

std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> out;
  std::string path = "/proc/" + std::to_string(pid) + "/task/" +
                     std::to_string(pid) + "/children";
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f)
    return out;
  long v;
  while (std::fscanf(f, "%ld", &v) == 1)
    out.push_back(static_cast<pid_t>(v));
  std::fclose(f);
  return out;
}

bool eventually(const std::function<bool()>& pred,
                std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (pred())
      return true;
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    ::usleep(20'000);
  }
}

DaemonProcess::DaemonProcess(std::vector<std::string> extra,
                             std::vector<std::string> wrapper) {
  static int seq = 0;
  std::string tag = std::to_string(::getpid()) + "-" + std::to_string(++seq);
  socket_ = "/tmp/nsgroup-test-" + tag + ".sock";
  log_path_ = "/tmp/nsgroup-test-" + tag + ".log";
  std::vector<std::string> argv = {nsgroup_binary(), "daemon", "--socket", socket_};
  std::string out = "/dev/null";
  if (auto it = std::find(extra.begin(), extra.end(), kPrintEvents); it != extra.end()) {
    extra.erase(it);
    events_path_ = "/tmp/nsgroup-test-" + tag + ".out";
    out = events_path_;
  } else {
    argv.push_back("--no-events");
  }
  argv.insert(argv.end(), extra.begin(), extra.end());
  // Tests that are not about the mirror leave cgroupfs alone.
  if (std::find(extra.begin(), extra.end(), "--cgroup-root") == extra.end())
    argv.push_back("--no-mirror");
  // A state directory of its own, shared only by the restarts of this
  // object's daemon.
  state_dir_ = "/tmp/nsgroup-test-" + tag + ".state";
  if (std::find(extra.begin(), extra.end(), "--state-dir") == extra.end()) {
    argv.push_back("--state-dir");
    argv.push_back(state_dir_);
  }
  argv.push_back("--hooks=" + test_hooks_name());
  argv.insert(argv.begin(), wrapper.begin(), wrapper.end());
  pid_ = spawn_with(argv, {"", out, log_path_, true}, false);
  ready_ = eventually(
      [&] {
        int st;
        if (::waitpid(pid_, &st, WNOHANG) == pid_) {
          pid_ = -1;
          return true;  // it died: not ready, stop waiting
        }
        return connect_unix(socket_).ok();
      },
      std::chrono::seconds(20));
  ready_ = ready_ && pid_ > 0;
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  ::unlink(socket_.c_str());
  ::unlink(log_path_.c_str());
  if (!events_path_.empty())
    ::unlink(events_path_.c_str());
  ::unlink((state_dir_ + "/containers.json").c_str());
  ::unlink((state_dir_ + "/containers.json.tmp").c_str());
  ::rmdir(state_dir_.c_str());
}

int DaemonProcess::stop(int sig) {
  if (pid_ <= 0)
    return -1;
  ::kill(pid_, sig);
  int st = -1;
  bool done = eventually([&] {
    int s;
    if (::waitpid(pid_, &s, WNOHANG) == pid_) {
      st = WIFEXITED(s) ? WEXITSTATUS(s) : 128 + WTERMSIG(s);
      return true;
    }
    return false;
  });
  if (!done) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
  return st;
}

std::string DaemonProcess::log() const { return slurp(log_path_); }

std::string DaemonProcess::events() const { return slurp(events_path_); }

std::string DaemonProcess::slurp(const std::string& path) {
  std::string s;
  FILE* f = path.empty() ? nullptr : std::fopen(path.c_str(), "r");
  if (!f)
    return s;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
    s.append(buf, n);
  std::fclose(f);
  return s;
}

nlohmann::ordered_json DaemonProcess::request(
    const nlohmann::ordered_json& req) const {
  auto connected = connect_unix(socket_);
  if (!connected)
    throw std::runtime_error(connected.error().message());
  UniqueFd fd = std::move(*connected);
  std::string line = req.dump() + "\n";
  if (::write(fd.get(), line.data(), line.size()) !=
      static_cast<ssize_t>(line.size()))
    throw std::runtime_error("short write to the daemon");
  std::string reply;
  char c;
  while (::read(fd.get(), &c, 1) == 1 && c != '\n')
    reply.push_back(c);
  return nlohmann::ordered_json::parse(reply);
}

EventLog::EventLog(TracerOptions opts)
    : tracer_(Tracer::open(opts, [this](const Event& e) { events_.push_back(e); }).value()) {}

void EventLog::drain() { tracer_.poll(0); }

std::optional<Event> EventLog::wait_for(
    const std::function<bool(const Event&)>& pred,
    std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t i = 0;
  for (;;) {
    for (; i < events_.size(); ++i)
      if (pred(events_[i]))
        return events_[i];
    if (std::chrono::steady_clock::now() >= deadline)
      return std::nullopt;
    tracer_.poll(50);
  }
}

}  // namespace nsgroup::test
