// Events as text sees them: from an Event, or from its JSON line.
#include "json/event_decode.h"

#include <cstring>

#include "json/json.h"
#include "json/writer.h"

namespace nsgroup {

namespace {

// A member's text: a string as is, another value as JSON, none or null "".
std::string text_of(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null())
    return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::vector<std::string> strings_of(const Json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array())
    return out;
  for (const auto& n : *it)
    if (n.is_string())
      out.push_back(n.get<std::string>());
  return out;
}

}  // namespace

EventFacts event_facts(const Event& e, const BootClock& clock, const EventPlacement* placement) {
  // Field for field what event_line writes, kind by kind.
  EventFacts f;
  f.time = clock.iso8601(e.ts_boot_ns);
  f.kind = std::string(to_string(e.kind));
  switch (e.kind) {
  case EventKind::Lost:
    f.count = std::to_string(e.lost_count);
    return f;
  case EventKind::Suppressed:
    f.uid = std::to_string(e.uid);
    f.count = std::to_string(e.lost_count);
    return f;
  default: break;
  }
  // The rest carry where the tree put them, when there is a tree.
  if (placement)
    f.container = utf8_replaced(placement->container);
  switch (e.kind) {
  case EventKind::Exit:
    f.pid = std::to_string(e.pid);
    f.comm = utf8_replaced(e.comm);
    if ((e.exit_code & 0x7f) == 0)
      f.exit_code = std::to_string((e.exit_code >> 8) & 0xff);
    else
      f.signal = std::to_string(e.exit_code & 0x7f);
    return f;
  case EventKind::Fork:
    f.pid = std::to_string(e.pid);
    f.comm = utf8_replaced(e.comm);
    return f;
  case EventKind::ContainerRemoved:
    return f;
  default: break;
  }
  f.pid = std::to_string(e.pid);
  f.comm = utf8_replaced(e.comm);
  f.uid = std::to_string(e.uid);
  f.syscall = std::string(to_string(e.syscall));
  f.flags = event_flag_names(e);
  if (e.kind == EventKind::Denied) {
    const char* name = strerrorname_np(-e.ret);
    f.error = name ? name : "unknown";
  }
  f.new_ns = ns_mask_names(e.changed_mask());
  return f;
}

std::optional<EventFacts> decode_event_line(std::string_view line) {
  Json e = Json::parse(line, nullptr, false);
  if (!e.is_object())
    return std::nullopt;
  EventFacts f;
  f.time = text_of(e, "time");
  f.kind = text_of(e, "event");
  f.pid = text_of(e, "pid");
  f.comm = text_of(e, "comm");
  f.uid = text_of(e, "uid");
  f.count = text_of(e, "count");
  f.syscall = text_of(e, "syscall");
  f.error = text_of(e, "error");
  f.container = text_of(e, "container");
  f.exit_code = text_of(e, "exit_code");
  if (e.contains("signal"))
    f.signal = text_of(e, "signal");
  f.flags = strings_of(e, "flags");
  f.new_ns = strings_of(e, "new_ns");
  return f;
}

}  // namespace nsgroup
