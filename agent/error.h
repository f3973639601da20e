// The error types that cross module boundaries. Error: a runtime failure
// with a message meant for the user (exit 1).
#pragma once

#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>

namespace nsgroup {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// std::system_error for errno (positive), with "what: strerror" text.
inline std::system_error errno_error(int err, const std::string& what) {
  return std::system_error(err, std::generic_category(), what);
}

}  // namespace nsgroup
