// cgroupfs and /proc as the mirror sees them.
#include "host/cgroupfs.h"

#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "core/tree.h"
#include "host/kill.h"
#include "host/procfs.h"
#include "util/fd.h"
#include "util/file.h"
#include "util/log.h"
#include "util/text.h"

namespace nsgroup {

namespace {

constexpr long kCgroup2Magic = 0x63677270;  // CGROUP2_SUPER_MAGIC
constexpr unsigned kPfKthread = 0x00200000;

}  // namespace

Status SystemCgroupFs::make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0)
    return errno_failure("mkdir " + path);
  ::chmod(path.c_str(), 0755);  // readable by cgroup tools whatever our umask
  return {};
}

Status SystemCgroupFs::remove_dir(const std::string& path) {
  if (::rmdir(path.c_str()) != 0)
    return errno_failure("rmdir " + path);
  return {};
}

bool SystemCgroupFs::is_dir(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> SystemCgroupFs::subdirs(const std::string& path) {
  std::vector<std::string> out;
  auto dir = Dir::open(path);
  if (!dir)
    return out;
  while (const dirent* ent = dir->next())
    if (ent->d_type == DT_DIR)
      out.emplace_back(ent->d_name);
  std::sort(out.begin(), out.end());
  return out;
}

Status SystemCgroupFs::set_xattr(const std::string& path, const std::string& name,
                                 const std::string& value) {
  if (::setxattr(path.c_str(), name.c_str(), value.data(), value.size(), 0) != 0)
    return errno_failure("setxattr " + name + " on " + path);
  return {};
}

std::optional<std::string> SystemCgroupFs::xattr(const std::string& path,
                                                 const std::string& name) {
  char buf[4096];
  ssize_t n = ::getxattr(path.c_str(), name.c_str(), buf, sizeof buf);
  if (n < 0)
    return std::nullopt;
  return std::string(buf, static_cast<std::size_t>(n));
}

std::vector<std::uint32_t> SystemCgroupFs::procs(const std::string& dir) {
  std::vector<std::uint32_t> out;
  auto text = read_file(dir + "/cgroup.procs");
  if (!text)
    return out;
  for (auto f : split(*text, '\n'))
    if (auto v = parse_u64(f); v && *v <= UINT32_MAX)
      out.push_back(static_cast<std::uint32_t>(*v));
  return out;
}

Status SystemCgroupFs::move(std::uint32_t pid, const std::string& dir,
                            std::uint64_t start_ticks) {
  std::string procs = dir + "/cgroup.procs";
  if (start_ticks == 0)
    return write_file(procs, std::to_string(pid));
  // While the pidfd's process lives, the write below moves the process
  // checked.
  UniqueFd pidfd = pidfd_if_started(pid, start_ticks, proc_);
  if (!pidfd)
    return Failure{ESRCH, "pid " + std::to_string(pid) + " is gone or another process now"};
  Status moved = write_file(procs, std::to_string(pid));
  if (moved && ::syscall(SYS_pidfd_send_signal, pidfd.get(), 0, nullptr, 0) != 0)
    // It exited around the write: the number may have gone to another
    // process first (microseconds: exit, reap and reuse of the pid).
    log_warn("pid " + std::to_string(pid) + " exited while it was moved to " + dir +
             "; if its pid was reused at once, that process was moved");
  return moved;
}

Status SystemCgroupFs::kill(const std::string& dir) {
  return write_file(dir + "/cgroup.kill", "1");
}

std::optional<std::string> SystemCgroupFs::cgroup_of(std::uint32_t pid) {
  return proc_.cgroup_v2(pid);
}

bool SystemCgroupFs::is_kernel_thread(std::uint32_t pid) {
  auto stat = proc_.stat(pid);
  return stat && (stat->flags & kPfKthread) != 0;
}

bool SystemCgroupFs::process_exists(std::uint32_t pid) {
  return proc_.exists(pid);
}

std::uint32_t SystemCgroupFs::self() { return static_cast<std::uint32_t>(::getpid()); }

std::optional<std::string> cgroup2_mount(const ProcFs& proc) {
  auto mountinfo = read_file(proc.self("mountinfo"));
  if (!mountinfo)
    return std::nullopt;
  return cgroup2_mount_from(*mountinfo);
}

Result<MirrorPlace> prepare_mirror_root(const std::string& wanted, const ProcFs& proc) {
  auto mount = cgroup2_mount(proc);
  if (!mount)
    return failure("no cgroup2 filesystem is mounted (see /proc/self/mountinfo); "
                   "mount one or run with --no-mirror");
  std::string root = wanted.empty() ? *mount + "/nsgroup" : wanted;
  while (root.size() > 1 && root.back() == '/')
    root.pop_back();
  if (root.empty() || root[0] != '/' || root.find("/../") != std::string::npos ||
      root.find("/./") != std::string::npos || root.ends_with("/..") || root.ends_with("/."))
    return failure("--cgroup-root must be an absolute path without . or ..: " + root);
  if (!path_within(root, *mount) || root == *mount)
    return failure("--cgroup-root " + root + " is not inside the cgroup2 mount " + *mount);
  // The parent must be a cgroup2 directory: the check that counts.
  std::string parent = root.substr(0, root.rfind('/'));
  if (parent.empty())
    parent = "/";
  struct statfs fs {};
  if (::statfs(parent.c_str(), &fs) != 0 || fs.f_type != kCgroup2Magic)
    return failure("--cgroup-root " + root + ": " + parent + " is not a cgroup2 directory");
  if (::mkdir(root.c_str(), 0755) != 0 && errno != EEXIST)
    return errno_failure("cannot create the mirror root " + root);
  return MirrorPlace{*mount, root};
}

std::optional<std::string> cgroup_name_error(std::string_view name) {
  if (name.size() > 64)
    return "a name is at most 64 bytes";
  if (name.find('.') != std::string_view::npos)
    return "a name cannot contain '.' (cgroup interface files are named so)";
  for (char ch : name)
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f)
      return "a name cannot contain control characters";
  return std::nullopt;
}

}  // namespace nsgroup
