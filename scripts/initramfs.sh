#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh KVER TRANSPORT OUT [MODULE.ko]
#
# Builds the guest's root file system as an uncompressed newc cpio archive OUT
# for kernel release KVER (unpacked by kernels.sh).  TRANSPORT is "ours" (then
# MODULE.ko, our virtio_pci_layout.ko, is installed) or "control" (the
# in-tree virtio_pci is installed instead, where it is a module).  Each
# archive only holds the transport it is meant to test: an "ours" guest
# cannot load virtio_pci by accident because it does not have it.  The one
# exception is "both", for the benchmark (bench/), which compares the two
# drivers in one boot and so installs both.
#
# Environment: VPL_GUEST (required), the directory of the guest's side: its
# init becomes /init, its *.sh and *.cases go to /vpl/ (tests/guest for the
# tests, bench/guest for the benchmark).  Optional: VPL_EXTRA_MODULES (more
# module names, with their dependencies), VPL_EXTRA_BINS (host binaries
# installed with their shared libraries, as HOST_PATH:GUEST_PATH words) and
# VPL_OVERLAY (a directory copied over the finished tree).
#
# Contents: static busybox and its applets, iproute2's ip (busybox's cannot
# move a NIC into a network namespace) with its shared libraries, the kernel
# modules and modules.dep, the guest runtime (scripts/guest/runtime.sh, as
# /vpl/runtime.sh), the guest scripts from VPL_GUEST and the test pattern
# with its checksum.  No root privileges are needed: GNU cpio archives
# an ordinary staging directory with owner 0:0, and the one device node the
# kernel needs before /init runs (/dev/console) is written by a small newc
# writer below.
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BUSYBOX=/bin/busybox
IPROUTE=/sbin/ip

# Modules every guest needs, besides the transport.
BASE_MODULES="virtio_blk virtio_net"

# Prints the path (relative to lib/modules/KVER) of each module named in the
# arguments and of everything they depend on, using the modules.dep that
# kernels.sh generated.  Modules that are built in are silently absent.
module_closure() {
	local moddir=$1
	shift
	awk -v want="$*" '
	function base(p) { sub(/.*\//, "", p); sub(/\.ko(\.xz|\.zst|\.gz)?$/, "", p); gsub(/-/, "_", p); return p }
	function add(m,   i, n, d) {
		if (!(m in path) || (m in seen)) return
		seen[m] = 1
		print path[m]
		n = split(deps[m], d, " ")
		for (i = 1; i <= n; i++) add(base(d[i]))
	}
	{
		sub(/:$/, "", $1)
		m = base($1); path[m] = $1; deps[m] = ""
		for (i = 2; i <= NF; i++) deps[m] = deps[m] " " $i
	}
	END { n = split(want, w, " "); for (i = 1; i <= n; i++) add(w[i]) }
	' "$moddir/modules.dep"
}

# Copies the modules into the staging tree, decompressing them: busybox
# modprobe/insmod cannot load .ko.xz files.
install_modules() {
	local kver=$1 root=$2 ko=$3 src dst rel names deps
	src=$VPL_BUILD/kernels/$kver/lib/modules/$kver
	dst=$root/lib/modules/$kver
	mkdir -p "$dst"
	names="$BASE_MODULES ${VPL_EXTRA_MODULES:-}"
	case $TRANSPORT in
	control)
		names="$names virtio_pci"
		# The layout injector, for the malformed scenario's control.
		if [ -n "$ko" ]; then
			mkdir -p "$dst/extra"
			cp "$(dirname "$ko")/tests/injector/vpl_inject.ko" "$dst/extra/"
		fi
		;;
	ours | both)
		[ "$TRANSPORT" = ours ] || names="$names virtio_pci"
		# Whatever our module links against (virtio, virtio_ring on 6.1).
		deps=$(modinfo -F depends "$ko" | tr ',' ' ')
		names="$names $deps"
		mkdir -p "$dst/extra"
		cp "$ko" "$dst/extra/virtio_pci_layout.ko"
		# The test-only layout injector, built beside it by build-module.sh.
		cp "$(dirname "$ko")/tests/injector/vpl_inject.ko" "$dst/extra/"
		# The fault-injection test build, outside depmod's view: the
		# hostile scenarios insmod it in place of the module above.
		mkdir -p "$root/vpl/fault"
		cp "$(dirname "$ko")/../fault/virtio_pci_layout.ko" "$root/vpl/fault/"
		# The KUnit suites, where the kernel has KUnit (build-module.sh).
		if [ -e "$(dirname "$ko")/../kunit/virtio_pci_layout.ko" ]; then
			mkdir -p "$root/vpl/kunit"
			cp "$(dirname "$ko")/../kunit/virtio_pci_layout.ko" "$root/vpl/kunit/"
		fi
		;;
	esac
	# shellcheck disable=SC2086 # names is a list
	for rel in $(module_closure "$src" $names); do
		mkdir -p "$dst/$(dirname "$rel")"
		case $rel in
		*.xz) xz -dc "$src/$rel" >"$dst/${rel%.xz}" ;;
		*) cp "$src/$rel" "$dst/$rel" ;;
		esac
	done
	# The guest asks modules.builtin whether virtio_pci is built in.
	cp "$src/modules.builtin" "$src/modules.order" "$dst/"
	cp "$src/modules.builtin.modinfo" "$dst/" 2>/dev/null || true
	depmod -b "$root" "$kver"
}

