// The /metrics listener: accept, read one request head, reply, close.
#include "service/metrics_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <time.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "service/metrics.h"
#include "util/log.h"

namespace nsgroup {

std::uint64_t monotonic_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000 +
         static_cast<std::uint64_t>(ts.tv_nsec) / 1'000'000;
}

Result<InetAddress> parse_inet_address(const std::string& text) {
  auto bad = [&] { return failure("'" + text + "' is not ADDR:PORT or [ADDR]:PORT (numeric)"); };
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return bad();
  std::string host = text.substr(0, colon);
  std::string_view port_text = std::string_view(text).substr(colon + 1);
  std::uint16_t port = 0;
  auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || p != port_text.data() + port_text.size())
    return bad();
  InetAddress a;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    auto* six = reinterpret_cast<sockaddr_in6*>(&a.addr);
    six->sin6_family = AF_INET6;
    six->sin6_port = htons(port);
    if (::inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &six->sin6_addr) != 1)
      return bad();
    a.len = sizeof(sockaddr_in6);
    return a;
  }
  auto* four = reinterpret_cast<sockaddr_in*>(&a.addr);
  four->sin_family = AF_INET;
  four->sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &four->sin_addr) != 1)
    return bad();
  a.len = sizeof(sockaddr_in);
  return a;
}

namespace {

std::string reply(std::string_view status, std::string_view type, const std::string& body,
                  bool head_only, std::string_view extra = {}) {
  std::string r = "HTTP/1.1 ";
  r.append(status).append("\r\nContent-Type: ").append(type);
  r.append("\r\nContent-Length: ").append(std::to_string(body.size()));
  r.append("\r\nConnection: close\r\n").append(extra).append("\r\n");
  if (!head_only)
    r.append(body);
  return r;
}

std::string plain(std::string_view status, const std::string& body, std::string_view extra = {}) {
  return reply(status, "text/plain; charset=utf-8", body, false, extra);
}

// Where a request head ends (after its blank line), or npos.
std::size_t head_end(std::string_view in) {
  auto crlf = in.find("\r\n\r\n");
  auto lf = in.find("\n\n");
  if (crlf != std::string_view::npos && (lf == std::string_view::npos || crlf + 2 <= lf))
    return crlf + 4;
  return lf == std::string_view::npos ? lf : lf + 2;
}

// Appended piece by piece: GCC 12 at -O3 warns (-Wrestrict, a false
// positive) on `"[" + std::string(buf) + ...` inlined here.
std::string printable(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = {};
  std::string out;
  if (ss.ss_family == AF_INET6) {
    const auto* six = reinterpret_cast<const sockaddr_in6*>(&ss);
    ::inet_ntop(AF_INET6, &six->sin6_addr, buf, sizeof buf);
    out.append("[").append(buf).append("]:").append(std::to_string(ntohs(six->sin6_port)));
    return out;
  }
  const auto* four = reinterpret_cast<const sockaddr_in*>(&ss);
  ::inet_ntop(AF_INET, &four->sin_addr, buf, sizeof buf);
  out.append(buf).append(":").append(std::to_string(ntohs(four->sin_port)));
  return out;
}

}  // namespace

std::string metrics_reply(std::string_view head, const std::function<std::string()>& render) {
  std::string_view line = head.substr(0, head.find('\n'));
  if (!line.empty() && line.back() == '\r')
    line.remove_suffix(1);
  auto sp1 = line.find(' ');
  auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos ||
      line.substr(sp2 + 1).substr(0, 7) != "HTTP/1.")
    return plain("400 Bad Request", "not an HTTP/1.x request line\n");
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (method != "GET" && method != "HEAD")
    return plain("405 Method Not Allowed", "only GET and HEAD\n", "Allow: GET, HEAD\r\n");
  if (target.substr(0, target.find('?')) != "/metrics")
    return plain("404 Not Found", "nsgroup serves /metrics only\n");
  return reply("200 OK", kPrometheusContentType, render(), method == "HEAD");
}

