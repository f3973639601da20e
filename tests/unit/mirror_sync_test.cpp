// The cgroup mirror (host/mirror.h) driven by a real tree, against an in-memory cgroupfs.
#include <gtest/gtest.h>

#include <cerrno>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/tree.h"
#include "host/cgroupfs.h"
#include "host/mirror.h"
#include "synthetic.h"

namespace nsgroup {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

constexpr const char* kMount = "/sys/fs/cgroup";
constexpr const char* kRoot = "/sys/fs/cgroup/nsgroup";

// cgroupfs and /proc in memory: directories by absolute path, each
// process's cgroup relative to the mount.
class FakeCgroupFs final : public CgroupFs {
 public:
  struct Dir {
    std::map<std::string, std::string> xattrs;
    std::set<std::uint32_t> pids;
  };
  std::map<std::string, Dir> dirs;
  std::map<std::uint32_t, std::string> cgroups;
  std::set<std::uint32_t> kthreads;
  std::map<std::uint32_t, std::uint64_t> starts;  // where set: the process's start time
  std::uint32_t self_pid = 1;
  std::optional<int> mkdir_errno;  // injected: every make_dir fails so
  std::vector<std::string> killed;

  FakeCgroupFs() {
    dirs[kMount];
    dirs[kRoot];
  }

  static std::string abs(const std::string& rel) {
    return rel == "/" ? std::string(kMount) : kMount + rel;
  }
  static std::string rel(const std::string& abs) {
    return abs == kMount ? "/" : abs.substr(std::string(kMount).size());
  }
  // Adds a directory and its missing parents.
  void add_dir(const std::string& path) {
    for (auto pos = path.find('/', 1); pos != std::string::npos; pos = path.find('/', pos + 1))
      dirs[path.substr(0, pos)];
    dirs[path];
  }
  void spawn(std::uint32_t pid, const std::string& cgroup = "/") {
    add_dir(abs(cgroup));
    cgroups[pid] = cgroup;
    dirs[abs(cgroup)].pids.insert(pid);
  }
  void exit(std::uint32_t pid) {
    dirs[abs(cgroups.at(pid))].pids.erase(pid);
    cgroups.erase(pid);
  }
  bool has_subdirs(const std::string& path) const {
    auto it = dirs.upper_bound(path + "/");
    return it != dirs.end() && it->first.compare(0, path.size() + 1, path + "/") == 0;
  }

