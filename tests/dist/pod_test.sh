#!/bin/bash
# The image of dist/kubernetes, for real: builds dist/kubernetes/Dockerfile
# with Docker (a dockerd of the test's own), runs it the way
# dist/kubernetes/daemonset.yaml runs it (hostPID, a private cgroup
# namespace, the DaemonSet's capabilities, host mounts, security context
# and args, all read from the manifest), and checks from the host what the
# kernel says: the tree equals /proc (namespace sets), the mirror holds
# each container's processes (cgroup.procs), a `docker run` container is
# labelled docker:<id>; and, from inside the pod, that `nsgroup tree` is
# scoped to the pod (with a note on stderr) while a scan gives the whole
# tree. Then it removes everything but the cached base images.
#
#   tests/dist/pod_test.sh NSGROUP_BINARY      (root; ctest -R dist.pod)
#
# Installs docker.io and mmdebstrap when missing. dockerd runs on
# /run/nsgroup-test-docker.sock with its data under /var/cache/nsgroup-docker,
# where the base images debian:12 and debian:12-slim (made by mmdebstrap,
# never pulled) and the build cache stay between runs. Exit 0 pass, 1 fail,
# 77 skip. NSGROUP_POD_KEEP_IMAGE=1 keeps the built image and uses it
# again (while working on the test; the image then is not the tree's).
set -euo pipefail

HOST_NSGROUP="$(realpath "${1:?usage: pod_test.sh NSGROUP_BINARY}")"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../scripts/lib.sh
source "$ROOT/scripts/lib.sh"

