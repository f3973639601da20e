// Where the state file lives and when it is written: loaded once at
// start, saved at most every few seconds while containers change, and on
// the way out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/tree.h"
#include "json/state_json.h"
#include "service/housekeeping.h"

namespace nsgroup {

class StateStore {
 public:
  // dir: --state-dir, else $STATE_DIRECTORY (systemd's StateDirectory=),
  // else /var/lib/nsgroup. A directory that cannot be made is logged once
  // and the store stays off.
  static StateStore open(const std::string& dir);

  // The saved state, if there is a readable one.
  std::optional<SavedState> load() const;
  // Containers changed: a save is due.
  void mark_dirty() { schedule_.mark_dirty(); }
  // Saves when due and the last save is older than the throttle.
  // True when it wrote the file.
  bool save_if_due(const Tree& tree, std::uint64_t now_boot_ns);
  void save(const Tree& tree, std::uint64_t now_boot_ns);
  const std::string& path() const { return path_; }

 private:
  std::string path_;  // empty: off
  SaveSchedule schedule_;
};

}  // namespace nsgroup
