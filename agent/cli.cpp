// nsgroup's command line.
#include "cli.h"

#include <optional>

namespace nsgroup {

namespace {

constexpr std::string_view kVersion = "nsgroup 0.1.0";

std::optional<Command> command_named(std::string_view s) {
  if (s == "watch")
    return Command::Watch;
  return std::nullopt;
}

ParseResult usage_error(std::string msg) {
  ParseResult r;
  r.kind = ParseResult::Kind::UsageError;
  r.text = std::move(msg) + "\nTry 'nsgroup --help'.";
  return r;
}

}  // namespace

std::string usage_text() {
  return R"(Usage: nsgroup [-v] COMMAND [OPTIONS]

Watches every Linux namespace created or entered on this host.

Commands:
  watch          Load the BPF programs (root) and print one JSON object per
                 line for each namespace event: clone, unshare, setns,
                 denied (a namespace request that failed, with errno), exit
                 (a process that appeared in an event is gone), lost
                 (records dropped by a full ring buffer, with a count).
                 SIGINT or SIGTERM detaches and exits 0.

Options:
  -v, --verbose  Debug logging on stderr (libbpf's log included).
  -h, --help     Print this help and exit.
  --version      Print the version and exit.

Exit status: 0 success, 1 runtime error (one line on stderr), 2 usage error.
)";
}

ParseResult parse_args(const std::vector<std::string_view>& args) {
  ParseResult r;
  std::optional<Command> cmd;
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
      r.options.verbose = true;
      continue;
    }
    if (!a.empty() && a[0] == '-')
      return usage_error("unknown option '" + std::string(a) + "'");
    if (cmd)
      return usage_error("unexpected argument '" + std::string(a) + "'");
    cmd = command_named(a);
    if (!cmd)
      return usage_error("unknown command '" + std::string(a) + "'");
  }
  if (!cmd)
    return usage_error("no command given");
  r.options.command = *cmd;
  return r;
}

}  // namespace nsgroup
