#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Host test: scripts/mkchroot.sh (with a stand-in debootstrap) makes the
# chroot once, rebuilds it when its package list changes, never leaves a
# half chroot, checks signatures, and refuses clearly without root.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
mkdir -p "$tmp/bin" "$tmp/cache"
# debootstrap ARGS... SUITE TARGET MIRROR: logs its arguments, and makes a
# stand-in root holding the --include list (or fails half-way when
# $tmp/fail exists).
cat > "$tmp/bin/debootstrap" <<EOF
#!/bin/bash
echo "\$*" >> $tmp/calls
for a; do case \$a in --include=*) inc=\${a#--include=} ;; esac; done
target=\${@: -2:1}
mkdir -p "\$target/usr/bin" "\$target/usr/share/doc/x"
echo "\$inc" > "\$target/included"
[ ! -e $tmp/fail ] || { echo "E: stand-in failure"; exit 1; }
EOF
chmod +x "$tmp/bin/debootstrap"
mk() { PATH=$tmp/bin:$PATH QEMU_SVA_CACHE=$tmp/cache DEBIAN_MIRROR=http://mirror.invalid/debian \
       "$here/../../scripts/mkchroot.sh" "$@" > "$tmp/out" 2> "$tmp/err"; }
dest=$tmp/cache/chroot/trixie-amd64
calls() { [ -f "$tmp/calls" ] && wc -l < "$tmp/calls" || echo 0; }
leftovers() { test -z "$(find "$tmp/cache/chroot" -maxdepth 1 -name '.trixie-amd64.*')"; }

if [ "$(id -u)" != 0 ]; then
    if mk trixie make; then not_ok "without root it fails"; else
        check "without root it fails, saying it needs root" grep -q 'needs root' "$tmp/err"; fi
    ok "# SKIP the rest needs root"
    done_testing
    exit
fi
if setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
    if PATH=$tmp/bin:$PATH QEMU_SVA_CACHE=$tmp/cache setpriv --reuid=65534 --regid=65534 --clear-groups \
           "$here/../../scripts/mkchroot.sh" trixie make > /dev/null 2> "$tmp/err"; then
        not_ok "without root it fails"
    else
        check "without root it fails, saying it needs root" grep -q 'needs root' "$tmp/err"
    fi
fi

mk trixie make gcc-14 libc6-dev
check "it makes the chroot and prints its path" test "$(cat "$tmp/out")" = "$dest" -a -d "$dest/usr/bin"
check "with the packages asked for" test "$(cat "$dest/included" 2>/dev/null)" = gcc-14,libc6-dev,make
check "from DEBIAN_MIRROR, signatures checked against the archive keyring" \
    grep -q -- "--keyring=/usr/share/keyrings/debian-archive-keyring.gpg --force-check-gpg .* trixie .* http://mirror.invalid/debian\$" "$tmp/calls"
check "without documentation" test ! -e "$dest/usr/share/doc/x"
check "the chroot's root is 0755" test "$(stat -c %a "$dest")" = 755
check "it leaves no temporary directory" leftovers

n=$(calls)
mk trixie libc6-dev make gcc-14
check "the same packages, in another order: cached, not made again" \
    test "$(calls)" = "$n" -a "$(cat "$tmp/out")" = "$dest"

touch "$tmp/fail"
if mk trixie make gcc-14 libc6-dev pahole; then not_ok "a failed debootstrap fails"; else
    check "a failed debootstrap fails, with its log" grep -q 'stand-in failure' "$tmp/err"; fi
check "and leaves the previous chroot as it was" test "$(cat "$dest/included")" = gcc-14,libc6-dev,make
check "and no half chroot" leftovers
rm "$tmp/fail"

mkdir -p "$tmp/cache/chroot/.trixie-amd64.interrupted/usr"
mk trixie make gcc-14 libc6-dev pahole
check "another package list makes it again" test "$(cat "$dest/included")" = gcc-14,libc6-dev,make,pahole
check "what an interrupted run left is removed" leftovers

# A directory with something mounted under it is not removed.
mkdir -p "$tmp/precious" "$tmp/cache/chroot/.trixie-amd64.mounted/mnt"
touch "$tmp/precious/file"
# shellcheck disable=SC2016
unshare --mount --propagation private -- bash -c '
    mount --bind "$1/precious" "$1/cache/chroot/.trixie-amd64.mounted/mnt" &&
    PATH=$1/bin:$PATH QEMU_SVA_CACHE=$1/cache "$2" trixie make' \
    - "$tmp" "$here/../../scripts/mkchroot.sh" > /dev/null 2> "$tmp/err"
check "a leftover with a mount under it is refused, naming it" grep -q 'something is mounted under .*trixie-amd64.mounted' "$tmp/err"
check "and what is mounted there is not removed" test -e "$tmp/precious/file"
done_testing
