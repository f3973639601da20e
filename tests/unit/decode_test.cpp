// Decoding of raw ring-buffer records.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "kernel/decode.h"

namespace nsgroup {
namespace {

template <class Raw>
std::vector<std::byte> bytes_of(const Raw& r) {
  std::vector<std::byte> v(sizeof r);
  std::memcpy(v.data(), &r, sizeof r);
  return v;
}

nsg_ns_event sample_unshare() {
  nsg_ns_event r{};
  r.hdr.type = NSG_REC_UNSHARE;
  r.hdr.size = sizeof r;
  r.hdr.ts_boot_ns = 123456789;
  r.pid = 4242;
  r.tid = 4243;
  r.ppid = 4240;
  r.uid = 1000;
  r.flags = NSG_CLONE_NEWNET;
  r.ret = 0;
  r.fd = -1;
  r.syscall = NSG_SYS_UNSHARE;
  r.start_ticks = 777;
  std::memcpy(r.comm, "ip", 3);
  for (int i = 0; i < NSG_NS_COUNT; ++i) {
    r.before.inum[i] = 4026531830 + i;
    r.before.id[i] = 100 + i;
  }
  r.after = r.before;
  r.after.inum[NSG_NS_NET] = 4026532500;
  r.after.id[NSG_NS_NET] = 9000;
  return r;
}

TEST(DecodeRecord, UnshareKeepsEveryField) {
  auto raw = bytes_of(sample_unshare());
  auto e = decode_record(raw);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, EventKind::Unshare);
  EXPECT_EQ(e->ts_boot_ns, 123456789U);
  EXPECT_EQ(e->pid, 4242U);
  EXPECT_EQ(e->tid, 4243U);
  EXPECT_EQ(e->ppid, 4240U);
  EXPECT_EQ(e->uid, 1000U);
  EXPECT_EQ(e->flags, NSG_CLONE_NEWNET);
  EXPECT_EQ(e->syscall, Syscall::Unshare);
  EXPECT_EQ(e->start_ticks, 777U);
  EXPECT_EQ(e->comm, "ip");
  EXPECT_EQ(e->after.inum[NSG_NS_NET], 4026532500U);
  EXPECT_EQ(e->after.id[NSG_NS_NET], 9000U);
  EXPECT_EQ(e->changed_mask(), 1U << NSG_NS_NET);
}

TEST(DecodeRecord, CommOfSixteenBytesHasNoTerminator) {
  auto r = sample_unshare();
  std::memcpy(r.comm, "0123456789abcdef", 16);
  auto e = decode_record(bytes_of(r));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->comm, "0123456789abcdef");
}

TEST(DecodeRecord, RejectsTruncatedRecords) {
  auto raw = bytes_of(sample_unshare());
  EXPECT_FALSE(decode_record(std::span(raw).first(raw.size() - 1)));
  EXPECT_FALSE(decode_record(std::span(raw).first(8)));
  EXPECT_FALSE(decode_record({}));
}

TEST(DecodeRecord, RejectsSizeThatDisagreesWithType) {
  auto r = sample_unshare();
  r.hdr.size = sizeof(nsg_exit_event);
  EXPECT_FALSE(decode_record(bytes_of(r)));
}

TEST(DecodeRecord, RejectsUnknownType) {
  auto r = sample_unshare();
  r.hdr.type = 99;
  EXPECT_FALSE(decode_record(bytes_of(r)));
}

TEST(DecodeRecord, ExitAndFork) {
  nsg_exit_event x{};
  x.hdr.type = NSG_REC_EXIT;
  x.hdr.size = sizeof x;
  x.pid = 55;
  x.exit_code = 3 << 8;
  std::memcpy(x.comm, "sleep", 6);
  auto e = decode_record(bytes_of(x));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, EventKind::Exit);
  EXPECT_EQ(e->pid, 55U);
  EXPECT_EQ(e->exit_code, 3U << 8);
  EXPECT_EQ(e->comm, "sleep");

  nsg_fork_event f{};
  f.hdr.type = NSG_REC_FORK;
  f.hdr.size = sizeof f;
  f.pid = 56;
  f.ppid = 55;
  e = decode_record(bytes_of(f));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, EventKind::Fork);
  EXPECT_EQ(e->pid, 56U);
  EXPECT_EQ(e->ppid, 55U);
}

}  // namespace
}  // namespace nsgroup
