// Decoding of the task iterator's stream (nsg_task_record back to back).
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "kernel/decode.h"

namespace nsgroup {
namespace {

nsg_task_record sample(std::uint32_t pid) {
  nsg_task_record r{};
  r.hdr.type = NSG_REC_TASK;
  r.hdr.size = sizeof r;
  r.hdr.ts_boot_ns = 99;
  r.pid = pid;
  r.ppid = 1;
  r.start_ticks = 1000 + pid;
  r.flags = 0x00400100;  // PF_FORKNOEXEC | PF_RANDOMIZE: not a kernel thread
  std::memcpy(r.comm, "sleep", 6);
  for (int i = 0; i < NSG_NS_COUNT; ++i) {
    r.ns.inum[i] = 4026531830 + i;
    r.ns.id[i] = 100 + i;
  }
  r.ns.inum[NSG_NS_UTS] = 4026532600;
  std::memcpy(r.nodename, "itertest", 9);
  std::memcpy(r.cgroup, "docker-0123abcd.scope", 22);
  return r;
}

void append(std::vector<std::byte>& out, const nsg_task_record& r) {
  auto at = out.size();
  out.resize(at + sizeof r);
  std::memcpy(out.data() + at, &r, sizeof r);
}

TEST(TaskRecords, EmptyStreamIsNoProcesses) {
  auto procs = decode_task_records({});
  ASSERT_TRUE(procs) << procs.error().message();
  EXPECT_TRUE(procs->empty());
}

TEST(TaskRecords, GoodStreamDecodesEveryField) {
  std::vector<std::byte> raw;
  append(raw, sample(4242));
  auto kthread = sample(2);
  kthread.ppid = 0;
  kthread.flags = NSG_PF_KTHREAD | 0x40;
  std::memcpy(kthread.comm, "kthreadd", 9);
  std::memset(kthread.nodename, 0, sizeof kthread.nodename);
  std::memset(kthread.cgroup, 0, sizeof kthread.cgroup);
  append(raw, kthread);

  auto procs = decode_task_records(raw);
  ASSERT_TRUE(procs) << procs.error().message();
  ASSERT_EQ(procs->size(), 2U);
  const ProcInfo& p = (*procs)[0];
  EXPECT_EQ(p.pid, 4242U);
  EXPECT_EQ(p.ppid, 1U);
  EXPECT_EQ(p.start_ticks, 5242U);
  EXPECT_EQ(p.comm, "sleep");
  EXPECT_EQ(p.ns.inum[NSG_NS_UTS], 4026532600U);
  EXPECT_EQ(p.ns.inum[NSG_NS_NET], 4026531833U);
  EXPECT_EQ(p.ns.id[NSG_NS_NET], 103U);
  EXPECT_TRUE(p.readable);
  EXPECT_EQ(p.missing_mask, 0U);
  EXPECT_FALSE(p.partial);
  EXPECT_EQ(p.hostname, "itertest");
  EXPECT_EQ(p.cgroup_leaf, "docker-0123abcd.scope");
  EXPECT_FALSE(p.kernel_thread);

  const ProcInfo& k = (*procs)[1];
  EXPECT_EQ(k.pid, 2U);
  EXPECT_EQ(k.ppid, 0U);
  EXPECT_EQ(k.comm, "kthreadd");
  EXPECT_TRUE(k.kernel_thread);
  EXPECT_EQ(k.hostname, "");
  EXPECT_EQ(k.cgroup_leaf, "");  // the cgroup v2 root's name
}

TEST(TaskRecords, StringsThatFillTheirFieldStopAtIt) {
  auto r = sample(7);
  std::memset(r.comm, 'c', sizeof r.comm);
  std::memset(r.nodename, 'n', sizeof r.nodename);
  std::memset(r._pad1, 'X', sizeof r._pad1);  // must not be read as the name
  std::memset(r.cgroup, 'g', sizeof r.cgroup);
  std::vector<std::byte> raw;
  append(raw, r);
  auto procs = decode_task_records(raw);
  ASSERT_TRUE(procs) << procs.error().message();
  EXPECT_EQ((*procs)[0].comm, std::string(16, 'c'));
  EXPECT_EQ((*procs)[0].hostname, std::string(65, 'n'));
  EXPECT_EQ((*procs)[0].cgroup_leaf, std::string(128, 'g'));
}

TEST(TaskRecords, TruncatedStreamIsRefused) {
  std::vector<std::byte> raw;
  append(raw, sample(10));
  append(raw, sample(11));
  for (std::size_t cut : {std::size_t{1}, sizeof(nsg_task_record) / 2,
                          sizeof(nsg_task_record) - 1}) {
    std::vector<std::byte> part(raw.begin(), raw.end() - static_cast<long>(cut));
    auto procs = decode_task_records(part);
    EXPECT_FALSE(procs) << "cut " << cut;
  }
  std::vector<std::byte> tiny(raw.begin(), raw.begin() + 8);
  EXPECT_FALSE(decode_task_records(tiny));
}

TEST(TaskRecords, RecordOfAnotherTypeOrSizeIsRefused) {
  std::vector<std::byte> raw;
  append(raw, sample(10));
  auto bad = sample(11);
  bad.hdr.type = NSG_REC_FORK;
  append(raw, bad);
  auto procs = decode_task_records(raw);
  ASSERT_FALSE(procs);
  EXPECT_NE(procs.error().what.find("byte 376"), std::string::npos)
      << procs.error().what;

  raw.clear();
  auto wrong_size = sample(12);
  wrong_size.hdr.size = sizeof(nsg_task_record) - 8;
  append(raw, wrong_size);
  EXPECT_FALSE(decode_task_records(raw));
}

}  // namespace
}  // namespace nsgroup
