// Decoding of the records defined in include/nsgroup/events.h: pure and
// bounds-checked, since the bytes come from a buffer shared with the kernel.
#include "kernel/decode.h"

#include <cstring>
#include <type_traits>

namespace nsgroup {

std::string comm_string(const char (&comm)[16]) {
  return std::string(comm, strnlen(comm, sizeof comm));
}

namespace {

// A string field the kernel wrote: up to its NUL, never past the field.
template <std::size_t N>
std::string field_string(const char (&s)[N]) {
  return std::string(s, strnlen(s, N));
}

NsSet to_ns_set(const nsg_ns_set& raw) {
  NsSet s;
  for (std::size_t i = 0; i < kNsCount; ++i) {
    s.inum[i] = raw.inum[i];
    s.id[i] = raw.id[i];
  }
  return s;
}

Syscall to_syscall(std::uint32_t v) {
  switch (v) {
  case NSG_SYS_CLONE: return Syscall::Clone;
  case NSG_SYS_CLONE3: return Syscall::Clone3;
  case NSG_SYS_UNSHARE: return Syscall::Unshare;
  case NSG_SYS_SETNS: return Syscall::Setns;
  default: return Syscall::None;
  }
}

template <class Raw>
std::optional<Raw> copy_exact(std::span<const std::byte> raw,
                              const nsg_header& hdr) {
  if (hdr.size != sizeof(Raw) || raw.size() < sizeof(Raw))
    return std::nullopt;
  Raw r;
  std::memcpy(&r, raw.data(), sizeof r);
  return r;
}

std::optional<Event> decode_ns_event(std::span<const std::byte> raw,
                                     const nsg_header& hdr, EventKind kind) {
  auto r = copy_exact<nsg_ns_event>(raw, hdr);
  if (!r)
    return std::nullopt;
  Event e;
  e.kind = kind;
  e.ts_boot_ns = r->hdr.ts_boot_ns;
  e.pid = r->pid;
  e.tid = r->tid;
  e.ppid = r->ppid;
  e.uid = r->uid;
  e.flags = r->flags;
  e.ret = r->ret;
  e.fd = r->fd;
  e.syscall = to_syscall(r->syscall);
  e.creator_tid = r->creator_tid;
  e.start_ticks = r->start_ticks;
  e.comm = comm_string(r->comm);
  e.before = to_ns_set(r->before);
  e.after = to_ns_set(r->after);
  return e;
}

// Fork and exit records: a process, its start time and comm, and one field
// of their own.
template <class Raw>
std::optional<Event> decode_task_record(std::span<const std::byte> raw, const nsg_header& hdr,
                                        EventKind kind) {
  auto r = copy_exact<Raw>(raw, hdr);
  if (!r)
    return std::nullopt;
  Event e;
  e.kind = kind;
  e.ts_boot_ns = r->hdr.ts_boot_ns;
  e.pid = e.tid = r->pid;
  e.start_ticks = r->start_ticks;
  e.comm = comm_string(r->comm);
  if constexpr (std::is_same_v<Raw, nsg_fork_event>)
    e.ppid = r->ppid;
  else
    e.exit_code = r->exit_code;
  return e;
}

}  // namespace

std::optional<Event> decode_record(std::span<const std::byte> raw) {
  nsg_header hdr;
  if (raw.size() < sizeof hdr)
    return std::nullopt;
  std::memcpy(&hdr, raw.data(), sizeof hdr);

  switch (hdr.type) {
  case NSG_REC_CLONE: return decode_ns_event(raw, hdr, EventKind::Clone);
  case NSG_REC_UNSHARE: return decode_ns_event(raw, hdr, EventKind::Unshare);
  case NSG_REC_SETNS: return decode_ns_event(raw, hdr, EventKind::Setns);
  case NSG_REC_DENIED: return decode_ns_event(raw, hdr, EventKind::Denied);
  case NSG_REC_FORK: return decode_task_record<nsg_fork_event>(raw, hdr, EventKind::Fork);
  case NSG_REC_EXIT: return decode_task_record<nsg_exit_event>(raw, hdr, EventKind::Exit);
  default: return std::nullopt;
  }
}

std::size_t task_record_size() { return sizeof(nsg_task_record); }

Result<std::vector<ProcInfo>> decode_task_records(std::span<const std::byte> raw) {
  std::vector<ProcInfo> out;
  out.reserve(raw.size() / sizeof(nsg_task_record));
  if (auto ok = decode_task_records(raw, out); !ok)
    return ok.error();
  return out;
}

Status decode_task_records(std::span<const std::byte> raw, std::vector<ProcInfo>& out) {
  constexpr std::size_t kSize = sizeof(nsg_task_record);
  if (raw.size() % kSize != 0)
    return failure("task iterator: " + std::to_string(raw.size()) +
                   " bytes end in a partial record (records are " +
                   std::to_string(kSize) + " bytes)");
  for (std::size_t off = 0; off < raw.size(); off += kSize) {
    nsg_task_record r;
    std::memcpy(&r, raw.data() + off, kSize);
    if (r.hdr.type != NSG_REC_TASK || r.hdr.size != kSize)
      return failure("task iterator: record at byte " + std::to_string(off) +
                     " has type " + std::to_string(r.hdr.type) + " and size " +
                     std::to_string(r.hdr.size) + ", not a task record");
    ProcInfo& p = out.emplace_back();
    p.pid = r.pid;
    p.ppid = r.ppid;
    p.start_ticks = r.start_ticks;
    p.comm = comm_string(r.comm);
    p.ns = to_ns_set(r.ns);
    p.readable = true;
    p.missing_mask = 0;
    p.hostname = field_string(r.nodename);
    p.cgroup_leaf = field_string(r.cgroup);
    p.kernel_thread = (r.flags & NSG_PF_KTHREAD) != 0;
  }
  return {};
}

}  // namespace nsgroup
