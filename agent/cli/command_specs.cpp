// The commands and their options, for the parser and the help.
#include "cli/command_specs.h"

namespace nsgroup {

namespace {

constexpr OptionSpec kSocket{"--socket", 0, "PATH",
                             "The daemon's control socket (default /run/nsgroup/nsgroup.sock)."};
constexpr OptionSpec kHooks{"--hooks", 0, "=auto|fexit|tracepoint",
                            "Which BPF hooks to attach (default auto)."};
constexpr OptionSpec kRing{"--ring-buffer-kib", 0, "N",
                           "The BPF ring buffer's size in KiB, a power of two (default 4096)."};
constexpr OptionSpec kDeniedRate{"--denied-rate", 0, "N",
                                 "Denied records a uid may send a second (default 20; 0: no "
                                 "limit)."};
constexpr OptionSpec kBtf{"--btf", 0, "FILE",
                          "The kernel's BTF for CO-RE, for kernels built without it."};
constexpr OptionSpec kScan{"--scan", 0, "=auto|iterator|proc",
                           "How to scan the processes (default auto)."};

}  // namespace

const std::vector<CommandSpec>& command_specs() {
  static const std::vector<CommandSpec> s = {
      {"daemon", Command::Daemon, "",
       R"(Load the BPF programs (root), build the tree from a scan, keep it up to
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
root. A restarted daemon keeps the names it finds in the mirror's
xattrs, or, with --no-mirror, in --state-dir (default
$STATE_DIRECTORY, else /var/lib/nsgroup).
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
127.0.0.1:9753 or [::1]:9753, or :9753 for every address (port 0:
any free one, logged); off by default. Numeric addresses only. Anyone
who can reach the port can read the counters (no tree, no pids), so
bind loopback or a node-local address.
--btf FILE: take the kernel's type information for the BPF programs'
CO-RE relocations from FILE (a BTFHub file for this kernel, or one
made by `bpftool gen min_core_btf`) instead of
/sys/kernel/btf/vmlinux, for kernels built without
CONFIG_DEBUG_INFO_BTF. Without the kernel's own BTF there are no fexit
hooks and no task iterator: tracepoints and /proc scans do the work.)",
       {
           kSocket,
           {"--socket-group", 0, "GROUP", "The socket's group (default root)."},
           {"--cgroup-root", 0, "PATH", "The mirror's root directory, inside a cgroup2 mount."},
           {"--no-mirror", 0, "", "Mirror nothing into cgroup directories."},
           {"--adopt", 0, "=auto|all", "Which processes to move into the mirror (default auto)."},
           {"--adopt-unit", 0, "UNIT",
            "With --adopt=all, move members of this systemd unit too (repeatable)."},
           {"--no-events", 0, "", "Print no events on stdout."},
           {"--reconcile-interval", 0, "SECONDS", "Rescan every SECONDS (default 10)."},
           {"--state-dir", 0, "PATH", "Where names are kept with --no-mirror."},
           kHooks,
           kRing,
           kScan,
           kDeniedRate,
           {"--metrics-listen", 0, "ADDR:PORT", "Serve GET /metrics over HTTP there."},
           kBtf,
       }},
      {"tree", Command::Tree, "",
       R"(Print the container tree as JSON: from the daemon, or, with no daemon
listening or with --no-daemon, from one scan ("source": "scan"). The
daemon shows a client its own container's subtree (a note on stderr
says so when that is not the whole tree); a scan shows every process
the caller may read, with its own container numbers, no names given
by rename and no cgroup directories. In a pod with the host's pid
namespace, `nsgroup tree --no-daemon` is the whole node. The scan
walks /proc (no root needed for the processes you may read); as root
with --scan=auto and 2500 processes or more, or with --scan=iterator,
it reads a BPF task iterator instead (loading it costs about 0.1 s;
it then reads 10,000 processes in a few ms). --pids lists member
pids, -o text draws the tree for humans (with --pids, a column of
them), --depth N stops N levels below the root (0: the root alone).)",
       {
           {"--output", 'o', "=json|text", "json (the default) or text, a drawing for humans."},
           {"--text", 0, "", "The same as -o text."},
           kSocket,
           {"--no-daemon", 0, "", "Scan here; never ask the daemon."},
           {"--pids", 0, "", "List each container's member pids."},
           {"--depth", 0, "N", "Stop N levels below the root (0: the root alone)."},
           kScan,
       }},
      {"watch", Command::Watch, "",
       R"(Stream events as JSON lines: from the daemon, or, with no daemon
listening, by loading the BPF programs itself (root; --hooks,
--ring-buffer-kib, --denied-rate and --btf as for daemon). Kinds:
clone, unshare, setns, denied (a namespace request that failed, with
errno), exit, lost (records dropped, with a count), suppressed (denied
records over a uid's rate, with the uid and a count),
container_removed. -o text prints one aligned line per event instead
(TIME EVENT PID COMM NS CONTAINER), coloured on a terminal unless
NO_COLOR is set. Filters, applied before formatting (and by the daemon,
for its watchers): --pid, --uid, --comm (exact), --event (the kinds
above) and --container PATH (it and its subtree; needs the daemon). Each
may be repeated or take a comma-separated list, any value matching;
different filters must all match. An event without the fact filtered on
(an exit has no uid) is left out, except lost, which only --event leaves
out. SIGINT or SIGTERM stops it with status 0, and so does a reader that
goes away.)",
       {
           {"--output", 'o', "=json|text", "json lines (the default) or text, aligned lines."},
           {"--text", 0, "", "The same as -o text."},
           kSocket,
           kHooks,
           kRing,
           kDeniedRate,
           kBtf,
           {"--pid", 0, "PID", "Only events of these pids (a clone's pid is the child's)."},
           {"--uid", 0, "UID", "Only events of these uids."},
           {"--comm", 0, "NAME", "Only events of processes with this command name (exact)."},
           {"--event", 0, "KINDS",
            "Only events of these kinds, comma-separated: clone, unshare, setns, denied, "
            "exit, lost, suppressed, container_removed."},
           {"--container", 0, "PATH", "Only events in this container or below it (daemon)."},
       }},
      {"which", Command::Which, "PID",
       R"(Print the full path of the container PID is in. Status 3 when there is
no such process (or, through the daemon, none in your container or
below it).)",
       {
           {"--output", 'o', "=text|json", "text (the default), the path, or json."},
           kSocket,
       }},
      {"stats", Command::Stats, "",
       R"(Print the daemon's counters as JSON, or in Prometheus' text format
(for node_exporter's textfile collector).)",
       {
           {"--output", 'o', "=json|prometheus", "json (the default) or prometheus."},
           {"--format", 0, "=json|prometheus", "The same as -o."},
           kSocket,
       }},
      {"rename", Command::Rename, "PATH NEWNAME",
       R"(Rename a container (PATH is its full path, /init_container/...). Names
have at most 64 bytes, no '/', '.', NUL or control characters (a '.'
would collide with cgroup interface files), are not container_N, and
are unique among siblings. The cgroup directories follow. Prints the
new path.)",
       {
           {"--output", 'o', "=text|json", "text (the default), the new path, or json."},
           kSocket,
       }},
      {"kill", Command::Kill, "PATH",
       R"(Kill every process in a container and its descendants (cgroup.kill,
and SIGKILL to members that are not in the directory). Prints what was
done in a line.)",
       {
           {"--output", 'o', "=text|json", "text (the default), a line, or json."},
           kSocket,
       }},
  };
  return s;
}

