// The control socket: accept, line framing, replies, watch streams.
#include "server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "error.h"
#include "log.h"

namespace nsgroup {

namespace {

sockaddr_un address_of(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path)
    throw Error("socket path '" + path + "' is empty or longer than " +
                std::to_string(sizeof addr.sun_path - 1) + " bytes");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

void make_parent_dir(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0)
    return;
  std::string dir = path.substr(0, slash);
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0)
    return;
  make_parent_dir(dir);
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    throw Error("cannot create " + dir + ": " + std::strerror(errno));
}

}  // namespace

UniqueFd connect_socket(const std::string& path, bool* no_daemon) {
  if (no_daemon)
    *no_daemon = false;
  sockaddr_un addr = address_of(path);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd)
    throw errno_error(errno, "socket");
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    if (no_daemon && (err == ENOENT || err == ECONNREFUSED || err == ENOTDIR))
      *no_daemon = true;
    if (err == EACCES || err == EPERM)
      throw Error("permission denied connecting to " + path +
                  " (the socket is for root and its group)");
    throw Error("cannot connect to " + path + ": " + std::strerror(err));
  }
  return fd;
}

Server::Server(const std::string& path, gid_t group, Epoll& ep,
               std::uint64_t listen_key, Handler handler, AcceptHook on_accept)
    : path_(path), ep_(ep), handler_(std::move(handler)),
      on_accept_(std::move(on_accept)), listen_key_(listen_key) {
  sockaddr_un addr = address_of(path);
  make_parent_dir(path);
  // A socket file nobody answers on is a leftover of a killed daemon.
  bool no_daemon = false;
  try {
    connect_socket(path, &no_daemon);
    throw Error("another nsgroup daemon is already serving " + path);
  } catch (const Error&) {
    if (!no_daemon)
      throw;
  }
  ::unlink(path.c_str());

  listen_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!listen_)
    throw errno_error(errno, "socket");
  // Created 0660 from the start: no window in which others may connect.
  mode_t old = ::umask(0117);
  int rc = ::bind(listen_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int err = errno;
  ::umask(old);
  if (rc != 0)
    throw Error("cannot bind " + path + ": " + std::strerror(err));
  if (::chown(path.c_str(), 0, group) != 0 || ::chmod(path.c_str(), 0660) != 0)
    throw Error("cannot set owner/mode of " + path + ": " + std::strerror(errno));
  if (::listen(listen_.get(), 64) != 0)
    throw errno_error(errno, "listen");
  ep_.add(listen_.get(), EPOLLIN, listen_key);
}

Server::~Server() {
  for (auto& [fd, c] : clients_)
    if (!c->dead)
      ep_.remove(fd);
  clients_.clear();
  if (listen_) {
    ep_.remove(listen_.get());
    ::unlink(path_.c_str());
  }
}

void Server::on_listen_ready() {
  reap();
  for (;;) {
    int fd = ::accept4(listen_.get(), nullptr, nullptr,
                       SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) {
        // Level-triggered: stop listening until the timer says so, rather
        // than spin on a socket we cannot accept from.
        log_warn("out of file descriptors: not accepting clients for a second");
        ep_.modify(listen_.get(), 0, listen_key_);
        paused_ = true;
      } else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
        log_warn(std::string("accept: ") + std::strerror(errno));
      }
      return;
    }
    auto c = std::make_unique<Connection>();
    c->fd.reset(fd);
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
      log_warn("a client without SO_PEERCRED was refused");
      continue;
    }
    c->peer = PeerCred{cred.pid, cred.uid, cred.gid};
    int pidfd = -1;
    len = sizeof pidfd;
    constexpr int kSoPeerPidfd = 77;  // not in Debian 12's headers
    if (::getsockopt(fd, SOL_SOCKET, kSoPeerPidfd, &pidfd, &len) == 0 && pidfd >= 0)
      c->peer_pidfd.reset(pidfd);
    std::size_t same_uid = 0;
    for (const auto& [cfd, other] : clients_)
      same_uid += !other->dead && other->peer.uid == cred.uid;
    if (client_count() >= kMaxClients ||
        (cred.uid != 0 && same_uid >= kMaxClientsPerUid)) {
      log_warn("refused a control-socket client (uid " + std::to_string(cred.uid) +
               "): too many connections");
      continue;
    }
    if (on_accept_ && !on_accept_(*c))
      continue;  // refused: the fd closes with c
    ep_.add(fd, EPOLLIN | EPOLLRDHUP, kClientTag | static_cast<std::uint32_t>(fd));
    clients_.emplace(fd, std::move(c));
  }
}

