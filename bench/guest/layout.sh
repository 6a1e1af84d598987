# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # sourced by bash on the host, busybox ash in the guest
# shellcheck disable=SC2034 # the variables are for the files that source this
#
# layout.sh - where the benchmark's devices sit on the guest's PCI bus.
# Sourced by the host (bench/run.sh, which builds the QEMU arguments from it)
# and by the guest (bench/guest/bench.sh, which finds the devices by it), so
# the two cannot disagree.  Slots are hex, on bus 0 of the q35 machine.

# MSI-X devices: one virtio-blk on a null-co backend, two virtio-net joined
# by a QEMU hub (traffic from A reaches B and nothing else), one multiqueue
# virtio-net on a host tap device with 4 queue pairs (probe/unbind only).
BLK_SLOT=02
NETA_SLOT=03
NETB_SLOT=04
MQNET_SLOT=05

# The same three kinds with vectors=0: no MSI-X, so both transports use INTx.
BLKI_SLOT=06
NETC_SLOT=07
NETD_SLOT=08

# The probe-scaling set: up to 64 single-queue virtio-blk functions, eight
# functions (multifunction) in each of the slots 10 to 17.
SCALE_FIRST_SLOT=16	# 0x10, decimal for arithmetic
SCALE_MAX=64

# The MACs of the NICs.
MAC_NETA=52:54:00:56:51:03
MAC_NETB=52:54:00:56:51:04
MAC_MQNET=52:54:00:56:51:05
MAC_NETC=52:54:00:56:51:07
MAC_NETD=52:54:00:56:51:08

# PCI address of slot $1 (hex), function ${2:-0}.
bench_bdf() {
	echo "0000:00:$1.${2:-0}"
}

# PCI addresses of the first $1 functions of the scaling set.
scale_bdfs() {
	local i=0
	while [ "$i" -lt "$1" ]; do
		printf '0000:00:%02x.%d\n' $((SCALE_FIRST_SLOT + i / 8)) $((i % 8))
		i=$((i + 1))
	done
}
