// Text for people: `nsgroup tree --text`, a pstree/systemd-cgls-like
// drawing of a decoded tree document (json/tree_decode.h) in aligned
// columns, and `nsgroup watch --text`, one aligned line per event like the
// libbpf-tools, from the event's facts (json/event_decode.h). Everything a
// process chose (names, labels, comms) is escaped for the terminal.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "json/event_decode.h"
#include "json/tree_decode.h"

namespace nsgroup {

struct TreeTextOptions {
  bool pids = false;  // a PIDS column
};

// Draws a tree document (a daemon's or a scan's; cut by decode_tree).
std::string render_text(const TreeDoc& doc, const TreeTextOptions& o = {});

// watch --text: the header line, and one event as a line (TIME EVENT PID
// COMM NS CONTAINER), coloured by kind when colour is set. The same line
// whether the facts come from an Event or from a daemon's JSON line.
std::string event_text_header();
std::string event_text(const EventFacts& event, bool colour);

// kill's line: "killed PATH (cgroup.kill; N processes signalled)".
std::string kill_text(std::string_view path, bool cgroup_kill, std::uint64_t signalled);

// Whether text for fd should be coloured: a terminal, NO_COLOR unset or
// empty, TERM not "dumb" (https://no-color.org).
bool want_colour(int fd);

}  // namespace nsgroup
