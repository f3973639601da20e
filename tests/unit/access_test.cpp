// The control socket's access rules (service/access.h) on a synthetic tree.
#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "core/tree.h"
#include "service/access.h"
#include "synthetic.h"

namespace nsgroup {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

constexpr std::uint64_t kSysAdmin = 1ULL << kCapSysAdmin;

// Nested's tree, and a container in a new user namespace:
// root -> a (pid 10, uts) -> b (pid 20, net)
// root -> sibling (pid 30, ipc)
// root -> userns (pid 40, user)
struct Sample : Nested {
  TestTree tree{root_set()};
  NsSet user_set = with(root_set(), NSG_NS_USER, 400);
  ContainerId userns = 0;

  Sample() {
    build(into(tree));
    userns = tree.apply(unshare(40, root_set(), user_set)).container;
  }
  Identity scoped(ContainerId scope, bool admin) const {
    Identity who;
    who.pid = 1000;
    who.scope = scope;
    who.admin = admin;
    return who;
  }
};

PeerFacts peer(pid_t pid, const NsSet& ns, uid_t uid = 0, std::uint64_t caps = kSysAdmin) {
  PeerFacts p;
  p.pid = pid;
  p.uid = uid;
  p.ns = ns;
  p.capabilities = caps;
  return p;
}

TEST(Identify, ScopeIsThePeersContainerOneLevelDown) {
  Sample s;
  auto who = identify(s.tree, peer(10, s.a_set));
  ASSERT_TRUE(who) << who.error().message();
  EXPECT_EQ(who->scope, s.a);
  EXPECT_EQ(who->pid, 10);
}

TEST(Identify, ScopeIsThePeersContainerTwoLevelsDown) {
  Sample s;
  ASSERT_EQ(s.tree.find(s.b)->parent, s.a);
  auto who = identify(s.tree, peer(20, s.b_set));
  ASSERT_TRUE(who) << who.error().message();
  EXPECT_EQ(who->scope, s.b);
}

TEST(Identify, APeerWithTheRootsSetIsRootScoped) {
  Sample s;
  auto who = identify(s.tree, peer(5, root_set(), 1000, 0));
  ASSERT_TRUE(who) << who.error().message();
  EXPECT_EQ(who->scope, kRootId);
  EXPECT_EQ(who->uid, 1000U);
}

TEST(Identify, APeerWhoseNamespacesCannotBeReadIsRefused) {
  Sample s;
  PeerFacts p = peer(10, s.a_set);
  p.ns.reset();
  EXPECT_FALSE(identify(s.tree, p));
}

TEST(Identify, APeerAtTheRootWithAnotherSetIsRefused) {
  Sample s;
  // pid 99 is no member, so the tree places it at the root, but its set
  // is not the root's.
  auto who = identify(s.tree, peer(99, with(root_set(), NSG_NS_MNT, 500)));
  EXPECT_FALSE(who);
}

TEST(Identify, AdminWithUidZeroInitialUserNamespaceAndSysAdmin) {
  Sample s;
  auto who = identify(s.tree, peer(10, s.a_set, 0, kSysAdmin));
  ASSERT_TRUE(who);
  EXPECT_TRUE(who->admin);
}

TEST(Identify, NotAdminWithoutUidZero) {
  Sample s;
  auto who = identify(s.tree, peer(10, s.a_set, 1000, kSysAdmin));
  ASSERT_TRUE(who);
  EXPECT_FALSE(who->admin);
}

TEST(Identify, NotAdminOutsideTheInitialUserNamespace) {
  Sample s;
  auto who = identify(s.tree, peer(40, s.user_set, 0, kSysAdmin));
  ASSERT_TRUE(who);
  EXPECT_EQ(who->scope, s.userns);
  EXPECT_FALSE(who->admin);
}

TEST(Identify, NotAdminWithoutAPidfdPinningThePeer) {
  Sample s;
  PeerFacts p = peer(10, s.a_set, 0, kSysAdmin);
  p.pinned = false;
  auto who = identify(s.tree, p);
  ASSERT_TRUE(who);
  EXPECT_FALSE(who->admin);
}

TEST(PeerPidfd, OnlyAnOldKernelIsToleratedAndAnyOtherFailureRefuses) {
  EXPECT_EQ(classify_peer_pidfd(0, 7), PeerPidfd::Held);
  EXPECT_EQ(classify_peer_pidfd(0, -1), PeerPidfd::Failed);
  EXPECT_EQ(classify_peer_pidfd(ENOPROTOOPT, -1), PeerPidfd::Unsupported);
  for (int err : {ESRCH, EMFILE, ENFILE, ENOMEM, EINVAL, EPERM})
    EXPECT_EQ(classify_peer_pidfd(err, -1), PeerPidfd::Failed) << err;
}

TEST(Identify, NotAdminWithoutSysAdmin) {
  Sample s;
  std::uint64_t every_other_cap = ~kSysAdmin & ((1ULL << 41) - 1);
  auto who = identify(s.tree, peer(10, s.a_set, 0, every_other_cap));
  ASSERT_TRUE(who);
  EXPECT_FALSE(who->admin);
}

TEST(MaySee, OwnContainer) {
  Sample s;
  EXPECT_TRUE(may_see(s.tree, s.scoped(s.a, false), s.tree.path(s.a)));
}

TEST(MaySee, ADescendantTwoLevelsDown) {
  Sample s;
  ContainerId c = s.tree.apply(unshare(20, s.b_set, with(s.b_set, NSG_NS_MNT, 600))).container;
  ASSERT_EQ(s.tree.find(c)->parent, s.b);
  EXPECT_TRUE(may_see(s.tree, s.scoped(s.a, false), s.tree.path(c)));
}

TEST(MaySee, NotTheParent) {
  Sample s;
  EXPECT_FALSE(may_see(s.tree, s.scoped(s.b, false), s.tree.path(s.a)));
  EXPECT_FALSE(may_see(s.tree, s.scoped(s.a, false), s.tree.path(kRootId)));
}

TEST(MaySee, NotASibling) {
  Sample s;
  EXPECT_FALSE(may_see(s.tree, s.scoped(s.a, false), s.tree.path(s.sibling)));
}

TEST(MaySee, NotASiblingWhoseNameStartsWithTheScopesName) {
  Sample s;
  std::string longer = s.tree.find(s.a)->name + "-x";
  ASSERT_EQ(s.tree.rename(s.sibling, longer), "");
  EXPECT_FALSE(may_see(s.tree, s.scoped(s.a, false), s.tree.path(s.sibling)));
}

TEST(MaySee, AnEmptyPathOnlyForTheRootScope) {
  Sample s;
  EXPECT_FALSE(may_see(s.tree, s.scoped(s.a, false), ""));
  EXPECT_TRUE(may_see(s.tree, s.scoped(kRootId, false), ""));
}

TEST(MaySee, TheRootScopeSeesEverything) {
  Sample s;
  EXPECT_TRUE(may_see(s.tree, s.scoped(kRootId, false), s.tree.path(s.b)));
  EXPECT_TRUE(may_see(s.tree, s.scoped(kRootId, false), s.tree.path(kRootId)));
}

TEST(RefuseChange, RefusedWithoutAdmin) {
  Sample s;
  auto why = refuse_change(s.tree, s.scoped(s.a, false), s.b, "rename");
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("permission denied"), std::string::npos);
  EXPECT_NE(why->find("rename"), std::string::npos);
}

TEST(RefuseChange, RefusedForThePeersOwnContainer) {
  Sample s;
  auto why = refuse_change(s.tree, s.scoped(s.a, true), s.a, "kill");
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("permission denied"), std::string::npos);
}

TEST(RefuseChange, RefusedForASibling) {
  Sample s;
  EXPECT_TRUE(refuse_change(s.tree, s.scoped(s.a, true), s.sibling, "kill"));
}

TEST(RefuseChange, RefusedForTheParent) {
  Sample s;
  EXPECT_TRUE(refuse_change(s.tree, s.scoped(s.b, true), s.a, "kill"));
  EXPECT_TRUE(refuse_change(s.tree, s.scoped(s.a, true), kRootId, "kill"));
}

TEST(RefuseChange, AllowedForAStrictDescendant) {
  Sample s;
  EXPECT_EQ(refuse_change(s.tree, s.scoped(s.a, true), s.b, "rename"), std::nullopt);
  EXPECT_EQ(refuse_change(s.tree, s.scoped(kRootId, true), s.b, "rename"), std::nullopt);
}

// Redaction of an event's origin is tested with the event's text
// (event_json_test.cpp, EventJson.RedactedHidesOriginOnly).

}  // namespace
}  // namespace nsgroup
