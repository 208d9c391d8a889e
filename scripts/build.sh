#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build qemu-system-x86_64 from build/qemu into build/obj and link it as
# build/qemu-system-x86_64.  Extra arguments are ninja targets built too.
. "$(dirname "$0")/lib.sh"

Q=$BUILD/qemu
OBJ=$BUILD/obj
TOOLS=$BUILD/tools
FW=$BUILD/firmware

# Tools and firmware from Debian packages, unpacked, never installed.
# meson >= 1.5 (Debian 12 has 1.0): bookworm-backports, run by the host python3.
# Firmware: SeaBIOS, iPXE option ROMs and QEMU's own data files.
HOST_DEBS="meson/bookworm-backports"
FW_DEBS="seabios/trixie ipxe-qemu/trixie qemu-system-data/trixie"

unpack_debs() { # DIR STAMPNAME DEB...
    local dir=$1 stamp=$2 debs; shift 2
    debs=$("$TOP/scripts/fetch-debs.sh" "$@")
    if [ "$(cat "$dir/.$stamp" 2>/dev/null)" != "$debs" ]; then
        rm -rf "$dir"
        mkdir -p "$dir"
        for d in $debs; do dpkg -x "$d" "$dir"; done
        echo "$debs" > "$dir/.$stamp"
    fi
}

[ -d "$Q/.git" ] || die "no QEMU tree in $Q: run 'make tree' first"
unpack_debs "$TOOLS/meson" debs $HOST_DEBS
unpack_debs "$FW" debs $FW_DEBS
MESON_PY=$TOOLS/meson/usr/lib/python3/dist-packages
[ -d "$MESON_PY/mesonbuild" ] || die "meson package unpacked without mesonbuild/"

fwpath="$FW/usr/share/qemu:$FW/usr/share/seabios:$FW/usr/lib/ipxe/qemu"
CONFIGURE_ARGS=(
    --python=/usr/bin/python3
    --target-list=x86_64-softmmu
    --disable-docs --disable-download --disable-install-blobs
    --disable-rust
    --firmwarepath="$fwpath"
)
configure_qemu "$OBJ" "$BUILD/configure.log" "$MESON_PY" "${CONFIGURE_ARGS[@]}"
msg "building qemu-system-x86_64 $*"
ninja -C "$OBJ" qemu-system-x86_64 "$@" ||
    die "build failed"
# Run from the build tree, QEMU looks up its configured data directories
# under obj/qemu-bundle/: point the firmware path there too.
for d in ${fwpath//:/ }; do
    mkdir -p "$(dirname "$OBJ/qemu-bundle$d")"
    ln -sfn "$d" "$OBJ/qemu-bundle$d"
done
ln -sfn obj/qemu-system-x86_64 "$BUILD/qemu-system-x86_64"
