#!/bin/bash
# zsh's and fish's completion of nsgroup, each run by its shell as a TAB
# runs it:
#   zsh: an interactive zsh on a pseudo-terminal, compinit finding _nsgroup
#        (tests/dist/zsh_complete.zsh records the matches compadd was given);
#   fish: complete -C "nsgroup ...", with the completion file sourced.
#
#   shell_completion_test.sh zsh|fish COMPLETION NSGROUP
#
# Commands, options, choices in both spellings, files and directories,
# groups, pids, and container paths through a --socket (a stand-in daemon
# serving one tree whose names need quoting). Every expectation comes from
# the binary's help (tests/dist/completion_lib.sh reads it apart from the
# completions' own reader), from /proc, getent or the stand-in's tree. It
# all runs twice: against NSGROUP, and against a stand-in that answers
# `nsgroup help CMD` in the per-command format where NSGROUP does not, so
# that both sources of a command's options are covered. No root needed.
set -euo pipefail

shell=${1:?zsh or fish}
completion=${2:?the completion file}
nsgroup=${3:?the nsgroup binary}
here=$(cd "$(dirname "$0")" && pwd)
completion=$(cd "$(dirname "$completion")" && pwd)/$(basename "$completion")
export LC_ALL=C.UTF-8
# shellcheck source=tests/dist/completion_lib.sh
source "$here/completion_lib.sh"

command -v "$shell" >/dev/null || { echo "FAIL: $shell is not installed (apt-get install $shell)" >&2; exit 1; }

tmp=$(mktemp -d)
nsg_standin_pid=""
cleanup() {
  [[ -z $nsg_standin_pid ]] || kill "$nsg_standin_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
export NSG_ZCOMPDUMP=$tmp/zcompdump

# Completes LINE (its first word the binary) with the cursor at its end;
# prints the candidates one a line, sorted, without descriptions, and
# without the / that marks a directory.
# shellcheck disable=SC2016 # fish's $argv, in single quotes
complete_line() {
  case $shell in
    zsh) zsh -f "$here/zsh_complete.zsh" "$(dirname "$completion")" "$1" ;;
    fish) fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$completion" "$1" |
          cut -f1 ;;
  esac | sed 's|\(.\)/$|\1|' | sort -u
}

# Expects the completion of LINE to be exactly the lines of EXPECTED.
expect() {
  local line=$1 expected=$2 got
  got=$(complete_line "$bin ${line#nsgroup }")
  expected=$(printf '%s' "$expected" | sed '/^$/d' | sort -u)
  if [[ $got != "$expected" ]]; then
    nsg_fail "$shell, $label: '$line<TAB>'"
    diff <(echo "$expected") <(echo "$got") | sed 's/^/    /' >&2 || true
  else
    echo "ok: $label: '$line<TAB>' -> $(echo "$got" | head -12 | tr '\n' ' ')"
  fi
}

mkdir -p "$tmp/dir.d" "$tmp/dir.e" && touch "$tmp/dir.f"
sock=$tmp/nsgroup.sock
nsg_standin_daemon "$sock"
quoted_paths=$(nsg_tree_paths "$nsgroup" --socket "$sock")
[[ $(echo "$quoted_paths" | wc -l) -eq 4 ]] || nsg_fail "nsgroup tree --socket $sock: $quoted_paths"
nsg_per_command_help "$nsgroup" "$tmp/per-command"

for bin in "$nsgroup" "$tmp/per-command/nsgroup"; do
  if [[ $bin == "$nsgroup" ]]; then label="the binary"; else label="per-command help"; fi
  nsg_help_spec "$bin" >"$tmp/spec"
  commands=$(awk '$1 == "command" { print $2 }' "$tmp/spec")
  [[ $(echo "$commands" | wc -l) -ge 7 ]] || nsg_fail "--help lists too few commands: $commands"

  expect "nsgroup " "$commands"
  expect "nsgroup -" "$(awk '$1 == "global" { print $2 }' "$tmp/spec")"
  expect "nsgroup -v " "$commands"
  expect "nsgroup da" "daemon"
  # Each command's options; a choice's long name is offered as --name=.
  for cmd in $commands; do
    expect "nsgroup $cmd -" "$(awk -v c="$cmd" '$1 == "option" && $2 == c {
      print $3 (($4 ~ /^=/ && $3 ~ /^--/) ? "=" : "") }' "$tmp/spec")"
  done
  expect "nsgroup daemon --no-" $'--no-events\n--no-mirror'
  # Each choice, in every spelling: --opt=, --opt VALUE, -o VALUE.
  while read -r _ cmd opt values; do
    choices=$(tr '|' '\n' <<<"${values#=}")
    if [[ $opt == --* ]]; then
      # shellcheck disable=SC2001 # a prefix on each line
      expect "nsgroup $cmd $opt=" "$(sed "s/^/$opt=/" <<<"$choices")"
      expect "nsgroup $cmd $opt=${choices:0:1}" "$(grep "^${choices:0:1}" <<<"$choices" | sed "s/^/$opt=/")"
    fi
    expect "nsgroup $cmd $opt " "$choices"
  done < <(awk '$1 == "option" && $4 ~ /^=/' "$tmp/spec")
  expect "nsgroup -v daemon --hooks=auto --scan=p" "--scan=proc"
  # Values that are names on this host, files, directories, or anything.
  expect "nsgroup daemon --socket-group roo" "$(getent group | cut -d: -f1 | grep '^roo')"
  expect "nsgroup daemon --state-dir $tmp/dir." "$tmp/dir.d"$'\n'"$tmp/dir.e"
  expect "nsgroup tree --socket $tmp/dir." "$(printf '%s\n' "$tmp"/dir.*)"
  expect "nsgroup tree --socket=$tmp/dir.d" "--socket=$tmp/dir.d"
  expect "nsgroup daemon --btf $tmp/dir.f" "$tmp/dir.f"
  expect "nsgroup daemon --denied-rate " ""
  expect "nsgroup rename /init_container/x " "" # NEWNAME: anything

  # which PID: the pids of /proc (pid 1 and this shell stay while it runs).
  for pid in 1 $$; do
    got=$(complete_line "$bin which $pid")
    grep -qx "$pid" <<<"$got" || nsg_fail "$shell, $label: 'which $pid<TAB>' does not offer pid $pid"
    bad=$(grep -vx "${pid}[0-9]*" <<<"$got" || true)
    [[ -z $bad ]] || nsg_fail "$shell, $label: 'which $pid<TAB>' offers $(head -1 <<<"$bad")"
  done
  echo "ok: $label: 'which 1<TAB>', 'which $$<TAB>' -> pids of /proc"

  # Container paths from the daemon at --socket, as they are (the shell
  # quotes what it inserts).
  expect "nsgroup kill --socket $sock /" "$quoted_paths"
  expect "nsgroup kill --socket=$sock /init_container/container_3/" \
    "$(grep -F /container_3/ <<<"$quoted_paths")"
  expect "nsgroup -v rename --socket $sock /init_container/a" "$(grep -F /init_container/a <<<"$quoted_paths")"
  expect "nsgroup kill /init_container/container_3 --socket $sock " "" # one PATH only
  expect "nsgroup kill -v --socket $sock /init_container/c" "$(grep -F /init_container/c <<<"$quoted_paths")"
done

if ((nsg_failures)); then
  echo "$nsg_failures failed" >&2
  exit 1
fi
echo "all passed"
