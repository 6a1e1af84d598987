# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # POSIX plus local: bash on the host, busybox ash in the guest
#
# scenarios-hostile.sh - real QEMU devices that lie through their BARs (the
# behaviours are tests/guest/hostile.cases).  One file for the family: the
# host side declares the scenario (the interface is at the top of
# tests/lib/scenarios.sh), the guest side runs it.  Our transport only: the lies
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
# ends the boot and fails every test not yet reported.  In the guest the
# transport is the module's test build with the register fault injector,
# loaded with reset_timeout_ms=300.

# ================================================================ host side
hostile_scenarios() {
	[ "$2" != ours ] || echo hostile
}

hostile_has() {
	[ "$1" = hostile ]
}

hostile_describe() {
	echo "every behaviour of tests/guest/hostile.cases (a device that lies in its registers, found by the fault build's rules) and random sequences of lies: the guest survives, the function binds and works or is shut off with the expected message"
}

# Random lie sequences (hostile-fuzz) on SERIES $1: a few in the quick tier
# (5 on the debug kernel, where each takes 8 s), many in the full one;
# VPL_HOSTILE_FUZZ overrides.
hostile_fuzz_rounds() {
	if [ "$1" = debug ]; then
		vpl_tier_value VPL_HOSTILE_FUZZ 5 1000
	else
		vpl_tier_value VPL_HOSTILE_FUZZ 25 1000
	fi
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
	echo "vpl.irq=pervq vpl.nblk=1 vpl.nnet=2 vpl.fault=1 vpl.fuzz=$(hostile_fuzz_rounds "$1") vpl.hostile_light=$light ${seed:-} ${kunit:-}"
}

# 240 s on 6.1 and 6.12 under TCG, 1200 s on the debug kernel, which gets
# three times the limit; a random lie sequence takes 2 s, 8 s there.
hostile_timeout() {
	echo $((600 + 4 * $(hostile_fuzz_rounds "")))
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

# ================================================================ guest side
HOSTILE_FAULTS=/sys/kernel/debug/virtio-pci-layout/faults
HOSTILE_PARAMS=/sys/module/virtio_pci_layout/parameters
HOSTILE_TIMEOUT_MS=300
# The test build with the KUnit suites (the debug kernel's boots,
# vpl.kunit_seeds=N vpl.kunit_sequences=M).
HOSTILE_KUNIT=/vpl/kunit/virtio_pci_layout.ko
# vpl.hostile_light=1 (the debug kernel in make test): NICs are checked
# with fewer pings, and after a lie only by binding again; the disk is
# always read back.
hostile_light() {
	[ "$(cmdline vpl.hostile_light 0)" = 1 ]
}
# Scratch I/O of the disk, clear of the patterns the host checks (MiB).
HOSTILE_SCRATCH_MIB=48

# PCI function of TARGET.
hostile_bdf() {
	case $1 in
	blk) virtio_bdfs "$BLK_ID" ;;
	net) virtio_bdfs "$NET_ID" | head -n 1 ;;
	scsi) virtio_bdfs 0x1048 ;;
	console) virtio_bdfs 0x1043 ;;
	rng) virtio_bdfs 0x1044 ;;
	balloon) virtio_bdfs 0x1045 ;;
	*) fail "unknown target '$1'" ;;
	esac
}

# Writes the rules $2 (see hostile.cases) for function $1: fault rules to
# the injector, inject:MODE loads vpl_inject, param:NAME=VALUE sets a
# module parameter.
hostile_rules() {
	local bdf=$1 rule
	[ "$2" != - ] || return 0
	for rule in $(echo "$2" | tr ';' ' '); do
		case $rule in
		inject:*) modprobe vpl_inject devices="$bdf" modes="${rule#inject:}" ;;
		param:*)
			rule=${rule#param:}
			echo "${rule#*=}" >"$HOSTILE_PARAMS/${rule%%=*}"
			;;
		*) echo "$bdf $(echo "$rule" | tr ':' ' ')" >"$HOSTILE_FAULTS" ||
			fail "the injector refused rule '$rule'" ;;
		esac
	done
}

# Interrupts the injector has raised for queues being reset, so far.
hostile_storms() {
	sed -n 's/^storm interrupts raised: //p' "$HOSTILE_FAULTS"
}

