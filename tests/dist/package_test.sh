#!/bin/bash
# The Debian package, built and used for real: cpack -G DEB in the build
# tree (output in a temporary directory), lintian with no E: tag, the
# paths in `dpkg-deb -c`, then `dpkg -i` on this machine, the installed
# files and `nsgroup --version`, /etc/default/nsgroup a conffile that dpkg
# keeps when it was edited, the completions loaded by bash, zsh and fish,
# nothing started, and `dpkg --purge` removing every file again, the
# conffile too (a trap purges when a check fails).
#
# package_test.sh CPACK BUILD_DIR VERSION
# Exit 0 when it holds, 1 when not, 77 (skip) without root, dpkg or lintian.
set -u
cpack_cmd=$1 build=$2 version=$3

skip() { echo "skip: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok    $*"; }

[ "$(id -u)" -eq 0 ] || skip "installs a package: needs root"
for tool in dpkg dpkg-deb dpkg-shlibdeps lintian fakeroot; do
  command -v "$tool" >/dev/null || skip "$tool is missing (dpkg-dev, lintian, fakeroot)"
done

tmp=$(mktemp -d /tmp/nsgroup-package.XXXXXX)
installed=0
state_backup=""
cleanup() {
  if [ "$installed" -eq 1 ]; then
    echo "cleanup: dpkg --purge nsgroup"
    dpkg --purge nsgroup >/dev/null 2>&1 || true
  fi
  if [ -n "$state_backup" ] && [ ! -e /var/lib/nsgroup ]; then
    cp -a "$state_backup" /var/lib/nsgroup
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- build ------------------------------------------------------------------
arch=$(dpkg --print-architecture)
"$cpack_cmd" -G DEB -B "$tmp/out" --config "$build/CPackConfig.cmake" >"$tmp/cpack.log" 2>&1 ||
  { cat "$tmp/cpack.log"; fail "cpack -G DEB"; }
deb="$tmp/out/nsgroup_${version}_${arch}.deb"
[ -f "$deb" ] || { ls -l "$tmp/out"; fail "no $(basename "$deb")"; }
ok "cpack made $(basename "$deb") ($(stat -c %s "$deb") bytes)"

field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = nsgroup ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version)"
[ "$(field Section)" = admin ] || fail "Section: $(field Section)"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture: $(field Architecture)"
synopsis=$(field Description | head -1)
[ -n "$synopsis" ] && [ ${#synopsis} -le 80 ] || fail "Description's first line: '$synopsis'"
ok "control: nsgroup $version $arch, Section admin"
ok "Description: $synopsis"

# --- lintian ----------------------------------------------------------------
# Every tag shown (info and pedantic too); the test fails on E: only.
lintian --display-info --pedantic --tag-display-limit 0 "$deb" >"$tmp/lintian.log" 2>&1
echo "lintian (exit $?):"
sed 's/^/  /' "$tmp/lintian.log"
if grep -q '^E: ' "$tmp/lintian.log"; then fail "lintian reports errors"; fi
ok "lintian: no E: tag"

# --- contents ---------------------------------------------------------------
dpkg-deb -c "$deb" >"$tmp/contents"
files=(
  /usr/sbin/nsgroup
  /usr/lib/systemd/system/nsgroup.service
  /usr/share/man/man8/nsgroup.8.gz
  /usr/share/bash-completion/completions/nsgroup
  /usr/share/zsh/vendor-completions/_nsgroup
  /usr/share/fish/vendor_completions.d/nsgroup.fish
  /etc/default/nsgroup
  /usr/share/doc/nsgroup/copyright
  /usr/share/doc/nsgroup/changelog.gz
)
for f in "${files[@]}"; do
  mode=-rw-r--r--
  [ "$f" = /usr/sbin/nsgroup ] && mode=-rwxr-xr-x
  grep -qE "^$mode root/root +[0-9]+ [0-9-]+ [0-9:]+ \.$f\$" "$tmp/contents" ||
    { cat "$tmp/contents"; fail "dpkg-deb -c: no $mode root/root .$f"; }
done
# Directories 0755 whatever the umask of the build, nothing outside /usr
# but /etc/default/nsgroup.
if grep -E '^d' "$tmp/contents" | grep -vqE '^drwxr-xr-x root/root'; then
  cat "$tmp/contents"; fail "a directory that is not drwxr-xr-x root/root"
fi
if awk '{print $NF}' "$tmp/contents" | grep -vqE '^\./((usr/.*)|etc/|etc/default/|etc/default/nsgroup)?$'; then
  cat "$tmp/contents"; fail "a path outside /usr and /etc/default/nsgroup"
fi
ok "dpkg-deb -c: ${files[*]}"

dpkg-deb -x "$deb" "$tmp/root"
# Depends computed by dpkg-shlibdeps: it names the package of each library
# the binary links (merged /usr: dpkg knows /lib or /usr/lib, one of them).
pkg_of() {
  local p=$1
  dpkg -S "$p" 2>/dev/null || dpkg -S "${p#/usr}" 2>/dev/null || dpkg -S "/usr$p" 2>/dev/null
}
depends=$(field Depends)
bin="$tmp/root/usr/sbin/nsgroup"
for name in $(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  lib=$(ldd "$bin" | awk -v n="$name" '$1 == n && $2 == "=>" {print $3}')
  pkg=$(pkg_of "$lib" | head -1 | cut -d: -f1)
  [ -n "$pkg" ] || fail "no package owns $name ($lib)"
  [[ ", $depends," == *", $pkg "* || ", $depends," == *", $pkg,"* ]] || fail "Depends: '$depends' lacks $pkg (for $name)"
done
ok "Depends: $depends"
readelf -S "$tmp/root/usr/sbin/nsgroup" | grep -qE '\.(symtab|debug_info)\b' &&
  fail "/usr/sbin/nsgroup is not stripped"
unit=$tmp/root/usr/lib/systemd/system/nsgroup.service
grep -qx 'ExecStart=/usr/sbin/nsgroup daemon $NSGROUP_OPTS' "$unit" ||
  fail "the unit's ExecStart: $(grep ExecStart "$unit")"
grep -qx 'EnvironmentFile=-/etc/default/nsgroup' "$unit" ||
  fail "the unit's EnvironmentFile: $(grep EnvironmentFile "$unit")"
# The shipped file sets NSGROUP_OPTS to nothing; its examples are comments.
[ "$(grep -vE '^\s*(#|$)' "$tmp/root/etc/default/nsgroup")" = 'NSGROUP_OPTS=""' ] ||
  fail "/etc/default/nsgroup sets more than an empty NSGROUP_OPTS"
for gz in usr/share/man/man8/nsgroup.8.gz usr/share/doc/nsgroup/changelog.gz; do
  gzip -t "$tmp/root/$gz" || fail "$gz is not gzip"
  # -n: no name, no time stamp (bytes 4-7 of the header are the mtime).
  [ "$(od -An -tx1 -j4 -N4 "$tmp/root/$gz" | tr -d ' ')" = 00000000 ] ||
    fail "$gz has a time stamp (not gzip -n)"
done
first=$(zcat "$tmp/root/usr/share/doc/nsgroup/changelog.gz" | head -1)
[[ "$first" == "nsgroup ($version) "* ]] ||
  fail "the changelog's latest entry is not $version: '$first' (dist/debian/changelog)"
dpkg-deb -e "$deb" "$tmp/control"
for s in postinst prerm postrm; do
  [ "$(stat -c %a "$tmp/control/$s")" = 755 ] || fail "$s is not 0755"
done
[ "$(cat "$tmp/control/conffiles")" = /etc/default/nsgroup ] ||
  fail "conffiles: '$(cat "$tmp/control/conffiles" 2>&1)' (expected /etc/default/nsgroup)"
[ "$(stat -c %a "$tmp/control/conffiles")" = 644 ] || fail "conffiles is not 0644"
grep -vE '^\s*#' "$tmp/control/postinst" | grep -qE 'enable|start|deb-systemd-invoke' &&
  fail "postinst enables or starts something"
ok "stripped, ExecStart=/usr/sbin/nsgroup daemon \$NSGROUP_OPTS, EnvironmentFile, gzip -9n, changelog $version, maintainer scripts 0755, conffiles"

# --- install, for real -------------------------------------------------------
status=$(dpkg-query -W -f='${db:Status-Status}' nsgroup 2>/dev/null)
if [ -n "$status" ] && [ "$status" != not-installed ]; then
  echo "skip: install and purge: a package nsgroup is already on this machine ($status)"
  exit 0
fi
for f in "${files[@]}"; do
  if [ -e "$f" ]; then
    echo "skip: install and purge: $f already exists (not from a package)"
    exit 0
  fi
done
# A daemon run here by hand keeps its state in /var/lib/nsgroup, which a
# purge removes: put it back afterwards.
if [ -e /var/lib/nsgroup ]; then
  state_backup="$tmp/state"
  cp -a /var/lib/nsgroup "$state_backup"
fi

# Processes running /usr/sbin/nsgroup (none can before the install).
ours() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/exe" 2>/dev/null)" = /usr/sbin/nsgroup ] && echo "${p#/proc/}"
  done
}
installed=1
dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail "dpkg -i"; }
[ "$(dpkg-query -W -f='${db:Status-Status}' nsgroup)" = installed ] || fail "not installed after dpkg -i"
ok "dpkg -i"