  Status make_dir(const std::string& path) override {
    if (mkdir_errno)
      return Failure{*mkdir_errno, "mkdir " + path};
    if (dirs.count(path))
      return Failure{EEXIST, "mkdir " + path};
    if (!dirs.count(path.substr(0, path.rfind('/'))))
      return Failure{ENOENT, "mkdir " + path};
    dirs[path];
    return {};
  }
  Status remove_dir(const std::string& path) override {
    auto it = dirs.find(path);
    if (it == dirs.end())
      return Failure{ENOENT, "rmdir " + path};
    if (!it->second.pids.empty() || has_subdirs(path))
      return Failure{EBUSY, "rmdir " + path};
    dirs.erase(it);
    return {};
  }
  bool is_dir(const std::string& path) override { return dirs.count(path) != 0; }
  std::vector<std::string> subdirs(const std::string& path) override {
    std::vector<std::string> out;
    std::string prefix = path + "/";
    for (auto it = dirs.upper_bound(prefix); it != dirs.end(); ++it) {
      if (it->first.compare(0, prefix.size(), prefix) != 0)
        break;
      std::string name = it->first.substr(prefix.size());
      if (name.find('/') == std::string::npos)
        out.push_back(name);
    }
    return out;
  }
  Status set_xattr(const std::string& path, const std::string& name,
                   const std::string& value) override {
    auto it = dirs.find(path);
    if (it == dirs.end())
      return Failure{ENOENT, "setxattr " + path};
    it->second.xattrs[name] = value;
    return {};
  }
  std::optional<std::string> xattr(const std::string& path, const std::string& name) override {
    auto it = dirs.find(path);
    if (it == dirs.end())
      return std::nullopt;
    auto x = it->second.xattrs.find(name);
    if (x == it->second.xattrs.end())
      return std::nullopt;
    return x->second;
  }
  std::vector<std::uint32_t> procs(const std::string& dir) override {
    auto it = dirs.find(dir);
    if (it == dirs.end())
      return {};
    return {it->second.pids.begin(), it->second.pids.end()};
  }
  Status move(std::uint32_t pid, const std::string& dir, std::uint64_t start_ticks) override {
    auto cg = cgroups.find(pid);
    if (cg == cgroups.end())
      return Failure{ESRCH, "move"};
    if (auto s = starts.find(pid); start_ticks != 0 && s != starts.end() && s->second != start_ticks)
      return Failure{ESRCH, "move: pid reused"};
    auto to = dirs.find(dir);
    if (to == dirs.end())
      return Failure{ENOENT, "move"};
    dirs[abs(cg->second)].pids.erase(pid);
    to->second.pids.insert(pid);
    cg->second = rel(dir);
    return {};
  }
  Status kill(const std::string& dir) override {
    killed.push_back(dir);
    return {};
  }
  std::optional<std::string> cgroup_of(std::uint32_t pid) override {
    auto it = cgroups.find(pid);
    if (it == cgroups.end())
      return std::nullopt;
    return it->second;
  }
  bool is_kernel_thread(std::uint32_t pid) override { return kthreads.count(pid) != 0; }
  bool process_exists(std::uint32_t pid) override { return cgroups.count(pid) != 0; }
  std::uint32_t self() override { return self_pid; }
};

const NsSet kUts = with(root_set(), NSG_NS_UTS, kUtsA);  // Nested's a_set
const NsSet kUtsNet = with(kUts, NSG_NS_NET, kNetA);     // Nested's b_set
const NsSet kIpc = with(root_set(), NSG_NS_IPC, kIpcA);

// A directory below the mirror's root.
std::string under_root(const std::string& rel) { return std::string(kRoot) + "/" + rel; }

// How many errors the mirror counted whose cause mentions `word`.
std::uint64_t errors_mentioning(const Mirror& mirror, const std::string& word) {
  std::uint64_t n = 0;
  for (const auto& [cause, count] : mirror.stats().errors)
    if (cause.find(word) != std::string::npos)
      n += count;
  return n;
}

struct Sample {
  FakeCgroupFs fs;
  TestTree tree{root_set()};
  Mirror mirror;

  explicit Sample(Adopt adopt = Adopt::Auto, std::vector<std::string> units = {})
      : mirror(fs, kMount, kRoot, adopt, std::move(units)) {}

  // Mirrors what changed in the tree since the last sync.
  void sync() {
    mirror.sync(tree, tree.delta);
    tree.delta.clear();
  }
  ContainerId apply(const Event& e) {
    ContainerId c = tree.apply(e).container;
    sync();
    return c;
  }
  ContainerId unshare(std::uint32_t pid, const NsSet& before, const NsSet& after) {
    return apply(test::unshare(pid, before, after));
  }
  // Enters an existing set (an unshare would make new namespaces).
  ContainerId setns(std::uint32_t pid, const NsSet& before, const NsSet& after) {
    return apply(test::setns(pid, before, after));
  }
  // A process started in `cgroup` that unshares from the root into `set`.
  ContainerId start(std::uint32_t pid, const NsSet& set = kUts, const std::string& cgroup = "/") {
    fs.spawn(pid, cgroup);
    return unshare(pid, root_set(), set);
  }
  // Nested's a (pid 10) and b under it (pid 20), each mirrored as it comes.
  Nested nest() {
    fs.spawn(10);
    fs.spawn(20);
    Nested n;
    n.chain([this](const Event& e) { return apply(e); });
    return n;
  }
  void exit(std::uint32_t pid) {
    fs.exit(pid);
    apply(exit_of(pid));
  }
  void collect() {
    tree.collect_garbage({});
    sync();
  }
  // Where the container's directory belongs, absolute and relative to the mount.
  std::string dir_of(ContainerId id) const {
    return std::string(kRoot) + tree.path(id).substr(std::string("/init_container").size());
  }
  std::string rel_dir_of(ContainerId id) const { return FakeCgroupFs::rel(dir_of(id)); }
  std::optional<std::string> cgroup_of(std::uint32_t pid) { return fs.cgroup_of(pid); }
};

// Pid 10's new container c, and the directory the mirror gave it.
struct OneContainer : Sample {
  ContainerId c = start(10);
  std::string dir = mirror.path_of(c).value();  // throws, failing the test, if none
};

// Nested's a (pid 10) and b under it (pid 20), and a's first directory.
struct TwoLevels : Sample {
  Nested n = nest();
  std::string old_a = mirror.path_of(n.a).value();  // throws, failing the test, if none

