// The connection core: accept, read, queue, write, close.
#include "service/stream_core.h"

#include <sys/socket.h>
#include <time.h>

#include <cerrno>
#include <cstring>

#include "util/log.h"

namespace nsgroup {

std::uint64_t monotonic_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000 +
         static_cast<std::uint64_t>(ts.tv_nsec) / 1'000'000;
}

StreamCore::~StreamCore() {
  *alive_ = false;
  for (auto& [fd, c] : conns_)
    if (!c->dead)
      loop_.remove(fd);
  conns_.clear();
  if (listen_)
    loop_.remove(listen_.get());
}

Status StreamCore::listen(UniqueFd listening) {
  int fd = listening.get();
  if (auto ok = loop_.add(fd, EPOLLIN, [this](std::uint32_t) { on_listen_ready(); }); !ok)
    return ok;
  listen_ = std::move(listening);
  return {};
}

void StreamCore::on_listen_ready() {
  reap();
  for (std::size_t i = 0; limits_.accepts_per_turn == 0 || i < limits_.accepts_per_turn; ++i) {
    int fd = ::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) {
        // Level-triggered: stop listening until the timer says so, rather
        // than spin on a socket we cannot accept from.
        log_warn("out of file descriptors: not accepting " + limits_.name +
                 " clients for a second");
        (void)loop_.modify(listen_.get(), 0);
        paused_ = true;
      } else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
        log_warn(limits_.name + ": accept: " + std::strerror(errno));
      }
      return;
    }
    (void)adopt(UniqueFd(fd));
  }
}

void StreamCore::resume() {
  if (!paused_)
    return;
  paused_ = false;
  (void)loop_.modify(listen_.get(), EPOLLIN);
}

void StreamCore::refuse(const StreamConn& c, std::string_view why) {
  ++refused_;
  user_.on_refused(c, why);
}

bool StreamCore::adopt(UniqueFd fd) {
  auto c = user_.make_conn();
  c->fd = std::move(fd);
  int raw = c->fd.get();
  if (limits_.peer_credentials) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(raw, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
      refuse(*c, "no SO_PEERCRED");
      return false;
    }
    c->peer_pid = cred.pid;
    c->peer_uid = cred.uid;
  }
  std::size_t same_uid = 0;
  if (limits_.max_clients_per_uid != 0 && c->peer_uid != 0)
    for (const auto& [other_fd, other] : conns_)
      same_uid += !other->dead && other->peer_uid == c->peer_uid;
  if (count() >= limits_.max_clients ||
      (limits_.max_clients_per_uid != 0 && c->peer_uid != 0 &&
       same_uid >= limits_.max_clients_per_uid)) {
    refuse(*c, "too many connections");
    return false;
  }
  if (!user_.admit(*c))
    return false;  // the fd closes with c
  c->interest = EPOLLIN | EPOLLRDHUP;
  if (limits_.lifetime_ms != 0)
    c->deadline_ms = monotonic_ms() + limits_.lifetime_ms;
  if (auto added =
          loop_.add(raw, c->interest, [this, raw](std::uint32_t ev) { on_ready(raw, ev); });
      !added) {
    refuse(*c, added.error().message());
    return false;
  }
  conns_.emplace(raw, std::move(c));
  return true;
}

StreamConn* StreamCore::find(int fd) {
  auto it = conns_.find(fd);
  return it == conns_.end() || it->second->dead ? nullptr : it->second.get();
}

void StreamCore::for_each(const std::function<void(StreamConn&)>& fn) {
  for (auto& [fd, c] : conns_)
    if (!c->dead)
      fn(*c);
}

void StreamCore::for_each(const std::function<void(const StreamConn&)>& fn) const {
  for (const auto& [fd, c] : conns_)
    if (!c->dead)
      fn(*c);
}

void StreamCore::close(StreamConn& c) {
  if (c.dead)
    return;
  loop_.remove(c.fd.get());
  c.dead = true;
  dead_.push_back(c.fd.get());
  // Freed once no handler can hold it: at the end of the loop turn.
  if (!reap_posted_) {
    reap_posted_ = true;
    loop_.post([this, alive = alive_] {
      if (*alive)
        reap();
    });
  }
}

