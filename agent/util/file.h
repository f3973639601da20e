// Files for /proc and cgroupfs, where files are small and may vanish
// between open and read; directories; whole writes.
#pragma once

#include <dirent.h>

#include <memory>
#include <string>
#include <string_view>

#include "util/result.h"

namespace nsgroup {

// The whole file; the Failure names the path.
Result<std::string> read_file(const std::string& path);
// Reads path into out, reusing its capacity (scans read thousands of
// small files).
Status read_file_into(const std::string& path, std::string& out);
// One write(2) of text to an existing file (cgroupfs takes one value per
// write).
Status write_file(const std::string& path, std::string_view text);
// Writes to a temporary file beside path, fsyncs it and renames it over.
Status write_file_atomic(const std::string& path, std::string_view text,
                         unsigned mode = 0600);
// Writes all of data to fd (waiting for room on a non-blocking one);
// fails with EPIPE once the reader is gone (SIGPIPE must be ignored).
Status write_all(int fd, std::string_view data);

// An open directory stream, closed when it goes.
class Dir {
 public:
  static Result<Dir> open(const std::string& path);
  // The next entry other than "." and ".."; nullptr at the end.
  const dirent* next();

 private:
  struct Closer {
    void operator()(DIR* d) const noexcept { ::closedir(d); }
  };
  explicit Dir(DIR* d) : d_(d) {}
  std::unique_ptr<DIR, Closer> d_;
};

}  // namespace nsgroup
