#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Set up (or refresh) the private apt root under build/apt and update its
# package lists.  Usage: apt-root.sh [--if-stale]
. "$(dirname "$0")/lib.sh"

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || die "$keyring is missing: install debian-archive-keyring"

mkdir -p "$APTROOT"/{sources.list.d,preferences.d,state/lists/partial,cache/archives/partial}
: > "$APTROOT/preferences"
[ -f "$APTROOT/state/status" ] || : > "$APTROOT/state/status"
new=$(mktemp)
cat > "$new" <<LIST
# qemu-sva private apt root: written by scripts/apt-root.sh
deb-src [signed-by=$keyring] $DEBIAN_MIRROR sid main
deb [arch=amd64 signed-by=$keyring] $DEBIAN_MIRROR bookworm main
deb [arch=amd64 signed-by=$keyring] $DEBIAN_MIRROR bookworm-backports main
deb [arch=amd64 signed-by=$keyring] $DEBIAN_SECURITY_MIRROR bookworm-security main
deb [arch=amd64 signed-by=$keyring] $DEBIAN_MIRROR trixie main
deb [arch=amd64 signed-by=$keyring] $DEBIAN_MIRROR trixie-backports main
LIST
if cmp -s "$new" "$APTROOT/sources.list" && [ "${1:-}" = --if-stale ] &&
   [ -n "$(find "$APTROOT/state" -name stamp -mmin -720 2>/dev/null)" ]; then
    rm -f "$new"
    exit 0
fi
rm -f "$APTROOT/state/stamp"
mv "$new" "$APTROOT/sources.list"
msg "updating the private apt root in $APTROOT"
apt_private apt-get update >"$APTROOT/update.log" 2>&1 ||
    { cat "$APTROOT/update.log" >&2; die "apt-get update failed in the private apt root"; }
if grep -E '^(W|E):' "$APTROOT/update.log" >&2; then
    die "apt-get update reported problems (above)"
fi
touch "$APTROOT/state/stamp"
