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

// Names, comma-separated and escaped.
std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names)
    out.append(out.empty() ? "" : ",").append(terminal_safe(n));
  return out;
}

struct Row {
  std::string tree, procs, fresh, label, pids;
};

void collect(const TreeNode& c, const std::string& prefix, bool last, bool top,
             std::vector<Row>& rows, const TreeTextOptions& o) {
  Row r;
  r.tree = prefix;
  if (!top)
    r.tree += last ? "└─" : "├─";
  r.tree += terminal_safe(c.name);
  if (c.pinned)
    r.tree += " (pinned)";
  if (c.children_omitted != 0)
    r.tree += " (+" + std::to_string(c.children_omitted) + " below)";
  r.procs = std::to_string(c.nprocs);
  r.fresh = joined(c.new_ns);
  r.label = terminal_safe(c.label);
  if (o.pids)
    for (auto p : c.pids)
      r.pids.append(r.pids.empty() ? "" : " ").append(std::to_string(p));
  rows.push_back(std::move(r));
  std::string child_prefix = top ? prefix : prefix + (last ? "  " : "│ ");
  for (std::size_t i = 0; i < c.children.size(); ++i)
    collect(c.children[i], child_prefix, i + 1 == c.children.size(), false, rows, o);
}

}  // namespace

std::string render_text(const TreeDoc& doc, const TreeTextOptions& o) {
  if (!doc.root)
    return "";
  std::vector<Row> rows;
  rows.push_back({"CONTAINER", "PROCS", "NEW", "LABEL", "PIDS"});
  collect(*doc.root, "", true, true, rows, o);
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
std::pair<std::string, std::string> detail(const EventFacts& e) {
  const std::string& kind = e.kind;
  std::string container = terminal_safe(e.container);
  if (kind == "lost")
    return {"", terminal_safe(e.count) + " records lost (healed by a rescan)"};
  if (kind == "suppressed")
    return {"", terminal_safe(e.count) + " denied records of uid " + terminal_safe(e.uid) +
                    " suppressed"};
  if (kind == "exit") {
    std::string how = e.signal ? "killed by signal " + terminal_safe(*e.signal)
                               : "exit " + terminal_safe(e.exit_code);
    return {how, container};
  }
  if (kind == "denied") {
    return {terminal_safe(e.error),
            terminal_safe(e.syscall) + " " + joined(e.flags) + " uid " + terminal_safe(e.uid)};
  }
  return {joined(e.new_ns), container};
}

}  // namespace

std::string event_text_header() {
  return columns_line({"TIME", "EVENT", "PID", "COMM", "NS", "CONTAINER"}) + "\n";
}

std::string event_text(const EventFacts& e, bool colour) {
  std::string time = terminal_safe(e.time);
  // 2026-12-02T23:30:44.123456Z -> 23:30:44.123456 (UTC, as in the JSON)
  if (auto t = time.find('T'); t != std::string::npos)
    time = time.substr(t + 1, 15);
  std::string kind = terminal_safe(e.kind);
  auto [ns, container] = detail(e);
  std::string line = columns_line({time, kind, terminal_safe(e.pid), terminal_safe(e.comm),
                                   std::move(ns), std::move(container)});
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

std::string kill_text(std::string_view path, bool cgroup_kill, std::uint64_t signalled) {
  std::string out = "killed " + terminal_safe(path) + " (";
  if (cgroup_kill)
    out += "cgroup.kill; ";
  out += std::to_string(signalled) + (signalled == 1 ? " process" : " processes") +
         " signalled directly)\n";
  return out;
}

}  // namespace nsgroup
