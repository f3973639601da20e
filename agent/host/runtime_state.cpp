// Runtime state files: runc's state.json, crun's status.
#include "host/runtime_state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <limits>

#include <nlohmann/json.hpp>

#include "util/fd.h"
#include "util/file.h"

namespace nsgroup {

namespace {

using nlohmann::json;

// A pid and a start time out of a parsed object; nullopt unless the pid
// is a positive 32-bit number.
std::optional<RuntimeState> state_of(const json& doc, const char* pid_key,
                                     const char* start_key) {
  if (!doc.is_object())
    return std::nullopt;
  auto pid = doc.find(pid_key);
  if (pid == doc.end() || !pid->is_number_unsigned())
    return std::nullopt;
  auto p = pid->get<std::uint64_t>();
  if (p == 0 || p > std::numeric_limits<std::int32_t>::max())
    return std::nullopt;
  RuntimeState s;
  s.pid = static_cast<std::uint32_t>(p);
  if (auto start = doc.find(start_key); start != doc.end() && start->is_number_unsigned())
    s.start_ticks = start->get<std::uint64_t>();
  return s;
}

// A container id as runc accepts one (^[\w+-\.]+$), which is also a safe
// directory name.
bool is_runtime_id(std::string_view id) {
  if (id.empty() || id.size() > 1024 || id == "." || id == "..")
    return false;
  for (char ch : id) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '+' || ch == '-' || ch == '.';
    if (!ok)
      return false;
  }
  return true;
}

// A regular file of at most max bytes (no symlink, no FIFO to block on).
std::optional<std::string> read_bounded(const std::string& path, std::size_t max) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  struct stat st {};
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<std::uint64_t>(st.st_size) > max)
    return std::nullopt;
  // One byte past the size fstat gave tells a file that grew since.
  std::string out(static_cast<std::size_t>(st.st_size) + 1, '\0');
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(fd.get(), out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return std::nullopt;
    if (n == 0)
      break;
    got += static_cast<std::size_t>(n);
  }
  if (got == out.size())
    return std::nullopt;  // it grew since fstat
  out.resize(got);
  return out;
}

// Each entry of dir (bounded), with the state read from dir/ID/file.
template <class Parse>
void read_dir(const std::string& dir, const char* file, Parse parse,
              std::unordered_map<std::uint32_t, RuntimeState>& out) {
  auto d = Dir::open(dir);
  if (!d)
    return;
  std::size_t seen = 0;
  while (const dirent* e = d->next()) {
    if (++seen > kMaxRuntimeStates)
      break;
    std::string_view id = e->d_name;
    if (!is_runtime_id(id))
      continue;
    auto text = read_bounded(dir + "/" + std::string(id) + "/" + file, kMaxRuntimeStateBytes);
    if (!text)
      continue;
    if (auto s = parse(*text, id))
      out.emplace(s->pid, std::move(*s));
  }
}

}  // namespace

std::optional<RuntimeState> parse_runc_state(std::string_view text) {
  json doc = json::parse(text, nullptr, false);
  auto s = state_of(doc, "init_process_pid", "init_process_start");
  if (!s)
    return std::nullopt;
  auto id = doc.find("id");
  if (id == doc.end() || !id->is_string() || !is_runtime_id(id->get_ref<const std::string&>()))
    return std::nullopt;
  s->info.name = "runc";
  s->info.id = id->get<std::string>();
  return s;
}

std::optional<RuntimeState> parse_crun_status(std::string_view text, std::string_view id) {
  if (!is_runtime_id(id))
    return std::nullopt;
  auto s = state_of(json::parse(text, nullptr, false), "pid", "process-start-time");
  if (!s)
    return std::nullopt;
  s->info.name = "crun";
  s->info.id = std::string(id);
  return s;
}

std::unordered_map<std::uint32_t, RuntimeState> read_runtime_states(
    const RuntimeStateDirs& dirs) {
  std::unordered_map<std::uint32_t, RuntimeState> out;
  read_dir(dirs.runc, "state.json",
           [](std::string_view text, std::string_view id) -> std::optional<RuntimeState> {
             auto s = parse_runc_state(text);
             if (!s || s->info.id != id)  // runc names the directory by the id
               return std::nullopt;
             return s;
           },
           out);
  read_dir(dirs.crun, "status", parse_crun_status, out);
  return out;
}

}  // namespace nsgroup
