#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Download Debian's qemu source package named in qemu-base.conf into the
# cache, checking every file against the SHA-256 recorded there.
# Prints the cache directory holding the three files.
. "$(dirname "$0")/lib.sh"

"$TOP/scripts/apt-root.sh" --if-stale
dir=$CACHE/source
mkdir -p "$dir"
uris=$(apt_private apt-get source --print-uris "qemu=$QEMU_DEB_VERSION" 2>/dev/null |
       grep "^'" || true)
for f in DSC ORIG DEBIAN; do
    name_var=QEMU_$f sha_var=QEMU_${f}_SHA256
    name=${!name_var} sha=${!sha_var}
    [ -n "$sha" ] || die "qemu-base.conf records no SHA-256 for $name"
    url=$(printf '%s\n' "$uris" | awk -v n="$name" '$2 == n { gsub("\x27", "", $1); print $1 }')
    if [ -z "$url" ]; then
        # sid moves on; the pool keeps a version while a suite lists it.
        # Past that, DEBIAN_MIRROR can name a snapshot.debian.org archive
        # (https://snapshot.debian.org/archive/debian/<date>); the hashes
        # above still check what comes from it.
        msg "qemu $QEMU_DEB_VERSION is not in the sid source index; trying the pool directly"
        url=$DEBIAN_MIRROR/pool/main/q/qemu/$name
    fi
    fetch_verified "$url" "$sha" "$dir/$name"
done
echo "$dir"
