// Failure messages.
#include "util/result.h"

#include <cstring>

namespace nsgroup {

std::string Failure::message() const {
  if (err == 0)
    return what;
  return what + ": " + std::strerror(err);
}

}  // namespace nsgroup
