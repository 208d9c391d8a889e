#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Host test: make kernel (scripts/kernel.sh) stops before building, naming
# the patch, when a patch does not apply; refuses a SRC that is not a Linux
# tree and a missing PATCHES directory.  Uses a stand-in tree and a
# stand-in make, so nothing is built or downloaded.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A stand-in Linux tree: enough for kernel.sh to accept it.
mkdir -p "$tmp/linux/arch/x86" "$tmp/linux/drivers/iommu" "$tmp/patches" "$tmp/bin"
echo 'all:' > "$tmp/linux/Makefile"
printf 'line one\nline two\n' > "$tmp/linux/drivers/iommu/iommu.c"
# A make that records that it ran: the build must not start.
printf '#!/bin/sh\ntouch %s/make-ran\nexit 1\n' "$tmp" > "$tmp/bin/make"
chmod +x "$tmp/bin/make"
cat > "$tmp/patches/0001-good.patch" <<'P'
--- a/drivers/iommu/iommu.c
+++ b/drivers/iommu/iommu.c
@@ -1,2 +1,2 @@
 line one
-line two
+line 2
P
cat > "$tmp/patches/0002-bad.patch" <<'P'
--- a/drivers/iommu/iommu.c
+++ b/drivers/iommu/iommu.c
@@ -1,2 +1,2 @@
 line one
-no such line
+something
P
kern() { PATH=$tmp/bin:$PATH QEMU_SVA_CACHE=$tmp/cache "$here/../../scripts/kernel.sh" > "$tmp/out" 2>&1; }

if SRC=$tmp/linux PATCHES=$tmp/patches NAME=host-test-$$ kern; then
    not_ok "a patch that does not apply stops make kernel"
else
    check "a patch that does not apply stops make kernel, naming it" \
        grep -q "patch 0002-bad.patch does not apply" "$tmp/out"
fi
check "nothing was built" test ! -e "$tmp/make-ran"
check "the half-patched copy is gone" test ! -e "$here/../../build/kernels/host-test-$$"
check "the local tree was not touched" grep -q "^line two$" "$tmp/linux/drivers/iommu/iommu.c"
if SRC=$tmp kern; then not_ok "SRC= that is not a Linux tree fails"; else
    check "SRC= that is not a Linux tree fails with a message" grep -q "is not a Linux tree" "$tmp/out"; fi
if SRC=$tmp/linux PATCHES=$tmp/none kern; then not_ok "a missing PATCHES= directory fails"; else
    check "a missing PATCHES= directory fails, naming it" grep -q "PATCHES=$tmp/none: no such directory" "$tmp/out"; fi
check "make never ran" test ! -e "$tmp/make-ran"
done_testing