  // After a change to a: b's directory and its member are where b now
  // belongs, and a's first directory is gone, with nothing left to retry.
  void expect_b_followed() {
    EXPECT_EQ(mirror.path_of(n.b), dir_of(n.b));
    EXPECT_EQ(cgroup_of(20), rel_dir_of(n.b));
    EXPECT_FALSE(fs.is_dir(old_a));
    EXPECT_EQ(mirror.stats().pending_removals, 0U);
  }
};

TEST(MirrorSync, ANewContainerGetsItsDirectoryAndItsMember) {
  Sample s;
  ContainerId c = s.start(10);
  std::string dir = under_root(s.tree.find(c)->name);
  ASSERT_TRUE(s.fs.is_dir(dir));
  EXPECT_EQ(s.mirror.path_of(c), dir);
  EXPECT_EQ(s.cgroup_of(10), FakeCgroupFs::rel(dir));
  EXPECT_TRUE(s.mirror.in_directory(10));
  EXPECT_EQ(s.mirror.stats().mkdirs, 1U);
  EXPECT_EQ(s.mirror.stats().moves, 1U);
}

// A child forked before its parent was moved, but reported after: it is
// still where the parent was, and must be moved itself (taking the
// parent's placement for it let it escape cgroup.kill).
TEST(MirrorSync, AChildForkedBeforeItsParentsMoveIsMovedItself) {
  Sample s;
  s.fs.spawn(11);  // forked while the parent was still in "/"
  ContainerId c = s.start(10);
  std::string dir = FakeCgroupFs::rel(under_root(s.tree.find(c)->name));
  EXPECT_EQ(s.apply(fork_of(10, 11)), c);
  EXPECT_EQ(s.cgroup_of(11), dir);
  EXPECT_TRUE(s.mirror.in_directory(11));
}

// Forked in the same batch as its parent's move: the child forked before
// the move and is still where the parent was, so it is placed itself.
TEST(MirrorSync, AChildForkedBeforeItsParentWasPlacedIsPlacedItself) {
  Sample s;
  s.fs.spawn(10);
  s.fs.spawn(11);
  s.tree.apply(unshare(10, root_set(), kUts));
  ContainerId c = s.tree.apply(fork_of(10, 11)).container;
  s.sync();
  std::string dir = FakeCgroupFs::rel(under_root(s.tree.find(c)->name));
  EXPECT_EQ(s.cgroup_of(11), dir);
  EXPECT_EQ(s.mirror.stats().moves, 2U);
}

TEST(MirrorSync, ANewDirectoryCarriesTheContainersXattrs) {
  OneContainer s;
  EXPECT_EQ(s.fs.xattr(s.dir, "trusted.nsgroup.id"), std::to_string(s.c));
  EXPECT_EQ(s.fs.xattr(s.dir, "trusted.nsgroup.name"), s.tree.find(s.c)->name);
  auto ns = s.fs.xattr(s.dir, "trusted.nsgroup.ns");
  ASSERT_TRUE(ns);
  EXPECT_EQ(parse_ns_text(*ns), s.tree.find(s.c)->ns);
  auto created = s.fs.xattr(s.dir, "trusted.nsgroup.created");
  ASSERT_TRUE(created);
  auto parsed = parse_creation_text(*created);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->pid, 10U);
}

