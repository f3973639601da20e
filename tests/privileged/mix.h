// Workloads and ground-truth checks shared by the tree and mirror tests:
// a mix of real namespace users, /proc read independently of the agent,
// and the comparison of a tree document with it.
#pragma once

#include <sys/types.h>

#include <array>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "util/fd.h"
#include "support.h"

namespace nsgroup::test {

using Json = nlohmann::ordered_json;

// What /proc says about one process: its start time and its ten links.
struct Truth {
  std::uint64_t start = 0;
  char state = '?';
  std::string comm;
  NsSet ns;
  bool readable() const { return ns.inum[NSG_NS_NET] != 0; }
};

// Every live (non-zombie) process.
std::map<pid_t, Truth> read_proc();

// pid -> container path, from a tree document.
struct Placement {
  std::map<pid_t, std::vector<std::string>> paths;  // a pid may (wrongly) repeat
  std::map<std::string, std::string> parent;        // path -> parent path
  std::set<pid_t> unreadable;
  std::map<std::string, Json> node;                 // path -> container (no children)
};
Placement placement_of(const Json& doc);
std::string path_of(const Placement& p, pid_t pid);

// Every readable process that lived through the query is in exactly one
// container; two share a container iff all ten links are equal.
void expect_matches_kernel(const std::map<pid_t, Truth>& before, const Json& doc,
                           const std::map<pid_t, Truth>& after);

// The workloads of the acceptance tests, started and settled.
struct Mix {
  pid_t uts = -1;       // unshare -u sleep
  pid_t net_ipc = -1;   // unshare -n -i sleep
  pid_t pidns = -1;     // unshare --fork --pid --mount-proc sleep
  pid_t netns = -1;     // ip netns exec X sleep
  pid_t nsenter = -1;   // nsenter -t <uts> -a sleep
  pid_t clone3 = -1;    // clone3 with new uts and ipc
  pid_t nested = -1;    // unshare -u sh -c 'unshare -n sleep'
  std::string netns_name;
  pid_t nested_inner() const;
  pid_t nsenter_child() const;
};
// Starts the mix (gtest assertions inside: wrap in ASSERT_NO_FATAL_FAILURE).
void start_mix(Workloads& w, Mix& m);
void expect_mix_structure(const Json& doc, const Mix& m);
// pid's namespace `ns` is readable and differs from the test's own.
bool differs(pid_t pid, const char* ns);

// A raw control-socket connection.
struct RawClient {
  UniqueFd fd;
  explicit RawClient(const std::string& path);
  void send_bytes(const std::string& s);
  std::optional<Json> read_reply();
};

// A command whose stdout is read line by line as JSON (nsgroup watch).
struct WatchProcess {
  pid_t pid = -1;
  UniqueFd out;
  std::string buf;
  explicit WatchProcess(std::vector<std::string> args);
  ~WatchProcess();
  // The next line that satisfies pred; nullopt at EOF (or, on a
  // non-blocking fd, when nothing is waiting).
  std::optional<Json> next(const std::function<bool(const Json&)>& pred);
  // Sends sig, reaps; the exit status.
  int stop(int sig);
};

}  // namespace nsgroup::test
