// The tree document (docs/design.md, "The tree") read back, as the CLI
// gets it from the daemon or from a scan: decoded into plain structs for
// the text drawing, or cut to a depth and indented for JSON output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nsgroup {

// One container as `tree --text` draws it. Strings are as the document
// has them, not escaped for a terminal.
struct TreeNode {
  std::string name;  // the root's is its "path"
  bool pinned = false;
  std::int64_t nprocs = 0;
  std::vector<std::string> new_ns;
  std::string label;  // a string label as is, another value as JSON, none ""
  std::vector<std::uint32_t> pids;
  // How many containers below this one a cut left out (0: none).
  std::int64_t children_omitted = 0;
  std::vector<TreeNode> children;
};

struct TreeDoc {
  std::optional<TreeNode> root;  // none when the document has no root object
};

// The document, cut `depth` levels below its root (0: the root alone;
// negative: whole); nullopt when the text is not JSON. A container whose
// children were cut says how many containers below it were.
std::optional<TreeDoc> decode_tree(std::string_view doc, int depth = -1);

// The same cut, as JSON indented by two spaces (no newline at the end).
std::optional<std::string> cut_tree_json(std::string_view doc, int depth);

}  // namespace nsgroup
