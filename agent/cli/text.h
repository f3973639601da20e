// `nsgroup tree --text`: a pstree/systemd-cgls-like drawing of a tree JSON
// document, for people.
#pragma once

#include <string>

#include "json/json.h"

namespace nsgroup {

std::string render_text(const Json& doc);

}  // namespace nsgroup