TEST(MirrorSync, AForeignProcessIsLeftWhereItIsWithAdoptAuto) {
  Sample s;
  ContainerId c = s.start(10, kUts, "/system.slice/x.service");
  EXPECT_TRUE(s.mirror.path_of(c));
  EXPECT_EQ(s.cgroup_of(10), "/system.slice/x.service");
  EXPECT_EQ(s.mirror.foreign_cgroup(10), "/system.slice/x.service");
  EXPECT_FALSE(s.mirror.in_directory(10));
  EXPECT_EQ(s.mirror.stats().foreign_processes, 1U);
  EXPECT_EQ(s.mirror.stats().moves, 0U);
}

TEST(MirrorSync, AForeignProcessOutsideAnyUnitIsMovedWithAdoptAll) {
  Sample s(Adopt::All);
  ContainerId c = s.start(10, kUts, "/lxc.payload.web");
  EXPECT_EQ(s.cgroup_of(10), FakeCgroupFs::rel(*s.mirror.path_of(c)));
  EXPECT_EQ(s.mirror.foreign_cgroup(10), std::nullopt);
  EXPECT_TRUE(s.mirror.in_directory(10));
}

TEST(MirrorSync, AdoptAllLeavesASystemdUnitsProcessInItsUnit) {
  Sample s(Adopt::All);
  s.start(10, kUts, "/system.slice/x.service");
  s.start(20, kIpc, "/user.slice/user-0.slice/session-1.scope/sub");
  EXPECT_EQ(s.cgroup_of(10), "/system.slice/x.service");
  EXPECT_EQ(s.cgroup_of(20), "/user.slice/user-0.slice/session-1.scope/sub");
  EXPECT_EQ(s.mirror.stats().foreign_processes, 2U);
  EXPECT_EQ(s.mirror.stats().moves, 0U);
}

TEST(MirrorSync, AdoptAllTakesTheUnitsOptedIn) {
  Sample s(Adopt::All, {"x.service", "docker-*.scope"});
  ContainerId x = s.start(10, kUts, "/system.slice/x.service");
  ContainerId d = s.start(20, kIpc, "/system.slice/docker-0123abcd.scope");
  s.start(30, with(root_set(), NSG_NS_NET, 555), "/system.slice/y.service");
  EXPECT_EQ(s.cgroup_of(10), FakeCgroupFs::rel(*s.mirror.path_of(x)));
  EXPECT_EQ(s.cgroup_of(20), FakeCgroupFs::rel(*s.mirror.path_of(d)));
  EXPECT_EQ(s.cgroup_of(30), "/system.slice/y.service");
}

TEST(SystemdUnitOf, TheInnermostServiceOrScope) {
  EXPECT_EQ(systemd_unit_of("/system.slice/x.service"), "x.service");
  EXPECT_EQ(systemd_unit_of("/user.slice/user-0.slice/session-1.scope/sub"), "session-1.scope");
  EXPECT_EQ(systemd_unit_of("/system.slice/a.service/b.scope"), "b.scope");
  EXPECT_EQ(systemd_unit_of("/system.slice"), std::nullopt);
  EXPECT_EQ(systemd_unit_of("/"), std::nullopt);
  EXPECT_EQ(systemd_unit_of("/.service"), std::nullopt);
  EXPECT_EQ(systemd_unit_of("/lxc.payload.web"), std::nullopt);
}

TEST(MirrorSync, AMemberWhosePidWasReusedIsNotMoved) {
  Sample s;
  s.fs.spawn(10);
  s.fs.starts[10] = 999;  // the kernel's pid 10 started at 999
  Event e = test::unshare(10, root_set(), kUts);
  e.start_ticks = 500;  // the tree's pid 10 started at 500
  s.apply(e);
  EXPECT_EQ(s.cgroup_of(10), "/");
  EXPECT_EQ(s.mirror.stats().moves, 0U);
}

