// Text forms of namespace sets and creations.
#include "core/persist.h"

#include "util/text.h"

namespace nsgroup {

std::string ns_text(const NsSet& s) {
  std::string out;
  for (std::size_t i = 0; i < kNsCount; ++i) {
    if (i)
      out.push_back(',');
    out.append(kNsNames[i]).append("=").append(std::to_string(s.inum[i]));
    out.append("/").append(std::to_string(s.id[i]));
  }
  return out;
}

std::optional<NsSet> parse_ns_text(std::string_view text) {
  NsSet s;
  std::uint32_t seen = 0;
  for (auto item : split(text, ',')) {
    auto eq = item.find('=');
    auto slash = item.find('/');
    if (eq == std::string_view::npos || slash == std::string_view::npos || slash < eq)
      return std::nullopt;
    auto idx = ns_index(item.substr(0, eq));
    auto inum = parse_u64(item.substr(eq + 1, slash - eq - 1));
    auto id = parse_u64(item.substr(slash + 1));
    if (!idx || !inum || !id || *inum > UINT32_MAX || (seen & (1U << *idx)))
      return std::nullopt;
    s.inum[*idx] = static_cast<std::uint32_t>(*inum);
    s.id[*idx] = *id;
    seen |= 1U << *idx;
  }
  if (seen != (1U << kNsCount) - 1)
    return std::nullopt;
  return s;
}

namespace {

std::string escape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (plain) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::optional<std::string> unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size())
      return std::nullopt;
    int hi = hex_digit(s[i + 1]), lo = hex_digit(s[i + 2]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

template <class Enum>
std::optional<Enum> enum_named(std::string_view name, Enum last) {
  for (int i = 0; i <= static_cast<int>(last); ++i)
    if (to_string(static_cast<Enum>(i)) == name)
      return static_cast<Enum>(i);
  return std::nullopt;
}

}  // namespace

std::string creation_text(const Creation& c) {
  std::string out = "pid=" + std::to_string(c.pid);
  out.append(" kind=").append(to_string(c.kind));
  // Syscall::None prints as "fork": keep the enum's own spelling apart.
  out.append(" via=").append(c.via == Syscall::None ? "none" : to_string(c.via));
  out.append(" flags=").append(std::to_string(c.flags));
  out.append(" ts=").append(std::to_string(c.ts_boot_ns));
  out.append(" comm=").append(escape(c.comm));
  return out;
}

std::optional<Creation> parse_creation_text(std::string_view text) {
  Creation c;
  unsigned seen = 0;
  for (auto item : split(text, ' ')) {
    auto eq = item.find('=');
    if (eq == std::string_view::npos)
      return std::nullopt;
    std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "pid") {
      auto v = parse_u64(value);
      if (!v || *v > UINT32_MAX)
        return std::nullopt;
      c.pid = static_cast<std::uint32_t>(*v);
      seen |= 1;
    } else if (key == "kind") {
      auto k = enum_named(value, EventKind::ContainerRemoved);
      if (!k)
        return std::nullopt;
      c.kind = *k;
      seen |= 2;
    } else if (key == "via") {
      auto v = value == "none" ? std::optional(Syscall::None) : enum_named(value, Syscall::Setns);
      if (!v)
        return std::nullopt;
      c.via = *v;
      seen |= 4;
    } else if (key == "flags" || key == "ts") {
      auto v = parse_u64(value);
      if (!v)
        return std::nullopt;
      (key == "flags" ? c.flags : c.ts_boot_ns) = *v;
      seen |= key == "flags" ? 8 : 16;
    } else if (key == "comm") {
      auto comm = unescape(value);
      if (!comm)
        return std::nullopt;
      c.comm = std::move(*comm);
      seen |= 32;
    }
  }
  if (seen != 63)
    return std::nullopt;
  return c;
}

}  // namespace nsgroup
