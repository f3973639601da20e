// `nsgroup tree --text`.
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>

#include "cli/text.h"
#include "util/text.h"
#include "synthetic_json.h"

namespace nsgroup {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

TEST(RenderText, DrawsTheTreeWithCountsAndNewNamespaces) {
  TestTree t(root_set());
  Nested n;
  n.chain(into(t));
  TreeView view;
  view.root_pids = {1, 2};
  std::string text = render_text(tree_doc(t, view));
  std::string outer = t.find(n.a)->name;
  std::string inner = t.find(n.b)->name;
  ASSERT_EQ(outer.size(), 11U);  // container_N: the layout below is for one digit
  ASSERT_EQ(inner.size(), 11U);
  EXPECT_EQ(text, "CONTAINER        PROCS  NEW  LABEL\n"
                  "/init_container      2\n"
                  "└─" + outer + "        1  uts\n"
                  "  └─" + inner + "      1  net\n")
      << text;
}

// The terminal column where needle starts in line (code points, not bytes).
std::size_t column_of(const std::string& text, std::string_view line_with, std::string_view needle) {
  auto at = text.find(line_with);
  auto start = text.rfind('\n', at);
  start = start == std::string::npos ? 0 : start + 1;
  std::string line = text.substr(start, text.find('\n', at) - start);
  std::string before = line.substr(0, line.find(needle));
  return static_cast<std::size_t>(
      std::count_if(before.begin(), before.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

TEST(RenderText, PidsColumnAndLabelsAreAligned) {
  TestTree t(root_set());
  Nested n;
  n.build(into(t));
  t.set_label(n.a, std::string("hostname:web"));
  TreeView view;
  view.pids = true;
  view.root_pids = {1, 2};
  TreeTextOptions o;
  o.pids = true;
  std::string text = render_text(tree_doc(t, view), o);
  // Every line's PIDS cell starts where the header's does, past the labels.
  std::size_t pids = column_of(text, "PIDS", "PIDS");
  EXPECT_EQ(column_of(text, "/init_container", "1 2"), pids) << text;
  EXPECT_EQ(column_of(text, "hostname:web", "10"), pids) << text;
  EXPECT_EQ(column_of(text, t.find(n.sibling)->name, "30"), pids) << text;
  EXPECT_EQ(column_of(text, "hostname:web", "hostname:web"), column_of(text, "PIDS", "LABEL"));
}

TEST(RenderText, DepthCutsAndSaysHowManyAreBelow) {
  TestTree t(root_set());
  Nested n;
  n.build(into(t));  // root -> a -> b, root -> sibling
  Json doc = tree_doc(t, TreeView{});
  Json one = doc;
  prune_depth(one, 1);
  EXPECT_EQ(one["root"]["children"].size(), 2U);
  std::string text = render_text(one);
  EXPECT_NE(text.find(t.find(n.a)->name + " (+1 below)"), std::string::npos) << text;
  EXPECT_EQ(text.find(t.find(n.b)->name), std::string::npos) << text;
  Json zero = doc;
  prune_depth(zero, 0);
  EXPECT_EQ(zero["root"]["children_omitted"], 3);
  EXPECT_TRUE(zero["root"]["children"].empty());
  Json all = doc;
  prune_depth(all, -1);
  EXPECT_EQ(all, doc);
}

// A hostname or comm is whatever a process chose: terminal escapes (C0,
// DEL, C1 as UTF-8 or as a lone byte) are printed escaped, never raw.
TEST(RenderText, EscapesControlCharactersInNamesAndLabels) {
  TestTree t(root_set());
  Nested n;
  n.chain(into(t));
  t.set_label(n.a, std::string("hostname:\x1b]0;pwned\x07\xc2\x9b" "2J\x7f\\"));
  ASSERT_EQ(t.rename(n.b, "b\x1b[31m"), "");
  std::string text = render_text(tree_doc(t, TreeView{}));
  for (char c : text)
    EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 && c != '\n') << int(c);
  EXPECT_EQ(text.find("\x7f"), std::string::npos);
  EXPECT_EQ(text.find("\xc2\x9b"), std::string::npos);
  EXPECT_NE(text.find("hostname:\\x1b]0;pwned\\x07\\u009b2J\\x7f\\\\"), std::string::npos)
      << text;
  EXPECT_NE(text.find("b\\x1b[31m"), std::string::npos) << text;
}

Json event(std::string_view line) { return Json::parse(line); }

TEST(EventText, OneAlignedLinePerEvent) {
  std::string header = event_text_header();
  std::string unshare = event_text(
      event(R"({"time":"2026-12-02T23:30:44.123456Z","event":"unshare","pid":4242,"comm":"unshare",)"
            R"("new_ns":["net","uts"],"container":"/init_container/container_3"})"),
      false);
  EXPECT_EQ(unshare.find("23:30:44.123456"), 0U) << unshare;
  for (std::string_view col : {"EVENT", "PID", "COMM", "NS", "CONTAINER"})
    ASSERT_NE(header.find(col), std::string::npos) << col;
  EXPECT_EQ(unshare.find("unshare"), header.find("EVENT"));
  EXPECT_EQ(unshare.find("4242"), header.find("PID "));
  EXPECT_EQ(unshare.find("net,uts"), header.find("NS "));
  EXPECT_EQ(unshare.find("/init_container/container_3"), header.find("CONTAINER"));
  EXPECT_EQ(unshare.back(), '\n');
  EXPECT_EQ(unshare.find('\x1b'), std::string::npos);
}

TEST(EventText, DeniedExitLostAndSuppressedSayWhat) {
  std::string denied = event_text(
      event(R"({"time":"2026-12-02T23:30:44.1Z","event":"denied","pid":7,"comm":"x","uid":65534,)"
            R"("syscall":"setns","flags":["CLONE_NEWNET"],"error":"EPERM"})"),
      false);
  EXPECT_NE(denied.find("EPERM"), std::string::npos);
  EXPECT_NE(denied.find("setns CLONE_NEWNET uid 65534"), std::string::npos) << denied;
  std::string killed = event_text(
      event(R"({"time":"t","event":"exit","pid":7,"comm":"x","signal":9,"container":"/c"})"),
      false);
  EXPECT_NE(killed.find("killed by signal 9"), std::string::npos) << killed;
  EXPECT_NE(event_text(event(R"({"time":"t","event":"lost","count":12})"), false)
                .find("12 records lost"),
            std::string::npos);
  EXPECT_NE(event_text(event(R"({"time":"t","event":"suppressed","uid":5,"count":3})"), false)
                .find("3 denied records of uid 5"),
            std::string::npos);
}

TEST(EventText, ColourOnlyTheKindAndEscapeTheRest) {
  std::string line = event_text(
      event(R"({"time":"t","event":"denied","pid":7,"comm":"\u001b[2Jx","error":"EPERM"})"),
      true);
  EXPECT_NE(line.find("\x1b[31mdenied\x1b[0m"), std::string::npos) << line;
  EXPECT_EQ(line.find("\x1b[2J"), std::string::npos) << line;  // the comm's, escaped
}

TEST(EventText, ColourOnATerminalUnlessNoColor) {
  int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  ASSERT_GE(master, 0);
  ASSERT_EQ(::grantpt(master), 0);
  ASSERT_EQ(::unlockpt(master), 0);
  int tty = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
  ASSERT_GE(tty, 0);
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  ::unsetenv("NO_COLOR");
  ::setenv("TERM", "xterm", 1);
  EXPECT_TRUE(want_colour(tty));
  EXPECT_FALSE(want_colour(pipefd[1]));
  ::setenv("NO_COLOR", "1", 1);
  EXPECT_FALSE(want_colour(tty));
  ::setenv("NO_COLOR", "", 1);  // set but empty: no-color.org says colour stays
  EXPECT_TRUE(want_colour(tty));
  ::setenv("TERM", "dumb", 1);
  EXPECT_FALSE(want_colour(tty));
  ::unsetenv("NO_COLOR");
  for (int fd : {tty, master, pipefd[0], pipefd[1]})
    ::close(fd);
}

TEST(TerminalSafe, LeavesPrintableUtf8Alone) {
  EXPECT_EQ(terminal_safe("web-01 caf\xc3\xa9 \xe2\x94\x80"), "web-01 caf\xc3\xa9 \xe2\x94\x80");
  EXPECT_EQ(terminal_safe("\x85"), "\\x85");
  EXPECT_EQ(terminal_safe("\xc2\xa0"), "\xc2\xa0");  // NBSP: not C1
}

}  // namespace
}  // namespace nsgroup
