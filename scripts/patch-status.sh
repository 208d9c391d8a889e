#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Exit non-zero, naming the files, when build/qemu holds changes to upstream
# files that are not in patches/: uncommitted edits, new files that are not
# ours, or commits that 'make patches' has not exported.  Patches that the
# tree lacks (patches/ is newer) lose nothing: 'make tree' applies them.
. "$(dirname "$0")/lib.sh"

Q=$BUILD/qemu
[ -d "$Q/.git" ] || { msg "no QEMU tree in $Q: nothing to lose"; exit 0; }
bad=0
dirty=$(git -C "$Q" status --porcelain)
if [ -n "$dirty" ]; then
    echo "uncommitted changes in build/qemu (not in patches/):"
    printf '%s\n' "$dirty" | sed 's/^/    /'
    bad=1
fi
have=$(for p in "$TOP"/patches/*.patch; do [ -f "$p" ] && sha256sum < "$p" | cut -d" " -f1; done || true)
while read -r sum rev; do
    [ -n "$sum" ] || continue
    if ! printf '%s\n' "$have" | grep -qxF "$sum"; then
        [ $bad -ge 2 ] ||
            echo "commits in build/qemu that are not exported to patches/ (run 'make patches'):"
        bad=$((bad | 2))
        echo "    $(git -C "$Q" log -1 --format='%h %s' "$rev")"
        git -C "$Q" diff-tree --no-commit-id --name-only -r "$rev" | sed 's/^/        /'
    fi
done < <(commit_patch_sums "$Q")
[ $bad = 0 ] || exit 1
if [ "$(commit_patch_sums "$Q" | cut -d' ' -f1)" != "$(series_sums)" ]; then
    msg "note: patches/ is newer than build/qemu; 'make tree' applies it"
fi
exit 0
