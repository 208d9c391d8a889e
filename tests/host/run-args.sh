#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Host test: make run refuses a missing KERNEL= or INITRD= before QEMU starts.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '#!/bin/sh\ntouch %s/qemu-ran\n' "$tmp" > "$tmp/qemu"
chmod +x "$tmp/qemu"
run() { QEMU=$tmp/qemu "$here/../../scripts/run.sh" > "$tmp/out" 2>&1; }

if KERNEL=$tmp/no-such-bzImage run; then not_ok "KERNEL=missing-file fails"; else
    check "KERNEL=missing-file fails with a message naming the file" \
        grep -q "KERNEL=$tmp/no-such-bzImage: no such file" "$tmp/out"; fi
check "QEMU did not start for KERNEL=missing-file" test ! -e "$tmp/qemu-ran"
touch "$tmp/bzImage"
if KERNEL=$tmp/bzImage INITRD=$tmp/none.cpio run; then not_ok "INITRD=missing-file fails"; else
    check "INITRD=missing-file fails with a message naming the file" \
        grep -q "INITRD=$tmp/none.cpio: no such file" "$tmp/out"; fi
check "QEMU did not start for INITRD=missing-file" test ! -e "$tmp/qemu-ran"
done_testing
