// libbpf's log and the preflight checks shared by the tracer and the task
// iterator.
#include "kernel/bpf_support.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include <bpf/btf.h>

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

namespace {

// Written once by the command line, before any thread starts.
std::string& btf_file() {
  static std::string path;
  return path;
}

}  // namespace

void use_btf_file(std::string path) { btf_file() = std::move(path); }

bpf_object_open_opts bpf_open_opts() {
  bpf_object_open_opts o{};
  o.sz = sizeof o;
  if (!btf_file().empty())
    o.btf_custom_path = btf_file().c_str();
  return o;
}

bool kernel_has_btf() {
  struct stat st {};
  return ::stat("/sys/kernel/btf/vmlinux", &st) == 0;
}

Status bpf_preflight() {
  if (geteuid() != 0)
    return failure("loading BPF programs needs root (CAP_BPF, CAP_PERFMON, "
                   "CAP_SYS_ADMIN); run as root");
  if (const std::string& path = btf_file(); !path.empty()) {
    btf* parsed = btf__parse(path.c_str(), nullptr);
    if (parsed == nullptr)
      return failure("--btf " + path + ": not a readable BTF file: " + std::strerror(errno));
    btf__free(parsed);
    return {};
  }
  if (!kernel_has_btf())
    return failure("the kernel has no BTF (/sys/kernel/btf/vmlinux is missing): give "
                   "nsgroup this kernel's BTF with --btf FILE (a BTFHub file, or "
                   "`bpftool gen min_core_btf`), or use a kernel built with "
                   "CONFIG_DEBUG_INFO_BTF=y");
  return {};
}

}  // namespace nsgroup
