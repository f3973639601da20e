// JSON of events, as `watch` and the daemon print them (DESIGN "Event").
#pragma once

#include <optional>
#include <string>

#include "core/delta.h"
#include "core/event.h"
#include "json/json.h"
#include "util/clock.h"

namespace nsgroup {

// What the container tree says about an event, when there is a tree.
struct EventPlacement {
  std::string container;  // full path of the subject's container after the event
  std::string from;       // full path of the creator's container before it
  bool created = false;   // the event made a new container
};

// The JSON object for e. placement adds "container", "from", "created".
Json event_json(const Event& e, const BootClock& clock,
                const std::optional<EventPlacement>& placement = {});

// {"time", "event": "container_removed", "id", "container"} for a
// container the tree removed at boot time now_boot_ns.
Json removed_json(const Removed& r, const BootClock& clock, std::uint64_t now_boot_ns);

// {"cgroup": inode, ...} for a namespace set.
Json ns_inodes_json(const NsSet& s);
// {"cgroup": id, ...}, or null when the kernel has no namespace ids.
Json ns_ids_json(const NsSet& s);

}  // namespace nsgroup
