#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mkinitramfs.sh NAME: build build/guest/NAME/{vmlinuz,initramfs.cpio} for
# the guest kernel NAME of tests/guest/kernels.conf, from Debian packages
# fetched through the private apt root (or, for a kernel of suite "build",
# from scripts/kernel.sh's output).  Rebuilt only when an input changes.
. "$(dirname "$0")/../../scripts/lib.sh"

G=$TOP/tests/guest
name=${1:?usage: mkinitramfs.sh KERNEL-NAME}
line=$(awk -v n="$name" '!/^#/ && $1 == n' "$G/kernels.conf")
[ -n "$line" ] || die "no guest kernel '$name' in tests/guest/kernels.conf"
read -r _ ksuite usuite kpkgs <<<"$line"
kpkg=${kpkgs%% *}
kver=${kpkg#linux-image-}
out=$BUILD/guest/$name
built=
if [ "$ksuite" = build ]; then
    # A kernel built by scripts/kernel.sh: "linux-source-X.Y [PATCH-DIR]
    # [FRAGMENT.config]" (a patch directory under tests/guest/kernel/patches/,
    # a configuration fragment under tests/guest/kernel/).
    read -r ksrc kextra <<<"$kpkgs"
    kpatch='' kconfig=''
    for x in $kextra; do
        case $x in
            *.config) kconfig=$G/kernel/$x ;;
            *) kpatch=$G/kernel/patches/$x ;;
        esac
    done
    built=$(SRC=$ksrc NAME=$name PATCHES=$kpatch CONFIG=$kconfig \
            "$TOP/scripts/kernel.sh") || die "cannot build the guest kernel $name"
    kdir=$BUILD/kernels/$name
    kver=$(cat "$kdir/release")
    kpkgs=
fi

upkgs=$(awk -v s="$usuite" '/^#/ || NF == 0 { next }
        $1 ~ /:$/ { if ($1 == s":") for (i = 2; i <= NF; i++) print $i; next }
        { for (i = 1; i <= NF; i++) print $i }' "$G/userland.conf")
kdebs=
[ -n "$built" ] || kdebs=$("$TOP/scripts/fetch-debs.sh" $(for p in $kpkgs; do echo "$p/$ksuite"; done))
udebs=$("$TOP/scripts/fetch-debs.sh" $(for p in $upkgs; do echo "$p/$usuite"; done))
debs="$kdebs
$udebs"
stamp=$(cat "$0" "$G/guest-init" "$G/guest-lib.sh" "$G/modules.conf" <(echo "$debs") \
        ${built:+"$built"} | sha256sum)
if [ -f "$out/initramfs.cpio" ] && [ "$(cat "$out/.stamp" 2>/dev/null)" = "$stamp" ]; then
    exit 0
fi
msg "building the initramfs for $kver"
rm -rf "$out"
mkdir -p "$out/kpkg" "$out/root/usr"/{bin,sbin,lib,lib64}
root=$out/root

# The kernel packages: vmlinuz and the module tree.
for d in $kdebs; do dpkg -x "$d" "$out/kpkg"; done
if [ -n "$built" ]; then
    mkdir -p "$out/kpkg/lib/modules"
    cp -a "$kdir/mods/lib/modules/$kver" "$out/kpkg/lib/modules/"
fi
# Merged-/usr packages (trixie) keep modules in usr/lib/modules.
[ -e "$out/kpkg/lib" ] || ln -s usr/lib "$out/kpkg/lib"
mods=$out/kpkg/lib/modules/$kver
[ -d "$mods" ] || die "$kpkg has no module tree for $kver"
# The package leaves modules.dep to its postinst: make it here.
depmod -b "$out/kpkg" "$kver" || die "depmod failed on $kpkg"
if [ -n "$built" ]; then
    cp "$built" "$out/vmlinuz"
elif [ -f "$out/kpkg/boot/vmlinuz-$kver" ]; then
    cp "$out/kpkg/boot/vmlinuz-$kver" "$out/vmlinuz"
elif [ -f "$mods/vmlinuz" ]; then
    cp "$mods/vmlinuz" "$out/vmlinuz"
else
    die "no vmlinuz in $kpkgs"
fi

# User space, merged-/usr style, whatever the package's layout.
for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done
for deb in $udebs; do
    t=$out/deb.tmp
    rm -rf "$t"; mkdir -p "$t"
    dpkg -x "$deb" "$t"
    for d in bin sbin lib lib64; do
        if [ -d "$t/$d" ] && [ ! -L "$t/$d" ]; then cp -a "$t/$d/." "$root/usr/$d/"; rm -rf "${t:?}/$d"; fi
    done
    rm -rf "$t/usr/share/doc" "$t/usr/share/man" "$t/usr/share/locale" "$t/usr/share/info" \
           "$t/usr/lib/x86_64-linux-gnu/gconv"
    cp -a "$t/." "$root/"
    rm -rf "$t"
done
[ -x "$root/usr/bin/busybox" ] || die "busybox-static did not provide /bin/busybox"

# Modules: the listed ones and their dependencies, decompressed, depmod'ed.
mdst=$root/usr/lib/modules/$kver
mkdir -p "$mdst"
cp "$mods"/modules.order "$mods"/modules.builtin* "$mdst/" 2>/dev/null || true
want=$(grep -v '^#' "$G/modules.conf" | tr -s ' \n' '\n\n' | sed '/^$/d')
declare -A seen=()
queue=()
for m in $want; do
    f=$(awk -F: -v m="$m" '{ b = $1; sub(".*/", "", b); sub("\\.ko.*", "", b); gsub("-", "_", b) }
            b == m { print $1; exit }' "$mods/modules.dep")
    [ -n "$f" ] && queue+=("$f")
done
while [ ${#queue[@]} -gt 0 ]; do
    f=${queue[0]}; queue=("${queue[@]:1}")
    [ -n "${seen[$f]:-}" ] && continue
    seen[$f]=1
    for d in $(awk -F: -v f="$f" '$1 == f { print $2 }' "$mods/modules.dep"); do queue+=("$d"); done
done
for f in "${!seen[@]}"; do
    mkdir -p "$mdst/$(dirname "$f")"
    case $f in
        *.xz) xz -dc "$mods/$f" > "$mdst/${f%.xz}" ;;
        *.zst) zstd -qdc "$mods/$f" > "$mdst/${f%.zst}" ;;
        *) cp "$mods/$f" "$mdst/$f" ;;
    esac
done
sed -i 's/\.ko\.\(xz\|zst\)$/.ko/' "$mdst/modules.order" 2>/dev/null || true
depmod -b "$root" "$kver" || die "depmod failed for $kver"

cp "$G/guest-init" "$root/init"
cp "$G/guest-lib.sh" "$root/usr/lib/qsva-lib.sh"
chmod 755 "$root/init"
echo "$kver" > "$root/etc-kernel-version"
mkdir -p "$root"/{proc,sys,dev,tmp,run,etc,root,mnt}
(cd "$root" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) > "$out/initramfs.cpio"
rm -rf "$out/kpkg"
echo "$stamp" > "$out/.stamp"
msg "$out/initramfs.cpio: $(du -h "$out/initramfs.cpio" | cut -f1)"
