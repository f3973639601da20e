// `nsgroup tree --text`.
#include <gtest/gtest.h>

#include "cli/text.h"
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

}  // namespace
}  // namespace nsgroup
