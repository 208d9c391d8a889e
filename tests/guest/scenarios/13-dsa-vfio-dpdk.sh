# User-initiated DMA through VFIO: DPDK's idxd PCI driver (Debian's
# librte-dma-idxd) drives the emulated Intel DSA from a guest user process
# with the device bound to vfio-pci, and dpdk-test's dmadev autotest runs
# copies, fills, stop/start and error handling on its dedicated WQs.
#
# DPDK configures the device itself through BAR0 (groups, engines,
# dedicated WQs), submits descriptors with MOVDIR64B to the BAR2 portals
# that vfio-pci mmaps, and addresses memory by IOVA (its hugepages mapped
# through VFIO type1 into the device's DMA domain, second stage); the
# guest's idxd driver is never loaded.
#
# Evidence, from the guest: vfio-pci's binding and IOMMU group in sysfs;
# DPDK's own log (the idxd PMD probed 0000:00:05.0, one dmadev per WQ);
# dpdk-test's verdict and exit status; the kernel log.  The error-handling
# tests deliberately copy from IOVA 0, which the DMA domain does not map:
# the vIOMMU must record those faults (a read of 0x0 by 00:05.0) and no
# other.
#
# The packages are named per userland suite (DPDK 22.11 in bookworm,
# 24.11 in trixie); a kernel of tests/guest/kernels.conf with either
# userland can be added to qsva-kernels.  DPDK's EAL loads every driver
# in its plugin directory and gives up at the first that does not load:
# the mlx5 drivers (which dpdk-test links) need libmlx5 from
# ibverbs-providers.  Besides the idxd driver, the autotest needs the PCI
# bus driver and the default (ring) mempool driver, which 24.11's
# dpdk-dev no longer pulls in.
# qsva-kernels: 6.12.117 7.3.4
# qsva-packages: ibverbs-providers
# qsva-packages: bookworm: dpdk-dev librte-dma-idxd23 librte-dma-skeleton23 librte-bus-pci23 librte-mempool-ring23
# qsva-packages: trixie: dpdk-dev librte-dma-idxd25 librte-dma-skeleton25 librte-bus-pci25 librte-mempool-ring25
# qsva-qemu: -device intel-iommu,intremap=on,x-scalable-mode=on
# qsva-qemu: -device intel-dsa,addr=05.0
# qsva-append: vfio_pci.disable_denylist=1
# qsva-timeout: 600

BDF=0000:00:05.0
NQ=2    # WQs DPDK sets up (its max_queues device argument): one dmadev each

if ! grep -qw movdir64b /proc/cpuinfo; then
    t_skip "DPDK idxd on the DSA through vfio-pci" "the vCPU has no MOVDIR64B"
elif ! command -v dpdk-test >/dev/null; then
    t_fail "dpdk-test is in the guest image" "qsva-packages gave no dpdk-test"