Result<std::unique_ptr<MetricsListener>> MetricsListener::open(const std::string& address,
                                                               Epoll& ep,
                                                               std::uint64_t listen_key,
                                                               Render render) {
  auto addr = parse_inet_address(address);
  if (!addr)
    return addr.error();
  auto fail = [&](std::string_view what) {
    int err = errno;
    std::string msg = "cannot listen on " + address + " for metrics (" + std::string(what) +
                      ": " + std::strerror(err) + ")";
    // The unit's sandbox allows AF_UNIX only; the listener needs a drop-in.
    if (err == EAFNOSUPPORT || err == EPERM)
      msg += "; under systemd, allow it with RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 "
             "and IPAddressAllow= (see nsgroup(8))";
    return Failure{err, msg};
  };
  UniqueFd fd(::socket(addr->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd)
    return fail("socket");
  int one = 1;
  (void)::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr->addr), addr->len) != 0)
    return fail("bind");
  if (::listen(fd.get(), 64) != 0)
    return fail("listen");
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound), &len) != 0)
    return fail("getsockname");
  if (auto ok = ep.add(fd.get(), EPOLLIN, listen_key); !ok)
    return ok.error();
  return std::unique_ptr<MetricsListener>(
      new MetricsListener(ep, std::move(fd), listen_key, std::move(render), printable(bound)));
}

MetricsListener::~MetricsListener() {
  while (!conns_.empty())
    close(conns_.begin()->first);
  ep_.remove(listen_.get());
}

void MetricsListener::on_listen_ready() {
  // Bounded per turn: a connect storm waits in the backlog, not the loop.
  for (std::size_t i = 0; i < kMetricsClients; ++i) {
    int fd = ::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
        log_warn(std::string("metrics: accept: ") + std::strerror(errno));
      return;
    }
    UniqueFd owned(fd);
    if (conns_.size() >= kMetricsClients) {
      ++refused_;
      continue;
    }
    std::uint64_t key = kMetricsTag | serial_++;
    if (!ep_.add(fd, EPOLLIN | EPOLLRDHUP, key))
      continue;
    Conn& c = conns_[key];
    c.fd = std::move(owned);
    c.deadline_ms = monotonic_ms() + kMetricsDeadlineMs;
  }
}

void MetricsListener::on_ready(std::uint64_t key, std::uint32_t events) {
  auto it = conns_.find(key);
  if (it == conns_.end())
    return;
  Conn& c = it->second;
  if (!c.out.empty()) {
    flush(key, c);
    return;
  }
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
    read_head(key, c);
}

void MetricsListener::read_head(std::uint64_t key, Conn& c) {
  char buf[2048];
  for (;;) {
    ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN)
      return;
    if (n <= 0) {  // closed or failed before a whole head
      close(key);
      return;
    }
    c.in.append(buf, static_cast<std::size_t>(n));
    if (auto end = head_end(c.in); end != std::string::npos) {
      c.out = metrics_reply(std::string_view(c.in).substr(0, end), render_);
      ++served_;
      break;
    }
    if (c.in.size() > kMetricsHeadBytes) {
      c.out = plain("431 Request Header Fields Too Large", "request head over 8 KiB\n");
      break;
    }
  }
  c.in.clear();
  c.in.shrink_to_fit();
  flush(key, c);
}

void MetricsListener::flush(std::uint64_t key, Conn& c) {
  while (c.sent < c.out.size()) {
    ssize_t n = ::send(c.fd.get(), c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN) {
      (void)ep_.modify(c.fd.get(), EPOLLOUT, key);
      return;
    }
    if (n <= 0) {
      close(key);
      return;
    }
    c.sent += static_cast<std::size_t>(n);
  }
  // All sent: a FIN after the reply, so the client reads it to the end.
  ::shutdown(c.fd.get(), SHUT_WR);
  close(key);
}

void MetricsListener::close(std::uint64_t key) {
  auto it = conns_.find(key);
  if (it == conns_.end())
    return;
  ep_.remove(it->second.fd.get());
  conns_.erase(it);
}

void MetricsListener::expire(std::uint64_t now_ms) {
  for (auto it = conns_.begin(); it != conns_.end();) {
    auto next = std::next(it);
    if (it->second.deadline_ms <= now_ms)
      close(it->first);
    it = next;
  }
}

}  // namespace nsgroup
