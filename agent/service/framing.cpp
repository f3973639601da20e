// Request lines.
#include "service/framing.h"

namespace nsgroup {

std::optional<std::string_view> LineFramer::next() {
  // Consumed bytes are dropped lazily, once per batch of lines: many short
  // lines in one read cost linear time, not quadratic.
  for (;;) {
    auto nl = buf_.find('\n', start_);
    if (nl == std::string::npos) {
      buf_.erase(0, start_);
      start_ = 0;
      return std::nullopt;
    }
    if (nl - start_ > max_ + 1) {  // + 1: a "\r" before the newline
      too_long_ = true;
      return std::nullopt;
    }
    std::string_view line(buf_.data() + start_, nl - start_);
    start_ = nl + 1;
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    if (!line.empty())
      return line;
  }
}

bool LineFramer::overflowed() const {
  if (too_long_)
    return true;
  auto nl = buf_.rfind('\n');
  std::size_t tail = nl == std::string::npos || nl < start_ ? start_ : nl + 1;
  return buf_.size() - tail > max_;
}

}  // namespace nsgroup
