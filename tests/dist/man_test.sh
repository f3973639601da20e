#!/bin/bash
# The man page, checked by the tool that reads it and against the binary.
#
#   man_test.sh render PAGE        man -l renders it; any warning fails
#   man_test.sh help PAGE NSGROUP  it cannot drift from `nsgroup --help`:
#                                  the same commands, the same --options
#                                  (all of them, and per command), the
#                                  same version; nor from each command's
#                                  help (`nsgroup help CMD`): its options,
#                                  -o included, in that command's section
set -euo pipefail

mode=${1:?mode: render or help}
page=${2:?the man page}
export LC_ALL=C.UTF-8
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Rendered as a reader sees it: man-db's own pipeline (preconv, tbl, groff,
# col), no formatting. -ww: every groff warning; --warnings: man-db's too.
render() {
  MANROFFOPT=-ww MANWIDTH=${1:-80} man --warnings=all -l "$page" 2>"$tmp/err"
}

if [[ $mode == render ]]; then
  command -v man >/dev/null || fail "man (man-db) is not installed"
  # A UTF-8 and an ASCII terminal, 80 columns and lintian's 120: the page
  # must read on each (line breaking warns by width).
  for locale in C.UTF-8 C; do
    for width in 80 120; do
      status=0
      LC_ALL=$locale render $width >"$tmp/out" || status=$?
      if [[ $status -ne 0 || -s $tmp/err ]]; then
        cat "$tmp/err" >&2
        fail "man -l $page (LC_ALL=$locale MANWIDTH=$width) exited $status; its warnings are above"
      fi
      lines=$(wc -l <"$tmp/out")
      ((lines > 100)) || fail "man -l $page rendered only $lines lines"
    done
  done
  echo "ok: $page renders without warnings ($lines lines)"
  exit 0
fi

[[ $mode == help ]] || fail "unknown mode $mode"
nsgroup=${3:?the nsgroup binary}
"$nsgroup" --help >"$tmp/help"
# Wide: no option is split by a line break, a heading stays on its line.
render 250 >"$tmp/man" || fail "man -l $page failed"

options() { grep -oE -- '--[a-z][a-z0-9-]*' "$@" | sort -u || true; }

