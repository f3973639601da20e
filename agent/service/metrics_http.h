// daemon --metrics-listen: GET /metrics (and HEAD) over HTTP/1.x, served
// from the event loop without ever waiting on a client. Every socket is
// non-blocking; at most kMetricsClients connections at once (the rest are
// closed on accept), a request head of at most kMetricsHeadBytes, one
// request per connection, kMetricsDeadlineMs from accept to the last byte
// of the reply. A client can slow down only itself.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "util/fd.h"
#include "util/loop.h"
#include "util/result.h"

namespace nsgroup {

inline constexpr std::size_t kMetricsClients = 16;
inline constexpr std::size_t kMetricsHeadBytes = 8192;
inline constexpr std::uint64_t kMetricsDeadlineMs = 5000;
// Connection keys: this bit and a 32-bit serial (server.h's kClientTag is
// bit 32; daemon.cpp tests this one first).
inline constexpr std::uint64_t kMetricsTag = 1ULL << 40;

// "ADDR:PORT" or "[ADDR]:PORT", numeric only: a socket address.
struct InetAddress {
  sockaddr_storage addr{};
  socklen_t len = 0;
};
Result<InetAddress> parse_inet_address(const std::string& text);

// The reply to one request head (everything up to the blank line): status
// line, headers and, unless HEAD, the body render() gives for /metrics.
std::string metrics_reply(std::string_view head, const std::function<std::string()>& render);

class MetricsListener {
 public:
  using Render = std::function<std::string()>;
  // Binds and listens on address; listen_key is its epoll key.
  static Result<std::unique_ptr<MetricsListener>> open(const std::string& address, Epoll& ep,
                                                       std::uint64_t listen_key, Render render);
  ~MetricsListener();
  MetricsListener(const MetricsListener&) = delete;
  MetricsListener& operator=(const MetricsListener&) = delete;

  void on_listen_ready();
  void on_ready(std::uint64_t key, std::uint32_t events);
  // Closes the connections past their deadline; now_ms is CLOCK_MONOTONIC.
  void expire(std::uint64_t now_ms);

  // The bound address, "127.0.0.1:9753" (the port resolved when it was 0).
  const std::string& address() const { return bound_; }
  std::size_t connections() const { return conns_.size(); }
  std::uint64_t served() const { return served_; }
  std::uint64_t refused() const { return refused_; }

 private:
  struct Conn {
    UniqueFd fd;
    std::string in, out;
    std::size_t sent = 0;
    std::uint64_t deadline_ms = 0;
  };
  MetricsListener(Epoll& ep, UniqueFd fd, std::uint64_t key, Render render, std::string bound)
      : ep_(ep), listen_(std::move(fd)), listen_key_(key), render_(std::move(render)),
        bound_(std::move(bound)) {}
  void read_head(std::uint64_t key, Conn& c);
  // Writes what it can; closes the connection once all is sent.
  void flush(std::uint64_t key, Conn& c);
  void close(std::uint64_t key);

  Epoll& ep_;
  UniqueFd listen_;
  std::uint64_t listen_key_;
  Render render_;
  std::string bound_;
  std::map<std::uint64_t, Conn> conns_;
  std::uint32_t serial_ = 0;
  std::uint64_t served_ = 0, refused_ = 0;
};

// CLOCK_MONOTONIC in milliseconds.
std::uint64_t monotonic_ms();

}  // namespace nsgroup
