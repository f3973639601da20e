// Test-side readers of cgroupfs and /proc (cgroupfs_view.h).
#include "cgroupfs_view.h"

#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <sstream>

namespace nsgroup::test {

std::string read_text(const std::string& path) {
  std::ifstream f(path);
  return std::string((std::istreambuf_iterator<char>(f)), {});
}

std::string cgroup2_mount() {
  std::istringstream in(read_text("/proc/self/mountinfo"));
  std::string line;
  while (std::getline(in, line)) {
    auto sep = line.find(" - cgroup2 ");
    if (sep == std::string::npos)
      continue;
    std::istringstream head(line.substr(0, sep));
    std::string id, parent, dev, root, mp;
    head >> id >> parent >> dev >> root >> mp;
    if (root == "/")
      return mp;
  }
  return "";
}

std::set<pid_t> procs_in(const std::string& dir) {
  std::set<pid_t> out;
  std::istringstream in(read_text(dir + "/cgroup.procs"));
  pid_t pid;
  while (in >> pid)
    out.insert(pid);
  return out;
}

bool is_dir(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string cgroup_of(pid_t pid) {
  std::istringstream in(read_text("/proc/" + std::to_string(pid) + "/cgroup"));
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("0::", 0) == 0)
      return line.substr(3);
  return "";
}

}  // namespace nsgroup::test
