#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Host test: downloads into the cache are verified and never half-written;
# an HTTP error, a network error and a hash mismatch fail clearly.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
tmp=$(mktemp -d)
trap 'kill $srv 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/www" "$tmp/cache"
head -c 100000 /dev/urandom > "$tmp/www/good.bin"
good=$(sha256sum < "$tmp/www/good.bin" | cut -d' ' -f1)
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$tmp/www" && exec /usr/bin/python3 -m http.server --bind 127.0.0.1 "$port") > "$tmp/server.log" 2>&1 &
srv=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
url=http://127.0.0.1:$port

# fetch URL SHA DEST: run fetch_verified in a subshell (it exits on error).
fetch() { (QEMU_SVA_CACHE=$tmp/cache; . "$here/../../scripts/lib.sh"; fetch_verified "$@") 2>"$tmp/err"; }

fetch "$url/good.bin" "$good" "$tmp/cache/good.bin"
check "a good file is fetched" cmp "$tmp/www/good.bin" "$tmp/cache/good.bin"
gets=$(grep -c 'GET /good.bin' "$tmp/server.log")
fetch "$url/good.bin" "$good" "$tmp/cache/good.bin"
check "a cached good file is not downloaded again" test "$(grep -c 'GET /good.bin' "$tmp/server.log")" = "$gets"

# must_fail WHAT FILE SHA MESSAGE: fetching FILE fails with MESSAGE on
# stderr and leaves neither FILE nor a partial download in the cache.
must_fail() {
    if fetch "$url/$2" "$3" "$tmp/cache/$2"; then
        not_ok "$1 fails"
    else
        check "$1 fails, naming the file" grep -qF "$4" "$tmp/err"
    fi
    check "$1 leaves nothing in the cache" \
        test ! -e "$tmp/cache/$2" -a -z "$(find "$tmp/cache" -name '*.partial*')"
}

must_fail "an HTTP 404" missing_1.0.deb "$good" "HTTP 404 for missing_1.0.deb"
cp "$tmp/www/good.bin" "$tmp/www/other_2.0.deb"
must_fail "a hash mismatch" other_2.0.deb "0000$good" "SHA-256 mismatch for other_2.0.deb"

echo corrupted > "$tmp/cache/good.bin"
fetch "$url/good.bin" "$good" "$tmp/cache/good.bin"
check "a corrupted cached file is fetched again" cmp "$tmp/www/good.bin" "$tmp/cache/good.bin"

kill $srv; wait $srv 2>/dev/null
must_fail "a network error" net_3.0.deb "$good" "network error downloading net_3.0.deb"
done_testing
