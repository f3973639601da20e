// Request lines and replies of the control socket, client side (nlohmann).
#include "json/client_reply.h"

#include "json/json.h"
#include "json/writer.h"

namespace nsgroup {

namespace {

// The reply parsed: an object, or why not.
Result<Json> parse_reply(std::string_view reply) {
  Json j = Json::parse(reply, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return failure("the daemon sent a reply that is not JSON");
  return j;
}

}  // namespace

RequestLine::RequestLine(std::string_view op) { with("op", op); }

RequestLine& RequestLine::with(std::string_view key, std::string_view value) {
  std::string text;
  JsonWriter(text).value(value);
  members_.emplace_back(key, std::move(text));
  return *this;
}

RequestLine& RequestLine::with(std::string_view key, std::uint64_t value) {
  members_.emplace_back(key, std::to_string(value));
  return *this;
}

RequestLine& RequestLine::with(std::string_view key, bool value) {
  members_.emplace_back(key, value ? "true" : "false");
  return *this;
}

std::string RequestLine::str() const {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  for (const auto& [key, value] : members_)
    w.key(key).raw(value);
  w.end_object();
  return out;
}

Status check_reply(std::string_view reply) {
  if (reply.starts_with("{\"ok\":true"))
    return {};
  auto j = parse_reply(reply);
  if (!j)
    return j.error();
  auto ok = j->find("ok");
  if (ok == j->end() || !ok->is_boolean() || !ok->get<bool>()) {
    auto error = j->find("error");
    auto code = j->find("code");
    std::string c = code != j->end() && code->is_string() ? code->get<std::string>() : "";
    auto kind = c == "not_found" ? Failure::Kind::NotFound
                : c == "refused" ? Failure::Kind::Refused
                                 : Failure::Kind::Other;
    return failure(kind, error != j->end() && error->is_string()
                             ? error->get<std::string>()
                             : std::string("the daemon refused the request"));
  }
  return {};
}

std::optional<std::string> reply_error(std::string_view reply) {
  Json j = Json::parse(reply, nullptr, false);
  if (!j.is_object() || !j.contains("error") || !j["error"].is_string())
    return std::nullopt;
  return j["error"].get<std::string>();
}

Result<std::string> reply_string(std::string_view reply, std::string_view key) {
  auto j = parse_reply(reply);
  if (!j)
    return j.error();
  auto it = j->find(key);
  if (it == j->end() || !it->is_string())
    return failure("the daemon's reply has no \"" + std::string(key) + "\"");
  return it->get<std::string>();
}

Result<std::uint64_t> reply_number(std::string_view reply, std::string_view key) {
  auto j = parse_reply(reply);
  if (!j)
    return j.error();
  auto it = j->find(key);
  if (it == j->end() || !it->is_number_unsigned())
    return failure("the daemon's reply has no \"" + std::string(key) + "\"");
  return it->get<std::uint64_t>();
}

Result<bool> reply_bool(std::string_view reply, std::string_view key) {
  auto j = parse_reply(reply);
  if (!j)
    return j.error();
  auto it = j->find(key);
  if (it == j->end() || !it->is_boolean())
    return failure("the daemon's reply has no \"" + std::string(key) + "\"");
  return it->get<bool>();
}

Result<std::string> reply_member_indented(std::string_view reply, std::string_view key) {
  auto j = parse_reply(reply);
  if (!j)
    return j.error();
  auto it = j->find(key);
  if (it == j->end())
    return failure("the daemon's reply has no \"" + std::string(key) + "\"");
  return it->dump(2);
}

Result<std::string> reply_without_ok(std::string_view reply) {
  auto j = parse_reply(reply);
  if (!j)
    return j.error();
  j->erase("ok");
  return dump_line(*j);
}

std::optional<std::string> decode_json_string(std::string_view literal) {
  Json s = Json::parse(literal, nullptr, false);
  if (!s.is_string())
    return std::nullopt;
  return s.get<std::string>();
}

}  // namespace nsgroup
