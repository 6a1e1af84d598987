#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # busybox ash: POSIX plus local, like dash
#
# bench.sh - the benchmark guest (run by bench/guest/init).
#
# Both transports are registered in the same boot: our virtio-pci-layout
# and the in-tree virtio-pci (a module on 6.1, built in on 6.12).  Every
# virtio function starts with driver_override "none", so nothing binds it by
# itself; a measurement moves the functions it needs to one driver
# (driver_override + drivers_probe) and back off again (unbind).  The two
# drivers therefore see the same QEMU, kernel and devices, one after the
# other.
#
# vpl.bench=counts: the register-access boot.  QEMU traces every access;
#   each phase starts with a "phase NAME" marker on isa-debugcon and ends
#   with "idle", and the host counts what lies between.  The guest reports
#   the virtio interrupts it took per phase (/proc/interrupts) on ttyS1.
# vpl.bench=timing: no tracing.  Probe time of 1..64 virtio-blk functions,
#   fio random-read IOPS and pktgen packets per second, the two drivers
#   alternating (ours first in odd rounds, in-tree first in even ones).
#
# Results go to the result channel as "<kind> <driver> <args...>" lines; a
# fatal problem as "BENCH-FAIL reason".  Sizes and rounds come from the
# command line (vpl.sizes=, vpl.rounds=, vpl.prounds= for the probe-time
# rounds, vpl.secs=) so the host's quick mode
# needs no other guest.

# shellcheck source=../../scripts/guest/runtime.sh
. /vpl/runtime.sh
# shellcheck source=layout.sh
. /vpl/layout.sh

OURS=virtio-pci-layout
INTREE=virtio-pci
PKTGEN=/proc/net/pktgen
# The frames pktgen sends: to B's MAC, but to an IP address B does not have,
# so B's stack drops them quietly (no reply, no ICMP error).
PKTGEN_DST_IP=10.99.0.2

MODE=$(cmdline vpl.bench counts)
SIZES=$(cmdline vpl.sizes 1,8,32,64 | tr , ' ')
ROUNDS=$(cmdline vpl.rounds 5)
PROBE_ROUNDS=$(cmdline vpl.prounds "$ROUNDS")
SECS=$(cmdline vpl.secs 5)
HAVE_MQ=$(cmdline vpl.mqnet 0)
# Time left for deferred work (virtio-net's config work, the block layer's
# partition scan) before a phase is closed, so it is counted in the phase
# that caused it.
SETTLE_US=500000

bench_fail() {
	result "BENCH-FAIL $*"
	exit 1
}

mark() {
	/bin/vplbench mark "$@"
}

now_ns() {
	/bin/vplbench now
}

# ---------------------------------------------------------------- steering

# Moves functions to driver $1 ("none" binds nothing).  Writing
# drivers_probe runs the PCI probe, and with it the virtio driver's probe,
# before it returns.
attach() {
	local drv=$1 b
	shift
	for b in "$@"; do
		echo "$drv" >"$PCI_DEVS/$b/driver_override"
		echo "$b" >/sys/bus/pci/drivers_probe
	done
}

# Unbinds functions from whatever drives them and keeps them unbound.
detach() {
	local b
	for b in "$@"; do
		echo none >"$PCI_DEVS/$b/driver_override"
		[ ! -e "$PCI_DEVS/$b/driver" ] || echo "$b" >"$PCI_DEVS/$b/driver/unbind"
	done
}

