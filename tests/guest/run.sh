#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/guest/run.sh [SCENARIO...]: boot guest kernels under TCG on the
# fork's qemu-system-x86_64, run each scenario in the guest, report TAP.
#
# A scenario is a file in tests/guest/scenarios/ run by the guest's /init
# (busybox sh, with guest-lib.sh's t_* helpers).  Header lines set up the
# boot:
#   # qsva-kernels: 6.12.117 7.3.4     kernels to boot (default: all the
#                                      Debian ones; built ones when named,
#                                      here or in KERNELS)
#   # qsva-qemu: -device ...           QEMU options (may repeat)
#   # qsva-append: ...                 extra kernel command line
#   # qsva-append-base: ...            replaces the base command line
#                                      (console=ttyS0 intel_iommu=on panic=-1 no_timer_check)
#   # qsva-timeout: 90                 seconds per boot (default 120)
#   # qsva-modules: dmatest            out-of-tree modules (tests/guest/
#                                      modules/) built for the kernel and
#                                      put in /qsva-modules/
#   # qsva-programs: xstress           static programs (tests/guest/
#                                      programs/NAME.c) built with the host
#                                      gcc and put in /qsva-programs/
#   # qsva-packages: [SUITE:] PKG...   extra Debian packages (and the
#                                      libraries they need) from the
#                                      kernel's userland suite, or only
#                                      from SUITE (tests/guest/mkpackages.sh)
#   # qsva-migrate: file               when the guest prints QSVA-MIGRATE,
#                                      migrate the VM to a file (migrate.py)
#                                      and go on in a second QEMU started
#                                      with -incoming from it
# Environment: KERNELS="..." limits the kernels (a built kernel of
# kernels.conf named there is booted by every scenario, e.g.
# KERNELS=6.12-iommufd runs any scenario on it), QEMU=path overrides the
# binary, QSVA_TIMEOUT_SCALE multiplies every timeout.
. "$(dirname "$0")/../../scripts/lib.sh"

G=$TOP/tests/guest
QEMU=${QEMU:-$BUILD/qemu-system-x86_64}
LOGS=$BUILD/guest/logs
TAP=$BUILD/guest/results.tap
[ -x "$QEMU" ] || die "no QEMU binary at $QEMU: run 'make' first"
mkdir -p "$LOGS"

scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=("$G"/scenarios/*.sh)
all_kernels=$(awk '!/^#/ && NF && $2 != "build" { print $1 }' "$G/kernels.conf")
# Built kernels asked for by name in KERNELS: tried on every scenario.
asked_built=
for k in ${KERNELS:-}; do
    awk -v n="$k" '!/^#/ && $1 == n && $2 == "build" { f = 1 } END { exit !f }' "$G/kernels.conf" &&
        asked_built="$asked_built $k"
done

header() { # FILE KEY: the values of "# qsva-KEY:" lines, space-joined
    sed -n "s/^# qsva-$2:[[:space:]]*//p" "$1" | tr '\n' ' ' | sed 's/ *$//'
}

n=0 pass=0 fail=0 skip=0
emit() { # "ok"|"not ok" DESCRIPTION [DIAG-FILE]
    n=$((n + 1))
    echo "$1 $n - $2" | tee -a "$TAP"
    case "$1 $2" in
        "ok "*"# SKIP"*) skip=$((skip + 1)) ;;
        ok*) pass=$((pass + 1)) ;;
        *) fail=$((fail + 1)) ;;
    esac
    if [ -n "${3:-}" ] && [ -s "$3" ]; then sed 's/^/#   /' "$3" | tee -a "$TAP"; fi
}

# The guest's QEMU; with qsva-migrate, the source (with a QMP socket and
# the device's pause and save trace) then, once migrate.py saved it, the
# destination restored from the file.  The exit status is the last one's.
run_guest() {
    if [ -z "$migrate" ]; then
        timeout -k 5 "$timeout" "${cmd[@]}"
        return
    fi
    timeout -k 5 "$timeout" "${cmd[@]}" \
        -qmp "unix:$mig/src.qmp,server=on,wait=off" -D "$mig/src.trace" \
        -trace enable=intel_dsa_pause -trace enable=intel_dsa_save_inflight
    rc=$?
    if [ ! -f "$mig/saved" ]; then
        return $rc
    fi
    echo "QSVA-RESTORE from $mig/state"
    timeout -k 5 "$timeout" "${cmd[@]}" -incoming "file:$mig/state" \
        -D "$mig/dst.trace" -trace enable=intel_dsa_load_inflight \
        -trace enable=intel_dsa_resume_desc -trace enable=intel_dsa_pr_wait_restored
}

