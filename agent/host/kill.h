// Acts on processes by pidfd, checking each is still the process the tree
// knew (same start time), so a reused pid is never hit.
#pragma once

#include <cstdint>
#include <functional>

#include "core/tree.h"
#include "host/procfs.h"
#include "util/fd.h"

namespace nsgroup {

// A pidfd of pid while it is the process that started at start_ticks
// (/proc/PID/stat field 22); empty when it is gone or another process's.
// Opened first, then checked: while the pidfd's process lives, its pid is
// no one else's. The start time is read from `proc`.
UniqueFd pidfd_if_started(std::uint32_t pid, std::uint64_t start_ticks,
                          const ProcFs& proc = ProcFs());

// SIGKILL to every member of the subtree at id for which skip() is false.
// Returns how many were signalled. Each is checked against `proc`
// (pidfd_if_started).
std::size_t kill_members(const Tree& tree, ContainerId id,
                         const std::function<bool(std::uint32_t)>& skip,
                         const ProcFs& proc = ProcFs());

}  // namespace nsgroup
