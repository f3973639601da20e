// The tree and the events drawn for people.
#include "cli/text.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "util/text.h"

namespace nsgroup {

namespace {

// Columns on a terminal: code points (the box glyphs and escaped text are
// one column each).
std::size_t columns(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char ch) { return (ch & 0xC0) != 0x80; }));
}

void pad_to(std::string& s, std::size_t width) {
  std::size_t have = columns(s);
  if (have < width)
    s.append(width - have, ' ');
}

// The strings of a JSON array, comma-separated and escaped.
std::string joined(const Json& names) {
  std::string out;
  if (!names.is_array())
    return out;
  for (const auto& n : names)
    if (n.is_string())
      out.append(out.empty() ? "" : ",").append(terminal_safe(n.get<std::string>()));
  return out;
}

std::string text_of(const Json& j, std::string_view key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null())
    return "";
  return terminal_safe(it->is_string() ? it->get<std::string>() : it->dump());
}

struct Row {
  std::string tree, procs, fresh, label, pids;
};

void collect(const Json& c, const std::string& prefix, bool last, bool top, std::vector<Row>& rows,
             const TreeTextOptions& o) {
  Row r;
  r.tree = prefix;
  if (!top)
    r.tree += last ? "└─" : "├─";
  r.tree += terminal_safe(c.value("name", "?"));
  if (c.value("pinned", false))
    r.tree += " (pinned)";
  if (auto cut = c.value("children_omitted", 0); cut != 0)
    r.tree += " (+" + std::to_string(cut) + " below)";
  r.procs = std::to_string(c.value("nprocs", 0));
  r.fresh = joined(c.value("new_ns", Json::array()));
  r.label = text_of(c, "label");
  if (o.pids && c.contains("pids") && c["pids"].is_array())
    for (const auto& p : c["pids"])
      r.pids.append(r.pids.empty() ? "" : " ").append(std::to_string(p.get<std::uint32_t>()));
  rows.push_back(std::move(r));
  const Json& kids = c.contains("children") ? c["children"] : Json::array();
  std::string child_prefix = top ? prefix : prefix + (last ? "  " : "│ ");
  for (std::size_t i = 0; i < kids.size(); ++i)
    collect(kids[i], child_prefix, i + 1 == kids.size(), false, rows, o);
}

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

}  // namespace

std::string render_text(const Json& doc, const TreeTextOptions& o) {
  if (!doc.contains("root") || !doc["root"].is_object())
    return "";
  Json root = doc["root"];
  root["name"] = root.value("path", "/");
  std::vector<Row> rows;
  rows.push_back({"CONTAINER", "PROCS", "NEW", "LABEL", "PIDS"});
  collect(root, "", true, true, rows, o);
  std::size_t tree_w = 0, procs_w = 0, fresh_w = 0, label_w = 0;
  for (const Row& r : rows) {
    tree_w = std::max(tree_w, columns(r.tree));
    procs_w = std::max(procs_w, r.procs.size());
    fresh_w = std::max(fresh_w, r.fresh.size());
    label_w = std::max(label_w, columns(r.label));
  }
  std::string out;
  for (const Row& r : rows) {
    std::string line = r.tree;
    pad_to(line, tree_w + 2);
    line.append(procs_w - r.procs.size(), ' ').append(r.procs).append("  ");
    line.append(r.fresh);
    pad_to(line, tree_w + 2 + procs_w + 2 + fresh_w + 2);
    line.append(r.label);
    if (o.pids) {
      pad_to(line, columns(line) + (label_w - columns(r.label)) + 2);
      line.append(r.pids);
    }
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    out.append(line).append("\n");
  }
  return out;
}

void prune_depth(Json& doc, int depth) {
  if (depth >= 0 && doc.contains("root") && doc["root"].is_object())
    prune(doc["root"], depth);
}

namespace {

// Where each column starts (TIME EVENT PID COMM NS CONTAINER); a cell
// wider than its column pushes the rest one blank further, no more.
constexpr std::array<std::size_t, 6> kColumnAt = {0, 16, 34, 42, 59, 81};

std::string columns_line(const std::array<std::string, 6>& cells) {
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i != 0) {
      std::size_t at = columns(line);
      line.append(at < kColumnAt[i] ? kColumnAt[i] - at : 1, ' ');
    }
    line.append(cells[i]);
  }
  while (!line.empty() && line.back() == ' ')
    line.pop_back();
  return line;
}

std::string_view colour_of(std::string_view kind) {
  if (kind == "unshare" || kind == "clone")
    return "\x1b[32m";  // green: a namespace made
  if (kind == "setns")
    return "\x1b[36m";  // cyan: one entered
  if (kind == "denied")
    return "\x1b[31m";  // red: refused
  if (kind == "lost" || kind == "suppressed")
    return "\x1b[1;33m";  // bold yellow: what this stream is missing
  if (kind == "container_removed")
    return "\x1b[35m";
  return "\x1b[2m";  // dim: exits
}

// The NS and CONTAINER cells of an event, by kind.
std::pair<std::string, std::string> detail(const Json& e, std::string_view kind) {
  std::string container = text_of(e, "container");
  if (kind == "lost")
    return {"", text_of(e, "count") + " records lost (healed by a rescan)"};
  if (kind == "suppressed")
    return {"", text_of(e, "count") + " denied records of uid " + text_of(e, "uid") +
                    " suppressed"};
  if (kind == "exit") {
    std::string how = e.contains("signal") ? "killed by signal " + text_of(e, "signal")
                                           : "exit " + text_of(e, "exit_code");
    return {how, container};
  }
  if (kind == "denied") {
    return {text_of(e, "error"), text_of(e, "syscall") + " " +
                                     joined(e.value("flags", Json::array())) + " uid " +
                                     text_of(e, "uid")};
  }
  return {joined(e.value("new_ns", Json::array())), container};
}

}  // namespace

std::string event_text_header() {
  return columns_line({"TIME", "EVENT", "PID", "COMM", "NS", "CONTAINER"}) + "\n";
}

std::string event_text(const Json& e, bool colour) {
  std::string time = text_of(e, "time");
  // 2026-12-02T23:30:44.123456Z -> 23:30:44.123456 (UTC, as in the JSON)
  if (auto t = time.find('T'); t != std::string::npos)
    time = time.substr(t + 1, 15);
  std::string kind = text_of(e, "event");
  auto [ns, container] = detail(e, kind);
  std::string line = columns_line(
      {time, kind, text_of(e, "pid"), text_of(e, "comm"), std::move(ns), std::move(container)});
  if (colour) {
    // The EVENT cell only: the columns stay where they are.
    std::size_t at = line.find(kind, time.size());
    if (at != std::string::npos) {
      line.insert(at + kind.size(), "\x1b[0m");
      line.insert(at, colour_of(kind));
    }
  }
  return line + "\n";
}

bool want_colour(int fd) {
  const char* no = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  if ((no && *no) || (term && std::string_view(term) == "dumb"))
    return false;
  return ::isatty(fd) == 1;
}

}  // namespace nsgroup
