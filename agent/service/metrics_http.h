// daemon --metrics-listen: GET /metrics (and HEAD) over HTTP/1.x, served
// from the event loop without ever waiting on a client. Every socket is
// non-blocking; at most kMetricsClients connections at once (the rest are
// closed on accept), a request head of at most kMetricsHeadBytes, one
// request per connection, kMetricsDeadlineMs from accept to the last byte
// of the reply. A client can slow down only itself. On stream_core.h's
// connection core, as the control socket is.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "service/stream_core.h"
#include "util/loop.h"
#include "util/result.h"

namespace nsgroup {

inline constexpr std::size_t kMetricsClients = 16;
inline constexpr std::size_t kMetricsHeadBytes = 8192;
inline constexpr std::uint64_t kMetricsDeadlineMs = 5000;

// "ADDR:PORT" or "[ADDR]:PORT", numeric only, or ":PORT" (every address,
// as node_exporter's ":9100"): a socket address.
struct InetAddress {
  sockaddr_storage addr{};
  socklen_t len = 0;
  bool any = false;  // ":PORT": [::] dual-stack, or 0.0.0.0 without IPv6
};
Result<InetAddress> parse_inet_address(const std::string& text);

// The reply to one request head (everything up to the blank line): status
// line, headers and, unless HEAD, the body render() gives for /metrics.
std::string metrics_reply(std::string_view head, const std::function<std::string()>& render);

class MetricsListener : private StreamUser {
 public:
  using Render = std::function<std::string()>;
  // Binds and listens on address; its fds are served by loop's handlers.
  static Result<std::unique_ptr<MetricsListener>> open(const std::string& address,
                                                       EventLoop& loop, Render render);
  ~MetricsListener() override = default;
  MetricsListener(const MetricsListener&) = delete;
  MetricsListener& operator=(const MetricsListener&) = delete;

  // Closes the connections past their deadline; now_ms is CLOCK_MONOTONIC.
  void expire(std::uint64_t now_ms) { core_.expire(now_ms); }
  // Accepting again after running out of file descriptors (timer).
  void resume() { core_.resume(); }

  // The bound address, "127.0.0.1:9753" (the port resolved when it was 0).
  const std::string& address() const { return bound_; }
  std::size_t connections() const { return core_.count(); }
  std::uint64_t served() const { return served_; }
  std::uint64_t refused() const { return core_.refused(); }

 private:
  MetricsListener(EventLoop& loop, Render render, std::string bound);
  // StreamUser: one request head, one reply, then the connection closes.
  void on_input(StreamConn& c) override;

  Render render_;
  std::string bound_;
  StreamCore core_;
  std::uint64_t served_ = 0;
};

}  // namespace nsgroup
