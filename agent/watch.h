// `nsgroup watch`: load the programs and print events as JSON lines.
#pragma once

#include "cli.h"

namespace nsgroup {

// Runs until SIGINT/SIGTERM or until stdout's reader goes away. Returns the
// exit status.
int run_watch(const Options& opts);

}  // namespace nsgroup
