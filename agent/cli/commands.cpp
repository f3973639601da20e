// CLI commands that talk to the daemon, with one-shot scan fallbacks.
#include "cli/commands.h"

#include <signal.h>
#include <unistd.h>

#include <functional>
#include <string_view>

#include "cli/client.h"
#include "cli/text.h"
#include "core/labels.h"
#include "core/tree.h"
#include "host/cgroupns.h"
#include "json/client_reply.h"
#include "json/reply_json.h"
#include "json/stats_json.h"
#include "json/tree_decode.h"
#include "json/tree_json.h"
#include "json/writer.h"
#include "service/metrics.h"
#include "service/scan_source.h"
#include "service/tree_pipeline.h"
#include "util/clock.h"
#include "util/file.h"
#include "util/log.h"

namespace nsgroup {

namespace {

// From this many processes up, a one-shot scan loads the task iterator:
// loading it (libbpf parses the kernel's BTF) costs about what walking
// /proc costs for as many processes.
constexpr std::size_t kIteratorFrom = 2500;

// Root may read the kernel's task iterator; anyone else reads /proc.
bool use_iterator(const Options& opts) {
  switch (opts.daemon.scan) {
  case ScanMode::Proc: return false;
  case ScanMode::Iterator: return true;
  case ScanMode::Auto: break;
  }
  if (::geteuid() != 0)
    return false;
  auto pids = Scanner().pids();
  return pids && pids->size() >= kIteratorFrom;
}

Status print(const std::string& s) {
  if (auto ok = write_all(STDOUT_FILENO, s); !ok) {
    int err = ok.error().err;
    return Failure{err, "writing to stdout",
                   err == EPIPE ? Failure::Kind::ReaderGone : Failure::Kind::Other};
  }
  return {};
}

// A reply of the daemon without its "ok", as one line: -o json.
Status print_reply(std::string_view reply) {
  auto line = reply_without_ok(reply);
  if (!line)
    return line.error();
  return print(*line + "\n");
}

// The daemon's client, which must be there.
Result<Client> daemon_client(const Options& opts) {
  auto client = Client::connect(opts.socket);
  if (!client)
    return client.error();
  if (!*client)
    return failure(Failure::Kind::Unavailable, "no daemon is listening at " + opts.socket +
                                                   " (start one with 'nsgroup daemon')");
  return std::move(**client);
}

// One request to the daemon, which must be there; its reply.
Result<std::string> ask_daemon(const Options& opts, const RequestLine& req) {
  auto client = daemon_client(opts);
  if (!client)
    return client.error();
  return client->request(req.str());
}

// A one-shot scan labels containers from cgroup paths: in a pod's cgroup
// namespace, they are read from the host's when this process may enter it
// (as the daemon does); else as they are, relative.
void enter_root_cgroup_namespace_if_allowed() {
  if (auto ns = enter_root_cgroup_namespace(); !ns)
    log_debug("cgroup paths read from this process's cgroup namespace: " + ns.error().message());
}

// The path of the tree document's root, from its first bytes
// ({"source":..,"root":{"id":..,"name":..,"path":"..."), or "" before it
// is there. Names are escaped: the first unescaped "path":" is the root's.
std::string root_path_in(std::string_view head) {
  constexpr std::string_view kKey = "\"path\":\"";
  auto at = head.find(kKey);
  if (at == std::string_view::npos)
    return "";
  std::size_t start = at + kKey.size();
  for (std::size_t i = start; i < head.size(); ++i) {
    if (head[i] == '\\') {
      ++i;
    } else if (head[i] == '"') {
      auto s = decode_json_string(head.substr(start - 1, i - start + 2));
      return s ? *s : "";
    }
  }
  return "";
}

}  // namespace

namespace {

// Splits the reply {"ok":true,"tree":DOC} as it streams: DOC's bytes go to
// `doc`. Any other reply (a refusal) is kept, up to a bound, and reported
// by finish().
class TreeReply {
 public:
  using Sink = std::function<Status(std::string_view)>;
  explicit TreeReply(Sink doc) : doc_(std::move(doc)) {}

