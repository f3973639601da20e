// The one way a snapshot becomes a tree, for the daemon and for one-shot
// commands (tree, which without a daemon): scan -> reconcile -> collect
// -> label. The daemon adds what only it has around these steps (kernel
// tracking, the mirror, events); the steps and their order are here.
#pragma once

#include <cstddef>
#include <vector>

#include "core/delta.h"
#include "core/snapshot.h"
#include "core/tree.h"
#include "service/labeller.h"
#include "service/scan_source.h"
#include "util/result.h"

namespace nsgroup {

struct SnapshotSteps {
  // The nsfs pins to collect by (the snapshot's, or fresher ones).
  const std::vector<PinnedNs>* pins = nullptr;
  // Look again at containers kept only by pins (see Tree::collect_garbage).
  bool recheck_pinned = false;
  // Every label read again, from the snapshot where it carries them;
  // nullptr: labels are left as they are.
  Labeller* relabel = nullptr;
};

// Reconciles the tree with `snap`, collects the containers it left empty,
// and labels. What changed is appended to `delta`.
void apply_snapshot(Tree& tree, Delta& delta, const Snapshot& snap, const SnapshotSteps& steps);

// The label reader of a ScanSource: pins from `pins`, the rest from the
// snapshot where it carries them, else read now.
LabelReader label_reader(ScanSource& source, const std::vector<PinnedNs>& pins);

// A tree from one scan made now (no daemon); `snap` keeps the scan.
Result<Tree> tree_from_scan(ScanSource& source, Snapshot& snap);

}  // namespace nsgroup
