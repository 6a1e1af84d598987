# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # POSIX plus local: bash on the host, busybox ash in the guest
#
# scenarios-debug.sh - the hardening scenarios that only make sense on the
# debug kernel (series "debug", scripts/debug-kernel.sh: KASAN, kmemleak,
# lockdep, debug objects, fault injection), our transport only, and the
# "debug-reports" test every boot of the debug kernel ends with.  One file
# for the family: the host side declares the scenarios (the interface is
# at the top of tests/lib/scenarios.sh), the guest side runs them.
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
# vpl_scenario in tests/guest/scenarios.sh): kmemleak scanned, the log free of KASAN, lockdep,
# ODEBUG, DMA-API and atomic-sleep reports.

# ================================================================ host side
debug_scenarios() {
	[ "$1/$2" = debug/ours ] || return 0
	echo dbg-cycles dbg-failnth dbg-unplug
}

debug_has() {
	case $1 in dbg-*) return 0 ;; esac
	return 1
}

debug_describe() {
	case $1 in
	dbg-cycles) echo "the disk and a NIC unbound and bound again $(debug_cycles) times, a checksummed block write and read after every round, a ping every 25th" ;;
	dbg-failnth) echo "binding the disk, then a NIC, with the 1st, 2nd, ... allocation of the transport's code failing, until a bind gets through; after each, the function binds cleanly and works" ;;
	dbg-unplug) echo "the disk and a NIC behind q35 pcie-root-ports removed with QMP device_del under a writer and a ping flood, then plugged back and used" ;;
	*) return 1 ;;
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

# ================================================================ guest side
# Kernel log lines of the checkers: KASAN, lockdep, debug objects, the
# DMA-API checker, sleeping in atomic context, list corruption.
# kmemleak's own "N new suspected memory leaks" line is left to the object
# list below, which tells known leaks elsewhere apart.
DEBUG_REPORTS='BUG: KASAN|WARNING: (possible|inconsistent|suspicious)|circular locking|ODEBUG:|DMA-API: [^ ]+ [^ ]+: device driver|BUG: sleeping function|BUG: scheduling while atomic|list_(add|del) corruption'

# Leaks that are not the transport's, by the function that allocated the
# object (the first frame below the allocator):
#   virtnet_probe  Debian 6.12.117's virtio_net allocates vi->rss_hdr in
#                  virtnet_probe() and frees it in virtnet_remove() only:
#                  every probe that fails later (dbg-failnth fails
#                  find_vqs) leaks those 16 bytes.
KNOWN_LEAKS="virtnet_probe"

# Splits kmemleak's report (stdin) into /tmp/leaks.known and
# /tmp/leaks.ours.
split_leaks() {
	awk -v known=" $KNOWN_LEAKS " '
	function flush(  f) {
		if (blk == "") return
		f = first; sub(/\+.*/, "", f)
		if (f != "" && index(known, " " f " ")) printf "%s", blk > "/tmp/leaks.known"
		else printf "%s", blk > "/tmp/leaks.ours"
		blk = ""
	}
	/^unreferenced object/ { flush(); first = ""; inbt = 0 }
	{ blk = blk $0 "\n" }
	/backtrace/ { inbt = 1; next }
	inbt && first == "" && $1 !~ /^_*(kmalloc|kzalloc|kmem_cache|kvmalloc|krealloc)/ { first = $1 }
	END { flush() }'
	touch /tmp/leaks.known /tmp/leaks.ours
}

# The checkers were really on, then: no kmemleak suspect (after a scan, for
# objects older than kmemleak's 5 s grace period), lockdep still running
# (it switches itself off after its first report), and no report in the log.
t_debug_reports() {
	local n known
	mount_debugfs
	rm -f /tmp/leaks.known /tmp/leaks.ours
	for opt in KASAN=y DEBUG_KMEMLEAK=y PROVE_LOCKING=y DEBUG_OBJECTS=y \
		DEBUG_ATOMIC_SLEEP=y DMA_API_DEBUG=y FAILSLAB=y FAIL_PAGE_ALLOC=y; do
		zcat /proc/config.gz | grep -qx "CONFIG_$opt" || fail "kernel without CONFIG_$opt"
	done
	[ -e "$DEBUGFS/kmemleak" ] || fail "no $DEBUGFS/kmemleak"
	grep -q 'debug_locks: *1' /proc/lockdep_stats ||
		fail "lockdep is off: $(grep debug_locks /proc/lockdep_stats)"
	# Two scans: kmemleak holds back an object whose contents changed
	# since the previous scan (its checksum), so a first scan after the
	# allocation reports nothing.
	sleep 6
	echo scan >"$DEBUGFS/kmemleak"
	echo scan >"$DEBUGFS/kmemleak"
	cat "$DEBUGFS/kmemleak" | split_leaks
	n=$(grep -c '^unreferenced object' /tmp/leaks.ours || true)
	known=$(grep -c '^unreferenced object' /tmp/leaks.known || true)
	[ "$known" = 0 ] || echo "kmemleak: $known objects of known leaks elsewhere ($KNOWN_LEAKS)"
	if [ "$n" -gt 0 ]; then
		head -n 40 /tmp/leaks.ours
		fail "kmemleak: $n unreferenced objects"
	fi
	if dmesg | grep -E "$DEBUG_REPORTS"; then
		fail "the checkers reported trouble (above)"
	fi
	echo "debug: KASAN, kmemleak (0 suspects), lockdep (on), ODEBUG, DMA-API, atomic-sleep: no reports"
}

