# The emulated Intel DSA with iommu.passthrough=1 on 6.12.117: the DMA
# domain of the device is the identity domain, so kernel WQs address
# physical memory, their untagged requests translated by the pass-through
# entry the kernel gives the RID (PASID 0 of its scalable-mode PASID table).
#
# 6.12.117 cannot attach the identity domain to a further PASID:
# iommu_attach_device_pasid() compares the domain's owner with the IOMMU's
# ops, and the static identity domain has no owner (drivers/iommu/iommu.c;
# later kernels accept static domains there).  So idxd logs "failed to
# attach device pasid" and runs without the kernel PASID: no shared kernel
# WQ, a dedicated kernel WQ without PASID.  This scenario asserts exactly
# that, from the guest: the kernel's own messages, a boot-time kprobe on
# the kernel's pass-through PASID-entry setup, the WQ table idxd
# programmed (read through /dev/mem, iomem=relaxed), and dmatest's summary.
# The IOMMU options are those of 08-dsa-kernel-pasid.sh.
# qsva-kernels: 6.12.117
# qsva-modules: dmatest
# qsva-qemu: -device intel-iommu,intremap=on,x-scalable-mode=on,x-flts=on,x-pasid-mode=on,device-iotlb=on,svm=on
# qsva-qemu: -device intel-dsa,addr=05.0
# qsva-append: iommu.passthrough=1 iomem=relaxed kprobe_event=p:qsva_pt,intel_pasid_setup_pass_through,dev=+0(+0(%si)):string,pasid=%dx
# qsva-timeout: 900

if ! grep -qw movdir64b /proc/cpuinfo; then
    t_skip "intel-dsa kernel WQ with iommu.passthrough=1" \
        "the vCPU has no MOVDIR64B, idxd does not load"
else
    modprobe idxd 2>/dev/null
    t_dmesg "idxd probed the device" 'idxd 0000:00:05.0: Intel\(R\) Accelerator Device \(v100\)'
    t_eq "the DSA's IOMMU group has the identity domain" \
        "$(cat $DSA_PCI/iommu_group/type)" identity
    if grep -q 'qsva_pt:.*dev="0000:00:05.0" pasid=0x0$' /sys/kernel/tracing/trace; then
        t_ok "the kernel gave the DSA's RID a pass-through PASID entry"
    else
        t_fail "the kernel gave the DSA's RID a pass-through PASID entry" \
            "$(grep qsva_pt /sys/kernel/tracing/trace)"
    fi
    t_dmesg "6.12.117 cannot attach the identity domain to idxd's PASID" \
        'idxd 0000:00:05.0: failed to attach device pasid [0-9]+, domain type 4'
    t_dmesg "idxd runs without the kernel PASID" \
        'idxd 0000:00:05.0: No in-kernel DMA with PASID\. -22'

    t_check "accel-config configures engine 0" \
        accel-config config-engine dsa0/engine0.0 --group-id=0
    t_check "accel-config configures a dedicated kernel WQ" \
        accel-config config-wq dsa0/wq0.0 --group-id=0 --mode=dedicated \
            --type=kernel --name=dmaengine --driver-name=dmaengine \
            --wq-size=16 --priority=10
    t_check "accel-config enables dsa0" accel-config enable-device dsa0
    t_check "accel-config enables wq0.0" accel-config enable-wq dsa0/wq0.0
    t_eq "wq0.0 is enabled" "$(cat $DSA_SYS/wq0.0/state)" enabled
    d2=$(wqcfg_dword 0 2)
    t_eq "WQCFG of wq0.0: dedicated mode" "$(field "$d2" 0 1)" 1
    t_eq "WQCFG of wq0.0: no PASID (untagged requests)" "$(field "$d2" 28 1)" 0
    chan=$(ls /sys/class/dma/ | head -n1)
    t_check "the WQ is a dmaengine channel" test -n "$chan"

    t_check "insmod dmatest" insmod /qsva-modules/dmatest.ko timeout=20000
    run_dmatest "$chan" 1000 2
    rmmod dmatest
    t_check "accel-config disables wq0.0" accel-config disable-wq dsa0/wq0.0
    # Not "disable-device": see 06-intel-dsa.sh (6.12.117's idxd crashes).
    other=$(dmesg | grep -E 'idxd .*(err|fail|Unexpected|Invalid)' |
            grep -v 'failed to attach device pasid')
    if [ -z "$other" ]; then t_ok "no other idxd error"; else t_fail "no other idxd error" "$other"; fi
    t_no_dmesg "no DMAR fault logged" 'DMAR: \[(DMA|INTR)|DMAR: DRHD: handling fault|DMAR:.*[Ff]ault (reason|addr)'
fi
