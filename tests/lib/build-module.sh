#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# build-module.sh KDIR OUTDIR [make args...]
#
# Builds virtio_pci_layout.ko and the test-only layout injector
# (OUTDIR/src/tests/injector/vpl_inject.ko) against the kernel build tree
# KDIR, in a private copy of the sources under OUTDIR, so that builds for
# several kernels can coexist (kbuild writes objects next to the sources of
# an external module).  Prints the path of virtio_pci_layout.ko on its last
# line.
set -eu
kdir=$1
out=$2
shift 2
top=$(cd "$(dirname "$0")/../.." && pwd)

mkdir -p "$out/src"
out=$(cd "$out" && pwd)	# kbuild needs M= absolute
# Mirror only the sources kbuild needs; keep objects from earlier builds.
for d in drivers include tests/injector; do
	mkdir -p "$out/src/$d"
	cp -a "$top/$d/." "$out/src/$d/"
done
cp -a "$top/Kbuild" "$out/src/"
make -s -C "$kdir" M="$out/src" "$@" modules >&2
make -s -C "$kdir" M="$out/src/tests/injector" "$@" modules >&2
echo "$out/src/virtio_pci_layout.ko"
