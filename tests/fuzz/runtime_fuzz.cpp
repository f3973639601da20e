// libFuzzer target: what runtime labels are read from, all of it written
// by someone else: a cgroup path (anyone with a delegated cgroup picks its
// names), a /proc/PID/cgroup text, runc's state.json and crun's status.
// Whatever the bytes, nothing crashes and what is found is well-formed: a
// known runtime's name and a non-empty id that is one path component (no
// '/'). A NUL may pass through, as it came: no cgroup name holds one.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "core/runtime.h"
#include "host/procfs.h"
#include "json/runtime_json.h"

namespace {

void check(const std::optional<nsgroup::RuntimeInfo>& r) {
  if (!r)
    return;
  static const std::set<std::string> known = {"docker", "containerd", "crio", "podman",
                                               "nspawn", "lxc",        "runc", "crun"};
  if (!known.count(r->name) || r->id.empty() || r->id.find('/') != std::string::npos)
    std::abort();
  (void)nsgroup::runtime_label(*r);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  check(nsgroup::runtime_from_cgroup(text));
  check(nsgroup::runtime_from_proc_cgroup(text));
  (void)nsgroup::systemd_unescape(text);
  (void)nsgroup::parse_runc_state(text);
  (void)nsgroup::parse_crun_status(text, "id");
  return 0;
}
