// Running as a service: the unit file, the notify protocol against a socket
// of the test's own, journald log prefixes, and the control socket's access
// rules (SO_PEERCRED, scoping to the client's subtree, CAP_SYS_ADMIN).
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

#include "mix.h"
#include "support.h"
#include "core/tree.h"

namespace nsgroup::test {
namespace {

using Clock = std::chrono::steady_clock;

TEST(Service, UnitInstallsAndVerifiesWithoutWarnings) {
  std::string prefix = "/tmp/nsgroup-test-prefix-" + std::to_string(::getpid());
  auto inst = capture({CMAKE_COMMAND, "--install", NSGROUP_BUILD_DIR, "--prefix", prefix});
  ASSERT_EQ(inst.status, 0) << inst.out << inst.err;
  std::string unit = prefix + "/lib/systemd/system/nsgroup.service";
  std::ifstream f(unit);
  std::string text((std::istreambuf_iterator<char>(f)), {});
  EXPECT_NE(text.find("ExecStart=" + prefix + "/sbin/nsgroup daemon $NSGROUP_OPTS\n"),
            std::string::npos);
  // The options file of this prefix, installed beside the unit (a prefix
  // other than /usr keeps its own <prefix>/etc).
  std::string options = prefix + "/etc/default/nsgroup";
  EXPECT_NE(text.find("EnvironmentFile=-" + options + "\n"), std::string::npos);
  std::ifstream o(options);
  std::string shipped((std::istreambuf_iterator<char>(o)), {});
  EXPECT_NE(shipped.find("\nNSGROUP_OPTS=\"\"\n"), std::string::npos) << options << ": " << shipped;
  // No Condition*= line: a host that lacks something (BTF) must see the
  // unit fail with the binary's own message, not be skipped in silence.
  for (std::size_t at = text.find("Condition"); at != std::string::npos;
       at = text.find("Condition", at + 1))
    EXPECT_TRUE(at != 0 && text[at - 1] != '\n') << "a unit condition: " << text.substr(at, 60);
  // The peer proof on kernels before 6.5 asks unix_diag over netlink.
  EXPECT_NE(text.find("RestrictAddressFamilies=AF_UNIX AF_NETLINK"), std::string::npos);
  // Documentation=man:nsgroup(8) is checked by running man: the page must
  // be installed beside the unit.
  auto v = capture({"env", "MANPATH=" + prefix + "/share/man", "systemd-analyze", "verify", unit});
  EXPECT_EQ(v.status, 0) << v.err;
  EXPECT_EQ(v.err.find("nsgroup.service"), std::string::npos) << v.err;
  run({"rm", "-rf", prefix});
}

TEST(Service, NotifyReadyWatchdogStopping) {
  NSG_REQUIRE_PRIVILEGED();
  NotifySocket ns;
  auto started = Clock::now();
  DaemonProcess d({}, {"env", ns.env(), "WATCHDOG_USEC=400000"});
  auto ready = ns.wait_for("READY=1", std::chrono::seconds(20));
  ASSERT_TRUE(ready) << d.log();
  EXPECT_NE(ready->find("STATUS="), std::string::npos);
  // Started the moment READY arrives: it must not be missed.
  Workloads w;
  pid_t pid = w.start({"unshare", "-u", "sleep", "30"});
  ASSERT_TRUE(d.ready()) << d.log();
  ASSERT_TRUE(eventually([&] { return differs(pid, "uts"); }));
  Json reply = d.request({{"op", "which"}, {"pid", pid}});
  EXPECT_NE(reply["container"], "/init_container") << reply.dump();
  // The daemon had no reason to rescan: the event, not a reconcile, placed it.
  EXPECT_GE(d.request({{"op", "stats"}})["stats"]["events"]["unshare"].get<int>(), 1);

  // WATCHDOG_USEC=400000: a keep-alive every 200 ms.
  std::vector<Clock::time_point> pings;
  while (pings.size() < 6) {
    auto msg = ns.wait_for("WATCHDOG=1", std::chrono::seconds(2));
    ASSERT_TRUE(msg) << "keep-alives stopped";
    pings.push_back(Clock::now());
  }
  auto span = std::chrono::duration_cast<std::chrono::milliseconds>(pings.back() - pings.front());
  EXPECT_GE(span.count(), 5 * 200 * 6 / 10) << "keep-alives too frequent";
  EXPECT_LE(span.count(), 5 * 200 * 2) << "keep-alives too rare";
  (void)started;

  auto stop_at = Clock::now();
  ::kill(d.pid(), SIGTERM);
  EXPECT_TRUE(ns.wait_for("STOPPING=1", std::chrono::seconds(1)));
  EXPECT_EQ(d.stop(SIGTERM), 0);
  EXPECT_LT(Clock::now() - stop_at, std::chrono::seconds(1));
}

TEST(Service, LogLinesCarryJournalPrioritiesUnderJournald) {
  NSG_REQUIRE_PRIVILEGED();
  // JOURNAL_STREAM names the daemon's own stderr, as systemd sets it.
  DaemonProcess d({}, {"sh", "-c",
                       "JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec \"$0\" \"$@\""});
  ASSERT_TRUE(d.ready()) << d.log();
  EXPECT_EQ(d.stop(), 0);
  std::string log = d.log();
  ASSERT_FALSE(log.empty());
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line))
    EXPECT_TRUE(line.size() > 3 && line[0] == '<' && line[2] == '>') << line;
}

