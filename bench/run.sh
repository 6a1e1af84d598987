#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - the benchmark behind "make bench": virtio-pci-layout against the
# in-tree virtio_pci, side by side, in the same QEMU, kernel and boot.
#
#   bench/run.sh [--quick] [--kernel SERIES]...
#
# Per kernel (default: every packaged series make test boots, newest first:
# 7.2 on QEMU 11.1, 6.12 and 6.1 on the machine's QEMU 7.2; --quick: the
# two newest, fewer rounds):
#   1. a "counts" boot under QEMU tracing: every configuration-space access
#      and every access to the virtio and MSI-X regions, per phase (probe,
#      256 O_DIRECT 4 KiB reads, 256 writes, 1000 frames, unbind; MSI-X and
#      INTx; probe of 1/8/32/64 virtio-blk functions), both drivers, with
#      bench/attr/vpl_attr.ko naming the code behind each access;
#   2. a "timing" boot without tracing: probe time of 1/8/32/64 functions,
#      fio 4 KiB random-read IOPS on a null-co disk, pktgen frames per
#      second between two NICs, the drivers alternating round by round.
# Then bench/report.sh writes build/bench/results.{md,json}, probe.png and
# attribution.png, and the Markdown report is printed.  Progress goes to stderr.
#
# Benchmarks are not tests: nothing here passes or fails on a number.  The
# run fails only if a guest could not carry out its plan.
#
# Environment: VPL_BENCH_OUT (default build/bench), VPL_BENCH_SIZES
# (probe-scaling device counts, default 1,8,32,64; at most 64),
# VPL_BENCH_ROUNDS, VPL_BENCH_PROBE_ROUNDS and VPL_BENCH_SECS (throughput
# rounds, probe-time rounds, seconds per throughput run), VPL_BENCH_MODES (default "counts timing": which boots
# to run; the report uses what build/bench holds), VPL_ACCEL, and the kernel overrides of the test harness
# (VPL_KVER_61, VPL_KVER_612).
set -eu
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$BENCH_DIR/../scripts/lib.sh"
. "$BENCH_DIR/guest/layout.sh"

OUT=${VPL_BENCH_OUT:-$VPL_BUILD/bench}
KERNELS=()
QUICK=0

usage() {
	sed -n 's/^#   //p' "${BASH_SOURCE[0]}" >&2
	exit 2
}

