#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Host test: a scenario's '# qsva-packages:' lines.  mkpackages.sh prints
# nothing, and asks apt nothing, for a scenario without packages for the
# kernel's userland suite (a line for another suite does not count);
# guest_initrd appends *.cpio arguments after the scenario's own archive.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
top=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 6.12.117 has a bookworm userland (tests/guest/kernels.conf).  Stand-in
# apt-get and apt-cache record that they ran.
mkdir -p "$tmp/bin"
for c in apt-get apt-cache; do
    printf '#!/bin/sh\ntouch %s/apt-ran\nexit 1\n' "$tmp" > "$tmp/bin/$c"
    chmod +x "$tmp/bin/$c"
done
printf '# qsva-kernels: 6.12.117\n# qsva-packages: trixie: no-such-package\necho hi\n' > "$tmp/sc.sh"
if out=$(PATH=$tmp/bin:$PATH QEMU_SVA_CACHE=$tmp/cache "$top/tests/guest/mkpackages.sh" 6.12.117 "$tmp/sc.sh" 2>&1); then
    if [ -z "$out" ]; then ok "no packages for bookworm: no archive"; else not_ok "no packages for bookworm: no archive" "$out"; fi
else
    not_ok "no packages for bookworm: exits 0" "$out"
fi
check "no packages for bookworm: apt is not asked" test ! -e "$tmp/apt-ran"
if "$top/tests/guest/mkpackages.sh" no-such-kernel "$tmp/sc.sh" > "$tmp/out" 2>&1; then
    not_ok "an unknown kernel is refused"
else
    check "an unknown kernel is refused, named" grep -q "no guest kernel 'no-such-kernel'" "$tmp/out"
fi

# guest_initrd BASE SCRIPT OUT ARCHIVE.cpio: base, then the scenario, then
# the archive; the kernel unpacks them in that order.
. "$top/scripts/lib.sh"
set +e
mkdir -p "$tmp/a" "$tmp/b"
echo base > "$tmp/a/base-file"
echo pkg > "$tmp/b/pkg-file"
(cd "$tmp/a" && echo base-file | cpio --quiet -o -H newc) > "$tmp/base.cpio"
(cd "$tmp/b" && echo pkg-file | cpio --quiet -o -H newc) > "$tmp/pkg.cpio"
guest_initrd "$tmp/base.cpio" "$tmp/sc.sh" "$tmp/initrd" "$tmp/pkg.cpio"
check "the initrd starts with the base archive" cmp -n "$(stat -c %s "$tmp/base.cpio")" "$tmp/base.cpio" "$tmp/initrd"
check "the initrd ends with the package archive" \
    cmp "$tmp/pkg.cpio" <(tail -c "$(stat -c %s "$tmp/pkg.cpio")" "$tmp/initrd")
mkdir -p "$tmp/x"
(cd "$tmp/x" && tail -c +$(( $(stat -c %s "$tmp/base.cpio") + 1 )) "$tmp/initrd" | cpio --quiet -i 2>/dev/null)
check "the scenario's archive holds /scenario.sh" cmp "$tmp/sc.sh" "$tmp/x/scenario.sh"
check "the .cpio is not packed as a program" test ! -e "$tmp/x/qsva-programs"
done_testing
