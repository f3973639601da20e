// Writing JSON lines.
#include "json/json.h"

namespace nsgroup {

std::string dump_line(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace nsgroup
