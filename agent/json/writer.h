// JsonWriter: JSON text written straight into a string, for the hot paths
// (an event per record, a tree of 10,000 containers). Commas are placed by
// the writer; strings are escaped as nlohmann's dump() escapes them, with
// invalid UTF-8 replaced by U+FFFD (kernel strings may hold any bytes).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace nsgroup {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // The key of the next member of the object being written.
  JsonWriter& key(std::string_view k);

  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(std::uint64_t v);
  JsonWriter& value(std::int64_t v);
  JsonWriter& value(std::uint32_t v) { return value(static_cast<std::uint64_t>(v)); }
  JsonWriter& value(std::int32_t v) { return value(static_cast<std::int64_t>(v)); }
  JsonWriter& value(bool v);
  JsonWriter& null();
  // Text that is already JSON (a value written elsewhere).
  JsonWriter& raw(std::string_view json);

  // key(k).value(v)
  template <class T>
  JsonWriter& member(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

 private:
  void comma();
  void open(char c);
  void close(char c);
  // Nesting deeper than this is a bug of the caller (the tree stops at 64).
  static constexpr std::size_t kMaxDepth = 256;
  std::string& out_;
  // Per open container, a bit: something was written in it already.
  std::array<std::uint64_t, kMaxDepth / 64> used_{};
  std::size_t depth_ = 0;
  bool after_key_ = false;
};

// Compact JSON text laid out as nlohmann's dump(2) lays it out: two
// spaces a level, ": " after keys, empty [] and {} on one line. Linear; the
// text is not parsed, only its strings are skipped over.
std::string indent_json(std::string_view compact);

// The same, fed in pieces as they arrive (a reply read from a socket):
// each feed appends the indented text of its bytes to `out`.
class JsonIndenter {
 public:
  void feed(std::string_view compact, std::string& out);

 private:
  void newline(std::string& out) const;

  std::size_t level_ = 0;
  bool in_string_ = false;
  bool escape_ = false;
  bool open_ = false;  // '{' or '[' written; its newline waits for the next byte
};

// s as a JSON string literal, appended to out.
void append_json_string(std::string& out, std::string_view s);

// s as a JSON string holds it: each byte that starts no valid UTF-8
// sequence replaced by U+FFFD (what a reader of the JSON gets back).
std::string utf8_replaced(std::string_view s);

}  // namespace nsgroup
