// scan -> reconcile -> collect -> label.
#include "service/tree_pipeline.h"

#include <string>

namespace nsgroup {

void apply_snapshot(Tree& tree, Delta& delta, const Snapshot& snap, const SnapshotSteps& steps) {
  tree.reconcile(snap, delta);
  tree.collect_garbage(steps.pins ? *steps.pins : snap.pins, delta, steps.recheck_pinned);
  if (steps.relabel)
    steps.relabel->relabel_all(tree, &snap);
}

LabelReader label_reader(ScanSource& source, const std::vector<PinnedNs>& pins) {
  return [&source, &pins](const Tree& tree, std::span<const ContainerId> ids, LabelInputs& into,
                          const Snapshot* snap) {
    into.pins = pins;
    source.labels(tree, ids, into, snap);
  };
}

Result<Tree> tree_from_scan(ScanSource& source, Snapshot& snap) {
  Tree tree(source.proc().root_ns());
  auto scanned = source.scan();
  if (!scanned)
    return Failure{scanned.error().err, std::string("cannot scan the processes (") +
                                            source.kind() + "): " + scanned.error().what};
  snap = std::move(*scanned);
  Delta delta;
  Labeller labeller(label_reader(source, snap.pins));
  apply_snapshot(tree, delta, snap, {&snap.pins, true, &labeller});
  return tree;
}

}  // namespace nsgroup