// A directory being removed still holds a pid that the tree has in another
// container, but the kernel's process of that pid is a newer one (the old
// exited, its number was reused by a child forked inside, and the tree
// has seen neither yet: a daemon behind a fork storm). That process is
// not the tree's: it must not be moved into the other container.
TEST(MirrorSync, APidLeftInARemovedDirectoryIsMovedOnlyIfItIsTheTreesProcess) {
  Sample s;
  ContainerId a = s.start(10);
  s.fs.spawn(20);
  s.fs.starts[20] = 500;
  Event e = test::unshare(20, root_set(), kIpc);
  e.start_ticks = 500;
  ContainerId b = s.apply(e);
  std::string dir_a = *s.mirror.path_of(a), dir_b = *s.mirror.path_of(b);
  ASSERT_EQ(s.cgroup_of(20), FakeCgroupFs::rel(dir_b));
  // The kernel: 20 exits, and a child of 10 gets its pid in a's directory.
  s.fs.exit(20);
  s.fs.spawn(20, FakeCgroupFs::rel(dir_a));
  s.fs.starts[20] = 999;
  // The tree: 10 exits and a is collected; 20 is still b's.
  s.exit(10);
  s.collect();
  ASSERT_EQ(s.tree.find(a), nullptr);
  ASSERT_EQ(s.tree.container_of(20), b);
  EXPECT_EQ(s.cgroup_of(20), FakeCgroupFs::rel(dir_a)) << "the newer process was moved";
  EXPECT_EQ(s.fs.dirs[dir_b].pids.count(20), 0U);
  EXPECT_EQ(s.mirror.stats().pending_removals, 1U);  // retried once it is placed or gone
  // Once that process is gone, the directory goes.
  s.fs.exit(20);
  s.mirror.retry(s.tree);
  EXPECT_FALSE(s.fs.is_dir(dir_a));
  EXPECT_EQ(s.mirror.stats().pending_removals, 0U);
}

// A member goes back to the root set, but by the time the mirror takes it
// out of its directory, its pid belongs to a newer process forked there:
// that one stays where the kernel put it.
TEST(MirrorSync, AMemberLeavingTheMirrorDoesNotTakeANewerProcessOfItsPidAlong) {
  Sample s;
  s.fs.spawn(10);
  s.fs.starts[10] = 500;
  Event e = test::unshare(10, root_set(), kUts);
  e.start_ticks = 500;
  ContainerId c = s.apply(e);
  std::string dir = *s.mirror.path_of(c);
  s.fs.exit(10);
  s.fs.spawn(10, FakeCgroupFs::rel(dir));
  s.fs.starts[10] = 999;
  Event back = test::setns(10, kUts, root_set());
  back.start_ticks = 500;
  s.apply(back);
  ASSERT_EQ(s.tree.container_of(10), kRootId);
  EXPECT_EQ(s.cgroup_of(10), FakeCgroupFs::rel(dir));
}

TEST(MirrorSync, AKernelThreadAndTheAgentItselfStayWhereTheyAre) {
  Sample s(Adopt::All);
  s.fs.spawn(10);
  s.fs.spawn(11);
  s.fs.kthreads.insert(10);
  s.fs.self_pid = 11;
  s.unshare(10, root_set(), kUts);
  s.setns(11, root_set(), kUts);
  EXPECT_EQ(s.cgroup_of(10), "/");
  EXPECT_EQ(s.cgroup_of(11), "/");
  EXPECT_EQ(s.mirror.stats().foreign_processes, 2U);
}

TEST(MirrorSync, ANestedContainersDirectoryIsUnderItsParents) {
  TwoLevels s;
  ASSERT_EQ(s.tree.find(s.n.b)->parent, s.n.a);
  std::string dir = *s.mirror.path_of(s.n.a) + "/" + s.tree.find(s.n.b)->name;
  EXPECT_EQ(s.mirror.path_of(s.n.b), dir);
  EXPECT_TRUE(s.fs.is_dir(dir));
  EXPECT_EQ(s.cgroup_of(20), FakeCgroupFs::rel(dir));
  EXPECT_EQ(s.cgroup_of(10), FakeCgroupFs::rel(*s.mirror.path_of(s.n.a)));
}