dpkg -L nsgroup >"$tmp/listed"
for f in "${files[@]}"; do
  grep -qx "$f" "$tmp/listed" || fail "dpkg -L does not list $f"
  [ -f "$f" ] || fail "$f is not there"
done
got=$(/usr/sbin/nsgroup --version) || fail "/usr/sbin/nsgroup --version"
[[ "$got" == *"$version"* ]] || fail "nsgroup --version: '$got' (expected $version)"
ok "installed files there; nsgroup --version: $got"
if command -v man >/dev/null; then
  [ "$(man -w nsgroup 2>/dev/null)" = /usr/share/man/man8/nsgroup.8.gz ] ||
    fail "man -w nsgroup: '$(man -w nsgroup 2>&1)'"
  ok "man -w nsgroup: /usr/share/man/man8/nsgroup.8.gz"
fi
bash -c 'source /usr/share/bash-completion/completions/nsgroup && complete -p nsgroup' >/dev/null ||
  fail "the completion does not register for nsgroup"
ok "bash completion registers nsgroup"
# zsh and fish find them where they are installed, on their own.
if command -v zsh >/dev/null; then
  zsh -f -c 'autoload -Uz compinit && compinit -u -D && [[ $_comps[nsgroup] == _nsgroup ]]' ||
    fail "zsh's compinit does not find _nsgroup for nsgroup"
  ok "zsh: compinit maps nsgroup to _nsgroup"
