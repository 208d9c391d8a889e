#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the QEMU tree's scripts/checkpatch.pl over patches/ and over our own
# C sources and headers.  Exits non-zero when it reports an error.
. "$(dirname "$0")/lib.sh"

CP=$BUILD/qemu/scripts/checkpatch.pl
[ -f "$CP" ] || die "no $CP: run 'make tree' first"
rc=0 n=0
for p in $(series_files); do
    n=$((n + 1))
    echo "== ${p#$TOP/}"
    perl "$CP" --no-signoff -q "$p" || rc=1
done
files=$(cd "$TOP" && git ls-files --cached --others --exclude-standard -- hw include system target tests |
        grep -E '\.(c|h)$' | grep -v '^tests/guest/' || true)
for f in $files; do
    n=$((n + 1))
    echo "== $f"
    (cd "$TOP" && perl "$CP" -q --file "$f") || rc=1
done
msg "checked $n file(s): $([ $rc = 0 ] && echo clean || echo 'problems above')"
exit $rc