# ready CLASS BDF...: true when every function given has its device of
# CLASS (block: its disk, net: its NIC): glob tests only, no fork, so the
# probe-time loop measures the probe and little else.
ready() {
	local class=$1 b
	shift
	for b in "$@"; do
		set -- "$PCI_DEVS/$b"/virtio*/"$class"/*
		[ -e "$1" ] || return 1
	done
}

# wait_ready CLASS BDF...: waits up to 30 s for ready CLASS BDF...
wait_ready() {
	wait_for 30 ready "$@" || bench_fail "$1 $2...: not ready after 30 s"
}

# Name of the disk, or of the NIC, below function $1.
blk_of() {
	set -- "$PCI_DEVS/$1"/virtio*/block/*
	[ -e "$1" ] || bench_fail "no disk below $1"
	basename "$1"
}

nic_of() {
	set -- "$PCI_DEVS/$1"/virtio*/net/*
	[ -e "$1" ] || bench_fail "no NIC below $1"
	basename "$1"
}

# Every virtio function unbound and steered to "none"; both PCI drivers
# registered.  On 6.12 the built-in virtio-pci bound everything at boot.
prepare() {
	local m b
	load_class_drivers
	modprobe pktgen
	# shellcheck disable=SC2046 # list of addresses
	detach $(virtio_bdfs)
	for m in virtio_ring virtio; do
		! have_module "$m" || modprobe "$m"
	done
	is_builtin virtio_pci || modprobe virtio_pci
	modprobe virtio_pci_layout
	# The counts boot says which code made each access (vpl_attr.ko,
	# built by bench/run.sh for this kernel): probes set before any
	# function is bound.
	if [ "$MODE" = counts ] && [ -e /vpl/vpl_attr.ko ]; then
		# Stacks cannot be walked out of optimised probes.
		[ ! -e /proc/sys/debug/kprobes-optimization ] ||
			echo 0 >/proc/sys/debug/kprobes-optimization
		insmod /vpl/vpl_attr.ko || bench_fail "vpl_attr.ko did not load"
		mount_debugfs
	fi
	for m in $OURS $INTREE; do
		[ -d "$PCI_DRVS/$m" ] || bench_fail "PCI driver $m is not registered"
	done
	# The first driver to enable a function also turns on its decoding in
	# the command register, which later binds find done: a few accesses
	# that would go to whichever driver came first.  On 6.12 the built-in
	# virtio-pci bound everything at boot; elsewhere, do the same here.
	if ! is_builtin virtio_pci; then
		# shellcheck disable=SC2046 # list of addresses
		attach $INTREE $(virtio_bdfs)
		# shellcheck disable=SC2046
		detach $(virtio_bdfs)
	fi
	for b in $(virtio_bdfs); do
		[ "$(pci_driver_of "$b")" = none ] || bench_fail "$b is bound to $(pci_driver_of "$b") after prepare"
	done
	result "# guest: kernel $KVER, $(grep -c ^processor /proc/cpuinfo) cpus, $(awk '/MemTotal/ { print $2 }' /proc/meminfo) kB," \
		"$(virtio_bdfs | wc -l) virtio functions, mode $MODE"
}

# ---------------------------------------------------------------- workloads

# Brings NIC $1 up and waits for its carrier.
nic_up() {
	ip link set "$1" up
	wait_for 10 grep -q 1 "/sys/class/net/$1/carrier" || bench_fail "$1: no carrier"
}

# The NICs below functions $1 and $2, up: NIC_A and NIC_B.
nic_pair() {
	NIC_A=$(nic_of "$1")
	NIC_B=$(nic_of "$2")
	nic_up "$NIC_A"
	nic_up "$NIC_B"
}

rx_packets() {
	cat "/sys/class/net/$1/statistics/rx_packets"
}

# Points pktgen's thread on CPU 0 at NIC $1: $3 minimum-size frames
# (0: until stopped) to MAC $2, one frame per transmit (no burst), so each
# frame is a separate kick unless the device suppressed notifications.
pktgen_setup() {
	local dev=$PKTGEN/$1
	echo rem_device_all >"$PKTGEN/kpktgend_0"
	echo "add_device $1" >"$PKTGEN/kpktgend_0"
	echo "count $3" >"$dev"
	echo "clone_skb 0" >"$dev"
	echo "pkt_size 60" >"$dev"
	echo "delay 0" >"$dev"
	echo "dst $PKTGEN_DST_IP" >"$dev"
	echo "dst_mac $2" >"$dev"
}

# Sends exactly $3 frames from NIC $1 to NIC $2 and waits until all arrived.
send_frames() {
	local from=$1 to=$2 n=$3 rx0
	rx0=$(rx_packets "$to")
	pktgen_setup "$from" "$(cat "/sys/class/net/$to/address")" "$n"
	echo start >"$PKTGEN/pgctrl"
	wait_for 30 rx_reached "$to" $((rx0 + n)) ||
		bench_fail "$to received $(($(rx_packets "$to") - rx0)) of $n frames"
}

rx_reached() {
	[ "$(rx_packets "$1")" -ge "$2" ]
}

# ---------------------------------------------------------------- counts mode

# The interrupt rows naming a virtio device, as "irq count" lines.
virtio_irqs() {
	irq_table | awk '/ virtio/ { print $1, $3 }'
}

PHASE=
IRQ0=

# A phase runs from its marker to the "idle" marker; the guest's own count
# of virtio interrupts in between goes to the result channel: the growth of
# every row, rows that appeared during the phase (a probe) counting whole.
# When a row went away (an unbind frees its interrupt and its count with
# it) the figure cannot be measured and is left out, not reported wrong.
begin() {
	PHASE=$1
	IRQ0=$(virtio_irqs)
	mark "phase $PHASE"
}

end() {
	local n
	usleep "$SETTLE_US"
	mark idle
	n=$(virtio_irqs | awk -v before="$IRQ0" '
		BEGIN {
			n = split(before, b, "\n")
			for (i = 1; i <= n; i++) if (split(b[i], f, " ") == 2) was[f[1]] = f[2]
		}
		{ t += $2 - (($1 in was) ? was[$1] : 0); seen[$1] = 1 }
		END {
			for (irq in was) if (!(irq in seen)) { print "gone"; exit }
			print t + 0
		}')
	[ "$n" = gone ] || result "irqs $PHASE $n"
}

# The I/O phases on disk $2 and from NIC $3 to NIC $4; $1 names them.
io_phases() {
	local sfx=$1 vd=$2 a=$3 b=$4
	begin "$DRV/read$sfx"
	dd if="/dev/$vd" of=/dev/null bs=4096 count=256 iflag=direct status=none
	end
	begin "$DRV/write$sfx"
	dd if=/dev/zero of="/dev/$vd" bs=4096 count=256 oflag=direct status=none
	end
	begin "$DRV/net$sfx"
	send_frames "$a" "$b" 1000
	end
}

counts_driver() {
	local blk neta netb mq blki netc netd vd n bdfs
	DRV=$1
	blk=$(bench_bdf "$BLK_SLOT")
	neta=$(bench_bdf "$NETA_SLOT")
	netb=$(bench_bdf "$NETB_SLOT")
	mq=$(bench_bdf "$MQNET_SLOT")
	blki=$(bench_bdf "$BLKI_SLOT")
	netc=$(bench_bdf "$NETC_SLOT")
	netd=$(bench_bdf "$NETD_SLOT")

	# MSI-X: probe each kind, run the I/O, unbind.
	begin "$DRV/probe-blk"; attach "$DRV" "$blk"; wait_ready block "$blk"; end
	begin "$DRV/probe-net"; attach "$DRV" "$neta"; wait_ready net "$neta"; end
	if [ "$HAVE_MQ" = 1 ]; then
		begin "$DRV/probe-mqnet"; attach "$DRV" "$mq"; wait_ready net "$mq"; end
	fi
	attach "$DRV" "$netb"
	wait_ready net "$netb"
	vd=$(blk_of "$blk")
	nic_pair "$neta" "$netb"
	io_phases "" "$vd" "$NIC_A" "$NIC_B"
	begin "$DRV/unbind-blk"; detach "$blk"; end
	begin "$DRV/unbind-net"; detach "$neta"; end
	if [ "$HAVE_MQ" = 1 ]; then
		begin "$DRV/unbind-mqnet"; detach "$mq"; end
	fi
	detach "$netb"

	# INTx: the same on the vectors=0 functions.
	begin "$DRV/probe-blk-intx"; attach "$DRV" "$blki"; wait_ready block "$blki"; end
	attach "$DRV" "$netc" "$netd"
	wait_ready net "$netc" "$netd"
	nic_pair "$netc" "$netd"
	io_phases -intx "$(blk_of "$blki")" "$NIC_A" "$NIC_B"
	begin "$DRV/unbind-blk-intx"; detach "$blki"; end
	detach "$netc" "$netd"

	# Probe and unbind of 1..64 functions at once.
	for n in $SIZES; do
		bdfs=$(scale_bdfs "$n")
		# shellcheck disable=SC2086 # list of addresses
		{
			begin "$DRV/probe-scale-$n"; attach "$DRV" $bdfs; wait_ready block $bdfs; end
			begin "$DRV/unbind-scale-$n"; detach $bdfs; end
		}
	done
}

# The call chains behind the markers of vpl_attr.ko, and its probes, on
# the result channel ("stack ...", "probe ..." lines) for bench/report.py.
attr_report() {
	local d=$DEBUGFS/vpl_attr
	[ -d "$d" ] || return 0
	echo 0 >/sys/module/vpl_attr/parameters/armed
	cat "$d/probes" "$d/stacks" >"$RESULTS"
	! grep -q '^overflow' "$d/stacks" || bench_fail "vpl_attr: more call chains than it can hold"
}

# ---------------------------------------------------------------- timing mode

# Driver order of round $1: ours first in odd rounds, in-tree first in even
# ones, so a drift over the run (other load on the host) hits both alike.
round_order() {
	if [ $(($1 % 2)) = 1 ]; then echo "$OURS $INTREE"; else echo "$INTREE $OURS"; fi
}

short() {
	[ "$1" = "$OURS" ] && echo ours || echo intree
}

# Microseconds from the first drivers_probe write to the last disk.
probe_time() {
	local drv=$1 t0 t1 tries=0
	shift
	t0=$(now_ns)
	attach "$drv" "$@"
	while ! ready block "$@"; do
		tries=$((tries + 1))
		[ "$tries" -lt 30000 ] || bench_fail "probe of $# functions on $drv did not finish"
		usleep 1000
	done
	t1=$(now_ns)
	echo $(((t1 - t0) / 1000))
}

timing_probe() {
	local r=1 n d bdfs us
	while [ "$r" -le "$PROBE_ROUNDS" ]; do
		for n in $SIZES; do
			bdfs=$(scale_bdfs "$n")
			for d in $(round_order "$r"); do
				# shellcheck disable=SC2086 # list of addresses
				us=$(probe_time "$d" $bdfs)
				result "probe-us $(short "$d") $n $r $us"
				# shellcheck disable=SC2086
				detach $bdfs
			done
		done
		r=$((r + 1))
	done
}

# 4 KiB random reads, queue depth 32, one job, O_DIRECT, for $SECS seconds
# after a one-second ramp; prints the read IOPS (terse v3 field 8).  The job
# is pinned to CPU 1: left free, the scheduler moves it between the vCPUs,
# and with single-threaded TCG a submission on one vCPU completed on the
# other waits for the round-robin switch, which doubles the spread.
fio_iops() {
	fio --name=randread --filename="/dev/$1" --direct=1 --ioengine=libaio \
		--cpus_allowed=1 \
		--rw=randread --bs=4k --iodepth=32 --numjobs=1 --ramp_time=1 \
		--runtime="$SECS" --time_based --output-format=terse \
		--terse-version=3 2>/tmp/fio.err | cut -d';' -f8
}

timing_iops() {
	local r=1 d blk iops
	blk=$(bench_bdf "$BLK_SLOT")
	while [ "$r" -le "$ROUNDS" ]; do
		for d in $(round_order "$r"); do
			attach "$d" "$blk"
			wait_ready block "$blk"
			iops=$(fio_iops "$(blk_of "$blk")")
			[ -n "$iops" ] || bench_fail "fio failed: $(tail -n 3 /tmp/fio.err)"
			result "iops $(short "$d") $r $iops"
			detach "$blk"
		done
		r=$((r + 1))
	done
}

# Frames per second B receives while pktgen on A sends without pause:
# counted after a one-second ramp over $SECS seconds of the guest clock.
pps_once() {
	local a=$1 b=$2 rx0 rx1 t0 t1 pid
	pktgen_setup "$a" "$(cat "/sys/class/net/$b/address")" 0
	echo start >"$PKTGEN/pgctrl" &
	pid=$!
	sleep 1
	rx0=$(rx_packets "$b")
	t0=$(now_ns)
	sleep "$SECS"
	rx1=$(rx_packets "$b")
	t1=$(now_ns)
	echo stop >"$PKTGEN/pgctrl"
	wait "$pid" || true
	echo $(((rx1 - rx0) * 1000000000 / (t1 - t0)))
}

timing_pps() {
	local r=1 d neta netb pps
	neta=$(bench_bdf "$NETA_SLOT")
	netb=$(bench_bdf "$NETB_SLOT")
	while [ "$r" -le "$ROUNDS" ]; do
		for d in $(round_order "$r"); do
			attach "$d" "$neta" "$netb"
			wait_ready net "$neta" "$netb"
			nic_pair "$neta" "$netb"
			pps=$(pps_once "$NIC_A" "$NIC_B")
			[ "$pps" -gt 0 ] || bench_fail "no frames reached $NIC_B"
			result "pps $(short "$d") $r $pps"
			detach "$neta" "$netb"
		done
		r=$((r + 1))
	done
}

bench_main() {
	prepare
	case $MODE in
	counts)
		counts_driver "$OURS"
		counts_driver "$INTREE"
		attr_report
		;;
	timing)
		timing_probe
		timing_iops
		timing_pps
		;;
	*) bench_fail "unknown vpl.bench=$MODE" ;;
	esac
	result BENCH-END
}

bench_main
