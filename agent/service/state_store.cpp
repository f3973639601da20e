// The state file on disk.
#include "service/state_store.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>

#include "util/file.h"
#include "util/log.h"

namespace nsgroup {

StateStore StateStore::open(const std::string& wanted) {
  std::string dir = wanted;
  if (dir.empty()) {
    const char* env = std::getenv("STATE_DIRECTORY");
    dir = env && *env ? std::string(env).substr(0, std::string(env).find(':'))
                      : std::string("/var/lib/nsgroup");
  }
  StateStore s;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    log_warn(errno_failure("state directory " + dir + " unusable").message() +
             ": names will not survive a restart without the mirror");
    return s;
  }
  s.path_ = dir + "/containers.json";
  return s;
}

std::optional<SavedState> StateStore::load() const {
  if (path_.empty())
    return std::nullopt;
  auto text = read_file(path_);
  if (!text)
    return std::nullopt;
  auto saved = parse_state(*text);
  if (!saved)
    log_warn(path_ + " is not a state file; ignored");
  return saved;
}

bool StateStore::save_if_due(const Tree& tree, std::uint64_t now_boot_ns) {
  if (!schedule_.due(now_boot_ns))
    return false;
  save(tree, now_boot_ns);
  return true;
}

void StateStore::save(const Tree& tree, std::uint64_t now_boot_ns) {
  if (path_.empty())
    return;
  if (auto written = write_file_atomic(path_, state_text(tree)); !written)
    log_warn(written.error().message());
  schedule_.saved(now_boot_ns);
}

}  // namespace nsgroup
