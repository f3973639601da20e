// Watch filters.
#include "core/watch_filter.h"

#include <algorithm>
#include <charconv>

#include "core/tree.h"

namespace nsgroup {

namespace {

constexpr EventKind kNamedKinds[] = {
    EventKind::Clone, EventKind::Unshare,    EventKind::Setns,           EventKind::Denied,
    EventKind::Exit,  EventKind::Lost,       EventKind::Suppressed,      EventKind::ContainerRemoved,
};

template <class T>
bool contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// A fact the filter constrains: kept when the list is empty, else the
// event must carry the fact and it must be one of the list.
template <class T, class U>
bool fact_matches(const std::vector<T>& wanted, const std::optional<U>& fact) {
  if (wanted.empty())
    return true;
  return fact && std::find(wanted.begin(), wanted.end(), *fact) != wanted.end();
}

// 'value', quoted for a message. (Built by appending: GCC 12 at -O3 warns
// falsely (-Wrestrict) on a literal + std::string temporary.)
std::string quoted(std::string_view value) {
  std::string out = "'";
  out.append(value).push_back('\'');
  return out;
}

Result<std::uint32_t> parse_u32(std::string_view s, std::string_view what) {
  std::uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size())
    return failure(quoted(s) + " is not a " + std::string(what));
  return v;
}

}  // namespace

WatchSubject watch_subject(const Event& e, std::string_view container) {
  WatchSubject s;
  s.kind = e.kind;
  s.container = container;
  switch (e.kind) {
  case EventKind::Lost: break;
  case EventKind::Suppressed: s.uid = e.uid; break;
  case EventKind::ContainerRemoved: break;
  case EventKind::Exit:
  case EventKind::Fork:
    s.pid = e.pid;
    s.comm = e.comm;
    break;
  default:
    s.pid = e.pid;
    s.uid = e.uid;
    s.comm = e.comm;
    break;
  }
  return s;
}

WatchSubject removed_subject(std::string_view container) {
  WatchSubject s;
  s.kind = EventKind::ContainerRemoved;
  s.container = container;
  return s;
}

bool WatchFilter::matches(const WatchSubject& s) const {
  if (!kinds.empty() && !contains(kinds, s.kind))
    return false;
  if (s.kind == EventKind::Lost)
    return true;
  if (!fact_matches(pids, s.pid) || !fact_matches(uids, s.uid))
    return false;
  if (!comms.empty() && !(s.comm && std::any_of(comms.begin(), comms.end(), [&](const std::string& c) {
                            return c == *s.comm;
                          })))
    return false;
  if (containers.empty())
    return true;
  if (s.container.empty())
    return false;
  return std::any_of(containers.begin(), containers.end(),
                     [&](const std::string& c) { return path_within(s.container, c); });
}

std::optional<EventKind> event_kind_named(std::string_view name) {
  for (EventKind k : kNamedKinds)
    if (to_string(k) == name)
      return k;
  return std::nullopt;
}

std::string event_kind_names() {
  std::string out;
  for (EventKind k : kNamedKinds) {
    if (!out.empty())
      out += ", ";
    out += to_string(k);
  }
  return out;
}

Result<std::uint32_t> parse_filter_pid(std::string_view s) {
  auto pid = parse_u32(s, "pid");
  if (pid && *pid == 0)
    return failure("'0' is not a pid");
  return pid;
}

Result<std::uint32_t> parse_filter_uid(std::string_view s) {
  auto uid = parse_u32(s, "uid");
  // (uid_t)-1 is "no uid" to the kernel: no process runs as it.
  if (uid && *uid == 0xffffffffU)
    return failure(quoted(s) + " is not a uid");
  return uid;
}

Status check_filter_comm(std::string_view comm) {
  if (comm.empty())
    return failure("an empty comm matches no process");
  if (comm.size() > kMaxComm)
    return failure(std::string("comm ") + quoted(comm) + " is longer than the " +
                   std::to_string(kMaxComm) + " bytes the kernel keeps");
  return {};
}

Status check_filter_container(std::string_view path) {
  if (path.empty() || path[0] != '/')
    return failure(std::string("container ") + quoted(path) +
                   " is not a container path (/init_container/...)");
  return {};
}

Status check_filter_size(const WatchFilter& f) {
  for (std::size_t n : {f.pids.size(), f.uids.size(), f.comms.size(), f.kinds.size(),
                        f.containers.size()})
    if (n > kMaxFilterValues)
      return failure("at most " + std::to_string(kMaxFilterValues) + " values a filter");
  return {};
}

namespace {

Status add_values_unchecked(WatchFilter& f, WatchField field, std::string_view value) {
  if (field == WatchField::Container) {
    if (auto ok = check_filter_container(value); !ok)
      return ok;
    f.containers.emplace_back(value);
    return {};
  }
  for (std::size_t start = 0;;) {
    std::size_t comma = value.find(',', start);
    std::string_view one =
        value.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    switch (field) {
    case WatchField::Pid: {
      auto pid = parse_filter_pid(one);
      if (!pid)
        return pid.error();
      f.pids.push_back(*pid);
      break;
    }
    case WatchField::Uid: {
      auto uid = parse_filter_uid(one);
      if (!uid)
        return uid.error();
      f.uids.push_back(*uid);
      break;
    }
    case WatchField::Comm:
      if (auto ok = check_filter_comm(one); !ok)
        return ok;
      f.comms.emplace_back(one);
      break;
    case WatchField::Event: {
      auto kind = event_kind_named(one);
      if (!kind)
        return failure(quoted(one) + " is not an event kind (" + event_kind_names() +
                       ")");
      f.kinds.push_back(*kind);
      break;
    }
    case WatchField::Container: break;  // above
    }
    if (comma == std::string_view::npos)
      return {};
    start = comma + 1;
  }
}

}  // namespace

Status add_filter_values(WatchFilter& f, WatchField field, std::string_view value) {
  WatchFilter next = f;  // f stays as it was when a value is refused
  if (auto ok = add_values_unchecked(next, field, value); !ok)
    return ok;
  if (auto ok = check_filter_size(next); !ok)
    return ok;
  f = std::move(next);
  return {};
}

}  // namespace nsgroup
