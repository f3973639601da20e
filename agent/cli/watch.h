// `nsgroup watch`: load the programs and print events as JSON lines.
#pragma once

#include "cli/args.h"
#include "util/result.h"

namespace nsgroup {

// Runs until SIGINT/SIGTERM or until stdout's reader goes away. Returns the
// exit status.
Status run_watch(const Options& opts);

}  // namespace nsgroup
