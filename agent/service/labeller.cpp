// Label scheduling: which containers are labelled when.
#include "service/labeller.h"

#include <algorithm>

namespace nsgroup {

void Labeller::relabel_all(Tree& tree, const Snapshot* snap) {
  std::vector<ContainerId> ids;
  ids.reserve(tree.container_count());
  tree.visit(kRootId, [&](const Container& c, int) { ids.push_back(c.id); });
  inputs_ = LabelInputs{};
  read_(tree, ids, inputs_, snap);
  relabel(tree, inputs_);
}

void Labeller::relabel_fresh(Tree& tree, bool unlabelled_only) {
  std::vector<ContainerId> ids;
  for (auto& [id, ticks] : fresh_)
    if ((!unlabelled_only || ticks == kFreshTicks) && tree.find(id))
      ids.push_back(id);
  for (auto& f : fresh_)
    f.second -= unlabelled_only ? (f.second == kFreshTicks) : 1;
  std::erase_if(fresh_, [](auto& f) { return f.second <= 0; });
  if (ids.empty())
    return;
  read_(tree, ids, inputs_, nullptr);
  relabel(tree, inputs_, ids);
}

void Labeller::note(const Delta& delta) {
  for (ContainerId id : delta.made)
    fresh_.emplace_back(id, kFreshTicks);
  for (const Removed& r : delta.removed) {
    inputs_.hostname.erase(r.id);
    inputs_.runtime_id.erase(r.id);
  }
}

}  // namespace nsgroup
