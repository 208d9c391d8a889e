# The mode matrix's untrusted device: the emulated DSA behind an
# external-facing root port.  The guest must treat it as untrusted (strict
# DMA domain, no ATS) and its dedicated kernel WQ must still pass dmatest.
# qsva-kernels: 6.12.117
# qsva-modules: dmatest
# qsva-qemu: -device intel-iommu,intremap=on,x-scalable-mode=on,x-flts=on,x-pasid-mode=on,device-iotlb=on,svm=on
# qsva-qemu: -device pcie-root-port,id=ext0,addr=07.0,chassis=1,external-facing=on
# qsva-qemu: -device intel-dsa,bus=ext0
# qsva-timeout: 300

dsa=$(pci_below 0000:00:07.0)
if [ -z "$dsa" ]; then
    t_fail "the DSA is below the external-facing port 00:07.0"
else
    t_ok "the DSA is below the external-facing port 00:07.0 (${dsa##*/})"
    t_eq "the guest marks it removable (external-facing port)" "$(cat $dsa/removable)" removable
    t_eq "its IOMMU domain is strict DMA (untrusted)" "$(cat $dsa/iommu_group/type)" DMA
    ats=$(ext_cap $dsa 15)
    atsctl=0
    [ -z "$ats" ] || atsctl=$(cfg_word $dsa $((ats + 6)))
    t_eq "the kernel left ATS off for the untrusted device" "$(( (${atsctl:-0} >> 15) & 1 ))" 0

    modprobe idxd 2>/dev/null
    t_dmesg "idxd probed the device" "idxd ${dsa##*/}: Intel\(R\) Accelerator Device"
    t_check "accel-config configures engine 0" \
        accel-config config-engine dsa0/engine0.0 --group-id=0
    t_check "accel-config configures a dedicated kernel WQ" \
        accel-config config-wq dsa0/wq0.0 --group-id=0 --mode=dedicated \
            --type=kernel --name=dmaengine --driver-name=dmaengine \
            --wq-size=16 --priority=10
    t_check "accel-config enables dsa0" accel-config enable-device dsa0
    t_check "accel-config enables wq0.0" accel-config enable-wq dsa0/wq0.0
    chan=$(ls /sys/class/dma/ | head -1)
    t_check "the WQ is a dmaengine channel" test -n "$chan"
    t_check "insmod dmatest" insmod /qsva-modules/dmatest.ko timeout=5000
    run_dmatest "$chan" 200 1
    rmmod dmatest
    t_check "accel-config disables wq0.0" accel-config disable-wq dsa0/wq0.0
fi
t_no_dmesg "no idxd error" 'idxd .*(err|fail|Unexpected)'
t_no_dmesg "no DMAR fault logged" 'DMAR: \[(DMA|INTR)|DMAR: DRHD: handling fault'
