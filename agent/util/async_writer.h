// AsyncWriter: lines written to a blocking fd (stdout: a journal stream, a
// pipe, a terminal) by a thread of their own, through a bounded queue. The
// caller never waits: a reader that is slow or stuck costs the lines that
// do not fit, counted, not the caller's loop. The fd's flags are left
// alone (O_NONBLOCK on a shared stdout would reach the shell too).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace nsgroup {

class AsyncWriter {
 public:
  // Writes to fd, holding at most cap_bytes not yet written.
  AsyncWriter(int fd, std::size_t cap_bytes);
  AsyncWriter(const AsyncWriter&) = delete;
  AsyncWriter& operator=(const AsyncWriter&) = delete;
  // Waits up to a second for what is queued to be written; a reader stuck
  // longer keeps the rest (the thread is left to the process's exit).
  ~AsyncWriter();

  // Queues whole lines (text ending in '\n'). When they do not fit, or the
  // fd is closed, none is queued and all are counted as dropped; false.
  bool push(std::string_view lines);
  // Lines dropped so far.
  std::uint64_t dropped() const;
  // False once a write failed (the reader is gone): nothing more goes out.
  bool open() const;

  struct Shared;

 private:
  std::shared_ptr<Shared> s_;
};

}  // namespace nsgroup
