// Command-line parsing: what is accepted and every usage error.
#include <gtest/gtest.h>

#include "cli/args.h"
#include "cli/help.h"

namespace nsgroup {
namespace {

using Kind = ParseResult::Kind;

ParseResult parse(std::vector<std::string_view> args) {
  return parse_args(args);
}

TEST(ParseArgs, Watch) {
  auto r = parse({"watch"});
  ASSERT_EQ(r.kind, Kind::Run);
  EXPECT_EQ(r.options.command, Command::Watch);
  EXPECT_FALSE(r.options.verbose);
}

TEST(ParseArgs, VerboseBeforeOrAfterTheCommand) {
  EXPECT_TRUE(parse({"-v", "watch"}).options.verbose);
  EXPECT_TRUE(parse({"watch", "--verbose"}).options.verbose);
}

TEST(ParseArgs, HelpAndVersion) {
  auto h = parse({"--help"});
  EXPECT_EQ(h.kind, Kind::Help);
  EXPECT_EQ(h.text, usage_text());
  EXPECT_EQ(parse({"help"}).text, usage_text());
  EXPECT_EQ(parse({"-h"}).text, usage_text());
  EXPECT_EQ(parse({"--version"}).kind, Kind::Version);
}

TEST(ParseArgs, OneCommandsHelpThreeWays) {
  for (const auto& c : command_specs()) {
    std::string name(c.name);
    std::string want = command_help(c);
    for (auto args : {std::vector<std::string_view>{"help", name},
                      std::vector<std::string_view>{name, "--help"},
                      std::vector<std::string_view>{name, "-h"},
                      std::vector<std::string_view>{"-v", name, "--socket", "/s", "-h"}}) {
      auto r = parse(args);
      EXPECT_EQ(r.kind, Kind::Help) << name;
      EXPECT_EQ(r.text, want) << name;
    }
  }
  auto nosuch = parse({"help", "nosuch"});
  EXPECT_EQ(nosuch.kind, Kind::UsageError);
  EXPECT_NE(nosuch.text.find("unknown command 'nosuch'"), std::string::npos) << nosuch.text;
  EXPECT_EQ(parse({"help", "--socket", "x"}).kind, Kind::UsageError);
}

TEST(ParseArgs, UnknownOptionsAreNamed) {
  auto before = parse({"--versoin"});
  EXPECT_EQ(before.kind, Kind::UsageError);
  EXPECT_EQ(before.text, "unknown option '--versoin'\nTry 'nsgroup --help'.");
  auto after = parse({"tree", "--bogus"});
  EXPECT_EQ(after.text, "unknown option '--bogus' for tree\nTry 'nsgroup help tree'.");
  EXPECT_EQ(parse({"tree", "--bogus=1"}).text, after.text);
  EXPECT_EQ(parse({"tree", "-x"}).text.rfind("unknown option '-x' for tree", 0), 0U);
  // An option of some command, given before any: said so.
  EXPECT_EQ(parse({"--socket", "/s", "tree"}).text.rfind("option '--socket' belongs after", 0),
            0U);
}

TEST(ParseArgs, UsageErrors) {
  EXPECT_EQ(parse({}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"frobnicate"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"watch", "--bogus"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"watch", "extra"}).kind, Kind::UsageError);
  auto r = parse({"watch", "--bogus"});
  EXPECT_NE(r.text.find("--bogus"), std::string::npos);
}

TEST(ParseArgs, DaemonOptions) {
  auto r = parse({"daemon", "--socket", "/tmp/s", "--cgroup-root=/sys/fs/cgroup/x",
                  "--adopt=all", "--no-events", "--reconcile-interval", "30"});
  ASSERT_EQ(r.kind, Kind::Run) << r.text;
  EXPECT_EQ(r.options.command, Command::Daemon);
  EXPECT_EQ(r.options.socket, "/tmp/s");
  EXPECT_EQ(r.options.daemon.cgroup_root, "/sys/fs/cgroup/x");
  EXPECT_EQ(r.options.daemon.adopt, Adopt::All);
  EXPECT_TRUE(r.options.daemon.no_events);
  EXPECT_EQ(r.options.daemon.reconcile_seconds, 30U);
  EXPECT_EQ(parse({"daemon", "--no-mirror"}).options.daemon.no_mirror, true);
}

TEST(ParseArgs, ScanModeForTheDaemonAndForTree) {
  EXPECT_EQ(parse({"daemon", "--scan=proc"}).options.daemon.scan, ScanMode::Proc);
  EXPECT_EQ(parse({"tree", "--scan", "iterator"}).options.daemon.scan, ScanMode::Iterator);
  EXPECT_EQ(parse({"tree"}).options.daemon.scan, ScanMode::Auto);
  EXPECT_EQ(parse({"daemon", "--scan=all"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"watch", "--scan=proc"}).kind, Kind::UsageError);
}

TEST(ParseArgs, DaemonUsageErrors) {
  EXPECT_EQ(parse({"daemon", "--adopt=some"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"daemon", "--cgroup-root", "relative"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"daemon", "--no-mirror", "--cgroup-root=/x"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"daemon", "--reconcile-interval", "0"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"daemon", "--reconcile-interval", "ten"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"daemon", "--socket"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"daemon", "--no-events=1"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"tree", "--no-mirror"}).kind, Kind::UsageError);
}

TEST(ParseArgs, Hooks) {
  EXPECT_EQ(parse({"daemon"}).options.daemon.hooks, Hooks::Auto);
  EXPECT_EQ(parse({"daemon", "--hooks=fexit"}).options.daemon.hooks, Hooks::Fexit);
  EXPECT_EQ(parse({"watch", "--hooks", "tracepoint"}).options.daemon.hooks, Hooks::Tracepoint);
  EXPECT_EQ(parse({"watch", "--hooks=kprobe"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"tree", "--hooks=fexit"}).kind, Kind::UsageError);
}

TEST(ParseArgs, RingBufferSize) {
  EXPECT_EQ(parse({"daemon", "--ring-buffer-kib", "64"}).options.daemon.ring_kib, 64U);
  EXPECT_EQ(parse({"daemon", "--ring-buffer-kib", "63"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"daemon", "--ring-buffer-kib", "2"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"watch", "--ring-buffer-kib=x"}).kind, Kind::UsageError);
}

TEST(ParseArgs, DeniedRate) {
  EXPECT_EQ(parse({"daemon"}).options.daemon.denied_rate, kDefaultDeniedRate);
  EXPECT_EQ(parse({"daemon", "--denied-rate=0"}).options.daemon.denied_rate, 0U);
  EXPECT_EQ(parse({"watch", "--denied-rate", "5"}).options.daemon.denied_rate, 5U);
  EXPECT_EQ(parse({"daemon", "--denied-rate=-1"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"daemon", "--denied-rate=2000000"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"tree", "--denied-rate=5"}).kind, Kind::UsageError);
}

TEST(ParseArgs, AdoptUnitsNeedAdoptAll) {
  auto r = parse({"daemon", "--adopt=all", "--adopt-unit", "x.service", "--adopt-unit=docker-*.scope"});
  ASSERT_EQ(r.kind, Kind::Run);
  EXPECT_EQ(r.options.daemon.adopt_units, (std::vector<std::string>{"x.service", "docker-*.scope"}));
  EXPECT_EQ(parse({"daemon", "--adopt-unit", "x.service"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"daemon", "--adopt=all", "--adopt-unit="}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"daemon", "--adopt=all", "--adopt-unit", "a/b.service"}).kind, Kind::UsageError);
}

