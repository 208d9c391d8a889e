#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fetch-debs.sh PKG[=VER|/SUITE]...: download binary packages through the
# private apt root into the cache (hash-checked against the signed index),
# and print the path of each .deb, one a line, in argument order.
. "$(dirname "$0")/lib.sh"

"$TOP/scripts/apt-root.sh" --if-stale
dir=$CACHE/debs
mkdir -p "$dir"
for pkg in "$@"; do
    line=$(apt_private apt-get download --print-uris "$pkg" 2>"$APTROOT/download.err" | grep "^'" | head -n1) ||
        die "package $pkg is not in the private apt root's index: $(tr '\n' ' ' < "$APTROOT/download.err")"
    # 'URL' FILE SIZE SHA256:HASH
    read -r url file _size hash <<<"$line"
    url=${url//\'/}
    case $hash in
        SHA256:*) hash=${hash#SHA256:} ;;
        *) die "no SHA-256 in the index for $pkg ($hash)" ;;
    esac
    fetch_verified "$url" "$hash" "$dir/$file"
    echo "$dir/$file"
done
