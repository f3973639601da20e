// BPF skeleton lifecycle: open -> set rodata -> load -> attach, and the
// ring buffer. libbpf's log goes through our logger (bpf_support.h).
#include "kernel/tracer.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <array>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "kernel/bpf_support.h"
#include "kernel/decode.h"
#include "nsgroup.skel.h"
#include "nsgroup/events.h"
#include "util/log.h"

namespace nsgroup {

namespace {

struct RingBufferDeleter {
  void operator()(ring_buffer* rb) const noexcept { ring_buffer__free(rb); }
};
using RingBufferPtr = std::unique_ptr<ring_buffer, RingBufferDeleter>;

bool exists(const char* path) {
  struct stat st {};
  return ::stat(path, &st) == 0;
}

std::string errno_text(int err) { return std::strerror(err); }

}  // namespace

std::string_view to_string(Drop d) {
  switch (d) {
  case Drop::RingFull: return "ring_full";
  case Drop::TrackedFull: return "tracked_full";
  case Drop::PendingMiss: return "pending_evicted";
  case Drop::Suppressed: return "suppressed";
  }
  return "unknown";
}

std::optional<Hooks> hooks_named(std::string_view name) {
  if (name == "auto")
    return Hooks::Auto;
  if (name == "fexit")
    return Hooks::Fexit;
  if (name == "tracepoint")
    return Hooks::Tracepoint;
  return std::nullopt;
}

Status ensure_tracefs() {
  if (exists("/sys/kernel/tracing/events") || exists("/sys/kernel/debug/tracing/events"))
    return {};
  if (::mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, nullptr) != 0)
    return errno_failure("tracefs is not mounted and mounting it on /sys/kernel/tracing failed");
  log_info("mounted tracefs on /sys/kernel/tracing");
  return {};
}

struct Tracer::State {
  SkelPtr<nsgroup_bpf> skel;
  bool fexit = false;
  RingBufferPtr rb;
  Callback cb;
  int budget = 0;  // records consume() may deliver; 0: no bound
  int taken = 0;   // records delivered by the consume() under way
  std::array<std::uint64_t, kDropCount> drops_seen{};
  std::vector<std::uint64_t> per_cpu;  // a counter's value on each CPU
  std::unordered_map<std::uint32_t, std::uint64_t> suppressed_seen;  // by uid
  std::size_t ncpus = 0;

  // What on_record returns to stop libbpf's loop once the budget is
  // spent: a negative value ends ring_buffer__consume() after this record
  // (libbpf has already moved past it).
  static constexpr int kBudgetSpent = -ECANCELED;

  static int on_record(void* ctx, void* data, size_t size) noexcept {
    auto* self = static_cast<State*>(ctx);
    ++self->taken;
    try {
      auto ev = decode_record(
          std::span(static_cast<const std::byte*>(data), size));
      if (!ev) {
        log_warn("dropped a malformed BPF record of " + std::to_string(size) +
                 " bytes");
        return 0;
      }
      self->cb(*ev);
    } catch (const std::exception& e) {
      log_error(std::string("event handler failed: ") + e.what());
    } catch (...) {
      log_error("event handler failed");
    }
    return self->budget != 0 && self->taken >= self->budget ? kBudgetSpent : 0;
  }
};

Tracer::Tracer(std::unique_ptr<State> s) : s_(std::move(s)) {}
Tracer::Tracer(Tracer&&) noexcept = default;
Tracer& Tracer::operator=(Tracer&&) noexcept = default;
Tracer::~Tracer() = default;

namespace {

// The programs only the fexit set loads. unshare_enter stays in both: an
// unshare that fails before unshare_nsproxy_namespaces() (EPERM from
// unshare_userns) must still give its "denied" event.
void choose_programs(nsgroup_bpf* skel, bool fexit) {
  bpf_program__set_autoload(skel->progs.copy_ns_exit, fexit);
  bpf_program__set_autoload(skel->progs.unshare_ns_exit, fexit);
}

// Open, configure, load and attach one hook set. 0 or -errno; `stage`
// says which step failed.
int load_set(Tracer::State& s, const TracerOptions& opts, bool fexit,
             const char** stage);

}  // namespace