TEST(ParseArgs, MetricsListen) {
  EXPECT_EQ(parse({"daemon"}).options.daemon.metrics_listen, "");  // off by default
  EXPECT_EQ(parse({"daemon", "--metrics-listen", "127.0.0.1:9753"}).options.daemon.metrics_listen,
            "127.0.0.1:9753");
  EXPECT_EQ(parse({"daemon", "--metrics-listen=[::1]:0"}).options.daemon.metrics_listen, "[::1]:0");
  // ":PORT": every address, as node_exporter's ":9100".
  EXPECT_EQ(parse({"daemon", "--metrics-listen", ":9753"}).options.daemon.metrics_listen, ":9753");
  for (std::string_view bad : {"9753", ":", ":x", "127.0.0.1:", "127.0.0.1:65536", "[::1:9753",
                               "127.0.0.1:x"})
    EXPECT_EQ(parse({"daemon", "--metrics-listen", bad}).kind, Kind::UsageError) << bad;
  EXPECT_EQ(parse({"stats", "--metrics-listen", "127.0.0.1:1"}).kind, Kind::UsageError);
}

TEST(ParseArgs, Btf) {
  EXPECT_EQ(parse({"daemon"}).options.btf, "");  // the kernel's own
  EXPECT_EQ(parse({"daemon", "--btf", "/tmp/min.btf"}).options.btf, "/tmp/min.btf");
  EXPECT_EQ(parse({"watch", "--btf=/x.btf"}).options.btf, "/x.btf");
  EXPECT_EQ(parse({"daemon", "--btf="}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"daemon", "--btf"}).kind, Kind::UsageError);
  // A one-shot tree reads the task iterator or /proc: no CO-RE of its own
  // that a file could serve.
  EXPECT_EQ(parse({"tree", "--btf", "/x.btf"}).kind, Kind::UsageError);
}

TEST(ParseArgs, StatsFormat) {
  EXPECT_EQ(parse({"stats"}).options.output, Output::Json);
  EXPECT_EQ(parse({"stats", "--format=prometheus"}).options.output, Output::Prometheus);
  EXPECT_EQ(parse({"stats", "--format", "json"}).options.output, Output::Json);
  EXPECT_EQ(parse({"stats", "-o", "prometheus"}).options.output, Output::Prometheus);
  EXPECT_EQ(parse({"stats", "--format=xml"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"tree", "--format=json"}).kind, Kind::UsageError);
}

