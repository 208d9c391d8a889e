#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kernel.sh: build a guest kernel for qemu-sva (make kernel).
#
# Environment:
#   SRC=linux-source-X.Y   a Debian linux-source package (fetched through the
#                          private apt root; linux-source-X.Y/SUITE or
#                          linux-source-X.Y=VERSION pick one), or
#   SRC=/path/to/linux     a local Linux tree (built out of tree, untouched)
#   PATCHES=DIR            apply DIR/*.patch (sorted, patch -p1) first; a
#                          patch that does not apply stops the build, named.
#                          Patches added after the ones already applied are
#                          applied on the built tree (an incremental build);
#                          any other change starts again from the source
#   NAME=name              output under build/kernels/NAME (default: from SRC)
#   CONFIG=FILE            extra configuration fragment, after ours
#
# The configuration is 'make allnoconfig' with tests/guest/kernel/qemu-sva.config
# (and CONFIG after it) as KCONFIG_ALLCONFIG: only what a qemu-sva guest needs
# (intel-iommu with SVM, idxd, dmatest, IOMMUFD and VFIO, virtio console,
# ...).  An option of the fragments that this kernel's Kconfig knows but
# drops (an unmet dependency) stops the build; one it does not know (a
# newer or older option) is only noted.
# Prints the path of the bzImage on stdout; the modules are installed under
# build/kernels/NAME/mods and the build directory (for out-of-tree modules)
# is build/kernels/NAME/obj.
. "$(dirname "$0")/lib.sh"

src=${SRC:?set SRC=linux-source-X.Y (a Debian package) or SRC=/path/to/linux}
frag=$TOP/tests/guest/kernel/qemu-sva.config
case $src in
    linux-source-*) pkgver=${src%%[/=]*}; name=${NAME:-${pkgver#linux-source-}} ;;
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
# State of an unpacked tree: .src-id (where it came from) and .patches (the
# SHA-256 of each patch applied, in order).
hashes=()
for p in "${patches[@]}"; do hashes+=("$(sha256sum < "$p" | cut -d' ' -f1)"); done
tree=$out/src
if [ -n "$deb" ] || [ ${#patches[@]} -gt 0 ]; then
    have=()
    [ -f "$out/.patches" ] && mapfile -t have < "$out/.patches"
    reuse=
    if [ -d "$tree" ] && [ "$(cat "$out/.src-id" 2>/dev/null)" = "$srcid" ] &&
       [ ${#have[@]} -le ${#hashes[@]} ]; then
        reuse=1
        for i in "${!have[@]}"; do
            [ "${have[$i]}" = "${hashes[$i]}" ] || { reuse=; break; }
        done
    fi
    if [ -z "$reuse" ]; then
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
        mv "$out/src.tmp" "$tree"
        echo "$srcid" > "$out/.src-id"
        : > "$out/.patches"
        have=()
    elif [ ${#have[@]} -lt ${#hashes[@]} ]; then
        msg "${#have[@]} patches already applied: applying the $(( ${#hashes[@]} - ${#have[@]} )) new ones on the built tree"
    fi
    # Each patch is tried (--dry-run) before it is applied, so .patches
    # always lists exactly what the tree holds.
    for ((i = ${#have[@]}; i < ${#patches[@]}; i++)); do
        p=${patches[$i]}
        if ! patch -d "$tree" -p1 --dry-run -s < "$p" > "$out/patch.log" 2>&1; then
            cat "$out/patch.log" >&2
            if [ -n "$reuse" ]; then
                die "patch $(basename "$p") does not apply to $src; the tree keeps the $i patches before it, nothing was built"
            fi
            rm -rf "$out"
            die "patch $(basename "$p") does not apply to $src; nothing was built"
        fi
        patch -d "$tree" -p1 -s < "$p"
        echo "${hashes[$i]}" >> "$out/.patches"
        msg "applied $(basename "$p")"
    done
else
    tree=$(cd "$src" && pwd)
fi

obj=$out/obj
mkdir -p "$obj"
jobs=$(nproc)
kmake() { make -C "$tree" O="$obj" -j"$jobs" "$@"; }

t0=$(date +%s)
frags=("$frag" ${CONFIG:+"$CONFIG"})
# Reconfigure when a fragment, this script or the patches change (cheap, and
# Kconfig only touches what changed, so the build stays incremental).
cfgstamp=$({ cat "${frags[@]}" "$0"; cat "$out/.patches" 2>/dev/null || true; } | sha256sum | cut -d' ' -f1)
if [ "$(cat "$out/.cfg-stamp" 2>/dev/null)" != "$cfgstamp" ] || [ ! -f "$obj/.config" ]; then
    rm -f "$out/.cfg-stamp"
    msg "configuring: allnoconfig + $(basename "$frag")${CONFIG:+ + $CONFIG}"
    cat "${frags[@]}" > "$obj/qsva.fragment"
    kmake -s KCONFIG_ALLCONFIG="$obj/qsva.fragment" allnoconfig > "$out/config.log" 2>&1 ||
        { cat "$out/config.log" >&2; die "allnoconfig failed"; }
    # Every option of the fragments (the last value of each) must be in the
    # .config.  Options this kernel's Kconfig does not define are noted.
    find "$tree" -name 'Kconfig*' -print0 |
        xargs -0 sed -n 's/^[[:space:]]*\(menu\)\{0,1\}config[[:space:]]\{1,\}\([A-Za-z0-9_]*\).*/\2/p' |
        sort -u > "$out/kconfig-symbols"
    dropped=0
    while read -r opt val; do
        if ! grep -qx "${opt#CONFIG_}" "$out/kconfig-symbols"; then
            msg "note: $opt does not exist in this kernel: ignored"
            continue
        fi
        got=$(sed -n "s/^$opt=//p" "$obj/.config")
        if [ "${got:-n}" != "$val" ]; then
            msg "error: $opt=$val requested, Kconfig made it '${got:-n}' (a dependency missing from the fragment?)"
            dropped=$((dropped + 1))
        fi
    done < <(sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*\)=\(.*\)/\1 \2/p' \
                    -e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set/\1 n/p' "$obj/qsva.fragment" |
             awk '!($1 in v) { k[++n] = $1 } { v[$1] = $2 } END { for (i = 1; i <= n; i++) print k[i], v[k[i]] }')
    [ "$dropped" = 0 ] || die "$dropped option(s) of the configuration fragments were dropped by Kconfig (see above)"
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
