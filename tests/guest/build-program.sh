#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build-program.sh PROGRAM: build tests/guest/programs/PROGRAM.c as a
# static x86_64 executable with the host's gcc (the guests run busybox
# only, so a scenario that needs more brings its own program) and print
# its path.  Rebuilt only when the source changes.
. "$(dirname "$0")/../../scripts/lib.sh"

prog=${1:?usage: build-program.sh PROGRAM}
src=$TOP/tests/guest/programs/$prog.c
[ -f "$src" ] || die "no program '$prog' (tests/guest/programs/$prog.c)"
out=$BUILD/guest/programs/$prog
mkdir -p "$(dirname "$out")"
newer=
if [ -x "$out" ]; then
    newer=$(find "$TOP/tests/guest/programs" -name '*.h' -newer "$out" | head -n 1)
fi
if [ ! -x "$out" ] || [ "$src" -nt "$out" ] || [ -n "$newer" ]; then
    gcc -static -O2 -Wall -Werror -o "$out.tmp" "$src" ||
        die "cannot build $prog with the host gcc (static glibc: libc6-dev)"
    mv "$out.tmp" "$out"
fi
echo "$out"
