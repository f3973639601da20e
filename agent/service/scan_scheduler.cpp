// The scan scheduler's state machine.
#include "service/scan_scheduler.h"

#include <utility>

namespace nsgroup {

bool ScanScheduler::take_loss_scan(std::uint64_t now_ns) {
  if (!loss_due_ || (loss_scanned_ && now_ns - last_loss_scan_ns_ < loss_every_ns_))
    return false;
  loss_due_ = false;
  loss_scanned_ = true;
  last_loss_scan_ns_ = now_ns;
  return true;
}

void ScanScheduler::scan_on_loop() {
  overtaken_ = scanning_;
  loss_due_ = false;
}

bool ScanScheduler::want(bool relabel) {
  relabel_ = relabel_ || relabel;
  if (scanning_) {
    again_ = true;  // for the running scan's reason: it may predate this one
    return false;
  }
  return true;
}

void ScanScheduler::started(std::string_view why) {
  scanning_ = true;
  touched_.clear();
  why_ = why;
}

ScanScheduler::Finished ScanScheduler::finish() {
  Finished f;
  scanning_ = false;
  f.again = std::exchange(again_, false);
  f.relabel = std::exchange(relabel_, false);
  f.apply = !std::exchange(overtaken_, false);
  f.why = why_;
  f.touched = std::move(touched_);
  touched_.clear();
  return f;
}

}  // namespace nsgroup
