// The control socket's framing: one request per line, each line at most a
// bound long. Pure: bytes in, lines out (json/request_json.h parses them).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>


namespace nsgroup {

// Longest request line accepted; longer ones get an error and a close.
inline constexpr std::size_t kMaxRequestBytes = 1 << 20;

class LineFramer {
 public:
  explicit LineFramer(std::size_t max_line = kMaxRequestBytes) : max_(max_line) {}
  // Appends bytes as they came.
  void feed(std::string_view bytes) { buf_.append(bytes); }
  // The next whole line, without its "\n" (or "\r\n"); blank lines are
  // skipped. Valid until the next feed() or next().
  std::optional<std::string_view> next();
  // True when a line is longer than the bound, whole or still without its
  // newline: the client is to be told and dropped.
  bool overflowed() const;
  // True when a whole line (perhaps a blank one) waits.
  bool has_line() const { return buf_.find('\n', start_) != std::string::npos; }
  // Bytes received and not yet returned as lines.
  std::size_t pending() const { return buf_.size() - start_; }
  // Those bytes (an HTTP head, which is not read line by line).
  std::string_view buffered() const { return std::string_view(buf_).substr(start_); }

 private:
  std::string buf_;
  std::size_t start_ = 0;  // consumed bytes at the front of buf_
  std::size_t max_;
  bool too_long_ = false;  // next() met a whole line over the bound
};

}  // namespace nsgroup
