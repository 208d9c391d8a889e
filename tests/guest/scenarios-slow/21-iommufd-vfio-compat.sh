# IOMMUFD mode: on a 6.12 kernel built with IOMMUFD_VFIO_CONTAINER (and
# without VFIO's own type1 container), iommufd serves /dev/vfio/vfio, so an
# unmodified VFIO user runs over IOMMUFD.  The emulated DSA is handed from
# idxd to vfio-pci, then tests/guest/programs/vfio-type1.c drives it through
# the legacy container API (group, type1 IOMMU, DMA map/unmap, device fd,
# config space).
#
# Evidence, from the guest: the kernel's own "IOMMUFD is providing
# /dev/vfio/vfio, not VFIO" when the container is opened, the character
# devices, the ioctls' results, and the config space read through VFIO
# compared with what sysfs reports.
# qsva-kernels: 6.12-iommufd
# qsva-programs: vfio-type1
# The vIOMMU is in scalable mode with second-stage tables (no x-flts): 6.12's
# intel-iommu gives iommufd's paging domains second-stage tables and
# refuses them on a first-stage-only VT-d ("No second level translation
# support on dmar0", VFIO_GROUP_GET_DEVICE_FD fails with EINVAL).
# qsva-qemu: -device intel-iommu,intremap=on,x-scalable-mode=on
# qsva-qemu: -device intel-dsa,addr=05.0
# qsva-append: vfio_pci.disable_denylist=1
# qsva-timeout: 300

bdf=0000:00:05.0
dev=/sys/bus/pci/devices/$bdf
t_check "/dev/iommu is a character device (iommufd)" test -c /dev/iommu
t_check "/dev/vfio/vfio is a character device" test -c /dev/vfio/vfio
t_check "the misc class has iommu and vfio" test -e /sys/class/misc/iommu -a -e /sys/class/misc/vfio
t_check "VFIO's type1 container is not built in" test ! -e /sys/module/vfio_iommu_type1

# idxd (built in) has the DSA: hand it to vfio-pci.  vfio-pci refuses the
# SPR DSA (8086:0b25) unless its denylist is off (vfio_pci_dev_in_denylist,
# hence disable_denylist=1 on the command line, which it confirms).
drv=$(basename "$(readlink -f $dev/driver)")
echo "QSVA-DIAG 00:05.0 was bound to $drv"
[ -e $dev/driver ] && echo $bdf > $dev/driver/unbind
echo vfio-pci > $dev/driver_override
echo $bdf > /sys/bus/pci/drivers/vfio-pci/bind
t_eq "00:05.0 is bound to vfio-pci" "$(basename "$(readlink -f $dev/driver)")" vfio-pci
dmesg | grep -iE 'vfio|iommufd|0000:00:05.0' | tail -n 8 | sed 's/^/QSVA-DIAG /'
t_dmesg "vfio-pci let the DSA through its denylist" \
    'vfio-pci 0000:00:05.0: device denylist disabled - allowing device 8086:0b25'
grp=$(basename "$(readlink $dev/iommu_group)")
t_check "its group has a VFIO group node /dev/vfio/$grp" test -c /dev/vfio/$grp
t_check "and a VFIO device cdev (/dev/vfio/devices/vfio*)" sh -c 'ls /dev/vfio/devices/vfio* >/dev/null'

out=$(/qsva-programs/vfio-type1 $bdf 2>&1)
rc=$?
echo "$out" | sed 's/^/QSVA-DIAG /'
[ $rc = 0 ] || dmesg | tail -n 6 | sed 's/^/QSVA-DIAG /'
t_eq "vfio-type1 ran every step" "$rc" 0
val() { echo "$out" | sed -n "s/^$1 //p"; }
t_eq "VFIO_GET_API_VERSION is VFIO_API_VERSION (0)" "$(val api_version)" 0
t_eq "the container offers the type1v2 IOMMU" "$(val type1v2)" 1
t_eq "the group is viable" "$(val group_viable)" 1
t_eq "VFIO_SET_IOMMU(type1v2) on the container" "$(val set_iommu)" ok
t_check "the IOMMU reports 4 KiB pages" sh -c "[ \$(( $(val iova_pgsizes) & 0x1000 )) != 0 ]"
t_eq "VFIO_IOMMU_MAP_DMA of 2 MiB at IOVA 0x10000000" "$(val map_dma)" "0x10000000+0x200000"
t_eq "mapping the same IOVA range again is refused (EEXIST)" "$(val map_dma_again)" "File exists"
t_eq "VFIO_IOMMU_UNMAP_DMA unmapped 2 MiB" "$(val unmap_dma)" 0x200000
t_eq "the device fd is a PCI device" "$(val device_pci | cut -d' ' -f1)" 1
t_eq "config space through VFIO matches sysfs (vendor, device)" \
    "$(val config_id)" "$(cat $dev/vendor) $(cat $dev/device)"
t_dmesg "the kernel says iommufd provides /dev/vfio/vfio" \
    'IOMMUFD is providing /dev/vfio/vfio, not VFIO'
t_no_dmesg "no DMAR fault" 'DMAR: \[(DMA|INTR)'
