// The state file (json/state_json.h): round trip and rejection of bad input.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/tree.h"
#include "json/state_json.h"
#include "synthetic.h"

namespace nsgroup {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

// An unshare with every detail of its creation that the state file keeps.
Event created(std::uint32_t pid, const NsSet& before, const NsSet& after, std::string comm) {
  Event e = unshare(pid, before, after, std::move(comm));
  e.flags = 0x04000000;
  e.ts_boot_ns = 1234567890123ULL + pid;
  return e;
}

const std::string kOddComm = std::string("a b%") + '\xff';

// root -> a (uts) -> b (net, with a kernel id); root -> web (ipc, renamed).
struct Sample {
  TestTree tree{root_set()};
  ContainerId a = 0, b = 0, web = 0;
  Sample() {
    NsSet uts = with(root_set(), NSG_NS_UTS, 4026532100);
    a = tree.apply(created(10, root_set(), uts, kOddComm)).container;
    b = tree.apply(created(10, uts, with(uts, NSG_NS_NET, 4026532200, 77), "ip")).container;
    web = tree.apply(created(20, root_set(), with(root_set(), NSG_NS_IPC, 4026532300), "x"))
              .container;
    EXPECT_EQ(tree.rename(web, "web"), "");
  }
};

// The tree written as a state file and read back.
std::optional<SavedState> round_trip(const Tree& tree) { return parse_state(state_text(tree)); }

const SavedContainer* by_id(const SavedState& st, ContainerId id) {
  for (const auto& c : st.containers)
    if (c.id == id)
      return &c;
  return nullptr;
}

TEST(StateFile, RoundTripKeepsIdsNamesParentsAndSets) {
  Sample s;
  auto st = round_trip(s.tree);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->next_id, s.tree.next_id());
  ASSERT_EQ(st->containers.size(), s.tree.container_count() - 1);  // not the root
  for (ContainerId id : {s.a, s.b, s.web}) {
    const SavedContainer* c = by_id(*st, id);
    ASSERT_NE(c, nullptr) << id;
    const Container& want = *s.tree.find(id);
    EXPECT_EQ(c->name, want.name);
    EXPECT_EQ(c->parent, want.parent);
    EXPECT_EQ(c->ns, want.ns);
  }
  EXPECT_EQ(by_id(*st, s.web)->name, "web");
  EXPECT_EQ(by_id(*st, s.b)->parent, s.a);
}

TEST(StateFile, RoundTripKeepsTheCreationWithAnyByteInTheComm) {
  Sample s;
  auto st = round_trip(s.tree);
  ASSERT_TRUE(st);
  const SavedContainer* c = by_id(*st, s.a);
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->created);
  const Creation& want = *s.tree.find(s.a)->created;
  EXPECT_EQ(c->created->comm, kOddComm);
  EXPECT_EQ(c->created->comm, want.comm);
  EXPECT_EQ(c->created->pid, want.pid);
  EXPECT_EQ(c->created->kind, want.kind);
  EXPECT_EQ(c->created->via, want.via);
  EXPECT_EQ(c->created->flags, want.flags);
  EXPECT_EQ(c->created->ts_boot_ns, want.ts_boot_ns);
}

TEST(StateFile, ParentsComeBeforeTheirChildren) {
  Sample s;
  auto st = round_trip(s.tree);
  ASSERT_TRUE(st);
  std::size_t ia = 0, ib = 0;
  for (std::size_t i = 0; i < st->containers.size(); ++i) {
    if (st->containers[i].id == s.a)
      ia = i;
    if (st->containers[i].id == s.b)
      ib = i;
  }
  EXPECT_LT(ia, ib);
}

TEST(StateFile, RestoringTheParsedStateGivesTheSamePaths) {
  Sample s;
  auto st = round_trip(s.tree);
  ASSERT_TRUE(st);
  TestTree again(root_set());
  EXPECT_EQ(again.restore(st->containers), 3U);
  again.reserve_ids(st->next_id);
  for (ContainerId id : {s.a, s.b, s.web})
    EXPECT_EQ(again.path(id), s.tree.path(id));
  EXPECT_EQ(again.next_id(), s.tree.next_id());
}

TEST(StateFile, AnEmptyTreeRoundTrips) {
  Tree t(root_set());
  auto st = round_trip(t);
  ASSERT_TRUE(st);
  EXPECT_TRUE(st->containers.empty());
  EXPECT_EQ(st->next_id, t.next_id());
}