# ---------------------------------------------------------------- cycles

# 64 KiB piece $1 of the pattern.
pattern_piece() {
	dd if="$PATTERN" bs=64k skip="$1" count=1 status=none
}

# Writes piece $1 of the pattern to vda at 16 MiB + piece offset, with
# O_DIRECT, and reads it back.
piece_io() {
	local piece=$1 want got
	pattern_piece "$piece" | dd of=/dev/vda bs=64k seek=$((256 + piece)) oflag=direct conv=fsync status=none
	want=$(pattern_piece "$piece" | sha256sum)
	got=$(dd if=/dev/vda bs=64k skip=$((256 + piece)) count=1 iflag=direct status=none | sha256sum)
	[ "${got%% *}" = "${want%% *}" ] || fail "piece $piece read back wrong"
}

# The disk and NIC A, the functions the cycles move.
cycle_bdfs() {
	virtio_bdfs "$BLK_ID"
	virtio_bdfs "$NET_ID" | head -n 1
}

cycled_gone() {
	[ ! -e /sys/block/vda ] && ! have_nic "$MAC_A"
}

cycled_present() {
	[ -b /dev/vda ] && have_nic "$MAC_A"
}

# $1 rounds: the disk and NIC A unbound (both must go), bound again (both
# must come back), then block I/O with a checksum; every 25th round also a
# ping from NIC A to NIC B, which stays bound as the peer.
t_dbg_cycles() {
	local n=$1 i=0 drv bdfs bdf start
	drv=$PCI_DRVS/$(want_driver)
	bdfs=$(cycle_bdfs)
	start=$(date +%s)
	while [ "$i" -lt "$n" ]; do
		for bdf in $bdfs; do
			echo "$bdf" >"$drv/unbind"
		done
		cycled_gone || fail "round $i: the disk or NIC A outlived the unbind"
		for bdf in $bdfs; do
			echo "$bdf" >"$drv/bind"
		done
		wait_for 30 cycled_present || fail "round $i: the disk or NIC A did not come back"
		piece_io $((i % 128))
		if [ $((i % 25)) = 24 ]; then
			net_setup >/dev/null
			ping_all ping -c 5 -i 0.2 -w 30 "$IP_B" >/dev/null
		fi
		i=$((i + 1))
	done
	check_bound
	echo "cycles: $n rounds of unbind/bind with I/O in $(($(date +%s) - start)) s"
}

# ---------------------------------------------------------------- fail-nth

# Lets both fault injectors fail any allocation, sleeping or not, of any
# order, quietly, but only one made by the transport's code: its module's
# text must be among the innermost failnth_depth return addresses of the
# allocation (the injector's and the allocator's own frames included).  Six
# takes in the transport's own allocations and those the kernel functions
# it calls make themselves (devres, ioremap, request_irq's action, the
# virtqueue rings via the virtio core, MSI-X descriptors, debugfs), and
# keeps out what lies deeper, in code that does not survive a failure: the
# irq core ignores a /proc/irq/N entry it could not create and WARNs when
# it removes it, and ACPICA's _PRT evaluation, reached from
# pci_enable_device(), corrupts its state on AE_NO_MEMORY (6.12.117: a
# KASAN use-after-free at the next evaluation).  Which allocation fails is
# fail-nth's choice.
failnth_depth() {
	cmdline vpl.failnth_depth 6
}

