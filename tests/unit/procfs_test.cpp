// The parsers of /proc and cgroupfs text, and cgroupfs's naming rules.
#include <gtest/gtest.h>

#include "host/cgroupfs.h"
#include "host/procfs.h"

namespace nsgroup {
namespace {

TEST(ParseNsLink, InodeOfTheRightType) {
  EXPECT_EQ(parse_ns_link("net:[4026531833]", "net"), 4026531833U);
  EXPECT_EQ(parse_ns_link("pid:[1]", "pid"), 1U);
  EXPECT_FALSE(parse_ns_link("net:[4026531833]", "uts"));
  EXPECT_FALSE(parse_ns_link("net:[]", "net"));
  EXPECT_FALSE(parse_ns_link("net:[12a]", "net"));
  EXPECT_FALSE(parse_ns_link("net:[99999999999]", "net"));
  EXPECT_FALSE(parse_ns_link("net:4026531833", "net"));
  EXPECT_FALSE(parse_ns_link("", "net"));
}

TEST(ParseStat, CommWithSpacesAndParentheses) {
  std::string stat =
      "4242 (a (b) c) S 4240 4242 4240 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 "
      "0 123456 10000000 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 "
      "1 0 0 0 0 0";
  auto f = parse_stat(stat);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->comm, "a (b) c");
  EXPECT_EQ(f->ppid, 4240U);
  EXPECT_EQ(f->start_ticks, 123456U);
  EXPECT_EQ(f->flags, 4194560U);
}

TEST(ParseStat, RejectsGarbage) {
  EXPECT_FALSE(parse_stat(""));
  EXPECT_FALSE(parse_stat("12 (x"));
  EXPECT_FALSE(parse_stat("12 (x) S 1 2"));
  EXPECT_FALSE(parse_stat("12 (x) S z 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19"));
}

TEST(ParseNsfsMounts, FindsNsfsBindMountsOnly) {
  std::string mi =
      "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
      "120 27 0:4 net:[4026532177] /run/netns/blue rw - nsfs nsfs rw\n"
      "121 27 0:4 net:[4026532177] /var/run/netns/blue rw - nsfs nsfs rw\n"
      "122 27 0:4 uts:[4026532300] /tmp/with\\040space rw shared:5 - nsfs nsfs rw\n"
      "123 27 0:4 bogus:[1] /x rw - nsfs nsfs rw\n"
      "garbage line\n";
  auto pins = parse_nsfs_mounts(mi);
  ASSERT_EQ(pins.size(), 2U);
  EXPECT_EQ(pins[0].type, static_cast<std::size_t>(NSG_NS_NET));
  EXPECT_EQ(pins[0].inum, 4026532177U);
  EXPECT_EQ(pins[0].mountpoint, "/run/netns/blue");
  EXPECT_EQ(pins[1].type, static_cast<std::size_t>(NSG_NS_UTS));
  EXPECT_EQ(pins[1].mountpoint, "/tmp/with space");
}

// The shapes themselves are in runtime_test.cpp; this is which line of
// /proc/PID/cgroup is read.
TEST(RuntimeFromProcCgroup, TheV2PathFirstThenV1) {
  std::string id(64, 'a');
  id.replace(0, 12, "0123456789ab");
  auto v2 = runtime_from_proc_cgroup("4:memory:/docker/" + id + "\n0::/system.slice/docker-" +
                                     id + ".scope\n");
  ASSERT_TRUE(v2);
  EXPECT_EQ(v2->name, "docker");
  EXPECT_EQ(v2->id, id);
  // A hybrid host where the runtime used only the v1 hierarchies.
  auto v1 = runtime_from_proc_cgroup("9:name=systemd:/lxc.payload.c1\n4:memory:/lxc.payload.c1\n0::/\n");
  ASSERT_TRUE(v1);
  EXPECT_EQ(v1->name, "lxc");
  EXPECT_EQ(v1->id, "c1");
  EXPECT_FALSE(runtime_from_proc_cgroup("0::/user.slice/session-1.scope\n"));
  EXPECT_FALSE(runtime_from_proc_cgroup("0::/system.slice/docker-" + id + "f.scope\n"));  // 65 digits
  EXPECT_FALSE(runtime_from_proc_cgroup(""));
}

TEST(Cgroup2Mount, UnifiedAndHybrid) {
  EXPECT_EQ(cgroup2_mount_from(
                "30 25 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"),
            "/sys/fs/cgroup");
  EXPECT_EQ(cgroup2_mount_from(
                "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
                "32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
                "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"),
            "/sys/fs/cgroup/unified");
  // A bind mount of a subtree does not show the hierarchy's root.
  EXPECT_FALSE(cgroup2_mount_from("50 1 0:26 /sub /mnt rw - cgroup2 cgroup2 rw\n"));
  EXPECT_FALSE(cgroup2_mount_from("22 27 0:21 / /proc rw - proc proc rw\n"));
}

TEST(CgroupV2Path, FindsTheUnifiedLine) {
  EXPECT_EQ(cgroup_v2_path("9:name=systemd:/\n4:memory:/x\n0::/nsgroup/container_3\n"),
            "/nsgroup/container_3");
  EXPECT_EQ(cgroup_v2_path("0::/\n"), "/");
  EXPECT_FALSE(cgroup_v2_path("1:cpu:/\n"));
}

TEST(ParseCapEff, HexMaskOfTheEffectiveSet) {
  EXPECT_EQ(parse_cap_eff("Name:\tx\nCapInh:\t0\nCapEff:\t000001ffffffffff\n"), 0x1ffffffffffULL);
  EXPECT_EQ(parse_cap_eff("CapEff:\t0000000000000000\n"), 0U);
  EXPECT_FALSE(parse_cap_eff("CapPrm:\t1\n"));
  EXPECT_FALSE(parse_cap_eff("CapEff:\tzz\n"));
}

TEST(ParseTgid, TheThreadGroupOfATask) {
  EXPECT_EQ(parse_tgid("Name:\tx\nUmask:\t0022\nState:\tS\nTgid:\t4242\nNgid:\t0\nPid:\t4250\n"),
            4242U);
  EXPECT_FALSE(parse_tgid("Pid:\t1\n"));
  EXPECT_FALSE(parse_tgid("Tgid:\t-1\n"));
  EXPECT_FALSE(parse_tgid("Tgid:\t0\n"));
  EXPECT_FALSE(parse_tgid("Tgid:\t99999999999\n"));
}

TEST(CgroupNames, RefusesWhatCgroupfsCannotHold) {
  EXPECT_FALSE(cgroup_name_error("web"));
  EXPECT_FALSE(cgroup_name_error(std::string(64, 'x')));
  for (std::string bad : {std::string(65, 'x'), std::string("cgroup.procs"),
                          std::string("memory.max"), std::string("tab\there"),
                          std::string("del\x7f")})
    EXPECT_TRUE(cgroup_name_error(bad)) << bad;
}

}  // namespace
}  // namespace nsgroup
