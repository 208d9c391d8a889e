# Device page faults on the emulated Intel DSA, seen from a guest user
# process (tests/guest/programs/dsa-pf.c) on a shared (ENQCMD) and a
# dedicated (MOVDIR64B) user WQ with block on fault allowed: MEMMOVEs from
# and to memory the process never touched.  With the descriptor's Block
# On Fault flag the device sends PRI page requests, which the guest's
# IOMMU driver takes from its page request queue (its dmar0-prq interrupt
# counts them) and resolves through the process's page fault handler
# before it answers; without it the descriptor completes with a page
# fault status, the bytes completed and the faulting address, and the
# process touches the page and submits the rest.  The device translates
# with ATS translation requests, so none of this is a DMAR fault record.
# qsva-kernels: 6.12.57 7.3.4
# qsva-programs: dsa-pf
# qsva-qemu: -device intel-iommu,intremap=on,x-scalable-mode=on,x-flts=on,x-pasid-mode=on,device-iotlb=on,svm=on
# qsva-qemu: -device intel-dsa,addr=05.0
# qsva-timeout: 900

prq_irqs() {
    awk '/dmar[0-9]+-prq/ { n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i; print n; f = 1 } END { if (!f) print 0 }' /proc/interrupts
}

run_pf() { # WQ MODE
    before=$(prq_irqs)
    /qsva-programs/dsa-pf /dev/dsa/$1 $2 > /tmp/pf.$2 2>&1
    rc=$?
    after=$(prq_irqs)
    sed "s/^/QSVA-DIAG $2: /" /tmp/pf.$2
    for c in bof_write_completed bof_write_data bof_read_completed \
             bof_read_data nobof_partial_then_completed nobof_data; do
        if grep -qx "pf $c ok" /tmp/pf.$2; then
            t_ok "$2 WQ: $c"
        else
            t_fail "$2 WQ: $c" "$(grep "pf $c" /tmp/pf.$2)"
        fi
    done
    t_eq "$2 WQ: dsa-pf exit status" "$rc" 0
    if [ "$after" -gt "$before" ]; then
        t_ok "$2 WQ: the guest took page requests ($((after - before)) dmar-prq interrupts)"
    else
        t_fail "$2 WQ: the guest took page requests" "dmar-prq interrupts $before -> $after"
    fi
}

if ! grep -qw movdir64b /proc/cpuinfo; then
    t_skip "DSA page faults from user space" \
        "the vCPU has no MOVDIR64B, idxd does not load"
else
    modprobe idxd 2>/dev/null
    t_check "idxd enabled PASID on dsa0 (user SVA available)" \
        grep -qx 1 /sys/bus/dsa/devices/dsa0/pasid_enabled
    accel-config config-engine dsa0/engine0.0 --group-id=0
    accel-config config-engine dsa0/engine0.1 --group-id=0
    accel-config config-wq dsa0/wq0.0 --group-id=0 --mode=shared --type=user \
        --name=pf-swq --driver-name=user --wq-size=16 --threshold=16 \
        --priority=10 --block-on-fault=1
    accel-config config-wq dsa0/wq0.1 --group-id=0 --mode=dedicated --type=user \
        --name=pf-dwq --driver-name=user --wq-size=16 --priority=10 \
        --block-on-fault=1
    t_check "accel-config enables dsa0" accel-config enable-device dsa0
    t_check "accel-config enables the shared WQ wq0.0" accel-config enable-wq dsa0/wq0.0
    t_check "accel-config enables the dedicated WQ wq0.1" accel-config enable-wq dsa0/wq0.1
    t_eq "wq0.0 allows block on fault" "$(cat /sys/bus/dsa/devices/wq0.0/block_on_fault)" 1
    run_pf wq0.0 shared
    run_pf wq0.1 dedicated
    pri=$(ext_cap $DSA_PCI 19)
    if [ -n "$pri" ] && [ $(( $(cfg_word $DSA_PCI $((pri + 4))) & 1 )) = 1 ]; then
        t_ok "the guest enabled PRI on the DSA"
    else
        t_fail "the guest enabled PRI on the DSA" "PRI capability at '$pri'"
    fi
    # The device translates through ATS: a page that is not present is
    # no DMAR fault, only a page request or a completion status.
    t_no_dmesg "the IOMMU recorded no DMAR fault" 'DMAR: \[DMA (Read|Write)'
    dmesg | grep -i -e idxd -e dmar -e iommu | tail -n 20 | sed 's/^/QSVA-DIAG /'
fi
