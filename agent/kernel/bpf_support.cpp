// libbpf's log and the preflight checks shared by the tracer and the task
// iterator.
#include "kernel/bpf_support.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "util/log.h"

namespace nsgroup {

namespace {

int libbpf_print(enum libbpf_print_level /*level*/, const char* fmt,
                 va_list args) noexcept {
  // Only with -v: a failed load is summed up in one line of our own.
  if (!log_verbose())
    return 0;
  char* buf = nullptr;
  int n = ::vasprintf(&buf, fmt, args);
  if (n <= 0)
    return n;
  std::string_view line(buf, static_cast<std::size_t>(n));
  while (!line.empty() && line.back() == '\n')
    line.remove_suffix(1);
  if (!line.empty())
    log_debug(line);
  std::free(buf);
  return n;
}

}  // namespace

void route_libbpf_log() { libbpf_set_print(libbpf_print); }

Status bpf_preflight() {
  if (geteuid() != 0)
    return failure("loading BPF programs needs root (CAP_BPF, CAP_PERFMON, "
                   "CAP_SYS_ADMIN); run as root");
  struct stat st {};
  if (::stat("/sys/kernel/btf/vmlinux", &st) != 0)
    return failure("the kernel has no BTF (/sys/kernel/btf/vmlinux is missing): "
                   "nsgroup needs a kernel built with CONFIG_DEBUG_INFO_BTF=y");
  return {};
}

}  // namespace nsgroup
