# Device trust on stock kernels: the DMAR SATC, a root-complex integrated
# endpoint with ATS, and a device behind an external-facing root port.
# 00:05.0 is an integrated sva-testdev (ATS, PASID, PRI); ext0 (00:07.0)
# is an external-facing root port, int0 (00:08.0) an ordinary one, each
# with an sva-testdev below it.  The DMAR also carries the platform
# opt-in flag: Debian kernels turn the IOMMU on by default
# (INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF), so its forcing effect cannot show;
# the test checks that the guest kernel received it.
# qsva-kernels: 6.12.117 7.3.4
# qsva-qemu: -device intel-iommu,intremap=on,x-scalable-mode=on,x-flts=on,device-iotlb=on,satc=on,platform-opt-in=on
# qsva-qemu: -device sva-testdev,addr=05.0
# qsva-qemu: -device pcie-root-port,id=ext0,addr=07.0,chassis=1,external-facing=on -device sva-testdev,bus=ext0
# qsva-qemu: -device pcie-root-port,id=int0,addr=08.0,chassis=2 -device sva-testdev,bus=int0
# qsva-timeout: 90

t_no_dmesg "the kernel found the SATC (no 'No SATC found')" 'No SATC found'
t_dmesg "the kernel parsed the DMAR" 'DMAR: dmar0: reg_base_addr'

# The DMAR as the kernel received it: flags at byte 37, and a SATC
# (type 5) with ATC_REQUIRED whose one device scope is 00:05.0.
dmar=/sys/firmware/acpi/tables/DMAR
t_eq "the guest's DMAR has DMA_CTRL_PLATFORM_OPT_IN (flags bit 2)" \
    "$(( $(file_u8 $dmar 37) >> 2 & 1 ))" 1
satc=$(dmar_struct 5)
if [ -n "$satc" ]; then
    t_eq "the guest's SATC has ATC_REQUIRED" "$(( $(file_u8 $dmar $((satc + 4))) & 1 ))" 1
    t_eq "the guest's SATC lists exactly 00:05.0" \
        "$(file_u16 $dmar $((satc + 2))) $(file_u8 $dmar $((satc + 13))):$(file_u8 $dmar $((satc + 14))).$(file_u8 $dmar $((satc + 15)))" \
        "16 0:5.0"
else
    t_fail "the guest's DMAR has a SATC"
fi

rc=/sys/bus/pci/devices/0000:00:05.0
t_eq "00:05.0 is a root-complex integrated endpoint (PCIe type 9)" "$(pcie_type $rc)" 9
t_eq "its extended configuration space is reachable (4096 bytes)" "$(wc -c < $rc/config)" 4096
caps=$(ext_caps $rc | tr '\n' ' ')
for c in "15 ATS" "27 PASID" "19 PRI"; do
    set -- $c
    case " $caps" in
        *" $1 "*) t_ok "the guest sees its $2 capability" ;;
        *) t_fail "the guest sees its $2 capability" "extended capabilities: $caps" ;;
    esac
done

ext=$(pci_below 0000:00:07.0)
int=$(pci_below 0000:00:08.0)
if [ -z "$ext" ] || [ -z "$int" ]; then
    t_fail "devices below both root ports found" "ext '$ext' int '$int'"
else
    t_eq "the device below the external-facing port is removable" "$(cat $ext/removable)" removable
    t_eq "its IOMMU domain is strict DMA (untrusted)" "$(cat $ext/iommu_group/type)" DMA
    t_eq "the device below the ordinary port follows the default (lazy)" "$(cat $int/iommu_group/type)" DMA-FQ
    t_eq "the integrated device follows the default (lazy)" "$(cat $rc/iommu_group/type)" DMA-FQ
fi
t_no_dmesg "no DMAR fault logged" 'DMAR: \[(DMA|INTR)|DMAR: DRHD: handling fault'