# Ends every lie told for function $1.
hostile_truth() {
	echo "clear $1" >"$HOSTILE_FAULTS"
	echo 0 >"$HOSTILE_PARAMS/notify_map_max"
	! module_loaded vpl_inject || rmmod vpl_inject
}

hostile_unbind() {
	[ ! -e "$PCI_DEVS/$1/driver" ] || echo "$1" >"$PCI_DEVS/$1/driver/unbind"
}

# Binding is synchronous, the class driver's probe included; a refused
# function makes the write fail, which is one of the outcomes.
hostile_bind() {
	echo "$1" >"$PCI_DRVS/virtio-pci-layout/bind" 2>/dev/null || true
}

# The class driver bound to function $1's virtio device, or "none".
hostile_class_driver() {
	local v
	v=$(virtio_dev_of "$1") || { echo none; return 0; }
	if [ -e "$PCI_DEVS/$1/$v/driver" ]; then
		basename "$(readlink "$PCI_DEVS/$1/$v/driver")"
	else
		echo none
	fi
}

# bind, nodev or reject, as function $1 is now.
hostile_outcome() {
	if [ "$(pci_driver_of "$1")" != virtio-pci-layout ]; then
		echo reject
	elif [ "$(hostile_class_driver "$1")" = none ]; then
		echo nodev
	else
		echo bind
	fi
}

hostile_debugfs() {
	cat "/sys/kernel/debug/virtio-pci-layout/$1" 2>/dev/null
}

# Disk node of function $1.
hostile_disk() {
	local dev
	dev=$(blkdev_of "$1") && echo "/dev/$dev"
}

# Uses TARGET's function $2 for real: checksummed I/O, ping, random bytes.
hostile_io() {
	local target=$1 bdf=$2 disk want got
	case $target in
	blk)
		wait_for 30 hostile_disk "$bdf" || fail "no disk below $bdf"
		disk=$(hostile_disk "$bdf")
		dd if="$PATTERN" of="$disk" bs=1M count=1 seek="$HOSTILE_SCRATCH_MIB" \
			oflag=direct conv=fsync status=none
		want=$(dd if="$PATTERN" bs=1M count=1 status=none | sha256sum)
		got=$(dd if="$disk" bs=1M count=1 skip="$HOSTILE_SCRATCH_MIB" \
			iflag=direct status=none | sha256sum)
		[ "${got%% *}" = "${want%% *}" ] || fail "$disk read back wrong data"
		echo "io: 1 MiB written and read back on $disk, checksum matches"
		;;
	net)
		wait_for 30 have_nic "$MAC_A" || fail "no NIC with MAC $MAC_A"
		net_setup
		if hostile_light; then
			ping -c 2 -i 0.2 -w 30 "$IP_B" | grep -q '2 packets received' ||
				fail "ping lost packets"
			echo "net: 2 pings answered"
		else
			ping_all ping -c 5 -i 0.2 -w 30 "$IP_B"
			ping_all in_ns ping -c 5 -i 0.2 -w 30 "$IP_A"
		fi
		;;
	rng)
		grep -q virtio_rng /sys/class/misc/hw_random/rng_available ||
			fail "virtio_rng is not an available rng"
		tr ' ' '\n' </sys/class/misc/hw_random/rng_available | grep virtio_rng |
			head -n 1 >/sys/class/misc/hw_random/rng_current
		got=$(dd if=/dev/hwrng bs=64 count=1 status=none | wc -c)
		[ "$got" = 64 ] || fail "read $got bytes from /dev/hwrng, want 64"
		echo "io: 64 bytes from $(cat /sys/class/misc/hw_random/rng_current)"
		;;
	*) echo "io: bound to $(hostile_class_driver "$bdf")" ;;
	esac
}

# The disk keeps its data while other functions lie (unless it lies).
hostile_disk_intact() {
	local want got disk
	disk=$(hostile_disk "$(hostile_bdf blk)") || fail "the disk is gone"
	want=$(dd if="$PATTERN" bs=1M count=1 status=none | sha256sum)
	got=$(dd if="$disk" bs=1M count=1 iflag=direct status=none | sha256sum)
	[ "${got%% *}" = "${want%% *}" ] || fail "the disk's first MiB read back wrong"
}

# The interrupt mode of function $1, from debugfs.
hostile_mode() {
	hostile_debugfs "$1" | sed -n 's/^irq_mode: //p'
}