parse_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		--quick) QUICK=1; shift ;;
		--kernel) [ $# -ge 2 ] || usage; KERNELS+=("$2"); shift 2 ;;
		*) usage ;;
		esac
	done
	if [ ${#KERNELS[@]} -eq 0 ]; then
		# The series make test boots that are packaged kernels, newest
		# first; quick: the two newest (7.2 on QEMU 11, 6.12 on 7.2).
		# shellcheck disable=SC2207 # one series per line
		KERNELS=($(vpl_series_default | while read -r k; do
			[ "$(vpl_series_field "$k" 2)" = built ] || echo "$k"
		done | tac))
		[ "$QUICK" = 0 ] || KERNELS=("${KERNELS[@]:0:2}")
	fi
	local k
	for k in "${KERNELS[@]}"; do vpl_series_var "$k" >/dev/null; done
}

# What a run measures.  Quick mode keeps every phase and device count but
# does three shorter rounds.
plan() {
	SIZES=${VPL_BENCH_SIZES:-1,8,32,64}
	MODES=${VPL_BENCH_MODES:-counts timing}
	# Probe rounds are cheap (about 5 s each), throughput rounds are not.
	if [ "$QUICK" = 1 ]; then
		ROUNDS=${VPL_BENCH_ROUNDS:-3}
		PROUNDS=${VPL_BENCH_PROBE_ROUNDS:-5}
		SECS=${VPL_BENCH_SECS:-3}
	else
		ROUNDS=${VPL_BENCH_ROUNDS:-7}
		PROUNDS=${VPL_BENCH_PROBE_ROUNDS:-9}
		SECS=${VPL_BENCH_SECS:-5}
	fi
}

# ---------------------------------------------------------------- host setup

bench_tools() {
	vpl_host_tools
	vpl_need_tools fio:fio gnuplot:gnuplot-nox
	# The guest helper is linked statically.
	if [ ! -f /usr/lib/x86_64-linux-gnu/libc.a ]; then
		vpl_log "installing libc6-dev"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q libc6-dev >&2
	fi
}

# The multiqueue NIC needs a host tap device (only tap gives a virtio-net
# several queue pairs); without /dev/net/tun it is left out.
have_tap() {
	[ -c /dev/net/tun ] || return 1
	ip tuntap add dev vplbench$$ mode tap multi_queue 2>/dev/null || return 1
	ip tuntap del dev vplbench$$ mode tap multi_queue 2>/dev/null || true
}

# The static helper of the bench guest (its /init and scripts come from
# bench/guest through VPL_GUEST).  Built once per run.
build_overlay() {
	local dir=$OUT/overlay
	rm -rf "$dir"
	mkdir -p "$dir/bin"
	gcc -static -O2 -Wall -Wextra -Werror -o "$dir/bin/vplbench" "$BENCH_DIR/guest/vplbench.c"
	echo "$dir"
}

# Builds the attribution module (bench/attr) for KVER, as the module is
# built (in the kernel's build root, if it has one); prints its path.
build_attr() {
	local kver=$1 log=$2 dir=$OUT/$1/attr root
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$BENCH_DIR/attr/vpl_attr.c" "$BENCH_DIR/attr/Kbuild" "$dir/"
	root=$(vpl_kroot "$kver")
	if [ -n "$root" ]; then
		"$VPL_SCRIPTS/in-root" "$root" make -s -C "$(vpl_kdir "$kver")" M="$dir" modules
	else
		make -s -C "$(vpl_kdir "$kver")" M="$dir" modules
	fi >>"$log" 2>&1 || vpl_die "vpl_attr.ko for $kver: see $log"
	echo "$dir/vpl_attr.ko"
}

# Builds the "both" initramfs for KVER with module KO and the attribution
# module ATTR; prints its path.
build_initrd() {
	local kver=$1 ko=$2 attr=$3 out=$OUT/$1/initramfs.cpio overlay=$OUT/$1/overlay
	mkdir -p "$OUT/$kver"
	rm -rf "$overlay"
	cp -a "$OVERLAY" "$overlay"
	mkdir -p "$overlay/vpl"
	cp "$attr" "$overlay/vpl/"
	VPL_EXTRA_MODULES=pktgen VPL_EXTRA_BINS="$(command -v fio):/bin/fio" \
		VPL_GUEST=$BENCH_DIR/guest VPL_OVERLAY=$overlay \
		"$VPL_SCRIPTS/initramfs.sh" "$kver" both "$out" "$ko" \
		>/dev/null 2>"$OUT/$kver/initramfs.log" ||
		vpl_die "initramfs for $kver failed: $(tail -n 5 "$OUT/$kver/initramfs.log")"
	echo "$out"
}

# ---------------------------------------------------------------- QEMU

# A virtio device's common options: modern only, and every notification a
# trapped write (ioeventfd=off), as under a hypervisor without ioeventfd.
VIRTIO_OPTS=disable-legacy=on,ioeventfd=off

# A null-co disk: no I/O on the host, reads return zeroes (so the partition
# scan at probe sees the same empty disk every time).
null_disk() {
	echo "-blockdev driver=null-co,node-name=$1,size=$2,read-zeroes=on"
}

# QEMU arguments for the devices of bench/guest/layout.sh.
device_args() {
	local i slot fn mf
	null_disk nb 1073741824
	echo "-device virtio-blk-pci,$VIRTIO_OPTS,drive=nb,addr=0x$BLK_SLOT"
	echo "-netdev hubport,id=na,hubid=0"
	echo "-device virtio-net-pci,$VIRTIO_OPTS,netdev=na,mac=$MAC_NETA,romfile=,addr=0x$NETA_SLOT"
	echo "-netdev hubport,id=nbb,hubid=0"
	echo "-device virtio-net-pci,$VIRTIO_OPTS,netdev=nbb,mac=$MAC_NETB,romfile=,addr=0x$NETB_SLOT"
	if [ "$MQ" = 1 ]; then
		echo "-netdev tap,id=nq,queues=4,script=no,downscript=no"
		echo "-device virtio-net-pci,$VIRTIO_OPTS,netdev=nq,mq=on,vectors=10,mac=$MAC_MQNET,romfile=,addr=0x$MQNET_SLOT"
	fi
	null_disk nbi 1073741824
	echo "-device virtio-blk-pci,$VIRTIO_OPTS,drive=nbi,vectors=0,addr=0x$BLKI_SLOT"
	echo "-netdev hubport,id=nc,hubid=1"
	echo "-device virtio-net-pci,$VIRTIO_OPTS,netdev=nc,vectors=0,mac=$MAC_NETC,romfile=,addr=0x$NETC_SLOT"
	echo "-netdev hubport,id=nd,hubid=1"
	echo "-device virtio-net-pci,$VIRTIO_OPTS,netdev=nd,vectors=0,mac=$MAC_NETD,romfile=,addr=0x$NETD_SLOT"
	for ((i = 0; i < SCALE_MAX; i++)); do
		slot=$(printf '%02x' $((SCALE_FIRST_SLOT + i / 8)))
		fn=$((i % 8))
		mf=
		[ "$fn" != 0 ] || mf=,multifunction=on
		null_disk "ns$i" 67108864
		echo "-device virtio-blk-pci,$VIRTIO_OPTS,drive=ns$i,num-queues=1,addr=0x$slot.$fn$mf"
	done
}

# boot SERIES KVER INITRD MODE LIMIT [QEMU ARGS...]: one bench guest in
# $OUT/KVER/MODE/; fails unless the guest finished its plan.
boot() {
	local series=$1 kver=$2 initrd=$3 mode=$4 limit=$5 dir rc=0 start
	shift 5
	dir=$OUT/$kver/$mode
	rm -rf "$dir"
	mkdir -p "$dir"
	start=$(date +%s)
	# shellcheck disable=SC2046 # one argument per word
	VPL_QEMU_ROOT=$QEMU_ROOT "$VPL_SCRIPTS/qemu.sh" -t "$limit" \
		-k "$VPL_BUILD/kernels/$kver/boot/vmlinuz-$kver" -i "$initrd" \
		-c "$dir/console.log" -r "$dir/result.txt" \
		-a "quiet ipv6.disable=1 vpl.bench=$mode vpl.mqnet=$MQ vpl.sizes=$SIZES vpl.rounds=$ROUNDS vpl.prounds=$PROUNDS vpl.secs=$SECS" \
		-- -m 1G $(device_args) "$@" 2>"$dir/qemu.log" || rc=$?
	vpl_log "$series/$mode: QEMU exit $rc after $(($(date +%s) - start)) s"
	if grep -q '^BENCH-FAIL' "$dir/result.txt" 2>/dev/null || ! grep -q '^BENCH-END' "$dir/result.txt" 2>/dev/null; then
		grep '^BENCH-FAIL' "$dir/result.txt" >&2 || true
		tail -n 30 "$dir/console.log" >&2 || true
		vpl_die "$series/$mode: the guest did not finish (logs in $dir)"
	fi
}

# The counts boot: QEMU's log trace backend writes the events of
# bench/trace-events to trace.log (-D); count.awk reduces it to counts.tsv.
run_counts() {
	local series=$1 kver=$2 initrd=$3 dir=$OUT/$2/counts
	# Beside the run's files: a QEMU in a root of its own sees build/ only.
	cp "$BENCH_DIR/trace-events" "$OUT/trace-events"
	boot "$series" "$kver" "$initrd" counts 1500 \
		-trace "events=$OUT/trace-events" -D "$dir/trace.log" \
		-chardev "file,id=dbg,path=$dir/debugcon.log" \
		-device isa-debugcon,iobase=0x4f0,chardev=dbg
	awk -f "$BENCH_DIR/count.awk" "$dir/trace.log" >"$dir/counts.tsv"
	# The trace is large and fully summarised; keep it compressed.
	xz -T0 -f "$dir/trace.log"
}

# The version of the QEMU that boots the current series.
qemu_version() {
	if [ -n "$QEMU_ROOT" ]; then
		"$VPL_SCRIPTS/in-root" "$QEMU_ROOT" qemu-system-x86_64 --version
	else
		qemu-system-x86_64 --version
	fi | sed -n '1s/^QEMU emulator version \([^ ]*\).*/\1/p'
}

run_timing() {
	boot "$1" "$2" "$3" timing 1800
}

bench_kernel() {
	local series=$1 log ko initrd
	log=$OUT/logs/$series.log
	vpl_log "$series: preparing kernel and module"
	vpl_prepare_kernel "$series" "$log" || vpl_die "kernel $series: see $log"
	# shellcheck disable=SC2153 # KVER is set by vpl_prepare_kernel
	ko=$(vpl_build_module "$KVER" "$log") || vpl_die "module build for $KVER: see $log"
	initrd=$(build_initrd "$KVER" "$ko" "$(build_attr "$KVER" "$log")")
	QEMU_ROOT=$(vpl_series_qemu_root "$series")
	case " $MODES " in *" counts "*)
		vpl_log "$series: counts boot (traced)"
		run_counts "$series" "$KVER" "$initrd"
		;;
	esac
	case " $MODES " in *" timing "*)
		vpl_log "$series: timing boot ($PROUNDS probe rounds, $ROUNDS throughput rounds)"
		run_timing "$series" "$KVER" "$initrd"
		;;
	esac
	echo "$series $KVER $(qemu_version)" >>"$OUT/kernels.txt"
}

main() {
	local start series
	parse_args "$@"
	plan
	start=$(date +%s)
	bench_tools
	mkdir -p "$OUT/logs"
	rm -f "$OUT/kernels.txt"
	OVERLAY=$(build_overlay)
	MQ=0
	! have_tap || MQ=1
	[ "$MQ" = 1 ] || vpl_log "no usable /dev/net/tun: the multiqueue NIC is left out"
	for series in "${KERNELS[@]}"; do
		bench_kernel "$series"
	done
	[ "${VPL_BENCH_NO_REPORT:-0}" = 1 ] && return 0
	"$BENCH_DIR/report.sh" "$OUT" "$(($(date +%s) - start))" "$QUICK"
	cat "$OUT/results.md"
}

main "$@"
