// The writer thread and its queue: two buffers, swapped under the lock, so
// a push copies into one while the thread writes the other.
#include "util/async_writer.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "util/file.h"

namespace nsgroup {

struct AsyncWriter::Shared {
  int fd;
  std::size_t cap;
  std::mutex mu;
  std::condition_variable wake;     // work for the thread, or stop
  std::condition_variable drained;  // the queue emptied
  std::string queued;               // guarded by mu
  std::size_t writing = 0;          // bytes the thread holds, guarded by mu
  std::uint64_t dropped = 0;        // guarded by mu
  bool stop = false;                // guarded by mu
  bool open = true;                 // guarded by mu

  void run() {
    // A reader that went away is EPIPE here, not a signal for the process.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    std::string batch;
    std::unique_lock lock(mu);
    for (;;) {
      wake.wait(lock, [&] { return stop || !queued.empty(); });
      if (queued.empty()) {
        drained.notify_all();
        return;
      }
      batch.swap(queued);
      writing = batch.size();
      lock.unlock();
      bool ok = static_cast<bool>(write_all(fd, batch));
      batch.clear();
      lock.lock();
      writing = 0;
      if (!ok) {
        open = false;
        dropped += static_cast<std::uint64_t>(std::count(queued.begin(), queued.end(), '\n'));
        queued.clear();
      }
      if (queued.empty())
        drained.notify_all();
      if (!open) {
        drained.notify_all();
        return;
      }
    }
  }
};

AsyncWriter::AsyncWriter(int fd, std::size_t cap_bytes)
    : s_(std::make_shared<Shared>()) {
  s_->fd = fd;
  s_->cap = cap_bytes;
  // The thread holds the state too: it may outlive this object.
  std::thread([s = s_] { s->run(); }).detach();
}

AsyncWriter::~AsyncWriter() {
  std::unique_lock lock(s_->mu);
  s_->stop = true;
  s_->wake.notify_one();
  s_->drained.wait_for(lock, std::chrono::seconds(1),
                       [&] { return (s_->queued.empty() && s_->writing == 0) || !s_->open; });
}

bool AsyncWriter::push(std::string_view lines) {
  std::lock_guard lock(s_->mu);
  if (!s_->open || s_->queued.size() + s_->writing + lines.size() > s_->cap) {
    s_->dropped += static_cast<std::uint64_t>(std::count(lines.begin(), lines.end(), '\n'));
    return false;
  }
  bool was_empty = s_->queued.empty();
  s_->queued.append(lines);
  if (was_empty)
    s_->wake.notify_one();
  return true;
}

std::uint64_t AsyncWriter::dropped() const {
  std::lock_guard lock(s_->mu);
  return s_->dropped;
}

bool AsyncWriter::open() const {
  std::lock_guard lock(s_->mu);
  return s_->open;
}

}  // namespace nsgroup
