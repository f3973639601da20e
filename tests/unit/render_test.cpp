// `nsgroup tree --text`.
#include <gtest/gtest.h>

#include "cli/text.h"
#include "json/json.h"
#include "json/tree_json.h"
#include "synthetic.h"

namespace nsgroup {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

TEST(RenderText, DrawsTheTreeWithCountsAndNewNamespaces) {
  TestTree t(root_set());
  NsSet uts = with(root_set(), NSG_NS_UTS, kUtsA);
  auto outer = t.apply(unshare(10, root_set(), uts));
  t.apply(fork_of(10, 11));
  auto inner = t.apply(unshare(11, uts, with(uts, NSG_NS_NET, kNetA)));
  TreeView view;
  view.root_pids = {1, 2};
  std::string text = render_text(Json::parse(tree_json(t, BootClock(0), view)));
  std::string outer_name = t.find(outer.container)->name;
  std::string inner_name = t.find(inner.container)->name;
  EXPECT_EQ(text, "/init_container  2 procs\n"
                  "└─" + outer_name + "  1 proc  new: uts\n"
                  "  └─" + inner_name + "  1 proc  new: net\n");
}

}  // namespace
}  // namespace nsgroup