  Status feed(std::string_view bytes) {
    if (tree_)
      return pass(bytes);
    if (start_.size() + bytes.size() > kMaxOther)
      return failure("the daemon sent a tree reply of an unknown shape");
    start_.append(bytes);
    if (start_.size() < kHead.size() || !start_.starts_with(kHead))
      return {};
    tree_ = true;
    std::string rest = start_.substr(kHead.size());
    start_.clear();
    return pass(rest);
  }

  // At the end of the reply: ok, or what the daemon said instead.
  Status finish() const {
    if (tree_ && holding_ && held_ == '}')
      return {};
    if (!tree_)
      if (auto refused = check_reply(start_); !refused)
        return refused;
    return failure("the daemon sent a tree reply of an unknown shape");
  }

 private:
  static constexpr std::string_view kHead = "{\"ok\":true,\"tree\":";
  static constexpr std::size_t kMaxOther = 1 << 20;

  // DOC's bytes, less the last one seen so far: the reply's own closing
  // brace, once the reply ends.
  Status pass(std::string_view bytes) {
    if (bytes.empty())
      return {};
    if (holding_)
      if (auto ok = doc_(std::string_view(&held_, 1)); !ok)
        return ok;
    if (auto ok = doc_(bytes.substr(0, bytes.size() - 1)); !ok)
      return ok;
    held_ = bytes.back();
    holding_ = true;
    return {};
  }

  Sink doc_;
  std::string start_;
  bool tree_ = false;
  char held_ = 0;
  bool holding_ = false;
};

// The tree document, indented as it comes, to stdout in pieces of about
// 1 MiB; or, for -o text or --depth, kept whole to be cut and drawn.
class TreePrinter {
 public:
  explicit TreePrinter(const Options& o)
      : text_(o.text()), whole_(o.text() || o.depth >= 0), depth_(o.depth) {
    draw_.pids = o.pids;
  }

  Status add(std::string_view doc) {
    if (whole_) {
      out_.append(doc);
      return {};
    }
    // In slices: the output buffer stays near its 1 MiB, whatever the
    // size of what comes in.
    constexpr std::size_t kSlice = std::size_t{256} << 10;
    for (std::size_t at = 0; at < doc.size(); at += kSlice) {
      indenter_.feed(doc.substr(at, kSlice), out_);
      if (out_.size() >= (std::size_t{1} << 20))
        if (auto ok = flush(); !ok)
          return ok;
    }
    return {};
  }

  Status finish() {
    if (!whole_) {
      out_.push_back('\n');
      return flush();
    }
    if (text_) {
      auto doc = decode_tree(out_, depth_);
      if (!doc)
        return failure("the tree is not JSON");
      return print(render_text(*doc, draw_));
    }
    auto cut = cut_tree_json(out_, depth_);
    if (!cut)
      return failure("the tree is not JSON");
    return print(*cut + "\n");
  }

 private:
  Status flush() {
    Status ok = print(out_);
    out_.clear();
    return ok;
  }