fi
if command -v fish >/dev/null; then
  # Not --no-config: fish's own config.fish puts vendor_completions.d in
  # fish_complete_path. A home of its own keeps root's config out.
  mkdir -p "$tmp/home"
  got=$(HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home XDG_DATA_HOME=$tmp/home \
        fish -c 'complete -C "nsgroup da"' | cut -f1)
  [ "$got" = daemon ] || fail "fish: 'nsgroup da<TAB>' gives '$got'"
  ok "fish: 'nsgroup da<TAB>' -> daemon"
fi

# The conffile: registered, and kept as edited by a reinstall.
dpkg-query -W -f='${Conffiles}\n' nsgroup | grep -qE '^ /etc/default/nsgroup [0-9a-f]{32}$' ||
  fail "dpkg does not list /etc/default/nsgroup as a conffile: $(dpkg-query -W -f='${Conffiles}' nsgroup)"
echo 'NSGROUP_OPTS="--no-mirror"' >>/etc/default/nsgroup
dpkg -i --force-confold "$deb" >"$tmp/dpkg2.log" 2>&1 || { cat "$tmp/dpkg2.log"; fail "dpkg -i again"; }
tail -1 /etc/default/nsgroup | grep -qx 'NSGROUP_OPTS="--no-mirror"' ||
  fail "a reinstall did not keep the edited /etc/default/nsgroup"
ok "/etc/default/nsgroup: a conffile, kept as edited by a reinstall"

sleep 1
running=$(ours)
[ -z "$running" ] || fail "postinst started nsgroup: pids $running"
if [ -d /run/systemd/system ]; then
  s=$(systemctl is-enabled nsgroup.service 2>&1)
  [ "$s" = disabled ] || fail "systemctl is-enabled nsgroup: $s"
  s=$(systemctl is-active nsgroup.service 2>&1)
  [ "$s" = inactive ] || fail "systemctl is-active nsgroup: $s"
  ok "systemd knows nsgroup.service: disabled, inactive"
else
  echo "note: systemd is not the running init here: postinst's daemon-reload not exercised"
fi
ok "postinst started nothing (no process runs /usr/sbin/nsgroup)"

# --- remove, then purge -----------------------------------------------------
# A remove keeps the conffile (as edited); only a purge takes it.
dpkg -r nsgroup >"$tmp/remove.log" 2>&1 || { cat "$tmp/remove.log"; fail "dpkg -r"; }
[ "$(dpkg-query -W -f='${db:Status-Status}' nsgroup)" = config-files ] ||
  fail "after dpkg -r: $(dpkg-query -W -f='${db:Status-Status}' nsgroup)"
[ -e /usr/sbin/nsgroup ] && fail "/usr/sbin/nsgroup is still there after dpkg -r"
grep -qx 'NSGROUP_OPTS="--no-mirror"' /etc/default/nsgroup ||
  fail "dpkg -r did not keep the edited /etc/default/nsgroup"
ok "dpkg -r: the binary gone, /etc/default/nsgroup kept"
mkdir -p /var/lib/nsgroup && touch /var/lib/nsgroup/left-by-a-daemon
dpkg --purge nsgroup >"$tmp/purge.log" 2>&1 || { cat "$tmp/purge.log"; fail "dpkg --purge"; }
installed=0
status=$(dpkg-query -W -f='${db:Status-Status}' nsgroup 2>/dev/null)
[ -z "$status" ] || [ "$status" = not-installed ] || fail "still known to dpkg after purge: $status"
while read -r f; do
  [ -d "$f" ] && [ ! -L "$f" ] && continue   # shared directories stay
  [ -e "$f" ] || [ -L "$f" ] && fail "$f is still there after the purge"
done <"$tmp/listed"
[ ! -e /usr/share/doc/nsgroup ] || fail "/usr/share/doc/nsgroup is still there"
[ ! -e /var/lib/nsgroup ] || fail "/var/lib/nsgroup is still there after the purge"
[ ! -e /etc/default/nsgroup ] || fail "/etc/default/nsgroup (a conffile) is still there after the purge"
ok "dpkg --purge removed every file, /etc/default/nsgroup, /usr/share/doc/nsgroup and /var/lib/nsgroup"
echo "all checks passed"
