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
echo "DMAR tables:   $(dmesg | grep -oE 'No (RMRR|ATSR|SATC) found' | tr '\n' ' ')"
echo "DMAR faults:   $(dmesg | grep -cE 'DMAR: \[(DMA|INTR)|DMAR: DRHD: handling fault')"
echo "PCI devices:   $(ls /sys/bus/pci/devices | tr '\n' ' ')"
echo "boot time:     $(cut -d' ' -f1 /proc/uptime) s to this report"
echo "QSVA-SUMMARY-END"
