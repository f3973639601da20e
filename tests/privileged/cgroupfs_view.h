// What the kernel says about cgroups, read the way a test reads it: its
// own small parsers of mountinfo, cgroup.procs and /proc/PID/cgroup (not
// the agent's), shared by the mirror and cgroup-namespace tests.
#pragma once

#include <sys/types.h>

#include <set>
#include <string>

namespace nsgroup::test {

// A file's whole text ("" when it cannot be read).
std::string read_text(const std::string& path);
// The cgroup2 mount showing the whole hierarchy (root "/"), from
// /proc/self/mountinfo (unified or hybrid layout); "" when there is none.
std::string cgroup2_mount();
// The pids in a cgroup directory's cgroup.procs.
std::set<pid_t> procs_in(const std::string& dir);
bool is_dir(const std::string& path);
// The cgroup v2 path of a process ("0::PATH" of /proc/PID/cgroup), or "".
std::string cgroup_of(pid_t pid);

}  // namespace nsgroup::test
