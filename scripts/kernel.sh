#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kernel.sh: build a guest kernel for qemu-sva (make kernel).
#
# Environment:
#   SRC=linux-source-X.Y   a Debian linux-source package (fetched through the
#                          private apt root), or
#   SRC=/path/to/linux     a local Linux tree (built out of tree, untouched)
#   PATCHES=DIR            apply DIR/*.patch (sorted, patch -p1) first; a
#                          patch that does not apply stops the build, named
#   NAME=name              output under build/kernels/NAME (default: from SRC)
#   CONFIG=FILE            extra configuration fragment, after ours
#
# The configuration is x86_64_defconfig plus tests/guest/kernel/qemu-sva.config
# (intel-iommu with SVM, idxd, dmatest, IOMMUFD and VFIO, virtio console).
# Prints the path of the bzImage on stdout; the modules are installed under
# build/kernels/NAME/mods and the build directory (for out-of-tree modules)
# is build/kernels/NAME/obj.
. "$(dirname "$0")/lib.sh"

src=${SRC:?set SRC=linux-source-X.Y (a Debian package) or SRC=/path/to/linux}
frag=$TOP/tests/guest/kernel/qemu-sva.config
case $src in
    linux-source-*) name=${NAME:-${src#linux-source-}} ;;
    *) name=${NAME:-$(basename "$(cd "$src" 2>/dev/null && pwd || echo "$src")")} ;;
esac
[ -n "${PATCHES:-}" ] && [ -z "${NAME:-}" ] && name=$name-$(basename "$PATCHES")
out=$BUILD/kernels/$name
[ -z "${PATCHES:-}" ] || [ -d "$PATCHES" ] || die "PATCHES=$PATCHES: no such directory"
[ -z "${CONFIG:-}" ] || [ -f "$CONFIG" ] || die "CONFIG=$CONFIG: no such file"

for t in gcc make flex bison bc; do
    command -v $t >/dev/null || die "'$t' is missing: run 'make setup'"
done
for h in libelf.h openssl/opensslv.h; do
    [ -f "/usr/include/$h" ] || die "/usr/include/$h is missing: run 'make setup'"
done

patches=()
if [ -n "${PATCHES:-}" ]; then
    while IFS= read -r p; do patches+=("$p"); done < <(find "$PATCHES" -maxdepth 1 -name '*.patch' | sort)
    [ ${#patches[@]} -gt 0 ] || die "PATCHES=$PATCHES holds no *.patch"
fi

# The source tree: a local tree is used in place (out-of-tree objects,
# so it stays clean) unless there are patches, which go on a copy.
if [ "${src#linux-source-}" != "$src" ]; then
    deb=$("$TOP/scripts/fetch-debs.sh" "$src") || die "cannot fetch $src"
    srcid=$(basename "$deb")
else
    [ -f "$src/Makefile" ] && [ -d "$src/arch/x86" ] || die "SRC=$src is not a Linux tree"
    deb=
    srcid=$(cd "$src" && pwd)
fi
stamp=$( { echo "$srcid"; for p in "${patches[@]}"; do cat "$p"; done; } | sha256sum | cut -d' ' -f1)
tree=$out/src
if [ -n "$deb" ] || [ ${#patches[@]} -gt 0 ]; then
    if [ "$(cat "$out/.src-stamp" 2>/dev/null)" != "$stamp" ]; then
        rm -rf "$out"
        mkdir -p "$out/src.tmp"
        if [ -n "$deb" ]; then
            msg "unpacking $(basename "$deb")"
            dpkg-deb --fsys-tarfile "$deb" |
                tar -xO --wildcards './usr/src/linux-source-*.tar.*' |
                tar -xJ -C "$out/src.tmp" --strip-components=1 ||
                die "cannot unpack the source tarball of $deb"
        else
            msg "copying $src"
            (cd "$src" && git ls-files -z 2>/dev/null | grep -qz . &&
                git ls-files -z | cpio --quiet -0pdm "$out/src.tmp") ||
                cp -a "$src/." "$out/src.tmp/"
        fi
        for p in "${patches[@]}"; do
            if ! patch -d "$out/src.tmp" -p1 --dry-run -s < "$p" > "$out/patch.log" 2>&1; then
                cat "$out/patch.log" >&2
                rm -rf "$out"
                die "patch $(basename "$p") does not apply to $src; nothing was built"
            fi
            patch -d "$out/src.tmp" -p1 -s < "$p"
            msg "applied $(basename "$p")"
        done
        mv "$out/src.tmp" "$tree"
        echo "$stamp" > "$out/.src-stamp"
    fi
else
    tree=$(cd "$src" && pwd)
fi

obj=$out/obj
mkdir -p "$obj"
jobs=$(nproc)
kmake() { make -C "$tree" O="$obj" -j"$jobs" "$@"; }

t0=$(date +%s)
cfgstamp=$(cat "$frag" ${CONFIG:+"$CONFIG"} | sha256sum | cut -d' ' -f1)
if [ "$(cat "$out/.cfg-stamp" 2>/dev/null)" != "$cfgstamp" ] || [ ! -f "$obj/.config" ]; then
    msg "configuring: x86_64_defconfig + $(basename "$frag")${CONFIG:+ + $CONFIG}"
    kmake -s x86_64_defconfig > "$out/config.log" 2>&1 || { cat "$out/config.log" >&2; die "defconfig failed"; }
    KCONFIG_CONFIG=$obj/.config "$tree/scripts/kconfig/merge_config.sh" -m -O "$obj" \
        "$obj/.config" "$frag" ${CONFIG:+"$CONFIG"} >> "$out/config.log" 2>&1 ||
        { cat "$out/config.log" >&2; die "merge_config.sh failed"; }
    kmake -s olddefconfig >> "$out/config.log" 2>&1 || { cat "$out/config.log" >&2; die "olddefconfig failed"; }
    # Say which requested options this kernel does not have (names change
    # between versions); the build goes on.
    sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=\(.*\)/\1 \2/p' "$frag" ${CONFIG:+"$CONFIG"} |
        while read -r opt val; do
            got=$(sed -n "s/^$opt=//p" "$obj/.config")
            [ "$got" = "$val" ] || msg "note: $opt=$val requested, this kernel has '${got:-not set}'"
        done
    echo "$cfgstamp" > "$out/.cfg-stamp"
fi

msg "building $name with $jobs jobs (log: $out/build.log)"
if ! kmake bzImage modules > "$out/build.log" 2>&1; then
    grep -E 'error|Error' "$out/build.log" | tail -n 20 >&2
    die "the kernel build failed (log: $out/build.log)"
fi
rm -rf "$out/mods"
kmake -s INSTALL_MOD_PATH="$out/mods" INSTALL_MOD_STRIP=1 modules_install \
    > "$out/modules.log" 2>&1 || { cat "$out/modules.log" >&2; die "modules_install failed"; }
cp "$obj/arch/x86/boot/bzImage" "$out/bzImage"
kmake -s kernelrelease > "$out/release" 2>/dev/null
t1=$(date +%s)
msg "built $(cat "$out/release") in $(( (t1 - t0) / 60 )) min $(( (t1 - t0) % 60 )) s"
echo "$out/bzImage"