else
    drv0=$(basename "$(readlink $DSA_PCI/driver)" 2>/dev/null)
    if [ "$drv0" = idxd ] && [ ! -e /sys/module/idxd/initstate ]; then
        # A kernel built with idxd in it (make kernel) binds it at boot.
        echo $BDF > $DSA_PCI/driver/unbind
        t_eq "built-in idxd gives the DSA up" \
            "$(basename "$(readlink $DSA_PCI/driver)" 2>/dev/null)" ""
    else
        t_eq "no kernel driver owns the DSA before vfio-pci" "$drv0" ""
    fi
    # vfio-pci refuses the Sapphire Rapids DSA (8086:0b25) by default:
    # Linux put it on vfio-pci's denylist (drivers/vfio/pci/vfio_pci.c,
    # vfio_pci_dev_in_denylist()); disable_denylist=1 lifts that, as on
    # real hardware.  A vfio-pci module is loaded with insmod, which does
    # not read the command line, first without the option, then with it;
    # a built-in vfio-pci takes it from the command line (qsva-append).
    echo vfio-pci > $DSA_PCI/driver_override
    allowed="vfio-pci $BDF: device denylist disabled - allowing device 8086:0b25"
    if [ -d /sys/module/vfio_pci ]; then
        echo $BDF > /sys/bus/pci/drivers_probe
        t_dmesg "built-in vfio-pci allows the DSA (vfio_pci.disable_denylist=1)" "$allowed"
    else
        ko=$(find /lib/modules/"$(uname -r)" -name 'vfio-pci.ko*' | head -n1)
        modprobe vfio_pci_core
        insmod "$ko"
        echo $BDF > /sys/bus/pci/drivers_probe 2>/dev/null
        if [ -e $DSA_PCI/driver ]; then
            t_ok "vfio-pci binds the DSA: this kernel has no denylist entry for it"
        else
            t_dmesg "vfio-pci refuses 8086:0b25 (its denylist)" \
                "vfio-pci $BDF: 8086:0b25 exists in vfio-pci device denylist"
            rmmod vfio_pci
            insmod "$ko" disable_denylist=1
            echo $BDF > /sys/bus/pci/drivers_probe
            t_dmesg "vfio-pci with disable_denylist=1 allows the DSA" "$allowed"
        fi
    fi
    drv=$(basename "$(readlink $DSA_PCI/driver)")
    if [ "$drv" = vfio-pci ]; then
        t_ok "the DSA is bound to vfio-pci"
    else
        t_fail "the DSA is bound to vfio-pci" "driver: '$drv'" "$(dmesg | grep -iE 'vfio|05\.0')"
    fi
    # DPDK's EAL asks the VFIO container for the type 1 IOMMU backend.
    modprobe vfio_iommu_type1 2>/dev/null
    nlog=$(dmesg | wc -l)
    grp=$(basename "$(readlink $DSA_PCI/iommu_group)")
    t_check "its IOMMU group has a VFIO device node" test -c /dev/vfio/"$grp"
    t_eq "the IOMMU group holds only the DSA" "$(ls $DSA_PCI/iommu_group/devices)" $BDF

    mkdir -p /dev/hugepages /var
    ln -sfn /run /var/run
    mount -t hugetlbfs nodev /dev/hugepages
    echo 128 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
    t_eq "128 hugepages of 2 MiB" \
        "$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages)" 128

    DPDK_TEST=dmadev_autotest dpdk-test -l 0-1 -n 1 --iova-mode=va \
        -a $BDF,max_queues=$NQ --log-level=lib.eal:info \
        --log-level='*idxd*:info' --log-level='bus.pci:info'  \
        > /tmp/dpdk.log 2>&1 < /dev/null
    rc=$?
    sed 's/^/QSVA-LOG /' /tmp/dpdk.log | tr '\r' '\n'

    t_check "EAL uses VFIO with the type 1 IOMMU" \
        grep -q "EAL: Using IOMMU type 1 (Type 1)" /tmp/dpdk.log
    t_check "DPDK's idxd PMD probed the DSA" \
        grep -Eq "Probe PCI driver: dmadev_idxd_pci \(8086:0b25\) device: $BDF|Init $BDF on NUMA node" /tmp/dpdk.log
    n=$(grep -c "### Test dmadev instance [0-9]* \[$BDF-q" /tmp/dpdk.log)
    t_eq "dmadev instances tested: one per WQ ($NQ)" "$n" $NQ
    # The API suite runs on the skeleton driver (22.11) or on every
    # dmadev (24.11).
    t_check "the dmadev API test suite ran" grep -Eq \
        "### Test dmadev infrastructure using (skeleton driver|[0-9]+ \[$BDF-q0\])" /tmp/dpdk.log
    # Each idxd dmadev reports error handling and fill support, so the
    # autotest runs those tests on it instead of skipping them.
    ran() { # TEST-REGEX: how many of the DSA's dmadevs ran that test
        awk -v bdf="$BDF" -v re="Running $1 Tests" '
            /^### Test dmadev/ { dsa = index($0, "[" bdf "-q") > 0 }
            dsa && $0 ~ re { n++ } END { print n + 0 }' /tmp/dpdk.log
    }
    t_eq "error handling tests ran on each WQ" "$(ran 'error.handling')" $NQ
    t_eq "fill tests ran on each WQ" "$(ran fill)" $NQ
    t_check "dpdk-test reports Test OK" grep -q "^Test OK" /tmp/dpdk.log
    t_eq "dpdk-test exited 0" "$rc" 0

    faults=$(dmesg | grep -E 'DMAR: \[(DMA|INTR)|DMAR:.*[Ff]ault (reason|addr)')
    echo "$faults" | sed 's/^/QSVA-LOG /'
    other=$(echo "$faults" | grep -v '^$' |
            grep -vE "DMAR: \[DMA Read NO_PASID\] Request device \[(0000:)?00:05\.0\] fault addr 0x0 " || true)
    nf=$(echo "$faults" | grep -c 'fault addr 0x0 ')
    if [ -z "$other" ] && [ "$nf" -gt 0 ]; then
        t_ok "the vIOMMU recorded the tests' reads of IOVA 0 ($nf logged), no other DMAR fault"
    else
        t_fail "the vIOMMU recorded the tests' reads of IOVA 0, no other DMAR fault" \
            "$nf faults at IOVA 0; others:" "$other"
    fi
    err=$(dmesg | tail -n +$((nlog + 1)) | grep -E 'vfio.*(error|fail)')
    if [ -z "$err" ]; then t_ok "no vfio error once bound"; else t_fail "no vfio error once bound" "$err"; fi
fi