# "START END" (hex, no 0x) of the module's code: its lowest text symbol,
# and the first symbol of anything above its highest one.  Addresses are
# compared as fixed-width strings: awk's doubles cannot hold 64 bits.
module_text_range() {
	awk -v m="[$1]" '
	$4 == m && ($2 == "t" || $2 == "T") {
		if (lo == "" || $1 < lo) lo = $1
		if ($1 > hi) hi = $1
	}
	{ addr[NR] = $1 }
	END {
		for (i = 1; i <= NR; i++)
			if (addr[i] > hi && (end == "" || addr[i] < end)) end = addr[i]
		print lo, end
	}' /proc/kallsyms
}

failnth_setup() {
	local d range start end
	mount_debugfs
	range=$(module_text_range virtio_pci_layout)
	start=${range% *}
	end=${range#* }
	if [ -z "$start" ] || [ -z "$end" ]; then
		fail "no text range for virtio_pci_layout: '$range'"
	fi
	for d in failslab fail_page_alloc; do
		echo N >"$DEBUGFS/$d/ignore-gfp-wait"
		echo 0 >"$DEBUGFS/$d/verbose"
		echo "0x$start" >"$DEBUGFS/$d/require-start"
		echo "0x$end" >"$DEBUGFS/$d/require-end"
		failnth_depth >"$DEBUGFS/$d/stacktrace-depth"
	done
	echo 0 >"$DEBUGFS/fail_page_alloc/min-order"
	echo N >"$DEBUGFS/fail_page_alloc/ignore-gfp-highmem"
	echo "fault injection: callers in 0x$start..0x$end, depth $(failnth_depth)"
}

# Binds function $1 with the $2-th allocation of this task failing; sets
# FAILNTH_HIT to 1 when the fault was injected, 0 when the bind made fewer
# allocations.  The bind file is opened first, so that counting starts at
# the write.  Everything here runs in this very shell process (builtins, no
# command substitution): fail-nth belongs to one task.
bind_failing() {
	local bdf=$1 nth=$2 left
	exec 3>"$PCI_DRVS/virtio-pci-layout/bind"
	echo "$nth" >/proc/self/fail-nth
	echo "$bdf" >&3 2>/dev/null || true
	read -r left </proc/self/fail-nth
	echo 0 >/proc/self/fail-nth
	exec 3>&-
	if [ "$left" = 0 ]; then FAILNTH_HIT=1; else FAILNTH_HIT=0; fi
}

# What function $1 looks like now, for the log.
function_state() {
	local bdf=$1 v
	v=$(virtio_dev_of "$bdf" || echo none)
	echo "driver=$(pci_driver_of "$bdf") virtio=$v class=$(
		[ "$v" != none ] && [ -e "$PCI_DEVS/$bdf/$v/driver" ] &&
			basename "$(readlink "$PCI_DEVS/$bdf/$v/driver")" || echo none)"
}

# The device function $2 (virtio device id) comes back: bound to us with
# its class driver, and doing I/O.
failnth_check_usable() {
	local kind=$1 bdf=$2
	echo "$bdf" >"$PCI_DRVS/virtio-pci-layout/bind"
	case $kind in
	blk)
		wait_for 30 test -b /dev/vda || fail "no vda after a clean bind"
		piece_io 0
		;;
	net)
		wait_for 30 have_nic "$MAC_A" || fail "no NIC A after a clean bind"
		;;
	esac
}

# Fails the 1st, 2nd, ... allocation of binding the $1 function (blk or
# net A) until a bind runs without reaching the n-th allocation.  After
# each: the function is unbound if it ended bound, bound cleanly, checked
# usable and unbound again.
t_dbg_failnth() {
	local kind=$1 bdf nth=1 hits=0 state
	case $kind in
	blk) bdf=$(virtio_bdfs $BLK_ID) ;;
	net) bdf=$(virtio_bdfs $NET_ID | head -n 1) ;;
	esac
	failnth_setup
	echo "$bdf" >"$PCI_DRVS/virtio-pci-layout/unbind"
	while :; do
		bind_failing "$bdf" "$nth"
		state=$(function_state "$bdf")
		[ "$FAILNTH_HIT" = 1 ] || break
		hits=$((hits + 1))
		echo "fail #$nth: $state"
		[ "$(pci_driver_of "$bdf")" = none ] ||
			echo "$bdf" >"$PCI_DRVS/virtio-pci-layout/unbind"
		failnth_check_usable "$kind" "$bdf"
		echo "$bdf" >"$PCI_DRVS/virtio-pci-layout/unbind"
		nth=$((nth + 1))
		[ "$nth" -lt 5000 ] || fail "more than 5000 allocations in one bind?"
	done
	echo "no fault at #$nth: $state"
	[ "$hits" -gt 0 ] || fail "no allocation of the bind was failed: the filter lets nothing through"
	[ "$(pci_driver_of "$bdf")" = virtio-pci-layout ] || fail "the last bind did not bind"
	echo "failnth-$kind: each of the $hits allocations of the bind failed in turn, each time recovered"
}

