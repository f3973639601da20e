// Help text.
#include "cli/help.h"

#include <algorithm>
#include <string_view>

#include "cli/exit_status.h"

namespace nsgroup {

namespace {

constexpr std::size_t kWidth = 79;

// "--socket PATH", "--hooks=auto|fexit|tracepoint", "--pids".
std::string with_value(const OptionSpec& o) {
  std::string s(o.name);
  if (o.value.empty())
    return s;
  if (o.value[0] != '=')
    s.push_back(' ');
  return s.append(o.value);
}

// Words filled into lines of at most kWidth columns, each line starting
// with `first` or `rest` (prefixes of the same width or not).
std::string fill(const std::vector<std::string>& words, const std::string& first,
                 const std::string& rest) {
  std::string out = first, line = first;
  bool empty = true;
  for (const auto& w : words) {
    if (!empty && line.size() + 1 + w.size() > kWidth) {
      out += "\n" + rest;
      line = rest;
      empty = true;
    }
    if (!empty) {
      out.push_back(' ');
      line.push_back(' ');
    }
    out += w;
    line += w;
    empty = false;
  }
  return out + "\n";
}

std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> w;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n'))
      ++i;
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\n')
      ++j;
    if (j > i)
      w.emplace_back(text.substr(i, j - i));
    i = j;
  }
  return w;
}

// Each line of text, with a prefix.
std::string indented(std::string_view text, std::string_view prefix) {
  std::string out;
  while (!text.empty()) {
    auto nl = text.find('\n');
    out.append(prefix).append(text.substr(0, nl)).push_back('\n');
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  }
  return out;
}

// "  -o, --output=json|text" or "  --socket PATH".
std::string option_head(const OptionSpec& o) {
  std::string s = "  ";
  if (o.short_name)
    s += std::string("-") + o.short_name + ", ";
  return s + with_value(o);
}

// Option lines: heads in a column, texts two spaces at least after the
// widest (up to a limit; a longer head has its text on the next line).
std::string option_lines(const std::vector<OptionSpec>& options) {
  constexpr std::size_t kMaxHead = 36;
  std::size_t col = 0;
  for (const auto& o : options)
    col = std::max(col, std::min(option_head(o).size(), kMaxHead));
  col += 2;
  std::string out;
  for (const auto& o : options) {
    std::string head = option_head(o);
    std::string pad(col, ' ');
    if (head.size() + 2 > col) {
      out += head + "\n";
      out += fill(words_of(o.help), pad, pad);
    } else {
      out += fill(words_of(o.help), head + std::string(col - head.size(), ' '), pad);
    }
  }
  return out;
}

}  // namespace

std::string usage_text() {
  std::string out = R"(Usage: nsgroup [-v] COMMAND [OPTIONS]

Watches every Linux namespace created or entered on this host, groups the
processes that share a namespace set into containers, and arranges them in a
tree (/init_container/container_3/...).

Commands:
)";
  for (const auto& c : command_specs()) {
    // "  tree [--socket PATH] ...", continuation lines under the first "[".
    std::string first = "  " + std::string(c.name) + " ";
    if (!c.args.empty())
      first += std::string(c.args) + " ";
    std::vector<std::string> words;
    for (const auto& o : c.options)
      words.push_back(std::string("[").append(with_value(o)).append("]"));
    out += fill(words, first, std::string(c.name.size() + 3, ' '));
    out += indented(c.description, "      ");
  }
  out += "\nOptions:\n" + option_lines(global_options());
  out += "\n'nsgroup help COMMAND' (or 'nsgroup COMMAND --help') prints one command's help.\n\n";
  return out + exit_status_text();
}

std::string command_help(const CommandSpec& c) {
  std::string out = "Usage: nsgroup " + std::string(c.name) + " [OPTIONS]";
  if (!c.args.empty())
    out.append(" ").append(c.args);
  out += "\n\n" + std::string(c.description) + "\n\nOptions:\n";
  std::vector<OptionSpec> all = c.options;
  all.insert(all.end(), global_options().begin(), global_options().end() - 1);  // not --version
  return out + option_lines(all);
}

}  // namespace nsgroup
