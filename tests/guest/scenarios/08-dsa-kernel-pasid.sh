# The emulated Intel DSA with the kernel PASID: when the IOMMU offers PASID,
# PRI and ATS, the stock idxd driver attaches its DMA domain to a global
# PASID (idxd_enable_system_pasid), so that kernel WQs work in shared mode
# (ENQCMDS, the PASID in each descriptor) and dedicated kernel WQs carry
# that PASID in WQCFG (6.12.117 and 7.3.4).  accel-config configures a
# shared and a dedicated kernel WQ for dmaengine and the stock dmatest
# verifies copies on each.
#
# Evidence, from the guest: a boot-time kprobe on the kernel's first-stage
# PASID-entry setup records which PASID the kernel set up for which device;
# the WQ table idxd programmed, read back through /dev/mem (iomem=relaxed);
# dmatest's own summary.
#
# The IOMMU options are the smallest set 6.12's idxd needs for the kernel
# PASID: idxd_enable_system_pasid() runs only after IOMMU_DEV_FEAT_IOPF and
# IOMMU_DEV_FEAT_SVA are enabled, which need ECAP.PASID (x-pasid-mode),
# ATS (device-iotlb) and ECAP.PRS/PDS/SMPWC (svm), on scalable mode with
# first-stage tables (x-flts) whose 1 GiB and 5-level support matches the
# vCPU's (fs1gp, fs5lp: on by default).
# qsva-kernels: 6.12.117 7.3.4
# qsva-modules: dmatest
# qsva-qemu: -device intel-iommu,intremap=on,x-scalable-mode=on,x-flts=on,x-pasid-mode=on,device-iotlb=on,svm=on
# qsva-qemu: -device intel-dsa,addr=05.0
# qsva-append: iomem=relaxed kprobe_event=p:qsva_fl,intel_pasid_setup_first_level,dev=+0(+0(%si)):string,pasid=%cx
# qsva-timeout: 900

if ! grep -qw movdir64b /proc/cpuinfo || ! grep -qw enqcmd /proc/cpuinfo; then
    t_skip "intel-dsa kernel WQs with the kernel PASID" \
        "the vCPU has no MOVDIR64B or ENQCMD"
else
    modprobe idxd 2>/dev/null
    t_dmesg "idxd probed the device" 'idxd 0000:00:05.0: Intel\(R\) Accelerator Device \(v100\)'
    t_no_dmesg "idxd kept SVA and the kernel PASID on" \
        'idxd .*(Unable to turn on user SVA|No in-kernel DMA with PASID)'
    t_eq "idxd reports PASID enabled" "$(cat $DSA_SYS/dsa0/pasid_enabled)" 1

    # The kernel PASID: the first first-stage PASID entry for 0000:00:05.0
    # with a PASID other than 0 (IOMMU_NO_PASID, the RID's own entry).
    kpasid=$(sed -n 's/.*qsva_fl:.*dev="0000:00:05.0" pasid=\(0x[0-9a-f]*\).*/\1/p' \
                 /sys/kernel/tracing/trace | grep -vx 0x0 | head -n1)
    if [ -n "$kpasid" ]; then
        t_ok "the kernel attached the DSA's DMA domain to PASID $kpasid (first stage)"
    else
        t_fail "the kernel attached the DSA's DMA domain to a PASID" \
            "$(grep qsva_fl /sys/kernel/tracing/trace)"
    fi

    t_check "accel-config configures engine 0" \
        accel-config config-engine dsa0/engine0.0 --group-id=0
    t_check "accel-config configures a shared kernel WQ" \
        accel-config config-wq dsa0/wq0.0 --group-id=0 --mode=shared \
            --type=kernel --name=dmaengine-swq --driver-name=dmaengine \
            --wq-size=16 --threshold=15 --priority=10
    t_check "accel-config configures a dedicated kernel WQ" \
        accel-config config-wq dsa0/wq0.1 --group-id=0 --mode=dedicated \
            --type=kernel --name=dmaengine-dwq --driver-name=dmaengine \
            --wq-size=16 --priority=10
    t_check "accel-config enables dsa0" accel-config enable-device dsa0

    # The shared WQ first, alone, so the only dmaengine channel is its own.
    t_check "accel-config enables the shared WQ wq0.0" \
        accel-config enable-wq dsa0/wq0.0
    t_eq "wq0.0 is enabled" "$(cat $DSA_SYS/wq0.0/state)" enabled
    t_eq "wq0.0 is shared" "$(cat $DSA_SYS/wq0.0/mode)" shared
    t_no_dmesg "idxd did not refuse the shared WQ" 'idxd .*(No shared wq support|PASID not enabled)'
    d2=$(wqcfg_dword 0 2)
    t_eq "WQCFG of wq0.0: shared mode" "$(field "$d2" 0 1)" 0
    t_eq "WQCFG of wq0.0: PASID enabled" "$(field "$d2" 28 1)" 1
    schan=$(ls /sys/class/dma/ | head -n1)
    t_eq "one dmaengine channel: the shared WQ's" "$(ls /sys/class/dma/ | wc -l)" 1

    t_check "insmod dmatest" insmod /qsva-modules/dmatest.ko timeout=20000
    # Two threads: two submitters racing on ENQCMDS into the one shared WQ.
    run_dmatest "$schan" 1000 2

    t_check "accel-config enables the dedicated WQ wq0.1" \
        accel-config enable-wq dsa0/wq0.1
    t_eq "wq0.1 is enabled" "$(cat $DSA_SYS/wq0.1/state)" enabled
    d2=$(wqcfg_dword 1 2)
    t_eq "WQCFG of wq0.1: dedicated mode" "$(field "$d2" 0 1)" 1
    t_eq "WQCFG of wq0.1: PASID enabled" "$(field "$d2" 28 1)" 1
    t_eq "WQCFG of wq0.1: the kernel PASID" \
        "$(field "$d2" 8 0xfffff)" "$(( ${kpasid:-0} ))"
    dchan=$(ls /sys/class/dma/ | grep -vx "$schan" | head -n1)
    t_check "the dedicated WQ is a second dmaengine channel" test -n "$dchan"
    run_dmatest "$dchan" 1000 1
    rmmod dmatest

    t_check "accel-config disables wq0.1" accel-config disable-wq dsa0/wq0.1
    t_check "accel-config disables wq0.0" accel-config disable-wq dsa0/wq0.0
    # Not "disable-device": see 06-intel-dsa.sh (6.12.117's idxd crashes).
    t_no_dmesg "no idxd error" 'idxd .*(err|fail|Unexpected|Invalid)'
    t_no_dmesg "no DMAR fault logged" 'DMAR: \[(DMA|INTR)|DMAR: DRHD: handling fault|DMAR:.*[Ff]ault (reason|addr)'
fi
