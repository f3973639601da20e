// CgroupFs: everything the mirror asks of the host, behind one interface,
// so that Mirror::sync runs against a fake in unit tests and against the
// real cgroupfs and /proc in the privileged ones.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "host/procfs.h"
#include "util/result.h"

namespace nsgroup {

class CgroupFs {
 public:
  virtual ~CgroupFs() = default;

  // Directories (absolute paths inside the cgroup2 mount).
  virtual Status make_dir(const std::string& path) = 0;
  virtual Status remove_dir(const std::string& path) = 0;
  virtual bool is_dir(const std::string& path) = 0;
  // Names of the subdirectories of path, sorted.
  virtual std::vector<std::string> subdirs(const std::string& path) = 0;
  virtual Status set_xattr(const std::string& path, const std::string& name,
                           const std::string& value) = 0;
  virtual std::optional<std::string> xattr(const std::string& path,
                                           const std::string& name) = 0;

  // The processes in a directory (cgroup.procs).
  virtual std::vector<std::uint32_t> procs(const std::string& dir) = 0;
  // Moves a process into a directory (a write to its cgroup.procs). With
  // start_ticks (not 0), only the process that started then: a pid the
  // tree still holds may be another process's by now (ESRCH then).
  virtual Status move(std::uint32_t pid, const std::string& dir,
                      std::uint64_t start_ticks) = 0;
  // Kills everything in a directory and below (cgroup.kill).
  virtual Status kill(const std::string& dir) = 0;

  // A process's cgroup v2 path relative to the mount ("/a/b"); nullopt
  // when it is gone.
  virtual std::optional<std::string> cgroup_of(std::uint32_t pid) = 0;
  // True for a kernel thread (the kernel refuses to move those).
  virtual bool is_kernel_thread(std::uint32_t pid) = 0;
  virtual bool process_exists(std::uint32_t pid) = 0;
  // The agent's own pid (it stays in its service's cgroup).
  virtual std::uint32_t self() = 0;
};

// The real thing: cgroupfs, and /proc under a root (a fake one in tests:
// what a process is, where it is, are read from it).
class SystemCgroupFs final : public CgroupFs {
 public:
  explicit SystemCgroupFs(ProcFs proc = ProcFs()) : proc_(std::move(proc)) {}
  Status make_dir(const std::string& path) override;
  Status remove_dir(const std::string& path) override;
  bool is_dir(const std::string& path) override;
  std::vector<std::string> subdirs(const std::string& path) override;
  Status set_xattr(const std::string& path, const std::string& name,
                   const std::string& value) override;
  std::optional<std::string> xattr(const std::string& path, const std::string& name) override;
  std::vector<std::uint32_t> procs(const std::string& dir) override;
  Status move(std::uint32_t pid, const std::string& dir, std::uint64_t start_ticks) override;
  Status kill(const std::string& dir) override;
  std::optional<std::string> cgroup_of(std::uint32_t pid) override;
  bool is_kernel_thread(std::uint32_t pid) override;
  bool process_exists(std::uint32_t pid) override;
  std::uint32_t self() override;

 private:
  ProcFs proc_;
};

// The cgroup2 mount of this mount namespace (/proc/self/mountinfo).
std::optional<std::string> cgroup2_mount(const ProcFs& proc = ProcFs());

// Where the mirror lives: the cgroup2 mount and the mirror root in it.
struct MirrorPlace {
  std::string mount;
  std::string root;
};
// Finds the cgroup2 mount, checks that root (empty: <mount>/nsgroup) is a
// directory inside it whose parent is a cgroup2 directory, and creates it.
Result<MirrorPlace> prepare_mirror_root(const std::string& root,
                                        const ProcFs& proc = ProcFs());

// Why a container name cannot be a cgroup directory's name (nullopt when it
// can): at most 64 bytes, no '.' (cgroup interface files are named so), no
// control characters.
std::optional<std::string> cgroup_name_error(std::string_view name);

}  // namespace nsgroup
