# SPDX-License-Identifier: GPL-2.0-or-later
# Minimal TAP helpers for host-side tests of qemu-sva's scripts.
_n=0 _fail=0
ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
not_ok() { _n=$((_n + 1)); _fail=$((_fail + 1)); echo "not ok $_n - $1"; shift; [ $# -eq 0 ] || printf '#   %s\n' "$@"; }
# check DESC CONDITION-COMMAND...
check() { local d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else not_ok "$d" "failed: $*"; fi; }
done_testing() { echo "1..$_n"; [ $_fail = 0 ]; }