  bool text_, whole_;
  int depth_;
  TreeTextOptions draw_;
  JsonIndenter indenter_;
  std::string out_;
};

}  // namespace

Status run_tree(const Options& opts) {
  ::signal(SIGPIPE, SIG_IGN);
  // --no-daemon: one scan here, whatever listens on the socket.
  auto client = opts.no_daemon ? Result<std::optional<Client>>(std::nullopt)
                               : Client::connect(opts.socket);
  if (!client)
    return client.error();
  TreePrinter printer(opts);
  if (*client) {
    Client& c = **client;
    if (auto sent = c.send_request(RequestLine("tree").with("pids", opts.pids).str()); !sent)
      return sent.error();
    std::string head;  // the document's first bytes, for its root's path
    constexpr std::size_t kHeadMax = std::size_t{64} << 10;
    TreeReply reply([&](std::string_view doc) {
      if (head.size() < kHeadMax)
        head.append(doc.substr(0, kHeadMax - head.size()));
      return printer.add(doc);
    });
    if (auto got = c.read_line_into([&](std::string_view b) { return reply.feed(b); }); !got)
      return got.error();
    if (auto ok = reply.finish(); !ok)
      return ok.error();
    if (auto ok = printer.finish(); !ok)
      return ok;
    // Access rule 1 shows a client its own container's subtree: say so,
    // or a pod's `nsgroup tree` looks like a near-empty host.
    if (std::string top = root_path_in(head); !top.empty() && top != "/init_container")
      log_info("note: this is " + top +
               " and what is below it: the daemon shows a client the subtree of its own "
               "container (nsgroup(8), CONTROL SOCKET). For the whole tree, run nsgroup tree in the "
               "host's namespaces, or scan from here: nsgroup tree --no-daemon");
    return {};
  }
  enter_root_cgroup_namespace_if_allowed();
  ScanSource source(use_iterator(opts));
  Snapshot snap;
  auto tree = tree_from_scan(source, snap);
  if (!tree)
    return tree.error();
  TreeView view;
  view.pids = opts.pids;
  view.source = "scan";
  std::vector<std::uint32_t> live;
  live.reserve(snap.procs.size());
  for (const auto& p : snap.procs)
    live.push_back(p.pid);
  view.root_pids = root_members(*tree, live);
  if (auto ok = printer.add(tree_json(*tree, BootClock::now(), view)); !ok)
    return ok;
  return printer.finish();
}

Status run_which(const Options& opts) {
  ::signal(SIGPIPE, SIG_IGN);
  auto client = Client::connect(opts.socket);
  if (!client)
    return client.error();
  if (*client) {
    auto reply = (*client)->request(RequestLine("which").with("pid", opts.pid).str());
    if (reply && opts.json())
      return print_reply(*reply);
    auto container = reply ? reply_string(*reply, "container") : reply.error();
    if (!container)
      return container.error();
    return print(*container + "\n");
  }
  enter_root_cgroup_namespace_if_allowed();
  ScanSource source(use_iterator(opts));
  // A thread id answers for its process: the tree places thread groups.
  auto tgid = source.proc().tgid(opts.pid);
  std::optional<ProcInfo> proc;
  if (tgid)
    proc = source.proc().read_process(*tgid);
  if (!proc)
    return failure(Failure::Kind::NotFound, "no process with pid " + std::to_string(opts.pid));
  Snapshot snap;
  auto tree = tree_from_scan(source, snap);
  if (!tree)
    return tree.error();
  std::string path = tree->path(tree->container_of(*tgid));
  if (opts.json())  // the daemon's reply, as the daemon would give it
    return print_reply(which_line(opts.pid, *tgid, path, !proc->readable));
  return print(path + "\n");
}

Status run_stats(const Options& opts) {
  ::signal(SIGPIPE, SIG_IGN);
  auto reply = ask_daemon(opts, RequestLine("stats"));
  if (!reply)
    return reply.error();
  auto stats = reply_member_indented(*reply, "stats");
  if (!stats)
    return stats.error();
  if (opts.output == Output::Prometheus) {
    // Rendered from the report, as the daemon's /metrics is.
    auto report = parse_stats_json(*stats);
    if (!report)
      return report.error();
    return print(prometheus_text(*report, NSGROUP_VERSION));
  }
  return print(*stats + "\n");
}

Status run_rename(const Options& opts) {
  ::signal(SIGPIPE, SIG_IGN);
  auto reply =
      ask_daemon(opts, RequestLine("rename").with("path", opts.path).with("name", opts.new_name));
  if (reply && opts.json())
    return print_reply(*reply);
  auto path = reply ? reply_string(*reply, "path") : reply.error();
  if (!path)
    return path.error();
  return print(*path + "\n");
}

Status run_kill(const Options& opts) {
  ::signal(SIGPIPE, SIG_IGN);
  auto reply = ask_daemon(opts, RequestLine("kill").with("path", opts.path));
  if (!reply)
    return reply.error();
  if (opts.json())
    return print_reply(*reply);
  auto path = reply_string(*reply, "path");
  auto by_cgroup = reply_bool(*reply, "cgroup_kill");
  auto signalled = reply_number(*reply, "signalled");
  if (!path || !by_cgroup || !signalled)
    return !path ? path.error() : !by_cgroup ? by_cgroup.error() : signalled.error();
  return print(kill_text(*path, *by_cgroup, *signalled));
}

}  // namespace nsgroup