# The shared vector of function $1 carries an affinity hint.
hostile_hint() {
	local irq hint
	irq=$(hostile_debugfs "$1" | sed -n 's/^shared_irq: //p')
	[ -n "$irq" ] || fail "no shared vector"
	hint=$(cat "/proc/irq/$irq/affinity_hint")
	echo "shared irq $irq: affinity_hint $hint"
	case $hint in *[1-9a-f]*) ;; *) fail "no affinity hint on the shared vector" ;; esac
}

# Resizes NIC A's rings (per-queue reset of every queue) under traffic;
# prints the ethtool result, fails if ethtool fails and $1 is not "fail".
hostile_resize() {
	local want=$1 nic rc=0 flood
	net_setup
	nic=$(nic_by_mac "$MAC_A")
	if [ "$want" = fail ]; then
		# Only rx: a tx queue the device reset behind the driver's back
		# would set off the TX watchdog's WARN.  No traffic: the refusal
		# shuts the device off, and 6.1's virtio_net then spins in its
		# transmit path on completions the broken ring never hands back
		# (Documentation/threat-model.rst, "Out of scope").
		ethtool -G "$nic" rx 128 || rc=$?
	else
		ping -c 400 -i 0.01 -w 60 -q "$IP_B" >/tmp/flood.log 2>&1 &
		flood=$!
		ethtool -G "$nic" rx 128 tx 128 || rc=$?
		[ "$rc" != 0 ] || ethtool -G "$nic" rx 256 tx 256 || rc=$?
		wait "$flood" || true
	fi
	ethtool -g "$nic" | tail -n 6 || true
	if [ "$want" = fail ]; then
		[ "$rc" != 0 ] || fail "the resize succeeded, want it refused"
		echo "resize refused (ethtool: $rc)"
		return 0
	fi
	[ "$rc" = 0 ] || fail "ethtool -G failed: $rc"
	tail -n 2 /tmp/flood.log
}

# Starts using TARGET's function $2 in the background, for its removal;
# sets HOSTILE_LOAD to the pid.
hostile_load_start() {
	case $1 in
	net)
		net_setup
		ping -i 0.02 -w 120 "$IP_B" >/tmp/load.log 2>&1 &
		;;
	rng)
		hostile_io rng "$2"
		dd if=/dev/hwrng of=/dev/null bs=64 count=100000 >/tmp/load.log 2>&1 &
		;;
	*)
		sh -c 'sleep 120' &
		;;
	esac
	HOSTILE_LOAD=$!
}

# The function is gone; the PCI core removes it (as pciehp would); the
# load must end, nothing of the function may be left; a rescan finds it
# again.
hostile_remove() {
	local target=$1 bdf=$2 start secs v
	v=$(virtio_dev_of "$bdf")
	hostile_load_start "$target" "$bdf"
	sleep 1
	hostile_rules "$bdf" "$3"
	start=$(date +%s)
	echo 1 >"$PCI_DEVS/$bdf/remove"
	secs=$(($(date +%s) - start))
	echo "removed in ${secs}s"
	kill "$HOSTILE_LOAD" 2>/dev/null || true
	wait "$HOSTILE_LOAD" 2>/dev/null || true
	tail -n 3 /tmp/load.log 2>/dev/null || true
	[ "$secs" -le 30 ] || fail "removal took ${secs}s"
	[ ! -e "$PCI_DEVS/$bdf" ] || fail "$bdf still exists"
	[ ! -e "/sys/bus/virtio/devices/$v" ] || fail "$v still exists"
	[ -z "$(hostile_debugfs "$bdf")" ] || fail "debugfs entry of $bdf left"
	hostile_truth "$bdf"
	echo 1 >/sys/bus/pci/rescan
	wait_for 30 test -e "$PCI_DEVS/$bdf/driver" || fail "$bdf did not come back after a rescan"
}

# A behaviour that failed half way may have left its function lying or
# unbound: every function tells the truth and is bound before the next one.
hostile_restore() {
	local bdf
	for bdf in $(virtio_bdfs); do
		[ "$(pci_driver_of "$bdf")" != virtio-pci-layout ] || continue
		echo "restoring $bdf, left unbound by an earlier test"
		hostile_truth "$bdf"
		hostile_bind "$bdf"
	done
}

