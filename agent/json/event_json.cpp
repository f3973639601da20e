// Event JSON. Strings from the kernel (comm) may hold any bytes: the
// writer replaces invalid UTF-8.
#include "json/event_json.h"

#include <cstring>

namespace nsgroup {

void write_ns_inodes(JsonWriter& w, const NsSet& s) {
  w.begin_object();
  for (std::size_t i = 0; i < kNsCount; ++i)
    w.member(kNsNames[i], s.inum[i]);
  w.end_object();
}

void write_ns_ids(JsonWriter& w, const NsSet& s) {
  w.begin_object();
  for (std::size_t i = 0; i < kNsCount; ++i)
    w.member(kNsNames[i], s.id[i]);
  w.end_object();
}

namespace {

void write_names(JsonWriter& w, const std::vector<std::string>& names) {
  w.begin_array();
  for (const auto& n : names)
    w.value(n);
  w.end_array();
}

void write_exit_status(JsonWriter& w, std::uint32_t status) {
  if ((status & 0x7f) == 0)
    w.member("exit_code", (status >> 8) & 0xff);
  else
    w.member("signal", status & 0x7f);
}

}  // namespace

std::vector<std::string> event_flag_names(const Event& e) {
  if (e.kind == EventKind::Setns || (e.kind == EventKind::Denied && e.syscall == Syscall::Setns))
    return nstype_names(e.flags);
  return clone_flag_names(e.flags);
}

std::string event_line(const Event& e, const BootClock& clock, const EventPlacement* placement,
                       bool redact) {
  std::string out;
  out.reserve(e.kind == EventKind::Exit || e.kind == EventKind::Fork ? 160 : 768);
  JsonWriter w(out);
  w.begin_object();
  w.member("time", clock.iso8601(e.ts_boot_ns));
  w.member("event", to_string(e.kind));
  switch (e.kind) {
  case EventKind::Lost:
    w.member("count", e.lost_count);
    return w.end_object(), out;
  case EventKind::Suppressed:
    w.member("uid", e.uid).member("count", e.lost_count).member("of", "denied");
    return w.end_object(), out;
  case EventKind::Exit:
    w.member("pid", e.pid).member("comm", e.comm);
    write_exit_status(w, e.exit_code);
    if (placement)
      w.member("container", placement->container);
    return w.end_object(), out;
  case EventKind::Fork:
    w.member("pid", e.pid).member("ppid", e.ppid).member("comm", e.comm);
    if (placement)
      w.member("container", placement->container);
    return w.end_object(), out;
  case EventKind::ContainerRemoved:
    if (placement)
      w.member("container", placement->container);
    return w.end_object(), out;
  default: break;
  }
  w.member("pid", e.pid).member("tid", e.tid);
  if (!redact)
    w.member("ppid", e.ppid);
  w.member("comm", e.comm).member("uid", e.uid).member("syscall", to_string(e.syscall));
  w.key("flags");
  write_names(w, event_flag_names(e));
  if (e.syscall == Syscall::Setns)
    w.member("fd", e.fd);
  w.member("ret", e.ret);
  if (e.kind == EventKind::Denied) {
    int err = -e.ret;
    const char* name = strerrorname_np(err);
    w.member("errno", err).member("error", name ? name : "unknown");
  }
  w.key("new_ns");
  write_names(w, ns_mask_names(e.changed_mask()));
  w.key("ns");
  write_ns_inodes(w, e.after);
  if (e.after.has_ids()) {
    w.key("ns_ids");
    write_ns_ids(w, e.after);
  }
  if (placement) {
    w.member("container", placement->container);
    if (redact)
      w.key("from").null();
    else
      w.member("from", placement->from);
    w.member("created", placement->created);
  }
  w.end_object();
  return out;
}

std::string removed_line(const Removed& r, const BootClock& clock, std::uint64_t now_boot_ns) {
  std::string out;
  JsonWriter w(out);
  w.begin_object()
      .member("time", clock.iso8601(now_boot_ns))
      .member("event", to_string(EventKind::ContainerRemoved))
      .member("id", r.id)
      .member("container", r.path)
      .end_object();
  return out;
}

}  // namespace nsgroup
