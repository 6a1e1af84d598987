# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# scenarios-debug.sh - the hardening scenarios that only make sense on the
# debug kernel (series "debug", scripts/debug-kernel.sh: KASAN, kmemleak,
# lockdep, debug objects, fault injection), our transport only.  The guest
# side is tests/guest/scenarios-debug.sh.  See scenarios.sh for the family
# interface.
#
#   dbg-cycles    unbind/bind every function N times with block I/O (and a
#                 checksum) after each cycle and network traffic every 25th;
#                 N = 20 (quick) or 1000 (full)
#   dbg-failnth   probe under allocation-failure injection: fail the 1st,
#                 2nd, ... allocation the transport's code makes during a
#                 bind (failslab + fail_page_alloc through
#                 /proc/self/fail-nth, filtered to callers in the module)
#                 until a bind needs no more; after each, the function must
#                 bind cleanly and work
#   dbg-unplug    q35: the disk and a NIC behind pcie-root-ports, removed
#                 with QMP device_del while I/O runs, then plugged back
#
# Every scenario on the debug series ends with "debug-reports" (see
# vpl_scenario_tests): kmemleak scanned, the log free of KASAN, lockdep,
# ODEBUG, DMA-API and atomic-sleep reports.
VPL_FAMILIES+=(debug)

debug_scenarios() {
	[ "$1/$2" = debug/ours ] || return 0
	echo dbg-cycles dbg-failnth dbg-unplug
}

debug_has() {
	case $1 in dbg-*) return 0 ;; esac
	return 1
}

debug_offsets() {
	case $3 in
	dbg-cycles) echo 0 32 ;;
	dbg-failnth) echo 0 16 ;;
	# The first pattern was on disk before the unplug, the second is
	# written after the disk came back.
	dbg-unplug) echo 0 32 ;;
	esac
}

# Bind/unbind cycles for the tier; VPL_DEBUG_CYCLES overrides.
debug_cycles() {
	vpl_tier_value VPL_DEBUG_CYCLES 20 1000
}

debug_append() {
	local append="vpl.irq=pervq vpl.nblk=1 vpl.nnet=2"
	case $3 in
	dbg-cycles) append="$append vpl.cycles=$(debug_cycles)" ;;
	esac
	echo "$append"
}

# In production-kernel seconds, as every limit: the debug kernel gets
# three times these (vpl_scenario_timeout).
debug_timeout() {
	case $1 in
	# 2-3 s per round on the debug kernel under TCG (1000 rounds took
	# 2679 s on a busy 2-core host); 6 s leaves room.
	dbg-cycles) echo $((200 + 2 * $(debug_cycles))) ;;
	dbg-failnth) echo 400 ;;
	*) echo 200 ;;
	esac
}

debug_qemu_args() {
	case $1 in
	dbg-unplug)
		# The disk and NIC A sit behind root ports, so that they can
		# leave and come back; -blockdev nodes (unlike -drive) outlive
		# the device, so the same disk can be plugged in again.
		echo "-blockdev driver=file,filename=$2,node-name=hd0f,cache.direct=off"
		echo "-blockdev driver=raw,file=hd0f,node-name=hd0"
		echo "-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=1,addr=0x8"
		echo "-device pcie-root-port,id=rp2,bus=pcie.0,chassis=2,slot=2,addr=0x9"
		echo "-device virtio-blk-pci,id=blk1,bus=rp1,disable-legacy=on,drive=hd0"
		echo "-netdev hubport,id=n0,hubid=0"
		echo "-device virtio-net-pci,id=net1,bus=rp2,disable-legacy=on,netdev=n0,mac=52:54:00:56:50:01,romfile="
		echo "-netdev hubport,id=n1,hubid=0"
		echo "-device virtio-net-pci,disable-legacy=on,netdev=n1,mac=52:54:00:56:50:02,romfile=,addr=0x6"
		;;
	*) vpl_scenario_qemu_args msix-pervq "$2" ;;
	esac
}

debug_memory() {
	echo 1G
}

# dbg-unplug asks the host agent to remove the disk and NIC A (it has I/O
# running on both by then) and to plug them back in: the disk on the block
# node hd0, which outlives its device, NIC A on a new port of hub 0.
debug_agent() {
	[ "$1" = dbg-unplug ]
}
