# Scalable-mode VT-d with first-stage translation on stock kernels.
#
# Evidence, all from the guest: the kernel log; the capabilities the kernel
# read (sysfs); the root-table type the kernel programmed into RTADDR (read
# back through /dev/mem, which iomem=relaxed opens to the DMAR registers);
# and boot-time kprobes on the kernel's PASID-entry setup functions, which
# count which translation type the kernel gave each DMA domain.
# qsva-qemu: -device intel-iommu,intremap=on,x-scalable-mode=on,x-flts=on
# qsva-append: iomem=relaxed kprobe_event=p:qsva_fl,intel_pasid_setup_first_level;p:qsva_sl,intel_pasid_setup_second_level;p:qsva_pt,intel_pasid_setup_pass_through
# qsva-timeout: 90

t_dmesg "the kernel enabled the IOMMU" 'DMAR: IOMMU enabled'
t_dmesg "the kernel found the DMAR unit" 'DMAR: dmar0: reg_base_addr'
t_dmesg "the kernel enabled queued invalidation" 'DMAR: dmar0: Using Queued invalidation'

sys=/sys/class/iommu/dmar0/intel-iommu
ecap=$(cat $sys/ecap)
if bit "$ecap" 43; then t_ok "ECAP.SMTS (scalable mode) offered"; else t_fail "ECAP.SMTS (scalable mode) offered" "ecap $ecap"; fi
if bit "$ecap" 47; then t_ok "ECAP.FLTS (first stage) offered"; else t_fail "ECAP.FLTS (first stage) offered" "ecap $ecap"; fi

addr=$(cat $sys/address 2>/dev/null)
if [ -n "$addr" ]; then
    base=$(( 0x$addr ))
    rtaddr=$(devmem $(( base + 0x20 )) 64)
    gsts=$(devmem $(( base + 0x1c )) 32)
fi
t_eq "the kernel programmed a scalable-mode root table (RTADDR.TTM = 01)" \
    "$(field "$rtaddr" 10 3)" 1
t_eq "translation is enabled (GSTS.TES)" "$(field "$gsts" 31 1)" 1

fl=$(kprobe_hits qsva_fl) sl=$(kprobe_hits qsva_sl)
if [ -n "$fl" ] && [ "$fl" != 0 ]; then
    t_ok "DMA domains use first-stage PASID entries ($fl set up)"
else
    t_fail "DMA domains use first-stage PASID entries" "$(cat /sys/kernel/tracing/kprobe_profile)"
fi
t_eq "no second-stage PASID entries set up" "$sl" 0

types=$(cat /sys/kernel/iommu_groups/*/type | sort -u | tr '\n' ' ')
case "$types" in
    "DMA "|"DMA-FQ "|"DMA DMA-FQ ") t_ok "every IOMMU group has a translated DMA domain ($types)" ;;
    *) t_fail "every IOMMU group has a translated DMA domain" "types: $types" ;;
esac

t_no_dmesg "no DMAR fault logged" 'DMAR: \[(DMA|INTR)|DMAR: DRHD: handling fault|DMAR:.*[Ff]ault (reason|addr)|DMAR:.*PTE .* access is not set'

# The image is ready for later scenarios: accel-config, its tests and idxd.
for b in /usr/bin/accel-config /usr/libexec/accel-config/test/dsa_test; do
    # ld.so --list exits 0 even when a library is missing: read its output.
    out=$(/lib64/ld-linux-x86-64.so.2 --list $b 2>&1)
    case "$out" in
        *"not found"*|"") t_fail "$b finds all its libraries" "$out" ;;
        *) t_ok "$b finds all its libraries" ;;
    esac
done
t_check "the idxd module is packed and indexed" modinfo idxd
