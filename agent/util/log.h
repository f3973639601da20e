// Logging to stderr. Under systemd (JOURNAL_STREAM names our stderr) each
// line carries the "<N>" priority prefix that journald understands.
#pragma once

#include <string_view>

namespace nsgroup {

enum class LogLevel { Error = 3, Warning = 4, Info = 6, Debug = 7 };

// Reads JOURNAL_STREAM and fixes the verbosity; call once at start.
void log_init(bool verbose);
bool log_verbose();

void log(LogLevel level, std::string_view msg);
inline void log_error(std::string_view m) { log(LogLevel::Error, m); }
inline void log_warn(std::string_view m) { log(LogLevel::Warning, m); }
inline void log_info(std::string_view m) { log(LogLevel::Info, m); }
inline void log_debug(std::string_view m) { log(LogLevel::Debug, m); }

// The prefix for level: "<3>" when journald reads stderr, else "nsgroup: ".
std::string_view log_prefix(LogLevel level, bool journal);
// True when JOURNAL_STREAM ("dev:ino") names the file behind fd.
bool journal_stream_matches(const char* journal_stream, int fd);

}  // namespace nsgroup
