// Text helpers for the kernel's formats (/proc, mountinfo, cgroupfs):
// pure, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nsgroup {

// The fields of text between separators. For ' ', runs of spaces count
// as one and no field is empty; for any other separator, empty fields stay.
std::vector<std::string_view> split(std::string_view text, char sep);

// A decimal number made of digits only, that fits in 64 bits; nullopt for
// anything else (a sign, spaces, an overflow).
std::optional<std::uint64_t> parse_u64(std::string_view s);

// The value of a hex digit (either case), or -1.
constexpr int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// Decodes the octal escapes of mountinfo ("\040" for a space).
std::string unescape_octal(std::string_view s);

// UTF-8 text safe to print on a terminal: C0 controls, DEL and C1 controls
// (U+0080-U+009F, which some terminals obey as escapes) become \xNN or
// \uNNNN, and a backslash \\, so that what a process chose as its comm or
// hostname cannot move the cursor or retitle the window.
std::string terminal_safe(std::string_view s);

}  // namespace nsgroup