TEST(Service, SocketIsRootsWithTheConfiguredGroupAndMode0660) {
  NSG_REQUIRE_PRIVILEGED();
  DaemonProcess d({"--socket-group", "nogroup"});
  ASSERT_TRUE(d.ready()) << d.log();
  struct stat st {};
  ASSERT_EQ(::stat(d.socket().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0660U);
  EXPECT_EQ(st.st_uid, 0U);
  EXPECT_EQ(st.st_gid, 65534U);
  auto bad = capture({nsgroup_binary(), "daemon", "--socket-group", "no-such-group-x",
                      "--socket", "/tmp/nsgroup-test-nogroup.sock", "--no-mirror"});
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find("no-such-group-x"), std::string::npos) << bad.err;
}

TEST(Service, WithoutTheMirrorNamesSurviveARestartThroughTheStateDirectory) {
  NSG_REQUIRE_PRIVILEGED();
  std::string dir = "/tmp/nsgroup-test-state-" + std::to_string(::getpid());
  Workloads w;
  pid_t pid = w.start({"unshare", "-u", "sleep", "60"});
  ASSERT_TRUE(eventually([&] { return differs(pid, "uts"); }));
  {
    DaemonProcess d({"--state-dir", dir});
    ASSERT_TRUE(d.ready()) << d.log();
    std::string path = d.request({{"op", "which"}, {"pid", pid}})["container"];
    ASSERT_EQ(d.request({{"op", "rename"}, {"path", path}, {"name", "kept"}})["ok"], true);
    EXPECT_EQ(d.stop(), 0);  // SIGTERM saves the state
  }
  DaemonProcess again({"--state-dir", dir});
  ASSERT_TRUE(again.ready()) << again.log();
  EXPECT_EQ(again.request({{"op", "which"}, {"pid", pid}})["container"], "/init_container/kept");
  again.stop();
  run({"rm", "-rf", dir});
}