TEST(StateFile, RejectsNonJson) {
  EXPECT_EQ(parse_state("not json"), std::nullopt);
  EXPECT_EQ(parse_state(""), std::nullopt);
}

TEST(StateFile, RejectsAnotherVersion) {
  EXPECT_EQ(parse_state(R"({"version":2,"next_id":5,"containers":[]})"), std::nullopt);
  EXPECT_EQ(parse_state(R"({"next_id":5,"containers":[]})"), std::nullopt);
}

TEST(StateFile, AcceptsAMinimalDocument) {
  auto st = parse_state(R"({"version":1,"next_id":5,"containers":[]})");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->next_id, 5U);
}

TEST(StateFile, RejectsAMissingNextId) {
  EXPECT_EQ(parse_state(R"({"version":1,"containers":[]})"), std::nullopt);
}

TEST(StateFile, RejectsAMissingContainerList) {
  EXPECT_EQ(parse_state(R"({"version":1,"next_id":5})"), std::nullopt);
}

std::string one_container(const std::string& id, const std::string& ns) {
  return R"({"version":1,"next_id":5,"containers":[{"id":)" + id +
         R"(,"name":"c","parent":1,"ns":)" + ns + "}]}";
}

TEST(StateFile, AcceptsAWellFormedContainer) {
  auto st = parse_state(one_container("2", "\"" + ns_text(root_set()) + "\""));
  ASSERT_TRUE(st);
  ASSERT_EQ(st->containers.size(), 1U);
  EXPECT_EQ(st->containers[0].id, 2U);
  EXPECT_EQ(st->containers[0].ns, root_set());
}

TEST(StateFile, RejectsAMalformedNsSet) {
  EXPECT_EQ(parse_state(one_container("2", R"("net=1/0")")), std::nullopt);
  EXPECT_EQ(parse_state(one_container("2", R"("garbage")")), std::nullopt);
  EXPECT_EQ(parse_state(one_container("2", "42")), std::nullopt);
}

TEST(StateFile, RejectsAnIdThatIsAString) {
  EXPECT_EQ(parse_state(one_container("\"2\"", "\"" + ns_text(root_set()) + "\"")),
            std::nullopt);
}

TEST(StateFile, RejectsANameThatIsANumber) {
  std::string doc = R"({"version":1,"next_id":5,"containers":[)"
                    R"({"id":2,"name":7,"parent":1,"ns":")" +
                    ns_text(root_set()) + "\"}]}";
  EXPECT_EQ(parse_state(doc), std::nullopt);
}

// What parse_state throws for text; "" when it throws nothing.
std::string thrown(const std::string& text) {
  try {
    (void)parse_state(text);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(StateFile, NeverThrowsOnGarbage) {
  const std::vector<std::string> hostile = {
      "{",
      "null",
      "[]",
      "[1,2,3]",
      "\"version\"",
      "1",
      std::string("\0\xff\xfe", 3),
      R"({"version":1,"next_id":"5","containers":[]})",
      R"({"version":1,"next_id":5,"containers":7})",
      R"({"version":1,"next_id":5,"containers":[7]})",
      R"({"version":1,"next_id":5,"containers":[null]})",
      R"({"version":1,"next_id":5,"containers":{"a":1}})",
      R"({"version":1,"next_id":5,"containers":[{"id":2}]})",
      R"({"version":1,"next_id":5,"containers":[{"id":-2,"name":[],"parent":{}}]})",
      R"({"version":1,"next_id":5,"containers":[{"id":2,"name":"c","parent":1,"ns":"x"}]})",
      R"({"version":1,"next_id":5,"containers":[{"id":2,"name":"c","parent":1,"ns":")" +
          ns_text(root_set()) + R"(","created":3}]})",
  };
  for (const auto& text : hostile) {
    ASSERT_EQ(thrown(text), "") << text;
    EXPECT_EQ(parse_state(text), std::nullopt) << text;
  }
}

// A version of the wrong type is not a state file, and no exception
// escapes into the daemon's start.
TEST(StateFile, NeverThrowsOnAVersionOfTheWrongType) {
  for (const char* text : {R"({"version":"1","next_id":5,"containers":[]})",
                           R"({"version":null,"next_id":5,"containers":[]})",
                           R"({"version":[1],"next_id":5,"containers":[]})"}) {
    EXPECT_EQ(thrown(text), "") << text;
    if (thrown(text).empty())
      EXPECT_EQ(parse_state(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace nsgroup
