// The mirror's pure helpers: mount discovery, cgroup paths, xattr formats.
#include <gtest/gtest.h>

#include "mirror.h"

namespace nsgroup {
namespace {

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

TEST(PathWithin, ComponentBoundaries) {
  EXPECT_TRUE(path_within("/nsgroup", "/nsgroup"));
  EXPECT_TRUE(path_within("/nsgroup/container_3", "/nsgroup"));
  EXPECT_FALSE(path_within("/nsgroup-test/x", "/nsgroup"));
  EXPECT_FALSE(path_within("/other", "/nsgroup"));
  EXPECT_TRUE(path_within("/anything", "/"));
}

TEST(NsXattr, RoundTripsAndRejectsGarbage) {
  NsSet s;
  for (std::size_t i = 0; i < kNsCount; ++i) {
    s.inum[i] = 4026531830 + static_cast<std::uint32_t>(i);
    s.id[i] = i * 1000;
  }
  auto back = parse_ns_xattr(ns_xattr(s));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, s);
  EXPECT_FALSE(parse_ns_xattr(""));
  EXPECT_FALSE(parse_ns_xattr("net=1/2"));  // nine missing
  std::string text = ns_xattr(s);
  EXPECT_FALSE(parse_ns_xattr(text.substr(0, text.size() - 1) + "x"));
  EXPECT_FALSE(parse_ns_xattr("bogus=1/2," + text));
}

TEST(CreationXattr, RoundTrips) {
  Creation c;
  c.pid = 4242;
  c.comm = "ip";
  c.kind = EventKind::Unshare;
  c.via = Syscall::Unshare;
  c.flags = NSG_CLONE_NEWNET;
  c.ts_boot_ns = 123;
  auto back = parse_creation_xattr(creation_xattr(c));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->pid, 4242U);
  EXPECT_EQ(back->comm, "ip");
  EXPECT_EQ(back->via, Syscall::Unshare);
  EXPECT_EQ(back->flags, NSG_CLONE_NEWNET);
  EXPECT_FALSE(parse_creation_xattr("{"));
  EXPECT_FALSE(parse_creation_xattr("{\"pid\":\"x\"}"));
}

}  // namespace
}  // namespace nsgroup