Result<Tracer> Tracer::open(const TracerOptions& opts, Callback cb) {
  route_libbpf_log();
  if (auto ok = bpf_preflight(); !ok)
    return ok.error();
  if (auto ok = ensure_tracefs(); !ok)
    return ok.error();

  auto s = std::make_unique<State>();
  s->cb = std::move(cb);
  const char* stage = "";
  int err = 0;
  bool fexit = opts.hooks != Hooks::Tracepoint;
  if (fexit && opts.hooks == Hooks::Auto &&
      libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_TRACING, nullptr) != 1) {
    fexit = false;  // the cheap probe already says no
    log_debug("the kernel does not support tracing programs: tracepoint hooks");
  }
  if (fexit && opts.hooks == Hooks::Auto && !kernel_has_btf()) {
    fexit = false;  // --btf serves CO-RE; attaching fexit needs the kernel's own
    log_info("fexit hooks need the kernel's own BTF (/sys/kernel/btf/vmlinux): "
             "using tracepoints");
  }
  if (fexit) {
    err = load_set(*s, opts, true, &stage);
    if (err != 0) {
      if (opts.hooks == Hooks::Fexit)
        return failure(std::string("the kernel cannot load tracing (fexit) programs: ") +
                       stage + " failed: " + errno_text(-err) +
                       " (no BPF trampolines?); use --hooks=tracepoint");
      log_info(std::string("fexit hooks unavailable (") + stage + ": " + errno_text(-err) +
               "): using tracepoints");
      s->skel.reset();
      fexit = false;
    }
  }
  if (!fexit) {
    err = load_set(*s, opts, false, &stage);
    if (err != 0)
      return failure(std::string(stage) + " of nsgroup's BPF programs failed: " +
                     errno_text(-err) + " (run with -v for libbpf's log)");
  }
  s->fexit = fexit;

  s->rb.reset(ring_buffer__new(bpf_map__fd(s->skel->maps.events),
                               &State::on_record, s.get(), nullptr));
  if (!s->rb)
    return errno_failure("creating the ring buffer failed");
  int ncpus = libbpf_num_possible_cpus();
  if (ncpus <= 0)
    return failure("cannot count the possible CPUs");
  s->ncpus = static_cast<std::size_t>(ncpus);
  log_debug(std::string("BPF programs attached (") + (fexit ? "fexit" : "tracepoint") +
            " hook set)");
  return Tracer(std::move(s));
}

namespace {

int load_set(Tracer::State& s, const TracerOptions& opts, bool fexit,
             const char** stage) {
  *stage = "opening";
  bpf_object_open_opts open_opts = bpf_open_opts();
  s.skel.reset(nsgroup_bpf::open(&open_opts));
  if (!s.skel)
    return -errno;
  s.skel->rodata->emit_forks = opts.emit_forks;
  s.skel->rodata->task_btf =
      opts.plain_loads &&
      libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_get_current_task_btf,
                              nullptr) == 1;
  if (opts.ignore_self)
    s.skel->rodata->ignore_tgid = static_cast<__u32>(::getpid());
  *stage = "sizing the ring buffer";
  if (opts.ring_bytes != 0) {
    if (int err = bpf_map__set_max_entries(s.skel->maps.events, opts.ring_bytes); err != 0)
      return err;
  }
  if (opts.denied_rate != 0) {
    std::uint64_t interval = 1'000'000'000ULL / opts.denied_rate;
    s.skel->rodata->denied_interval_ns = interval;
    s.skel->rodata->denied_tolerance_ns =
        interval * (std::max<std::uint32_t>(opts.denied_burst, 1) - 1);
  }
  // A quarter of the ring waiting wakes the agent at once.
  s.skel->rodata->wake_bytes = bpf_map__max_entries(s.skel->maps.events) / 4;
  choose_programs(s.skel.get(), fexit);
  *stage = "loading";
  if (int err = nsgroup_bpf::load(s.skel.get()); err != 0)
    return err;
  *stage = "attaching";
  if (int err = nsgroup_bpf::attach(s.skel.get()); err != 0)
    return err;
  return 0;
}

}  // namespace

