// Event JSON. Strings from the kernel (comm) may hold any bytes: they are
// dumped with the replacing error handler (see dump_line).
#include "json/event_json.h"

#include <cstring>

namespace nsgroup {

Json ns_inodes_json(const NsSet& s) {
  Json j = Json::object();
  for (std::size_t i = 0; i < kNsCount; ++i)
    j[std::string(kNsNames[i])] = s.inum[i];
  return j;
}

Json ns_ids_json(const NsSet& s) {
  if (!s.has_ids())
    return nullptr;
  Json j = Json::object();
  for (std::size_t i = 0; i < kNsCount; ++i)
    j[std::string(kNsNames[i])] = s.id[i];
  return j;
}

namespace {

Json flags_json(const Event& e) {
  if (e.kind == EventKind::Setns ||
      (e.kind == EventKind::Denied && e.syscall == Syscall::Setns))
    return nstype_names(e.flags);
  return clone_flag_names(e.flags);
}

void add_exit_status(Json& j, std::uint32_t status) {
  if ((status & 0x7f) == 0)
    j["exit_code"] = (status >> 8) & 0xff;
  else
    j["signal"] = status & 0x7f;
}

}  // namespace

Json event_json(const Event& e, const BootClock& clock,
                const std::optional<EventPlacement>& placement) {
  Json j;
  j["time"] = clock.iso8601(e.ts_boot_ns);
  j["event"] = to_string(e.kind);

  switch (e.kind) {
  case EventKind::Lost:
    j["count"] = e.lost_count;
    return j;
  case EventKind::Exit:
    j["pid"] = e.pid;
    j["comm"] = e.comm;
    add_exit_status(j, e.exit_code);
    if (placement)
      j["container"] = placement->container;
    return j;
  case EventKind::Fork:
    j["pid"] = e.pid;
    j["ppid"] = e.ppid;
    j["comm"] = e.comm;
    if (placement)
      j["container"] = placement->container;
    return j;
  case EventKind::ContainerRemoved:
    if (placement)
      j["container"] = placement->container;
    return j;
  default: break;
  }

  j["pid"] = e.pid;
  j["tid"] = e.tid;
  j["ppid"] = e.ppid;
  j["comm"] = e.comm;
  j["uid"] = e.uid;
  j["syscall"] = to_string(e.syscall);
  j["flags"] = flags_json(e);
  if (e.syscall == Syscall::Setns)
    j["fd"] = e.fd;
  j["ret"] = e.ret;
  if (e.kind == EventKind::Denied) {
    int err = -e.ret;
    j["errno"] = err;
    const char* name = strerrorname_np(err);
    j["error"] = name ? name : "unknown";
  }
  j["new_ns"] = ns_mask_names(e.changed_mask());
  j["ns"] = ns_inodes_json(e.after);
  if (e.after.has_ids())
    j["ns_ids"] = ns_ids_json(e.after);
  if (placement) {
    j["container"] = placement->container;
    j["from"] = placement->from;
    j["created"] = placement->created;
  }
  return j;
}

Json removed_json(const Removed& r, const BootClock& clock, std::uint64_t now_boot_ns) {
  Json j;
  j["time"] = clock.iso8601(now_boot_ns);
  j["event"] = to_string(EventKind::ContainerRemoved);
  j["id"] = r.id;
  j["container"] = r.path;
  return j;
}

}  // namespace nsgroup