# With qsva-migrate: the harness's checks of the migration itself.
migrate_checks() {
    local d=$mig/migrate.diag paused
    { cat "$mig/migrate.log" 2>/dev/null
      grep -h 'intel_dsa_' "$mig/src.trace" "$mig/dst.trace" 2>/dev/null |
          sed 's/^[0-9]*@[0-9.]*:* *//' | sort | uniq -c | sort -rn | head -n 8
    } > "$d"
    if [ -f "$mig/saved" ] && grep -q ' QSVA-RESTORE ' "$log"; then
        emit ok "$k $sname: migrated to a file when the guest asked, restored with -incoming" "$d"
    else
        emit "not ok" "$k $sname: migrated to a file when the guest asked, restored with -incoming" "$d"
    fi
    # "VM stopped: engines paused, N descriptors in flight, M of them ...":
    # reported, not judged (how wide the window is depends on timing)
    paused=$(grep -h 'engines paused' "$mig/src.trace" 2>/dev/null | tail -n 1 |
             sed 's/^[0-9]*@[0-9.]*:* *//')
    echo "# $k $sname: at the stop: ${paused:-no intel_dsa_pause trace}; $(cat "$mig/src.trace" 2>/dev/null | grep -c intel_dsa_save_inflight || true) descriptors saved in flight" | tee -a "$TAP"
}