# --help's "Commands:" section: each usage line ("  daemon [--socket PATH]",
# then continuation lines that start with "["), as "COMMAND OPTION" pairs.
awk '
  /^Commands:/ { inside = 1; next }
  /^[A-Z]/     { inside = 0 }
  !inside      { next }
  /^  [a-z]/   { cmd = $1; usage = 1; print cmd " "; line = $0 }
  /^   +\[/    { if (usage) line = $0; else next }
  /^      [^ ]/ && !/^ +\[/ { usage = 0 }
  usage {
    while (match(line, /--[a-z][a-z0-9-]*/)) {
      print cmd " " substr(line, RSTART, RLENGTH)
      line = substr(line, RSTART + RLENGTH)
    }
  }' "$tmp/help" | sed 's/ $//' | sort -u >"$tmp/help_pairs"
awk '!/ /' "$tmp/help_pairs" >"$tmp/help_commands"
[[ -s $tmp/help_commands ]] || fail "no commands found in --help"

# The page's COMMANDS section: a subsection "nsgroup COMMAND ..." per
# command; every --option in it belongs to that command.
awk '
  /^[A-Z]/            { inside = ($0 == "COMMANDS"); next }
  !inside             { next }
  /^   nsgroup [a-z]/ { cmd = $2; print cmd; next }
  /^   [^ ]/          { cmd = "" }
  cmd != "" {
    line = $0
    while (match(line, /--[a-z][a-z0-9-]*/)) {
      print cmd " " substr(line, RSTART, RLENGTH)
      line = substr(line, RSTART + RLENGTH)
    }
  }' "$tmp/man" | sort -u >"$tmp/man_pairs"
awk '!/ /' "$tmp/man_pairs" >"$tmp/man_commands"

status=0
if ! diff -u --label "--help commands" --label "man COMMANDS subsections" \
  "$tmp/help_commands" "$tmp/man_commands"; then
  echo "FAIL: the commands differ" >&2
  status=1
fi
if ! diff -u --label "--help: command option" --label "man COMMANDS: command option" \
  "$tmp/help_pairs" "$tmp/man_pairs"; then
  echo "FAIL: the options of a command differ" >&2
  status=1
fi
if ! diff -u --label "--help options" --label "man page options" \
  <(options "$tmp/help") <(options "$tmp/man"); then
  echo "FAIL: the --options of the page and of --help differ" >&2
  status=1
fi
# Each command's own help (`nsgroup help CMD`): its option lines ("  -o,
# --output=json|text  text", "  --socket PATH  text"), as "COMMAND OPTION"
# pairs, long and short; the global -v and -h are the page's COMMANDS
# preamble's. They must be the top-level help's pairs, and every one must
# be in the page's subsection for that command.
while read -r cmd; do
  "$nsgroup" help "$cmd" >"$tmp/help_$cmd" || fail "nsgroup help $cmd failed"
  head -n1 "$tmp/help_$cmd" | grep -q "^Usage: nsgroup $cmd " ||
    fail "nsgroup help $cmd does not start with its Usage line"
  awk -v cmd="$cmd" '
    /^Options:/ { inside = 1; next }
    /^[A-Z]/    { inside = 0 }
    inside && /^  -/ {
      head = substr($0, 3); gap = index(head, "  ")
      if (gap) head = substr(head, 1, gap - 1)
      n = split(head, w, /[ ,=]+/)
      for (i = 1; i <= n; i++) if (w[i] ~ /^-/) print cmd " " w[i]
    }' "$tmp/help_$cmd"
done <"$tmp/help_commands" | grep -vE ' (-v|--verbose|-h|--help)$' | sort -u >"$tmp/cmd_pairs"
[[ -s $tmp/cmd_pairs ]] || fail "no options found in any command's help"
if ! diff -u --label "--help: command option" --label "help CMD: command option" \
  <(grep ' ' "$tmp/help_pairs") <(grep -- ' --' "$tmp/cmd_pairs"); then
  echo "FAIL: nsgroup --help and nsgroup help CMD give a command different options" >&2
  status=1
fi
# Short options ("-o") too, in the man page's subsection of their command.
awk '
  /^[A-Z]/            { inside = ($0 == "COMMANDS"); next }
  !inside             { next }
  /^   nsgroup [a-z]/ { cmd = $2; next }
  /^   [^ ]/          { cmd = "" }
  cmd != "" {
    line = " " $0 " "
    while (match(line, /[ (]-[a-z][ ,)]/)) {
      print cmd " " substr(line, RSTART + 1, 2)
      line = substr(line, RSTART + RLENGTH)
    }
  }' "$tmp/man" | sort -u >"$tmp/man_short_pairs"
if comm -23 <(grep -v -- ' --' "$tmp/cmd_pairs") "$tmp/man_short_pairs" | grep .; then
  echo "FAIL: these short options of a command's help are not in its man page subsection" >&2
  status=1
fi

# Wherever the page shows a command line (SYNOPSIS, EXAMPLES, prose), its
# options are that command's: "nsgroup stats --format=prometheus | ...".
awk -v cmds="$(tr '\n' ' ' <"$tmp/help_commands")" '
  BEGIN { n = split(cmds, c, " "); for (i = 1; i <= n; i++) known[c[i]] = 1 }
  {
    line = $0
    while (match(line, /nsgroup( \[-v\]| -v)? [a-z]+/)) {
      head = substr(line, RSTART, RLENGTH)
      line = substr(line, RSTART + RLENGTH)
      cmd = head; sub(/.* /, "", cmd)
      if (!(cmd in known)) continue
      rest = line
      if (match(rest, /nsgroup |  | \| /)) rest = substr(rest, 1, RSTART - 1)
      while (match(rest, /--[a-z][a-z0-9-]*/)) {
        print cmd " " substr(rest, RSTART, RLENGTH)
        rest = substr(rest, RSTART + RLENGTH)
      }
    }
  }' "$tmp/man" | sort -u >"$tmp/shown_pairs"
if comm -23 "$tmp/shown_pairs" "$tmp/help_pairs" | grep .; then
  echo "FAIL: the page shows these command lines with options --help does not give them" >&2
  status=1
fi
# Every command named in the page's text as it is in --help's.
while read -r cmd; do
  grep -qE "nsgroup( -v)? $cmd\b" "$tmp/man" || {
    echo "FAIL: the page never shows 'nsgroup $cmd'" >&2
    status=1
  }
done <"$tmp/help_commands"

version=$("$nsgroup" --version)                 # "nsgroup 0.1.0"
th=$(grep -m1 '^\.TH ' "$page")
[[ $th == *"\"$version\""* ]] || {
  echo "FAIL: .TH says '$th', nsgroup --version says '$version'" >&2
  status=1
}
footer=$(tail -n 1 "$tmp/man")
[[ $footer == "$version "* ]] || {
  echo "FAIL: the rendered footer '$footer' does not start with '$version'" >&2
  status=1
}
((status == 0)) || exit 1
echo "ok: $(wc -l <"$tmp/help_commands") commands and $(options "$tmp/help" | wc -l)" \
  "options agree with --help and $(wc -l <"$tmp/cmd_pairs") command options with" \
  "each command's help; version $version"
