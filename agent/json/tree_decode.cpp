// Tree documents parsed back (nlohmann), cut and decoded.
#include "json/tree_decode.h"

#include "json/json.h"

namespace nsgroup {

namespace {

// Descendants of c, c not counted.
std::size_t descendants(const Json& c) {
  std::size_t n = 0;
  if (c.contains("children"))
    for (const auto& k : c["children"])
      n += 1 + descendants(k);
  return n;
}

void prune(Json& c, int depth) {
  if (!c.contains("children") || !c["children"].is_array())
    return;
  if (depth == 0) {
    if (std::size_t n = descendants(c); n != 0)
      c["children_omitted"] = n;
    c["children"] = Json::array();
    return;
  }
  for (auto& k : c["children"])
    prune(k, depth - 1);
}

// The parsed document cut at depth; discarded when it is not JSON.
Json parse_cut(std::string_view doc, int depth) {
  Json j = Json::parse(doc, nullptr, false);
  if (depth >= 0 && j.is_object() && j.contains("root") && j["root"].is_object())
    prune(j["root"], depth);
  return j;
}

std::vector<std::string> strings_of(const Json& c, const char* key) {
  std::vector<std::string> out;
  auto it = c.find(key);
  if (it == c.end() || !it->is_array())
    return out;
  for (const auto& n : *it)
    if (n.is_string())
      out.push_back(n.get<std::string>());
  return out;
}

std::int64_t int_of(const Json& c, const char* key) {
  auto it = c.find(key);
  return it != c.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

TreeNode node_of(const Json& c, std::string name) {
  TreeNode n;
  n.name = std::move(name);
  auto pinned = c.find("pinned");
  n.pinned = pinned != c.end() && pinned->is_boolean() && pinned->get<bool>();
  n.nprocs = int_of(c, "nprocs");
  n.children_omitted = int_of(c, "children_omitted");
  n.new_ns = strings_of(c, "new_ns");
  if (auto label = c.find("label"); label != c.end() && !label->is_null())
    n.label = label->is_string() ? label->get<std::string>() : label->dump();
  if (auto pids = c.find("pids"); pids != c.end() && pids->is_array())
    for (const auto& p : *pids)
      if (p.is_number_unsigned())
        n.pids.push_back(p.get<std::uint32_t>());
  if (auto kids = c.find("children"); kids != c.end() && kids->is_array())
    for (const auto& k : *kids)
      if (k.is_object()) {
        auto name_it = k.find("name");
        n.children.push_back(
            node_of(k, name_it != k.end() && name_it->is_string() ? name_it->get<std::string>()
                                                                   : "?"));
      }
  return n;
}

}  // namespace

std::optional<TreeDoc> decode_tree(std::string_view doc, int depth) {
  Json j = parse_cut(doc, depth);
  if (j.is_discarded())
    return std::nullopt;
  TreeDoc out;
  if (!j.is_object() || !j.contains("root") || !j["root"].is_object())
    return out;
  const Json& root = j["root"];
  auto path = root.find("path");
  out.root = node_of(root, path != root.end() && path->is_string() ? path->get<std::string>()
                                                                   : "/");
  return out;
}

std::optional<std::string> cut_tree_json(std::string_view doc, int depth) {
  Json j = parse_cut(doc, depth);
  if (j.is_discarded())
    return std::nullopt;
  return j.dump(2);
}

}  // namespace nsgroup
