// The cost of mirroring one container: mkdir, four xattrs, and moving its
// process in (cgroup.procs), measured through Mirror::sync on N containers
// of one real process each. Then the reverse (rmdir, moving back out).
// Root; the processes are sleeping children, killed at the end.
//
//   nsgroup_mirror_bench [N]      (default 1000)
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "core/tree.h"
#include "host/cgroupfs.h"
#include "host/mirror.h"

using namespace nsgroup;

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 1000;
  std::vector<pid_t> kids;
  for (int i = 0; i < n; ++i) {
    pid_t pid = ::fork();
    if (pid == 0) {
      ::pause();
      ::_exit(0);
    }
    kids.push_back(pid);
  }

  NsSet root;
  for (std::size_t i = 0; i < kNsCount; ++i)
    root.inum[i] = 4026531830 + static_cast<std::uint32_t>(i);
  Tree tree(root);
  Delta delta;
  for (int i = 0; i < n; ++i) {
    Event e;
    e.kind = EventKind::Unshare;
    e.syscall = Syscall::Unshare;
    e.pid = e.tid = static_cast<std::uint32_t>(kids[i]);
    e.before = root;
    e.after = root;
    e.after.inum[NSG_NS_UTS] = 4026600000 + static_cast<std::uint32_t>(i);
    e.after.id[NSG_NS_UTS] = 900000 + static_cast<std::uint64_t>(i);
    tree.apply(e, delta);
  }

  auto mount = cgroup2_mount();
  if (!mount) {
    std::fprintf(stderr, "no cgroup2 mount\n");
    return 1;
  }
  auto place = prepare_mirror_root(*mount + "/nsgroup-bench-" + std::to_string(::getpid()));
  if (!place) {
    std::fprintf(stderr, "%s\n", place.error().message().c_str());
    return 1;
  }
  SystemCgroupFs fs;
  auto mirror = std::make_unique<Mirror>(fs, place->mount, place->root, Adopt::Auto);

  auto t0 = std::chrono::steady_clock::now();
  mirror->sync(tree, delta);
  delta.clear();
  auto t1 = std::chrono::steady_clock::now();
  for (pid_t pid : kids)
    tree.apply([&] {
      Event e;
      e.kind = EventKind::Exit;
      e.pid = e.tid = static_cast<std::uint32_t>(pid);
      e.start_ticks = ~0ULL;
      return e;
    }(), delta);
  for (pid_t pid : kids)
    ::kill(pid, SIGKILL);
  for (pid_t pid : kids)
    ::waitpid(pid, nullptr, 0);
  tree.collect_garbage({}, delta);
  auto t2 = std::chrono::steady_clock::now();
  mirror->sync(tree, delta);
  auto t3 = std::chrono::steady_clock::now();

  auto us = [](auto a, auto b) {
    return std::chrono::duration<double, std::micro>(b - a).count();
  };
  std::printf("containers %d  create+move %.1f us each (%.1f ms)  remove %.1f us each\n",
              n, us(t0, t1) / n, us(t0, t1) / 1000, us(t2, t3) / n);
  MirrorStats st = mirror->stats();
  std::printf("mkdirs %llu  rmdirs %llu  moves %llu  errors %zu\n",
              static_cast<unsigned long long>(st.mkdirs), static_cast<unsigned long long>(st.rmdirs),
              static_cast<unsigned long long>(st.moves), st.errors.size());
  ::rmdir(mirror->root().c_str());
  return 0;
}
