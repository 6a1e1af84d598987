#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh - builds the debug guest kernel from Debian's
# linux-source-6.12 and prints "debug KVER".
#
# Configuration: allnoconfig plus tests/debug/debug.config (KASAN, kmemleak,
# lockdep, debug objects, atomic-sleep checks, DMA-API debugging and the
# failslab / fail_page_alloc fault injectors, on a small q35 guest with the
# virtio drivers as modules).  The build happens out of tree in
# build/debug-kernel/out, which is also the KDIR our module is built
# against; the result is laid out like an unpacked Debian kernel:
# build/kernels/KVER/boot/vmlinuz-KVER and build/kernels/KVER/lib/modules/.
#
# Idempotent: a second run only rebuilds what changed (and nothing when the
# configuration did not).  Everything stays below build/ (git-ignored).
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=$VPL_BUILD/debug-kernel/out
FRAGMENT=$VPL_TESTS/debug/debug.config

# Every option the fragment sets must be in the final .config: olddefconfig
# silently drops what an unmet dependency forbids.
check_config() {
	local line sym want have rc=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			sym=${line%%=*}
			want=$line
			;;
		'# CONFIG_'*' is not set')
			sym=${line#\# }
			sym=${sym%% *}
			want="# $sym is not set"
			;;
		*) continue ;;
		esac
		have=$(grep -E "^($sym=|# $sym is not set)" "$OUT/.config" || true)
		# An unset option may also be absent altogether.
		if [ "$have" != "$want" ] && { [ "${want#\#}" = "$want" ] || [ -n "$have" ]; }; then
			vpl_log "debug.config: wanted '$want', .config has '${have:-nothing}'"
			rc=1
		fi
	done <"$FRAGMENT"
	return "$rc"
}

configure() {
	local tree=$1
	mkdir -p "$OUT"
	# Reconfigure only when the fragment changed since the last time.
	if [ -f "$OUT/.config" ] && [ -f "$OUT/.vpl-fragment" ] &&
		cmp -s "$FRAGMENT" "$OUT/.vpl-fragment"; then
		return 0
	fi
	vpl_log "configuring the debug kernel (allnoconfig + $(basename "$FRAGMENT"))"
	make -s -C "$tree" O="$OUT" ARCH=x86_64 KCONFIG_ALLCONFIG="$FRAGMENT" allnoconfig >&2
	make -s -C "$tree" O="$OUT" ARCH=x86_64 olddefconfig >&2
	check_config || vpl_die "the debug kernel's configuration lost options (see above)"
	cp "$FRAGMENT" "$OUT/.vpl-fragment"
}

main() {
	local tree kver dest
	vpl_need_tools make:make gcc:gcc flex:flex bison:bison bc:bc \
		xz:xz-utils depmod:kmod
	vpl_need_packages libelf-dev libssl-dev
	tree=$(vpl_unpacked_source)
	configure "$tree"
	vpl_log "building the debug kernel in $OUT (log: stderr)"
	make -s -C "$tree" O="$OUT" ARCH=x86_64 -j"$(nproc)" bzImage modules >&2
	kver=$(make -s -C "$tree" O="$OUT" ARCH=x86_64 kernelrelease)
	dest=$VPL_BUILD/kernels/$kver
	if [ ! -e "$dest/.vpl-ready" ] || [ "$OUT/arch/x86/boot/bzImage" -nt "$dest/.vpl-ready" ]; then
		rm -rf "$dest"
		mkdir -p "$dest/boot"
		make -s -C "$tree" O="$OUT" ARCH=x86_64 INSTALL_MOD_PATH="$dest" modules_install >&2
		rm -f "$dest/lib/modules/$kver/build" "$dest/lib/modules/$kver/source"
		cp "$OUT/arch/x86/boot/bzImage" "$dest/boot/vmlinuz-$kver"
		touch "$dest/.vpl-ready"
	fi
	# What the kernel is, for vpl_kernel_has, as Debian's packages say it.
	cp "$OUT/.config" "$dest/boot/config-$kver"
	# Modules for this release build against the tree itself (vpl_kdir).
	echo "$OUT" >"$dest/.vpl-kdir"
	echo "debug $kver"
}

main "$@"
