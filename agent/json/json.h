// The JSON type every codec uses, and how a line of it is written.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace nsgroup {

// Keys keep the order they were written in: "time" and "event" lead.
using Json = nlohmann::ordered_json;

// One line of JSON: compact, invalid UTF-8 replaced (strings from the
// kernel may hold any bytes), never throws for it.
std::string dump_line(const Json& j);

}  // namespace nsgroup
