#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Host test of the patch workflow on a small stand-in tree: patch-status
# catches uncommitted and unexported work, make patches exports it, and
# tree.sh re-applies patches/ to a tree that lacks them.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
top=$tmp/top
mkdir -p "$top/patches" "$top/build/qemu/hw"
cp -a "$here/../../scripts" "$top/"
cp "$here/../../qemu-base.conf" "$top/"
: > "$top/patches/series"
git -C "$top" init -q
q=$top/build/qemu
g() { git -C "$q" -c user.name=T -c user.email=t@example.com -c commit.gpgsign=false "$@"; }
echo 'int x;' > "$q/hw/a.c"
g init -q -b master && g add -A && g commit -qm base && g tag qemu-sva-base
st() { "$top/scripts/patch-status.sh" > "$tmp/out" 2>&1; }

st; check "a tree matching patches/ passes patch-status" test $? = 0
echo 'int y;' >> "$q/hw/a.c"
if st; then not_ok "an uncommitted edit fails patch-status"; else
    check "an uncommitted edit fails patch-status, naming the file" grep -q 'hw/a.c' "$tmp/out"; fi
g commit -qam "hw: add y"
if st; then not_ok "an unexported commit fails patch-status"; else
    check "an unexported commit fails patch-status, naming commit and file" \
        grep -q 'hw: add y' "$tmp/out"; fi
check "make patches exports the commit" "$top/scripts/patches.sh"
check "the patch is in patches/ and in the series" \
    grep -qx '0001-hw-add-y.patch' "$top/patches/series"
st; check "after export patch-status passes" test $? = 0
g reset -q --hard qemu-sva-base
st; check "a tree older than patches/ loses nothing (patch-status passes)" test $? = 0
(cd "$top" && "$top/scripts/tree.sh" >/dev/null 2>&1)
check "tree.sh re-applies patches/ to the older tree" grep -q 'int y' "$q/hw/a.c"
echo 'int z;' >> "$q/hw/a.c"
g commit -qam "hw: add z"
(cd "$top" && "$top/scripts/tree.sh" >/dev/null 2>&1)
check "tree.sh leaves unexported work alone" grep -q 'int z' "$q/hw/a.c"
echo 'new' > "$q/hw/new.c"
g reset -q --hard HEAD~1
if st; then not_ok "an untracked new upstream file fails patch-status"; else
    check "an untracked new upstream file fails patch-status, naming it" grep -q 'hw/new.c' "$tmp/out"; fi
done_testing