void Server::resume() {
  if (!paused_)
    return;
  paused_ = false;
  ep_.modify(listen_.get(), EPOLLIN, listen_key_);
}

void Server::close(int fd) {
  auto it = clients_.find(fd);
  if (it == clients_.end() || it->second->dead)
    return;
  ep_.remove(fd);
  it->second->dead = true;
  dead_.push_back(fd);
}

void Server::reap() {
  for (int fd : dead_)
    clients_.erase(fd);
  dead_.clear();
}

void Server::on_client_ready(std::uint64_t key, std::uint32_t events) {
  reap();
  int fd = static_cast<int>(key & 0xffffffffU);
  auto it = clients_.find(fd);
  if (it == clients_.end() || it->second->dead)
    return;
  Connection& c = *it->second;
  if (events & EPOLLOUT) {
    flush(c);
    if (c.dead)
      return;
  }
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
    char buf[65536];
    bool eof = false;
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) {
        if (!c.closing)
          c.in.append(buf, static_cast<std::size_t>(n));
        if (c.in.size() > kMaxRequestBytes)
          break;  // handle what is complete, then judge the rest
        continue;
      }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        break;
      eof = true;  // EOF or error: answer what came, then close
      break;
    }
    handle_lines(c);
    if (c.dead)
      return;
    if (c.in.size() > kMaxRequestBytes) {
      c.in.clear();
      send_error(c, "request longer than " + std::to_string(kMaxRequestBytes) +
                        " bytes");
      c.closing = true;
    }
    if (eof || (c.closing && c.out.empty()))
      close(fd);
  }
}

void Server::handle_lines(Connection& c) {
  // One pass with a cursor, one erase at the end: many short lines in one
  // read cost linear time, not quadratic.
  std::size_t start = 0, pos;
  while (!c.closing && !c.dead && (pos = c.in.find('\n', start)) != std::string::npos) {
    std::string_view line(c.in.data() + start, pos - start);
    start = pos + 1;
    if (line.empty() || line == "\r")
      continue;
    Json req = Json::parse(line, nullptr, false);
    if (req.is_discarded() || !req.is_object()) {
      send_error(c, "request is not a JSON object");
    } else {
      try {
        handler_(c, req);
      } catch (const std::exception& e) {
        send_error(c, std::string("internal error: ") + e.what());
      }
    }
  }
  if (!c.dead)
    c.in.erase(0, start);
}

void Server::send(Connection& c, std::string_view line) {
  if (c.dead)
    return;
  if (c.out.size() + line.size() > kMaxPendingOutput) {
    log_warn("dropping a control-socket client (pid " +
             std::to_string(c.peer.pid) + ") that does not read its " +
             (c.watching ? "event stream" : "replies"));
    close(c.fd.get());
    return;
  }
  c.out.append(line);
  c.out.push_back('\n');
  flush(c);
}

void Server::send_error(Connection& c, std::string_view msg) {
  Json j;
  j["ok"] = false;
  j["error"] = msg;
  send(c, dump_line(j));
}

void Server::flush(Connection& c) {
  if (c.dead)
    return;
  int fd = c.fd.get();
  while (!c.out.empty()) {
    ssize_t n = ::send(fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n > 0) {
      c.out.erase(0, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN) {
      ep_.modify(fd, EPOLLIN | EPOLLRDHUP | EPOLLOUT,
                 kClientTag | static_cast<std::uint32_t>(fd));
      return;
    }
    close(fd);  // EPIPE, ECONNRESET: the client went away
    return;
  }
  ep_.modify(fd, EPOLLIN | EPOLLRDHUP, kClientTag | static_cast<std::uint32_t>(fd));
  if (c.closing)
    close(fd);
}

bool Server::has_watchers() const {
  for (const auto& [fd, c] : clients_)
    if (!c->dead && c->watching)
      return true;
  return false;
}

void Server::broadcast(std::string_view line,
                       const std::function<bool(const Connection&)>& want) {
  std::vector<int> targets;
  for (auto& [fd, c] : clients_)
    if (!c->dead && c->watching && want(*c))
      targets.push_back(fd);
  for (int fd : targets)
    send(*clients_.at(fd), line);  // closed ones stay until reap()
}

}  // namespace nsgroup
