// Typed events: what the tracer decodes from raw BPF records, what the tree
// applies and what `watch` prints.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/ns.h"

namespace nsgroup {

enum class EventKind {
  Clone,
  Unshare,
  Setns,
  Denied,
  Exit,
  Fork,  // internal: a tracked process forked without new namespaces
  Lost,
  Suppressed,  // denied records over their uid's rate: a count per uid
  ContainerRemoved,
};

inline constexpr std::size_t kEventKindCount =
    static_cast<std::size_t>(EventKind::ContainerRemoved) + 1;

enum class Syscall { None, Clone, Clone3, Unshare, Setns };

std::string_view to_string(EventKind k);
std::string_view to_string(Syscall s);

struct Event {
  EventKind kind = EventKind::Lost;
  std::uint64_t ts_boot_ns = 0;
  std::uint32_t pid = 0;  // subject tgid (clone: the child)
  std::uint32_t tid = 0;
  std::uint32_t ppid = 0;  // clone: the creator's tgid
  std::uint32_t uid = 0;
  std::uint64_t flags = 0;  // clone/unshare flags, setns nstype
  std::int32_t ret = 0;
  std::int32_t fd = -1;
  Syscall syscall = Syscall::None;
  std::uint32_t creator_tid = 0;
  std::uint64_t start_ticks = 0;
  std::string comm;
  NsSet before;
  NsSet after;
  std::uint32_t exit_code = 0;   // Exit: wait(2) status
  std::uint64_t lost_count = 0;  // Lost, Suppressed

  // Namespaces whose identity differs between before and after.
  std::uint32_t changed_mask() const { return ns_diff(before, after); }
};

// The event that reports `count` records the kernel could not deliver.
Event lost_event(std::uint64_t count, std::uint64_t ts_boot_ns);
// The event that reports `count` denied records of `uid` not sent (rate).
Event suppressed_event(std::uint32_t uid, std::uint64_t count, std::uint64_t ts_boot_ns);

}  // namespace nsgroup
