// The proof of a Unix socket's peer on kernels without SO_PEERPIDFD
// (host/peer_proof.h): over a fake /proc whose process changes between the
// proof's steps, and over the real kernel with a socket pair of our own.
#include "host/peer_proof.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

namespace nsgroup {
namespace {

namespace fs = std::filesystem;

// A /proc of one process: its stat (start time) and its fds.
struct FakeProc {
  fs::path root;
  FakeProc() {
    char tmpl[] = "/tmp/nsgroup-peer-XXXXXX";
    root = ::mkdtemp(tmpl);
  }
  ~FakeProc() { fs::remove_all(root); }
  FakeProc(const FakeProc&) = delete;
  FakeProc& operator=(const FakeProc&) = delete;

  // Process `pid` started at `ticks` holding the sockets `inodes` as fds 3...
  void process(pid_t pid, std::uint64_t ticks, std::initializer_list<std::uint64_t> inodes) {
    fs::path dir = root / std::to_string(pid);
    fs::remove_all(dir);
    fs::create_directories(dir / "fd");
    // Fields 3.. of /proc/PID/stat; the 22nd field is the start time.
    std::ofstream(dir / "stat") << pid << " (sleep) S 1 1 1 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 "
                                << ticks << " 0 0\n";
    int fd = 3;
    for (auto ino : inodes)
      fs::create_symlink("socket:[" + std::to_string(ino) + "]", dir / "fd" / std::to_string(fd++));
  }
};

// The real readers over the fake /proc; pidfds are scripted. `after_open`
// runs right after the pidfd is opened: where a pid may be reused.
class ScriptedProcesses : public PeerProcesses {
 public:
  explicit ScriptedProcesses(const FakeProc& p) : PeerProcesses(ProcFs(p.root.string())) {}
  std::function<void()> after_open = [] {};
  bool exits = false;  // the pidfd's process is gone by the last step
  bool no_process = false;

  UniqueFd open_pidfd(pid_t) override {
    if (no_process)
      return UniqueFd();
    UniqueFd fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    after_open();
    return fd;
  }
  bool alive(int) override { return !exits; }
};

constexpr pid_t kPid = 4242;
constexpr std::uint64_t kPeer = 91011;
constexpr std::uint64_t kAccepted = 5000;

TEST(PeerProof, TheConnectingProcessIsProvenAndItsPidfdKept) {
  FakeProc proc;
  proc.process(kPid, kAccepted - 100, {12, kPeer});
  ScriptedProcesses procs(proc);
  auto pinned = prove_peer(procs, kPid, kPeer, kAccepted);
  ASSERT_TRUE(pinned) << pinned.error().message();
  EXPECT_TRUE(*pinned);
}

TEST(PeerProof, APidReusedBetweenConnectAndThePidfdIsRefused) {
  // The connecting process exited before pidfd_open; a process that
  // started after accept() took its pid (and holds the socket too, say by
  // inheritance): its start time gives it away.
  FakeProc proc;
  proc.process(kPid, kAccepted + 1, {kPeer});
  ScriptedProcesses procs(proc);
  auto pinned = prove_peer(procs, kPid, kPeer, kAccepted);
  ASSERT_FALSE(pinned);
  EXPECT_NE(pinned.error().message().find("pid was reused"), std::string::npos)
      << pinned.error().message();
}

TEST(PeerProof, APidReusedBetweenThePidfdAndTheReadsIsRefused) {
  // The pidfd pins the connecting process; it exits right after, and an
  // older-looking process with the socket takes the pid: only the pidfd's
  // liveness at the end tells.
  FakeProc proc;
  proc.process(kPid, kAccepted - 100, {kPeer});
  ScriptedProcesses procs(proc);
  procs.after_open = [&] { proc.process(kPid, kAccepted - 50, {kPeer}); };
  procs.exits = true;
  auto pinned = prove_peer(procs, kPid, kPeer, kAccepted);
  ASSERT_FALSE(pinned);
  EXPECT_NE(pinned.error().message().find("exited while it was being checked"), std::string::npos)
      << pinned.error().message();
}

TEST(PeerProof, AProcessWithoutThePeerSocketIsRefused) {
  // Another process took the pid between connect() and accept(): it is
  // older than the accept, but it does not hold the connection.
  FakeProc proc;
  proc.process(kPid, kAccepted - 1, {kPeer + 1, 7});
  ScriptedProcesses procs(proc);
  procs.after_open = [&] { proc.process(kPid, kAccepted - 1, {kPeer + 1}); };
  auto pinned = prove_peer(procs, kPid, kPeer, kAccepted);
  ASSERT_FALSE(pinned);
  EXPECT_NE(pinned.error().message().find("does not hold"), std::string::npos)
      << pinned.error().message();
}

TEST(PeerProof, AGoneProcessIsRefused) {
  FakeProc proc;
  ScriptedProcesses procs(proc);
  procs.no_process = true;
  EXPECT_FALSE(prove_peer(procs, kPid, kPeer, kAccepted));
  procs.no_process = false;  // a pidfd, but no /proc entry any more
  EXPECT_FALSE(prove_peer(procs, kPid, kPeer, kAccepted));
}

// The kernel's side: unix_diag names the other end of a socket pair, and
// the whole proof holds for this very process, and fails when the accept
// is dated before our start.
TEST(PeerProof, TheKernelNamesThePeerAndProvesThisProcess) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  UniqueFd a(sv[0]), b(sv[1]);
  auto peer = unix_peer_inode(a.get());
  if (!peer && peer.error().err == ENOENT)
    GTEST_SKIP() << "this kernel has no unix_diag: " << peer.error().message();
  ASSERT_TRUE(peer) << peer.error().message();
  struct stat st {};
  ASSERT_EQ(::fstat(b.get(), &st), 0);
  EXPECT_EQ(*peer, st.st_ino);

  PeerProcesses procs;
  auto proven = prove_peer(procs, ::getpid(), *peer, boot_ticks_now());
  EXPECT_TRUE(proven) << proven.error().message();
  auto early = prove_peer(procs, ::getpid(), *peer, 0);
  EXPECT_FALSE(early);
  // Once b is closed, a's peer is gone and this process holds no socket of
  // that inode.
  b.reset();
  auto left = prove_peer(procs, ::getpid(), *peer, boot_ticks_now());
  EXPECT_FALSE(left);
}

}  // namespace
}  // namespace nsgroup