# One behaviour of hostile.cases.
t_hostile() {
	local name=$1 target=$2 phase=$3 rules=$4 expect=$5 msg=$6
	local bdf got want log e storms
	mount_debugfs
	hostile_restore
	bdf=$(hostile_bdf "$target")
	[ -n "$bdf" ] || fail "no $target function"
	hostile_unbind "$bdf"
	hostile_truth "$bdf"
	dmesg -c >/dev/null
	case $phase in
	probe | resize)
		hostile_rules "$bdf" "$rules"
		hostile_bind "$bdf"
		;;
	unbind | remove)
		hostile_bind "$bdf"
		[ "$(hostile_outcome "$bdf")" = bind ] || fail "$bdf did not bind honestly"
		;;
	*) fail "unknown phase '$phase'" ;;
	esac
	got=$(hostile_outcome "$bdf")
	echo "$name: $target $bdf: $got, mode $(hostile_mode "$bdf")"
	for e in $(echo "$expect" | tr ',' ' '); do
		case $e in
		-) ;;
		bind | nodev | reject) [ "$got" = "$e" ] || fail "outcome $got, want $e" ;;
		any) ;;
		mode=*)
			want=${e#mode=}
			[ "$(hostile_mode "$bdf")" = "$want" ] ||
				fail "irq mode '$(hostile_mode "$bdf")', want $want"
			;;
		io) [ "$phase" = resize ] || hostile_io "$target" "$bdf" ;;
		hint) hostile_hint "$bdf" ;;
		perq) hostile_debugfs "$bdf" | grep -q '(per queue)' || fail "doorbells not mapped per queue" ;;
		noresize | storm) ;;
		nomaster)
			# PCI_COMMAND's bus master bit (config byte 4, bit 2).
			want=$(od -An -tx1 -j4 -N1 "$PCI_DEVS/$bdf/config" | tr -d ' ')
			echo "PCI_COMMAND low byte: 0x$want"
			[ $((0x$want & 4)) = 0 ] || fail "bus mastering is still on"
			;;
		*) fail "unknown expectation '$e'" ;;
		esac
	done
	case $phase in
	resize)
		storms=$(hostile_storms)
		case $expect in
		*noresize*) hostile_resize fail ;;
		*) hostile_resize ok ;;
		esac
		storms=$(($(hostile_storms) - storms))
		echo "interrupts raised while a queue was reset: $storms"
		case ,$expect, in
		*,storm,*) [ "$storms" -gt 0 ] || fail "no interrupt was raised during a queue reset" ;;
		esac
		;;
	unbind)
		hostile_rules "$bdf" "$rules"
		hostile_unbind "$bdf"
		;;
	remove) hostile_remove "$target" "$bdf" "$rules" ;;
	esac
	log=$(dmesg)
	echo "$log" | grep -E 'virtio|vpl' | tail -n 25 | sed 's/^/  /' || true
	case $msg in
	-) ;;
	!*) ! printf '%s\n' "$log" | grep -qF -- "${msg#!}" || fail "the log has '${msg#!}'" ;;
	*) printf '%s\n' "$log" | grep -qF -- "$msg" || fail "the log lacks '$msg'" ;;
	esac

	# The truth again: the function binds and works.
	hostile_truth "$bdf"
	hostile_unbind "$bdf"
	hostile_bind "$bdf"
	[ "$(hostile_outcome "$bdf")" = bind ] || fail "$bdf does not bind again after the lie"
	hostile_light && [ "$target" != blk ] || hostile_io "$target" "$bdf"
	[ "$target" = blk ] || hostile_disk_intact
}

