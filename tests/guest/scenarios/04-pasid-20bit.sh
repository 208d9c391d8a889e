# 20-bit PASIDs: with x-pasid-mode=on (pasid-bits defaults to 20) the
# guest kernel reads ECAP.PASID and a PASID size of 20 bits, and boots
# in scalable mode without DMAR faults.
# qsva-kernels: 6.12.57 7.3.4
# qsva-qemu: -device intel-iommu,intremap=on,x-scalable-mode=on,x-flts=on,x-pasid-mode=on
# qsva-timeout: 90

ecap=$(cat /sys/class/iommu/dmar0/intel-iommu/ecap)
if bit "$ecap" 40; then t_ok "ECAP.PASID offered"; else t_fail "ECAP.PASID offered" "ecap $ecap"; fi
t_eq "the PASID size is 20 bits (ECAP.PSS = 19)" "$(field "$ecap" 35 31)" 19
t_dmesg "the kernel enabled the IOMMU" 'DMAR: IOMMU enabled'
t_no_dmesg "no DMAR fault logged" 'DMAR: \[(DMA|INTR)|DMAR: DRHD: handling fault'
