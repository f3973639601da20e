// When the tree is scanned again, and what becomes of a scan the worker
// thread made: the loss accounting (at most one rescan a second for lost
// records), requests that come while a scan runs, and scans overtaken by
// one on the loop. No I/O and no clock of its own: the caller passes the
// time, so the state machine is tested without a worker or a kernel.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nsgroup {

// A rescan for lost records at most this often: a rescan under a flood
// costs time in which more records are lost, and must not feed itself.
inline constexpr std::uint64_t kLossScanEveryNs = 1'000'000'000ULL;

class ScanScheduler {
 public:
  explicit ScanScheduler(std::uint64_t loss_every_ns = kLossScanEveryNs)
      : loss_every_ns_(loss_every_ns) {}

  // Records were lost (ring full, a process not tracked): a rescan is due.
  void note_loss() { loss_due_ = true; }
  bool loss_due() const { return loss_due_; }
  // True once when a loss rescan is due and the last one began at least
  // the interval before now_ns; the caller then asks for the scan.
  bool take_loss_scan(std::uint64_t now_ns);

  // A scan runs on the loop now: it covers any loss so far, and a scan
  // the worker began before it is older, so it will be dropped.
  void scan_on_loop();

  // A scan on the worker is wanted; `relabel`: every label read again once
  // it is applied. True when the worker should be asked now; false while
  // one runs (another follows it: the running one may have read before
  // what this request is about).
  bool want(bool relabel);
  // The worker took the request made after want() returned true.
  void started(std::string_view why);
  bool scanning() const { return scanning_; }
  // An event touched pid while the worker scans: its snapshot is older
  // than the event for that process.
  void touched(std::uint32_t pid) {
    if (scanning_)
      touched_.push_back(pid);
  }

  // What to do with the worker's scan, once it is taken.
  struct Finished {
    bool apply = false;    // false: a scan on the loop overtook it
    bool relabel = false;  // read every label again once applied
    bool again = false;    // asked for while it ran: scan once more
    std::string why;
    std::vector<std::uint32_t> touched;  // pids events touched meanwhile
  };
  Finished finish();

 private:
  std::uint64_t loss_every_ns_;
  bool loss_due_ = false;
  bool loss_scanned_ = false;  // last_loss_scan_ns_ is set
  std::uint64_t last_loss_scan_ns_ = 0;
  bool scanning_ = false;
  bool relabel_ = false;
  bool overtaken_ = false;
  bool again_ = false;
  std::string why_;
  std::vector<std::uint32_t> touched_;
};

}  // namespace nsgroup