scenario_dbg_cycles() {
	run_test bind 120 t_bind
	run_test blk-pattern 300 t_blk_pattern 0
	run_test cycles $((300 + 5 * $(cmdline vpl.cycles))) t_dbg_cycles "$(cmdline vpl.cycles)"
	run_test cycles-blk-pattern 300 t_blk_pattern 32
	run_test cycles-net 300 t_net_all
}

scenario_dbg_failnth() {
	run_test bind 120 t_bind
	run_test blk-pattern 300 t_blk_pattern 0
	run_test failnth-blk 3000 t_dbg_failnth blk
	run_test failnth-net 3000 t_dbg_failnth net
	run_test after-blk-pattern 300 t_blk_pattern 16
	run_test after-net 300 t_net_all
}

# ---------------------------------------------------------------- unplug

UNPLUG_PIDS=

# Block and network I/O that runs until the devices go away: a writer
# loop on the disk (beyond the first pattern) and a ping flood.
unplug_start_io() {
	(blk_write_loop /dev/vda 16
		echo "writer stopped" >/tmp/writer.end) >/tmp/writer.log 2>&1 &
	UNPLUG_PIDS=$!
	(ping -i 0.05 "$IP_B" >/tmp/ping.log 2>&1; echo "ping stopped" >>/tmp/ping.log) &
	UNPLUG_PIDS="$UNPLUG_PIDS $!"
}

blk_gone() {
	[ ! -e /sys/block/vda ] && [ -z "$(virtio_bdfs $BLK_ID)" ]
}

nic_a_gone() {
	! have_nic "$MAC_A" && [ "$(virtio_bdfs $NET_ID | wc -l)" = 1 ]
}

# The host removes the disk and NIC A (QMP device_del) while both carry
# I/O; the removal must finish within a bound and the writer must see I/O
# errors instead of hanging.
t_unplug_during_io() {
	assert_drivers
	net_setup >/dev/null
	unplug_start_io
	sleep 2
	[ ! -e /tmp/writer.end ] || fail "the writer stopped before the unplug: $(cat /tmp/writer.log)"
	# Both at once; the agent answers when QEMU has deleted both.
	host_request "unplug blk1 net1" 60
	wait_for 60 blk_gone || fail "the disk is still there 60 s after the unplug request"
	wait_for 60 nic_a_gone || fail "NIC A is still there 60 s after the unplug request"
	wait_for 60 test -e /tmp/writer.end || fail "the writer hangs after the disk left"
	echo "writer: $(tr '\n' ' ' </tmp/writer.log)"
	grep -q -i -E 'error|no such|fail' /tmp/writer.log || fail "the writer saw no I/O error"
	tail -n 3 /tmp/ping.log
	dmesg | grep -E 'virtio-pci-layout|pciehp|acpiphp' | tail -n 8
}

# After the unplug: nothing of the two functions is left anywhere.
t_unplug_gone() {
	local n
	[ ! -e /sys/block/vda ] || fail "vda still exists"
	! have_nic "$MAC_A" || fail "NIC A still exists"
	mount_debugfs
	n=$(ls "$DEBUGFS/virtio-pci-layout" | wc -l)
	[ "$n" = 1 ] || fail "$n debugfs entries, want 1 (NIC B only): $(ls "$DEBUGFS/virtio-pci-layout")"
	n=$(ls /sys/bus/virtio/devices | wc -l)
	[ "$n" = 1 ] || fail "$n virtio devices left, want 1: $(ls /sys/bus/virtio/devices)"
	echo "unplug: disk, NIC A, their virtio devices and debugfs entries are gone"
}

# The host plugs both back in; they must bind again on their own.
t_replug() {
	host_request "plug-blk blk1 rp1 @hd0"
	host_request "plug-net net1 rp2 $MAC_A 0"
	wait_for 60 devices_present || fail "devices did not come back: $(ls /sys/block) / $(ls /sys/class/net)"
	check_bound
}

scenario_dbg_unplug() {
	run_test bind 120 t_bind
	run_test blk-pattern 300 t_blk_pattern 0
	run_test unplug-during-io 240 t_unplug_during_io
	run_test unplug-gone 60 t_unplug_gone
	run_test replug 120 t_replug
	run_test replug-blk-pattern 300 t_blk_pattern 32
	run_test replug-net 300 t_net_all
}
