// The tree drawn for people.
#include "cli/text.h"

#include "util/text.h"

namespace nsgroup {

namespace {

void render(const Json& c, const std::string& prefix, bool last, bool top,
            std::string& out) {
  std::string line = prefix;
  if (!top)
    line += last ? "└─" : "├─";
  // Names, labels (a hostname, a comm) are anyone's text: escaped.
  line += terminal_safe(c.value("name", "?"));
  if (c.contains("label") && c["label"].is_string())
    line.append("  ").append(terminal_safe(c["label"].get<std::string>()));
  auto n = c.value("nprocs", 0);
  line.append("  ").append(std::to_string(n)).append(n == 1 ? " proc" : " procs");
  if (c.contains("new_ns") && !c["new_ns"].empty()) {
    line += "  new:";
    bool first = true;
    for (const auto& ns : c["new_ns"]) {
      line += first ? " " : ",";
      line += ns.get<std::string>();
      first = false;
    }
  }
  if (c.value("pinned", false))
    line += "  (pinned)";
  if (c.contains("pids")) {
    line += "  pids:";
    for (const auto& p : c["pids"]) {
      line.push_back(' ');
      line.append(std::to_string(p.get<std::uint32_t>()));
    }
  }
  out += line + "\n";
  const Json& kids = c["children"];
  std::string child_prefix = top ? prefix : prefix + (last ? "  " : "│ ");
  for (std::size_t i = 0; i < kids.size(); ++i)
    render(kids[i], child_prefix, i + 1 == kids.size(), false, out);
}

}  // namespace

std::string render_text(const Json& doc) {
  std::string out;
  if (!doc.contains("root") || !doc["root"].is_object())
    return out;
  const Json& root = doc["root"];
  std::string head = root.value("path", "/");
  Json copy = root;
  copy["name"] = head;
  render(copy, "", true, true, out);
  return out;
}

}  // namespace nsgroup