int Tracer::fd() const { return ring_buffer__epoll_fd(s_->rb.get()); }

namespace {

// libbpf's count, or 0 after logging what went wrong (the loop goes on:
// a record it could not read is healed by the next rescan).
int delivered(int n, const char* what) {
  if (n < 0 && n != -EINTR)
    log_warn(std::string(what) + ": " + errno_text(-n));
  return n < 0 ? 0 : n;
}

}  // namespace

int Tracer::consume(int max_records) {
  s_->budget = max_records;
  s_->taken = 0;
  int n = ring_buffer__consume(s_->rb.get());
  s_->budget = 0;
  if (n == State::kBudgetSpent)
    return s_->taken;
  return delivered(n, "reading the ring buffer");
}

int Tracer::poll(int timeout_ms) {
  int n = delivered(ring_buffer__poll(s_->rb.get(), timeout_ms), "polling the ring buffer");
  return n + consume();
}

std::uint64_t Tracer::take_drops(Drop cause) {
  static_assert(kDropCount == NSG_CNT_COUNT);
  auto key = static_cast<std::uint32_t>(cause);
  // Read every loop turn (RingFull): the buffer is kept.
  std::vector<std::uint64_t>& per_cpu = s_->per_cpu;
  per_cpu.resize(s_->ncpus);
  if (bpf_map_lookup_elem(bpf_map__fd(s_->skel->maps.counters), &key, per_cpu.data()) != 0)
    return 0;
  std::uint64_t total = 0;
  for (auto v : per_cpu)
    total += v;
  std::uint64_t delta = total - s_->drops_seen[key];
  s_->drops_seen[key] = total;
  return delta;
}

std::vector<UidCount> Tracer::take_suppressed() {
  std::vector<UidCount> out;
  std::unordered_map<std::uint32_t, std::uint64_t> seen;
  int fd = bpf_map__fd(s_->skel->maps.denied_budget);
  std::uint32_t uid = 0;
  const std::uint32_t* prev = nullptr;
  // A key evicted under the walk restarts it from the first: bounded.
  std::uint32_t budget = 2 * bpf_map__max_entries(s_->skel->maps.denied_budget);
  while (budget-- != 0 && bpf_map_get_next_key(fd, prev, &uid) == 0) {
    prev = &uid;
    nsg_uid_budget b{};
    if (bpf_map_lookup_elem(fd, &uid, &b) != 0)
      continue;  // evicted between the two calls
    seen[uid] = b.suppressed;
    auto it = s_->suppressed_seen.find(uid);
    // Smaller than last time: the entry was evicted and made again.
    std::uint64_t before = it == s_->suppressed_seen.end() || it->second > b.suppressed
                               ? 0
                               : it->second;
    if (b.suppressed > before)
      out.push_back({uid, b.suppressed - before});
  }
  s_->suppressed_seen = std::move(seen);
  return out;
}

void Tracer::track(std::uint32_t tgid) {
  std::uint8_t one = 1;
  bpf_map_update_elem(bpf_map__fd(s_->skel->maps.tracked), &tgid, &one,
                      BPF_ANY);
}

void Tracer::set_root_ns(const NsSet& root) {
  auto* bss = s_->skel->bss;
  for (std::size_t i = 0; i < kNsCount; ++i) {
    bss->root_ns.inum[i] = root.inum[i];
    bss->root_ns.id[i] = root.id[i];
  }
  __atomic_store_n(&bss->root_known, 1U, __ATOMIC_RELEASE);
}

std::string Tracer::hooks() const { return s_->fexit ? "fexit" : "tracepoint"; }

}  // namespace nsgroup
