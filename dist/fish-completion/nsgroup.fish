# fish completion for nsgroup(8).
#
# Commands, options and their values are read from the binary being
# completed, at completion time, so they cannot drift from it: a command's
# own help (`nsgroup help CMD`) where the binary has it, else its lines in
# `nsgroup --help`. Container paths (rename, kill, watch --container) come
# from `nsgroup tree`, through the --socket given earlier on the line if
# any; pids (which, --pid) from /proc. The help reader (awk) is the same
# text as in the zsh completion; dist/bash-completion/nsgroup reads the
# same help.

# The help of BIN (CMD's, or the top level's) as lines of tab-separated
# fields:
#   command NAME POSITIONAL... SUMMARY   POSITIONAL: the upper-case words
#   option  NAMES KIND TEXT              NAMES: "-o --output"; KIND:
#   global  NAMES KIND TEXT                =a|b|c (a choice), a METAVAR, or
#                                          empty for a flag
function __nsgroup_spec --argument-names bin cmd
    set -l help
    if test -n "$cmd"
        set help ($bin help $cmd 2>/dev/null)
        and string match -q 'Usage:*' -- $help[1]
        or set help
    end
    if not set -q help[1]
        set help ($bin --help 2>/dev/null)
    end
    string join \n -- $help | awk -v want="$cmd" '
        function trim(s) { sub(/^ +/, "", s); sub(/ +$/, "", s); return s }
        function summary(s) {
            s = trim(s)
            if (match(s, /(: |, | [(]|[.] |[.]$)/)) s = substr(s, 1, RSTART - 1)
            return s
        }
        function sentence(s) {
            s = trim(s)
            if (match(s, /[.]( |$)/)) s = substr(s, 1, RSTART - 1)
            return s
        }
        function kind_of(alt) {
            sub(/^-[-]?[A-Za-z0-9?][A-Za-z0-9-]*/, "", alt)
            if (alt ~ /^=[a-z0-9][a-z0-9|-]*$/) return alt
            if (alt ~ /^[ =][A-Z]/) { sub(/^[ =]/, "", alt); sub(/[ ].*/, "", alt); return alt }
            return ""
        }
        function option_line(line, tag,    head, text, gap, n, alts, i, name, names, kind, k) {
            head = substr(line, 3); text = ""
            gap = index(head, "  ")
            if (gap) { text = trim(substr(head, gap)); head = substr(head, 1, gap - 1) }
            n = split(head, alts, /, */); names = ""; kind = ""
            for (i = 1; i <= n; i++) {
                name = alts[i]
                if (!match(name, /^-[-]?[A-Za-z0-9?][A-Za-z0-9-]*/)) continue
                names = names (names == "" ? "" : " ") substr(name, 1, RLENGTH)
                k = kind_of(name)
                if (k != "") kind = k
            }
            if (names != "") print tag "\t" names "\t" kind "\t" sentence(text)
        }
        NR == 1 && /^Usage: nsgroup [a-z]/ { mode = "command"; cmd = $3 }
        NR == 1 && mode == "" { mode = "top" }
        mode == "command" && !done_usage {
            if ($0 ~ /^ *$/) {
                line = usage
                while (gsub(/[[][^][]*[]]/, "", line)) {}
                n = split(line, w, / +/); pos = ""
                for (i = 1; i <= n; i++) {
                    sub(/[.][.][.]$/, "", w[i])
                    if (w[i] ~ /^[A-Z][A-Z_:]*$/ && w[i] != "OPTIONS") pos = pos (pos == "" ? "" : " ") w[i]
                }
                print "command\t" cmd "\t" pos "\t"
                done_usage = 1
                next
            }
            usage = usage " " (NR == 1 ? substr($0, length("Usage: nsgroup " cmd) + 1) : $0)
            next
        }
        /^[A-Z][A-Za-z ]*:/ { section = $0; sub(/:.*/, "", section); usage_of = ""; next }
        mode == "command" {
            if (section != "Options") next
            if (/^  -/) option_line($0, "option")
            next
        }
        section == "Options" && /^  -/ { if (want == "") option_line($0, "global"); next }
        section != "Commands" { next }
        /^  [a-z]/ {
            cmd = $1; usage_of = cmd; described = 0
            line = $0; sub(/^ *[a-z]+/, "", line)
            positional = line; while (gsub(/[[][^][]*[]]/, "", positional)) {}
            sub(/[[].*/, "", positional)
            positional = trim(positional); gsub(/ +/, " ", positional)
            if (want == "") first[cmd] = positional
            else if (cmd == want) print "command\t" cmd "\t" positional "\t"
        }
        /^ +[[]/ && usage_of != "" && !/^  [a-z]/ { line = $0 }
        /^      [^ []/ {
            if (usage_of != "" && want == "") print "command\t" usage_of "\t" first[usage_of] "\t" summary($0)
            usage_of = ""
        }
        usage_of != "" && usage_of == want {
            while (match(line, /--[a-z][a-z0-9-]*(=[a-z|]+| [A-Z][A-Z:]*)?/)) {
                tok = substr(line, RSTART, RLENGTH)
                line = substr(line, RSTART + RLENGTH)
                name = tok; kind = ""
                if (match(tok, /[= ]/)) {
                    kind = substr(tok, RSTART)
                    name = substr(tok, 1, RSTART - 1)
                    if (kind ~ /^ /) kind = substr(kind, 2)
                }
                print "option\t" name "\t" kind "\t"
            }
            line = ""
        }
    '
end

# The container paths of `nsgroup tree`, one a line. The tree is JSON
# printed one member a line: a "path" member starts its line, so no label
# or name (anyone's text, JSON-escaped) can pass for one.
function __nsgroup_containers --argument-names bin socket
    set -l run $bin tree
    test -n "$socket"; and set -a run --socket $socket
    command -q timeout; and set run timeout 10 $run
    $run 2>/dev/null |
        sed -n 's/^[[:space:]]*"path": "\(\([^"\\\\]\|\\\\.\)*\)",\{0,1\}$/\1/p' |
        sed 's/\\\\"/"/g; s/\\\\\\\\/\\\\/g'
end

# The pids of /proc, each with its command name.
function __nsgroup_pids
    for pid in (string match -r -g '^/proc/(\d+)$' -- /proc/*)
        set -l comm ''
        read comm </proc/$pid/comm 2>/dev/null
        printf '%s\t%s\n' $pid "$comm"
    end
end

# The value of option OPT whose help says KIND, the word so far being
# PREFIX VALUE (PREFIX: "--opt=" or empty); SOCKET: the --socket given.
function __nsgroup_value --argument-names bin opt kind socket prefix value
    set -l values
    switch $kind
        case '=*'
            set values (string split '|' -- (string sub -s 2 -- $kind))
        case PID
            set values (__nsgroup_pids)
        case GROUP
            set values (__fish_complete_groups)
        case USER
            set values (__fish_complete_users)
        case FILE
            set values (__fish_complete_path $value)
        case 'DIR*'
            set values (__fish_complete_directories $value '')
        case PATH
            # A socket is a file; a container is a path in the tree; the
            # other PATHs (--state-dir, --cgroup-root) are directories.
            switch $opt
                case --socket
                    set values (__fish_complete_path $value)
                case --container
                    set values (__nsgroup_containers $bin $socket)
                case '*'
                    set values (__fish_complete_directories $value '')
            end
    end
    for v in $values
        printf '%s%s\n' $prefix $v
    end
end

function __nsgroup_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l bin $words[1]
    string match -q '~/*' -- $bin; and set bin $HOME/(string sub -s 3 -- $bin)
    command -q -- $bin; or return

    # Commands and global options, from the top-level help.
    set -l commands
    set -l summaries
    set -l globals
    for line in (__nsgroup_spec $bin)
        set -l f (string split \t -- $line)
        switch $f[1]
            case command
                set -a commands $f[2]
                set -a summaries $f[2]\t$f[4]
            case global
                for n in (string split ' ' -- $f[2])
                    set -a globals $n\t$f[4]
                end
        end
    end
    set -q commands[1]; or return

    set -l cmd ''
    set -l at 0
    for i in (seq 2 (count $words))
        if contains -- $words[$i] $commands
            set cmd $words[$i]
            set at $i
            break
        end
    end
    if test -z "$cmd"
        if string match -q -- '-*' $cur
            printf '%s\n' $globals
        else
            printf '%s\n' $summaries
        end
        return
    end

    # The command's options: the KIND of each name, and what its help says.
    set -l positional
    set -l names
    set -l kinds
    set -l offers
    for line in (__nsgroup_spec $bin $cmd)
        set -l f (string split \t -- $line)
        switch $f[1]
            case command
                set positional (string split -n ' ' -- $f[3])
            case option
                for n in (string split ' ' -- $f[2])
                    set -a names $n
                    set -a kinds "$f[3]"
                    # A choice is offered as --name= (no space), as it is often written.
                    if string match -q -- '=*' $f[3]; and string match -q -- '--*' $n
                        set -a offers $n=\t$f[4]
                    else
                        set -a offers $n\t$f[4]
                    end
                end
        end
    end

    # Earlier words: the --socket given, and how many positional arguments.
    set -l n 0
    set -l socket ''
    set -l skip 0
    for i in (seq (math $at + 1) (count $words))
        set -l w $words[$i]
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $w
            case '--socket=*'
                set socket (string sub -s 10 -- $w)
            case --socket
                if test $i -lt (count $words)
                    set socket $words[(math $i + 1)]
                end
                set skip 1
            case '--*=*'
            case '-*'
                set -l k (contains -i -- $w $names); and test -n "$kinds[$k]"; and set skip 1
            case '*'
                set n (math $n + 1)
        end
    end
    string match -q '~/*' -- $socket; and set socket $HOME/(string sub -s 3 -- $socket)

    # An option's value: --opt=VALUE in this word, or --opt VALUE.
    if string match -q -- '--*=*' $cur
        set -l opt (string split -m 1 = -- $cur)
        set -l k (contains -i -- $opt[1] $names); and test -n "$kinds[$k]"
        and __nsgroup_value $bin $opt[1] $kinds[$k] "$socket" $opt[1]= "$opt[2]"
        return
    end
    if test (count $words) -gt $at
        set -l prev $words[-1]
        if string match -q -- '-*' $prev
            set -l k (contains -i -- $prev $names)
            if test -n "$k"; and test -n "$kinds[$k]"
                __nsgroup_value $bin $prev $kinds[$k] "$socket" '' "$cur"
                return
            end
        end
    end

    if string match -q -- '-*' $cur
        printf '%s\n' $offers
        return
    end

    # A positional argument: what the help calls it.
    set -l i (math $n + 1)
    set -q positional[$i]; or return
    switch $positional[$i]
        case PATH
            __nsgroup_containers $bin $socket
        case PID
            __nsgroup_pids
    end
end

complete -c nsgroup -f -a '(__nsgroup_complete)'
