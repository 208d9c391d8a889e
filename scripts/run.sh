#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh [--shell]: boot a guest kernel on the fork and print what it found
# (make run / make shell).  Environment: KERNEL=bzImage (default: the stock
# 7.3.4 Debian kernel), INITRD=cpio (default: the harness image for that
# kernel), APPEND=extra kernel command line, QEMU_ARGS=extra QEMU options.
. "$(dirname "$0")/lib.sh"

G=$TOP/tests/guest
QEMU=${QEMU:-$BUILD/qemu-system-x86_64}
DEFAULT_KERNEL=7.3.4
shell=0
[ "${1:-}" = --shell ] && shell=1

if [ -n "${KERNEL:-}" ]; then
    [ -f "$KERNEL" ] || die "KERNEL=$KERNEL: no such file"
    [ -r "$KERNEL" ] || die "KERNEL=$KERNEL: not readable"
    kernel=$KERNEL
else
    kernel=
fi
if [ -n "${INITRD:-}" ]; then
    [ -f "$INITRD" ] || die "INITRD=$INITRD: no such file"
fi
[ -x "$QEMU" ] || die "no QEMU binary at $QEMU: run 'make' first"

# The harness image provides /init, busybox and the tools; with a kernel of
# your own its modules will not match (build them in, or give INITRD=).
# With INITRD= the guest is yours: its console is attached as it is.
if [ -z "$kernel" ] || [ -z "${INITRD:-}" ]; then
    "$G/mkinitramfs.sh" "$DEFAULT_KERNEL"
fi
gdir=$BUILD/guest/$DEFAULT_KERNEL
[ -n "$kernel" ] || kernel=$gdir/vmlinuz
if [ -n "${INITRD:-}" ]; then
    initrd=$INITRD
    shell=1
else
    initrd=$BUILD/guest/run-initrd.cpio
    # dmatest for the kernel WQ (only with the default kernel's modules).
    kos=()
    if [ -z "${KERNEL:-}" ]; then
        ko=$("$G/build-module.sh" "$DEFAULT_KERNEL" dmatest) ||
            msg "dmatest could not be built: the demo skips the kernel WQ copy"
        kos=(${ko:-})
    fi
    # dsa-pf: user faults on fresh memory (page requests, partial completions)
    pf=$("$G/build-program.sh" dsa-pf) ||
        msg "dsa-pf could not be built: the demo skips the page-fault run"
    kos+=(${pf:-})
    guest_initrd "$gdir/initramfs.cpio" "$G/demo.sh" "$initrd" "${kos[@]}"
fi

append="$GUEST_APPEND_BASE iomem=relaxed"
# Boot-time kprobes on the kernel's PASID-entry setup, recording the PASID.
append+=' kprobe_event=p:qsva_fl,intel_pasid_setup_first_level,pasid=$arg4:u32;p:qsva_sl,intel_pasid_setup_second_level,pasid=$arg4:u32;p:qsva_pt,intel_pasid_setup_pass_through,pasid=$arg3:u32'
[ $shell = 1 ] && append+=" qsva.shell=1"
append+=" ${APPEND:-}"
# shellcheck disable=SC2206
cmd=("$QEMU" "${GUEST_MACHINE[@]}"
     -device intel-iommu,intremap=on,x-scalable-mode=on,x-flts=on,x-pasid-mode=on,device-iotlb=on,svm=on
     -device intel-dsa,addr=05.0
     ${QEMU_ARGS:-}
     -kernel "$kernel" -initrd "$initrd" -append "$append")
msg "booting $(basename "$kernel"): ${cmd[*]}"
if [ $shell = 1 ]; then
    exec "${cmd[@]}"
fi
log=$BUILD/guest/logs/run.log
mkdir -p "$(dirname "$log")"
set +e
timeout -k 5 300 "${cmd[@]}" < /dev/null > "$log" 2>&1
rc=$?
set -e
tr -d '\r' < "$log" | sed -n '/^QSVA-SUMMARY-BEGIN/,/^QSVA-SUMMARY-END/p' | sed '1d;$d' > "$log.summary"
if [ ! -s "$log.summary" ]; then
    tail -n 30 "$log" >&2
    die "the guest printed no summary (QEMU status $rc; full log: $log)"
fi
echo "qemu-sva: what the guest found"
sed 's/^/  /' "$log.summary"
[ $rc = 0 ] || die "QEMU exited with status $rc (log: $log)"
