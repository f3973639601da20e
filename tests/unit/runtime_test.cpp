// Runtimes (core/runtime.h): real cgroup path shapes of each runtime, the
// helpers that are not containers, malformed names; and the state files
// of runc and crun, read by host/runtime_state.h and decoded by
// json/runtime_json.h, from files they wrote.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "core/runtime.h"
#include "host/runtime_state.h"
#include "json/runtime_json.h"

namespace nsgroup {
namespace {

const std::string kId = "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb";
const std::string kUid = "0f3c1a2b-5d6e-4f70-8a9b-0c1d2e3f4a5b";
const std::string kUidSd = "0f3c1a2b_5d6e_4f70_8a9b_0c1d2e3f4a5b";  // systemd's escaping

struct Shape {
  std::string path;
  std::optional<RuntimeInfo> want;
};

RuntimeInfo rt(std::string name, std::string id, std::string pod = {}, std::string qos = {}) {
  return RuntimeInfo{std::move(name), std::move(id), std::move(pod), std::move(qos)};
}

TEST(RuntimeFromCgroup, RealShapes) {
  const std::vector<Shape> shapes = {
      // docker, systemd driver and cgroupfs driver.
      {"/system.slice/docker-" + kId + ".scope", rt("docker", kId)},
      {"/docker/" + kId, rt("docker", kId)},
      {"/system.slice/docker-" + kId + ".scope\n", rt("docker", kId)},
      // containerd's CRI plugin under kubelet, systemd driver: each QoS.
      {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + kUidSd +
           ".slice/cri-containerd-" + kId + ".scope",
       rt("containerd", kId, kUid, "burstable")},
      {"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + kUidSd +
           ".slice/cri-containerd-" + kId + ".scope",
       rt("containerd", kId, kUid, "besteffort")},
      {"/kubepods.slice/kubepods-pod" + kUidSd + ".slice/cri-containerd-" + kId + ".scope",
       rt("containerd", kId, kUid, "guaranteed")},
      // ... and cgroupfs driver: the bare id under the pod.
      {"/kubepods/burstable/pod" + kUid + "/" + kId, rt("containerd", kId, kUid, "burstable")},
      {"/kubepods/pod" + kUid + "/" + kId, rt("containerd", kId, kUid, "guaranteed")},
      // A static pod's uid is a hash, not a UUID.
      {"/kubepods/besteffort/pod6d2b1f0c8e4a3b5c7d9e1f2a3b4c5d6e/" + kId,
       rt("containerd", kId, "6d2b1f0c8e4a3b5c7d9e1f2a3b4c5d6e", "besteffort")},
      // CRI-O, both drivers.
      {"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + kUidSd +
           ".slice/crio-" + kId + ".scope",
       rt("crio", kId, kUid, "besteffort")},
      {"/kubepods/burstable/pod" + kUid + "/crio-" + kId, rt("crio", kId, kUid, "burstable")},
      // cri-dockerd: docker's own scope under a pod slice.
      {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + kUidSd +
           ".slice/docker-" + kId + ".scope",
       rt("docker", kId, kUid, "burstable")},
      // podman: rootful systemd, rootless, cgroupfs, and its split
      // "container" sub-cgroup.
      {"/machine.slice/libpod-" + kId + ".scope", rt("podman", kId)},
      {"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + kId + ".scope",
       rt("podman", kId)},
      {"/libpod_parent/libpod-" + kId, rt("podman", kId)},
      {"/machine.slice/libpod-" + kId + ".scope/container", rt("podman", kId)},
      // systemd-nspawn (machined's scope), the name unescaped; the
      // payload sub-cgroup and a systemd inside it.
      {"/machine.slice/machine-web.scope", rt("nspawn", "web")},
      {"/machine.slice/machine-web\\x2d1.scope/payload", rt("nspawn", "web-1")},
      {"/machine.slice/machine-web.scope/payload/system.slice/foo.service", rt("nspawn", "web")},
      // LXC 4+ (and LXD), a systemd inside it, LXC 1-3.
      {"/lxc.payload.c1", rt("lxc", "c1")},
      {"/lxc.payload.c1/init.scope", rt("lxc", "c1")},
      {"/lxc.payload.myproject_c1", rt("lxc", "myproject_c1")},
      {"/lxc/c1", rt("lxc", "c1")},
      {"/lxc.payload/c1", rt("lxc", "c1")},
      // The deepest runtime wins: docker inside an LXC container.
      {"/lxc.payload.c1/system.slice/docker-" + kId + ".scope", rt("docker", kId)},
  };
  for (const Shape& s : shapes) {
    SCOPED_TRACE(s.path);
    EXPECT_EQ(runtime_from_cgroup(s.path), s.want);
  }
}

TEST(RuntimeFromCgroup, NotARuntimesContainer) {
  std::string upper = kId;
  for (char& ch : upper)
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  const std::vector<std::string> paths = {
      "",
      "/",
      "/init.scope",
      "/user.slice/user-0.slice/session-1.scope",
      "/system.slice/docker.service",
      "/system.slice/containerd.service",
      // A 64-hex run that no runtime made.
      "/system.slice/backup-" + kId + ".service",
      "/" + kId,
      "/kubepods/burstable/" + kId,  // not under a pod
      "/process_api/bce141a29a8d3c63d4072c344bdda5ab",
      // Not 64 lowercase hex digits.
      "/system.slice/docker-" + kId.substr(1) + ".scope",
      "/system.slice/docker-" + kId + "0.scope",
      "/system.slice/docker-" + upper + ".scope",
      "/docker/" + kId.substr(1),
      "/docker",
      // Runtimes' helpers: conmon, the LXC monitor, nspawn itself.
      "/machine.slice/libpod-conmon-" + kId + ".scope",
      "/libpod_parent/conmon",
      "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + kUidSd +
          ".slice/crio-conmon-" + kId + ".scope",
      "/kubepods/burstable/pod" + kUid + "/crio-conmon-" + kId,
      "/lxc.monitor.c1",
      "/lxc/lxc.monitor.c1",
      "/machine.slice/machine-web.scope/supervisor",
      // A pod's own cgroup, and podman's pod slice: no container.
      "/kubepods/burstable/pod" + kUid,
      "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + kUidSd + ".slice",
      "/machine.slice/machine-libpod_pod_" + kId + ".slice",
      // Malformed escapes in a machine name.
      "/machine.slice/machine-web\\x2.scope",
      "/machine.slice/machine-web\\x.scope",
      "/machine.slice/machine-web\\.scope",
      "/machine.slice/machine-web\\xzz.scope",
      "/machine.slice/machine-\\x2f.scope",  // '/'
      "/machine.slice/machine-\\x00.scope",  // NUL
      "/machine.slice/machine-.scope",
  };
  for (const std::string& p : paths) {
    SCOPED_TRACE(p);
    EXPECT_EQ(runtime_from_cgroup(p), std::nullopt);
  }
}

TEST(RuntimeFromCgroup, PodUidComesOnlyFromKubepods) {
  auto r = runtime_from_cgroup("/system.slice/pod" + kUid + "/docker/" + kId);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->pod_uid, "");
  EXPECT_EQ(r->qos, "");
}

// An iterator scan reads the whole path only where the leaf may be a
// runtime's: every leaf of RealShapes' paths, never a mirror directory.
TEST(RuntimeLeaf, ReadsThePathOnlyWhereTheLeafMayBeARuntimes) {
  const std::vector<std::string> leaves = {
      "docker-" + kId + ".scope", kId, "cri-containerd-" + kId + ".scope", "crio-" + kId,
      "libpod-" + kId + ".scope", "container", "machine-web.scope", "payload", "foo.service",
      "lxc.payload.c1", "init.scope"};
  for (const std::string& leaf : leaves)
    EXPECT_TRUE(leaf_may_be_runtimes(leaf)) << leaf;
  for (std::string_view leaf : {"", "container_7", "web", "blue-net"})
    EXPECT_FALSE(leaf_may_be_runtimes(leaf)) << leaf;
}

TEST(SystemdUnescape, Escapes) {
  EXPECT_EQ(systemd_unescape("web"), "web");
  EXPECT_EQ(systemd_unescape("web\\x2d1"), "web-1");
  EXPECT_EQ(systemd_unescape("a\\x5cb"), "a\\b");
  EXPECT_EQ(systemd_unescape("\\x2D"), "-");
  EXPECT_EQ(systemd_unescape(""), std::nullopt);
  EXPECT_EQ(systemd_unescape("a\\"), std::nullopt);
  EXPECT_EQ(systemd_unescape("a\\x4"), std::nullopt);
  EXPECT_EQ(systemd_unescape("a\\y41"), std::nullopt);
}

TEST(RuntimeLabel, ShortIdForA64HexIdElseTheWhole) {
  EXPECT_EQ(short_runtime_id(kId), "ca978112ca1b");
  EXPECT_EQ(short_runtime_id("mybox"), "mybox");
  EXPECT_EQ(short_runtime_id(kId.substr(1)), kId.substr(1));
  EXPECT_EQ(runtime_label(rt("docker", kId)), "docker:ca978112ca1b");
  EXPECT_EQ(runtime_label(rt("nspawn", "web-1")), "nspawn:web-1");
  EXPECT_EQ(runtime_label(rt("lxc", "c1")), "lxc:c1");
}

// runc 1.1.5's /run/runc/<id>/state.json for `runc run -d` of a busybox
// bundle, its "config" cut down to the cgroups part (the file is 6 KiB).
constexpr const char* kRuncState = R"({"id":"nsgtest1","init_process_pid":27553,)"
    R"("init_process_start":1640164,"created":"2026-12-02T23:35:27.990525028Z",)"
    R"("config":{"no_pivot_root":false,"rootfs":"/tmp/nsg-rt.2oSrUr/rootfs",)"
    R"("readonlyfs":true,"hostname":"mybox","cgroups":{"name":"nsgtest1","path":"",)"
    R"("scope_prefix":"","Systemd":false,"Rootless":false},"version":"1.0.2-dev"},)"
    R"("rootless":false,"cgroup_paths":{"":"/sys/fs/cgroup/unified/nsgtest1",)"
    R"("memory":"/sys/fs/cgroup/memory/nsgtest1","pids":"/sys/fs/cgroup/pids/nsgtest1"},)"
    R"("namespace_paths":{"NEWIPC":"/proc/27553/ns/ipc","NEWNET":"/proc/27553/ns/net",)"
    R"("NEWNS":"/proc/27553/ns/mnt","NEWPID":"/proc/27553/ns/pid","NEWUTS":"/proc/27553/ns/uts"},)"
    R"("external_descriptors":["/dev/null","/dev/null","/dev/null"],"intel_rdt_path":""})";

// crun 1.8.1's /run/crun/<id>/status, as written.
constexpr const char* kCrunStatus = R"({
    "pid": 28105,
    "process-start-time": 1643266,
    "cgroup-path": "",
    "scope": "",
    "rootfs": "rootfs",
    "systemd-cgroup": false,
    "bundle": "/tmp/nsg-rt.2oSrUr",
    "created": "2026-12-02T23:35:58.941500Z",
    "owner": "root",
    "detached": true,
    "external_descriptors": "[\"/dev/null\",\"/dev/null\",\"/tmp/nsg-rt.2oSrUr/err2\"]"
}
)";

