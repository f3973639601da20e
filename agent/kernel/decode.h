// Raw ring-buffer records to typed events.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>

#include "core/event.h"

namespace nsgroup {

// Decodes one ring-buffer record. nullopt for a record that is truncated,
// has an unknown type or a size that disagrees with its type.
std::optional<Event> decode_record(std::span<const std::byte> raw);

// A comm from the kernel: up to 16 bytes, NUL-terminated if shorter.
std::string comm_string(const char (&comm)[16]);

}  // namespace nsgroup
