# SPDX-License-Identifier: GPL-2.0-or-later
# Common helpers for qemu-sva's build scripts.  Source it; do not run it.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$TOP/build
CACHE=${QEMU_SVA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/qemu-sva}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
APTROOT=$BUILD/apt

# shellcheck source=../qemu-base.conf
. "$TOP/qemu-base.conf"

msg() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# apt with a private root under build/apt: never touches the host's sources,
# preferences, lists or caches.
apt_private() {
    local cmd=$1; shift
    "$cmd" -q \
        -o Dir::Etc::SourceList="$APTROOT/sources.list" \
        -o Dir::Etc::SourceParts="$APTROOT/sources.list.d" \
        -o Dir::Etc::Preferences="$APTROOT/preferences" \
        -o Dir::Etc::PreferencesParts="$APTROOT/preferences.d" \
        -o Dir::State="$APTROOT/state" \
        -o Dir::State::status="$APTROOT/state/status" \
        -o Dir::Cache="$APTROOT/cache" \
        -o Debug::NoLocking=1 \
        -o APT::Sandbox::User="$(id -un)" \
        -o APT::Architecture=amd64 \
        -o APT::Architectures::=amd64 \
        -o APT::Get::Show-Versions=0 \
        "$@"
}

# fetch URL SHA256 DEST: download into the cache under a temporary name,
# check the hash, then rename.  A file already in place is re-verified.
fetch_verified() {
    local url=$1 sha=$2 dest=$3 tmp got
    if [ -f "$dest" ]; then
        got=$(sha256sum "$dest" | cut -d' ' -f1)
        [ "$got" = "$sha" ] && return 0
        msg "cached $(basename "$dest") has the wrong SHA-256; fetching it again"
        rm -f "$dest"
    fi
    mkdir -p "$(dirname "$dest")"
    tmp=$(mktemp "$dest.partial.XXXXXX")
    # shellcheck disable=SC2064
    trap "rm -f '$tmp'" EXIT
    msg "downloading $url"
    local code
    code=$(curl -sS -L --retry 3 --retry-delay 2 --connect-timeout 30 \
                -o "$tmp" -w '%{http_code}' "$url") ||
        { rm -f "$tmp"; die "network error downloading $(basename "$dest") ($url)"; }
    if [ "$code" != 200 ]; then
        rm -f "$tmp"
        die "the archive answered HTTP $code for $(basename "$dest") ($url); its index lists it, so try again later or set DEBIAN_MIRROR"
    fi
    got=$(sha256sum "$tmp" | cut -d' ' -f1)
    if [ "$got" != "$sha" ]; then
        rm -f "$tmp"
        die "SHA-256 mismatch for $(basename "$dest") ($url): expected $sha, got $got"
    fi
    mv -f "$tmp" "$dest"
    trap - EXIT
}

# The patch series in patches/, as paths, in order.
series_files() {
    [ -f "$TOP/patches/series" ] || return 0
    grep -v -e '^#' -e '^[[:space:]]*$' "$TOP/patches/series" | sed "s|^|$TOP/patches/|"
}

# format_patch DIR ARGS...: git format-patch with every option that shapes
# its output fixed, whatever the user's git configuration, so that the same
# commit always exports to the same bytes.
format_patch() {
    local dir=$1
    shift
    git -C "$dir" -c diff.noprefix=false -c diff.mnemonicPrefix=false \
        -c diff.algorithm=myers -c diff.renames=true -c core.abbrev=12 \
        -c format.signOff=false -c format.coverLetter=false \
        -c format.thread=false -c format.to= -c format.cc= \
        format-patch -q --zero-commit --no-signature --no-numbered \
        --full-index --suffix=.patch --subject-prefix=PATCH "$@"
}

# commit_patch_sums DIR: the SHA-256 of each commit on top of qemu-sva-base
# in the git tree DIR, as 'make patches' would export it, one a line, in order.
commit_patch_sums() {
    local rev tmp
    tmp=$(mktemp -d)
    for rev in $(git -C "$1" rev-list --reverse qemu-sva-base..HEAD); do
        format_patch "$1" -o "$tmp" -1 "$rev" >/dev/null
        echo "$(sha256sum < "$tmp"/*.patch | cut -d" " -f1) $rev"
        rm -f "$tmp"/*.patch
    done
    rmdir "$tmp"
}

# series_sums: the SHA-256 of each patch of patches/series, in order.
series_sums() {
    local p
    for p in $(series_files); do
        [ -f "$p" ] && sha256sum < "$p" | cut -d" " -f1
    done
    return 0
}

# Guest boots (tests/guest/run.sh and scripts/run.sh share these).
# The machine every guest boot uses: q35 under TCG, as the issues specify.
GUEST_MACHINE=(-machine q35,kernel-irqchip=split -accel tcg -cpu max -smp 2 -m 2G
               -nographic -no-reboot -nic none)
# no_timer_check: under TCG on a loaded host the kernel's early check that
# the timer interrupt reaches the IO-APIC can time out, and with interrupt
# remapping on that check panics ("timer doesn't work through
# Interrupt-remapped IO-APIC"); it tests the host's load, not our devices.
GUEST_APPEND_BASE="console=ttyS0 intel_iommu=on panic=-1 no_timer_check"

# guest_initrd BASE SCRIPT OUT [MODULE.ko|PROGRAM|ARCHIVE.cpio...]: BASE
# followed by a cpio archive holding SCRIPT as /scenario.sh, the modules in
# /qsva-modules/ and the programs in /qsva-programs/, then the cpio ARCHIVEs
# (the kernel unpacks concatenated archives).
guest_initrd() {
    local d f base=$1 script=$2 out=$3 cpios=()
    shift 3
    d=$(mktemp -d)
    cp "$script" "$d/scenario.sh"
    for f in "$@"; do
        case $f in
            *.ko) mkdir -p "$d/qsva-modules"; cp "$f" "$d/qsva-modules/" ;;
            *.cpio) cpios+=("$f") ;;
            *) mkdir -p "$d/qsva-programs"; cp "$f" "$d/qsva-programs/" ;;
        esac
    done
    { cat "$base"; (cd "$d" && find . -mindepth 1 | cpio --quiet -o -H newc -R 0:0)
      [ ${#cpios[@]} = 0 ] || cat "${cpios[@]}"; } > "$out"
    rm -rf "$d"
}

# configure_qemu OBJ LOG MESON_PY ARG...: configure build/qemu into OBJ with
# ARG..., unless OBJ was configured with exactly those; LOG gets the output.
configure_qemu() {
    local obj=$1 log=$2 meson_py=$3 want sp; shift 3
    want="$*"
    if [ -f "$obj/build.ninja" ] && [ "$(cat "$obj/.qemu-sva-configure" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    rm -rf "$obj"
    mkdir -p "$obj"
    msg "configuring QEMU in $obj"
    (cd "$obj" && PYTHONPATH=$meson_py "$BUILD/qemu/configure" "$@") >"$log" 2>&1 ||
        { tail -n 40 "$log" >&2; die "configure failed (full log: $log)"; }
    # Let ninja's automatic meson re-runs find the unpacked meson too.
    for sp in "$obj"/pyvenv/lib/python3*/site-packages; do
        echo "$meson_py" > "$sp/qemu-sva-meson.pth"
    done
    echo "$want" > "$obj/.qemu-sva-configure"
}
