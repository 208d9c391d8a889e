# User SVA on the emulated Intel DSA: accel-config-test's own runner,
# dsa_user_test_runner.sh, as root.  It loads 2g2q_user_1.conf (a shared
# and a dedicated user WQ, both with block on fault), then runs dsa_test
# for every operation, single and batched, on both WQs, at several sizes,
# with the descriptors' Block On Fault flag on and then off (faults then
# go through PRI page requests, or come back as partial completions that
# dsa_test resolves and resubmits).  A check per group of dsa_test runs
# the runner announces ("Performing <mode> WQ [batched] <OP> testing"),
# judged by the runner itself: a group passed when the runner went on to
# the next one, or to its end, without failing.
# qsva-kernels: 6.12.57 7.3.4
# qsva-qemu: -device intel-iommu,intremap=on,x-scalable-mode=on,x-flts=on,x-pasid-mode=on,device-iotlb=on,svm=on
# qsva-qemu: -device intel-dsa,addr=05.0
# qsva-timeout: 5400

T=/usr/libexec/accel-config/test
log=/tmp/runner.log

if ! grep -qw movdir64b /proc/cpuinfo; then
    t_skip "user SVA with dsa_user_test_runner.sh" \
        "the vCPU has no MOVDIR64B, idxd does not load"
elif [ ! -x $T/dsa_user_test_runner.sh ]; then
    t_fail "accel-config-test is installed" "no $T/dsa_user_test_runner.sh"
else
    # accel-config-test 4.x's _cleanup ends with an unconditional "rmmod
    # iaa_crypto": on a stock system udev has loaded it for the idxd bus
    # devices (MODALIAS idxd:t0*).  For that suite only, busybox mdev as a
    # netlink daemon does the module loading (devtmpfs keeps the nodes).
    # (4.x is the one that also loads vfio_pci.)  With 3.5.3 mdev kept idxd
    # busy at the final rmmod, so not there.
    if grep -q 'modprobe vfio_pci' $T/common; then
        printf '%s\n' '$MODALIAS=.* 0:0 660 ! @modprobe -q "$MODALIAS"' \
            '.* 0:0 660 !' > /etc/mdev.conf
        mdev -d
    fi
    modprobe idxd 2>/dev/null
    t_check "idxd enabled PASID on dsa0 (user SVA available)" \
        grep -qx 1 /sys/bus/dsa/devices/dsa0/pasid_enabled
    t0=$(cut -d' ' -f1 /proc/uptime)
    # Run as it is (its "#!/bin/bash -Ex" line sets the ERR trap up).
    (cd / && $T/dsa_user_test_runner.sh) > $log 2>&1
    rc=$?
    t1=$(cut -d' ' -f1 /proc/uptime)
    echo "QSVA-DIAG dsa_user_test_runner.sh: exit $rc after $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }') s of guest uptime"

    # One check per group; the phase is the Block On Fault flag.
    awk -v rc="$rc" '
        function close_group(ok, why) {
            if (group == "") return
            if (ok) printf "QSVA-TAP ok - %s: %s (%d dsa_test runs)\n", phase, group, runs
            else {
                printf "QSVA-TAP not ok - %s: %s\n", phase, group
                printf "QSVA-DIAG %s\n", why
                for (i = (nl > 25 ? nl - 25 : 0); i < nl; i++) printf "QSVA-DIAG   %s\n", last[i % 25]
            }
            group = ""
        }
        /^Testing with .block on fault. flag ON/  { close_group(1); phase = "BOF flag on"; next }
        /^Testing with .block on fault. flag OFF/ { close_group(1); phase = "BOF flag off"; next }
        /^Performing / { close_group(1); sub(/^Performing /, ""); sub(/ testing$/, ""); group = $0; runs = 0; nl = 0; next }
        /^\++ .*dsa_test / { runs++ }
        /failed at line/ { failed = $0 }
        { last[nl % 25] = $0; nl++ }
        END {
            if (group != "") {
                if (rc == 0) close_group(1)
                else close_group(0, failed != "" ? failed : "the runner exited " rc)
            }
        }' $log
    if [ "$rc" = 0 ]; then
        t_ok "dsa_user_test_runner.sh passes (exit 0)"
    elif [ "$rc" = 77 ]; then
        t_fail "dsa_user_test_runner.sh passes (exit 0)" "it skipped (77):" "$(tail -n 5 $log)"
    else
        t_fail "dsa_user_test_runner.sh passes (exit 0)" "exit $rc:" "$(tail -n 15 $log)"
    fi
    t_no_dmesg "no idxd error" 'idxd .*(err|fail|Unexpected)'
fi
