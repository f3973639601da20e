// `nsgroup tree --text` and `nsgroup watch --text`: the tree drawn from a
// decoded document, events from an Event or from its JSON line alike.
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>

#include "cli/text.h"
#include "json/event_decode.h"
#include "json/event_json.h"
#include "json/tree_decode.h"
#include "util/text.h"
#include "synthetic_json.h"

namespace nsgroup {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

// The tree's document as a daemon or a scan writes it, decoded (and cut).
TreeDoc drawn(const Tree& t, const TreeView& view = {}, int depth = -1) {
  auto doc = decode_tree(tree_json(t, BootClock(0), view), depth);
  EXPECT_TRUE(doc && doc->root);
  return doc ? *doc : TreeDoc{};
}

TEST(RenderText, DrawsTheTreeWithCountsAndNewNamespaces) {
  TestTree t(root_set());
  Nested n;
  n.chain(into(t));
  TreeView view;
  view.root_pids = {1, 2};
  std::string text = render_text(drawn(t, view));
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
  std::string text = render_text(drawn(t, view), o);
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
  TreeDoc one = drawn(t, TreeView{}, 1);
  ASSERT_TRUE(one.root);
  EXPECT_EQ(one.root->children.size(), 2U);
  std::string text = render_text(one);
  EXPECT_NE(text.find(t.find(n.a)->name + " (+1 below)"), std::string::npos) << text;
  EXPECT_EQ(text.find(t.find(n.b)->name), std::string::npos) << text;
  TreeDoc zero = drawn(t, TreeView{}, 0);
  ASSERT_TRUE(zero.root);
  EXPECT_EQ(zero.root->children_omitted, 3);
  EXPECT_TRUE(zero.root->children.empty());
  // The JSON output is cut the same way, and not at all without a depth.
  Json doc = tree_doc(t);
  auto cut = cut_tree_json(tree_json(t, BootClock(0), TreeView{}), 0);
  ASSERT_TRUE(cut);
  Json zero_json = Json::parse(*cut);
  EXPECT_EQ(zero_json["root"]["children_omitted"], 3);
  EXPECT_TRUE(zero_json["root"]["children"].empty());
  auto all = cut_tree_json(tree_json(t, BootClock(0), TreeView{}), -1);
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, doc.dump(2));
  EXPECT_EQ(cut_tree_json("{not json", 1), std::nullopt);
  EXPECT_EQ(decode_tree("{not json"), std::nullopt);
}

// A hostname or comm is whatever a process chose: terminal escapes (C0,
// DEL, C1 as UTF-8 or as a lone byte) are printed escaped, never raw.
TEST(RenderText, EscapesControlCharactersInNamesAndLabels) {
  TestTree t(root_set());
  Nested n;
  n.chain(into(t));
  t.set_label(n.a, std::string("hostname:\x1b]0;pwned\x07\xc2\x9b" "2J\x7f\\"));
  ASSERT_EQ(t.rename(n.b, "b\x1b[31m"), "");
  std::string text = render_text(drawn(t));
  for (char c : text)
    EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 && c != '\n') << int(c);
  EXPECT_EQ(text.find("\x7f"), std::string::npos);
  EXPECT_EQ(text.find("\xc2\x9b"), std::string::npos);
  EXPECT_NE(text.find("hostname:\\x1b]0;pwned\\x07\\u009b2J\\x7f\\\\"), std::string::npos)
      << text;
  EXPECT_NE(text.find("b\\x1b[31m"), std::string::npos) << text;
}

EventFacts event(std::string_view line) {
  auto e = decode_event_line(line);
  EXPECT_TRUE(e) << line;
  return e ? *e : EventFacts{};
}

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

// watch --text draws an event of its own tracer from the Event, and one of
// a daemon's stream from its JSON line: the same bytes either way.
TEST(EventText, FromTheEventAsFromItsJsonLine) {
  BootClock clock(1'700'000'000'000'000'000LL);
  std::vector<Event> events;
  Event clone;
  clone.kind = EventKind::Clone;
  clone.ts_boot_ns = 5'123'456'789;
  clone.pid = 4242;
  clone.tid = 4242;
  clone.ppid = 1;
  clone.uid = 1000;
  clone.syscall = Syscall::Clone3;
  clone.flags = 0x40000000 | 0x04000000;  // CLONE_NEWNET | CLONE_NEWUTS
  clone.comm = "bad\xff\x1b[2Jcomm";  // not UTF-8, and an escape
  clone.after.inum[NSG_NS_NET] = 7;
  clone.after.inum[NSG_NS_UTS] = 8;
  events.push_back(clone);
  Event setns = clone;
  setns.kind = EventKind::Setns;
  setns.syscall = Syscall::Setns;
  setns.flags = 0x40000000;
  setns.fd = 3;
  events.push_back(setns);
  Event denied = setns;
  denied.kind = EventKind::Denied;
  denied.ret = -1;  // EPERM
  events.push_back(denied);
  Event exited;
  exited.kind = EventKind::Exit;
  exited.pid = 77;
  exited.comm = "sh";
  exited.exit_code = 3 << 8;
  events.push_back(exited);
  exited.exit_code = 9;  // SIGKILL
  events.push_back(exited);
  events.push_back(lost_event(12, 9'000'000'000));
  events.push_back(suppressed_event(65534, 3, 9'000'000'000));
  EventPlacement placement{"/init_container/container_3", "/init_container", true};
  for (const Event& e : events) {
    const EventPlacement* none = nullptr;
    for (const EventPlacement* where : {none, static_cast<const EventPlacement*>(&placement)}) {
      std::string line = event_line(e, clock, where);
      for (bool colour : {false, true})
        EXPECT_EQ(event_text(event_facts(e, clock, where), colour),
                  event_text(event(line), colour))
            << line;
    }
  }
  // Cells that say something, so the comparison above is not of blanks.
  std::string text = event_text(event_facts(denied, clock), false);
  EXPECT_NE(text.find("EPERM"), std::string::npos) << text;
  EXPECT_NE(text.find("setns CLONE_NEWNET uid 1000"), std::string::npos) << text;
  EXPECT_NE(text.find("bad\xef\xbf\xbd\\x1b[2Jcomm"), std::string::npos) << text;
  text = event_text(event_facts(exited, clock, &placement), false);
  EXPECT_NE(text.find("killed by signal 9"), std::string::npos) << text;
  EXPECT_NE(text.find("/init_container/container_3"), std::string::npos) << text;
}

TEST(EventText, ALineThatIsNoObjectIsNoEvent) {
  EXPECT_EQ(decode_event_line("not json"), std::nullopt);
  EXPECT_EQ(decode_event_line("[1,2]"), std::nullopt);
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
