// Whole-file reads and writes, and directory streams.
#include "util/file.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "util/fd.h"

namespace nsgroup {

Status read_file_into(const std::string& path, std::string& out) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd)
    return errno_failure("opening " + path);
  out.clear();
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return errno_failure("reading " + path);
    if (n == 0)
      return {};
    out.append(buf, static_cast<std::size_t>(n));
  }
}

Result<std::string> read_file(const std::string& path) {
  std::string out;
  if (auto ok = read_file_into(path, out); !ok)
    return ok.error();
  return out;
}

Status write_file(const std::string& path, std::string_view text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd)
    return errno_failure("opening " + path);
  if (::write(fd.get(), text.data(), text.size()) < 0)
    return errno_failure("writing " + path);
  return {};
}

Status write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN) {
      // A non-blocking fd with a slow reader: wait for room.
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, -1);
      continue;
    }
    if (n < 0)
      return errno_failure("write");
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Status write_file_atomic(const std::string& path, std::string_view text, unsigned mode) {
  std::string tmp = path + ".tmp";
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  if (!fd)
    return errno_failure("creating " + tmp);
  if (auto w = write_all(fd.get(), text); !w)
    return Failure{w.error().err, "writing " + tmp};
  if (::fsync(fd.get()) != 0)
    return errno_failure("fsync " + tmp);
  fd.reset();
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return errno_failure("renaming " + tmp + " to " + path);
  return {};
}

Result<Dir> Dir::open(const std::string& path) {
  DIR* d = ::opendir(path.c_str());
  if (!d)
    return errno_failure("opening directory " + path);
  return Dir(d);
}

const dirent* Dir::next() {
  for (;;) {
    errno = 0;
    const dirent* e = ::readdir(d_.get());
    if (!e)
      return nullptr;
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
      return e;
  }
}

}  // namespace nsgroup