TEST(Access, NonRootClientCannotConnectWhenTheGroupIsRoot) {
  NSG_REQUIRE_PRIVILEGED();
  DaemonProcess d;
  ASSERT_TRUE(d.ready()) << d.log();
  auto o = capture({"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                    reachable_binary(), "tree", "--socket", d.socket()});
  EXPECT_EQ(o.status, 5);  // refused by the system
  EXPECT_NE(o.err.find("permission denied"), std::string::npos) << o.err;
  EXPECT_TRUE(o.out.empty()) << "fell back to a scan";
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1);
}

TEST(Access, AClientSeesOnlyItsOwnSubtree) {
  NSG_REQUIRE_PRIVILEGED();
  DaemonProcess d;
  ASSERT_TRUE(d.ready()) << d.log();
  Workloads w;
  pid_t other = w.start({"unshare", "-i", "sleep", "60"});
  ASSERT_TRUE(eventually([&] { return differs(other, "ipc"); }));

  // From the root container: everything.
  auto all = capture({nsgroup_binary(), "tree", "--socket", d.socket()});
  ASSERT_EQ(all.status, 0) << all.err;
  EXPECT_EQ(Json::parse(all.out)["root"]["path"], "/init_container");

  // One level down: its own container only.
  auto one = capture({"unshare", "-u", nsgroup_binary(), "tree", "--pids", "--socket",
                      d.socket()});
  ASSERT_EQ(one.status, 0) << one.err;
  Json doc = Json::parse(one.out);
  std::string top = doc["root"]["path"];
  EXPECT_EQ(std::count(top.begin(), top.end(), '/'), 2) << top;
  EXPECT_EQ(doc["root"]["nprocs"], 1);  // the client itself
  EXPECT_FALSE(doc["root"].contains("unreadable"));

  // Two levels down: a container inside a container.
  auto two = capture({"unshare", "-u", "sh", "-c",
                      "sleep 30 & unshare -n \"$0\" tree --pids --socket \"$1\"; kill $!",
                      nsgroup_binary(), d.socket()});
  ASSERT_EQ(two.status, 0) << two.err;
  doc = Json::parse(two.out);
  top = doc["root"]["path"];
  EXPECT_EQ(std::count(top.begin(), top.end(), '/'), 3) << top;
  Placement p = placement_of(doc);
  for (const auto& [path, node] : p.node)
    EXPECT_TRUE(path_within(path, top)) << path << " is outside " << top;
  EXPECT_FALSE(p.paths.count(other));

  // which and stats are scoped the same way.
  auto which = capture({"unshare", "-u", nsgroup_binary(), "which", std::to_string(other),
                        "--socket", d.socket()});
  EXPECT_EQ(which.status, 3);  // not found, as for a pid that does not exist
  EXPECT_NE(which.err.find("no process with pid " + std::to_string(other) +
                           " in your container"),
            std::string::npos)
      << which.err;
  auto stats = capture({"unshare", "-u", nsgroup_binary(), "stats", "--socket", d.socket()});
  ASSERT_EQ(stats.status, 0) << stats.err;
  Json s = Json::parse(stats.out);
  EXPECT_EQ(s["containers"], 1);
  EXPECT_FALSE(s.contains("events"));
}

TEST(Access, WatchInsideAContainerSeesOnlyItsSubtree) {
  NSG_REQUIRE_PRIVILEGED();
  DaemonProcess d;
  ASSERT_TRUE(d.ready()) << d.log();
  WatchProcess watcher({"unshare", "-u", nsgroup_binary(), "watch", "--socket", d.socket()});
  ASSERT_TRUE(eventually([&] { return differs(watcher.pid, "uts"); }));
  // Let it subscribe: its connection shows in the daemon's client count.
  ASSERT_TRUE(eventually([&] {
    return d.request({{"op", "stats"}})["stats"]["clients"].get<int>() >= 2;
  }));
  Child outside = fork_child([](int) { return ::unshare(CLONE_NEWIPC); });
  pid_t outside_pid = outside.pid;
  ASSERT_EQ(outside.wait(), 0);
  // Inside: enter the watcher's container, then make a child container.
  pid_t inside = spawn({"nsenter", "-t", std::to_string(watcher.pid), "-u", "unshare", "-i",
                        "true"});
  ASSERT_EQ(wait_status(inside), 0);
  std::optional<Json> entered;
  auto ev = watcher.next([&](const Json& j) {
    EXPECT_NE(j["pid"], outside_pid) << "an event from outside the subtree: " << j.dump();
    if (j["event"] == "setns" && j["pid"] == inside)
      entered = j;
    return j["event"] == "unshare" && j["pid"] == inside;
  });
  ASSERT_TRUE(ev);
  EXPECT_TRUE((*ev)["from"].is_string());  // from inside: shown
  // nsenter came in from the root container: that it came, not from where.
  ASSERT_TRUE(entered) << "the setns into the watcher's container was not shown";
  EXPECT_TRUE((*entered)["from"].is_null()) << entered->dump();
  EXPECT_FALSE(entered->contains("ppid"));
  EXPECT_EQ(watcher.stop(SIGTERM), 0);
}

class Changes : public ::testing::Test {
 protected:
  void SetUp() override {
    NSG_REQUIRE_PRIVILEGED();
    daemon_ = std::make_unique<DaemonProcess>(std::vector<std::string>{"--socket-group", "nogroup"});
    ASSERT_TRUE(daemon_->ready()) << daemon_->log();
    target_ = workloads_.start({"unshare", "-u", "sleep", "60"});
    ASSERT_TRUE(eventually([&] { return differs(target_, "uts"); }));
    path_ = daemon_->request({{"op", "which"}, {"pid", target_}})["container"];
    ASSERT_NE(path_, "/init_container");
  }
  Output as(std::vector<std::string> prefix, std::vector<std::string> args) {
    prefix.push_back(reachable_binary());
    prefix.insert(prefix.end(), args.begin(), args.end());
    prefix.push_back("--socket");
    prefix.push_back(daemon_->socket());
    return capture(prefix);
  }
  std::unique_ptr<DaemonProcess> daemon_;
  Workloads workloads_;
  pid_t target_ = -1;
  std::string path_;
};

TEST_F(Changes, RefusedWithoutCapSysAdmin) {
  const std::vector<std::string> nobody = {"setpriv", "--reuid=nobody", "--regid=nogroup",
                                           "--clear-groups"};
  const std::vector<std::string> root_without = {"setpriv", "--bounding-set=-sys_admin",
                                                 "--inh-caps=-sys_admin"};
  for (const auto& who : {nobody, root_without}) {
    auto r = as(who, {"rename", path_, "renamed"});
    EXPECT_EQ(r.status, 5);  // refused by the daemon's access rules
    EXPECT_NE(r.err.find("CAP_SYS_ADMIN"), std::string::npos) << r.err;
    auto k = as(who, {"kill", path_});
    EXPECT_EQ(k.status, 5);
    EXPECT_NE(k.err.find("CAP_SYS_ADMIN"), std::string::npos) << k.err;
  }
  EXPECT_EQ(::kill(target_, 0), 0) << "the target died";
  EXPECT_EQ(daemon_->request({{"op", "which"}, {"pid", target_}})["container"], path_);
}

TEST_F(Changes, RefusedFromAContainerOnATargetNotStrictlyBelowIt) {
  // A sibling container, and the client's own container.
  auto r = as({"unshare", "-i"}, {"kill", path_});
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.err.find("no container at"), std::string::npos) << r.err;  // invisible to it
  auto self = capture({"unshare", "-i", "sh", "-c",
                       "\"$0\" rename $(\"$0\" which $$ --socket \"$1\") x --socket \"$1\"",
                       nsgroup_binary(), daemon_->socket()});
  EXPECT_EQ(self.status, 5);
  EXPECT_NE(self.err.find("not strictly below"), std::string::npos) << self.err;
  EXPECT_EQ(::kill(target_, 0), 0);
}

