// The state file's JSON.
#include "json/state_json.h"

#include "json/json.h"

namespace nsgroup {

std::string state_text(const Tree& tree) {
  Json doc;
  doc["version"] = 1;
  doc["next_id"] = tree.next_id();
  Json list = Json::array();
  tree.visit(kRootId, [&](const Container& c, int) {
    if (c.id == kRootId)
      return;
    Json j;
    j["id"] = c.id;
    j["name"] = c.name;
    j["parent"] = c.parent;
    j["ns"] = ns_text(c.ns);
    if (c.created)
      j["created"] = creation_text(*c.created);
    list.push_back(std::move(j));
  });
  doc["containers"] = std::move(list);
  return dump_line(doc) + "\n";
}

std::optional<SavedState> parse_state(std::string_view text) {
  Json doc = Json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("version") ||
      doc["version"] != 1)
    return std::nullopt;
  try {
    SavedState st;
    st.next_id = doc.at("next_id").get<ContainerId>();
    for (const auto& j : doc.at("containers")) {
      SavedContainer r;
      r.id = j.at("id").get<ContainerId>();
      r.name = j.at("name").get<std::string>();
      r.parent = j.at("parent").get<ContainerId>();
      auto ns = parse_ns_text(j.at("ns").get<std::string>());
      if (!ns)
        return std::nullopt;
      r.ns = *ns;
      if (j.contains("created"))
        r.created = parse_creation_text(j["created"].get<std::string>());
      st.containers.push_back(std::move(r));
    }
    return st;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace nsgroup
