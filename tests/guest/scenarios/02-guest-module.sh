# An out-of-tree module built by the harness against the kernel's Debian
# headers (the stock dmatest.c, which no Debian kernel builds) loads into
# the stock kernel.  Kernels whose compiler this host lacks (7.x: gcc-14 on
# Debian 12) get it built in a Debian chroot; without root they are skipped.
# qsva-kernels: 6.12.117 7.3.4
# qsva-modules: dmatest
# qsva-qemu: -device intel-iommu,intremap=on,x-scalable-mode=on,x-flts=on
# qsva-timeout: 90

ko=/qsva-modules/dmatest.ko
t_eq "the module's vermagic names the running kernel" \
    "$(modinfo -F vermagic $ko | cut -d' ' -f1)" "$(uname -r)"
t_check "insmod dmatest.ko" insmod $ko
t_check "the kernel lists dmatest" test -d /sys/module/dmatest/parameters
# (Being unsigned, it taints the kernel; that is expected and not checked.)
t_no_dmesg "the kernel found its symbols and version magic right" 'dmatest: (disagrees|Unknown symbol|.*version magic)'
t_check "rmmod dmatest" rmmod dmatest