TEST(MirrorSync, RenameMakesTheNewDirectoryMovesTheMembersAndRemovesTheOld) {
  Sample s;
  ContainerId c = s.start(10);
  s.fs.spawn(11);
  s.setns(11, root_set(), kUts);
  std::string old_dir = *s.mirror.path_of(c);
  ASSERT_EQ(s.tree.rename(c, "web"), "");
  s.sync();
  std::string new_dir = *s.mirror.path_of(c);
  EXPECT_EQ(new_dir, s.dir_of(c));
  EXPECT_NE(new_dir, old_dir);
  EXPECT_TRUE(s.fs.is_dir(new_dir));
  EXPECT_FALSE(s.fs.is_dir(old_dir));
  EXPECT_EQ(s.fs.xattr(new_dir, "trusted.nsgroup.name"), "web");
  EXPECT_EQ(s.cgroup_of(10), FakeCgroupFs::rel(new_dir));
  EXPECT_EQ(s.cgroup_of(11), FakeCgroupFs::rel(new_dir));
  EXPECT_EQ(s.mirror.stats().pending_removals, 0U);
}

TEST(MirrorSync, RenamingAParentMovesItsChildsDirectoryToo) {
  TwoLevels s;
  ASSERT_EQ(s.tree.rename(s.n.a, "web"), "");
  s.sync();
  s.expect_b_followed();
  EXPECT_EQ(s.cgroup_of(10), s.rel_dir_of(s.n.a));
}

TEST(MirrorSync, SwappedNamesConvergeAfterARetry) {
  Sample s;
  ContainerId a = s.start(10);
  ContainerId b = s.start(20, kIpc);
  ASSERT_EQ(s.tree.rename(a, "x"), "");
  ASSERT_EQ(s.tree.rename(b, "y"), "");
  s.sync();
  ASSERT_EQ(s.tree.rename(a, "z"), "");
  ASSERT_EQ(s.tree.rename(b, "x"), "");
  s.sync();
  s.mirror.retry(s.tree);
  EXPECT_EQ(s.mirror.path_of(a), s.dir_of(a));
  EXPECT_EQ(s.mirror.path_of(b), s.dir_of(b));
  EXPECT_EQ(s.fs.xattr(s.dir_of(b), "trusted.nsgroup.id"), std::to_string(b));
  EXPECT_EQ(s.cgroup_of(10), s.rel_dir_of(a));
  EXPECT_EQ(s.cgroup_of(20), s.rel_dir_of(b));
  EXPECT_FALSE(s.fs.is_dir(under_root("y")));
  EXPECT_EQ(s.mirror.stats().pending_retries, 0U);
  EXPECT_EQ(s.mirror.stats().pending_removals, 0U);
}

TEST(MirrorSync, ACollectedContainerLosesItsDirectory) {
  OneContainer s;
  s.exit(10);
  EXPECT_TRUE(s.fs.is_dir(s.dir));  // still in the tree until collected
  s.collect();
  ASSERT_EQ(s.tree.find(s.c), nullptr);
  EXPECT_FALSE(s.fs.is_dir(s.dir));
  EXPECT_EQ(s.mirror.path_of(s.c), std::nullopt);
  EXPECT_EQ(s.mirror.stats().rmdirs, 1U);
  EXPECT_EQ(s.mirror.stats().directories, 0U);
}

TEST(MirrorSync, ASplicedOutContainersChildMovesUp) {
  TwoLevels s;
  s.exit(10);
  s.collect();
  ASSERT_EQ(s.tree.find(s.n.a), nullptr);
  ASSERT_EQ(s.tree.find(s.n.b)->parent, kRootId);
  s.expect_b_followed();
}

