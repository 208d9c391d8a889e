# SPDX-License-Identifier: GPL-2.0-or-later
# The guest side of 'make run': report what the guest kernel found.
# Runs as /scenario.sh; prints a summary between QSVA-SUMMARY markers.
# Booted with iomem=relaxed and boot-time kprobes (see scripts/run.sh) so
# that the kernel's own state can be read back.
echo "QSVA-SUMMARY-BEGIN"
echo "kernel:        $(uname -r)"
echo "command line:  $(cat /proc/cmdline)"
sys=/sys/class/iommu/dmar0/intel-iommu
if [ -d $sys ]; then
    ecap=$(cat $sys/ecap) cap=$(cat $sys/cap)
    base=$(( 0x$(cat $sys/address) ))
    rtaddr=$(devmem $(( base + 0x20 )) 64 2>/dev/null || echo 0)
    case $(( (rtaddr >> 10) & 3 )) in
        0) mode="legacy" ;;
        1) mode="scalable" ;;
        *) mode="unknown (RTADDR $rtaddr)" ;;
    esac
    echo "IOMMU:         dmar0 at 0x$(cat $sys/address), VT-d $(cat $sys/version), cap $cap ecap $ecap"
    echo "IOMMU mode:    $mode; PASID entries set up: first-stage $(kprobe_hits qsva_fl), second-stage $(kprobe_hits qsva_sl), pass-through $(kprobe_hits qsva_pt)"
    feats=
    for f in "1 QI" "2 DT" "3 IR" "6 PT" "29 PRS" "31 SRS" "40 PASID" "42 PDS" "43 SMTS" "46 SLTS" "47 FLTS" "48 SMPWC"; do
        set -- $f
        bit "$ecap" $1 && feats="$feats $2"
    done
    echo "ECAP features:$feats"
    echo "IOMMU groups:  $(for g in /sys/kernel/iommu_groups/*; do printf '%s=%s ' "${g##*/}" "$(cat $g/type)"; done)"
else
    echo "IOMMU:         none found by the kernel"
fi
# The DSA, when there is one: a kernel WQ for dmaengine (dmatest copies
# through it) and a shared user WQ (accel-config's dsa_test copies through
# it with ENQCMD from this process's address space, block on fault, its
# buffers not touched before, so the device's first accesses fault and the
# kernel answers the page requests).
prq_irqs() { awk '/prq/ { n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i; t += n } END { print t + 0 }' /proc/interrupts; }
dsa_demo() {
    dsa=$(for d in /sys/bus/pci/devices/*; do
              [ "$(cat $d/vendor):$(cat $d/device)" = 0x8086:0x0b25 ] && basename $d
          done | head -n1)
    [ -n "$dsa" ] || { echo "DSA:           none (add -device intel-dsa)"; return; }
    modprobe idxd 2>/dev/null
    if [ ! -d /sys/bus/dsa/devices/dsa0 ]; then
        echo "DSA:           $dsa not probed by idxd: $(dmesg | grep -m1 -E 'idxd.*(fail|err|refus)')"
        return
    fi
    log=/tmp/dsa-demo.log
    {
        accel-config config-engine dsa0/engine0.0 --group-id=0 &&
        accel-config config-wq dsa0/wq0.0 --group-id=0 --mode=dedicated --type=kernel \
            --name=dmaengine --driver-name=dmaengine --wq-size=16 --priority=10 &&
        accel-config config-wq dsa0/wq0.1 --group-id=0 --mode=shared --type=user \
            --name=demo --driver-name=user --wq-size=16 --priority=10 --threshold=15 \
            --block-on-fault=1 &&
        accel-config enable-device dsa0 &&
        accel-config enable-wq dsa0/wq0.0 &&
        accel-config enable-wq dsa0/wq0.1
    } > $log 2>&1 || { echo "DSA:           accel-config failed: $(tail -n 2 $log | tr '\n' ' ')"; }
    echo "DSA:           $dsa ($(dmesg | grep -m1 -o 'Intel(R) Accelerator Device (v[0-9]*)')), WQs: $(for w in /sys/bus/dsa/devices/wq0.*; do [ "$(cat $w/state)" = enabled ] && printf '%s %s %s; ' ${w##*/} $(cat $w/mode) $(cat $w/type); done)"
    prq0=$(prq_irqs)
    chan=$(ls /sys/class/dma/ 2>/dev/null | head -n1)
    # dmatest: ours (/qsva-modules) for stock kernels, built in for kernels
    # made by 'make kernel'.
    [ -d /sys/module/dmatest ] || insmod /qsva-modules/dmatest.ko 2>/dev/null
    if [ -n "$chan" ] && [ -d /sys/module/dmatest/parameters ]; then
        p=/sys/module/dmatest/parameters
        echo 500 > $p/iterations; echo 1 > $p/threads_per_chan
        echo 5000 > $p/timeout; echo 65536 > $p/test_buf_size
        echo "$chan" > /sys/module/dmatest/parameters/channel
        echo 1 > /sys/module/dmatest/parameters/run
        cat /sys/module/dmatest/parameters/wait > /dev/null
        echo "kernel WQ:     dmatest on $chan: $(dmesg | sed -n "s/.*dmatest: $chan-copy0: summary //p" | tail -n1)"
    else
        echo "kernel WQ:     no dmaengine channel or no dmatest module"
    fi
    t=/usr/libexec/accel-config/test/dsa_test
    if [ -c /dev/dsa/wq0.1 ] && [ -x $t ]; then
        n=0 ok=0 bytes=0
        t0=$(cut -d' ' -f1 /proc/uptime)
        for len in 4096 65536 1048576; do
            n=$((n + 1))
            if $t -w 1 -l $len -o 3 -f 0x1 > /tmp/dsa_test.log 2>&1; then
                ok=$((ok + 1)); bytes=$((bytes + len))
            else
                tail -n 2 /tmp/dsa_test.log | sed 's/^/               dsa_test: /'
            fi
        done
        t1=$(cut -d' ' -f1 /proc/uptime)
        echo "user WQ:       dsa_test MEMMOVE (ENQCMD, block on fault) $ok of $n passed, $bytes bytes in $(awk -v a=$t0 -v b=$t1 'BEGIN { printf "%.2f", b - a }') s"
    else
        echo "user WQ:       /dev/dsa/wq0.1 not available: $(dmesg | grep -m1 -iE 'idxd.*(sva|pasid)' )"
    fi
    if [ -c /dev/dsa/wq0.1 ] && [ -x /qsva-programs/dsa-pf ]; then
        /qsva-programs/dsa-pf /dev/dsa/wq0.1 shared > /tmp/pf.log 2>&1
        echo "user faults:   dsa-pf MEMMOVEs on untouched memory: $(grep -c ' ok$' /tmp/pf.log) of 6 checks passed (block on fault: page requests; without: $(sed -n 's/^pf partial_completions //p' /tmp/pf.log) partial completions resolved by the process)"
        grep FAILED /tmp/pf.log | sed 's/^/               /'
    fi
    echo "page requests: $(( $(prq_irqs) - prq0 )) PRQ interrupts while the DSA ran (faults the kernel handled)"
}
dsa_demo
pasids=$(sed -n 's/.*qsva_\(fl\|sl\|pt\): .* pasid=\([0-9]*\).*/\1:\2/p' /sys/kernel/tracing/trace 2>/dev/null | sort -u | tr '\n' ' ')
echo "PASIDs used:   ${pasids:-none seen} (PASID-table entries the kernel set up: fl first-stage, sl second-stage, pt pass-through)"
echo "DMAR tables:   $(dmesg | grep -oE 'No (RMRR|ATSR|SATC) found' | tr '\n' ' ')"
echo "DMAR faults:   $(dmesg | grep -cE 'DMAR: \[(DMA|INTR)|DMAR: DRHD: handling fault')"
echo "PCI devices:   $(ls /sys/bus/pci/devices | tr '\n' ' ')"
echo "boot time:     $(cut -d' ' -f1 /proc/uptime) s to this report"
echo "QSVA-SUMMARY-END"
