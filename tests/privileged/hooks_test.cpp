// Hook sets: the one in use is the one the kernel can load, forcing fexit
// where it cannot is one clear error, and stats says which set is active.
#include <sched.h>

#include <algorithm>

#include "support.h"

namespace nsgroup::test {
namespace {

TEST(Hooks, AutoPicksFexitExactlyWhenTheKernelCanLoadIt) {
  NSG_REQUIRE_PRIVILEGED();
  if (test_hooks_name() != "auto")
    GTEST_SKIP() << "hooks forced to " << test_hooks_name();
  // Can this kernel run the fexit set? Ask it, through a forced daemon.
  auto forced = capture({nsgroup_binary(), "daemon", "--hooks=fexit", "--no-mirror",
                         "--no-events", "--socket", "/tmp/nsgroup-test-forced.sock",
                         "--state-dir", "/tmp/nsgroup-test-forced.state"},
                        -1, std::chrono::seconds(3));
  bool fexit_works = forced.status == 0;  // SIGTERM'd after 3 s: it ran
  if (!fexit_works) {
    EXPECT_EQ(forced.status, 1);
    EXPECT_EQ(std::count(forced.err.begin(), forced.err.end(), '\n'), 1) << forced.err;
    EXPECT_NE(forced.err.find("cannot load tracing (fexit) programs"), std::string::npos)
        << forced.err;
  }
  run({"rm", "-rf", "/tmp/nsgroup-test-forced.state"});

  DaemonProcess d;
  ASSERT_TRUE(d.ready()) << d.log();
  std::string hooks = d.request({{"op", "stats"}})["stats"]["hooks"];
  EXPECT_EQ(hooks, fexit_works ? "fexit" : "tracepoint");
  EXPECT_NE(d.log().find("hooks: " + hooks), std::string::npos) << d.log();
  if (const char* want = std::getenv("NSGROUP_TEST_EXPECT_HOOKS"))
    EXPECT_EQ(hooks, want) << "the test VM's kernel should allow fexit";
}

TEST(Hooks, ForcedSetIsTheOneReported) {
  NSG_REQUIRE_PRIVILEGED();
  if (test_hooks_name() == "auto")
    GTEST_SKIP() << "hooks not forced";
  DaemonProcess d;
  ASSERT_TRUE(d.ready()) << d.log();
  EXPECT_EQ(d.request({{"op", "stats"}})["stats"]["hooks"], test_hooks_name());
}

}  // namespace
}  // namespace nsgroup::test
