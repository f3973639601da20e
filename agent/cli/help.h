// The help texts, drawn from cli/command_specs.h: `nsgroup --help` (every
// command's usage lines and description, the global options, the exit
// statuses) and `nsgroup help CMD` (one command: usage, description, each
// option on a line "  -o, --output=json|text  text").
#pragma once

#include <string>

#include "cli/command_specs.h"

namespace nsgroup {

std::string usage_text();
std::string command_help(const CommandSpec& c);

}  // namespace nsgroup
