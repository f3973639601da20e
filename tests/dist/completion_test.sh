#!/bin/bash
# dist/bash-completion/nsgroup, run by bash the way readline runs it.
#
#   completion_test.sh COMPLETION NSGROUP             commands, options,
#       values, pids, and container paths through a --socket (a stand-in
#       daemon that serves one tree); no root needed
#   completion_test.sh COMPLETION NSGROUP containers  container paths of
#       this host's real tree (root: a one-shot scan sees every process);
#       exit 77 (skipped) when not root
#
# Every expectation comes from the binary (`nsgroup --help`, `nsgroup
# tree` read with python3's json module) or from /proc, never from a list
# written here.
set -euo pipefail

completion=${1:?the completion script}
nsgroup=${2:?the nsgroup binary}
part=${3:-basic}
export LC_ALL=C.UTF-8
# shellcheck source=tests/dist/completion_lib.sh
source "$(dirname "$0")/completion_lib.sh"

if [[ $part == containers && $(id -u) -ne 0 ]]; then
  echo "skipped: the host's container paths need root (a scan of every process)"
  exit 77
fi

tmp=$(mktemp -d)
started=""  # the pid of what this test started in the background
nsg_standin_pid=""
cleanup() {
  if [[ -n $started ]]; then
    # shellcheck disable=SC2046 # its children: pids, one a word
    kill $(cat /proc/"$started"/task/*/children 2>/dev/null) "$started" 2>/dev/null || true
  fi
  [[ -z $nsg_standin_pid ]] || kill "$nsg_standin_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# bash-completion's helpers, as an interactive shell has them, then ours.
bash_completion=/usr/share/bash-completion/bash_completion
[[ -r $bash_completion ]] || {
  echo "FAIL: $bash_completion is missing (apt-get install bash-completion)" >&2
  exit 1
}
set +eu  # bash_completion is not written for -eu
# shellcheck disable=SC1090
source "$bash_completion"
# shellcheck disable=SC1090
source "$completion"
set -eu
complete -p nsgroup | grep -q -- '-F _nsgroup' || {
  echo "FAIL: $completion does not register _nsgroup for nsgroup" >&2
  exit 1
}

# Completes LINE (its first word is the binary) with the cursor at its end,
# COMP_WORDS split as readline splits them (blanks; runs of = and : are
# words of their own); prints COMPREPLY one a line, sorted.
complete_line() {
  local line=$1 word="" c i breaks="=:"
  local -a w=()
  for ((i = 0; i < ${#line}; i++)); do
    c=${line:i:1}
    if [[ $c == " " ]]; then
      [[ -n $word ]] && w+=("$word")
      word=""
    elif [[ $breaks == *"$c"* ]]; then
      if [[ -n $word && $breaks != *"${word: -1}"* ]]; then
        w+=("$word")
        word=""
      fi
      word+=$c
    else
      if [[ -n $word && $breaks == *"${word: -1}"* ]]; then
        w+=("$word")
        word=""
      fi
      word+=$c
    fi
  done
  w+=("$word")  # the word being completed, maybe empty
  COMP_WORDS=("${w[@]}")
  COMP_CWORD=$((${#w[@]} - 1))
  COMP_LINE=$line
  COMP_POINT=${#line}
  COMPREPLY=()
  set +eu
  _nsgroup "${w[0]}" "${w[COMP_CWORD]}" "${w[COMP_CWORD - 1]}"
  set -eu
  ((${#COMPREPLY[@]} == 0)) || printf '%s\n' "${COMPREPLY[@]}" | sort
}

# Expects the completion of LINE to be exactly the lines of EXPECTED.
expect() {
  local line=$1 expected=$2 got
  got=$(complete_line "$nsgroup ${line#nsgroup }")
  expected=$(printf '%s' "$expected" | sed '/^$/d' | sort)
  if [[ $got != "$expected" ]]; then
    fail "'$line<TAB>'"
    diff <(echo "$expected") <(echo "$got") | sed 's/^/    /' >&2 || true
  else
    echo "ok: '$line<TAB>' -> $(echo "$got" | tr '\n' ' ')"
  fi
}

# The paths in `nsgroup tree ARGS...`, by python3's json module.
tree_paths() { nsg_tree_paths "$nsgroup" "$@"; }

if [[ $part == containers ]]; then
  # Real containers below the root, nested: a UTS namespace and, in it, a
  # network namespace (they end with the test).
  unshare --uts sh -c 'unshare --net sleep 120 & exec sleep 120' &
  started=$!
  sleep 0.5
  [[ $(tree_paths | wc -l) -ge 3 ]] || echo "note: the unshare containers did not show" >&2
  # The tree can change between the completion's scan and ours (any
  # unshare on the host): equal to a tree that held still around it.
  for _ in 1 2 3 4 5; do
    before=$(tree_paths | sort)
    got=$(complete_line "$nsgroup kill /init")
    after=$(tree_paths | sort)
    [[ $before == "$after" ]] || continue
    expected=$(echo "$before" | while IFS= read -r p; do printf '%q\n' "$p"; done | sort)
    if [[ $got == "$expected" ]]; then
      echo "ok: 'nsgroup kill /init<TAB>' -> the $(echo "$got" | wc -l) paths of nsgroup tree"
      got=$(complete_line "$nsgroup rename /init_container")
      [[ $got == "$expected" ]] || continue
      echo "ok: 'nsgroup rename /init_container<TAB>' -> the same"
      exit 0
    fi
  done
  echo "FAIL: 'nsgroup kill /init<TAB>' is not the paths of nsgroup tree" >&2
  diff <(echo "$expected") <(echo "$got") | sed 's/^/    /' >&2 || true
  exit 1
fi

# What --help says, read here independently of the completion's reader.
"$nsgroup" --help >"$tmp/help"
python3 - "$tmp/help" >"$tmp/spec" <<'EOF'
import re, sys
section, cmd, usage = None, None, False
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if re.match(r"^[A-Z]", line):
        section = line.split(":")[0]
        continue
    if section == "Options" and line.startswith("  -"):
        head = line[2:].split("  ")[0]
        for o in re.findall(r"-{1,2}[a-z][a-z-]*", head):
            print("global", o)
    if section != "Commands":
        continue
    m = re.match(r"^  ([a-z]+)", line)
    if m:
        cmd, usage = m.group(1), True
        print("command", cmd)
    elif not re.match(r"^ +\[", line):
        usage = False
    if usage:
        for name, choice in re.findall(r"(--[a-z][a-z0-9-]*)(=[a-z|]+)?", line):
            print("option", cmd, name + ("=" if choice else ""), choice[1:])
EOF
commands=$(awk '$1 == "command" { print $2 }' "$tmp/spec")
[[ $(echo "$commands" | wc -l) -ge 7 ]] || fail "--help lists too few commands: $commands"

expect "nsgroup " "$commands"
expect "nsgroup -" "$(awk '$1 == "global" { print $2 }' "$tmp/spec")"
expect "nsgroup -v " "$commands"
expect "nsgroup da" "daemon"
for cmd in $commands; do
  expect "nsgroup $cmd --" "$(awk -v c="$cmd" '$1 == "option" && $2 == c { print $3 }' "$tmp/spec" | sort -u)"
done
expect "nsgroup daemon --sc" "--scan="
expect "nsgroup daemon --no-" $'--no-events\n--no-mirror'
for cmd in $commands; do
  while read -r _ _ opt values; do
    [[ -n $values ]] || continue
    expect "nsgroup $cmd $opt" "$(tr '|' '\n' <<<"$values")"
    expect "nsgroup $cmd ${opt%=} " "$(tr '|' '\n' <<<"$values")"
  done < <(awk -v c="$cmd" '$1 == "option" && $2 == c' "$tmp/spec")
done
expect "nsgroup stats --format=" $'json\nprometheus'
expect "nsgroup stats --format=p" "prometheus"
expect "nsgroup tree --scan=it" "iterator"
expect "nsgroup -v daemon --adopt=" $'all\nauto'
expect "nsgroup daemon --hooks=auto --scan=p" "proc"
expect "nsgroup daemon --socket-group roo" "$(compgen -g -- roo)"
mkdir -p "$tmp/dir.d" "$tmp/dir.e" && touch "$tmp/dir.f"
expect "nsgroup daemon --state-dir $tmp/dir." "$tmp/dir.d"$'\n'"$tmp/dir.e" # directories
expect "nsgroup tree --socket $tmp/dir." "$(printf '%s\n' "$tmp"/dir.*)"
expect "nsgroup daemon --denied-rate " ""
expect "nsgroup rename /init_container/x " "" # NEWNAME: anything

# which PID: the pids of /proc.
# (Processes come and go: pid 1 and this shell stay.)
got=$(complete_line "$nsgroup which 1")
grep -qx 1 <<<"$got" || fail "'which 1<TAB>' does not offer pid 1"
grep -vqx '1[0-9]*' <<<"$got" && fail "'which 1<TAB>' offers $(grep -vx '1[0-9]*' <<<"$got" | head -1)"
got=$(complete_line "$nsgroup which $$")
grep -qx "$$" <<<"$got" || fail "'which $$<TAB>' does not offer this shell's pid"
grep -vqx "$$[0-9]*" <<<"$got" && fail "'which $$<TAB>' offers $(grep -vx "$$[0-9]*" <<<"$got" | head -1)"
echo "ok: 'which 1<TAB>', 'which $$<TAB>' -> pids of /proc"

# Container paths from the daemon at --socket: a stand-in that serves one
# tree, whose names need quoting (tests/dist/completion_lib.sh).
sock=$tmp/nsgroup.sock
nsg_standin_daemon "$sock" || exit 1
quoted=$(tree_paths --socket "$sock" | while IFS= read -r p; do printf '%q\n' "$p"; done)
[[ $(echo "$quoted" | wc -l) -eq 4 ]] || fail "nsgroup tree --socket $sock: $quoted"
expect "nsgroup kill --socket $sock /" "$quoted"
expect "nsgroup kill --socket=$sock /init_container/container_3/" \
  "$(grep -F /container_3/ <<<"$quoted")"
expect "nsgroup -v rename --socket $sock /init_container/a" "$(grep -F /a <<<"$quoted")"
expect "nsgroup kill /init_container/container_3 --socket $sock " "" # one PATH only
expect "nsgroup kill -v --socket $sock /init_container/c" "$(grep -F /init_container/c <<<"$quoted")"

if ((failures)); then
  echo "$failures failed" >&2
  exit 1
fi
echo "all passed"
