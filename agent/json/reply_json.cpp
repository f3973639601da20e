// Reply lines.
#include "json/reply_json.h"

#include "json/stats_json.h"
#include "json/writer.h"

namespace nsgroup {

std::string error_line(std::string_view message, std::string_view code) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().member("ok", false).member("error", message);
  if (!code.empty())
    w.member("code", code);
  w.end_object();
  return out;
}

std::string watching_line() { return R"({"ok":true,"watching":true})"; }

std::string which_line(std::uint64_t pid, std::uint64_t tgid, std::string_view container,
                       bool unreadable) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().member("ok", true).member("pid", pid);
  if (tgid != pid)
    w.member("tgid", tgid);
  w.member("container", container);
  if (unreadable)
    w.member("unreadable", true);
  w.end_object();
  return out;
}

std::string renamed_line(std::string_view path) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().member("ok", true).member("path", path).end_object();
  return out;
}

std::string killed_line(std::string_view path, bool cgroup_kill, std::size_t signalled) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().member("ok", true).member("path", path).member("cgroup_kill", cgroup_kill);
  w.member("signalled", static_cast<std::uint64_t>(signalled)).end_object();
  return out;
}

std::string stats_line(const StatsReport& stats) {
  std::string out = R"({"ok":true,"stats":)";
  write_stats_json(stats, out);
  out.push_back('}');
  return out;
}

}  // namespace nsgroup
