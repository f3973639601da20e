// Text for people: `nsgroup tree --text`, a pstree/systemd-cgls-like
// drawing of a tree JSON document in aligned columns, and `nsgroup watch
// --text`, one aligned line per event like the libbpf-tools. Everything a
// process chose (names, labels, comms) is escaped for the terminal.
#pragma once

#include <string>

#include "json/json.h"

namespace nsgroup {

struct TreeTextOptions {
  bool pids = false;  // a PIDS column
};

// Draws a tree document (a daemon's or a scan's).
std::string render_text(const Json& doc, const TreeTextOptions& o = {});

// Cuts a tree document `depth` levels below the root (0: the root alone).
// A container whose children were cut gets "children_omitted": how many
// containers below it are not shown.
void prune_depth(Json& doc, int depth);

// watch --text: the header line, and one event JSON object as a line
// (TIME EVENT PID COMM NS CONTAINER), coloured by kind when colour is set.
std::string event_text_header();
std::string event_text(const Json& event, bool colour);

// Whether text for fd should be coloured: a terminal, NO_COLOR unset or
// empty, TERM not "dumb" (https://no-color.org).
bool want_colour(int fd);

}  // namespace nsgroup