TEST(MirrorSync, AMemberBackInTheRootSetLeavesForTheCgroupRoot) {
  Sample s;
  ContainerId c = s.start(10);
  ASSERT_EQ(s.cgroup_of(10), FakeCgroupFs::rel(*s.mirror.path_of(c)));
  s.setns(10, kUts, root_set());
  ASSERT_EQ(s.tree.container_of(10), kRootId);
  EXPECT_EQ(s.cgroup_of(10), "/");
  EXPECT_FALSE(s.mirror.in_directory(10));
}

TEST(MirrorSync, AMemberWhoseOriginIsNotKnownGoesToTheMirrorRootNotTheCgroupRoot) {
  Sample s;
  ContainerId c = s.start(10);
  // Born inside its container's directory (a child forked there, or a
  // member an earlier run placed): no origin.
  s.fs.spawn(11, FakeCgroupFs::rel(*s.mirror.path_of(c)));
  s.apply(test::fork_of(10, 11));
  ASSERT_EQ(s.tree.container_of(11), c);
  s.setns(11, kUts, root_set());
  s.setns(10, kUts, root_set());
  EXPECT_EQ(s.cgroup_of(10), "/");  // it came from there
  EXPECT_EQ(s.cgroup_of(11), FakeCgroupFs::rel(kRoot));
}

TEST(MirrorSync, AnAdoptedMemberBackInTheRootSetReturnsToItsOrigin) {
  Sample s(Adopt::All, {"session-*.scope"});
  s.start(10, kUts, "/user.slice/session-1.scope");
  ASSERT_NE(s.cgroup_of(10), "/user.slice/session-1.scope");
  s.setns(10, kUts, root_set());
  EXPECT_EQ(s.cgroup_of(10), "/user.slice/session-1.scope");
}

TEST(MirrorSync, AMemberMovingBetweenContainersFollows) {
  Sample s;
  s.start(10);
  ContainerId other = s.start(20, kIpc);
  s.setns(10, kUts, s.tree.find(other)->ns);
  EXPECT_EQ(s.cgroup_of(10), FakeCgroupFs::rel(*s.mirror.path_of(other)));
}

// A new container whose mkdir failed with EAGAIN.
struct RefusedMkdir : Sample {
  ContainerId c = 0;
  RefusedMkdir() {
    fs.mkdir_errno = EAGAIN;
    c = start(10);
  }
};

TEST(MirrorSync, AMkdirRefusedWithEagainIsCountedAndRetried) {
  RefusedMkdir s;
  EXPECT_EQ(s.mirror.path_of(s.c), std::nullopt);
  EXPECT_EQ(s.cgroup_of(10), "/");
  EXPECT_EQ(errors_mentioning(s.mirror, "EAGAIN"), 1U);
  EXPECT_EQ(s.mirror.stats().pending_retries, 1U);

  s.fs.mkdir_errno.reset();
  s.mirror.retry(s.tree);
  ASSERT_TRUE(s.mirror.path_of(s.c));
  EXPECT_TRUE(s.fs.is_dir(s.dir_of(s.c)));
  EXPECT_EQ(s.cgroup_of(10), s.rel_dir_of(s.c));
  EXPECT_EQ(s.mirror.stats().pending_retries, 0U);
  EXPECT_EQ(errors_mentioning(s.mirror, "EAGAIN"), 1U);
}

TEST(MirrorSync, ARetryThatStillFailsKeepsWaiting) {
  RefusedMkdir s;
  s.mirror.retry(s.tree);
  EXPECT_EQ(s.mirror.path_of(s.c), std::nullopt);
  EXPECT_EQ(s.mirror.stats().pending_retries, 1U);
  EXPECT_EQ(errors_mentioning(s.mirror, "EAGAIN"), 2U);
}

