// Failure -> exit status.
#include "cli/exit_status.h"

#include <cerrno>

namespace nsgroup {

int exit_status(const Failure& f) {
  switch (f.kind) {
  case Failure::Kind::NotFound: return kExitNotFound;
  case Failure::Kind::Refused: return kExitRefused;
  case Failure::Kind::Unavailable: return kExitNoDaemon;
  case Failure::Kind::ReaderGone: return kExitFailure;
  case Failure::Kind::Other: break;
  }
  if (f.err == EACCES || f.err == EPERM)
    return kExitRefused;
  return kExitFailure;
}

const char* exit_status_text() {
  return "Exit status:\n"
         "  0  success\n"
         "  1  failure (one line on stderr), a write error on stdout included\n"
         "  2  usage error\n"
         "  3  not found: no such process or container (which, rename, kill,\n"
         "     watch --container)\n"
         "  4  no daemon listening on the socket (stats, rename, kill,\n"
         "     watch --container)\n"
         "  5  refused: the daemon's access rules or the system denied it\n";
}

}  // namespace nsgroup
