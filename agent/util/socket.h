// Unix stream sockets by path: the control socket's address rules, shared
// by the server that binds it and the clients that connect.
#pragma once

#include <sys/un.h>

#include <string>

#include "util/fd.h"
#include "util/result.h"

namespace nsgroup {

// The address of path; a Failure when it is empty or too long.
Result<sockaddr_un> unix_address(const std::string& path);
// Connects to path. The Failure's err is the connect(2) errno, so the
// caller can tell "nothing listens" (ENOENT, ECONNREFUSED, ENOTDIR) from a
// refusal (EACCES).
Result<UniqueFd> connect_unix(const std::string& path);
// True for the errnos of connect(2) that mean no server is there.
bool nobody_listens(int err);

}  // namespace nsgroup