# Copies a dynamically linked host binary and the libraries it loads.
install_dynamic() {
	local root=$1 bin=$2 dest=$3 lib
	mkdir -p "$root/$(dirname "$dest")"
	cp -L "$bin" "$root/$dest"
	for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
		mkdir -p "$root/$(dirname "$lib")"
		cp -L "$lib" "$root/$lib"
	done
}

install_userland() {
	local root=$1 applet
	mkdir -p "$root/bin"
	cp "$BUSYBOX" "$root/bin/busybox"
	for applet in $("$BUSYBOX" --list); do
		# init is our script.
		case $applet in busybox | init | linuxrc) continue ;; esac
		ln -s busybox "$root/bin/$applet"
	done
	# Busybox's shell runs its own applets in preference to files in $PATH,
	# so iproute2's ip gets a name that is no applet (see ip() in scripts/guest/runtime.sh).
	install_dynamic "$root" "$IPROUTE" /bin/ip.iproute2
	# The kernel runs /sbin/modprobe for request_module(); keep usual paths.
	ln -s bin "$root/sbin"
	mkdir -p "$root/usr"
	ln -s ../bin "$root/usr/bin"
	ln -s ../bin "$root/usr/sbin"
}

install_guest_scripts() {
	local root=$1 pattern
	mkdir -p "$root/vpl/www"
	cp "$VPL_GUEST/init" "$root/init"
	chmod 755 "$root/init"
	cp "$VPL_SCRIPTS/guest/runtime.sh" "$root/vpl/"
	find "$VPL_GUEST" -maxdepth 1 \( -name '*.sh' -o -name '*.cases' \) -exec cp {} "$root/vpl/" \;
	pattern=$("$VPL_SCRIPTS/pattern.sh")
	# The pattern lives in httpd's document root; the block test reads it
	# from there as well.
	cp "$pattern" "$root/vpl/www/pattern.bin"
	cp "$pattern.sha256" "$root/vpl/pattern.sha256"
	echo "$VPL_PATTERN_MIB" >"$root/vpl/pattern.mib"
	echo "$TRANSPORT" >"$root/vpl/transport"
}

# VPL_EXTRA_BINS and VPL_OVERLAY (see the top of this file).
install_extras() {
	local root=$1 pair
	for pair in ${VPL_EXTRA_BINS:-}; do
		install_dynamic "$root" "${pair%%:*}" "${pair#*:}"
	done
	[ -z "${VPL_OVERLAY:-}" ] || cp -a "$VPL_OVERLAY/." "$root/"
}

# One newc header plus name, padded to a multiple of four bytes.
# Arguments: name mode(octal) rdevmajor rdevminor.
newc_entry() {
	local name=$1 mode=$2 major=$3 minor=$4 len pad
	len=$((${#name} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		0 "$((8#$mode))" 0 0 1 0 0 0 0 "$major" "$minor" "$len" 0
	printf '%s\0' "$name"
	pad=$(((4 - (110 + len) % 4) % 4))
	head -c "$pad" /dev/zero
}

# A separate archive with /dev/console (char 5:1).  The kernel opens it for
# init's stdio before /init runs; the kernel unpacks concatenated archives.
device_archive() {
	newc_entry dev 040755 0 0
	newc_entry dev/console 020600 5 1
	newc_entry 'TRAILER!!!' 0 0 0
}

main() {
	[ $# -ge 3 ] || vpl_die "usage: initramfs.sh KVER TRANSPORT OUT [MODULE.ko]"
	local kver=$1 out=$3 ko=${4:-} root
	TRANSPORT=$2
	case $TRANSPORT in
	control) ;;
	ours | both) [ -f "$ko" ] || vpl_die "transport $TRANSPORT needs the module file" ;;
	*) vpl_die "unknown transport '$TRANSPORT'" ;;
	esac
	[ -d "$VPL_BUILD/kernels/$kver" ] || vpl_die "kernel $kver not unpacked (run kernels.sh)"
	[ -f "${VPL_GUEST:-}/init" ] || vpl_die "VPL_GUEST must name a directory with the guest's init"
	[ -x "$BUSYBOX" ] || vpl_need_tools busybox:busybox-static
	vpl_need_tools cpio:cpio depmod:kmod xz:xz-utils
	[ -x "$IPROUTE" ] || vpl_need_tools ip:iproute2

	root=$out.root
	rm -rf "$root"
	mkdir -p "$root"/dev "$root"/proc "$root"/sys "$root"/run "$root"/tmp "$root"/mnt "$root"/etc
	install_userland "$root"
	install_modules "$kver" "$root" "$ko"
	install_guest_scripts "$root"
	install_extras "$root"
	# Sorted names and fixed ownership keep the archive reproducible.
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) >"$out.tmp"
	device_archive >>"$out.tmp"
	mv "$out.tmp" "$out"
	rm -rf "$root"
	echo "$out"
}

main "$@"
