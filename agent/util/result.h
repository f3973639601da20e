// The one error convention: a failure that can happen at run time comes
// back as a Result<T> holding either the value or a Failure that captured
// errno where the call failed. Exceptions are for bugs.
#pragma once

#include <cerrno>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace nsgroup {

// What failed, and errno at that moment (0 when no system call failed).
// kind says what a caller may act on (nsgroup's exit status,
// cli/exit_status.h); most failures are Other.
struct Failure {
  // ReaderGone: stdout's reader left (EPIPE on stdout, not on a socket).
  enum class Kind { Other, NotFound, Refused, Unavailable, ReaderGone };
  int err = 0;
  std::string what;
  Kind kind = Kind::Other;
  // "what: strerror(err)", or what alone when err is 0.
  std::string message() const;
};

// A Failure with errno as it is now: call it right after the failing call.
inline Failure errno_failure(std::string what) { return Failure{errno, std::move(what)}; }
// A Failure without an errno (bad input, a refusal).
inline Failure failure(std::string what) { return Failure{0, std::move(what)}; }
// A Failure of a kind a caller acts on ("no container at ...": NotFound).
inline Failure failure(Failure::Kind kind, std::string what) {
  return Failure{0, std::move(what), kind};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Failure f) : v_(std::move(f)) {}    // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  // The value; asking a failed Result for it is a bug.
  T& value() & { check(); return std::get<0>(v_); }
  const T& value() const& { check(); return std::get<0>(v_); }
  T&& value() && { check(); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Failure& error() const { return std::get<1>(v_); }

 private:
  void check() const {
    if (!ok())
      throw std::logic_error("Result::value() on a failure: " + error().message());
  }
  std::variant<T, Failure> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Failure f) : f_(std::move(f)), failed_(true) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Failure& error() const { return f_; }

 private:
  Failure f_;
  bool failed_ = false;
};

using Status = Result<void>;

}  // namespace nsgroup
