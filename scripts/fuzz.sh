#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz.sh TARGET SECONDS [JOBS]: run libFuzzer on generic-fuzz-qsva-TARGET
# (intel-dsa, sva-testdev, dmwr-testdev, intel-iommu) for SECONDS, from the
# committed seeds (tests/qsva-fuzz/corpus/TARGET) and what earlier runs
# found (build/fuzz-corpus/TARGET).  Crashes, leaks and timeouts land in
# build/fuzz-artifacts/TARGET/; a summary line ends the run.  See
# docs/devel/qemu-sva-fuzzing.rst.
. "$(dirname "$0")/lib.sh"

TARGETS="intel-dsa sva-testdev dmwr-testdev intel-iommu"
target=${1:-}
secs=${2:-600}
jobs=${3:-1}
case " $TARGETS " in
*" $target "*) ;;
*) die "TARGET must be one of: $TARGETS (not '${target}')" ;;
esac
case $secs in
''|*[!0-9]*) die "SECONDS must be a number of seconds, not '$secs'" ;;
esac
FUZZ=$BUILD/fuzz/qemu-fuzz-x86_64
[ -x "$FUZZ" ] || "$TOP/scripts/fuzz-build.sh"
corpus=$BUILD/fuzz-corpus/$target
art=$BUILD/fuzz-artifacts/$target
log=$BUILD/fuzz-logs/$target-$(date +%Y%m%d-%H%M%S).log
mkdir -p "$corpus" "$art" "$(dirname "$log")"
python3 "$TOP/tests/qsva-fuzz/gen-seeds.py" --corpus "$BUILD/fuzz-seeds"
msg "fuzzing $target for ${secs}s ($jobs job(s)); log: $log"
# libFuzzer's jobs write fuzz-N.log in the working directory: one per run,
# so that runs of several targets side by side keep their own figures
work=${log%.log}.d
mkdir -p "$work"
cd "$work"
set +e
# Leaks are reported per input; QEMU's own allocations at start-up are not
# leaks of an input, so LeakSanitizer runs at exit only.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
"$FUZZ" --fuzz-target="generic-fuzz-qsva-$target" \
    -max_total_time="$secs" -max_len=4096 -timeout=30 -rss_limit_mb=4096 \
    -jobs="$jobs" -workers="$jobs" -print_final_stats=1 \
    -artifact_prefix="$art/" "$corpus" "$TOP/tests/qsva-fuzz/corpus/$target" \
    "$BUILD/fuzz-seeds/$target" >"$log" 2>&1
rc=$?
set -e
cat "$work"/fuzz-*.log >>"$log" 2>/dev/null
rm -rf "$work"
runs=$(grep -h 'stat::number_of_executed_units' "$log" | awk '{s += $2} END {print s + 0}')
speed=$(grep -h 'stat::average_exec_per_sec' "$log" | awk '{s += $2} END {print s + 0}')
cov=$(grep -ho 'cov: [0-9]*' "$log" | tail -n1)
found=$(find "$art" -type f | wc -l)
echo "fuzz $target: ${secs}s x $jobs, $runs executions, $speed exec/s, ${cov:-cov: ?}, $found artifact(s) in ${art#"$TOP"/}, libFuzzer exit $rc"
[ "$rc" = 0 ]
