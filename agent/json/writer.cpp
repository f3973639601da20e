// JSON text output.
#include "json/writer.h"

#include <charconv>
#include <stdexcept>

namespace nsgroup {

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  std::size_t n;
  std::uint32_t cp;
  if (c < 0x80)
    return 1;
  if ((c & 0xe0) == 0xc0) {
    n = 2;
    cp = c & 0x1f;
  } else if ((c & 0xf0) == 0xe0) {
    n = 3;
    cp = c & 0x0f;
  } else if ((c & 0xf8) == 0xf0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size())
    return 0;
  for (std::size_t k = 1; k < n; ++k) {
    auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (cc & 0x3f);
  }
  // Overlong forms, surrogates and code points past U+10FFFF are invalid.
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
    return 0;
  return n;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  auto plain = [](unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; };
  for (std::size_t i = 0; i < s.size();) {
    // A run of bytes that need nothing, appended at once.
    std::size_t run = i;
    while (run < s.size() && plain(static_cast<unsigned char>(s[run])))
      ++run;
    if (run > i) {
      out.append(s.data() + i, run - i);
      i = run;
      continue;
    }
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
    case '"': out += "\\\""; ++i; continue;
    case '\\': out += "\\\\"; ++i; continue;
    case '\b': out += "\\b"; ++i; continue;
    case '\f': out += "\\f"; ++i; continue;
    case '\n': out += "\\n"; ++i; continue;
    case '\r': out += "\\r"; ++i; continue;
    case '\t': out += "\\t"; ++i; continue;
    default: break;
    }
    if (c < 0x20) {
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
      ++i;
      continue;
    }
    std::size_t n = utf8_length(s, i);
    if (n == 0) {
      out += "\xef\xbf\xbd";  // U+FFFD for a byte that starts no valid sequence
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  out.push_back('"');
}

std::string utf8_replaced(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = utf8_length(s, i);
    if (n == 0) {
      out += "\xef\xbf\xbd";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string indent_json(std::string_view in) {
  std::string out;
  out.reserve(in.size() * 2);
  JsonIndenter().feed(in, out);
  return out;
}

void JsonIndenter::newline(std::string& out) const {
  out.push_back('\n');
  out.append(level_ * 2, ' ');
}

void JsonIndenter::feed(std::string_view in, std::string& out) {
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (open_) {
      open_ = false;
      if (c == '}' || c == ']') {  // empty: "{}" and "[]" stay as they are
        out.push_back(c);
        continue;
      }
      ++level_;
      newline(out);
    }
    if (in_string_) {
      if (escape_) {  // the byte after a backslash, whatever it is
        out.push_back(c);
        escape_ = false;
        continue;
      }
      // Up to and including the next quote or backslash, at once.
      std::size_t end = in.find_first_of("\"\\", i);
      if (end == std::string_view::npos) {
        out.append(in.substr(i));
        return;
      }
      out.append(in.substr(i, end - i + 1));
      i = end;
      if (in[end] == '\\')
        escape_ = true;
      else
        in_string_ = false;
      continue;
    }
    switch (c) {
    case '"':
      out.push_back(c);
      in_string_ = true;
      break;
    case '{':
    case '[':
      out.push_back(c);
      open_ = true;
      break;
    case '}':
    case ']':
      --level_;
      newline(out);
      out.push_back(c);
      break;
    case ',':
      out.push_back(',');
      newline(out);
      break;
    case ':': out.append(": "); break;
    default: out.push_back(c);
    }
  }
}

void JsonWriter::comma() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ == 0)
    return;
  std::size_t d = depth_ - 1;
  std::uint64_t bit = 1ULL << (d % 64);
  if (used_[d / 64] & bit)
    out_.push_back(',');
  used_[d / 64] |= bit;
}

void JsonWriter::open(char c) {
  comma();
  if (depth_ == kMaxDepth)
    throw std::logic_error("JsonWriter: nesting deeper than 256");
  out_.push_back(c);
  used_[depth_ / 64] &= ~(1ULL << (depth_ % 64));
  ++depth_;
}

void JsonWriter::close(char c) {
  out_.push_back(c);
  --depth_;
}

JsonWriter& JsonWriter::begin_object() {
  open('{');
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  close('}');
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  open('[');
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  close(']');
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) {
  comma();
  append_json_string(out_, k);
  out_.push_back(':');
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
  comma();
  append_json_string(out_, s);
  return *this;
}

JsonWriter& JsonWriter::value(std::uint64_t v) {
  comma();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, end);
  return *this;
}

JsonWriter& JsonWriter::value(std::int64_t v) {
  comma();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, end);
  return *this;
}

JsonWriter& JsonWriter::value(bool v) {
  comma();
  out_ += v ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  comma();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  comma();
  out_.append(json);
  return *this;
}

}  // namespace nsgroup
