# KVA mode (supervisor PASID sharing the kernel's page tables, idxd's
# init_mm binding of Linux 5.11-6.3) on a 6.1 kernel built by 'make
# kernel' with 6.1.y's "iommu: disable SVA when CONFIG_X86 is set"
# reverted (tests/guest/kernel/patches/6.1-kva).  A dedicated and a shared
# kernel WQ; our qsva_kva module moves kmalloc'd and vmalloc'd buffers
# through both by kernel virtual address.  Then dmatest (DMA-API
# addresses) on the same WQ: this design bypasses the DMA API, so the
# device's accesses fault, and the guest must see those faults reported
# against the kernel PASID.  The DSA runs with x-atc=off: with its
# device-TLB (the default) it translates through ATS, and a page the
# kernel's page tables do not map is a failed translation request that
# the IOMMU does not record (as on hardware), so dmatest would only see
# completion errors; without it every access is an untranslated request
# whose fault the IOMMU records with the PASID and the privilege.
# qsva-kernels: 6.1-kva
# qsva-modules: kva
# qsva-qemu: -device intel-iommu,intremap=on,x-scalable-mode=on,x-flts=on,x-pasid-mode=on,device-iotlb=on,svm=on
# qsva-qemu: -device intel-dsa,addr=05.0,x-atc=off
# qsva-timeout: 300

dev=/sys/bus/pci/devices/0000:00:05.0
t_dmesg "idxd probed the device" 'idxd 0000:00:05.0: Intel\(R\) Accelerator Device'
t_no_dmesg "idxd turned on SVA (no 'Unable to turn on user SVA')" 'Unable to turn on user SVA'
t_no_dmesg "idxd bound a kernel PASID (no 'No in-kernel DMA with PASID')" 'No in-kernel DMA with PASID|sva bind failed'
pcap=$(ext_cap $dev 27)
ctl=0
[ -z "$pcap" ] || ctl=$(cfg_word $dev $((pcap + 6)))
t_eq "the kernel enabled PASID with privileged mode on 00:05.0 (control bits 0, 2)" \
    "$(( ${ctl:-0} & 5 ))" 5

# 6.1's idxd refuses to name a kernel WQ while PASID is on, and a kernel
# WQ needs a name to be enabled: our second patch drops that check.  6.1
# has no WQ driver_name attribute (no --driver-name).
t_check "configure engine 0" accel-config config-engine dsa0/engine0.0 --group-id=0
t_check "configure a dedicated kernel WQ" \
    accel-config config-wq dsa0/wq0.0 --group-id=0 --mode=dedicated \
        --type=kernel --name=kva-dwq --wq-size=16 --priority=10
t_check "configure a shared kernel WQ" \
    accel-config config-wq dsa0/wq0.1 --group-id=0 --mode=shared \
        --type=kernel --name=kva-swq --wq-size=16 --priority=10 --threshold=15
t_check "enable dsa0" accel-config enable-device dsa0
t_check "enable wq0.0" accel-config enable-wq dsa0/wq0.0
t_check "enable wq0.1" accel-config enable-wq dsa0/wq0.1

t_check "insmod qsva_kva (KVA copies through both WQs)" insmod /qsva-modules/qsva_kva.ko
dmesg | grep 'qsva_kva' | sed 's/^/QSVA-DIAG /'
t_dmesg "qsva_kva used the dedicated and the shared WQ" 'qsva_kva: .*dedicated WQ, system PASID'
t_dmesg "qsva_kva: every KVA copy verified (10 of 10 on 2 WQs)" \
    'qsva_kva: summary 10 of 10 KVA copies verified on 2 WQs'
pasid=$(dmesg | sed -n 's/.*qsva_kva: .*system PASID \([0-9]*\).*/\1/p' | head -n1)
t_no_dmesg "no DMAR fault from the KVA copies" 'DMAR: \[DMA'

# dmatest on the dedicated WQ's channel: DMA-API addresses are not kernel
# virtual addresses, so the device's reads fault on the kernel PASID.
chan=$(for c in /sys/class/dma/dma*chan*; do
           [ "$(basename "$(readlink -f "$c/device")")" = 0000:00:05.0 ] && basename "$c"
       done | head -n1)
# dmatest is built into kernels made by 'make kernel'.
t_check "dmatest is built in" test -d /sys/module/dmatest/parameters
echo 4 > /sys/module/dmatest/parameters/iterations
echo 1 > /sys/module/dmatest/parameters/threads_per_chan
echo 2000 > /sys/module/dmatest/parameters/timeout
echo "$chan" > /sys/module/dmatest/parameters/channel
echo 1 > /sys/module/dmatest/parameters/run
cat /sys/module/dmatest/parameters/wait >/dev/null
dmesg | grep -E 'dmatest|DMAR' | tail -n 12 | sed 's/^/QSVA-DIAG /'
t_dmesg "dmatest on the KVA WQ does not pass (its addresses are not KVAs)" \
    "dmatest: $chan-copy0: summary 4 tests, [1-4] failures"
t_dmesg "the guest saw the device's faults reported against the kernel PASID" \
    "DMAR: \[DMA (Read|Write) PASID 0x$(printf %x "${pasid:-0}")\] Request device \[00:05.0\]"