TEST_F(Changes, AllowedForRootInTheRootContainer) {
  auto r = as({}, {"rename", path_, "renamed"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "/init_container/renamed\n");
  auto k = as({}, {"kill", "/init_container/renamed"});
  ASSERT_EQ(k.status, 0) << k.err;
  // Without the mirror: the one member signalled, said in a line.
  EXPECT_EQ(k.out, "killed /init_container/renamed (1 process signalled directly)\n");
  EXPECT_EQ(wait_status(target_), 128 + SIGKILL);
}

TEST_F(Changes, NotFoundIsStatusThreeAndJsonIsTheReply) {
  for (const auto& args : {std::vector<std::string>{"kill", "/init_container/nothing"},
                           {"rename", "/init_container/nothing", "x"}}) {
    auto o = as({}, args);
    EXPECT_EQ(o.status, 3) << args[0];
    EXPECT_EQ(o.err, "nsgroup: no container at /init_container/nothing\n");
    EXPECT_TRUE(o.out.empty());
  }
  auto r = as({}, {"rename", path_, "json", "-o", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "{\"path\":\"/init_container/json\"}\n");
  auto k = as({}, {"kill", "/init_container/json", "--output=json"});
  ASSERT_EQ(k.status, 0) << k.err;
  EXPECT_EQ(k.out, "{\"path\":\"/init_container/json\",\"cgroup_kill\":false,\"signalled\":1}\n");
  EXPECT_EQ(wait_status(target_), 128 + SIGKILL);
}

// A reader that goes away ends watch quietly with status 0; a full disk
// fails it.
TEST(Watch, AReaderGoneIsStatusZeroAFullDiskIsOne) {
  NSG_REQUIRE_PRIVILEGED();
  DaemonProcess d;
  ASSERT_TRUE(d.ready()) << d.log();
  // head exits after the first line (the -o text header), closing the pipe;
  // namespace changes meanwhile make watch write again.
  std::string sock = d.socket();
  auto gone = capture({"sh", "-c",
                       "(for i in $(seq 50); do unshare -u true; sleep 0.2; done) & changes=$!;"
                       " (\"$0\" watch -o text --socket \"$1\"; echo \"status $?\" >&2) | head -n1;"
                       " kill $changes",
                       nsgroup_binary(), sock},
                      -1, std::chrono::seconds(20));
  EXPECT_NE(gone.err.find("status 0"), std::string::npos) << gone.err;
  EXPECT_EQ(gone.out.rfind("TIME", 0), 0U) << gone.out;
  auto full = capture({"sh", "-c", "exec \"$0\" watch -o text --socket \"$1\" >/dev/full",
                       nsgroup_binary(), sock},
                      -1, std::chrono::seconds(20));
  EXPECT_EQ(full.status, 1);
  EXPECT_NE(full.err.find("writing to stdout: No space left on device"), std::string::npos)
      << full.err;
}

}  // namespace
}  // namespace nsgroup::test
