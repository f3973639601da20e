// stderr logger with journald priority prefixes.
#include "util/log.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace nsgroup {

namespace {

bool g_verbose = false;
bool g_journal = false;

}  // namespace

bool journal_stream_matches(const char* journal_stream, int fd) {
  if (!journal_stream)
    return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(journal_stream, "%llu:%llu", &dev, &ino) != 2)
    return false;
  struct stat st {};
  if (fstat(fd, &st) != 0)
    return false;
  return st.st_dev == dev && st.st_ino == ino;
}

void log_init(bool verbose) {
  g_verbose = verbose;
  g_journal = journal_stream_matches(std::getenv("JOURNAL_STREAM"), STDERR_FILENO);
}

bool log_verbose() { return g_verbose; }

std::string_view log_prefix(LogLevel level, bool journal) {
  if (!journal)
    return "nsgroup: ";
  switch (level) {
  case LogLevel::Error: return "<3>";
  case LogLevel::Warning: return "<4>";
  case LogLevel::Info: return "<6>";
  case LogLevel::Debug: return "<7>";
  }
  return "<6>";
}

void log(LogLevel level, std::string_view msg) {
  if (level == LogLevel::Debug && !g_verbose)
    return;
  std::string line(log_prefix(level, g_journal));
  line.append(msg);
  if (line.empty() || line.back() != '\n')
    line.push_back('\n');
  // One write per line, so concurrent writers never interleave mid-line.
  ssize_t off = 0;
  while (off < static_cast<ssize_t>(line.size())) {
    ssize_t n = ::write(STDERR_FILENO, line.data() + off, line.size() - off);
    if (n <= 0)
      break;
    off += n;
  }
}

}  // namespace nsgroup
