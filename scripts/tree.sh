#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Prepare build/qemu: a git repository whose base commit (tag qemu-sva-base)
# is Debian's qemu source with Debian's patches applied, then our patches/
# as commits, then our new files linked in.  An existing tree is brought up
# to date in place (so that the build stays incremental) and is never
# touched while it holds work that is not exported to patches/.
. "$(dirname "$0")/lib.sh"

Q=$BUILD/qemu
# Directories of ours that mirror QEMU paths and are linked into the tree.
LINK_DIRS="hw include system target tests docs"
# Of those, paths that are ours alone and stay out of the QEMU tree.
NOLINK_RE='^(tests/guest/|tests/tcg/x86_64/qsva/|tests/qemu-tests.txt|docs/devel/qemu-sva-)'

git_q() { git -C "$Q" -c user.name=qemu-sva -c user.email=qemu-sva@localhost \
              -c commit.gpgsign=false "$@"; }

unpack_base() {
    local src tmp
    src=$("$TOP/scripts/fetch-qemu-source.sh")
    tmp=$BUILD/qemu.unpack
    rm -rf "$tmp"
    mkdir -p "$tmp"
    msg "unpacking $QEMU_DSC (Debian patches applied)"
    dpkg-source --no-check -x "$src/$QEMU_DSC" "$tmp/src" >"$tmp/log" 2>&1 ||
        { cat "$tmp/log" >&2; die "dpkg-source -x failed for $QEMU_DSC"; }
    rm -rf "$tmp/src/.pc"
    git -C "$tmp/src" init -q -b master
    Q=$tmp/src git_q add -A -f .
    Q=$tmp/src git_q commit -q -m "Debian qemu $QEMU_DEB_VERSION (upstream QEMU $QEMU_UPSTREAM_VERSION), Debian patches applied"
    Q=$tmp/src git_q tag qemu-sva-base
    rm -rf "$Q"
    mv "$tmp/src" "$Q"
    rm -rf "$tmp"
}

apply_patches() {
    local p
    git_q checkout -q master
    git_q reset -q --hard qemu-sva-base
    for p in $(series_files); do
        [ -f "$p" ] || die "patches/series names a missing file: ${p#$TOP/}"
        git_q am -q --keep-cr "$p" ||
            { git_q am --abort || true; die "patch ${p#$TOP/} does not apply to the base"; }
    done
}

link_files() {
    local f exclude=$Q/.git/info/exclude
    mkdir -p "$Q/.git/info"
    # Drop every link of ours; the ones still wanted are made again below.
    find "$Q" -path "$Q/.git" -prune -o -type l -lname "$TOP/*" -print0 | xargs -0r rm -f
    : > "$exclude.new"
    (cd "$TOP" && git ls-files --cached --others --exclude-standard -- $LINK_DIRS) |
        { grep -Ev "$NOLINK_RE" || true; } | sort -u |
        while read -r f; do
            [ -f "$TOP/$f" ] || continue
            if [ -e "$Q/$f" ] && [ ! -L "$Q/$f" ]; then
                die "$f exists in QEMU: edit it through patches/, not as a file of ours"
            fi
            mkdir -p "$(dirname "$Q/$f")"
            ln -sfn "$TOP/$f" "$Q/$f"
            echo "/$f" >> "$exclude.new"
        done
    mv "$exclude.new" "$exclude"
}

if [ ! -d "$Q/.git" ]; then
    unpack_base
    apply_patches
elif [ "$(commit_patch_sums "$Q" | cut -d' ' -f1)" != "$(series_sums)" ]; then
    if ! "$TOP/scripts/patch-status.sh" >/dev/null 2>&1; then
        "$TOP/scripts/patch-status.sh" || true
        die "patches/ changed, but build/qemu holds work that is not in patches/: export it (make patches) or drop it first (git -C build/qemu reset --hard qemu-sva-base)"
    fi
    msg "patches/ changed: re-applying the series on the base"
    apply_patches
fi
link_files
