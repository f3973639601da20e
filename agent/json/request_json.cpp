// Request lines, read with nlohmann.
#include "json/request_json.h"

#include "json/json.h"

namespace nsgroup {

namespace {

std::optional<std::string> string_field(const Json& req, const char* name) {
  auto it = req.find(name);
  if (it == req.end() || !it->is_string())
    return std::nullopt;
  return it->get<std::string>();
}

struct FilterField {
  const char* key;
  WatchField field;
  const char* noun;
};

constexpr FilterField kFilterFields[] = {
    {"pid", WatchField::Pid, "pid"},
    {"uid", WatchField::Uid, "uid"},
    {"comm", WatchField::Comm, "comm"},
    {"events", WatchField::Event, "event kind"},
    {"container", WatchField::Container, "container path"},
};

// One value of a filter, checked as the option's are (one value: a comma
// in a JSON string is part of it).
Status add_filter_value(WatchFilter& f, const FilterField& ff, const Json& v) {
  bool numeric = ff.field == WatchField::Pid || ff.field == WatchField::Uid;
  if (numeric ? !v.is_number_unsigned() : !v.is_string())
    return failure(dump_line(v) + " is not a " + ff.noun);
  if (numeric) {
    std::string digits = std::to_string(v.get<std::uint64_t>());
    return add_filter_values(f, ff.field, digits);
  }
  const auto& s = v.get_ref<const std::string&>();
  if (ff.field == WatchField::Comm) {
    if (auto ok = check_filter_comm(s); !ok)
      return ok;
    f.comms.push_back(s);
    return check_filter_size(f);
  }
  if (ff.field == WatchField::Event && s.find(',') != std::string::npos)
    return failure("'" + s + "' is not an event kind (one per array element)");
  return add_filter_values(f, ff.field, s);
}

// The filter members of a watch request; the first bad value's error.
std::string parse_watch_filter(const Json& req, WatchFilter& f) {
  for (const FilterField& ff : kFilterFields) {
    auto it = req.find(ff.key);
    if (it == req.end())
      continue;
    const Json one = Json::array({*it});
    for (const Json& v : it->is_array() ? *it : one)
      if (auto ok = add_filter_value(f, ff, v); !ok)
        return std::string("watch \"").append(ff.key).append("\": ") + ok.error().message();
  }
  return {};
}

}  // namespace

Result<Request> parse_request(std::string_view line) {
  Json j = Json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return failure("request is not a JSON object");
  Request r;
  r.op = string_field(j, "op").value_or("");
  if (auto it = j.find("pids"); it != j.end() && it->is_boolean())
    r.pids = it->get<bool>();
  // Digits parse as unsigned; a negative or fractional pid is no pid.
  if (auto it = j.find("pid"); it != j.end() && it->is_number_unsigned())
    r.pid = it->get<std::uint64_t>();
  r.path = string_field(j, "path");
  r.name = string_field(j, "name");
  if (r.op == "watch")
    r.watch_error = parse_watch_filter(j, r.watch);
  return r;
}

std::string watch_request_line(const WatchFilter& f) {
  Json j{{"op", "watch"}};
  if (!f.pids.empty())
    j["pid"] = f.pids;
  if (!f.uids.empty())
    j["uid"] = f.uids;
  if (!f.comms.empty())
    j["comm"] = f.comms;
  if (!f.kinds.empty()) {
    Json kinds = Json::array();
    for (EventKind k : f.kinds)
      kinds.push_back(std::string(to_string(k)));
    j["events"] = std::move(kinds);
  }
  if (!f.containers.empty())
    j["container"] = f.containers;
  return dump_line(j);
}

}  // namespace nsgroup
