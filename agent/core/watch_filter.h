// What a watcher asks to see (`nsgroup watch --pid --uid --comm --event
// --container`): a pure filter on an event's facts, applied before the
// event is formatted. Values of one filter are alternatives (OR); different
// filters must all hold (AND). docs/design.md, "Events as JSON", names the
// kinds and which facts each carries.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "util/result.h"

namespace nsgroup {

// The facts of one event a filter looks at. A fact the event does not
// carry (an exit has no uid, container_removed no pid) is nullopt.
struct WatchSubject {
  EventKind kind = EventKind::Lost;
  std::optional<std::uint32_t> pid;
  std::optional<std::uint32_t> uid;
  std::optional<std::string_view> comm;
  // The path of the container the event is about ("" when unknown: the
  // one-shot watch has no tree).
  std::string_view container;
};

// The facts of an event as its JSON line shows them; `container` is its
// placement (a view: the caller keeps the path alive).
WatchSubject watch_subject(const Event& e, std::string_view container = {});
// The facts of a container_removed event.
WatchSubject removed_subject(std::string_view container);

// The filters of one watcher; an empty list filters nothing. A filter on a
// fact excludes events that do not carry it, except `lost`: it says the
// stream has holes, which a filtered watcher needs to know too, so only
// --event leaves it out.
struct WatchFilter {
  std::vector<std::uint32_t> pids;
  std::vector<std::uint32_t> uids;
  std::vector<std::string> comms;  // exact, as the kernel keeps them (15 bytes)
  std::vector<EventKind> kinds;
  // Container paths: each with its subtree. Not comma-separated, as a
  // name given by rename may hold a comma.
  std::vector<std::string> containers;

  bool empty() const {
    return pids.empty() && uids.empty() && comms.empty() && kinds.empty() && containers.empty();
  }
  bool matches(const WatchSubject& s) const;
  bool operator==(const WatchFilter&) const = default;
};

// The most values one filter takes: a watcher's filter is checked against
// every event the daemon publishes, so its size is the daemon's to bound.
inline constexpr std::size_t kMaxFilterValues = 64;
// Failure when one of f's filters holds more than kMaxFilterValues.
Status check_filter_size(const WatchFilter& f);

// The longest comm the kernel keeps (TASK_COMM_LEN less its NUL).
inline constexpr std::size_t kMaxComm = 15;

// An event kind by the name its JSON uses ("unshare", "container_removed");
// nullopt for any other name, the internal "fork" included.
std::optional<EventKind> event_kind_named(std::string_view name);
// The names event_kind_named accepts, comma-separated (for messages).
std::string event_kind_names();

// One value of each filter, checked; the error names the bad value.
Result<std::uint32_t> parse_filter_pid(std::string_view s);
Result<std::uint32_t> parse_filter_uid(std::string_view s);
Status check_filter_comm(std::string_view comm);
Status check_filter_container(std::string_view path);

// Which filter an option or request field sets.
enum class WatchField { Pid, Uid, Comm, Event, Container };
// Adds one option value, which may hold several comma-separated values
// (--pid 1,2,3); a container value is one path.
Status add_filter_values(WatchFilter& f, WatchField field, std::string_view value);

}  // namespace nsgroup
