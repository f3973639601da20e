// Unix socket addresses and connect.
#include "util/socket.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace nsgroup {

Result<sockaddr_un> unix_address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path)
    return failure("socket path '" + path + "' is empty or longer than " +
                   std::to_string(sizeof addr.sun_path - 1) + " bytes");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

bool nobody_listens(int err) { return err == ENOENT || err == ECONNREFUSED || err == ENOTDIR; }

Result<UniqueFd> connect_unix(const std::string& path) {
  auto addr = unix_address(path);
  if (!addr)
    return addr.error();
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd)
    return errno_failure("socket");
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr) != 0) {
    return errno_failure("cannot connect to " + path);
  }
  return fd;
}

}  // namespace nsgroup
