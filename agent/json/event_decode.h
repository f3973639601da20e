// What `watch --text` shows of an event, taken from the event itself (a
// one-shot watch's tracer) or from its JSON line (a daemon's stream), so
// that one renderer draws both the same way.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "json/event_json.h"
#include "util/clock.h"

namespace nsgroup {

// The fields of an event line (docs/design.md, "Events") that text shows,
// each as its JSON value's text: a string as is, a number in decimal, ""
// when the event has none. Not escaped for a terminal.
struct EventFacts {
  std::string time;  // ISO 8601, UTC
  std::string kind;  // "clone", "exit", "lost"...
  std::string pid, comm, uid, count, syscall, error, container;
  std::string exit_code;
  std::optional<std::string> signal;  // set: killed by it
  std::vector<std::string> flags, new_ns;
};

// The facts of an event as event_line would write them (placement: where
// the tree put it, when there is a tree).
EventFacts event_facts(const Event& e, const BootClock& clock,
                       const EventPlacement* placement = nullptr);

// The facts of an event JSON line; nullopt when it is not a JSON object.
std::optional<EventFacts> decode_event_line(std::string_view line);

}  // namespace nsgroup