echo "TAP version 13" | tee "$TAP"
for sc in "${scenarios[@]}"; do
    [ -f "$sc" ] || sc=$G/scenarios/$sc
    [ -f "$sc" ] || sc=$sc.sh
    [ -f "$sc" ] || die "no scenario $sc"
    sname=$(basename "$sc" .sh)
    kernels=$(header "$sc" kernels)
    [ -n "$kernels" ] || kernels=$all_kernels
    for k in $asked_built; do
        printf ' %s ' $kernels | grep -qF " $k " || kernels="$kernels $k"
    done
    qemu_opts=$(header "$sc" qemu)
    append=$(header "$sc" append)
    append_base=$(header "$sc" append-base)
    append_base=${append_base:-$GUEST_APPEND_BASE}
    modules=$(header "$sc" modules)
    programs=$(header "$sc" programs)
    timeout=$(header "$sc" timeout)
    timeout=$(( ${timeout:-120} * ${QSVA_TIMEOUT_SCALE:-1} ))
    migrate=$(header "$sc" migrate)
    for k in $kernels; do
        if [ -n "${KERNELS:-}" ] && ! printf ' %s ' $KERNELS | grep -qF " $k "; then
            continue
        fi
        if ! "$G/mkinitramfs.sh" "$k" 2> "$LOGS/image-$k.log"; then
            cat "$LOGS/image-$k.log" >&2
            tail -n 3 "$LOGS/image-$k.log" > "$LOGS/image-$k.diag"
            emit "not ok" "$k $sname: the guest image could not be built" "$LOGS/image-$k.diag"
            continue
        fi
        gdir=$BUILD/guest/$k
        log=$LOGS/$sname-$k.log
        kos=()
        why=
        for m in $modules; do
            if ko=$("$G/build-module.sh" "$k" "$m" 2> "$LOGS/module-$m-$k.log"); then
                kos+=($ko)
            else
                why=$(grep 'error:' "$LOGS/module-$m-$k.log" | tail -n1 | sed 's/^[^:]*: error: //' || true)
                why=${why:-build-module.sh failed (see $LOGS/module-$m-$k.log)}
                break
            fi
        done
        if [ -n "$why" ]; then
            emit ok "$k $sname: # SKIP cannot build its modules here: $why"
            continue
        fi
        for p in $programs; do
            if ! exe=$("$G/build-program.sh" "$p" 2> "$LOGS/program-$p.log"); then
                tail -n 3 "$LOGS/program-$p.log" > "$LOGS/program-$p.diag"
                emit "not ok" "$k $sname: program $p could not be built" "$LOGS/program-$p.diag"
                why=program
                break
            fi
            kos+=("$exe")
        done
        [ -z "$why" ] || continue
        if ! pkgs=$("$G/mkpackages.sh" "$k" "$sc" 2> "$LOGS/packages-$sname-$k.log"); then
            tail -n 3 "$LOGS/packages-$sname-$k.log" > "$LOGS/packages-$sname-$k.diag"
            emit "not ok" "$k $sname: its packages could not be fetched" "$LOGS/packages-$sname-$k.diag"
            continue
        fi
        [ -z "$pkgs" ] || kos+=("$pkgs")
        initrd=$BUILD/guest/$k/initrd-$sname.cpio
        guest_initrd "$gdir/initramfs.cpio" "$sc" "$initrd" "${kos[@]}"
        # shellcheck disable=SC2086
        cmd=("$QEMU" "${GUEST_MACHINE[@]}" $qemu_opts
             -kernel "$gdir/vmlinuz" -initrd "$initrd"
             -append "$append_base $append")
        echo "# $k $sname: ${cmd[*]}" >> "$TAP"
        mig=$BUILD/guest/migrate-$sname-$k
        rm -rf "$mig"
        [ -z "$migrate" ] || mkdir -p "$mig"
        t0=$EPOCHREALTIME
        set +e
        run_guest < /dev/null 2>&1 |
            while IFS= read -r line; do
                printf '%s %s\n' "$EPOCHREALTIME" "${line%$'\r'}"
                case $line in
                    *QSVA-MIGRATE*)
                        [ -z "$migrate" ] ||
                            python3 "$G/migrate.py" "$mig" > "$mig/migrate.log" 2>&1 & ;;
                esac
            done > "$log"
        rc=${PIPESTATUS[0]}
        set -e
        t1=$EPOCHREALTIME
        rm -f "$initrd"
        booted=$(awk '$2 == "QSVA-BOOTED" { print $1; exit }' "$log")
        diag=$(mktemp)
        if [ -n "$booted" ]; then
            echo "# $k $sname: boot to scenario $(awk -v a="$booted" -v b="$t0" 'BEGIN { printf "%.1f", a - b }') s, whole run $(awk -v a="$t1" -v b="$t0" 'BEGIN { printf "%.0f", a - b }') s" | tee -a "$TAP"
        fi
        # The guest's own checks.
        cut -d' ' -f2- "$log" | awk -v k="$k" -v s="$sname" -v d="$diag.g" '
            /^QSVA-TAP / { sub(/^QSVA-TAP /, ""); st = ($1 == "ok") ? "ok" : "not ok";
                           sub(/^(not )?ok - /, ""); printf "%s\t%s %s: %s\n", st, k, s, $0; next }
            /^QSVA-DIAG / { sub(/^QSVA-DIAG /, ""); printf "diag\t%s\n", $0 }' > "$diag.lines"
        while IFS=$'\t' read -r st text; do
            if [ "$st" = diag ]; then
                echo "#   $text" | tee -a "$TAP"
            else
                emit "$st" "$text"
            fi
        done < "$diag.lines"
        [ -z "$migrate" ] || migrate_checks
        # The harness's own: the scenario ran to its end and QEMU exited cleanly.
        if grep -q ' QSVA-DONE rc=0$' "$log" && [ "$rc" = 0 ]; then
            emit ok "$k $sname: guest ran the scenario to its end, QEMU exited 0"
        else
            { case $rc in
                  124|137) echo "timed out after ${timeout} s" ;;
                  0) ;;
                  *) echo "QEMU exited with status $rc" ;;
              esac
              grep -q ' QSVA-DONE' "$log" || echo "the scenario did not finish"
              echo "last lines of $log:"
              tail -n 15 "$log" | cut -d' ' -f2-; } > "$diag"
            emit "not ok" "$k $sname: guest ran the scenario to its end, QEMU exited 0" "$diag"
        fi
        rm -f "$diag" "$diag.lines" "$diag.g"
    done
done
echo "1..$n" | tee -a "$TAP"
echo "guest: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
