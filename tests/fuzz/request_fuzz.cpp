// libFuzzer target: bytes as a client would send them on the control
// socket, through the framing, the request parser and every handler, for
// a root admin and for a client scoped inside a container. Whatever the
// bytes, each line gets one reply that is valid JSON with "ok". The same
// bytes as an HTTP request head to the /metrics listener get one reply
// with a status line and a Content-Length.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fake_backend.h"
#include "json/json.h"
#include "service/api.h"
#include "service/framing.h"
#include "service/metrics_http.h"
#include "synthetic.h"

namespace nsgroup::test {
namespace {

void check(const Reply& r) {
  Json body = Json::parse(r.text, nullptr, false);
  if (!body.is_object() || !body.contains("ok") || !body["ok"].is_boolean())
    std::abort();  // a reply without "ok" is a broken contract
}

}  // namespace
}  // namespace nsgroup::test

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nsgroup;        // NOLINT(google-build-using-namespace)
  using namespace nsgroup::test;  // NOLINT(google-build-using-namespace)
  ApiSample w;  // the API's unit tests' tree
  Identity who;
  who.pid = 1000;
  // The first byte picks the client: root admin, or a non-admin inside a.
  if (size > 0 && (data[0] & 1)) {
    who.scope = w.a;
  } else {
    who.admin = true;
  }
  LineFramer in(4096);
  in.feed(std::string_view(reinterpret_cast<const char*>(data), size));
  while (auto line = in.next()) {
    check(w.api.answer(who, *line));
  }
  (void)in.overflowed();
  std::string http = metrics_reply(std::string_view(reinterpret_cast<const char*>(data), size),
                                   [] { return std::string("m 1\n"); });
  if (http.rfind("HTTP/1.1 ", 0) != 0 || http.find("\r\nContent-Length: ") == std::string::npos)
    std::abort();
  return 0;
}
