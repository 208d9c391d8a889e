#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (c) 2026 The qemu-sva developers
#
# run.sh [QEMU]: build the qemu-sva x86_64 instruction tests (freestanding
# kernels, host gcc) and run each on qemu-system-x86_64 (TCG, -cpu max or
# the model a " * qsva-cpu: MODEL" line of the test names, q35 with
# dmwr-testdev and the options of its " * qsva-qemu: ..." lines); print
# their TAP, plus one line per kernel saying that it
# ran to its end and QEMU exited as it asked.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../../../.." && pwd)
QEMU=${1:-$TOP/build/qemu-system-x86_64}
OUT=$TOP/build/tcg-tests
mkdir -p "$OUT"

CFLAGS="-ffreestanding -fno-pic -no-pie -nostdlib -static -mno-red-zone
        -mgeneral-regs-only -O1 -g -Wall -Werror -Wa,--noexecstack"
LDFLAGS="-Wl,-T,$HERE/kernel.ld -Wl,--build-id=none -Wl,--no-warn-rwx-segments"

rc=0
for t in "$HERE"/*-test.c; do
    name=$(basename "$t" .c)
    elf=$OUT/$name.elf
    log=$OUT/$name.log
    # shellcheck disable=SC2086
    if ! gcc $CFLAGS $LDFLAGS -o "$elf" "$HERE/boot.S" "$HERE/lib.c" "$t"; then
        echo "not ok - $name: build failed"
        rc=1
        continue
    fi
    rm -f "$log"
    # "qsva-cpu: MODEL" in the test source picks another CPU model
    cpu=$(sed -n 's/^ \* qsva-cpu: *//p' "$t" | head -n1)
    # "qsva-qemu: OPTIONS" lines add QEMU options
    extra=$(sed -n 's/^ \* qsva-qemu: *//p' "$t" | tr '\n' ' ')
    # shellcheck disable=SC2086 # $extra: one word per option
    timeout 120 "$QEMU" -M q35 -accel tcg -cpu "${cpu:-max}" -m 256M -smp 1 \
        -display none -nodefaults -no-reboot \
        -chardev file,id=out,path="$log" -device isa-debugcon,chardev=out \
        -device isa-debug-exit,iobase=0xf4,iosize=4 \
        -device dmwr-testdev $extra -kernel "$elf" 2> "$log.err"
    status=$?
    [ -f "$log" ] && cat "$log"
    # isa-debug-exit: main()'s 0 becomes exit status 1
    if [ "$status" = 1 ] && grep -q '^1\.\.[0-9]' "$log" 2>/dev/null; then
        echo "ok - $name ran to its end"
    else
        echo "not ok - $name: QEMU exited $status"
        sed 's/^/#   /' "$log.err" 2>/dev/null
        rc=1
    fi
done
exit $rc
