#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench.sh (make bench): the emulated Intel DSA's user-space throughput,
# measured from inside a guest, beside the guest CPU's and the host's own
# memcpy.  Not a test: it prints figures and ratios, and fails only when
# nothing could be measured.
#
# One run: dsa-bench --memcpy-only on the host, then one guest boot
# (tests/guest/bench/dsa-bench.sh through tests/guest/run.sh) that runs
# dsa-bench on a shared user WQ (ENQCMD) and a dedicated user WQ
# (MOVDIR64B), both with PASID first-stage translation.  MEMMOVE is
# measured as the host's memcpy is: 256 MiB moved over one pair of
# buffers; the first descriptor on fresh buffers is timed apart.
# Environment: BENCH_KERNEL (default 6.12.57; 7.3.4 also has user SVA),
# BENCH_DSA_OPTS=prop=value,... adds intel-dsa properties (to compare
# settings, e.g. x-engine-poll-us=0), QEMU=path overrides the binary.
. "$(dirname "$0")/lib.sh"

G=$TOP/tests/guest
k=${BENCH_KERNEL:-6.12.57}
sc=$BUILD/guest/bench/dsa-bench.sh
log=$BUILD/guest/logs/dsa-bench-$k.log
out=$BUILD/guest/bench-$k.txt

mkdir -p "$(dirname "$sc")"
sed "s/-device intel-dsa,addr=05.0/&${BENCH_DSA_OPTS:+,$BENCH_DSA_OPTS}/" \
    "$G/bench/dsa-bench.sh" > "$sc"
exe=$("$G/build-program.sh" dsa-bench)
msg "host memcpy (dsa-bench --memcpy-only)"
host=$("$exe" --memcpy-only)

msg "guest $k: dsa-bench on a shared and a dedicated user WQ (a few minutes under TCG)"
rm -f "$log"
set +e
KERNELS=$k "$G/run.sh" "$sc" > "$BUILD/guest/bench-run.tap" 2>&1
rc=$?
set -e
[ -f "$log" ] || { cat "$BUILD/guest/bench-run.tap" >&2; die "the guest did not run (see above)"; }
guest=$(cut -d' ' -f2- "$log" | tr -d '\r' | grep '^bench ' || true)

{ echo "$host" | sed 's/^bench /host /'; echo "$guest" | sed 's/^bench /guest /'; } |
awk -v k="$k" -v opts="${BENCH_DSA_OPTS:-}" -v qemu="$(cd "$TOP" && git describe --always --dirty 2>/dev/null)" '
    function mean(key) { return n[key] ? sum[key] / n[key] : 0 }
    function gbs(v) { return v ? sprintf("%8.3f", v) : sprintf("%8s", "-") }
    function pct(a, b) { return (a && b) ? sprintf("%7.1f%%", 100 * a / b) : sprintf("%8s", "-") }
    $1 == "host" && $2 ~ /^memcpy_/ { sum["host_" $2] += $3; n["host_" $2]++; next }
    $1 == "guest" && $2 ~ /_error$|^error$/ { $1 = ""; err = err "\n  " substr($0, 2); next }
    $1 == "guest" && $2 == "kernel" { kernel = $3; next }
    $1 == "guest" && $2 == "vcpus" { vcpus = $3; next }
    $1 == "guest" { sum[$2] += $3; n[$2]++; next }
    END {
        printf "make bench: emulated Intel DSA from a guest user process (qemu-sva %s)\n", qemu
        printf "guest kernel %s, %s vCPUs, TCG; PASID first-stage translation\n", kernel ? kernel : k, vcpus ? vcpus : "?"
        printf "intel-dsa options: %s\n\n", opts != "" ? opts : "(defaults)"
        printf "MEMMOVE and memcpy, GB/s\n"
        printf "%-8s %8s %8s %8s %8s | %8s %8s %8s %8s\n", "size", "host", "guest", "SWQ", "DWQ",
               "SWQ/host", "DWQ/host", "SWQ/gst", "DWQ/gst"
        split("4096 65536 1048576", sz, " ")
        split("4KiB 64KiB 1MiB", nm, " ")
        for (i = 1; i <= 3; i++) {
            h = mean("host_memcpy_" sz[i] "_GBps")
            g = mean("memcpy_" sz[i] "_GBps")
            s = mean("shared_memmove_" sz[i] "_GBps")
            d = mean("dedicated_memmove_" sz[i] "_GBps")
            printf "%-8s %s %s %s %s | %s %s %s %s\n", nm[i], gbs(h), gbs(g), gbs(s), gbs(d),
                   pct(s, h), pct(d, h), pct(s, g), pct(d, g)
        }
        s = mean("shared_memmove_1048576_first_us"); d = mean("dedicated_memmove_1048576_first_us")
        printf "(each figure: 256 MiB moved over one pair of buffers, best of 3 runs)\n"
        printf "first 1 MiB MEMMOVE on fresh buffers (the device-TLB translates every page), us: SWQ %s, DWQ %s\n",
               s ? sprintf("%.1f", s) : "-", d ? sprintf("%.1f", d) : "-"
        s = mean("shared_noop_per_s"); d = mean("dedicated_noop_per_s")
        printf "\nNOOP descriptors/s from one vCPU: SWQ %s, DWQ %s\n",
               s ? sprintf("%.0f", s) : "-", d ? sprintf("%.0f", d) : "-"
        h = mean("host_memcpy_1048576_GBps")
        printf "\ntargets:\n"
        split("shared dedicated", wq, " ")
        for (i = 1; i <= 2; i++) {
            m = mean(wq[i] "_memmove_1048576_GBps")
            if (m && h)
                printf "  %-9s 1 MiB MEMMOVE >= 70%% of host memcpy: %5.1f%% (%s)\n", wq[i],
                       100 * m / h, (m >= 0.7 * h) ? "met" : "not met"
            r = mean(wq[i] "_noop_per_s")
            if (r)
                printf "  %-9s >= 250k descriptors/s: %.0f (%s)\n", wq[i], r, (r >= 250000) ? "met" : "not met"
        }
        if (err != "")
            printf "\nnot measured:%s\n", err
    }' | tee "$out"
echo "(table in ${out#"$TOP"/}; guest log ${log#"$TOP"/})"
grep -q '^bench [a-z]*_memmove_' <<<"$guest" ||
    { grep -E '^(not )?ok|^#' "$BUILD/guest/bench-run.tap" | tail -n 30; die "nothing measured in the guest (run.sh exited $rc)"; }
