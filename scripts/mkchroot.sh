#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mkchroot.sh SUITE PKG...: make (once) a minimal Debian SUITE chroot for
# amd64 holding PKG... and what they depend on, and print its path.  Used to
# build guest kernel modules with a compiler the host lacks (e.g. gcc-14 for
# the trixie kernels on a Debian 12 host).  Needs root.
#
# The chroot is made with debootstrap from $DEBIAN_MIRROR, the Release file
# checked against debian-archive-keyring and every package against it, and
# cached as $CACHE/chroot/SUITE-amd64.  It is keyed by what it holds (suite,
# architecture, package list, recipe): another key rebuilds it.  It is made
# under a temporary name and renamed when complete, so an interrupted run
# never leaves a half chroot; debootstrap runs in a private mount namespace,
# so nothing it mounts outlives it.
. "$(dirname "$0")/lib.sh"

suite=${1:?usage: mkchroot.sh SUITE PKG...}
shift
arch=amd64
# Bump when the way the chroot is made changes.
recipe=1
dir=$CACHE/chroot
dest=$dir/$suite-$arch
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
pkgs=$(printf '%s\n' "$@" | sort -u | tr '\n' ' ' | sed 's/ *$//')
key="recipe=$recipe suite=$suite arch=$arch variant=minbase include=$pkgs"

[ "$(id -u)" = 0 ] ||
    die "making the Debian $suite chroot needs root (debootstrap, chroot): run as root"
command -v debootstrap >/dev/null ||
    die "debootstrap is missing: run scripts/setup-host.sh (or make setup)"
[ -f "$keyring" ] || die "$keyring is missing: install debian-archive-keyring"

# rm_tree DIR: remove DIR, unless something is mounted under it (then
# removing it would remove what is mounted).
rm_tree() {
    [ -e "$1" ] || return 0
    if awk -v d="$1" '{ p = $5; gsub(/\\040/, " ", p) }
                      p == d || index(p, d "/") == 1 { f = 1 } END { exit !f }' /proc/self/mountinfo; then
        die "something is mounted under $1: unmount it, then remove it by hand"
    fi
    rm -rf "$1"
}

mkdir -p "$dir"
exec 9> "$dir/.lock"
flock 9
if [ -f "$dest/.qemu-sva-chroot" ] && [ "$(cat "$dest/.qemu-sva-chroot")" = "$key" ]; then
    echo "$dest"
    exit 0
fi
# Left over from an interrupted run (we hold the lock: nobody is making them).
for old in "$dir/.$suite-$arch".*; do rm_tree "$old"; done

if [ -d "$dest" ]; then
    msg "the $suite chroot in $dest holds something else: making it again"
fi
msg "making a Debian $suite chroot for $arch in $dest with: $pkgs"
tmp=$(mktemp -d "$dir/.$suite-$arch.XXXXXX")
log=$dir/$suite-$arch.log
# shellcheck disable=SC2064
trap "rm_tree '$tmp'" EXIT
t0=$EPOCHREALTIME
unshare --mount --propagation private -- \
    debootstrap --variant=minbase --arch="$arch" --components=main \
    --keyring="$keyring" --force-check-gpg \
    --include="$(echo "$pkgs" | tr ' ' ',')" \
    "$suite" "$tmp" "$DEBIAN_MIRROR" > "$log" 2>&1 ||
    { tail -n 20 "$log" >&2; die "debootstrap of $suite failed (log: $log)"; }
# Only what builds need: no package caches or lists, documentation or
# translations (builds run with LC_ALL=C.UTF-8).
rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/cache/apt/*.bin "$tmp"/var/lib/apt/lists/*_* \
       "$tmp"/usr/share/doc/* "$tmp"/usr/share/man/* "$tmp"/usr/share/info/* "$tmp"/usr/share/locale/*
chmod 755 "$tmp"
echo "$key" > "$tmp/.qemu-sva-chroot"
if [ -d "$dest" ]; then
    mv -T "$dest" "$tmp.old"
    mv -T "$tmp" "$dest"
    rm_tree "$tmp.old"
else
    mv -T "$tmp" "$dest"
fi
trap - EXIT
msg "made the $suite chroot in $(awk -v a="$EPOCHREALTIME" -v b="$t0" 'BEGIN { printf "%.0f", a - b }') s: $(du -sh "$dest" | cut -f1)"
echo "$dest"
