#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz-replay.sh: replay the fuzz seeds and the regression reproducers of
# tests/qsva-fuzz/ (TAP).  The seeds' qtest traces run on the normal build
# (build/qemu-system-x86_64); with the sanitizer build present
# (build/fuzz, make fuzz-build) the libFuzzer inputs, seeds and
# reproducers, run once each under it too.
. "$(dirname "$0")/lib.sh"

Q=$TOP/tests/qsva-fuzz
out=$BUILD/fuzz-replay
rm -rf "$out"
mkdir -p "$out"
python3 "$Q/gen-seeds.py" --corpus "$out/corpus" --qtest "$out/qtest" --args "$out"
# Regression reproducers are qtest traces: tests/qsva-fuzz/repro/TARGET-*.qtest
cp "$Q"/repro/*.qtest "$out/qtest/" 2>/dev/null || true

n=0 fails=0
tap() { # RESULT NAME
    n=$((n + 1))
    if [ "$1" = ok ]; then echo "ok $n - $2"; else fails=$((fails + 1)); echo "not ok $n - $2"; fi
}
for args in "$out"/*.args; do
    t=$(basename "$args" .args)
    for trace in "$out/qtest/$t"-*.qtest; do
        [ -e "$trace" ] || continue
        if res=$(python3 "$Q/replay.py" "$BUILD/qemu-system-x86_64" "$args" "$trace" 2>&1); then
            tap ok "replay ${trace##*/}"
        else
            echo "$res" | grep '^not ok' | sed 's/^/# /'
            tap fail "replay ${trace##*/}"
        fi
    done
done
FUZZ=$BUILD/fuzz/qemu-fuzz-x86_64
if [ -x "$FUZZ" ]; then
    for dir in "$out/corpus"/* ; do
        t=$(basename "$dir")
        inputs=("$dir"/* )
        [ -d "$Q/corpus/$t" ] && inputs+=("$Q/corpus/$t"/*)
        [ -d "$Q/repro/$t" ] && inputs+=("$Q/repro/$t"/*)
        if ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1 \
            "$FUZZ" --fuzz-target="generic-fuzz-qsva-$t" -runs=1 "${inputs[@]}" \
            >"$out/fuzz-$t.log" 2>&1; then
            tap ok "sanitizer build: generic-fuzz-qsva-$t, ${#inputs[@]} input(s)"
        else
            tail -n 20 "$out/fuzz-$t.log" | sed 's/^/# /'
            tap fail "sanitizer build: generic-fuzz-qsva-$t"
        fi
    done
else
    echo "# no sanitizer build (make fuzz-build): libFuzzer inputs not replayed"
fi
echo "1..$n"
[ "$fails" = 0 ]
