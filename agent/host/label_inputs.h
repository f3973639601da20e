// Reads what labels are made of (hostnames, runtime ids, nsfs mounts) for
// the containers of a tree: the I/O half of core/labels.h.
#pragma once

#include <vector>

#include "core/labels.h"
#include "host/scanner.h"

namespace nsgroup {

LabelInputs gather_labels(const Tree& tree, Scanner& scanner,
                          const std::vector<PinnedNs>& pins);

}  // namespace nsgroup
