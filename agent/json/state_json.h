// The daemon's state file: containers (ids, names, parents, namespace
// sets, creation) and the name counter, so that names survive a restart
// when there is no mirror to carry them in xattrs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/persist.h"
#include "core/tree.h"

namespace nsgroup {

struct SavedState {
  std::vector<SavedContainer> containers;
  ContainerId next_id = kRootId + 1;
};

// The file's text for a tree.
std::string state_text(const Tree& tree);
// Parses a state file; nullopt when it is not one.
std::optional<SavedState> parse_state(std::string_view text);

}  // namespace nsgroup