say() { echo "pod_test: $(date -u +%H:%M:%S) $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "skip: $*"; exit 77; }

[ "$(id -u)" -eq 0 ] || skip "needs root"
CG2="$(awk '$9 == "cgroup2" && $4 == "/" { print $5; exit }' /proc/self/mountinfo)"
[ -n "$CG2" ] || skip "no cgroup2 mount"
ensure_packages docker.io mmdebstrap python3-yaml || fail "cannot install docker.io and mmdebstrap"

DATA=/var/cache/nsgroup-docker
EXEC=/run/nsgroup-test-docker
SOCK=/run/nsgroup-test-docker.sock
# Debian's client (a docker earlier in PATH may be another build).
DOCKER=(/usr/bin/docker -H "unix://$SOCK")
IMAGE=nsgroup-test/nsgroup:pod
POD=nsgroup-test-pod
WORKLOAD=nsgroup-test-workload
WORK="$(mktemp -d /tmp/nsgroup-pod.XXXXXX)"
# The DaemonSet's host paths for the control socket and the state go to
# directories of the test's own, so that a real nsgroup on this host is
# not touched; every other host path is the manifest's.
RUN_DIR="$WORK/run"
STATE_DIR="$WORK/state"
MIRROR="$CG2/nsgroup"
DOCKERD_PID=""
SLEEPER=""
DOCKER_CGROUPS=()

cleanup() {
  set +e
  [ -n "$SLEEPER" ] && kill "$SLEEPER" 2>/dev/null && wait "$SLEEPER" 2>/dev/null
  if [ -n "$DOCKERD_PID" ]; then
    "${DOCKER[@]}" rm -f "$POD" "$WORKLOAD" >/dev/null 2>&1
    [ -n "${NSGROUP_POD_KEEP_IMAGE:-}" ] || "${DOCKER[@]}" rmi -f "$IMAGE" >/dev/null 2>&1
    "${DOCKER[@]}" image prune -f >/dev/null 2>&1
    # The build cache keeps the apt layers for the next run; bounded.
    "${DOCKER[@]}" builder prune -f --keep-storage 3gb >/dev/null 2>&1
    kill "$DOCKERD_PID" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$DOCKERD_PID" 2>/dev/null
  fi
  # The daemon leaves its mirror when it stops: members back to the root,
  # directories removed, deepest first.
  if [ -d "$MIRROR" ]; then
    find "$MIRROR" -depth -type d | while read -r d; do
      while read -r p; do [ -n "$p" ] && echo "$p" > "$CG2/cgroup.procs"; done < "$d/cgroup.procs"
      rmdir "$d"
    done
  fi
  # Docker's own cgroups of the test's containers, if any are left.
  # (runc removes a container's cgroups after the container is gone: a
  # few tries.)
  for _ in $(seq 50); do
    left=0
    for d in "${DOCKER_CGROUPS[@]}"; do
      [ -d "$d" ] || continue
      find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
      [ -d "$d" ] && left=1
    done
    [ "$left" = 0 ] && break
    sleep 0.1
  done
  umount "$EXEC/netns" 2>/dev/null
  rm -rf "$WORK" "$EXEC" "$SOCK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# runc (docker's cgroupfs driver) makes a "docker" cgroup in each
# hierarchy, v1 ones and the v2 one: those this test made are removed at
# the end.
DOCKER_CGROUPS=()
while read -r mp; do
  [ -d "$mp/docker" ] || DOCKER_CGROUPS+=("$mp/docker")
done < <(awk '$9 == "cgroup" || $9 == "cgroup2" { print $5 }' /proc/self/mountinfo)
[ -e "$MIRROR" ] && fail "$MIRROR exists: another nsgroup daemon's mirror? (the pod's is <cgroup2 mount>/nsgroup)"

# --- dockerd of the test's own ------------------------------------------
say "starting dockerd (data-root $DATA)"
mkdir -p "$DATA" "$EXEC" "$RUN_DIR" "$STATE_DIR"
dockerd --iptables=false --ip6tables=false --bridge=none -H "unix://$SOCK" \
  --data-root "$DATA" --exec-root "$EXEC" --pidfile "$EXEC/dockerd.pid" \
  >"$WORK/dockerd.log" 2>&1 &
DOCKERD_PID=$!
for _ in $(seq 300); do
  "${DOCKER[@]}" version >/dev/null 2>&1 && break
  kill -0 "$DOCKERD_PID" 2>/dev/null || { tail -20 "$WORK/dockerd.log"; fail "dockerd exited"; }
  sleep 0.1
done
"${DOCKER[@]}" version >/dev/null || { tail -20 "$WORK/dockerd.log"; fail "dockerd does not answer"; }

# --- base images, made locally once -------------------------------------
base_image() {  # TAG [mmdebstrap options]
  local tag="$1"; shift
  if "${DOCKER[@]}" image inspect "$tag" >/dev/null 2>&1; then
    say "base image $tag: cached"
    return
  fi
  local t0=$SECONDS
  mmdebstrap --quiet "$@" bookworm - | "${DOCKER[@]}" import - "$tag" >/dev/null
  say "base image $tag: made by mmdebstrap in $((SECONDS - t0)) s"
}
base_image debian:12
base_image debian:12-slim --variant=minbase

# --- the image ------------------------------------------------------------
t0=$SECONDS
if [ -n "${NSGROUP_POD_KEEP_IMAGE:-}" ] && "${DOCKER[@]}" image inspect "$IMAGE" >/dev/null 2>&1; then
  say "NSGROUP_POD_KEEP_IMAGE: the image of an earlier run, not built again"
else
say "building dist/kubernetes/Dockerfile"
(cd "$ROOT" && DOCKER_BUILDKIT=1 "${DOCKER[@]}" build --network host --progress plain \
  -f dist/kubernetes/Dockerfile -t "$IMAGE" . >"$WORK/build.log" 2>&1) ||
  { tail -40 "$WORK/build.log"; fail "docker build"; }
say "image built in $((SECONDS - t0)) s"
fi
"${DOCKER[@]}" run --rm --network none --entrypoint /usr/sbin/nsgroup "$IMAGE" --version

# --- run it as the DaemonSet does ------------------------------------------
# The docker run options, one per line, from the manifest.
/usr/bin/python3 - "$ROOT/dist/kubernetes/daemonset.yaml" "$RUN_DIR" "$STATE_DIR" \
  >"$WORK/run-args" <<'EOF'
import sys, yaml
path, run_dir, state_dir = sys.argv[1:4]
ds = next(d for d in yaml.safe_load_all(open(path)) if d and d["kind"] == "DaemonSet")
pod = ds["spec"]["template"]["spec"]
c = pod["containers"][0]
sc = c.get("securityContext", {})
out = []
if pod.get("hostPID"):
    out.append("--pid=host")
if not pod.get("hostNetwork"):
    out.append("--network=none")   # a pod network of its own: lo alone here
# Kubernetes gives a pod on cgroup v2 a cgroup namespace of its own.
out.append("--cgroupns=private")
caps = sc.get("capabilities", {})
out += ["--cap-drop=" + x for x in caps.get("drop", [])]
out += ["--cap-add=" + x for x in caps.get("add", [])]
if sc.get("privileged"):
    out.append("--privileged")
if sc.get("allowPrivilegeEscalation") is False:
    out.append("--security-opt=no-new-privileges")
if sc.get("readOnlyRootFilesystem"):
    out.append("--read-only")
if "runAsUser" in sc:
    out.append("--user=%d" % sc["runAsUser"])
# seccompProfile RuntimeDefault: docker's default profile, as the runtime's.
assert sc.get("seccompProfile", {}).get("type") == "RuntimeDefault"
volumes = {v["name"]: v for v in pod["volumes"]}
own = {"/run/nsgroup": run_dir, "/var/lib/nsgroup": state_dir}
for m in c["volumeMounts"]:
    host = volumes[m["name"]]["hostPath"]["path"]
    host = own.get(host, host)
    out.append("--volume=%s:%s%s" % (host, m["mountPath"], ":ro" if m.get("readOnly") else ""))
# The pod's address is lo's here (--network=none).
env = {"POD_IP": "127.0.0.1"}
out.append("--")
args = []
for a in c.get("args", []):
    for k, v in env.items():
        a = a.replace("$(%s)" % k, v)
    args.append(a)
print("\n".join(out + args))
EOF
mapfile -t RUN_ARGS <"$WORK/run-args"
# Split at "--": options, then the image's arguments.
for i in "${!RUN_ARGS[@]}"; do [ "${RUN_ARGS[$i]}" = "--" ] && cut=$i; done
OPTS=("${RUN_ARGS[@]:0:$cut}")
ARGS=("${RUN_ARGS[@]:$((cut + 1))}")
# /run/runc and /run/crun exist once a runtime has run (DirectoryOrCreate).
mkdir -p /run/runc /run/crun
# Debian 12's docker (20.10) knows no CAP_BPF nor CAP_PERFMON (moby's list
# predates them; runc and the kernel know them): where it refuses one, it
# is left out and said. CAP_SYS_ADMIN, which the DaemonSet adds too,
# covers both.
for _ in 1 2 3; do
  say "docker run ${OPTS[*]} $IMAGE ${ARGS[*]}"
  if "${DOCKER[@]}" run -d --name "$POD" "${OPTS[@]}" "$IMAGE" "${ARGS[@]}" >/dev/null 2>"$WORK/run.err"; then
    break
  fi
  cat "$WORK/run.err"
  unknown="$(sed -n 's/.*unknown capability: "CAP_\([A-Z_]*\)".*/\1/p' "$WORK/run.err")"
  [ -n "$unknown" ] || fail "docker run"
  say "this docker knows no CAP_$unknown: run without it (CAP_SYS_ADMIN covers it)"
  "${DOCKER[@]}" rm -f "$POD" >/dev/null 2>&1 || true
  for i in "${!OPTS[@]}"; do [ "${OPTS[$i]}" = "--cap-add=$unknown" ] && unset 'OPTS[i]'; done
  OPTS=("${OPTS[@]}")
done
"${DOCKER[@]}" inspect "$POD" >/dev/null 2>&1 || fail "docker run"
SOCKET="$RUN_DIR/nsgroup.sock"
for _ in $(seq 300); do
  [ -S "$SOCKET" ] && "$HOST_NSGROUP" stats --socket "$SOCKET" >/dev/null 2>&1 && break
  [ "$("${DOCKER[@]}" inspect -f '{{.State.Running}}' "$POD")" = true ] ||
    { "${DOCKER[@]}" logs "$POD" 2>&1 | tail -20; fail "the pod's daemon exited"; }
  sleep 0.1
done
"$HOST_NSGROUP" stats --socket "$SOCKET" >/dev/null ||
  { "${DOCKER[@]}" logs "$POD" 2>&1 | tail -20; fail "the pod's daemon does not answer"; }
"${DOCKER[@]}" logs "$POD" 2>"$WORK/pod.err" >/dev/null
say "the pod's daemon answers; its log:"
sed 's/^/    /' "$WORK/pod.err"
DAEMON_PID="$("${DOCKER[@]}" inspect -f '{{.State.Pid}}' "$POD")"
[ "$(readlink "/proc/$DAEMON_PID/ns/pid")" = "$(readlink /proc/self/ns/pid)" ] ||
  fail "the pod is not in the host's pid namespace"
grep -q "entered the host's cgroup namespace" "$WORK/pod.err" ||
  fail "the daemon did not say that it entered the host's cgroup namespace"
[ "$(readlink "/proc/$DAEMON_PID/ns/cgroup")" = "$(readlink /proc/2/ns/cgroup)" ] ||
  fail "the daemon is not in the host's cgroup namespace"

# --- workloads: a host one and a real docker container ---------------------
unshare -u sleep 600 &
SLEEPER=$!
"${DOCKER[@]}" run -d --name "$WORKLOAD" --network none debian:12 sleep 600 >/dev/null
WL_ID="$("${DOCKER[@]}" inspect -f '{{.Id}}' "$WORKLOAD")"
WL_PID="$("${DOCKER[@]}" inspect -f '{{.State.Pid}}' "$WORKLOAD")"
for _ in $(seq 50); do
  [ "$(readlink "/proc/$SLEEPER/ns/uts")" != "$(readlink /proc/self/ns/uts)" ] && break
  sleep 0.1
done
say "workloads: unshare -u sleep ($SLEEPER), docker container ${WL_ID:0:12} (pid $WL_PID, cgroup $(sed -n 's/^0:://p' "/proc/$WL_PID/cgroup"))"

# --- checks from the host ----------------------------------------------------
# snapshot: /proc's processes (start time, namespace links) as JSON;
# daemon|scan TREE_FILE BEFORE_FILE: checks the tree document against the
# kernel, for the processes that lived from BEFORE (a snapshot taken
# before the tree was asked for) to now.
check_tree() {
  /usr/bin/python3 - "$CG2" "$MIRROR" "$SLEEPER" "$WL_PID" "$WL_ID" "$@" <<'EOF'
import json, os, sys
cg2, mirror, sleeper, wl_pid, wl_id, source = sys.argv[1:7]
sleeper, wl_pid = int(sleeper), int(wl_pid)
NS = ["cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time",
      "time_for_children", "user", "uts"]
def proc():
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = open("/proc/%s/stat" % d).read()
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] == "Z":
                continue
            links = tuple(os.readlink("/proc/%s/ns/%s" % (d, n)) for n in NS)
            out[int(d)] = (fields[19], links)
        except OSError:
            pass
    return out
if source == "snapshot":
    json.dump({str(p): [v[0], list(v[1])] for p, v in proc().items()}, sys.stdout)
    sys.exit(0)
tree_file, before_file = sys.argv[7:9]
before = {int(p): (v[0], tuple(v[1])) for p, v in json.load(open(before_file)).items()}
doc = json.load(open(tree_file))
after = proc()
failures = []
def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)
nodes = {}
def walk(c):
    nodes[c["path"]] = c
    for ch in c.get("children", []):
        walk(ch)
walk(doc["root"])
where = {}
for path, c in nodes.items():
    for p in c.get("pids", []):
        where.setdefault(p, []).append(path)
# The tree equals /proc: every process that lived through the query (same
# start time) is in exactly one container, and two share one iff their
# ten namespace links are equal.
stable = {p: v for p, v in before.items() if after.get(p) == v}
missing = [p for p in stable if len(where.get(p, [])) != 1]
check(not missing, "each of %d live processes is in exactly one container%s"
      % (len(stable), "" if not missing else " (not: %s)" % missing[:10]))
by_path, by_set = {}, {}
for p, (_, links) in stable.items():
    if len(where.get(p, [])) == 1:
        by_path.setdefault(where[p][0], set()).add(links)
        by_set.setdefault(links, set()).add(where[p][0])
split = {k: v for k, v in by_set.items() if len(v) > 1}
mixed = {k: v for k, v in by_path.items() if len(v) > 1}
check(not split, "processes with one namespace set share one container (%d sets)"
      % len(by_set))
check(not mixed, "each container holds one namespace set (%d containers)" % len(by_path))
# The docker container: labelled docker:<12 hex> with its full id.
wp = where.get(wl_pid, ["?"])[0]
c = nodes.get(wp, {})
check(c.get("label") == "docker:" + wl_id[:12] and
      (c.get("runtime") or {}).get("id") == wl_id,
      "the docker container (pid %d) at %s is labelled docker:%s (label %s, runtime %s)"
      % (wl_pid, wp, wl_id[:12], c.get("label"), c.get("runtime")))
if source == "scan":  # one scan has no mirror
    sys.exit(1 if failures else 0)
# The mirror: each container's directory holds exactly its members, those
# left in another manager's cgroup aside; the root's is the mirror root.
def procs(d):
    try:
        return {int(x) for x in open(d + "/cgroup.procs").read().split()}
    except OSError:
        return None
check(nodes["/init_container"].get("cgroup") == mirror,
      "the root's cgroup is the mirror root %s" % mirror)
wrong = []
for path, c in nodes.items():
    if path == "/init_container":
        continue
    d = mirror + path[len("/init_container"):]
    if c.get("cgroup") != d:
        wrong.append("%s: cgroup %s, not %s" % (path, c.get("cgroup"), d))
        continue
    have = procs(d)
    foreign = {int(k) for k in c.get("foreign_cgroup", {})}
    want = {p for p in c.get("pids", []) if p not in foreign and p in stable}
    if have is None or {p for p in have if p in stable} != want:
        wrong.append("%s holds %s, the tree says %s" % (d, have, want))
check(not wrong, "every container's directory holds exactly its members%s"
      % ("" if not wrong else ": " + "; ".join(wrong[:5])))
# The host workload: moved into its container's directory.
sp = where.get(sleeper, ["?"])[0]
check(sp != "/init_container" and
      procs(mirror + sp[len("/init_container"):]) == {sleeper},
      "unshare -u sleep (%d) is alone in %s's directory" % (sleeper, sp))
sys.exit(1 if failures else 0)
EOF
}