const std::vector<OptionSpec>& global_options() {
  static const std::vector<OptionSpec> g = {
      {"--verbose", 'v', "", "Debug logging on stderr (libbpf's log included)."},
      {"--help", 'h', "", "Print this help and exit."},
      {"--version", 0, "", "Print the version and exit."},
  };
  return g;
}

const CommandSpec* find_command(std::string_view name) {
  for (const auto& c : command_specs())
    if (c.name == name)
      return &c;
  return nullptr;
}

const OptionSpec* find_option(const CommandSpec& c, std::string_view name) {
  for (const auto& o : c.options) {
    bool short_match = name.size() == 2 && name[0] == '-' && o.short_name != 0 &&
                       name[1] == o.short_name;
    if (o.name == name || short_match)
      return &o;
  }
  return nullptr;
}

std::vector<std::string_view> output_formats(const CommandSpec& c) {
  std::vector<std::string_view> out;
  const OptionSpec* o = find_option(c, "--output");
  if (!o)
    return out;
  std::string_view v = o->value.substr(1);  // after '='
  while (!v.empty()) {
    auto bar = v.find('|');
    out.push_back(v.substr(0, bar));
    v = bar == std::string_view::npos ? std::string_view{} : v.substr(bar + 1);
  }
  return out;
}

}  // namespace nsgroup
