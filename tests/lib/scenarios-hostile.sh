# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# scenarios-hostile.sh - real QEMU devices that lie through their BARs
# (host side; the guest side is tests/guest/scenarios-hostile.sh, the
# behaviours are tests/guest/hostile.cases).  Our transport only: the lies
# are told by the register fault injector of the module's test build
# (drivers/virtio/virtio_pci_layout_fault.c, VPL_FAULT=y), which sits in
# our transport's register accessors and so cannot be put in front of the
# in-tree virtio_pci.  See Documentation/threat-model.rst.
#
#   hostile   one test per line of hostile.cases: a lie told at probe, or
#             while the device runs, by blk, net, scsi, console, rng or
#             balloon; each with its expected outcome and kernel message
#             and a check that the function binds and works again after
#             the lie stops; then the transport-wide cases (the
#             reset_timeout_ms bounds, random lies, rmmod with a device
#             whose reset never completes); on the debug kernel also the
#             KUnit suites, loaded as a module, with the random device
#             behaviour of the KUnit model (5,000 sequences in make test,
#             100,000 in make test-full) under kmemleak and the checkers
#
# Boots use panic_on_warn=1 like every other: a WARN reached from a lie
# ends the boot and fails every test not yet reported.
VPL_FAMILIES+=(hostile)

hostile_scenarios() {
	[ "$2" != ours ] || echo hostile
}

hostile_has() {
	[ "$1" = hostile ]
}

# Random lie sequences (hostile-fuzz): a few in the quick tier, many in
# the full one; VPL_HOSTILE_FUZZ overrides.
hostile_fuzz_rounds() {
	vpl_tier_value VPL_HOSTILE_FUZZ 25 1000
}

# Seeds of the KUnit model's random device behaviour on the debug kernel,
# and sequences per seed: 1 x 5,000 in make test, 4 x 25,000 in make
# test-full; VPL_KUNIT_SEEDS and VPL_KUNIT_SEQUENCES override.
hostile_kunit_seeds() {
	vpl_tier_value VPL_KUNIT_SEEDS 1 4
}

hostile_kunit_sequences() {
	vpl_tier_value VPL_KUNIT_SEQUENCES 5000 25000
}

hostile_append() {
	local light=0 seed='' kunit=''
	# The debug kernel is five times slower: a lighter check of the NICs
	# in make test (tests/guest/scenarios-hostile.sh).
	[ "$1/$VPL_TIER" != debug/quick ] || light=1
	# make test draws the same lies every time (the seed is printed);
	# make test-full new ones.
	[ "$VPL_TIER" = full ] || seed=vpl.fuzz_seed=1207
	# The KUnit suites, where the kernel has KUnit (build-module.sh then
	# builds the test build with them).
	! vpl_series_has "$1" config:KUNIT ||
		kunit="vpl.kunit_seeds=$(hostile_kunit_seeds) vpl.kunit_sequences=$(hostile_kunit_sequences)"
	echo "vpl.irq=pervq vpl.nblk=1 vpl.nnet=2 vpl.fault=1 vpl.fuzz=$(hostile_fuzz_rounds) vpl.hostile_light=$light ${seed:-} ${kunit:-}"
}

# The first pattern before the lies, the second after them.
hostile_offsets() {
	echo 0 32
}

# 240 s on 6.1 and 6.12 under TCG; 900 s on the debug kernel, which gets
# three times the limit.
hostile_timeout() {
	echo $((600 + 3 * $(hostile_fuzz_rounds)))
}

hostile_memory() {
	echo 1G
}

hostile_modules() {
	echo virtio_scsi sd_mod virtio_console virtio_rng virtio_balloon
	# KUnit for the suites' module, where the kernel has it (as a module
	# on the debug kernel; built in, it is simply absent).
	! vpl_series_has "$1" config:KUNIT || echo kunit
}

# ethtool resizes the rings (per-queue reset).
hostile_bins() {
	vpl_need_tools ethtool:ethtool >&2
	echo /usr/sbin/ethtool:/bin/ethtool
}

# The core devices (disk, NIC A, NIC B at 4, 5, 6), and one function per
# further class driver.
hostile_qemu_args() {
	vpl_scenario_qemu_args msix-pervq "$2"
	echo "-device virtio-scsi-pci,disable-legacy=on,addr=0x7"
	echo "-device virtio-serial-pci,disable-legacy=on,addr=0x8"
	echo "-device virtio-rng-pci,disable-legacy=on,addr=0x9"
	echo "-device virtio-balloon-pci,disable-legacy=on,addr=0xa"
}