say "the tree from the host (the daemon in the pod)"
ok=""
for attempt in 1 2 3; do
  check_tree snapshot >"$WORK/before.json"
  "$HOST_NSGROUP" tree --pids --socket "$SOCKET" >"$WORK/tree.json"
  if check_tree daemon "$WORK/tree.json" "$WORK/before.json" >"$WORK/check.txt"; then ok=1; break; fi
  say "attempt $attempt differs (processes may have come and gone):"; grep FAIL "$WORK/check.txt" || true
  sleep 1
done
cat "$WORK/check.txt"
[ -n "$ok" ] || fail "the tree from the pod's daemon is not what the kernel says"

# --- from inside the pod -----------------------------------------------------
say "nsgroup tree inside the pod (kubectl exec ds/nsgroup -- nsgroup tree)"
"${DOCKER[@]}" exec "$POD" nsgroup tree --pids >"$WORK/scoped.json" 2>"$WORK/scoped.err" ||
  { cat "$WORK/scoped.err"; fail "nsgroup tree in the pod"; }
sed 's/^/    stderr: /' "$WORK/scoped.err"
/usr/bin/python3 - "$WORK/scoped.json" "$DAEMON_PID" <<'EOF' || fail "the pod's own tree"
import json, sys
doc = json.load(open(sys.argv[1]))
root = doc["root"]
pids = set(root.get("pids", []))
print("    root %s, %d children, pids %s" % (root["path"], len(root.get("children", [])), sorted(pids)))
assert root["path"] != "/init_container", "a pod's client saw the whole tree"
EOF
grep -q "the subtree of its own container" "$WORK/scoped.err" || fail "no note on stderr says the tree is scoped"

