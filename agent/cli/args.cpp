// nsgroup's command line.
#include "cli/args.h"
#include "cli/watch_args.h"

#include "cli/help.h"
#include "service/metrics_http.h"

#include <charconv>
#include <optional>

namespace nsgroup {

namespace {

constexpr std::string_view kVersion = "nsgroup " NSGROUP_VERSION;

ParseResult usage_error(std::string msg, const CommandSpec* spec = nullptr) {
  ParseResult r;
  r.kind = ParseResult::Kind::UsageError;
  r.text = std::move(msg) + "\nTry 'nsgroup " +
           (spec ? "help " + std::string(spec->name) : std::string("--help")) + "'.";
  return r;
}

ParseResult help(std::string text) {
  ParseResult r;
  r.kind = ParseResult::Kind::Help;
  r.text = std::move(text);
  return r;
}

template <class T>
bool parse_number(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::optional<Output> output_named(std::string_view s) {
  if (s == "json")
    return Output::Json;
  if (s == "text")
    return Output::Text;
  if (s == "prometheus")
    return Output::Prometheus;
  return std::nullopt;
}

// -o FORMAT, --output FORMAT, --format FORMAT: one of the command's.
std::optional<std::string> apply_output(const CommandSpec& spec, std::string_view value,
                                        Options& o) {
  auto formats = output_formats(spec);
  std::string list;
  for (std::size_t i = 0; i < formats.size(); ++i) {
    list += i == 0 ? "" : i + 1 == formats.size() ? " or " : ", ";
    list += formats[i];
    if (formats[i] == value)
      o.output = *output_named(value);
  }
  if (o.output == Output::Default)
    return "the output of " + std::string(spec.name) + " is " + list + ", not '" +
           std::string(value) + "'";
  return std::nullopt;
}

void apply_flag(std::string_view name, Options& o) {
  if (name == "--text")
    o.output = Output::Text;
  else if (name == "--pids")
    o.pids = true;
  else if (name == "--no-events")
    o.daemon.no_events = true;
  else if (name == "--no-mirror")
    o.daemon.no_mirror = true;
  else if (name == "--no-daemon")
    o.no_daemon = true;
}

// An option's value taken: nullopt, or the usage error.
std::optional<std::string> apply_value(const CommandSpec& spec, std::string_view name,
                                       std::string_view value, Options& o) {
  if (name == "--output" || name == "--format") {
    o.output = Output::Default;
    return apply_output(spec, value, o);
  }
  if (is_watch_filter_option(name))
    return add_watch_filter_option(o.filter, name, value);
  if (name == "--socket") {
    if (value.empty())
      return "--socket needs a path";
    o.socket = std::string(value);
  } else if (name == "--cgroup-root") {
    if (value.empty() || value[0] != '/')
      return "--cgroup-root needs an absolute path";
    o.daemon.cgroup_root = std::string(value);
  } else if (name == "--scan") {
    auto mode = scan_mode_named(value);
    if (!mode)
      return "--scan is auto, iterator or proc";
    o.daemon.scan = *mode;
  } else if (name == "--hooks") {
    auto hooks = hooks_named(value);
    if (!hooks)
      return "--hooks is auto, fexit or tracepoint";
    o.daemon.hooks = *hooks;
  } else if (name == "--ring-buffer-kib") {
    std::uint32_t k = 0;
    if (!parse_number(value, k) || k < 4 || k > (1U << 20) || (k & (k - 1)) != 0)
      return "--ring-buffer-kib is a power of two from 4 to 1048576";
    o.daemon.ring_kib = k;
  } else if (name == "--adopt-unit") {
    if (value.empty() || value.find('/') != std::string_view::npos)
      return "--adopt-unit needs a unit name or pattern (x.service, docker-*.scope)";
    o.daemon.adopt_units.emplace_back(value);
  } else if (name == "--denied-rate") {
    if (!parse_number(value, o.daemon.denied_rate) || o.daemon.denied_rate > 1'000'000)
      return "--denied-rate is a number of records a second, 0 for no limit";
  } else if (name == "--socket-group") {
    if (value.empty())
      return "--socket-group needs a group name or gid";
    o.daemon.socket_group = std::string(value);
  } else if (name == "--state-dir") {
    if (value.empty() || value[0] != '/')
      return "--state-dir needs an absolute path";
    o.daemon.state_dir = std::string(value);
  } else if (name == "--adopt") {
    if (value != "auto" && value != "all")
      return "--adopt is auto or all";
    o.daemon.adopt = value == "all" ? Adopt::All : Adopt::Auto;
  } else if (name == "--metrics-listen") {
    if (!parse_inet_address(std::string(value)))
      return "--metrics-listen is a numeric ADDR:PORT, [ADDR]:PORT or :PORT "
             "(127.0.0.1:9753, [::1]:9753, :9753)";
    o.daemon.metrics_listen = std::string(value);
  } else if (name == "--btf") {
    if (value.empty())
      return "--btf needs the path of a BTF file";
    o.btf = std::string(value);
  } else if (name == "--depth") {
    unsigned d = 0;
    if (!parse_number(value, d) || d > 4096)
      return "--depth is a number of levels below the root (0 for the root alone)";
    o.depth = static_cast<int>(d);
  } else if (name == "--reconcile-interval") {
    unsigned& secs = o.daemon.reconcile_seconds;
    if (!parse_number(value, secs) || secs == 0 || secs > 86400)
      return "--reconcile-interval needs seconds from 1 to 86400";
  }
  return std::nullopt;
}

bool any_command_has(std::string_view option) {
  for (const auto& c : command_specs())
    if (find_option(c, option))
      return true;
  return false;
}

// The positional arguments, checked and stored.
std::optional<std::string> take_positional(const std::vector<std::string_view>& positional,
                                           Options& o) {
  switch (o.command) {
  case Command::Rename:
    if (positional.size() != 2)
      return "rename needs a container PATH and a NEWNAME";
    o.path = std::string(positional[0]);
    o.new_name = std::string(positional[1]);
    return std::nullopt;
  case Command::Kill:
    if (positional.size() != 1)
      return "kill needs exactly one container PATH";
    o.path = std::string(positional[0]);
    return std::nullopt;
  case Command::Which:
    if (positional.size() != 1)
      return "which needs exactly one PID";
    if (!parse_number(positional[0], o.pid) || o.pid == 0)
      return std::string("'").append(positional[0]).append("' is not a PID");
    return std::nullopt;
  default:
    if (!positional.empty())
      return "unexpected argument '" + std::string(positional[0]) + "'";
    return std::nullopt;
  }
}

}  // namespace

ParseResult parse_args(const std::vector<std::string_view>& args) {
  ParseResult r;
  Options& o = r.options;
  const CommandSpec* spec = nullptr;
  bool help_command = false;  // `nsgroup help [COMMAND]`
  std::vector<std::string_view> positional;

  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a == "-h" || a == "--help")
      return help(spec ? command_help(*spec) : usage_text());
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
      bool joined = false;  // -oFORMAT: a short option and its value in one word
      if (auto eq = a.find('='); eq != std::string_view::npos) {
        name = a.substr(0, eq);
        value = a.substr(eq + 1);
      } else if (a.size() > 2 && a[1] != '-') {  // -oFORMAT
        name = a.substr(0, 2);
        value = a.substr(2);
        joined = true;
      }
      if (!spec) {
        if (help_command)
          return usage_error("help takes a COMMAND, not options");
        if (any_command_has(name))
          return usage_error("option '" + std::string(name) + "' belongs after a command");
        return usage_error("unknown option '" + std::string(name) + "'");
      }
      const OptionSpec* opt = find_option(*spec, name);
      if (!opt)
        return usage_error("unknown option '" + std::string(name) + "' for " +
                               std::string(spec->name),
                           spec);
      if (opt->value.empty()) {
        if (joined)  // -vv, -hx: no flag takes a value joined to it
          return usage_error("unknown option '" + std::string(a) + "' for " +
                                 std::string(spec->name),
                             spec);
        if (value)
          return usage_error("option '" + std::string(name) + "' takes no value", spec);
        apply_flag(opt->name, o);
        continue;
      }
      if (!value) {
        if (i + 1 >= args.size())
          return usage_error("option '" + std::string(name) + "' needs a value", spec);
        value = args[++i];
      }
      if (auto error = apply_value(*spec, opt->name, *value, o))
        return usage_error(*error, spec);
      continue;
    }
    if (!spec && !help_command && a == "help") {
      help_command = true;
      continue;
    }
    if (!spec) {
      spec = find_command(a);
      if (!spec)
        return usage_error("unknown command '" + std::string(a) + "'");
      if (help_command) {
        if (i + 1 < args.size())
          return usage_error("help takes one COMMAND, not also '" + std::string(args[i + 1]) +
                             "'");
        return help(command_help(*spec));
      }
      continue;
    }
    positional.push_back(a);
  }
  if (help_command)
    return help(usage_text());
  if (!spec)
    return usage_error("no command given");
  o.command = spec->command;
  if (auto formats = output_formats(*spec); !formats.empty() && o.output == Output::Default)
    o.output = *output_named(formats.front());

  o.daemon.socket = o.socket;
  if (o.command == Command::Daemon && o.daemon.no_mirror && !o.daemon.cgroup_root.empty())
    return usage_error("--cgroup-root and --no-mirror exclude each other", spec);
  if (!o.daemon.adopt_units.empty() && o.daemon.adopt != Adopt::All)
    return usage_error("--adopt-unit needs --adopt=all", spec);
  if (auto error = take_positional(positional, o))
    return usage_error(*error, spec);
  return r;
}

}  // namespace nsgroup