TEST(RuntimeState, RuncStateJson) {
  auto s = parse_runc_state(kRuncState);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->info, rt("runc", "nsgtest1"));
  EXPECT_EQ(s->pid, 27553U);
  EXPECT_EQ(s->start_ticks, 1640164U);
}

TEST(RuntimeState, CrunStatus) {
  auto s = parse_crun_status(kCrunStatus, "nsgtest2");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->info, rt("crun", "nsgtest2"));
  EXPECT_EQ(s->pid, 28105U);
  EXPECT_EQ(s->start_ticks, 1643266U);
}

TEST(RuntimeState, MalformedFilesAreNothing) {
  for (const char* bad :
       {"", "{", "[]", "null", R"({"id":"x"})", R"({"id":"x","init_process_pid":0})",
        R"({"id":"x","init_process_pid":-5})", R"({"id":"x","init_process_pid":"12"})",
        R"({"id":"x","init_process_pid":4294967296})", R"({"id":"../x","init_process_pid":12})",
        R"({"id":"","init_process_pid":12})", R"({"id":7,"init_process_pid":12})"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(parse_runc_state(bad), std::nullopt);
  }
  EXPECT_EQ(parse_crun_status(R"({"pid":"12"})", "c"), std::nullopt);
  EXPECT_EQ(parse_crun_status(R"({"pid":12})", ".."), std::nullopt);
  EXPECT_EQ(parse_crun_status("not json", "c"), std::nullopt);
  // No start time: the pid alone (start 0, unchecked).
  auto s = parse_crun_status(R"({"pid":12})", "c");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->start_ticks, 0U);
}

