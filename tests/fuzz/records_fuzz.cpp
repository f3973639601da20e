// libFuzzer target: bytes as the BPF ring buffer or the task iterator
// would hand them to user space. Decoding never reads out of bounds and
// never trusts a size field; what decodes is a well-formed event.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "kernel/decode.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto raw = std::span(reinterpret_cast<const std::byte*>(data), size);
  if (auto e = nsgroup::decode_record(raw)) {
    if (e->comm.size() > 16)
      std::abort();
  }
  std::vector<nsgroup::ProcInfo> procs;
  (void)nsgroup::decode_task_records(raw, procs);
  return 0;
}
