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
  return r;
}

}  // namespace nsgroup
