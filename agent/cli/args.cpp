// nsgroup's command line.
#include "cli/args.h"
#include "cli/watch_args.h"

#include "service/metrics_http.h"

#include <charconv>
#include <optional>

namespace nsgroup {

namespace {

constexpr std::string_view kVersion = "nsgroup " NSGROUP_VERSION;

struct CommandSpec {
  std::string_view name;
  Command command;
  std::vector<std::string_view> flags;   // accepted flags without a value
  std::vector<std::string_view> valued;  // accepted flags taking a value
};

const std::vector<CommandSpec>& specs() {
  static const std::vector<CommandSpec> s = {
      {"daemon",
       Command::Daemon,
       {"--no-events", "--no-mirror"},
       {"--socket", "--reconcile-interval", "--cgroup-root", "--adopt", "--socket-group",
        "--state-dir", "--hooks", "--ring-buffer-kib", "--scan", "--denied-rate", "--adopt-unit",
        "--metrics-listen", "--btf"}},
      {"tree", Command::Tree, {"--text", "--pids", "--no-daemon"}, {"--socket", "--scan", "--depth"}},
      {"watch",
       Command::Watch,
       {"--text"},
       {"--socket", "--hooks", "--ring-buffer-kib", "--denied-rate", "--btf", "--pid", "--uid",
        "--comm", "--event", "--container"}},
      {"which", Command::Which, {}, {"--socket"}},
      {"stats", Command::Stats, {}, {"--socket", "--format"}},
      {"rename", Command::Rename, {}, {"--socket"}},
      {"kill", Command::Kill, {}, {"--socket"}},
  };
  return s;
}

ParseResult usage_error(std::string msg) {
  ParseResult r;
  r.kind = ParseResult::Kind::UsageError;
  r.text = std::move(msg) + "\nTry 'nsgroup --help'.";
  return r;
}

template <class T>
bool parse_number(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool contains(const std::vector<std::string_view>& v, std::string_view s) {
  for (auto x : v)
    if (x == s)
      return true;
  return false;
}

}  // namespace

std::string usage_text() {
  return R"(Usage: nsgroup [-v] COMMAND [OPTIONS]

Watches every Linux namespace created or entered on this host, groups the
processes that share a namespace set into containers, and arranges them in a
tree (/init_container/container_3/...).

Commands:
  daemon [--socket PATH] [--socket-group GROUP] [--cgroup-root PATH | --no-mirror]
         [--adopt=auto|all [--adopt-unit UNIT]...] [--no-events]
         [--reconcile-interval SECONDS]
         [--state-dir PATH] [--hooks=auto|fexit|tracepoint] [--ring-buffer-kib N]
         [--scan=auto|iterator|proc] [--denied-rate N] [--metrics-listen ADDR:PORT]
         [--btf FILE]
      Load the BPF programs (root), build the tree from a scan, keep it up to
      date from events, mirror it into cgroup v2 directories, serve the
      control socket (default /run/nsgroup/nsgroup.sock). Each event is
      printed on stdout as one JSON line unless --no-events; logs go to
      stderr. The processes are scanned again every SECONDS (default 10) and
      at once after lost events (at most once a second). --scan: auto (the
      default) and iterator read every process in one pass of a BPF task
      iterator (iter/task) where the kernel has them, else walk /proc; proc
      always walks /proc. Processes the iterator cannot show are read from
      /proc either way.
      The mirror root is <cgroup2 mount>/nsgroup unless --cgroup-root (a
      directory inside a cgroup2 mount). Members of non-root containers are
      moved into their container's directory; with --adopt=auto (default)
      only processes in the cgroup2 root or already inside the mirror,
      --adopt=all moves processes that another manager placed too, except
      those in a systemd unit's cgroup (*.service, *.scope): moving them
      would strip the unit's limits and sandbox (MemoryMax, TasksMax,
      DevicePolicy, IPAddressDeny). --adopt-unit UNIT (a name or an
      fnmatch pattern such as 'docker-*.scope', repeatable) opts a unit
      in. A member that leaves its container goes back where it came from;
      one whose origin is not known (moved by an earlier run, or born
      inside the mirror) goes to the mirror root, never to the cgroup2
      root. A
      restarted daemon keeps the names it finds in the mirror's xattrs, or,
      with --no-mirror, in --state-dir (default $STATE_DIRECTORY, else
      /var/lib/nsgroup).
      The socket is mode 0660, owner root, group GROUP (default root). A
      client sees only its own container and those below it; rename and
      kill need CAP_SYS_ADMIN (initial user namespace) and a target strictly
      below the client's container. Under systemd (Type=notify) it reports
      READY=1 once attached and bootstrapped, STATUS=, WATCHDOG=1 and
      STOPPING=1. SIGTERM/SIGINT stop it (status 0), SIGHUP rescans /proc.
      --hooks: the syscall tracepoints always; with fexit, also
      fexit/copy_namespaces and fexit/unshare_nsproxy_namespaces, which
      need tracing programs (BPF trampolines). auto (the default) adds them
      where the kernel loads them, fexit fails where it cannot, tracepoint
      never adds them; every set gives the same events. The active set is
      in the startup log and in `nsgroup stats`.
      --ring-buffer-kib: the BPF ring buffer's size (default 4096). Records
      that do not fit are counted, reported as a "lost" event, and healed
      by an immediate rescan of /proc.
      --denied-rate: denied records (failed namespace requests, which any
      user can make for free) each uid may send a second, after a burst of
      100 (default 20; 0: no limit). The rest are counted in the kernel and
      reported once a second as a "suppressed" event per uid, and in
      `nsgroup stats` ("dropped", "suppressed_by_uid"). Successful
      namespace changes are never suppressed. Events go to stdout through a
      queue of 8 MiB: a journal or pipe that does not keep up costs lines
      (counted in stats, "dropped.stdout_lines"), never the daemon's loop.
      --metrics-listen: serve GET /metrics (Prometheus' text format, the
      counters of `nsgroup stats`) over HTTP at ADDR:PORT, for example
      127.0.0.1:9753 or [::1]:9753, or :9753 for every address (port 0: any
      free one, logged); off by default. Numeric addresses only. Anyone who can reach
      the port can read the counters (no tree, no pids), so bind loopback
      or a node-local address.
      --btf FILE: take the kernel's type information for the BPF programs'
      CO-RE relocations from FILE (a BTFHub file for this kernel, or one made
      by `bpftool gen min_core_btf`) instead of /sys/kernel/btf/vmlinux, for
      kernels built without CONFIG_DEBUG_INFO_BTF. Without the kernel's own
      BTF there are no fexit hooks and no task iterator: tracepoints and
      /proc scans do the work.
  tree [--socket PATH] [--no-daemon] [--text] [--pids] [--depth N]
       [--scan=auto|iterator|proc]
      Print the container tree as JSON: from the daemon, or, with no daemon
      listening or with --no-daemon, from one scan ("source": "scan"). The
      daemon shows a client its own container's subtree (a note on stderr
      says so when that is not the whole tree); a scan shows every process
      the caller may read, with its own container numbers, no names given
      by rename and no cgroup directories. In a pod with the host's pid
      namespace, `nsgroup tree --no-daemon` is the whole node. The scan walks /proc (no
      root needed for the processes you may read); as root with --scan=auto
      and 2500 processes or more, or with --scan=iterator, it reads a BPF
      task iterator instead (loading it costs about 0.1 s; it then reads
      10,000 processes in a few ms). --pids lists member pids, --text draws
      the tree for humans (with --pids, a column of them), --depth N stops
      N levels below the root (0: the root alone).
  watch [--socket PATH] [--text] [--hooks=auto|fexit|tracepoint]
        [--ring-buffer-kib N] [--denied-rate N] [--btf FILE]
        [--pid PID] [--uid UID] [--comm NAME] [--event KIND[,KIND...]]
        [--container PATH]
      Stream events as JSON lines: from the daemon, or, with no daemon
      listening, by loading the BPF programs itself (root; --hooks,
      --ring-buffer-kib, --denied-rate and --btf as for daemon). Kinds: clone, unshare, setns, denied (a
      namespace request that failed, with errno), exit, lost (records
      dropped, with a count), suppressed (denied records over a uid's
      rate, with the uid and a count), container_removed.
      --text prints one aligned line per event instead (TIME EVENT PID COMM
      NS CONTAINER), coloured on a terminal unless NO_COLOR is set.
      Filters, applied before formatting (and by the daemon, for its
      watchers): --pid, --uid, --comm (exact), --event (the kinds above) and
      --container PATH (it and its subtree; needs the daemon). Each may be
      repeated or take a comma-separated list, any value matching; different
      filters must all match. An event without the fact filtered on (an
      exit has no uid) is left out, except lost, which only --event leaves
      out.
      SIGINT or SIGTERM stops it with status 0.
  which PID [--socket PATH]
      Print the full path of the container PID is in.
  stats [--socket PATH] [--format=json|prometheus]
      Print the daemon's counters as JSON, or in Prometheus' text format
      (for node_exporter's textfile collector).
  rename PATH NEWNAME [--socket PATH]
      Rename a container (PATH is its full path, /init_container/...). Names
      have at most 64 bytes, no '/', '.', NUL or control characters (a '.'
      would collide with cgroup interface files), are not container_N, and
      are unique among siblings. The cgroup directories follow.
  kill PATH [--socket PATH]
      Kill every process in a container and its descendants (cgroup.kill,
      and SIGKILL to members that are not in the directory).

Options:
  -v, --verbose  Debug logging on stderr (libbpf's log included).
  -h, --help     Print this help and exit.
  --version      Print the version and exit.

Exit status: 0 success, 1 runtime error (one line on stderr), 2 usage error.
)";
}

ParseResult parse_args(const std::vector<std::string_view>& args) {
  ParseResult r;
  Options& o = r.options;
  const CommandSpec* spec = nullptr;
  std::vector<std::string_view> positional;

  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a == "-h" || a == "--help") {
      r.kind = ParseResult::Kind::Help;
      r.text = usage_text();
      return r;
    }
    if (a == "--version") {
      r.kind = ParseResult::Kind::Version;
      r.text = std::string(kVersion) + "\n";
      return r;
    }
    if (a == "-v" || a == "--verbose") {
      o.verbose = true;
      continue;
    }
    if (a.size() > 1 && a[0] == '-') {
      std::string_view name = a;
      std::optional<std::string_view> value;
      if (auto eq = a.find('='); eq != std::string_view::npos) {
        name = a.substr(0, eq);
        value = a.substr(eq + 1);
      }
      if (!spec)
        return usage_error("option '" + std::string(name) + "' before a command");
      if (contains(spec->flags, name)) {
        if (value)
          return usage_error("option '" + std::string(name) + "' takes no value");
        if (name == "--text")
          o.text = true;
        else if (name == "--pids")
          o.pids = true;
        else if (name == "--no-events")
          o.daemon.no_events = true;
        else if (name == "--no-mirror")
          o.daemon.no_mirror = true;
        else if (name == "--no-daemon")
          o.no_daemon = true;
        continue;
      }
      if (!contains(spec->valued, name))
        return usage_error("unknown option '" + std::string(name) + "' for '" +
                           std::string(spec->name) + "'");
      if (!value) {
        if (i + 1 >= args.size())
          return usage_error("option '" + std::string(name) + "' needs a value");
        value = args[++i];
      }
      if (is_watch_filter_option(name)) {
        if (auto bad = add_watch_filter_option(o.filter, name, *value))
          return usage_error(*bad);
      } else if (name == "--socket") {
        if (value->empty())
          return usage_error("--socket needs a path");
        o.socket = std::string(*value);
      } else if (name == "--cgroup-root") {
        if (value->empty() || (*value)[0] != '/')
          return usage_error("--cgroup-root needs an absolute path");
        o.daemon.cgroup_root = std::string(*value);
      } else if (name == "--scan") {
        auto mode = scan_mode_named(*value);
        if (!mode)
          return usage_error("--scan is auto, iterator or proc");
        o.daemon.scan = *mode;
      } else if (name == "--hooks") {
        auto hooks = hooks_named(*value);
        if (!hooks)
          return usage_error("--hooks is auto, fexit or tracepoint");
        o.daemon.hooks = *hooks;
      } else if (name == "--ring-buffer-kib") {
        std::uint32_t k = 0;
        if (!parse_number(*value, k) || k < 4 || k > (1U << 20) || (k & (k - 1)) != 0)
          return usage_error("--ring-buffer-kib is a power of two from 4 to 1048576");
        o.daemon.ring_kib = k;
      } else if (name == "--adopt-unit") {
        if (value->empty() || value->find('/') != std::string_view::npos)
          return usage_error("--adopt-unit needs a unit name or pattern (x.service, docker-*.scope)");
        o.daemon.adopt_units.emplace_back(*value);
      } else if (name == "--denied-rate") {
        if (!parse_number(*value, o.daemon.denied_rate) || o.daemon.denied_rate > 1'000'000)
          return usage_error("--denied-rate is a number of records a second, 0 for no limit");
      } else if (name == "--socket-group") {
        if (value->empty())
          return usage_error("--socket-group needs a group name or gid");
        o.daemon.socket_group = std::string(*value);
      } else if (name == "--state-dir") {
        if (value->empty() || (*value)[0] != '/')
          return usage_error("--state-dir needs an absolute path");
        o.daemon.state_dir = std::string(*value);
      } else if (name == "--adopt") {
        if (*value != "auto" && *value != "all")
          return usage_error("--adopt is auto or all");
        o.daemon.adopt = *value == "all" ? Adopt::All : Adopt::Auto;
      } else if (name == "--metrics-listen") {
        if (!parse_inet_address(std::string(*value)))
          return usage_error("--metrics-listen is a numeric ADDR:PORT, [ADDR]:PORT or :PORT "
                             "(127.0.0.1:9753, [::1]:9753, :9753)");
        o.daemon.metrics_listen = std::string(*value);
      } else if (name == "--btf") {
        if (value->empty())
          return usage_error("--btf needs the path of a BTF file");
        o.btf = std::string(*value);
      } else if (name == "--depth") {
        unsigned d = 0;
        if (!parse_number(*value, d) || d > 4096)
          return usage_error("--depth is a number of levels below the root (0 for the root alone)");
        o.depth = static_cast<int>(d);
      } else if (name == "--format") {
        if (*value != "json" && *value != "prometheus")
          return usage_error("--format is json or prometheus");
        o.format = *value == "prometheus" ? Options::Format::Prometheus : Options::Format::Json;
      } else if (name == "--reconcile-interval") {
        unsigned& secs = o.daemon.reconcile_seconds;
        if (!parse_number(*value, secs) || secs == 0 || secs > 86400)
          return usage_error("--reconcile-interval needs seconds from 1 to 86400");
      }
      continue;
    }
    if (!spec) {
      for (const auto& s : specs())
        if (s.name == a)
          spec = &s;
      if (!spec)
        return usage_error("unknown command '" + std::string(a) + "'");
      continue;
    }
    positional.push_back(a);
  }
  if (!spec)
    return usage_error("no command given");
  o.command = spec->command;

  o.daemon.socket = o.socket;
  if (o.command == Command::Daemon && o.daemon.no_mirror && !o.daemon.cgroup_root.empty())
    return usage_error("--cgroup-root and --no-mirror exclude each other");
  if (!o.daemon.adopt_units.empty() && o.daemon.adopt != Adopt::All)
    return usage_error("--adopt-unit needs --adopt=all");
  if (o.command == Command::Rename) {
    if (positional.size() != 2)
      return usage_error("rename needs a container PATH and a NEWNAME");
    o.path = std::string(positional[0]);
    o.new_name = std::string(positional[1]);
    return r;
  }
  if (o.command == Command::Kill) {
    if (positional.size() != 1)
      return usage_error("kill needs exactly one container PATH");
    o.path = std::string(positional[0]);
    return r;
  }
  if (o.command == Command::Which) {
    if (positional.size() != 1)
      return usage_error("which needs exactly one PID");
    if (!parse_number(positional[0], o.pid) || o.pid == 0)
      return usage_error("'" + std::string(positional[0]) + "' is not a PID");
    return r;
  }
  if (!positional.empty())
    return usage_error("unexpected argument '" + std::string(positional[0]) + "'");
  return r;
}

}  // namespace nsgroup
