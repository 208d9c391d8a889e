#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build qemu-fuzz-x86_64 from build/qemu into build/fuzz: clang 14 with
# libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer, in its own
# build directory (the normal build in build/obj is untouched).  Extra
# arguments are further ninja targets.  See docs/devel/qemu-sva-fuzzing.rst.
. "$(dirname "$0")/lib.sh"

Q=$BUILD/qemu
OBJ=$BUILD/fuzz
TOOLS=$BUILD/tools

"$TOP/scripts/setup-host.sh" fuzz
[ -d "$Q/.git" ] || die "no QEMU tree in $Q: run 'make tree' first"
# meson, unpacked by the normal build
[ -d "$TOOLS/meson" ] || "$TOP/scripts/build.sh"
MESON_PY=$TOOLS/meson/usr/lib/python3/dist-packages
[ -d "$MESON_PY/mesonbuild" ] || die "meson is not unpacked in $TOOLS/meson"

CONFIGURE_ARGS=(
    --python=/usr/bin/python3
    --cc=clang-14 --cxx=clang++-14 --host-cc=clang-14
    --target-list=x86_64-softmmu
    --disable-docs --disable-download --disable-install-blobs
    --disable-rust --disable-werror
    --enable-fuzzing --enable-asan --enable-ubsan
    --disable-slirp --disable-vnc --disable-sdl --disable-gtk
    --disable-opengl --disable-spice --disable-curses
)
configure_qemu "$OBJ" "$BUILD/fuzz-configure.log" "$MESON_PY" "${CONFIGURE_ARGS[@]}"
msg "building qemu-fuzz-x86_64 $*"
ninja -C "$OBJ" qemu-fuzz-x86_64 "$@" || die "build failed"
# Firmware (SeaBIOS, option ROMs, unpacked by the normal build) where the
# fuzzer, run from its build tree, looks for its data files.
data=$OBJ/qemu-bundle/usr/local/share/qemu
mkdir -p "$data"
for d in "$BUILD/firmware/usr/share/seabios" "$BUILD/firmware/usr/lib/ipxe/qemu" \
         "$BUILD/firmware/usr/share/qemu"; do
    for f in "$d"/*; do
        [ -e "$f" ] || continue
        [ -e "$data/${f##*/}" ] || ln -s "$f" "$data/${f##*/}"
    done
done
