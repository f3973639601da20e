// Signals processes by pidfd, checking each is still the process the tree
// knew (same start time), so a reused pid is never hit.
#pragma once

#include <cstdint>
#include <functional>

#include "core/tree.h"

namespace nsgroup {

// SIGKILL to every member of the subtree at id for which skip() is false.
// Returns how many were signalled.
std::size_t kill_members(const Tree& tree, ContainerId id,
                         const std::function<bool(std::uint32_t)>& skip);

}  // namespace nsgroup
