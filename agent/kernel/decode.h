// Raw records to typed values: ring-buffer records to events, the task
// iterator's stream to processes.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/snapshot.h"
#include "util/result.h"

namespace nsgroup {

// Decodes one ring-buffer record. nullopt for a record that is truncated,
// has an unknown type or a size that disagrees with its type.
std::optional<Event> decode_record(std::span<const std::byte> raw);

// Decodes what a read of the task iterator returned: back-to-back
// nsg_task_records. A record of another type or size, or a partial record
// at the end, fails the whole stream.
Result<std::vector<ProcInfo>> decode_task_records(std::span<const std::byte> raw);
// The same, appended to `out`, for a stream decoded as it is read.
Status decode_task_records(std::span<const std::byte> raw, std::vector<ProcInfo>& out);
// The size of one task record.
std::size_t task_record_size();

// A comm from the kernel: up to 16 bytes, NUL-terminated if shorter.
std::string comm_string(const char (&comm)[16]);

}  // namespace nsgroup
