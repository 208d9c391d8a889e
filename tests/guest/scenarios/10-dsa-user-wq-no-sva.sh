# 6.12.117 turns user SVA off on x86: its stable backport "iommu: disable
# SVA when CONFIG_X86 is set" makes iommu_sva_bind_device() return
# -EOPNOTSUPP when CONFIG_X86 is set (drivers/iommu/iommu-sva.c).  idxd
# still enables the user WQ (the IOMMU feature checks pass), but opening
# its character device fails in idxd_cdev_open() ("pasid allocation
# failed: -95"), so no user process gets a PASID.  The kernel WQ is
# unaffected: a dedicated kernel WQ with the kernel PASID runs dmatest
# with verification in the same boot.  All judged from the guest: open(2)'s
# error, accel-config's dsa_test exit status, dmesg, dmatest's summary.
# The IOMMU options are those of 08-dsa-kernel-pasid.sh.
# qsva-kernels: 6.12.117
# qsva-modules: dmatest
# qsva-qemu: -device intel-iommu,intremap=on,x-scalable-mode=on,x-flts=on,x-pasid-mode=on,device-iotlb=on,svm=on
# qsva-qemu: -device intel-dsa,addr=05.0
# qsva-append: iomem=relaxed
# qsva-timeout: 900

if ! grep -qw movdir64b /proc/cpuinfo; then
    t_skip "intel-dsa user WQ without SVA on 6.12.117" \
        "the vCPU has no MOVDIR64B, idxd does not load"
else
    modprobe idxd 2>/dev/null
    t_dmesg "idxd probed the device" 'idxd 0000:00:05.0: Intel\(R\) Accelerator Device \(v100\)'
    t_eq "idxd reports PASID enabled" "$(cat $DSA_SYS/dsa0/pasid_enabled)" 1

    t_check "accel-config configures engine 0" \
        accel-config config-engine dsa0/engine0.0 --group-id=0
    t_check "accel-config configures a dedicated kernel WQ" \
        accel-config config-wq dsa0/wq0.0 --group-id=0 --mode=dedicated \
            --type=kernel --name=dmaengine --driver-name=dmaengine \
            --wq-size=16 --priority=10
    t_check "accel-config configures a dedicated user WQ" \
        accel-config config-wq dsa0/wq0.1 --group-id=0 --mode=dedicated \
            --type=user --name=app1 --driver-name=user \
            --wq-size=16 --priority=10
    t_check "accel-config enables dsa0" accel-config enable-device dsa0
    t_check "accel-config enables the user WQ wq0.1" \
        accel-config enable-wq dsa0/wq0.1
    t_eq "wq0.1 is enabled" "$(cat $DSA_SYS/wq0.1/state)" enabled
    t_check "the user WQ has its character device" test -c /dev/dsa/wq0.1

    if out=$( (exec 3<>/dev/dsa/wq0.1) 2>&1); then
        t_fail "opening /dev/dsa/wq0.1 fails" "open succeeded"
    else
        t_ok "opening /dev/dsa/wq0.1 fails"
        case "$out" in
            *"not supported"*) t_ok "open(2) fails with EOPNOTSUPP" ;;
            *) t_fail "open(2) fails with EOPNOTSUPP" "$out" ;;
        esac
    fi
    t_dmesg "idxd: the PASID bind was refused (-EOPNOTSUPP)" \
        'idxd 0000:00:05.0: pasid allocation failed: -95'
    # dsa_test (MEMMOVE on a dedicated WQ) opens the WQ first.
    if out=$(/usr/libexec/accel-config/test/dsa_test -w 0 -l 4096 -o 3 2>&1); then
        t_fail "accel-config's dsa_test fails to open the user WQ" "$out"
    else
        case "$out" in
            *"open: Operation not supported"*)
                t_ok "accel-config's dsa_test fails to open the user WQ" ;;
            *) t_fail "accel-config's dsa_test fails to open the user WQ" "$out" ;;
        esac
    fi

    t_check "accel-config enables the kernel WQ wq0.0" \
        accel-config enable-wq dsa0/wq0.0
    t_eq "wq0.0 is enabled" "$(cat $DSA_SYS/wq0.0/state)" enabled
    t_eq "WQCFG of wq0.0: PASID enabled" "$(field "$(wqcfg_dword 0 2)" 28 1)" 1
    chan=$(ls /sys/class/dma/ | head -n1)
    t_check "the kernel WQ is a dmaengine channel" test -n "$chan"
    t_check "insmod dmatest" insmod /qsva-modules/dmatest.ko timeout=20000
    run_dmatest "$chan" 1000 1
    rmmod dmatest
    t_check "accel-config disables wq0.0" accel-config disable-wq dsa0/wq0.0
    t_check "accel-config disables wq0.1" accel-config disable-wq dsa0/wq0.1
    other=$(dmesg | grep -E 'idxd .*(err|fail|Unexpected|Invalid)' |
            grep -v 'pasid allocation failed: -95')
    if [ -z "$other" ]; then t_ok "no other idxd error"; else t_fail "no other idxd error" "$other"; fi
    t_no_dmesg "no DMAR fault logged" 'DMAR: \[(DMA|INTR)|DMAR: DRHD: handling fault|DMAR:.*[Ff]ault (reason|addr)'
fi
