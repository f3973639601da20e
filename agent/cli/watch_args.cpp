// Watch filter options.
#include "cli/watch_args.h"

#include <array>
#include <utility>

namespace nsgroup {

namespace {

constexpr std::array<std::pair<std::string_view, WatchField>, 5> kOptions = {{
    {"--pid", WatchField::Pid},
    {"--uid", WatchField::Uid},
    {"--comm", WatchField::Comm},
    {"--event", WatchField::Event},
    {"--container", WatchField::Container},
}};

}  // namespace

bool is_watch_filter_option(std::string_view name) {
  for (const auto& [option, field] : kOptions)
    if (option == name)
      return true;
  return false;
}

std::optional<std::string> add_watch_filter_option(WatchFilter& f, std::string_view name,
                                                   std::string_view value) {
  for (const auto& [option, field] : kOptions) {
    if (option != name)
      continue;
    if (auto ok = add_filter_values(f, field, value); !ok)
      return std::string(name) + ": " + ok.error().message();
    return std::nullopt;
  }
  return std::string("unknown option '").append(name).append("'");
}

}  // namespace nsgroup
