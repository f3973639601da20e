// The control socket's replies, each one line of JSON text (without its
// newline), written by JsonWriter as nlohmann would dump them: the bytes
// on the wire are docs/design.md's "The socket protocol".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "json/stats_report.h"

namespace nsgroup {

// {"ok":false,"error":message[,"code":code]}: code, for programs, is one of
// the kErr* below (docs/design.md, "The socket protocol").
std::string error_line(std::string_view message, std::string_view code = {});
inline constexpr std::string_view kErrNotFound = "not_found";  // no such pid or container
inline constexpr std::string_view kErrRefused = "refused";      // the access rules say no
inline constexpr std::string_view kErrInvalid = "invalid";      // a bad request or name
// {"ok":true,"watching":true}
std::string watching_line();
// {"ok":true,"pid":P[,"tgid":T],"container":C[,"unreadable":true]}: tgid
// when the pid asked is a thread of another process.
std::string which_line(std::uint64_t pid, std::uint64_t tgid, std::string_view container,
                       bool unreadable);
// {"ok":true,"path":P}
std::string renamed_line(std::string_view path);
// {"ok":true,"path":P,"cgroup_kill":B,"signalled":N}
std::string killed_line(std::string_view path, bool cgroup_kill, std::size_t signalled);
// {"ok":true,"stats":{...}} (stats_json.h)
std::string stats_line(const StatsReport& stats);

}  // namespace nsgroup