TEST(MirrorSync, AnRmdirOfABusyDirectoryIsDeferredAndRetried) {
  OneContainer s;
  s.fs.add_dir(s.dir + "/someone-elses");  // keeps rmdir busy
  s.exit(10);
  s.collect();
  EXPECT_TRUE(s.fs.is_dir(s.dir));
  EXPECT_EQ(errors_mentioning(s.mirror, "EBUSY"), 1U);
  EXPECT_EQ(s.mirror.stats().pending_removals, 1U);
  s.fs.dirs.erase(s.dir + "/someone-elses");
  s.mirror.retry(s.tree);
  EXPECT_FALSE(s.fs.is_dir(s.dir));
  EXPECT_EQ(s.mirror.stats().pending_removals, 0U);
}

// Marks a directory below the root as a container's, as a previous run left it.
void mark(FakeCgroupFs& fs, const std::string& rel, ContainerId id, const std::string& name,
          const NsSet& ns) {
  std::string dir = under_root(rel);
  fs.add_dir(dir);
  fs.dirs[dir].xattrs["trusted.nsgroup.id"] = std::to_string(id);
  fs.dirs[dir].xattrs["trusted.nsgroup.name"] = name;
  fs.dirs[dir].xattrs["trusted.nsgroup.ns"] = ns_text(ns);
}

// A cgroupfs that a previous run left, and a mirror made once it is set up.
class MirrorDiscover : public ::testing::Test {
 protected:
  FakeCgroupFs fs;
  std::optional<Mirror> made;
  Mirror& mirror() {
    if (!made)
      made.emplace(fs, kMount, kRoot, Adopt::Auto);
    return *made;
  }
};

TEST_F(MirrorDiscover, FindsMarkedDirectoriesWithTheirParents) {
  mark(fs, "web", 5, "web", kUts);
  mark(fs, "web/inner", 7, "inner", kUtsNet);
  auto saved = mirror().discover();
  ASSERT_EQ(saved.size(), 2U);
  EXPECT_EQ(saved[0].id, 5U);
  EXPECT_EQ(saved[0].name, "web");
  EXPECT_EQ(saved[0].parent, kRootId);
  EXPECT_EQ(saved[0].ns, kUts);
  EXPECT_EQ(saved[1].id, 7U);
  EXPECT_EQ(saved[1].name, "inner");
  EXPECT_EQ(saved[1].parent, 5U);
  EXPECT_EQ(saved[1].ns, kUtsNet);
  EXPECT_EQ(mirror().path_of(7), under_root("web/inner"));
}

TEST_F(MirrorDiscover, ADirectoryWithoutXattrsIsLeftAloneAndCounted) {
  fs.add_dir(under_root("stray"));
  mark(fs, "web", 5, "web", kUts);
  auto saved = mirror().discover();
  ASSERT_EQ(saved.size(), 1U);
  EXPECT_EQ(saved[0].id, 5U);
  EXPECT_TRUE(fs.is_dir(under_root("stray")));
  EXPECT_EQ(errors_mentioning(mirror(), "foreign"), 1U);
  EXPECT_EQ(mirror().stats().pending_removals, 0U);
}

TEST_F(MirrorDiscover, ADirectoryWithABadNsXattrIsLeftAlone) {
  mark(fs, "web", 5, "web", kUts);
  fs.dirs[under_root("web")].xattrs["trusted.nsgroup.ns"] = "net=1/0";
  EXPECT_TRUE(mirror().discover().empty());
  EXPECT_EQ(mirror().path_of(5), std::nullopt);
}

// The fixture's cgroupfs is not used: the daemon's own mirror discovers.
TEST_F(MirrorDiscover, RestoredDirectoriesAreReusedNotRemade) {
  Sample s;
  mark(s.fs, "web", 5, "web", kUts);
  auto saved = s.mirror.discover();
  ASSERT_EQ(s.tree.restore(saved), 1U);
  s.tree.delta.clear();
  s.mirror.sync_all(s.tree);
  s.fs.spawn(10);
  ContainerId c = s.setns(10, root_set(), kUts);
  EXPECT_EQ(c, 5U);
  EXPECT_EQ(s.cgroup_of(10), "/nsgroup/web");
  EXPECT_EQ(s.mirror.stats().mkdirs, 0U);
}

}  // namespace
}  // namespace nsgroup