TEST(ParseArgs, OutputEveryWay) {
  for (auto args : {std::vector<std::string_view>{"tree", "-o", "text"},
                    std::vector<std::string_view>{"tree", "-otext"},
                    std::vector<std::string_view>{"tree", "-o=text"},
                    std::vector<std::string_view>{"tree", "--output", "text"},
                    std::vector<std::string_view>{"tree", "--output=text"},
                    std::vector<std::string_view>{"tree", "--text"},
                    std::vector<std::string_view>{"tree", "-o", "json", "--text"}}) {
    auto r = parse(args);
    ASSERT_EQ(r.kind, Kind::Run) << r.text;
    EXPECT_EQ(r.options.output, Output::Text);
  }
  EXPECT_EQ(parse({"tree", "--text", "-o", "json"}).options.output, Output::Json);
}

TEST(ParseArgs, EachCommandsDefaultOutput) {
  EXPECT_EQ(parse({"tree"}).options.output, Output::Json);
  EXPECT_EQ(parse({"watch"}).options.output, Output::Json);
  EXPECT_EQ(parse({"stats"}).options.output, Output::Json);
  EXPECT_EQ(parse({"which", "1"}).options.output, Output::Text);
  EXPECT_EQ(parse({"rename", "/a", "b"}).options.output, Output::Text);
  EXPECT_EQ(parse({"kill", "/a"}).options.output, Output::Text);
  EXPECT_EQ(parse({"kill", "/a", "-o", "json"}).options.output, Output::Json);
  EXPECT_EQ(parse({"which", "1", "--output=json"}).options.output, Output::Json);
  EXPECT_EQ(parse({"daemon"}).options.output, Output::Default);  // prints no data
  EXPECT_EQ(parse({"daemon", "-o", "json"}).kind, Kind::UsageError);
}

TEST(ParseArgs, AnUnknownFormatNamesTheCommandsFormats) {
  auto r = parse({"kill", "/a", "-o", "yaml"});
  ASSERT_EQ(r.kind, Kind::UsageError);
  EXPECT_EQ(r.text, "the output of kill is text or json, not 'yaml'\nTry 'nsgroup help kill'.");
  EXPECT_NE(parse({"stats", "-o", "text"}).text.find("json or prometheus"), std::string::npos);
  EXPECT_NE(parse({"tree", "-o", "prometheus"}).text.find("json or text"), std::string::npos);
  EXPECT_EQ(parse({"which", "1", "-o"}).kind, Kind::UsageError);
}

TEST(ParseArgs, TreeDepthAndWatchText) {
  EXPECT_EQ(parse({"tree"}).options.depth, -1);
  EXPECT_EQ(parse({"tree", "--depth", "0"}).options.depth, 0);
  EXPECT_EQ(parse({"tree", "--text", "--depth=2"}).options.depth, 2);
  EXPECT_EQ(parse({"tree", "--depth=-1"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"tree", "--depth=two"}).kind, Kind::UsageError);
  EXPECT_TRUE(parse({"watch", "--text"}).options.text());
  EXPECT_FALSE(parse({"watch"}).options.text());
  EXPECT_EQ(parse({"watch", "--depth=1"}).kind, Kind::UsageError);
  EXPECT_FALSE(parse({"tree"}).options.no_daemon);
  EXPECT_TRUE(parse({"tree", "--no-daemon"}).options.no_daemon);
  EXPECT_EQ(parse({"tree", "--no-daemon=1"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"which", "1", "--no-daemon"}).kind, Kind::UsageError);
}

TEST(ParseArgs, TreeWhichRenameKill) {
  auto t = parse({"tree", "--text", "--pids"});
  EXPECT_TRUE(t.options.text());
  EXPECT_TRUE(t.options.pids);
  auto w = parse({"which", "42"});
  ASSERT_EQ(w.kind, Kind::Run);
  EXPECT_EQ(w.options.pid, 42U);
  EXPECT_EQ(parse({"which"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"which", "0"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"which", "-5"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"which", "12x"}).kind, Kind::UsageError);
  EXPECT_EQ(parse({"which", "1", "2"}).kind, Kind::UsageError);
  auto rn = parse({"rename", "/init_container/container_3", "web"});
  ASSERT_EQ(rn.kind, Kind::Run);
  EXPECT_EQ(rn.options.path, "/init_container/container_3");
  EXPECT_EQ(rn.options.new_name, "web");
  EXPECT_EQ(parse({"rename", "/init_container/container_3"}).kind, Kind::UsageError);
  auto k = parse({"kill", "/init_container/container_3"});
  ASSERT_EQ(k.kind, Kind::Run);
  EXPECT_EQ(k.options.command, Command::Kill);
  EXPECT_EQ(parse({"kill"}).kind, Kind::UsageError);
}

}  // namespace
}  // namespace nsgroup