void StreamCore::reap() {
  reap_posted_ = false;
  for (int fd : dead_)
    conns_.erase(fd);
  dead_.clear();
}

void StreamCore::expire(std::uint64_t now_ms) {
  for (auto& [fd, c] : conns_)
    if (!c->dead && c->deadline_ms != 0 && c->deadline_ms <= now_ms)
      close(*c);
}

void StreamCore::on_ready(int fd, std::uint32_t events) {
  StreamConn* found = find(fd);
  if (!found)
    return;
  StreamConn& c = *found;
  if (events & (EPOLLHUP | EPOLLERR)) {
    // Both directions gone: nothing can reach the client any more.
    close(c);
    return;
  }
  if (events & EPOLLOUT) {
    flush(c);
    if (c.dead)
      return;
  }
  if ((events & (EPOLLIN | EPOLLRDHUP)) && !c.read_done && read_input(c))
    c.read_done = true;  // half-closed: what came is still answered
  user_.on_input(c);
  settle(c);
}

bool StreamCore::read_input(StreamConn& c) {
  char buf[65536];
  for (;;) {
    // Past the bound, the rest stays in the socket until lines are taken.
    if (c.in.pending() > limits_.max_input)
      return false;
    ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
    if (n > 0) {
      if (!c.closing)
        c.in.feed(std::string_view(buf, static_cast<std::size_t>(n)));
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    return !(n < 0 && errno == EAGAIN);  // EOF, or an error: no more input
  }
}

void StreamCore::settle(StreamConn& c) {
  if (c.dead)
    return;
  if (c.unsent() == 0 && (c.closing || (c.read_done && user_.finished(c)))) {
    // A FIN after the last byte, so the client reads it to the end.
    ::shutdown(c.fd.get(), SHUT_WR);
    close(c);
    return;
  }
  update_interest(c);
}

void StreamCore::update_interest(StreamConn& c) {
  std::uint32_t want = 0;
  if (!c.read_done && !c.closing && c.unsent() <= limits_.input_backlog &&
      c.in.pending() <= limits_.max_input)
    want |= EPOLLIN | EPOLLRDHUP;
  if (c.unsent() != 0)
    want |= EPOLLOUT;
  if (want == c.interest)
    return;
  c.interest = want;
  (void)loop_.modify(c.fd.get(), want);
}

void StreamCore::send(StreamConn& c, std::string_view bytes, bool newline) {
  if (c.dead)
    return;
  std::size_t unsent = c.unsent();
  if (limits_.max_unsent != 0 && unsent != 0 && unsent + bytes.size() > limits_.max_unsent) {
    user_.dropped_slow(c);
    ++slow_drops_;
    close(c);
    return;
  }
  c.out.append(bytes);
  if (newline)
    c.out.push_back('\n');
  flush(c);
}

void StreamCore::send(StreamConn& c, std::string&& bytes, bool newline) {
  if (c.dead || !c.out.empty()) {
    send(c, std::string_view(bytes), newline);
    return;
  }
  // A reply of megabytes is not copied.
  c.out = std::move(bytes);
  if (newline)
    c.out.push_back('\n');
  c.sent = 0;
  flush(c);
}

void StreamCore::flush(StreamConn& c) {
  if (c.dead)
    return;
  while (c.sent < c.out.size()) {
    ssize_t n = ::send(c.fd.get(), c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
    if (n > 0) {
      // An offset, not an erase per send: a reply of megabytes goes out
      // in linear time.
      c.sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN) {
      // A stream never fully drained keeps only what is unsent.
      if (c.sent > (1U << 20) && c.sent * 2 > c.out.size()) {
        c.out.erase(0, c.sent);
        c.sent = 0;
      }
      update_interest(c);
      return;
    }
    close(c);  // EPIPE, ECONNRESET: the client went away
    return;
  }
  c.out.clear();
  c.sent = 0;
  user_.on_drained(c);
  settle(c);
}

}  // namespace nsgroup
