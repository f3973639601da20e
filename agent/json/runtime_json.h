// The runtimes' state files decoded from their JSON (runc's state.json,
// crun's status): the decoder host/runtime_state.h reads them with.
#pragma once

#include <optional>
#include <string_view>

#include "host/runtime_state.h"

namespace nsgroup {

// runc's <root>/<id>/state.json: "id", "init_process_pid",
// "init_process_start". nullopt for anything else.
std::optional<RuntimeState> parse_runc_state(std::string_view text);
// crun's <root>/<id>/status: "pid", "process-start-time"; it holds no id,
// which is its directory's name.
std::optional<RuntimeState> parse_crun_status(std::string_view text, std::string_view id);

// The two above as the decoder read_runtime_states and gather_labels take.
const RuntimeStateDecoder& runtime_state_json();

}  // namespace nsgroup
