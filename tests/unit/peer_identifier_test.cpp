// Peer identification (service/peer_identifier.h) with a fake probe: what
// /proc says of the peer, whether its pidfd is alive.
#include <gtest/gtest.h>

#include <map>

#include "service/peer_identifier.h"
#include "synthetic.h"

namespace nsgroup {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

constexpr std::uint64_t kSysAdmin = 1ULL << kCapSysAdmin;

struct FakeProbe : PeerProbe {
  std::map<std::uint32_t, ProcInfo> procs;
  std::map<std::uint32_t, std::uint64_t> caps;
  bool peer_alive = true;
  std::optional<ProcInfo> read_process(std::uint32_t pid) override {
    auto it = procs.find(pid);
    return it == procs.end() ? std::nullopt : std::optional(it->second);
  }
  std::optional<std::uint64_t> capabilities(std::uint32_t pid) override {
    auto it = caps.find(pid);
    return it == caps.end() ? std::nullopt : std::optional(it->second);
  }
  bool alive(int) override { return peer_alive; }
};

struct Fixture {
  TestTree tree{root_set()};
  Nested n;
  FakeProbe probe;
  int placed = 0;
  Fixture() {
    n.chain(into(tree));
    probe.procs[10] = proc(10, 1, n.a_set, 110);
    probe.procs[1] = proc(1, 0, root_set(), 1);
    probe.caps[10] = kSysAdmin;
    probe.caps[1] = kSysAdmin;
  }
  Result<Identity> who(pid_t pid, uid_t uid = 0, int pidfd = 7) {
    return identify_peer(Peer{pid, uid, pidfd, pidfd < 0 ? "no pidfd here" : ""}, probe, tree,
                         [this] { ++placed; });
  }
};

TEST(PeerIdentifier, AMemberIsScopedToItsContainer) {
  Fixture f;
  auto who = f.who(10);
  ASSERT_TRUE(who) << who.error().message();
  EXPECT_EQ(who->scope, f.n.a);
  EXPECT_TRUE(who->admin);  // uid 0, initial user ns, CAP_SYS_ADMIN, pinned
  EXPECT_EQ(f.placed, 0);
}

TEST(PeerIdentifier, ARootProcessIsNotPlacedAgain) {
  Fixture f;
  auto who = f.who(1);
  ASSERT_TRUE(who);
  EXPECT_EQ(who->scope, kRootId);
  EXPECT_EQ(f.placed, 0);
}

TEST(PeerIdentifier, AProcessTheTreeHasNotPlacedIsPlacedFirst) {
  Fixture f;
  f.probe.procs[40] = proc(40, 10, f.n.a_set, 140);  // forked, fork not seen yet
  auto who = identify_peer(Peer{40, 1000, 7, ""}, f.probe, f.tree, [&f] {
    ++f.placed;
    f.tree.apply(fork_of(10, 40));  // what the rescan finds
  });
  ASSERT_TRUE(who) << who.error().message();
  EXPECT_EQ(f.placed, 1);
  EXPECT_EQ(who->scope, f.n.a);
  EXPECT_FALSE(who->admin);  // uid 1000
}

TEST(PeerIdentifier, UnplacedAfterTheRescanIsRefused) {
  Fixture f;
  f.probe.procs[40] = proc(40, 10, f.n.a_set, 140);
  auto who = f.who(40);
  EXPECT_FALSE(who);
  EXPECT_EQ(f.placed, 1);
}

TEST(PeerIdentifier, APeerThatExitedIsRefused) {
  Fixture f;
  f.probe.peer_alive = false;
  auto who = f.who(10);
  ASSERT_FALSE(who);
  EXPECT_NE(who.error().message().find("exited"), std::string::npos);
}

TEST(PeerIdentifier, WithoutAPidfdNoAdminAndTheReasonKept) {
  Fixture f;
  f.probe.peer_alive = false;  // not asked: there is no pidfd
  auto who = f.who(10, 0, -1);
  ASSERT_TRUE(who) << who.error().message();
  EXPECT_FALSE(who->admin);
  EXPECT_EQ(who->unpinned, "no pidfd here");
}

TEST(PeerIdentifier, UnreadableNamespacesAreRefused) {
  Fixture f;
  f.probe.procs[10].readable = false;
  EXPECT_FALSE(f.who(10));
  EXPECT_EQ(f.placed, 0);
}

TEST(PeerIdentifier, NoCapabilityNoAdmin) {
  Fixture f;
  f.probe.caps.erase(10);
  auto who = f.who(10);
  ASSERT_TRUE(who);
  EXPECT_FALSE(who->admin);
}

}  // namespace
}  // namespace nsgroup
