# shellcheck shell=bash
# Shared by the completion tests (tests/dist/*completion_test.sh): what the
# binary's help says, read independently of any completion's own reader;
# the container paths of `nsgroup tree`; a stand-in daemon serving one tree
# whose names need quoting; a help-format stand-in for a binary that has
# per-command help. Sourced by bash.

nsg_failures=0
nsg_fail() {
  echo "FAIL: $*" >&2
  nsg_failures=$((nsg_failures + 1))
}

# nsg_help_spec NSGROUP: what the help of NSGROUP says, by python3, as lines
#   command CMD [POSITIONAL...]   from `nsgroup --help`
#   global OPTION                 an option before any command
#   option CMD OPTION KIND        KIND: =a|b|c, a METAVAR, or - for a flag
# A command's options come from `nsgroup help CMD` when it exits 0, else
# from its usage lines in `nsgroup --help`.
nsg_help_spec() {
  python3 - "$1" <<'PY'
import re, subprocess, sys
binary = sys.argv[1]
top = subprocess.run([binary, "--help"], capture_output=True, text=True, check=True).stdout
section, cmd, usage, usages, commands = None, None, False, {}, []
for line in top.splitlines():
    if re.match(r"^[A-Z]", line):
        section = line.split(":")[0]
        continue
    if section == "Options" and line.startswith("  -"):
        for o in re.findall(r"--?[a-z][a-z-]*", line[2:].split("  ")[0]):
            print("global", o)
    if section != "Commands":
        continue
    m = re.match(r"^  ([a-z]+)(.*)", line)
    if m:
        cmd, usage = m.group(1), True
        commands.append(cmd)
        usages[cmd] = [m.group(2)]
    elif re.match(r"^ +\[", line) and usage:
        usages[cmd].append(line)
    else:
        usage = False
for cmd in commands:
    own = subprocess.run([binary, "help", cmd], capture_output=True, text=True)
    if own.returncode == 0 and own.stdout.startswith("Usage: nsgroup " + cmd):
        lines = own.stdout.splitlines()
        head = []
        for line in lines:
            if not line.strip():
                break
            head.append(line)
        words = re.sub(r"\[[^][]*\]", "", " ".join(head)[len("Usage: nsgroup " + cmd):]).split()
        print("command", cmd, *[w.rstrip(".") for w in words if re.fullmatch(r"[A-Z][A-Z_:]*(\.\.\.)?", w) and w != "OPTIONS"])
        section = None
        for line in lines:
            if re.match(r"^[A-Z][A-Za-z ]*:", line):
                section = line.split(":")[0]
            elif section == "Options" and line.startswith("  -"):
                alts = [a.strip() for a in line[2:].split("  ")[0].split(",")]
                kind = "-"
                for a in alts:
                    m = re.fullmatch(r"(--?[A-Za-z0-9][A-Za-z0-9-]*)(?:=([a-z0-9|-]+)|[ =]([A-Z][A-Z_:]*))?", a)
                    if m and (m.group(2) or m.group(3)):
                        kind = "=" + m.group(2) if m.group(2) else m.group(3)
                for a in alts:
                    print("option", cmd, re.match(r"--?[A-Za-z0-9][A-Za-z0-9-]*", a).group(0), kind)
    else:
        first = re.sub(r"\[.*", "", usages[cmd][0]).split()
        print("command", cmd, *first)
        for name, choice, metavar in re.findall(r"(--[a-z][a-z0-9-]*)(?:=([a-z|]+)| ([A-Z][A-Z:]*))?", " ".join(usages[cmd])):
            print("option", cmd, name, "=" + choice if choice else metavar or "-")
PY
}

# nsg_tree_paths NSGROUP ARGS...: the paths in `nsgroup tree ARGS...`, by
# python3's json module.
nsg_tree_paths() {
  local bin=$1
  shift
  "$bin" tree "$@" | python3 -c '
import json, sys
def walk(c):
    yield c["path"]
    for k in c["children"]:
        yield from walk(k)
print("\n".join(walk(json.load(sys.stdin)["root"])))'
}

