// Gathers what labels are made of (hostnames, runtime ids, nsfs mounts)
// for the containers of a tree: the I/O half of Tree::refresh_labels.
#pragma once

#include <vector>

#include "scanner.h"
#include "tree.h"

namespace nsgroup {

LabelContext gather_labels(const Tree& tree, Scanner& scanner,
                           const std::vector<PinnedNs>& pins);

}  // namespace nsgroup
