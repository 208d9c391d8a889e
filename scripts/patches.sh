#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Export the commits on top of qemu-sva-base in build/qemu into patches/
# as a git format-patch series with a series file.
. "$(dirname "$0")/lib.sh"

Q=$BUILD/qemu
[ -d "$Q/.git" ] || die "no QEMU tree in $Q: run 'make tree' first"
if [ -n "$(git -C "$Q" status --porcelain --untracked-files=no)" ]; then
    git -C "$Q" status --short --untracked-files=no >&2
    die "build/qemu has uncommitted changes to upstream files (above): commit them first"
fi
export_series() { # DIR
    format_patch "$Q" -o "$1" qemu-sva-base..HEAD >/dev/null
    (cd "$1" && ls -1 ./*.patch 2>/dev/null | sed 's|^\./||') > "$1/series" || true
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export_series "$tmp"
ncommits=$(git -C "$Q" rev-list --count qemu-sva-base..HEAD)
if [ "$(wc -l < "$tmp/series")" != "$ncommits" ]; then
    die "format-patch wrote $(wc -l < "$tmp/series") patch(es) for $ncommits commit(s): patches/ left as it was"
fi
rm -f "$TOP"/patches/*.patch
cp "$tmp"/*.patch "$TOP/patches/" 2>/dev/null || true
{
    echo "# qemu-sva patches to upstream QEMU files, applied in this order on"
    echo "# Debian qemu $QEMU_DEB_VERSION by 'make tree'; written by 'make patches'."
    cat "$tmp/series"
} > "$TOP/patches/series"
msg "exported $(wc -l < "$tmp/series") patch(es) to patches/"
