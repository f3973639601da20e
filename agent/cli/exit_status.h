// nsgroup's exit statuses (nsgroup(8), EXIT STATUS), and the one place
// that maps a failure to one of them.
#pragma once

#include "util/result.h"

namespace nsgroup {

enum ExitStatus : int {
  kExitOk = 0,
  kExitFailure = 1,     // anything else, one line on stderr
  kExitUsage = 2,       // a bad command line
  kExitNotFound = 3,    // no such process or container
  kExitNoDaemon = 4,    // no daemon listens on the socket
  kExitRefused = 5,     // the daemon's access rules or the OS said no
};

// The status for a failed command: its kind first, then its errno
// (EACCES, EPERM: refused).
int exit_status(const Failure& f);

// The statuses as `nsgroup --help` ends, one line each.
const char* exit_status_text();

}  // namespace nsgroup