// The directories as the runtimes lay them out, in a temporary root.
class StateDirs : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/nsg-state-test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    dirs_.runc = root_ + "/runc";
    dirs_.crun = root_ + "/crun";
  }
  void TearDown() override {
    if (!root_.empty())
      std::system(("rm -rf '" + root_ + "'").c_str());  // NOLINT(cert-env33-c)
  }
  void put(const std::string& dir, const std::string& file, const std::string& text) {
    ::mkdir(dirs_.runc.c_str(), 0700);
    ::mkdir(dirs_.crun.c_str(), 0700);
    ::mkdir(dir.c_str(), 0700);
    std::ofstream(dir + "/" + file) << text;
  }
  std::string root_;
  RuntimeStateDirs dirs_;
};

TEST_F(StateDirs, ReadsRuncAndCrunByInitPid) {
  put(dirs_.runc + "/nsgtest1", "state.json", kRuncState);
  put(dirs_.crun + "/nsgtest2", "status", kCrunStatus);
  auto states = read_runtime_states(runtime_state_json(), dirs_);
  ASSERT_EQ(states.size(), 2U);
  EXPECT_EQ(states.at(27553).info, rt("runc", "nsgtest1"));
  EXPECT_EQ(states.at(28105).info, rt("crun", "nsgtest2"));
}

TEST_F(StateDirs, SkipsWhatIsNotAStateFile) {
  put(dirs_.runc + "/other", "state.json", kRuncState);  // id is not the directory's
  put(dirs_.crun + "/big", "status",
      R"({"pid":77,"x":")" + std::string(kMaxRuntimeStateBytes, 'a') + "\"}");
  put(dirs_.crun + "/linked", "target", kCrunStatus);
  ASSERT_EQ(::symlink((dirs_.crun + "/linked/target").c_str(),
                      (dirs_.crun + "/linked/status").c_str()),
            0);
  EXPECT_TRUE(read_runtime_states(runtime_state_json(), dirs_).empty());
  EXPECT_TRUE(read_runtime_states(runtime_state_json(), {root_ + "/none", root_ + "/none"}).empty());
}

}  // namespace
}  // namespace nsgroup
