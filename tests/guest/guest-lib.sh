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

# bit VALUE(hex) N: true when bit N of the hex VALUE is set.
bit() { [ $(( (0x${1#0x} >> $2) & 1 )) = 1 ]; }
