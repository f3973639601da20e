#!/usr/bin/python3
"""Structural check of dist/kubernetes: no cluster or registry here, so the
manifests are checked against the sources of truth they copy: the unit's
CapabilityBoundingSet, the binary's own --help, scripts/lib.sh's build
packages, the binary's DT_NEEDED libraries, and apt's Debian 12 lists.

kubernetes_check.py DIST_DIR NSGROUP_BINARY LIB_SH
Exit 0 when every check holds, 1 otherwise, 77 without the yaml module.
"""
import glob
import os
import re
import shutil
import subprocess
import sys

try:
    import yaml
except ImportError:
    print("skip: python3-yaml is not installed")
    sys.exit(77)

failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)
    return ok


def unit_capabilities(unit_path):
    """The unit's CapabilityBoundingSet, as Kubernetes spells it."""
    caps = []
    with open(unit_path) as f:
        for line in f:
            m = re.match(r"\s*CapabilityBoundingSet\s*=\s*(.*)", line)
            if m:
                caps += m.group(1).split()
    return [c[len("CAP_"):] if c.startswith("CAP_") else c for c in caps]


def help_options(binary, command):
    """Options in the synopsis of COMMAND in `nsgroup --help`."""
    out = subprocess.run([binary, "--help"], capture_output=True, text=True,
                         check=True).stdout
    lines = out.splitlines()
    synopsis = []
    for i, line in enumerate(lines):
        if re.match(r"  %s\b" % re.escape(command), line):
            synopsis.append(line)
            for cont in lines[i + 1:]:
                if not re.match(r" {8,}\[", cont):
                    break
                synopsis.append(cont)
            break
    return set(re.findall(r"--[a-z0-9-]+", "\n".join(synopsis)))


def dockerfile_stages(path):
    """[(image, [packages apt-get installs], [COPY lines], [ENTRYPOINT])]."""
    with open(path) as f:
        text = re.sub(r"\\\n", " ", f.read())
    stages = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        word = word.upper()
        if word == "FROM":
            stages.append({"image": rest.split()[0], "packages": [],
                           "copy": [], "entrypoint": None})
        elif word == "RUN" and stages:
            for cmd in rest.split("&&"):
                m = re.search(r"apt-get install (.*)", cmd)
                if m:
                    stages[-1]["packages"] += [
                        w for w in m.group(1).split() if not w.startswith("-")]
        elif word == "COPY" and stages:
            stages[-1]["copy"].append(rest.split())
        elif word == "ENTRYPOINT" and stages:
            stages[-1]["entrypoint"] = yaml.safe_load(rest)
    return stages