say "the whole tree from inside the pod: nsgroup tree --no-daemon (one scan)"
"${DOCKER[@]}" exec "$POD" nsgroup tree --pids --no-daemon >"$WORK/scan.json" 2>"$WORK/scan.err" ||
  { cat "$WORK/scan.err"; fail "nsgroup tree --no-daemon in the pod"; }
/usr/bin/python3 - "$WORK/scan.json" <<'EOF' || fail "the scan's tree"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["source"] == "scan", doc["source"]
assert doc["root"]["path"] == "/init_container"
print("    source scan, root /init_container, %d children" % len(doc["root"]["children"]))
EOF
# The scan's tree against the kernel too: grouping and labels (one scan
# has no mirror).
ok=""
for attempt in 1 2 3; do
  check_tree snapshot >"$WORK/before.json"
  "${DOCKER[@]}" exec "$POD" nsgroup tree --pids --no-daemon >"$WORK/scan.json" 2>/dev/null
  if check_tree scan "$WORK/scan.json" "$WORK/before.json" >"$WORK/check.txt"; then ok=1; break; fi
  sleep 1
done
cat "$WORK/check.txt"
[ -n "$ok" ] || fail "the scan from the pod is not what the kernel says"

# Stopped as the kubelet stops a pod: SIGTERM, then the grace period.
say "docker stop (SIGTERM, terminationGracePeriodSeconds 10)"
"${DOCKER[@]}" stop -t 10 "$POD" >/dev/null
status="$("${DOCKER[@]}" inspect -f '{{.State.ExitCode}}' "$POD")"
[ "$status" = 0 ] || { "${DOCKER[@]}" logs "$POD" 2>&1 | tail -5; fail "the pod's daemon exited with $status on SIGTERM"; }
"${DOCKER[@]}" logs "$POD" 2>&1 >/dev/null | grep -q "stopping on SIGTERM" ||
  fail "the pod's daemon did not log its stop"

say "pass"
