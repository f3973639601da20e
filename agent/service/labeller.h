// When containers are labelled (core/labels.h), and the label inputs kept
// between labellings: every container on a reconcile; a new one on its
// first few ticks, because a hostname is set just after the unshare that
// made its namespace. Reading the inputs is the injected LabelReader's job
// (ScanSource in the daemon, a fake in tests).
#pragma once

#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "core/delta.h"
#include "core/labels.h"
#include "core/snapshot.h"
#include "core/tree.h"

namespace nsgroup {

// Reads the label inputs of `ids` into `into`, pins included; from `snap`
// where it carries them (nullptr: read them now).
using LabelReader = std::function<void(const Tree& tree, std::span<const ContainerId> ids,
                                       LabelInputs& into, const Snapshot* snap)>;

// A new container's label is read again on this many ticks.
inline constexpr int kFreshTicks = 3;

class Labeller {
 public:
  explicit Labeller(LabelReader read) : read_(std::move(read)) {}

  // Every container's label read again (from `snap` where it carries
  // hostnames: a scan just applied).
  void relabel_all(Tree& tree, const Snapshot* snap = nullptr);
  // Once a second: the containers made lately, on each of their first
  // kFreshTicks ticks.
  void tick(Tree& tree) { relabel_fresh(tree, false); }
  // Only those made since the last labelling (a request about to show
  // them), without counting a tick.
  void label_unlabelled(Tree& tree) { relabel_fresh(tree, true); }
  // What a batch made (to label) and removed (inputs forgotten).
  void note(const Delta& delta);
  // Containers still to be labelled on later ticks.
  std::size_t fresh_count() const { return fresh_.size(); }

 private:
  void relabel_fresh(Tree& tree, bool unlabelled_only);

  LabelReader read_;
  LabelInputs inputs_;
  // Containers made lately, and on how many more ticks to label them.
  std::vector<std::pair<ContainerId, int>> fresh_;
};

}  // namespace nsgroup
