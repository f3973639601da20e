// The bootstrap scan two ways on the same population: the task iterator
// (one read of a BPF stream) and the /proc scanner (stat and ten namespace
// links per process, NS_GET_ID once per namespace, mountinfo). Prints the
// median of N scans of each. Root.
//
//   for i in $(seq 2000); do sleep 600 & done
//   sudo build/release/bench/nsgroup_iter_bench 20
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include "host/scanner.h"
#include "kernel/task_iter.h"

namespace {

using Clock = std::chrono::steady_clock;

// Median wall time of `runs` calls, in microseconds; `count` gets what the
// last call found.
double median_us(int runs, const std::function<std::size_t()>& once, std::size_t& count) {
  std::vector<double> us;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    count = once();
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  return us.size() % 2 ? us[us.size() / 2] : (us[us.size() / 2 - 1] + us[us.size() / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::atoi(argv[1]) : 20;
  if (runs <= 0)
    runs = 20;
  auto iter = nsgroup::TaskScanner::open();
  if (!iter) {
    std::fprintf(stderr, "task iterator: %s\n", iter.error().message().c_str());
    return 1;
  }
  nsgroup::Scanner proc;
  bool failed = false;
  // One of each first: page cache, dentries, the buffer's first growth.
  (void)iter->scan();
  (void)proc.scan();

  std::size_t n_iter = 0, n_proc = 0;
  double t_iter = median_us(runs, [&]() -> std::size_t {
    auto r = iter->scan();
    if (!r) {
      failed = true;
      return 0;
    }
    return r->size();
  }, n_iter);
  double t_proc = median_us(runs, [&]() -> std::size_t {
    auto r = proc.scan();
    if (!r) {
      failed = true;
      return 0;
    }
    return r->procs.size();
  }, n_proc);
  if (failed) {
    std::fprintf(stderr, "a scan failed\n");
    return 1;
  }
  std::printf("median of %d scans\n", runs);
  std::printf("  TaskScanner::scan()  %8.2f ms  %zu processes\n", t_iter / 1000, n_iter);
  std::printf("  Scanner::scan()      %8.2f ms  %zu processes\n", t_proc / 1000, n_proc);
  std::printf("  ratio /proc / iter   %8.1f\n", t_proc / t_iter);
  return 0;
}
