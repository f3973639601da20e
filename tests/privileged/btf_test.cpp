// Kernels without BTF: the daemon fails naming the fix, and --btf with a
// minimal BTF (bpftool gen min_core_btf) of this kernel serves the
// tracepoint hooks and /proc scans. "Without BTF" is a private mount
// namespace with a tmpfs over /sys/kernel/btf: libbpf then finds none,
// while the kernel keeps its own.
#include <sys/stat.h>

#include <cstdlib>
#include <functional>

#include "support.h"

namespace nsgroup::test {
namespace {

// Runs the rest of the command line with /sys/kernel/btf hidden.
const std::vector<std::string> kWithoutBtf = {
    "unshare", "-m", "sh", "-c",
    "mount -t tmpfs nsgroup-no-btf /sys/kernel/btf && exec \"$0\" \"$@\""};

// Where the build left the BPF objects ($NSGROUP_TEST_BPF_DIR in the VM).
std::string bpf_dir() {
  if (const char* dir = std::getenv("NSGROUP_TEST_BPF_DIR"))
    return dir;
  return std::string(NSGROUP_BUILD_DIR) + "/agent/kernel/bpf";
}

TEST(Btf, WithoutKernelBtfTheDaemonFailsNamingTheFix) {
  NSG_REQUIRE_PRIVILEGED();
  std::vector<std::string> argv = kWithoutBtf;
  for (const char* a : {"daemon", "--no-mirror", "--no-events", "--socket",
                        "/tmp/nsgroup-test-nobtf.sock", "--state-dir",
                        "/tmp/nsgroup-test-nobtf.state"})
    argv.emplace_back(a);
  argv.insert(argv.begin() + 5, nsgroup_binary());
  auto out = capture(argv, -1, std::chrono::seconds(20));
  run({"rm", "-rf", "/tmp/nsgroup-test-nobtf.state"});
  EXPECT_EQ(out.status, 1) << out.err;
  EXPECT_NE(out.err.find("/sys/kernel/btf/vmlinux is missing"), std::string::npos) << out.err;
  EXPECT_NE(out.err.find("--btf FILE"), std::string::npos) << out.err;
}

TEST(Btf, AMinimalBtfServesTheTracepointsAndProcScans) {
  NSG_REQUIRE_PRIVILEGED();
  if (test_hooks_name() == "fexit")
    GTEST_SKIP() << "fexit needs the kernel's own BTF, which this test hides";
  const std::string min = "/tmp/nsgroup-test-min-" + std::to_string(::getpid()) + ".btf";
  auto made = capture({"bpftool", "gen", "min_core_btf", "/sys/kernel/btf/vmlinux", min,
                       bpf_dir() + "/nsgroup.bpf.o", bpf_dir() + "/iter.bpf.o"});
  ASSERT_EQ(made.status, 0) << made.out << made.err;
  struct stat full {}, small {};
  ASSERT_EQ(::stat("/sys/kernel/btf/vmlinux", &full), 0);
  ASSERT_EQ(::stat(min.c_str(), &small), 0);
  EXPECT_LT(small.st_size * 20, full.st_size) << "not a minimal BTF";

  std::vector<std::string> wrapper = kWithoutBtf;
  {
    DaemonProcess d({"--btf", min, DaemonProcess::kPrintEvents}, wrapper);
    ASSERT_TRUE(d.ready()) << d.log();
    auto stats = d.request({{"op", "stats"}})["stats"];
    EXPECT_EQ(stats["hooks"], "tracepoint");
    EXPECT_EQ(stats["scans"]["source"], "/proc") << stats.dump();

    // An unshare, seen by the hooks, and the tree's container of it with
    // the namespaces /proc shows.
    Workloads w;
    pid_t p = w.start({"unshare", "-u", "sleep", "30"});
    pid_t leaf = 0;
    ASSERT_TRUE(eventually([&] {
      auto kids = children_of(p);
      leaf = kids.empty() ? p : kids[0];
      return ns_inode(leaf, "uts") != ns_inode(::getpid(), "uts");
    }));
    std::string needle = "\"event\":\"unshare\",\"pid\":" + std::to_string(p);
    ASSERT_TRUE(eventually([&] { return d.events().find(needle) != std::string::npos; }))
        << d.events().substr(0, 2000) << d.log();
    auto reply = d.request({{"op", "which"}, {"pid", leaf}});
    ASSERT_TRUE(reply["ok"]) << reply.dump();
    auto tree = d.request({{"op", "tree"}});
    bool found = false;
    std::function<void(const nlohmann::ordered_json&)> walk = [&](const auto& c) {
      if (c.at("path") == reply["container"]) {
        found = true;
        for (const char* ns : {"uts", "net", "mnt", "pid", "user"})
          EXPECT_EQ(c.at("ns").at(ns), ns_inode(leaf, ns)) << ns;
      }
      if (c.contains("children"))
        for (const auto& k : c.at("children"))
          walk(k);
    };
    ASSERT_EQ(tree["ok"], true) << tree.dump();
    walk(tree["tree"]["root"]);
    EXPECT_TRUE(found) << reply.dump();
  }
  std::remove(min.c_str());
}

}  // namespace
}  // namespace nsgroup::test
