#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build-module.sh KERNEL-NAME MODULE: build the out-of-tree guest module
# tests/guest/modules/MODULE/ for the guest kernel KERNEL-NAME against the
# matching Debian linux-headers package (or, for a kernel built by
# scripts/kernel.sh, against its build directory), and print the .ko path.
# A module directory holds a Kbuild file and either its own sources or a
# file 'from-linux-source' naming files to take from the kernel's
# linux-source package (e.g. the stock drivers/dma/dmatest.c).
#
# Modules are built with the kernel's own compiler: on the host if it has
# it, else (as root) in a minimal Debian chroot of the kernel's userland
# suite made by scripts/mkchroot.sh (e.g. trixie's gcc-14 for the 7.x
# kernels on a Debian 12 host), with the headers and the module source
# bind-mounted at the same paths in a private mount namespace.
. "$(dirname "$0")/../../scripts/lib.sh"

G=$TOP/tests/guest
name=${1:?usage: build-module.sh KERNEL-NAME MODULE}
mod=${2:?usage: build-module.sh KERNEL-NAME MODULE}
src=$G/modules/$mod
[ -f "$src/Kbuild" ] || die "no module '$mod' (tests/guest/modules/$mod/Kbuild)"
line=$(awk -v n="$name" '!/^#/ && $1 == n' "$G/kernels.conf")
[ -n "$line" ] || die "no guest kernel '$name' in tests/guest/kernels.conf"
read -r _ ksuite usuite kpkgs <<<"$line"
if [ "$ksuite" = build ]; then
    # A kernel built by scripts/kernel.sh: build against its own build
    # directory with the host compiler that built it.
    kdir=$BUILD/kernels/$name
    [ -f "$kdir/obj/Module.symvers" ] ||
        die "the guest kernel $name is not built yet (tests/guest/mkinitramfs.sh $name builds it)"
    work=$kdir/modsrc/$mod
    rm -rf "$work"
    mkdir -p "$work"
    cp -a "$src/." "$work/"
    if [ -f "$src/from-linux-source" ]; then
        for f in $(grep -v -e '^#' -e '^[[:space:]]*$' "$src/from-linux-source"); do
            cp "$kdir/src/$f" "$work/" || die "$name's source has no $f"
        done
    fi
    make -s -C "$kdir/obj" M="$work" modules >"$work/build.log" 2>&1 ||
        { cat "$work/build.log" >&2; die "building $mod for $name failed"; }
    for ko in "$work"/*.ko; do echo "$ko"; done
    exit 0
fi
kpkg=${kpkgs%% *}
kver=${kpkg#linux-image-}        # 6.12.117+deb12-amd64
kbase=${kver%-amd64}              # 6.12.117+deb12
out=$BUILD/guest/$name/modules
hdr=$BUILD/guest/$name/headers

# The compiler the kernel was built with (its headers package depends on it).
kcc=$(apt_private apt-cache show "linux-headers-$kver/$ksuite" 2>/dev/null |
      sed -n 's/^Depends:.*\(gcc-[0-9][0-9]*\).*/\1/p' | head -n1 || true)
[ -n "$kcc" ] || die "no linux-headers-$kver in $ksuite: modules cannot be built for $name"
root=
if ! command -v "$kcc" >/dev/null; then
    # A chroot with the compiler, make, libc6-dev and what the kernel's
    # build tools (linux-kbuild) link against.
    [ "$(id -u)" = 0 ] ||
        die "$name modules need $kcc (the kernel's compiler), which this host lacks; building them in a Debian $usuite chroot needs root"
    kbdeps=$(apt_private apt-cache show "linux-kbuild-$kbase/$ksuite" 2>/dev/null |
             sed -n 's/^Depends: //p' | head -n1 | tr ',' '\n' |
             sed 's/|.*//; s/(.*//; s/:.*//; s/[[:space:]]//g' | grep . || true)
    [ -n "$kbdeps" ] || die "no linux-kbuild-$kbase in $ksuite: modules cannot be built for $name"
    msg "this host lacks $kcc: building $mod for $name in a Debian $usuite chroot"
    # shellcheck disable=SC2086
    root=$("$TOP/scripts/mkchroot.sh" "$usuite" "$kcc" make libc6-dev $kbdeps)
fi

# Headers: the flavour, common and kbuild packages, unpacked and relinked.
debs=$("$TOP/scripts/fetch-debs.sh" "linux-headers-$kver/$ksuite" \
       "linux-headers-$kbase-common/$ksuite" "linux-kbuild-$kbase/$ksuite")
