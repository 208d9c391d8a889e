# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for guest scenarios (sourced by /init before /scenario.sh).
# Each check prints one "QSVA-TAP" line that tests/guest/run.sh turns into
# TAP; "QSVA-DIAG" lines explain a failure.  Scenarios judge what the guest
# kernel and tools report (dmesg, sysfs, /proc), nothing else.

t_ok() { echo "QSVA-TAP ok - $*"; }
t_fail() {
    echo "QSVA-TAP not ok - $1"
    shift
    [ $# -eq 0 ] || printf '%s\n' "$@" | sed 's/^/QSVA-DIAG /'
}
t_skip() { echo "QSVA-TAP ok - $1 # SKIP $2"; }

# t_check DESC CMD...: pass when CMD exits 0; its output becomes diagnostics.
t_check() {
    _d=$1; shift
    if _o=$("$@" 2>&1); then t_ok "$_d"; else t_fail "$_d" "command: $*" "$_o"; fi
}

# t_dmesg DESC REGEX: pass when the kernel log has a line matching REGEX.
t_dmesg() {
    if dmesg | grep -Eq -- "$2"; then t_ok "$1"; else t_fail "$1" "no dmesg line matches /$2/"; fi
}

# t_no_dmesg DESC REGEX: pass when no kernel log line matches REGEX.
t_no_dmesg() {
    _o=$(dmesg | grep -E -- "$2")
    if [ -z "$_o" ]; then t_ok "$1"; else t_fail "$1" "$_o"; fi
}

# t_eq DESC GOT WANT
t_eq() {
    if [ "$2" = "$3" ]; then t_ok "$1"; else t_fail "$1" "got '$2', want '$3'"; fi
}

# kprobe_hits EVENT: how often the boot-time kprobe EVENT (kprobe_event=
# on the command line) fired, or empty when there is no such probe.
kprobe_hits() {
    awk -v e="$1" '$1 == e { print $2 }' /sys/kernel/tracing/kprobe_profile 2>/dev/null
}

# bit VALUE(hex) N: true when bit N of the hex VALUE is set.
bit() { [ -n "${1#0x}" ] && [ $(( (0x${1#0x} >> $2) & 1 )) = 1 ]; }

# field VALUE(hex) SHIFT MASK: (VALUE >> SHIFT) & MASK, or empty when VALUE
# is empty (a sysfs file that is missing must fail a check, not the shell).
field() { [ -n "${1#0x}" ] && echo $(( (0x${1#0x} >> $2) & $3 )); }

# cfg_byte DEV OFF / cfg_word / cfg_dword: read the PCI configuration
# space of DEV (a sysfs device directory) as the guest kernel exposes it.
cfg_byte() { file_u8 "$1/config" "$2"; }
cfg_word() { file_u16 "$1/config" "$2"; }
cfg_dword() { file_u32 "$1/config" "$2"; }

# file_u8 FILE OFF / file_u16 / file_u32: a little-endian value of a
# binary file (a firmware table, a config space), in decimal.
file_u8() { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '; }
file_u16() { od -An -tu2 -j "$2" -N2 "$1" | tr -d ' '; }
file_u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }

# dmar_struct TYPE: the offset of the first remapping structure of TYPE in
# the DMAR table the kernel received, or empty.
dmar_struct() {
    _t=/sys/firmware/acpi/tables/DMAR
    _len=$(file_u32 $_t 4)
    _o=48
    while [ -n "$_len" ] && [ $((_o + 4)) -le "$_len" ]; do
        _l=$(file_u16 $_t $((_o + 2)))
        [ "$_l" -ge 4 ] || return 0
        if [ "$(file_u16 $_t $_o)" = "$1" ]; then
            echo $_o
            return 0
        fi
        _o=$((_o + _l))
    done
}

# pcie_type DEV: the device/port type of DEV's PCI Express capability
# (0 endpoint, 4 root port, 9 root-complex integrated endpoint), or empty.
pcie_type() {
    _p=$(cfg_byte "$1" 52)
    while [ -n "$_p" ] && [ "$_p" -ne 0 ]; do
        if [ "$(cfg_byte "$1" "$_p")" = 16 ]; then
            echo $(( ($(cfg_word "$1" $((_p + 2))) >> 4) & 15 ))
            return
        fi
        _p=$(cfg_byte "$1" $((_p + 1)))
    done
}

# ext_caps DEV: the IDs of DEV's extended capabilities (decimal), one a
# line; empty when the extended configuration space is not reachable.
ext_caps() {
    _p=256
    while [ "$_p" -ne 0 ]; do
        _d=$(cfg_dword "$1" "$_p")
        [ -n "$_d" ] && [ "$_d" -ne 0 ] || return 0
        echo $(( _d & 0xffff ))
        _p=$(( (_d >> 20) & 0xffc ))
    done
}

# ext_cap DEV ID: the offset of DEV's extended capability ID (decimal),
# or empty.
ext_cap() {
    _p=256
    while [ "$_p" -ne 0 ]; do
        _d=$(cfg_dword "$1" "$_p")
        [ -n "$_d" ] && [ "$_d" -ne 0 ] || return 0
        if [ $(( _d & 0xffff )) -eq "$2" ]; then
            echo "$_p"
            return 0
        fi
        _p=$(( (_d >> 20) & 0xffc ))
    done
}

# pci_below BDF: the sysfs directory of the first device whose parent is
# the bridge BDF (e.g. 0000:00:07.0), or empty.
pci_below() {
    for _d in /sys/bus/pci/devices/*; do
        _r=$(readlink -f "$_d")
        if [ "$(basename "$(dirname "$_r")")" = "$1" ]; then
            echo "$_d"
            return
        fi
    done
}

# Intel DSA scenarios: the device sits at 00:05.0.
DSA_SYS=/sys/bus/dsa/devices
DSA_PCI=/sys/bus/pci/devices/0000:00:05.0

# wqcfg_dword WQ N: dword N of WQ's entry in the WQ configuration table
# (BAR0 + TABLE_OFFSET.wqcfg * 0x100, 32 bytes per WQ on DSA 1.0) as the
# guest reads it through /dev/mem (needs iomem=relaxed), in hex.
wqcfg_dword() {
    _bar=$(awk 'NR == 1 { print $1 }' $DSA_PCI/resource)
    _off=$(devmem $(( _bar + 0x60 )) 64)
    _wq=$(( _bar + ((_off >> 16) & 0xffff) * 0x100 + $1 * 32 + $2 * 4 ))
    devmem $_wq 32
}

# run_dmatest CHAN N THREADS: N verified copies per thread on CHAN; passes
# when dmatest reports N tests and 0 failures for every thread.  dmatest
# makes its threads when the channel is written: the counts go first.
run_dmatest() {
    echo "$2" > /sys/module/dmatest/parameters/iterations
    echo "$3" > /sys/module/dmatest/parameters/threads_per_chan
    echo "$1" > /sys/module/dmatest/parameters/channel
    echo 1 > /sys/module/dmatest/parameters/run
    cat /sys/module/dmatest/parameters/wait >/dev/null
    _t=0
    while [ $_t -lt "$3" ]; do
        _re="dmatest: $1-copy$_t: summary $2 tests, 0 failures"
        if dmesg | grep -Eq -- "$_re"; then
            t_ok "dmatest on $1 thread $_t: $2 verified copies, 0 failures"
        else
            t_fail "dmatest on $1 thread $_t: $2 verified copies, 0 failures" \
                "no dmesg line matches /$_re/" "$(dmesg | grep dmatest | tail -n 5)"
        fi
        _t=$((_t + 1))
    done
}
