// How a container is written down to outlive the agent (the mirror's
// xattrs, the state file): the record, and text forms of a namespace set
// and of a creation that any byte of a comm survives. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/delta.h"
#include "core/event.h"
#include "core/ns.h"

namespace nsgroup {

// How a container came to be, when an event made it.
struct Creation {
  std::uint32_t pid = 0;
  std::string comm;
  EventKind kind = EventKind::Clone;
  Syscall via = Syscall::None;
  std::uint64_t flags = 0;
  std::uint64_t ts_boot_ns = 0;
};

// A container as a previous run wrote it down.
struct SavedContainer {
  ContainerId id = 0;
  std::string name;
  ContainerId parent = 0;  // kRootId for a top-level container
  NsSet ns;
  std::optional<Creation> created;
};

// "cgroup=4026531835/0,ipc=...": every slot, inode and id.
std::string ns_text(const NsSet& s);
std::optional<NsSet> parse_ns_text(std::string_view text);

// "pid=42 kind=unshare via=unshare flags=1073741824 ts=123 comm=ip" with
// the comm's bytes outside [A-Za-z0-9._-] as %XX.
std::string creation_text(const Creation& c);
std::optional<Creation> parse_creation_text(std::string_view text);

}  // namespace nsgroup
