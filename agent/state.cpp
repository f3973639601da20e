// State file: JSON, written by rename(2) over the old one.
#include "state.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "event_json.h"
#include "fd.h"
#include "mirror.h"

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
    j["ns"] = ns_xattr(c.ns);
    if (c.created)
      j["created"] = creation_xattr(*c.created);
    list.push_back(std::move(j));
  });
  doc["containers"] = std::move(list);
  return dump_line(doc) + "\n";
}

std::optional<SavedState> parse_state(std::string_view text) {
  Json doc = Json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || doc.value("version", 0) != 1)
    return std::nullopt;
  try {
    SavedState st;
    st.next_id = doc.at("next_id").get<ContainerId>();
    for (const auto& j : doc.at("containers")) {
      RestoredContainer r;
      r.id = j.at("id").get<ContainerId>();
      r.name = j.at("name").get<std::string>();
      r.parent = j.at("parent").get<ContainerId>();
      auto ns = parse_ns_xattr(j.at("ns").get<std::string>());
      if (!ns)
        return std::nullopt;
      r.ns = *ns;
      if (j.contains("created"))
        r.created = parse_creation_xattr(j["created"].get<std::string>());
      st.containers.push_back(std::move(r));
    }
    return st;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool save_state(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd)
    return false;
  std::string_view rest = text;
  while (!rest.empty()) {
    ssize_t n = ::write(fd.get(), rest.data(), rest.size());
    if (n <= 0)
      return false;
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fsync(fd.get()) != 0)
    return false;
  fd.reset();
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace nsgroup
