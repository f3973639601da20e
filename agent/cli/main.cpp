// nsgroup's entry point: parse the command line, hand over, map errors to
// exit statuses (1 runtime, 2 usage).
#include <cstdio>
#include <exception>
#include <string_view>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/watch.h"
#include "kernel/bpf_support.h"
#include "service/daemon.h"
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
  std::vector<std::string_view> args(argv + 1, argv + argc);
  auto parsed = nsgroup::parse_args(args);
  using Kind = nsgroup::ParseResult::Kind;
  switch (parsed.kind) {
  case Kind::Help:
  case Kind::Version:
    std::fputs(parsed.text.c_str(), stdout);
    return 0;
  case Kind::UsageError:
    std::fprintf(stderr, "nsgroup: %s\n", parsed.text.c_str());
    return 2;
  case Kind::Run: break;
  }
  nsgroup::log_init(parsed.options.verbose);
  nsgroup::use_btf_file(parsed.options.btf);
  try {
    auto done = dispatch(parsed.options);
    if (done)
      return 0;
    nsgroup::log_error(done.error().message());
  } catch (const std::exception& e) {
    // A bug: still one line and status 1, never a core dump for the user.
    nsgroup::log_error(std::string("internal error: ") + e.what());
  }
  return 1;
}
