#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Host test: make kernel (scripts/kernel.sh) stops before building, naming
# the patch, when a patch does not apply; refuses a SRC that is not a Linux
# tree and a missing PATCHES directory; stops when Kconfig drops an option
# of the configuration fragments; applies an appended patch on the built
# tree and starts again when an applied patch changes.  Uses a stand-in
# tree and a stand-in make, so nothing is built or downloaded.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
tmp=$(mktemp -d)
build=$here/../../build/kernels
trap 'rm -rf "$tmp" "$build"/host-test-$$*' EXIT
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

# A stand-in make that configures and "builds": allnoconfig writes the
# KCONFIG_ALLCONFIG fragment as .config, less the option named by $DROP
# (as Kconfig drops an option whose dependency is unmet); bzImage records
# the tree's iommu.c.
cat > "$tmp/bin/make" <<'M'
#!/bin/bash
o= a= t=()
for x in "$@"; do
    case $x in
        O=*) o=${x#O=} ;; KCONFIG_ALLCONFIG=*) a=${x#KCONFIG_ALLCONFIG=} ;;
        INSTALL_MOD_PATH=*) mkdir -p "${x#*=}" ;;
        -*|*=*) ;; *) t+=("$x") ;;
    esac
done
case " ${t[*]} " in
    *" allnoconfig "*) grep '^CONFIG_' "$a" | grep -v "^${DROP:-none}=" > "$o/.config" ;;
    *" bzImage "*) mkdir -p "$o/arch/x86/boot"; echo built >> "$o/../builds"
                   cat "$SRCTREE/drivers/iommu/iommu.c" > "$o/arch/x86/boot/bzImage" ;;
    *" kernelrelease "*) echo 0.0-host-test ;;
esac
M
chmod +x "$tmp/bin/make"
printf 'config INTEL_IOMMU\n\tbool "VT-d"\n' > "$tmp/linux/Kconfig"
mkdir -p "$tmp/p2"
cp "$tmp/patches/0001-good.patch" "$tmp/p2/"
cat > "$tmp/0003-more.patch" <<'P'
--- a/drivers/iommu/iommu.c
+++ b/drivers/iommu/iommu.c
@@ -1,2 +1,3 @@
 line one
 line 2
+line three
P
cp "$tmp/0003-more.patch" "$tmp/p2/"
echo 'CONFIG_QSVA_NOT_IN_THIS_KERNEL=y' > "$tmp/extra.config"
n=host-test-$$-cfg
kb() { SRCTREE=$build/$n/src kern; }
if DROP=CONFIG_INTEL_IOMMU SRC=$tmp/linux NAME=$n kb; then
    not_ok "an option dropped by Kconfig stops make kernel"
else
    check "an option dropped by Kconfig stops make kernel, naming it" \
        grep -q "CONFIG_INTEL_IOMMU=y requested, Kconfig made it 'n'" "$tmp/out"
fi
check "nothing was built after the dropped option" test ! -e "$build/$n/builds"
n=host-test-$$-inc
if SRC=$tmp/linux NAME=$n PATCHES=$tmp/patches/../p2 CONFIG=$tmp/extra.config kb; then
    ok "a kernel with every option of the fragments kept is built"
else
    not_ok "a kernel with every option of the fragments kept is built" "$(cat "$tmp/out")"
fi
check "an option this kernel does not define is noted, not fatal" \
    grep -q "CONFIG_QSVA_NOT_IN_THIS_KERNEL does not exist in this kernel" "$tmp/out"
check "both patches are in the built kernel" grep -q "line three" "$build/$n/bzImage"
# Patches applied one by one: 0001, then 0003 appended.
rm -rf "${build:?}/$n"
rm "$tmp/p2/0003-more.patch"
SRC=$tmp/linux NAME=$n PATCHES=$tmp/p2 kb
cp "$tmp/0003-more.patch" "$tmp/p2/"
touch "$build/$n/obj/kept"
SRC=$tmp/linux NAME=$n PATCHES=$tmp/p2 kb
check "an appended patch is applied on the built tree" grep -q "1 patches already applied" "$tmp/out"
check "... which is not copied again" sh -c "! grep -q 'copying' '$tmp/out'"
check "... and keeps its objects" test -e "$build/$n/obj/kept"
check "... and the kernel has both patches" grep -q "line three" "$build/$n/bzImage"
check "... with 0001 applied once" test "$(grep -c 'line 2' "$build/$n/src/drivers/iommu/iommu.c")" = 1
sed -i 's/^+line 2$/+line II/' "$tmp/p2/0001-good.patch"
SRC=$tmp/linux NAME=$n PATCHES=$tmp/p2 kb
check "a changed patch starts again from the source" grep -q "copying" "$tmp/out"
check "... without the old objects" test ! -e "$build/$n/obj/kept"
check "... and applies the new version" grep -q "line II" "$build/$n/bzImage"
done_testing