# The KUnit suites (the debug kernel: kmemleak, debug objects and the
# DMA-API checks besides KASAN and lockdep), with $1 seeds of the model's
# random device behaviour; the scenario's debug-reports test then scans for
# leaks and reports.  They live in a test build of the module itself and run
# as it loads: it takes the place of the fault build for the time, and the
# real functions go to it and back.  The model's messages (thousands) stay
# out of the serial console.
t_hostile_kunit() {
	local level hung verdict
	[ -e "$HOSTILE_KUNIT" ] || fail "no $HOSTILE_KUNIT: the kernel has no KUnit?"
	mount_debugfs
	# allnoconfig leaves KUNIT_DEFAULT_ENABLED off.
	modprobe kunit enable=1 || fail "no kunit module"
	rmmod virtio_pci_layout || fail "the fault build does not unload"
	level=$(cut -f1 /proc/sys/kernel/printk)
	dmesg -n 1
	# insmod sleeps while each case runs, a random-device case for a minute
	# or two: the hung-task watchdog would call that a hang.
	hung=$(cat /proc/sys/kernel/hung_task_timeout_secs 2>/dev/null || echo)
	[ -z "$hung" ] || echo 900 >/proc/sys/kernel/hung_task_timeout_secs
	if insmod "$HOSTILE_KUNIT" fuzz_seeds="$1" fuzz_sequences="$2"; then
		verdict=$(hostile_kunit_results)
	else
		verdict="insmod of the KUnit build failed"
	fi
	[ -z "$hung" ] || echo "$hung" >/proc/sys/kernel/hung_task_timeout_secs
	dmesg -n "$level"
	# The fault build back in any case, or the later tests fail with it.
	if module_loaded virtio_pci_layout; then
		wait_for 30 devices_present || verdict="${verdict:-the devices did not bind to the KUnit build}"
		rmmod virtio_pci_layout || fail "the KUnit build does not unload"
	fi
	insmod /vpl/fault/virtio_pci_layout.ko reset_timeout_ms="$HOSTILE_TIMEOUT_MS" ||
		fail "the fault build does not load again"
	[ -z "$verdict" ] || fail "$verdict"
	wait_for 30 devices_present || fail "the devices did not come back"
	hostile_disk_intact
}

# Prints each suite's summary; the last line says what failed, if anything.
hostile_kunit_results() {
	local suite res
	for suite in virtio_pci_layout_parse virtio_pci_layout_transport; do
		res=/sys/kernel/debug/kunit/$suite/results
		[ -e "$res" ] || { echo "no results for $suite"; return; }
		grep -E '^ *(not ok|# vpl_model_fuzz.*sequences)' "$res" >&2 || true
		! grep -q '^ *not ok' "$res" || { echo "$suite: a case failed"; return; }
		tail -n 1 "$res" | grep -q "^ok [0-9]* $suite" ||
			{ echo "$suite: no result: $(tail -n 3 "$res")"; return; }
		echo "$suite: $(grep -c '^    ok ' "$res") cases passed" >&2
	done
}

# reset_timeout_ms: 0 would mean no bound at all; above 60000 is refused.
t_hostile_timeout_bounds() {
	local p=$HOSTILE_PARAMS/reset_timeout_ms v
	dmesg -c >/dev/null
	for v in 0 60001 -1 x; do
		! echo "$v" >"$p" 2>/dev/null || fail "reset_timeout_ms=$v accepted"
	done
	[ "$(cat "$p")" = "$HOSTILE_TIMEOUT_MS" ] || fail "reset_timeout_ms is $(cat "$p")"
	dmesg | grep -F 'reset_timeout_ms=0 refused: must be 1 to 60000' || fail "no message naming the bounds"
	echo 60000 >"$p"
	echo "$HOSTILE_TIMEOUT_MS" >"$p"
}

