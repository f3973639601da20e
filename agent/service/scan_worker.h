// ScanWorker: scans on a thread of its own, so that a scan never holds the
// event loop (a walk of /proc at 10,000 processes takes over a second; even
// the task iterator's read takes tens of milliseconds). The loop asks for a
// scan, waits for fd() to become readable, takes the snapshot and applies
// it with keep_newer() (core/tree.h): events that came meanwhile are newer.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "core/snapshot.h"
#include "service/scan_source.h"
#include "util/fd.h"
#include "util/result.h"

namespace nsgroup {

class ScanWorker {
 public:
  // A scan and how long its read took.
  struct Done {
    Result<Snapshot> snap;
    std::uint64_t took_us = 0;
  };

  // The thread and its own ScanSource (a Scanner and an iterator are not
  // shared between threads).
  static Result<std::unique_ptr<ScanWorker>> start(bool iterator);
  ScanWorker(const ScanWorker&) = delete;
  ScanWorker& operator=(const ScanWorker&) = delete;
  ~ScanWorker();

  // Readable when a scan is done (an eventfd).
  int fd() const { return event_.get(); }
  // Starts a scan; false (and nothing) when one is under way or done but
  // not taken yet.
  bool request();
  // The finished scan, if there is one.
  std::optional<Done> take();

 private:
  explicit ScanWorker(bool iterator, UniqueFd event);
  void run();

  ScanSource source_;
  UniqueFd event_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool wanted_ = false;  // guarded by mu_
  bool pending_ = false;  // requested and not yet taken (loop thread only)
  bool stop_ = false;     // guarded by mu_
  std::optional<Done> done_;  // guarded by mu_
  std::thread thread_;  // last: started once the rest exists
};

}  // namespace nsgroup
