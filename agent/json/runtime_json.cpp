// runc's state.json and crun's status, parsed (nlohmann).
#include "json/runtime_json.h"

#include <cstdint>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

namespace nsgroup {

namespace {

using nlohmann::json;

// A pid and a start time out of a parsed object; nullopt unless the pid
// is a positive 32-bit number.
std::optional<RuntimeState> state_of(const json& doc, const char* pid_key,
                                     const char* start_key) {
  if (!doc.is_object())
    return std::nullopt;
  auto pid = doc.find(pid_key);
  if (pid == doc.end() || !pid->is_number_unsigned())
    return std::nullopt;
  auto p = pid->get<std::uint64_t>();
  if (p == 0 || p > std::numeric_limits<std::int32_t>::max())
    return std::nullopt;
  RuntimeState s;
  s.pid = static_cast<std::uint32_t>(p);
  if (auto start = doc.find(start_key); start != doc.end() && start->is_number_unsigned())
    s.start_ticks = start->get<std::uint64_t>();
  return s;
}

class JsonRuntimeStates final : public RuntimeStateDecoder {
 public:
  std::optional<RuntimeState> runc(std::string_view text) const override {
    return parse_runc_state(text);
  }
  std::optional<RuntimeState> crun(std::string_view text, std::string_view id) const override {
    return parse_crun_status(text, id);
  }
};

}  // namespace

std::optional<RuntimeState> parse_runc_state(std::string_view text) {
  json doc = json::parse(text, nullptr, false);
  auto s = state_of(doc, "init_process_pid", "init_process_start");
  if (!s)
    return std::nullopt;
  auto id = doc.find("id");
  if (id == doc.end() || !id->is_string() || !is_runtime_id(id->get_ref<const std::string&>()))
    return std::nullopt;
  s->info.name = "runc";
  s->info.id = id->get<std::string>();
  return s;
}

std::optional<RuntimeState> parse_crun_status(std::string_view text, std::string_view id) {
  if (!is_runtime_id(id))
    return std::nullopt;
  auto s = state_of(json::parse(text, nullptr, false), "pid", "process-start-time");
  if (!s)
    return std::nullopt;
  s->info.name = "crun";
  s->info.id = std::string(id);
  return s;
}

const RuntimeStateDecoder& runtime_state_json() {
  static const JsonRuntimeStates decoder;
  return decoder;
}

}  // namespace nsgroup
