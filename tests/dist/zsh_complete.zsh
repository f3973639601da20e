# zsh_complete.zsh DIR LINE
# Completes LINE, with the cursor at its end, in an interactive zsh on a
# pseudo-terminal (zpty) whose completion system (compinit) finds _nsgroup
# in DIR, as a user's TAB does; prints each match compadd was given, one a
# line: compadd -O applies zsh's own matching against what was typed, and
# the -p/-P prefixes of file matches are put back. Exit 1 when the
# completion did not finish within 20 s. The line is never run.
# NSG_ZCOMPDUMP: compinit's dump file, made on the first run and read by
# the next ones (compinit reads some 800 files to make it).
emulate -L zsh
zmodload zsh/zpty || exit 1
local dir=$1 line=$2
local out=$(mktemp -d)
zpty nsg zsh -f -i || exit 1
# Set after the fork of zpty, whose own exit would run it too.
trap "rm -rf ${(q)out}" EXIT
local -a setup=(
  "PROMPT='' RPROMPT='' fpath=(${(q)dir} \$fpath)"
  "autoload -Uz compinit && compinit -u -d ${(q)${NSG_ZCOMPDUMP:-$out/zcompdump}}"
  # No listing, no menu: nothing waits for a key after TAB.
  "unsetopt autolist automenu menucomplete listbeep beep; bindkey '^I' complete-word"
  "nsg_done() { print END >${(q)out}/done }"
  "nsg_pre() { comppostfuncs=(nsg_done) }; compprefuncs=(nsg_pre)"
  # Records the matches of each compadd (not of the internal ones that
  # already ask for -O, -A or -D), then adds them as compadd would.
  "compadd() {
     if [[ \${(j: :)@[1,(i)(-|--)]} == *-[OAD]\\ * ]]; then builtin compadd \"\$@\"; return; fi
     local -a m; local pre=
     builtin compadd -O m \"\$@\"
     local i; for (( i = 1; i < \$#; i++ )); do
       [[ \${@[i]} == -- ]] && break
       [[ \${@[i]} == -[pP] ]] && pre+=\${@[i+1]}
     done
     local x; for x in \"\${m[@]}\"; do print -r -- \"\$IPREFIX\$pre\$x\" >>${(q)out}/matches; done
     builtin compadd \"\$@\"
   }"
)
local s
for s in $setup; do zpty -w nsg "$s"; done
zpty -w -n nsg "$line"$'\t'
integer i
zmodload zsh/zselect
for (( i = 0; i < 1000; i++ )); do
  [[ -e $out/done ]] && break
  zselect -t 2  # 20 ms
done
zpty -d nsg
[[ -e $out/done ]] || { print -u2 "zsh_complete: no end of completion for '$line'"; exit 1 }
[[ -e $out/matches ]] && sort -u $out/matches
exit 0
