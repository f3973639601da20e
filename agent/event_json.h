// JSON of events, as `watch` and the daemon print them (DESIGN "Event").
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "clock.h"
#include "event.h"

namespace nsgroup {

// Keys keep the order they were written in: "time" and "event" lead.
using Json = nlohmann::ordered_json;

// What the container tree says about an event, when there is a tree.
struct EventPlacement {
  std::string container;  // full path of the subject's container after the event
  std::string from;       // full path of the creator's container before it
  bool created = false;   // the event made a new container
};

// The JSON object for e. placement adds "container", "from", "created".
Json event_json(const Event& e, const BootClock& clock,
                          const std::optional<EventPlacement>& placement = {});

// {"cgroup": inode, ...} for a namespace set.
Json ns_inodes_json(const NsSet& s);
// {"cgroup": id, ...}, or null when the kernel has no namespace ids.
Json ns_ids_json(const NsSet& s);

// One line of JSON: compact, invalid UTF-8 replaced, never throws for it.
std::string dump_line(const Json& j);

}  // namespace nsgroup