# Random lies (a seed per boot, printed): a rule drawn from registers x
# actions x moments, told to NIC A or the scsi function from before the
# bind and through the unbind.  Nothing may WARN or hang; afterwards both
# bind and work.  Left out, as in hostile.cases: lies that make device and
# driver disagree about a ring (feature words, queue sizes, doorbells,
# dropped queue writes), after which the class drivers wait unbounded.
t_hostile_fuzz() {
	local rounds=$1 seed target rule bdf n=0 outcomes
	mount_debugfs
	seed=$(cmdline vpl.fuzz_seed "$(date +%s)")
	echo "fuzz: $rounds rounds, seed $seed"
	awk -v n="$rounds" -v seed="$seed" 'BEGIN {
		srand(seed)
		nr = split("device_status num_queues queue_msix_vector msix_config queue_enable config_generation queue_reset isr device+0 device+4 device+6 all", regs)
		na = split("ones random value=0x0 value=0x1 or=0x4 or=0x40 or=0x80 value=0xffff", acts)
		for (i = 0; i < n; i++) {
			r = regs[int(rand() * nr) + 1]
			a = acts[int(rand() * na) + 1]
			if (r == "all") a = "gone"
			if ((r == "msix_config" || r == "queue_msix_vector") && rand() < 0.2) a = "drop"
			w = rand() < 0.4 ? "every" : (rand() < 0.5 ? "nth=" : "from=") (int(rand() * 40) + 1)
			print (rand() < 0.7 ? "net" : "scsi"), r ":" w ":" a
		}
	}' >/tmp/fuzz.txt
	outcomes=
	while read -r target rule; do
		n=$((n + 1))
		bdf=$(hostile_bdf "$target")
		hostile_unbind "$bdf"
		hostile_truth "$bdf"
		hostile_rules "$bdf" "$rule"
		hostile_bind "$bdf"
		outcomes="$outcomes $(hostile_outcome "$bdf")"
		hostile_unbind "$bdf"
	done </tmp/fuzz.txt
	for target in net scsi; do
		bdf=$(hostile_bdf "$target")
		hostile_truth "$bdf"
		hostile_bind "$bdf"
		[ "$(hostile_outcome "$bdf")" = bind ] || fail "$target does not bind after the fuzzing"
	done
	echo "fuzz: $n sequences, outcomes:$(echo "${outcomes# }" | tr ' ' '\n' | sort | uniq -c | tr -s ' \n' ' ')"
	hostile_io net "$(hostile_bdf net)"
	hostile_disk_intact
}

# rmmod with every function's reset stuck: each remove gives up after the
# bound, shuts its device off and goes on; the module is gone, with no
# WARN.  Then a load with reset_timeout_ms=0 is refused, and a proper load
# binds everything again.
t_hostile_rmmod() {
	local bdf start secs
	mount_debugfs
	dmesg -c >/dev/null
	for bdf in $(virtio_bdfs); do
		echo "$bdf device_status every value=0x1" >"$HOSTILE_FAULTS"
	done
	start=$(date +%s)
	rmmod virtio_pci_layout
	secs=$(($(date +%s) - start))
	echo "rmmod took ${secs}s"
	dmesg | grep -c 'device_status stuck at 0x1' | sed 's/^/functions shut off: /'
	! module_loaded virtio_pci_layout || fail "the module is still loaded"
	[ -z "$(ls /sys/bus/virtio/devices)" ] || fail "virtio devices left: $(ls /sys/bus/virtio/devices)"
	! insmod /vpl/fault/virtio_pci_layout.ko reset_timeout_ms=0 2>/dev/null ||
		fail "loaded with reset_timeout_ms=0"
	dmesg | grep -F 'reset_timeout_ms=0 refused: must be 1 to 60000' || fail "no message naming the bounds"
	insmod /vpl/fault/virtio_pci_layout.ko reset_timeout_ms="$HOSTILE_TIMEOUT_MS"
	wait_for 30 devices_present || fail "the devices did not come back"
	hostile_disk_intact
}

scenario_hostile() {
	local name target phase rules expect msg
	# The class drivers of the further functions bind as they appear.
	setup modprobe -a virtio_scsi sd_mod virtio_console virtio_rng virtio_balloon
	run_test bind 120 t_bind
	run_test blk-pattern 180 t_blk_pattern 0
	while read -r name target phase rules expect msg <&3; do
		case $name in '' | '#'*) continue ;; esac
		run_test "$name" 150 t_hostile "$name" "$target" "$phase" "$rules" "$expect" "$msg"
	done 3<"$VPL_DIR/hostile.cases"
	run_test reset-timeout-bounds 30 t_hostile_timeout_bounds
	run_test fuzz $((300 + 10 * $(cmdline vpl.fuzz 25))) t_hostile_fuzz "$(cmdline vpl.fuzz 25)"
	# 25,000 sequences take about 300 s on the debug kernel under TCG.
	[ "$(cmdline vpl.kunit_seeds 0)" = 0 ] ||
		run_test kunit-suites $((300 + $(cmdline vpl.kunit_seeds 0) * $(cmdline vpl.kunit_sequences 25000) / 50)) \
			t_hostile_kunit "$(cmdline vpl.kunit_seeds 0)" "$(cmdline vpl.kunit_sequences 25000)"
	run_test after-blk-pattern 180 t_blk_pattern 32
	run_test after-net 240 t_net_all
	run_test rmmod-stuck-reset 120 t_hostile_rmmod
}
