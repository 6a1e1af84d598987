#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# build-module.sh KDIR OUTDIR [make args...]
#
# Builds virtio_pci_layout.ko, the test-only layout injector
# (OUTDIR/src/tests/injector/vpl_inject.ko), the test build of the module
# with the register fault injector (OUTDIR/fault/virtio_pci_layout.ko,
# VPL_FAULT=y) and, with VPL_WITH_KUNIT=y (the caller's word that the
# kernel has KUnit, scripts/lib.sh's vpl_build_module), the test build with
# the KUnit suites (OUTDIR/kunit/virtio_pci_layout.ko, VPL_KUNIT=y) against
# the kernel build tree
# KDIR, in a private copy of the sources under OUTDIR, so that builds for
# several kernels can coexist (kbuild writes objects next to the sources of
# an external module).  Prints the path of virtio_pci_layout.ko on its last
# line.
#
# With VPL_BUILD_ROOT set (vpl_kroot: Debian unstable's build root), make
# runs chrooted there (scripts/in-root), KDIR is a path inside it, and
# OUTDIR must be below build/, which is seen at the same path inside.
set -eu
kdir=$1
out=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)

mkdir -p "$out/src"
out=$(cd "$out" && pwd)	# kbuild needs M= absolute
kmake() {
	if [ -n "${VPL_BUILD_ROOT:-}" ]; then
		"$top/scripts/in-root" "$VPL_BUILD_ROOT" make "$@"
	else
		make "$@"
	fi
}
# Mirror only the sources kbuild needs; keep objects from earlier builds.
# A file is copied only when its contents differ, and then gets a new
# mtime: kbuild must rebuild whatever changed, also when OUTDIR was last
# filled from another tree whose files are newer than this one's.
sync_file() {
	cmp -s "$1" "$2" 2>/dev/null || { mkdir -p "$(dirname "$2")" && cp "$1" "$2"; }
}
(cd "$top" && find drivers include tests/injector tests/layouts Kbuild dkms.conf -type f ! -name '*.o' \
	! -name '*.ko' ! -name '.*.cmd' ! -name '*.mod*' ! -name 'Module.symvers' \
	! -name 'modules.order') | while read -r f; do
	sync_file "$top/$f" "$out/src/$f"
done
kmake -s -C "$kdir" M="$out/src" "$@" modules >&2
kmake -s -C "$kdir" M="$out/src/tests/injector" "$@" modules >&2
# The test build with the register fault injector (hostile scenarios), in
# a copy of its own: the objects differ.
(cd "$out/src" && find drivers include Kbuild dkms.conf -type f ! -name '*.o' ! -name '*.ko' \
	! -name '.*.cmd' ! -name '*.mod*' ! -name 'Module.symvers' ! -name 'modules.order') |
	while read -r f; do
		sync_file "$out/src/$f" "$out/fault/$f"
	done
kmake -s -C "$kdir" M="$out/fault" VPL_FAULT=y "$@" modules >&2
# The test build with the KUnit suites, for a kernel with KUnit (the debug
# kernel), in a copy of its own.  Not fatal: the suites need a KUnit of 6.8
# or later (kunit/device.h).
rm -f "$out/kunit/virtio_pci_layout.ko"
if [ "${VPL_WITH_KUNIT:-}" = y ]; then
	(cd "$top" && find drivers include tests/kunit tests/layouts Kbuild dkms.conf -type f \
		-name '*.[ch]' -o -name '*.def' -o -name Kbuild -o -name dkms.conf) | while read -r f; do
		sync_file "$top/$f" "$out/kunit/$f"
	done
	kmake -s -C "$kdir" M="$out/kunit" VPL_KUNIT=y "$@" modules >&2 ||
		echo "build-module.sh: the KUnit suites did not build against $kdir" >&2
fi
echo "$out/src/virtio_pci_layout.ko"