if [ "$(cat "$hdr/.debs" 2>/dev/null)" != "$debs" ]; then
    rm -rf "$hdr"
    mkdir -p "$hdr"
    for d in $debs; do dpkg -x "$d" "$hdr"; done
    # The flavour Makefile names the common one (and, since 7.x, its own
    # directory as KBUILD_OUTPUT) by its installed path.
    sed -i "s|/usr/src/|$hdr/usr/src/|g" "$hdr/usr/src/linux-headers-$kver/Makefile"
    echo "$debs" > "$hdr/.debs"
fi
kdir=$hdr/usr/src/linux-headers-$kver

# Sources: ours, or files from the matching linux-source package.
work=$BUILD/guest/$name/modsrc/$mod
rm -rf "$work"
mkdir -p "$work" "$out"
cp -a "$src/." "$work/"
if [ -f "$src/from-linux-source" ]; then
    kv=$(apt_private apt-cache show "$kpkg/$ksuite" 2>/dev/null | sed -n 's/^Version: //p' | head -n1 || true)
    [ -n "$kv" ] || die "$kpkg is not in $ksuite any more: cannot find its linux-source"
    major=$(echo "$kver" | cut -d. -f1-2)
    files=$(grep -v -e '^#' -e '^[[:space:]]*$' "$src/from-linux-source")
    cached=$CACHE/linux-source/$kv
    missing=0
    for f in $files; do [ -f "$cached/$f" ] || missing=1; done
    if [ $missing = 1 ]; then
        sdeb=$("$TOP/scripts/fetch-debs.sh" "linux-source-$major=$kv")
        msg "extracting $(echo $files) from linux-source-$major $kv"
        tmp=$(mktemp -d "$CACHE/linux-source/.x.XXXXXX" 2>/dev/null || { mkdir -p "$CACHE/linux-source"; mktemp -d "$CACHE/linux-source/.x.XXXXXX"; })
        dpkg --fsys-tarfile "$sdeb" | tar -xO "./usr/src/linux-source-$major.tar.xz" |
            tar -xJ -C "$tmp" $(for f in $files; do echo "linux-source-$major/$f"; done) ||
            { rm -rf "$tmp"; die "could not extract $files from linux-source-$major $kv"; }
        # Replace the cached directory whole, so it is never half-filled.
        rm -rf "$cached"
        mv "$tmp/linux-source-$major" "$cached"
        rm -rf "$tmp"
    fi
    for f in $files; do cp "$cached/$f" "$work/"; done
fi

if [ -z "$root" ]; then
    make -s -C "$kdir" M="$work" modules >"$work/build.log" 2>&1 ||
        { cat "$work/build.log" >&2; die "building $mod for $kver failed"; }
else
    # The mount points are made in the chroot and removed afterwards; the
    # mounts live in a private mount namespace, so they go with it whatever
    # happens, and its trap unmounts them anyway.
    mps=()
    for d in "$hdr" "$work"; do
        top=$root$d
        while [ ! -e "$(dirname "$top")" ]; do top=$(dirname "$top"); done
        [ -e "$top" ] || mps+=("$top")
    done
    rm_mountpoints() {
        local t
        for t in "${mps[@]}"; do
            [ -d "$t" ] && find "$t" -depth -type d -empty -delete 2>/dev/null
        done
        return 0
    }
    trap rm_mountpoints EXIT
    # shellcheck disable=SC2016
    unshare --mount --propagation private -- /bin/bash -c '
        set -e
        root=$1 hdr=$2 work=$3 kdir=$4
        trap "umount -R \"\$root/proc\" \"\$root\$work\" \"\$root\$hdr\" 2>/dev/null || true" EXIT
        mkdir -p "$root$hdr" "$root$work"
        mount --bind -o ro "$hdr" "$root$hdr"
        mount --bind "$work" "$root$work"
        mount -t proc proc "$root/proc"
        chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
            make -s -C "$kdir" M="$work" modules
    ' mkchroot-build "$root" "$hdr" "$work" "$kdir" >"$work/build.log" 2>&1 ||
        { cat "$work/build.log" >&2; die "building $mod for $kver in the $usuite chroot ($root) failed"; }
fi
for ko in "$work"/*.ko; do
    cp "$ko" "$out/"
    echo "$out/$(basename "$ko")"
done
