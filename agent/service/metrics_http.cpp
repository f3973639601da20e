// The /metrics listener: accept, read one request head, reply, close.
#include "service/metrics_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "service/metrics.h"
#include "util/log.h"

namespace nsgroup {

Result<InetAddress> parse_inet_address(const std::string& text) {
  auto bad = [&] {
    return failure("'" + text + "' is not ADDR:PORT, [ADDR]:PORT (numeric) or :PORT");
  };
  auto colon = text.rfind(':');
  if (colon == std::string::npos)
    return bad();
  std::string host = text.substr(0, colon);
  std::string_view port_text = std::string_view(text).substr(colon + 1);
  std::uint16_t port = 0;
  auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || p != port_text.data() + port_text.size())
    return bad();
  InetAddress a;
  if (host.empty()) {
    // ":PORT", as node_exporter's ":9100": every address, IPv6 and IPv4
    // on one dual-stack socket (open() falls back to 0.0.0.0 without IPv6).
    auto* six = reinterpret_cast<sockaddr_in6*>(&a.addr);
    six->sin6_family = AF_INET6;
    six->sin6_port = htons(port);
    six->sin6_addr = in6addr_any;
    a.len = sizeof(sockaddr_in6);
    a.any = true;
    return a;
  }
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
                                                               EventLoop& loop,
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
  if (!fd && addr->any && errno == EAFNOSUPPORT) {
    // ":PORT" on a host without IPv6: every IPv4 address.
    auto* four = reinterpret_cast<sockaddr_in*>(&addr->addr);
    std::uint16_t port = reinterpret_cast<const sockaddr_in6*>(&addr->addr)->sin6_port;
    addr->addr = {};
    four->sin_family = AF_INET;
    four->sin_port = port;
    four->sin_addr.s_addr = htonl(INADDR_ANY);
    addr->len = sizeof(sockaddr_in);
    fd.reset(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  }
  if (!fd)
    return fail("socket");
  int one = 1;
  (void)::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (addr->any && addr->addr.ss_family == AF_INET6) {
    // Both families whatever net.ipv6.bindv6only says.
    int zero = 0;
    (void)::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
  }
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr->addr), addr->len) != 0)
    return fail("bind");
  if (::listen(fd.get(), 64) != 0)
    return fail("listen");
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound), &len) != 0)
    return fail("getsockname");
  std::unique_ptr<MetricsListener> l(new MetricsListener(loop, std::move(render), printable(bound)));
  if (auto ok = l->core_.listen(std::move(fd)); !ok)
    return ok.error();
  return l;
}

MetricsListener::MetricsListener(EventLoop& loop, Render render, std::string bound)
    : render_(std::move(render)), bound_(std::move(bound)),
      core_(loop, *this,
            StreamLimits{.name = "metrics",
                         .max_clients = kMetricsClients,
                         .max_clients_per_uid = 0,
                         // Bounded per turn: a connect storm waits in the
                         // backlog, not the loop.
                         .accepts_per_turn = kMetricsClients,
                         .max_input = kMetricsHeadBytes,
                         .max_unsent = 0,
                         .input_backlog = 0,
                         .lifetime_ms = kMetricsDeadlineMs,
                         .peer_credentials = false}) {}

void MetricsListener::on_input(StreamConn& c) {
  if (c.closing || c.dead)
    return;  // answered already
  std::string_view in = c.in.buffered();
  if (auto end = head_end(in); end != std::string_view::npos) {
    std::string reply = metrics_reply(in.substr(0, end), render_);
    ++served_;
    c.in = LineFramer(kMetricsHeadBytes);
    c.closing = true;
    core_.send(c, std::move(reply));
  } else if (in.size() > kMetricsHeadBytes) {
    c.in = LineFramer(kMetricsHeadBytes);
    c.closing = true;
    core_.send(c, plain("431 Request Header Fields Too Large", "request head over 8 KiB\n"));
  } else if (c.read_done) {
    core_.close(c);  // closed or failed before a whole head
  }
}

}  // namespace nsgroup
