// `nsgroup daemon`: the tracer, the tree, the scanner and the control
// socket around one epoll loop.
#pragma once

#include "cli.h"

namespace nsgroup {

// Runs until SIGINT/SIGTERM. Returns the exit status.
int run_daemon(const Options& opts);

}  // namespace nsgroup
