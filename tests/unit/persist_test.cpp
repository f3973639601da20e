// How containers are written down (xattrs, state file), and path_within.
#include <gtest/gtest.h>

#include "core/persist.h"
#include "core/tree.h"

namespace nsgroup {
namespace {

TEST(PathWithin, ComponentBoundaries) {
  EXPECT_TRUE(path_within("/nsgroup", "/nsgroup"));
  EXPECT_TRUE(path_within("/nsgroup/container_3", "/nsgroup"));
  EXPECT_FALSE(path_within("/nsgroup-test/x", "/nsgroup"));
  EXPECT_FALSE(path_within("/other", "/nsgroup"));
  EXPECT_TRUE(path_within("/anything", "/"));
}

TEST(NsText, RoundTripsAndRejectsGarbage) {
  NsSet s;
  for (std::size_t i = 0; i < kNsCount; ++i) {
    s.inum[i] = 4026531830 + static_cast<std::uint32_t>(i);
    s.id[i] = i * 1000;
  }
  auto back = parse_ns_text(ns_text(s));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, s);
  EXPECT_FALSE(parse_ns_text(""));
  EXPECT_FALSE(parse_ns_text("net=1/2"));  // nine missing
  std::string text = ns_text(s);
  EXPECT_FALSE(parse_ns_text(text.substr(0, text.size() - 1) + "x"));
  EXPECT_FALSE(parse_ns_text("bogus=1/2," + text));
}

TEST(CreationText, RoundTripsAnyComm) {
  Creation c;
  c.pid = 4242;
  c.comm = std::string("i p%=\xff\0x", 8);
  c.kind = EventKind::Unshare;
  c.via = Syscall::Unshare;
  c.flags = NSG_CLONE_NEWNET;
  c.ts_boot_ns = 123;
  auto back = parse_creation_text(creation_text(c));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->pid, 4242U);
  EXPECT_EQ(back->comm, c.comm);
  EXPECT_EQ(back->kind, EventKind::Unshare);
  EXPECT_EQ(back->via, Syscall::Unshare);
  EXPECT_EQ(back->flags, NSG_CLONE_NEWNET);
  EXPECT_EQ(back->ts_boot_ns, 123U);
  EXPECT_FALSE(parse_creation_text(""));
  EXPECT_FALSE(parse_creation_text("pid=x kind=unshare via=unshare flags=1 ts=1 comm=a"));
  EXPECT_FALSE(parse_creation_text("pid=1 kind=bogus via=unshare flags=1 ts=1 comm=a"));
  EXPECT_FALSE(parse_creation_text("pid=1 kind=unshare via=unshare flags=1 ts=1 comm=%G0"));
  EXPECT_FALSE(parse_creation_text("pid=1 kind=unshare via=unshare flags=1 ts=1"));
  EXPECT_FALSE(parse_creation_text("pid=99999999999 kind=unshare via=unshare flags=1 ts=1 comm=a"));
}

}  // namespace
}  // namespace nsgroup
