// CLI commands that talk to the daemon, with one-shot scan fallbacks.
#include "cli/commands.h"

#include <signal.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/text.h"
#include "core/labels.h"
#include "core/tree.h"
#include "host/label_inputs.h"
#include "host/scanner.h"
#include "json/tree_json.h"
#include "json/writer.h"
#include "util/clock.h"
#include "util/file.h"

namespace nsgroup {

namespace {

// The tree from one scan of /proc, for when no daemon is running.
Result<Tree> scan_tree(Scanner& scanner, Snapshot& snap) {
  Tree tree(scanner.root_ns());
  auto scanned = scanner.scan();
  if (!scanned)
    return Failure{scanned.error().err, "cannot read /proc through: " + scanned.error().what};
  snap = std::move(*scanned);
  Delta delta;
  tree.reconcile(snap, delta);
  tree.collect_garbage(snap.pins, delta);
  relabel(tree, gather_labels(tree, scanner, snap.pins));
  return tree;
}

Status print(const std::string& s) {
  if (auto ok = write_all(STDOUT_FILENO, s); !ok)
    return failure("stdout is closed");
  return {};
}

// The daemon's client, which must be there.
Result<Client> daemon_client(const Options& opts) {
  auto client = Client::connect(opts.socket);
  if (!client)
    return client.error();
  if (!*client)
    return failure("no daemon is listening at " + opts.socket +
                   " (start one with 'nsgroup daemon')");
  return std::move(**client);
}

// One request to the daemon, which must be there; its reply.
Result<Json> ask_daemon(const Options& opts, const Json& req) {
  auto client = daemon_client(opts);
  if (!client)
    return client.error();
  return client->request(req);
}

}  // namespace

Status run_tree(const Options& opts) {
  ::signal(SIGPIPE, SIG_IGN);
  auto client = Client::connect(opts.socket);
  if (!client)
    return client.error();
  std::string doc;
  if (*client) {
    auto reply = (*client)->request_text({{"op", "tree"}, {"pids", opts.pids}});
    if (!reply)
      return reply.error();
    // {"ok":true,"tree":DOC}: the document as the daemon wrote it.
    constexpr std::string_view kHead = "{\"ok\":true,\"tree\":";
    if (!reply->starts_with(kHead) || !reply->ends_with("}"))
      return failure("the daemon sent a tree reply of an unknown shape");
    doc = reply->substr(kHead.size(), reply->size() - kHead.size() - 1);
  } else {
    Scanner scanner;
    Snapshot snap;
    auto tree = scan_tree(scanner, snap);
    if (!tree)
      return tree.error();
    TreeView view;
    view.pids = opts.pids;
    view.source = "scan";
    std::vector<std::uint32_t> live;
    for (const auto& p : snap.procs)
      live.push_back(p.pid);
    view.root_pids = root_members(*tree, live);
    doc = tree_json(*tree, BootClock::now(), view);
  }
  if (opts.text) {
    Json parsed = Json::parse(doc, nullptr, false);
    if (parsed.is_discarded())
      return failure("the tree is not JSON");
    return print(render_text(parsed));
  }
  return print(indent_json(doc) + "\n");
}

Status run_which(const Options& opts) {
  ::signal(SIGPIPE, SIG_IGN);
  auto client = Client::connect(opts.socket);
  if (!client)
    return client.error();
  if (*client) {
    auto reply = (*client)->request({{"op", "which"}, {"pid", opts.pid}});
    if (!reply)
      return reply.error();
    return print((*reply)["container"].get<std::string>() + "\n");
  }
  Scanner scanner;
  if (!scanner.read_process(opts.pid))
    return failure("no process with pid " + std::to_string(opts.pid));
  Snapshot snap;
  auto tree = scan_tree(scanner, snap);
  if (!tree)
    return tree.error();
  return print(tree->path(tree->container_of(opts.pid)) + "\n");
}

Status run_stats(const Options& opts) {
  ::signal(SIGPIPE, SIG_IGN);
  auto reply = ask_daemon(opts, {{"op", "stats"}});
  if (!reply)
    return reply.error();
  return print((*reply)["stats"].dump(2) + "\n");
}

Status run_rename(const Options& opts) {
  ::signal(SIGPIPE, SIG_IGN);
  auto reply = ask_daemon(opts, {{"op", "rename"}, {"path", opts.path}, {"name", opts.new_name}});
  if (!reply)
    return reply.error();
  return print((*reply)["path"].get<std::string>() + "\n");
}

Status run_kill(const Options& opts) {
  ::signal(SIGPIPE, SIG_IGN);
  auto reply = ask_daemon(opts, {{"op", "kill"}, {"path", opts.path}});
  if (!reply)
    return reply.error();
  reply->erase("ok");
  return print(dump_line(*reply) + "\n");
}

}  // namespace nsgroup
