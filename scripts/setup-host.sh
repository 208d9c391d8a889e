#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the plain build dependencies qemu-sva needs from the host's own
# Debian suites (as root, or through sudo).  Everything else (the QEMU source,
# meson, firmware, guest kernels and tools) comes through the private apt root
# under build/ and is never installed.
. "$(dirname "$0")/lib.sh"

# Host packages: compiler and QEMU build deps, dpkg-source, downloads, and
# the initramfs tools (cpio, depmod from kmod), pahole (dwarves) for guest
# modules built against Debian headers, debootstrap for the Debian chroot
# that builds modules for guest kernels whose compiler the host lacks
# (tests/guest/build-module.sh), iasl (acpica-tools) for ACPI tests, and
# bc, libelf-dev and libssl-dev for guest kernels built by 'make kernel'.
PKGS="gcc make ninja-build pkg-config libglib2.0-dev libpixman-1-dev zlib1g-dev
      flex bison python3 python3-venv dpkg-dev git curl ca-certificates xz-utils
      zstd debian-archive-keyring cpio kmod dwarves debootstrap acpica-tools
      bc libelf-dev libssl-dev"
# 'setup-host.sh fuzz': clang with libFuzzer and the sanitizer runtimes for
# the fuzzing build (scripts/fuzz-build.sh).
if [ "${1:-}" = fuzz ]; then
    PKGS="$PKGS clang-14 libclang-rt-14-dev llvm-14"
fi

missing=
for p in $PKGS; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
        missing="$missing $p"
done
if [ -z "$missing" ]; then
    exit 0
fi
msg "installing host build dependencies:$missing"
if [ "$(id -u)" = 0 ]; then
    sudo=
elif command -v sudo >/dev/null; then
    sudo=sudo
else
    die "need root or sudo to install:$missing"
fi
# shellcheck disable=SC2086
$sudo env DEBIAN_FRONTEND=noninteractive apt-get -q update ||
    die "apt-get update failed; install by hand:$missing"
# shellcheck disable=SC2086
$sudo env DEBIAN_FRONTEND=noninteractive apt-get -q install -y --no-install-recommends $missing ||
    die "could not install:$missing"
