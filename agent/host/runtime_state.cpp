// Runtime state files (runc's state.json, crun's status): found and read
// here, bounded; decoded by the RuntimeStateDecoder handed in.
#include "host/runtime_state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "util/fd.h"
#include "util/file.h"

namespace nsgroup {

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

namespace {

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

std::unordered_map<std::uint32_t, RuntimeState> read_runtime_states(
    const RuntimeStateDecoder& decode, const RuntimeStateDirs& dirs) {
  std::unordered_map<std::uint32_t, RuntimeState> out;
  read_dir(dirs.runc, "state.json",
           [&](std::string_view text, std::string_view id) -> std::optional<RuntimeState> {
             auto s = decode.runc(text);
             if (!s || s->info.id != id)  // runc names the directory by the id
               return std::nullopt;
             return s;
           },
           out);
  read_dir(dirs.crun, "status",
           [&](std::string_view text, std::string_view id) { return decode.crun(text, id); }, out);
  return out;
}

}  // namespace nsgroup
