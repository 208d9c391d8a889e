#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mkpackages.sh KERNEL-NAME SCENARIO: a cpio archive of the extra Debian
# packages SCENARIO asks for, from the userland suite of the guest kernel
# KERNEL-NAME (tests/guest/kernels.conf), to append to that kernel's
# initramfs; prints its path, or nothing when SCENARIO asks for none for
# that suite.  Cached per suite and package set under build/guest/packages/.
#
# The scenario's header lines, as in tests/guest/userland.conf:
#   # qsva-packages: PKG...              from every userland suite
#   # qsva-packages: bookworm: PKG...    only with a bookworm userland
#
# Besides the named packages, the archive holds the shared-library packages
# they depend on, recursively: the Depends whose names start with "lib" and
# do not end in "-dev" (Debian's shlibs dependencies), first alternative
# only.  Other dependencies (python3, -dev packages, plugins such as
# ibverbs-providers) are left out: name them if a scenario needs them.
# Packages already in every image (tests/guest/userland.conf) are skipped,
# not the libraries they need.
. "$(dirname "$0")/../../scripts/lib.sh"

G=$TOP/tests/guest
[ $# = 2 ] || die "usage: mkpackages.sh KERNEL-NAME SCENARIO"
name=$1
line=$(awk -v n="$name" '!/^#/ && $1 == n' "$G/kernels.conf")
[ -n "$line" ] || die "no guest kernel '$name' in tests/guest/kernels.conf"
read -r _ _ usuite _ <<<"$line"
# shellcheck disable=SC2046
set -- $(sed -n 's/^# qsva-packages:[[:space:]]*//p' "$2" |
         awk -v s="$usuite" '$1 ~ /:$/ { if ($1 == s":") for (i = 2; i <= NF; i++) print $i; next }
                             { for (i = 1; i <= NF; i++) print $i }')
[ $# -gt 0 ] || exit 0

base=$(awk -v s="$usuite" '/^#/ || NF == 0 { next }
        $1 ~ /:$/ { if ($1 == s":") for (i = 2; i <= NF; i++) print $i; next }
        { for (i = 1; i <= NF; i++) print $i }' "$G/userland.conf")
key=$(printf '%s\n' "$usuite" "$@" | sha256sum | cut -c1-16)
out=$BUILD/guest/packages/$usuite-$key
mkdir -p "$out"

"$TOP/scripts/apt-root.sh" --if-stale
# Resolving a hundred packages takes apt a while: while the index is the
# one they were resolved from, the archive made then stands.
ikey=$(cat "$0" <(printf '%s\n' "$usuite" "$@") "$APTROOT"/state/lists/*Release 2>/dev/null | sha256sum)
if [ -f "$out/packages.cpio" ] && [ "$(cat "$out/.key" 2>/dev/null)" = "$ikey" ]; then
    echo "$out/packages.cpio"
    exit 0
fi
# The closure, one apt-cache call per level; the candidate of each package
# is the userland suite's version.
# The base packages' own libraries count too (libc6 needs libgcc-s1 for
# pthread_cancel, which the base image does without).
declare -A seen=()
for p in $base; do seen[$p]=base; done
pkgs=()
mapfile -t want < <(printf '%s\n' "$@" $base)
while [ ${#want[@]} -gt 0 ]; do
    for p in "${want[@]}"; do
        if [ "${seen[$p]:-}" != base ]; then seen[$p]=1; pkgs+=("$p"); fi
    done
    next=$(apt_private apt-cache depends -o APT::Default-Release="$usuite" \
               --no-recommends --no-suggests --no-conflicts --no-breaks \
               --no-replaces --no-enhances "${want[@]}" 2>"$out/depends.err" |
           awk '/^[^ ]/ { alt = 0; next }
                $1 == "|Depends:" || $1 == "PreDepends:" || $1 == "|PreDepends:" ||
                $1 == "Depends:" { if (!alt) print $2; alt = ($1 ~ /^\|/); next }
                { alt = 0 }' |
           sed 's/:any$//' | grep -E '^lib' | grep -vE -- '-dev$' | sort -u) ||
        die "apt-cache depends failed for ${want[*]}: $(cat "$out/depends.err")"
    want=()
    for d in $next; do
        case $d in "<"*) continue ;; esac
        [ -n "${seen[$d]:-}" ] || want+=("$d")
    done
done
for p in "$@"; do
    [ "${seen[$p]}" != base ] || msg "$p is in every image already"
done

# One apt-get call for every URI (fetch-debs.sh asks once a package),
# then the hash-checked download into the shared cache.
uris=$(apt_private apt-get download --print-uris "${pkgs[@]/%//$usuite}" \
           2>"$out/download.err" | grep "^'") ||
    die "cannot resolve the packages in the private apt root: $(tr '\n' ' ' < "$out/download.err")"
debs=
while read -r url file _size hash; do
    url=${url//\'/}
    case $hash in
        SHA256:*) hash=${hash#SHA256:} ;;
        *) die "no SHA-256 in the index for $file ($hash)" ;;
    esac
    fetch_verified "$url" "$hash" "$CACHE/debs/$file"
    debs+="$CACHE/debs/$file "
done <<<"$uris"
stamp=$(cat "$0" <(echo "$debs") | sha256sum)
if [ -f "$out/packages.cpio" ] && [ "$(cat "$out/.stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "$ikey" > "$out/.key"
    echo "$out/packages.cpio"
    exit 0
fi
msg "packing ${#pkgs[@]} packages for $usuite: $*"
root=$out/root
rm -rf "$root" "$out/packages.cpio"
mkdir -p "$root/usr"
# Merged /usr, as in the base image (mkinitramfs.sh): bin, sbin, lib and
# lib64 of a package go under usr/.
for deb in $debs; do
    t=$out/deb.tmp
    rm -rf "$t"; mkdir -p "$t"
    dpkg -x "$deb" "$t"
    for d in bin sbin lib lib64; do
        if [ -d "$t/$d" ] && [ ! -L "$t/$d" ]; then
            mkdir -p "$root/usr/$d"; cp -a "$t/$d/." "$root/usr/$d/"; rm -rf "${t:?}/$d"
        fi
    done
    rm -rf "$t/usr/share/doc" "$t/usr/share/man" "$t/usr/share/locale" "$t/usr/share/info" \
           "$t/usr/share/lintian" "$t/usr/include"
    cp -a "$t/." "$root/"
    rm -rf "$t"
done
printf '%s\n' "${pkgs[@]}" > "$root/usr/lib/qsva-packages"
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) > "$out/packages.cpio"
rm -rf "$root"
echo "$stamp" > "$out/.stamp"
echo "$ikey" > "$out/.key"
msg "$out/packages.cpio: $(du -h "$out/packages.cpio" | cut -f1), ${#pkgs[@]} packages"
echo "$out/packages.cpio"
