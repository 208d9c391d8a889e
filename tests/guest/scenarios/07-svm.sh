# Shared virtual addressing on stock kernels: intel-iommu with svm=on
# (PRS, PDS, NWFS, SMPWC) together with device-iotlb=on and 20-bit
# PASIDs, which upstream QEMU refuses at start-up, and an integrated
# sva-testdev (ATS, PASID, PRI) listed in a SATC.  What the guest kernel
# reports: the capabilities it read, that it kept SVM (-cpu max has 1 GiB
# pages and 5-level paging, so this needs FS1GP and FS5LP), that it set
# up the page request queue (PQA, read back through /dev/mem), and that
# it enabled PASID and ATS on the device.
# qsva-kernels: 6.12.57 6.12.117 7.3.4
# qsva-qemu: -device intel-iommu,intremap=on,x-scalable-mode=on,x-flts=on,x-pasid-mode=on,device-iotlb=on,svm=on,satc=on
# qsva-qemu: -device sva-testdev,addr=05.0
# qsva-append: iomem=relaxed
# qsva-timeout: 90

sys=/sys/class/iommu/dmar0/intel-iommu
ecap=$(cat $sys/ecap)
cap=$(cat $sys/cap)
for b in "29 PRS" "42 PDS" "33 NWFS" "48 SMPWC" "31 SRS" "40 PASID" "2 DT"; do
    set -- $b
    if bit "$ecap" "$1"; then t_ok "ECAP.$2 offered"; else t_fail "ECAP.$2 offered" "ecap $ecap"; fi
done
for b in "56 FS1GP" "60 FS5LP"; do
    set -- $b
    if bit "$cap" "$1"; then t_ok "CAP.$2 offered"; else t_fail "CAP.$2 offered" "cap $cap"; fi
done
t_no_dmesg "the kernel kept SVM (no 'SVM disabled')" 'SVM disabled'
t_eq "the PASID size is 20 bits (ECAP.PSS = 19)" "$(field "$ecap" 35 31)" 19

addr=$(cat $sys/address 2>/dev/null)
if [ -n "$addr" ]; then
    pqa=$(devmem $(( 0x$addr + 0xd0 )) 64)
fi
if [ -n "$pqa" ] && [ $(( pqa & ~0xfff )) -ne 0 ]; then
    t_ok "the kernel set up the page request queue (PQA $pqa)"
else
    t_fail "the kernel set up the page request queue" "PQA '$pqa'"
fi

dev=/sys/bus/pci/devices/0000:00:05.0
pasid=$(ext_cap $dev 27)
ats=$(ext_cap $dev 15)
if [ -n "$pasid" ]; then
    t_eq "the kernel enabled PASID on 00:05.0" \
        "$(( $(cfg_word $dev $((pasid + 6))) & 1 ))" 1
else
    t_fail "00:05.0 has a PASID capability"
fi
if [ -n "$ats" ]; then
    t_eq "the kernel enabled ATS on 00:05.0" \
        "$(( $(cfg_word $dev $((ats + 6))) >> 15 & 1 ))" 1
else
    t_fail "00:05.0 has an ATS capability"
fi
t_no_dmesg "no DMAR fault logged" 'DMAR: \[(DMA|INTR)|DMAR: DRHD: handling fault'