def needed_packages(binary):
    """The Debian packages owning the libraries BINARY links."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True,
                         check=True).stdout
    packages = set()
    for m in re.finditer(r"=> (/\S+)", out):
        path = os.path.realpath(m.group(1))
        candidates = {m.group(1), path}
        for p in list(candidates):  # merged /usr: dpkg knows one of the two
            if p.startswith("/usr/lib/"):
                candidates.add(p[len("/usr"):])
            elif p.startswith("/lib/"):
                candidates.add("/usr" + p)
        owner = None
        for p in sorted(candidates):
            r = subprocess.run(["dpkg", "-S", p], capture_output=True,
                               text=True)
            if r.returncode == 0:
                owner = r.stdout.split(":")[0]
                break
        check(owner is not None, "dpkg -S finds the package of %s" % path)
        if owner:
            packages.add(owner)
    return packages


def main():
    dist, binary, lib_sh = sys.argv[1:4]
    kube = os.path.join(dist, "kubernetes")

    # Every document of every manifest parses.
    docs = []
    for path in sorted(glob.glob(os.path.join(kube, "*.yaml"))):
        try:
            with open(path) as f:
                docs += [(path, d) for d in yaml.safe_load_all(f) if d]
            check(True, "%s parses" % os.path.basename(path))
        except yaml.YAMLError as e:
            check(False, "%s parses: %s" % (os.path.basename(path), e))
    sets = [d for _, d in docs if d.get("kind") == "DaemonSet"]
    if not check(len(sets) == 1, "exactly one DaemonSet (%d)" % len(sets)):
        return
    ds = sets[0]
    check(ds.get("apiVersion") == "apps/v1", "apiVersion apps/v1")
    namespaces = [d["metadata"]["name"] for _, d in docs
                  if d.get("kind") == "Namespace"]
    check(ds["metadata"].get("namespace") in namespaces,
          "its namespace is defined in %s" % kube)
    spec = ds["spec"]
    pod = spec["template"]["spec"]
    selector = spec["selector"]["matchLabels"]
    labels = spec["template"]["metadata"]["labels"]
    check(all(labels.get(k) == v for k, v in selector.items()),
          "the selector matches the template's labels")
    check(spec.get("updateStrategy", {}).get("type") == "RollingUpdate",
          "updateStrategy RollingUpdate")
    check(pod.get("hostPID") is True, "hostPID: true")
    check(pod.get("priorityClassName") == "system-node-critical",
          "priorityClassName system-node-critical")
    check({"operator": "Exists"} in pod.get("tolerations", []),
          "tolerates every taint")
    containers = pod["containers"]
    check(len(containers) == 1, "one container")
    c = containers[0]
    sc = c.get("securityContext", {})
    check(all(x.get("securityContext", {}).get("privileged") is not True
              for x in containers + pod.get("initContainers", [])),
          "no container is privileged")
    caps = sc.get("capabilities", {})
    unit = unit_capabilities(os.path.join(dist, "systemd", "nsgroup.service"))
    check(len(unit) > 0, "the unit has a CapabilityBoundingSet: %s" % unit)
    add = caps.get("add", [])
    check(sorted(add) == sorted(unit) and len(set(add)) == len(add),
          "capabilities.add %s == the unit's %s" % (add, unit))
    check(caps.get("drop") == ["ALL"], "capabilities.drop [ALL]")

    # The host paths, each mounted where the agent looks for it.
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    mounts = {}
    for m in c.get("volumeMounts", []):
        host = volumes.get(m["name"], {}).get("hostPath", {}).get("path")
        mounts[host] = m
    for path, read_only in [("/sys/fs/bpf", False), ("/sys/fs/cgroup", False),
                            ("/sys/kernel/btf", True),
                            ("/sys/kernel/tracing", False),
                            ("/run/nsgroup", False),
                            # the runtimes' state files, for labels
                            ("/run/runc", True), ("/run/crun", True)]:
        m = mounts.get(path)
        check(m is not None and m["mountPath"] == path and
              bool(m.get("readOnly")) == read_only,
              "hostPath %s mounted at %s%s" %
              (path, path, " read-only" if read_only else ""))

    # Its own ServiceAccount, defined here, and no API token in the pod.
    accounts = [d for _, d in docs if d.get("kind") == "ServiceAccount"]
    account = pod.get("serviceAccountName")
    check(account not in (None, "default") and
          any(a["metadata"]["name"] == account and
              a["metadata"].get("namespace") == ds["metadata"].get("namespace")
              for a in accounts),
          "serviceAccountName %s is a ServiceAccount of its namespace "
          "defined in %s" % (account, kube))
    check(pod.get("automountServiceAccountToken") is False,
          "the pod sets automountServiceAccountToken: false")
    check(all(a.get("automountServiceAccountToken") is False
              for a in accounts if a["metadata"]["name"] == account),
          "the ServiceAccount sets automountServiceAccountToken: false")
    check(not any(d.get("kind") in ("RoleBinding", "ClusterRoleBinding")
                  for _, d in docs),
          "no role is bound to it (the agent calls no API)")

    # The command: the image's ENTRYPOINT, then the manifest's args.
    stages = dockerfile_stages(os.path.join(kube, "Dockerfile"))
    check(len(stages) == 2, "the Dockerfile has two stages")
    if len(stages) < 2:
        return
    build, runtime = stages[0], stages[-1]
    entry = runtime["entrypoint"] or []
    check(len(entry) == 2 and os.path.basename(entry[0]) == "nsgroup"
          and entry[1] == "daemon",
          "ENTRYPOINT is nsgroup daemon: %s" % entry)
    check(any(cp[-1] == entry[0] for cp in runtime["copy"]) if entry else False,
          "the runtime stage copies the binary to %s" % (entry[:1]))
    args = c.get("args", [])
    check("command" not in c, "the container keeps the image's ENTRYPOINT")
    daemon_opts = help_options(binary, "daemon")
    check(len(daemon_opts) > 5, "nsgroup --help lists daemon's options")
    listen = None
    it = iter(args)
    for a in it:
        name, eq, value = a.partition("=")
        check(name in daemon_opts,
              "%s is an option of `nsgroup daemon` (--help)" % name)
        if name == "--metrics-listen":
            listen = value if eq else next(it, "")
    env = {e["name"]: e for e in c.get("env", [])}
    for var in re.findall(r"\$\((\w+)\)", " ".join(args)):
        check(var in env, "$(%s) in args is defined in env" % var)
    if check(listen is not None, "--metrics-listen in args"):
        port = listen.rpartition(":")[2]
        ports = {p.get("name"): p for p in c.get("ports", [])}
        check("metrics" in ports and
              str(ports["metrics"]["containerPort"]) == port,
              "containerPort 'metrics' == the port of --metrics-listen (%s)"
              % port)
        ann = spec["template"]["metadata"].get("annotations", {})
        check(ann.get("prometheus.io/port") == port and
              ann.get("prometheus.io/scrape") == "true",
              "prometheus.io annotations scrape port %s" % port)
        host = listen.rpartition(":")[0]
        check(host not in ("127.0.0.1", "[::1]", "localhost") or
              pod.get("hostNetwork") is not True,
              "metrics bound to an address Prometheus can reach")
        m = re.fullmatch(r"\$\((\w+)\)", host)
        if m and m.group(1) in env:
            field = env[m.group(1)].get("valueFrom", {}).get(
                "fieldRef", {}).get("fieldPath")
            check(field == "status.podIP",
                  "$(%s) is the pod's IP (%s)" % (m.group(1), field))

    # Liveness: `nsgroup stats` on a socket the pod mounts.
    probe = c.get("livenessProbe", {}).get("exec", {}).get("command", [])
    check(len(probe) >= 2 and os.path.basename(probe[0]) == "nsgroup" and
          probe[1] == "stats",
          "livenessProbe runs nsgroup stats: %s" % probe)
    stats_opts = help_options(binary, "stats")
    for a in probe[2:]:
        if a.startswith("--"):
            check(a.partition("=")[0] in stats_opts,
                  "%s is an option of `nsgroup stats` (--help)" % a)
    if "--socket" in probe:
        sock = probe[probe.index("--socket") + 1]
        check(os.path.dirname(sock) in [m["mountPath"]
                                        for m in c["volumeMounts"]],
              "the probe's socket %s is in a mounted directory" % sock)
    check(bool(c.get("resources", {}).get("requests")) and
          bool(c.get("resources", {}).get("limits")),
          "resources requests and limits")

    # The image: Debian 12, the build packages of scripts/lib.sh, the
    # libraries the binary links, every package a real Debian 12 one.
    check(build["image"] == "debian:12",
          "build stage FROM debian:12 (%s)" % build["image"])
    check(runtime["image"] == "debian:12-slim",
          "runtime stage FROM debian:12-slim (%s)" % runtime["image"])
    wanted = subprocess.run(
        ["bash", "-c", 'source "$1"; printf "%s\\n" '
         '"${NSGROUP_BUILD_PACKAGES[@]}"', "-", lib_sh],
        capture_output=True, text=True, check=True).stdout.split()
    check(len(wanted) > 0 and set(wanted) <= set(build["packages"]),
          "the build stage installs NSGROUP_BUILD_PACKAGES %s (missing: %s)"
          % (wanted, sorted(set(wanted) - set(build["packages"]))))
    if shutil.which("dpkg") and shutil.which("ldd"):
        needed = needed_packages(binary)
        check(needed <= set(runtime["packages"]),
              "the runtime stage installs the binary's libraries' packages "
              "%s (missing: %s)" % (sorted(needed),
                                    sorted(needed - set(runtime["packages"]))))
    else:
        print("skip  the binary's libraries: no dpkg or ldd")
    release = ""
    if os.path.exists("/etc/os-release"):
        with open("/etc/os-release") as f:
            release = dict(l.rstrip("\n").split("=", 1) for l in f
                           if "=" in l).get("VERSION_CODENAME", "")
    lists = glob.glob("/var/lib/apt/lists/*_Packages*")
    if shutil.which("apt-cache") and release == "bookworm" and lists:
        for p in build["packages"] + runtime["packages"]:
            r = subprocess.run(["apt-cache", "show", "--no-all-versions", p],
                               capture_output=True, text=True)
            check(r.returncode == 0 and "\nVersion: " in "\n" + r.stdout,
                  "%s is a Debian 12 package (apt-cache show)" % p)
    else:
        print("skip  apt-cache show: needs apt-cache, Debian 12 (bookworm) "
              "and its package lists (apt-get update)")


if __name__ == "__main__":
    main()
    if failures:
        print("%d check(s) failed" % len(failures))
        sys.exit(1)
    print("all checks passed")
