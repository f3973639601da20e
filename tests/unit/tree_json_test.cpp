// The tree as JSON (docs/design.md, "The tree").
#include <gtest/gtest.h>

#include "json/json.h"
#include "json/tree_json.h"
#include "json/writer.h"
#include "synthetic_json.h"

namespace nsgroup {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

TEST(TreeJson, RootCountsEverythingElseAndChildrenNest) {
  TestTree t(root_set());
  NsSet net = with(root_set(), NSG_NS_NET, kNetA);
  auto c = t.apply(unshare(10, root_set(), net));
  TreeView view;
  view.pids = true;
  view.root_pids = root_members(t, {1, 2, 10});
  Json doc = tree_doc(t, view);
  EXPECT_EQ(doc["source"], "daemon");
  const Json& root = doc["root"];
  EXPECT_EQ(root["name"], "init_container");
  EXPECT_EQ(root["nprocs"], 2);
  EXPECT_EQ(root["pids"], Json::array({1, 2}));
  EXPECT_EQ(root["created"], nullptr);
  ASSERT_EQ(root["children"].size(), 1U);
  const Json& child = root["children"][0];
  EXPECT_EQ(child["id"], c.container);
  EXPECT_EQ(child["path"], t.path(c.container));
  EXPECT_EQ(child["new_ns"], Json::array({"net"}));
  EXPECT_EQ(child["nprocs"], 1);
  EXPECT_EQ(child["created"]["via"], "unshare");
  EXPECT_EQ(child["created"]["pid"], 10);
  EXPECT_EQ(child["ns"]["net"], kNetA);
}

TEST(TreeJson, SubtreeView) {
  TestTree t(root_set());
  Nested n;
  n.chain(into(t));
  TreeView view;
  view.top = n.a;
  Json doc = tree_doc(t, view);
  EXPECT_EQ(doc["root"]["path"], t.path(n.a));
  EXPECT_EQ(doc["root"]["children"].size(), 1U);
}

// `nsgroup tree` prints the document as nlohmann's dump(2) would.
TEST(TreeJson, IndentedAsDumpTwo) {
  TestTree t(root_set());
  Nested n;
  n.chain(into(t));
  t.rename(n.a, "a \"quoted\", {braced}: name");
  TreeView view;
  view.pids = true;
  std::string text = tree_json(t, BootClock(0), view);
  EXPECT_EQ(indent_json(text), Json::parse(text).dump(2));
  EXPECT_EQ(indent_json("{\"a\":[],\"b\":{}}"), "{\n  \"a\": [],\n  \"b\": {}\n}");
}

// The client indents a reply as it arrives: cut anywhere (inside a string,
// between a backslash and what it escapes, between '{' and '}'), the pieces
// give the same text as the whole.
TEST(TreeJson, IndentedInPiecesAsWhole) {
  TestTree t(root_set());
  Nested n;
  n.chain(into(t));
  t.rename(n.a, "a \\\"quoted\\\", {braced}: [name]");
  TreeView view;
  view.pids = true;
  std::string text =
      "[" + tree_json(t, BootClock(0), view) + R"(,{"e":{},"s":"a\\b\"c","t":[]}])";
  ASSERT_FALSE(Json::parse(text, nullptr, false).is_discarded()) << text;
  std::string whole = indent_json(text);
  EXPECT_EQ(whole, Json::parse(text).dump(2));
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    JsonIndenter ind;
    std::string out;
    ind.feed(std::string_view(text).substr(0, cut), out);
    ind.feed(std::string_view(text).substr(cut), out);
    ASSERT_EQ(out, whole) << "cut at " << cut;
  }
  // And byte by byte.
  JsonIndenter ind;
  std::string out;
  for (char c : text)
    ind.feed(std::string_view(&c, 1), out);
  EXPECT_EQ(out, whole);
}

}  // namespace
}  // namespace nsgroup
