// The task iterator's lifecycle (open -> load -> attach_iter) and its
// read: bpf_iter_create on the link gives a fresh stream per scan.
#include "kernel/task_iter.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "iter.skel.h"
#include "kernel/bpf_support.h"
#include "kernel/decode.h"
#include "util/fd.h"

namespace nsgroup {

namespace {

// One read returns at most the kernel's seq buffer (8 pages); reading in
// larger steps only costs memory. Larger than one record, by far.
constexpr std::size_t kReadStep = std::size_t{64} * 1024;

Failure unsupported(const char* stage, int err) {
  return failure(std::string("the kernel cannot run BPF task iterators (iter/task): ") +
                 stage + " failed: " + std::strerror(err) +
                 " (run with -v for libbpf's log)");
}

}  // namespace

struct TaskScanner::State {
  // Destroyed in reverse order: the link before its program.
  SkelPtr<iter_bpf> skel;
  LinkPtr link;
  // The read buffer (kReadStep bytes), kept for the next scan.
  std::vector<std::byte> buf;
  // How many processes the last scan found: the next one reserves as many.
  std::size_t last_count = 0;
};

TaskScanner::TaskScanner(std::unique_ptr<State> s) : s_(std::move(s)) {}
TaskScanner::TaskScanner(TaskScanner&&) noexcept = default;
TaskScanner& TaskScanner::operator=(TaskScanner&&) noexcept = default;
TaskScanner::~TaskScanner() = default;

Result<TaskScanner> TaskScanner::open() {
  route_libbpf_log();
  if (auto ok = bpf_preflight(); !ok)
    return ok.error();
  // --btf gives CO-RE relocations only; the kernel finds the iterator's
  // target (bpf_iter_task) through its own BTF.
  if (!kernel_has_btf())
    return failure("BPF task iterators need the kernel's own BTF "
                   "(/sys/kernel/btf/vmlinux), which --btf cannot replace");
  auto s = std::make_unique<State>();
  bpf_object_open_opts open_opts = bpf_open_opts();
  s->skel.reset(iter_bpf::open(&open_opts));
  if (!s->skel)
    return unsupported("opening", errno);
  if (int err = iter_bpf::load(s->skel.get()); err != 0)
    return unsupported("loading", -err);
  // No options: every task of the pid namespace that creates the stream.
  s->link.reset(bpf_program__attach_iter(s->skel->progs.dump_task, nullptr));
  if (!s->link)
    return unsupported("attaching", errno);
  return TaskScanner(std::move(s));
}

Result<std::vector<ProcInfo>> TaskScanner::scan() {
  UniqueFd fd(bpf_iter_create(bpf_link__fd(s_->link.get())));
  if (!fd)
    return errno_failure("creating a task iterator stream");
  // Decoded as it is read: the raw stream (376 bytes a process) is never
  // held whole. A read may end inside a record; its start is kept.
  const std::size_t record = task_record_size();
  auto& buf = s_->buf;
  buf.resize(kReadStep);
  std::vector<ProcInfo> out;
  out.reserve(s_->last_count + s_->last_count / 8);
  std::size_t used = 0;
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data() + used, buf.size() - used);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return errno_failure("reading the task iterator");
    }
    if (n == 0)
      break;
    used += static_cast<std::size_t>(n);
    std::size_t whole = used - used % record;
    if (auto ok = decode_task_records(std::span<const std::byte>(buf.data(), whole), out); !ok)
      return ok.error();
    std::memmove(buf.data(), buf.data() + whole, used - whole);
    used -= whole;
  }
  if (used != 0)
    return failure("task iterator: the stream ends inside a record");
  s_->last_count = out.size();
  return out;
}

}  // namespace nsgroup
