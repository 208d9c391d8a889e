#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check.sh [--qemu-only|--guest-only]: run the host tests of our scripts
# (tests/host/), the QEMU tests listed in tests/qemu-tests.txt (built on
# demand), then the guest scenarios, and end with one line
# "N passed, N failed, N skipped".
. "$(dirname "$0")/lib.sh"

OBJ=$BUILD/obj
MESON=$OBJ/pyvenv/bin/meson
mode=${1:-all}
pass=0 fail=0 skip=0

# count_tap FILE: "PASS FAIL SKIP" of the TAP results in FILE.
count_tap() {
    awk '/^ok .*# SKIP/ { s++; next } /^ok / { p++ } /^not ok / { f++ }
         END { print p + 0, f + 0, s + 0 }' "$1"
}

if [ "$mode" = all ]; then
    for t in "$TOP"/tests/host/*.sh; do
        [ "$(basename "$t")" = tap.sh ] && continue
        echo "== host test: ${t#$TOP/}"
        out=$(mktemp)
        set +e
        "$t" 2>&1 | tee "$out"
        rc=${PIPESTATUS[0]}
        set -e
        read -r p f s < <(count_tap "$out")
        if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; echo "not ok - ${t#$TOP/} exited $rc"; fi
        rm -f "$out"
        pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
    done
    echo "host: $pass passed, $fail failed, $skip skipped"
fi

if [ "$mode" != --guest-only ]; then
    mapfile -t tests < <(grep -v -e '^#' -e '^[[:space:]]*$' "$TOP/tests/qemu-tests.txt")
    # The executables those tests run, as ninja targets.
    targets=$(/usr/bin/python3 - "$OBJ" "${tests[@]}" <<'PY'
import json, os, sys
obj, want = sys.argv[1], set(sys.argv[2:])
tests = json.load(open(os.path.join(obj, "meson-info", "intro-tests.json")))
found = {t["name"]: t for t in tests if t["name"] in want}
for name in sorted(want - set(found)):
    sys.exit(f"check.sh: error: no QEMU test named {name}")
for t in found.values():
    exe = t["cmd"][0]
    if exe.startswith(obj + "/"):
        print(os.path.relpath(exe, obj))
PY
)
    "$TOP/scripts/build.sh" $targets
    rm -f "$OBJ/meson-logs/testlog.json"
    set +e
    "$MESON" test -C "$OBJ" --no-rebuild --print-errorlogs "${tests[@]}"
    set -e
    read -r p f s < <(/usr/bin/python3 - "$OBJ/meson-logs/testlog.json" <<'PY'
import json, sys
p = f = s = 0
try:
    lines = open(sys.argv[1]).read().splitlines()
except OSError:
    lines = []
for line in lines:
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"):
        p += 1
    elif r == "SKIP":
        s += 1
    else:
        f += 1
print(p, f, s)
PY
)
    if [ $((p + f + s)) -lt ${#tests[@]} ]; then
        f=$((f + ${#tests[@]} - p - s))
    fi
    echo "qemu: $p passed, $f failed, $s skipped"
    pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))

    # The fuzz seeds and regression reproducers (tests/qsva-fuzz/), under
    # the sanitizer build too when it is there.
    echo "== fuzz replay: tests/qsva-fuzz"
    out=$(mktemp)
    set +e
    "$TOP/scripts/fuzz-replay.sh" 2>&1 | tee "$out"
    rc=${PIPESTATUS[0]}
    set -e
    read -r p f s < <(count_tap "$out")
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; echo "not ok - fuzz replay exited $rc"; fi
    rm -f "$out"
    echo "fuzz replay: $p passed, $f failed, $s skipped"
    pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))

    # Guest-level instruction tests (freestanding kernels under TCG).
    echo "== tcg instruction tests: tests/tcg/x86_64/qsva"
    out=$(mktemp)
    set +e
    "$TOP/tests/tcg/x86_64/qsva/run.sh" "$BUILD/qemu-system-x86_64" 2>&1 | tee "$out"
    rc=${PIPESTATUS[0]}
    set -e
    read -r p f s < <(count_tap "$out")
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; echo "not ok - tcg instruction tests exited $rc"; fi
    rm -f "$out"
    echo "tcg: $p passed, $f failed, $s skipped"
    pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
fi

if [ "$mode" != --qemu-only ]; then
    out=$(mktemp)
    set +e
    "$TOP/tests/guest/run.sh" 2>&1 | tee "$out"
    set -e
    line=$(grep '^guest: [0-9]* passed' "$out" | tail -n1 || true)
    if [ -n "$line" ]; then
        read -r _ p _ f _ s _ <<<"${line//,/}"
    else
        p=0 f=1 s=0
        echo "guest: the harness stopped before reporting (see above)"
    fi
    rm -f "$out"
    pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
