// The tree's cost per applied event over a synthetic stream: forks into
// containers, exits, unshares that make containers, setns that join them,
// with garbage collected and the change journal taken every 64 events, as
// the daemon does per batch.
//
//   nsgroup_tree_bench [EVENTS]      (default 1000000)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "core/tree.h"

using namespace nsgroup;

int main(int argc, char** argv) {
  const std::size_t total = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  NsSet root;
  for (std::size_t i = 0; i < kNsCount; ++i)
    root.inum[i] = 4026531830 + static_cast<std::uint32_t>(i);
  Tree tree(root);

  // Pre-build the stream so that only apply() and GC are timed.
  std::mt19937_64 rng(42);
  std::vector<Event> events;
  events.reserve(total);
  struct Live { std::uint32_t pid; NsSet ns; };
  std::vector<Live> live;
  std::vector<NsSet> sets{root};
  std::uint32_t next_pid = 1000, next_inum = 4026540000;
  while (events.size() < total) {
    Event e;
    e.ts_boot_ns = events.size();
    e.comm = "bench";
    unsigned roll = static_cast<unsigned>(rng() % 100);
    if (live.size() < 64 || roll < 5) {  // unshare: a new container
      Live p{next_pid++, root};
      if (!live.empty() && roll % 2)
        p.ns = live[rng() % live.size()].ns;  // nested under a container
      e.kind = EventKind::Unshare;
      e.syscall = Syscall::Unshare;
      e.pid = e.tid = p.pid;
      e.before = p.ns;
      p.ns.inum[NSG_NS_UTS] = next_inum++;
      e.after = p.ns;
      live.push_back(p);
      sets.push_back(p.ns);
      if (sets.size() > 4096)  // old sets: mostly dead, like real ones
        sets.erase(sets.begin() + 1, sets.begin() + 2049);
    } else if (roll < 20) {  // setns: join an existing set
      Live& p = live[rng() % live.size()];
      e.kind = EventKind::Setns;
      e.syscall = Syscall::Setns;
      e.pid = e.tid = p.pid;
      e.before = p.ns;
      p.ns = sets[rng() % sets.size()];
      e.after = p.ns;
    } else if (roll < 55 || live.size() < 10000) {  // fork within a container
      const Live& parent = live[rng() % live.size()];
      e.kind = EventKind::Fork;
      e.pid = e.tid = next_pid++;
      e.ppid = parent.pid;
      live.push_back({e.pid, parent.ns});
    } else {  // exit
      std::size_t i = rng() % live.size();
      e.kind = EventKind::Exit;
      e.pid = e.tid = live[i].pid;
      live[i] = live.back();
      live.pop_back();
    }
    e.start_ticks = e.pid;
    events.push_back(std::move(e));
  }

  auto t0 = std::chrono::steady_clock::now();
  std::size_t created = 0, removed = 0;
  Delta delta;
  for (std::size_t i = 0; i < events.size(); ++i) {
    created += tree.apply(events[i], delta).created;
    // Per batch, as the daemon does: collect, and hand the changes on.
    if ((i & 63) == 63) {
      if (tree.has_garbage())
        tree.collect_garbage({}, delta, false);
      removed += delta.removed.size();
      delta.clear();
    }
  }
  auto t1 = std::chrono::steady_clock::now();
  double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
  std::printf("events %zu  total %.1f ms  per event %.0f ns  containers created %zu "
              "removed %zu  at end: %zu containers, %zu member processes\n",
              events.size(), ns / 1e6, ns / static_cast<double>(events.size()),
              created, removed, tree.container_count(), tree.member_count());
  return 0;
}
