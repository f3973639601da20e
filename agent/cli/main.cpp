// nsgroup's entry point: parse the command line, hand over, map errors to
// exit statuses (cli/exit_status.h).
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <exception>
#include <string_view>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/exit_status.h"
#include "cli/watch.h"
#include "kernel/bpf_support.h"
#include "service/daemon.h"
#include "util/file.h"
#include "util/log.h"

namespace {

nsgroup::Status dispatch(const nsgroup::Options& o) {
  using nsgroup::Command;
  switch (o.command) {
  case Command::Daemon: return nsgroup::run_daemon(o.daemon);
  case Command::Tree: return nsgroup::run_tree(o);
  case Command::Watch: return nsgroup::run_watch(o);
  case Command::Which: return nsgroup::run_which(o);
  case Command::Stats: return nsgroup::run_stats(o);
  case Command::Rename: return nsgroup::run_rename(o);
  case Command::Kill: return nsgroup::run_kill(o);
  }
  return nsgroup::failure("unknown command");
}

}  // namespace

int main(int argc, char** argv) {
  // A reader that leaves is an EPIPE to handle, not a signal that kills.
  ::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string_view> args(argv + 1, argv + argc);
  auto parsed = nsgroup::parse_args(args);
  using Kind = nsgroup::ParseResult::Kind;
  switch (parsed.kind) {
  case Kind::Help:
  case Kind::Version:
    if (auto ok = nsgroup::write_all(STDOUT_FILENO, parsed.text); !ok) {
      if (ok.error().err == EPIPE)
        return nsgroup::kExitFailure;  // the reader left (| head): it knows
      auto f = nsgroup::Failure{ok.error().err, "writing to stdout"};
      std::fprintf(stderr, "nsgroup: %s\n", f.message().c_str());
      return nsgroup::kExitFailure;
    }
    return nsgroup::kExitOk;
  case Kind::UsageError:
    std::fprintf(stderr, "nsgroup: %s\n", parsed.text.c_str());
    return nsgroup::kExitUsage;
  case Kind::Run: break;
  }
  nsgroup::log_init(parsed.options.verbose);
  nsgroup::use_btf_file(parsed.options.btf);
  try {
    auto done = dispatch(parsed.options);
    if (done)
      return nsgroup::kExitOk;
    // A reader that left early (nsgroup tree | head) saw what it wanted: the
    // status says the output was cut, a line on stderr would only be noise.
    if (done.error().kind == nsgroup::Failure::Kind::ReaderGone)
      return nsgroup::kExitFailure;
    nsgroup::log_error(done.error().message());
    return nsgroup::exit_status(done.error());
  } catch (const std::exception& e) {
    // A bug: still one line and status 1, never a core dump for the user.
    nsgroup::log_error(std::string("internal error: ") + e.what());
  }
  return nsgroup::kExitFailure;
}
