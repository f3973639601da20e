// CLI commands that talk to the daemon, with one-shot scan fallbacks.
#include "client.h"

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "clock.h"
#include "error.h"
#include "labels.h"
#include "loop.h"
#include "scanner.h"
#include "server.h"
#include "tree.h"
#include "tree_json.h"

namespace nsgroup {

std::optional<Client> Client::connect(const std::string& path) {
  bool no_daemon = false;
  try {
    return Client(connect_socket(path, &no_daemon));
  } catch (const Error&) {
    if (no_daemon)
      return std::nullopt;
    throw;
  }
}

std::optional<std::string> Client::read_line() {
  for (;;) {
    auto nl = buf_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buf_.substr(0, nl);
      buf_.erase(0, nl + 1);
      return line;
    }
    char tmp[65536];
    ssize_t n = ::read(fd_.get(), tmp, sizeof tmp);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return std::nullopt;
    buf_.append(tmp, static_cast<std::size_t>(n));
  }
}

Json Client::request(const Json& req) {
  std::string line = dump_line(req) + "\n";
  std::string_view rest = line;
  while (!rest.empty()) {
    ssize_t n = ::send(fd_.get(), rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      throw Error(std::string("the daemon closed the connection: ") +
                  std::strerror(errno));
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  auto reply = read_line();
  if (!reply)
    throw Error("the daemon closed the connection without a reply");
  Json j = Json::parse(*reply, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw Error("the daemon sent a reply that is not JSON");
  if (!j.value("ok", false))
    throw Error(j.value("error", std::string("the daemon refused the request")));
  return j;
}

namespace {

// The tree from one scan of /proc, for when no daemon is running.
Tree scan_tree(Scanner& scanner, Snapshot& snap) {
  Tree tree(scanner.root_ns());
  snap = scanner.scan();
  if (!snap.complete)
    throw Error(std::string("cannot read /proc through: ") + std::strerror(errno));
  tree.reconcile(snap);
  tree.collect_garbage(snap.pins);
  tree.refresh_labels(gather_labels(tree, scanner, snap.pins));
  return tree;
}

void print(const std::string& s) {
  if (!write_all(STDOUT_FILENO, s))
    throw Error("stdout is closed");
}

}  // namespace

int run_tree(const Options& opts) {
  ::signal(SIGPIPE, SIG_IGN);
  Json doc;
  if (auto client = Client::connect(opts.socket)) {
    Json req;
    req["op"] = "tree";
    req["pids"] = opts.pids;
    doc = client->request(req)["tree"];
  } else {
    Scanner scanner;
    Snapshot snap;
    Tree tree = scan_tree(scanner, snap);
    TreeView view;
    view.pids = opts.pids;
    view.source = "scan";
    std::vector<std::uint32_t> live;
    for (const auto& p : snap.procs)
      live.push_back(p.pid);
    view.root_pids = root_members(tree, live);
    doc = tree_json(tree, BootClock::now(), view);
  }
  if (opts.text)
    print(render_text(doc));
  else
    print(doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n");
  return 0;
}

int run_which(const Options& opts) {
  ::signal(SIGPIPE, SIG_IGN);
  if (auto client = Client::connect(opts.socket)) {
    Json req;
    req["op"] = "which";
    req["pid"] = opts.pid;
    print(client->request(req)["container"].get<std::string>() + "\n");
    return 0;
  }
  Scanner scanner;
  if (!scanner.read_process(opts.pid))
    throw Error("no process with pid " + std::to_string(opts.pid));
  Snapshot snap;
  Tree tree = scan_tree(scanner, snap);
  print(tree.path(tree.container_of(opts.pid)) + "\n");
  return 0;
}

namespace {

// One request to the daemon, which must be there; its reply.
Json ask_daemon(const Options& opts, const Json& req) {
  ::signal(SIGPIPE, SIG_IGN);
  auto client = Client::connect(opts.socket);
  if (!client)
    throw Error("no daemon is listening at " + opts.socket +
                " (start one with 'nsgroup daemon')");
  return client->request(req);
}

}  // namespace

int run_stats(const Options& opts) {
  print(ask_daemon(opts, {{"op", "stats"}})["stats"].dump(2) + "\n");
  return 0;
}

int run_rename(const Options& opts) {
  Json reply = ask_daemon(opts, {{"op", "rename"}, {"path", opts.path}, {"name", opts.new_name}});
  print(reply["path"].get<std::string>() + "\n");
  return 0;
}

int run_kill(const Options& opts) {
  Json reply = ask_daemon(opts, {{"op", "kill"}, {"path", opts.path}});
  reply.erase("ok");
  print(dump_line(reply) + "\n");
  return 0;
}

}  // namespace nsgroup
