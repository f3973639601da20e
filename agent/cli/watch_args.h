// The filter options of `nsgroup watch` (--pid, --uid, --comm, --event,
// --container), parsed into a core WatchFilter: kept out of args.cpp so
// that the command line's general rules and these values change apart.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/watch_filter.h"

namespace nsgroup {

// True when `name` is one of the filter options (each takes a value).
bool is_watch_filter_option(std::string_view name);

// Adds one occurrence of option `name` to f: nullopt, or the usage error
// naming the bad value.
std::optional<std::string> add_watch_filter_option(WatchFilter& f, std::string_view name,
                                                   std::string_view value);

}  // namespace nsgroup
