// The scan thread: waits for a request, scans, hands the snapshot over and
// signals the eventfd.
#include "service/scan_worker.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include "util/clock.h"

namespace nsgroup {

ScanWorker::ScanWorker(bool iterator, UniqueFd event)
    : source_(iterator), event_(std::move(event)) {
  thread_ = std::thread([this] { run(); });
}

Result<std::unique_ptr<ScanWorker>> ScanWorker::start(bool iterator) {
  UniqueFd fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!fd)
    return errno_failure("creating the scan worker's eventfd");
  return std::unique_ptr<ScanWorker>(new ScanWorker(iterator, std::move(fd)));
}

ScanWorker::~ScanWorker() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

bool ScanWorker::request() {
  if (pending_)
    return false;
  pending_ = true;
  {
    std::lock_guard lock(mu_);
    wanted_ = true;
  }
  cv_.notify_one();
  return true;
}

std::optional<ScanWorker::Done> ScanWorker::take() {
  std::uint64_t n = 0;
  (void)::read(event_.get(), &n, sizeof n);  // EAGAIN when nothing came
  std::lock_guard lock(mu_);
  if (!done_)
    return std::nullopt;
  std::optional<Done> out = std::move(done_);
  done_.reset();
  pending_ = false;
  return out;
}

void ScanWorker::run() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return wanted_ || stop_; });
      if (stop_)
        return;
      wanted_ = false;
    }
    std::uint64_t started = BootClock::boot_ns_now();
    Done d{source_.scan(), 0};
    d.took_us = (BootClock::boot_ns_now() - started) / 1000;
    {
      std::lock_guard lock(mu_);
      done_.emplace(std::move(d));
    }
    std::uint64_t one = 1;
    (void)::write(event_.get(), &one, sizeof one);
  }
}

}  // namespace nsgroup