# nsg_standin_daemon SOCKET: in the background, a stand-in daemon that
# answers "tree" with one tree whose names need quoting (a space, a quote,
# a backslash) and whose label looks like a path member. Sets
# nsg_standin_pid; waits until the socket is there.
nsg_standin_daemon() {
  python3 - "$1" <<'PY' &
import json, socket, sys
def c(id, path, kids=()):
    return {"id": id, "name": path.rsplit("/", 1)[1], "path": path, "label": 'comm:"path": "/x"',
            "new_ns": [], "nprocs": 1, "pinned": False, "cgroup": None, "created": None,
            "children": list(kids)}
root = c(1, "/init_container", [
    c(3, "/init_container/container_3", [c(7, "/init_container/container_3/web server")]),
    c(4, '/init_container/a"b\\c')])
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen()
while True:
    conn, _ = s.accept()
    with conn:
        f = conn.makefile("rwb")
        if json.loads(f.readline()).get("op") == "tree":
            doc = {"ok": True, "tree": {"source": "daemon", "root": root}}
            f.write(json.dumps(doc, separators=(",", ":")).encode() + b"\n")
            f.flush()
PY
  # shellcheck disable=SC2034 # the caller's, to kill
  nsg_standin_pid=$!
  local _
  for _ in $(seq 300); do [[ -S $1 ]] && return 0; sleep 0.1; done
  echo "FAIL: the stand-in daemon did not start" >&2
  return 1
}

# nsg_per_command_help NSGROUP DIR: makes DIR/nsgroup, which answers
# `help CMD` in the per-command format (Usage line, description, Options:
# with a column of option heads, -o/--output as a short and a long name, a
# head too long for the column with its text on the next line) built from
# NSGROUP's --help, and runs NSGROUP for everything else. It stands for a
# binary with per-command help where NSGROUP has none; where NSGROUP has
# it, DIR/nsgroup answers with NSGROUP's own.
nsg_per_command_help() {
  local bin=$1 dir=$2
  mkdir -p "$dir/help"
  python3 - "$bin" "$dir/help" <<'PY'
import re, subprocess, sys
binary, out = sys.argv[1], sys.argv[2]
top = subprocess.run([binary, "--help"], capture_output=True, text=True, check=True).stdout
section, cmd, usages, texts = None, None, {}, {}
for line in top.splitlines():
    if re.match(r"^[A-Z]", line):
        section = line.split(":")[0]
        continue
    if section != "Commands":
        continue
    m = re.match(r"^  ([a-z]+)(.*)", line)
    if m:
        cmd = m.group(1)
        usages[cmd], texts[cmd] = [m.group(2)], []
    elif re.match(r"^ +\[", line) and not texts[cmd]:
        usages[cmd].append(line)
    elif line.strip():
        texts[cmd].append(line.strip())
for cmd, usage in usages.items():
    positional = re.sub(r"\[.*", "", usage[0]).split()
    opts = [(n, v) for n, v in re.findall(r"(--[a-z][a-z0-9-]*)((?:=[a-z|]+| [A-Z][A-Z:]*)?)", " ".join(usage))
            if n != "--text"]
    heads = [("-o, --output=json|text", "Output format: json (the default) or text.")]
    heads += [(n + v, "What " + n + " does.") for n, v in opts]
    heads += [("--an-option-whose-head-is-too-long-for-the-column N", "Its text, on the next line."),
              ("-v, --verbose", "Debug logging on stderr."), ("-h, --help", "Print this help and exit.")]
    width = max(len(h) for h, _ in heads if len(h) < 36) + 4
    with open(f"{out}/{cmd}", "w") as f:
        f.write(f"Usage: nsgroup {cmd} [OPTIONS] {' '.join(positional)}".rstrip() + "\n\n")
        f.write("\n".join(texts[cmd][:3]) + "\n\nOptions:\n")
        for h, t in heads:
            if len(h) + 4 > width:
                f.write(f"  {h}\n{' ' * width}{t}\n")
            else:
                f.write(f"  {h.ljust(width - 2)}{t}\n")
        f.write("\nExit status: 0 success.\n")
PY
  cat >"$dir/nsgroup" <<SH
#!/bin/bash
if [[ \${1-} == help && -n \${2-} ]] && ! "$bin" help "\$2" >/dev/null 2>&1; then
  [[ -f "$dir/help/\$2" ]] || { echo "nsgroup: unknown command '\$2'" >&2; exit 2; }
  exec cat "$dir/help/\$2"
fi
exec "$bin" "\$@"
SH
  chmod +x "$dir/nsgroup"
}
