// Events as JSON lines, as `watch` and the daemon print them (docs/design.md,
// "Events"), written straight to text: one per record on the hot path.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/delta.h"
#include "core/event.h"
#include "json/writer.h"
#include "util/clock.h"

namespace nsgroup {

// What the container tree says about an event, when there is a tree.
struct EventPlacement {
  std::string container;  // full path of the subject's container after the event
  std::string from;       // full path of the creator's container before it
  bool created = false;   // the event made a new container
};

// The event's JSON object, without a newline. placement adds "container",
// "from", "created". redact: as a client sees it that may see where the
// subject went but not where it came from ("from" null, no "ppid").
std::string event_line(const Event& e, const BootClock& clock,
                       const EventPlacement* placement = nullptr, bool redact = false);

// {"time", "event": "container_removed", "id", "container"} for a
// container the tree removed at boot time now_boot_ns.
std::string removed_line(const Removed& r, const BootClock& clock, std::uint64_t now_boot_ns);

// The names of an event's flags as its "flags" holds them: setns's
// nstype, else clone or unshare flags.
std::vector<std::string> event_flag_names(const Event& e);

// {"cgroup": inode, ...} and {"cgroup": id, ...} of a namespace set.
void write_ns_inodes(JsonWriter& w, const NsSet& s);
void write_ns_ids(JsonWriter& w, const NsSet& s);

}  // namespace nsgroup
