// Names of event kinds and system calls.
#include "core/event.h"

namespace nsgroup {

std::string_view to_string(EventKind k) {
  switch (k) {
  case EventKind::Clone: return "clone";
  case EventKind::Unshare: return "unshare";
  case EventKind::Setns: return "setns";
  case EventKind::Denied: return "denied";
  case EventKind::Exit: return "exit";
  case EventKind::Fork: return "fork";
  case EventKind::Lost: return "lost";
  case EventKind::Suppressed: return "suppressed";
  case EventKind::ContainerRemoved: return "container_removed";
  }
  return "unknown";
}

std::string_view to_string(Syscall s) {
  switch (s) {
  case Syscall::None: return "fork";
  case Syscall::Clone: return "clone";
  case Syscall::Clone3: return "clone3";
  case Syscall::Unshare: return "unshare";
  case Syscall::Setns: return "setns";
  }
  return "unknown";
}

Event lost_event(std::uint64_t count, std::uint64_t ts_boot_ns) {
  Event e;
  e.kind = EventKind::Lost;
  e.ts_boot_ns = ts_boot_ns;
  e.lost_count = count;
  return e;
}

Event suppressed_event(std::uint32_t uid, std::uint64_t count, std::uint64_t ts_boot_ns) {
  Event e = lost_event(count, ts_boot_ns);
  e.kind = EventKind::Suppressed;
  e.uid = uid;
  return e;
}

}  // namespace nsgroup
