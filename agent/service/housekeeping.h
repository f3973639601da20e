// Time- and count-driven decisions of the daemon's housekeeping, as pure
// functions of the values passed in (the clock is the caller's): when the
// state file is written, and when freed memory is given back to the
// system (malloc_trim).
#pragma once

#include <cstddef>
#include <cstdint>

namespace nsgroup {

// The state file at most this often while containers change.
inline constexpr std::uint64_t kSaveEveryNs = 5'000'000'000ULL;
// Removals, or containers in a saved state, from which memory is given back.
inline constexpr std::size_t kTrimAfter = 1024;

// When a save is due: containers changed, and the last save is older than
// the throttle.
class SaveSchedule {
 public:
  explicit SaveSchedule(std::uint64_t every_ns = kSaveEveryNs) : every_ns_(every_ns) {}
  void mark_dirty() { dirty_ = true; }
  bool dirty() const { return dirty_; }
  bool due(std::uint64_t now_ns) const { return dirty_ && now_ns - last_ns_ > every_ns_; }
  void saved(std::uint64_t now_ns) {
    dirty_ = false;
    last_ns_ = now_ns;
  }

 private:
  std::uint64_t every_ns_;
  bool dirty_ = false;
  std::uint64_t last_ns_ = 0;
};

// When to give memory back: glibc keeps the freed chunks of a busy heap.
class TrimPolicy {
 public:
  // A state file was written: it was built as a JSON document of a few
  // hundred bytes a container and freed at once, worth giving back when large.
  static bool after_save(bool saved, std::size_t containers) {
    return saved && containers >= kTrimAfter;
  }
  // The daemon's count of removed containers: true once per kTrimAfter
  // more since the last time it said so.
  bool after_removals(std::uint64_t removed_total) {
    if (removed_total - removed_at_trim_ < kTrimAfter)
      return false;
    removed_at_trim_ = removed_total;
    return true;
  }

 private:
  std::uint64_t removed_at_trim_ = 0;
};

}  // namespace nsgroup
