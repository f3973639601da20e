// Tracer: owns the BPF skeleton, its links and the ring buffer (RAII), and
// turns raw records into typed events. The one boundary where libbpf's
// -errno/NULL convention becomes Results.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/ns.h"
#include "util/result.h"

namespace nsgroup {

// Any user makes denied records for free (setns(-1, 0) in a loop): per uid,
// at most this many a second reach user space, after a burst of this many.
inline constexpr std::uint32_t kDefaultDeniedRate = 20;
inline constexpr std::uint32_t kDefaultDeniedBurst = 100;

// Why the kernel side did not deliver a record (bpf: enum nsg_counter).
enum class Drop { RingFull, TrackedFull, PendingMiss, Suppressed };
inline constexpr std::size_t kDropCount = 4;
std::string_view to_string(Drop d);

// Denied records a uid was refused (rate limit), since the last report.
struct UidCount {
  std::uint32_t uid = 0;
  std::uint64_t count = 0;
};

// Which programs feed the events. Both emit the same events.
enum class Hooks {
  Auto,        // fexit where the kernel can load tracing programs, else tracepoints
  Fexit,       // fexit/copy_namespaces + fexit/unshare_nsproxy_namespaces
  Tracepoint,  // raw and syscall tracepoints only
};

struct TracerOptions {
  Hooks hooks = Hooks::Auto;
  // Send fork records for children of tracked processes (the tree needs
  // them; `watch` alone does not).
  bool emit_forks = true;
  // Ring buffer size in bytes, a power of two >= page size; 0: 4 MiB.
  std::uint32_t ring_bytes = 0;
  // Report nothing that this process does (the agent's own helpers).
  bool ignore_self = true;
  // Read the caller's task with plain loads where the kernel has
  // bpf_get_current_task_btf() (5.11+; probed). false forces the helper
  // reads older kernels get (tests cover both).
  bool plain_loads = true;
  // Denied records per second and uid, and how many at once; over that
  // they are counted (take_suppressed), not sent. 0: no limit.
  std::uint32_t denied_rate = kDefaultDeniedRate;
  std::uint32_t denied_burst = kDefaultDeniedBurst;
};

// How often a consumer drains records that woke no one (forks, exits, and
// namespace records within a millisecond of one that did).
inline constexpr int kDrainMs = 10;

class Tracer {
 public:
  using Callback = std::function<void(const Event&)>;

  // Checks the prerequisites, loads and attaches. The Failure is one line
  // naming what is missing (root, BTF, tracefs, a program the kernel
  // refused).
  static Result<Tracer> open(const TracerOptions& opts, Callback cb);

  struct State;

  Tracer(Tracer&&) noexcept;
  Tracer& operator=(Tracer&&) noexcept;
  ~Tracer();

  // An fd that becomes readable when records that matter are waiting (for
  // epoll). Fork and exit records do not wake it: consume() on a timer
  // (kDrainMs) delivers them.
  int fd() const;
  // Delivers the waiting records to the callback, at most max_records
  // (0: all of them). Returns how many.
  int consume(int max_records = 0);
  // Waits up to timeout_ms for records, then delivers them (fork and exit
  // records wake no one: they are delivered by this call's end too).
  int poll(int timeout_ms);
  // Records the kernel dropped for `cause` since the last call for it.
  std::uint64_t take_drops(Drop cause);
  // Records dropped because the ring buffer was full (the "lost" event).
  std::uint64_t take_lost() { return take_drops(Drop::RingFull); }
  // Per uid, the denied records refused since the last call. The sum may
  // be below take_drops(Suppressed) when a uid's entry was evicted.
  std::vector<UidCount> take_suppressed();
  // Adds a thread group to the kernel's tracked set.
  void track(std::uint32_t tgid);
  // Tells the kernel side the initial namespaces: a process whose set
  // becomes this one stops being tracked (in event order, in the kernel).
  void set_root_ns(const NsSet& root);
  // Which hook set is attached: "fexit" or "tracepoint".
  std::string hooks() const;

 private:
  explicit Tracer(std::unique_ptr<State> s);
  std::unique_ptr<State> s_;
};

// "auto", "fexit", "tracepoint" as Hooks.
std::optional<Hooks> hooks_named(std::string_view name);

// Mounts tracefs at /sys/kernel/tracing unless tracefs (or debugfs's
// tracing directory) is already there.
Status ensure_tracefs();

}  // namespace nsgroup
