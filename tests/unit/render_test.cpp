// `nsgroup tree --text`.
#include <gtest/gtest.h>

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
  std::string outer_name = t.find(n.a)->name;
  std::string inner_name = t.find(n.b)->name;
  EXPECT_EQ(text, "/init_container  2 procs\n"
                  "└─" + outer_name + "  1 proc  new: uts\n"
                  "  └─" + inner_name + "  1 proc  new: net\n");
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

TEST(TerminalSafe, LeavesPrintableUtf8Alone) {
  EXPECT_EQ(terminal_safe("web-01 caf\xc3\xa9 \xe2\x94\x80"), "web-01 caf\xc3\xa9 \xe2\x94\x80");
  EXPECT_EQ(terminal_safe("\x85"), "\\x85");
  EXPECT_EQ(terminal_safe("\xc2\xa0"), "\xc2\xa0");  // NBSP: not C1
}

}  // namespace
}  // namespace nsgroup
