# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # busybox ash: POSIX plus local, like dash
# shellcheck disable=SC2034 # constants for the scripts that source this
#
# runtime.sh - the guest runtime (busybox ash), one helper per job: the
# kernel command line, waiting, the result channel and the test runner,
# PCI functions and their drivers, modules, block devices, NICs, interrupts.
#
# Every guest sources it as /vpl/runtime.sh (scripts/initramfs.sh installs
# it): the test guests (tests/guest/lib.sh), the benchmark guest
# (bench/guest/bench.sh) and the packaging test's guest (tests/pkg/guest-init,
# which make_rootfs gives the same path).  Only definitions and variables
# live here; nothing in it knows a scenario.

RESULTS=/dev/ttyS1
PCI_DEVS=/sys/bus/pci/devices
PCI_DRVS=/sys/bus/pci/drivers

# Non-transitional virtio device ids (0x1040 + virtio device type).
NET_ID=0x1041
BLK_ID=0x1042

KVER=$(uname -r)
MODDIR=/lib/modules/$KVER
# The guest's own files (scripts/initramfs.sh puts them there).
VPL_DIR=/vpl
# The kernel command line, read by cmdline (a guest sources this file
# after it has mounted /proc).
VPL_CMDLINE=$(cat /proc/cmdline 2>/dev/null || true)

# ---------------------------------------------------------------- basics

# iproute2's ip where the guest has it (scripts/initramfs.sh installs it:
# busybox's cannot move a NIC into a network namespace), else busybox's.
ip() {
	if [ -x /bin/ip.iproute2 ]; then
		/bin/ip.iproute2 "$@"
	else
		busybox ip "$@"
	fi
}

# Value of KEY=value on the kernel command line, or $2 when absent.
cmdline() {
	local w
	for w in $VPL_CMDLINE; do
		case $w in "$1="*)
			echo "${w#*=}"
			return 0
			;;
		esac
	done
	echo "${2:-}"
}

fail() {
	echo "FAIL: $*"
	exit 1
}

# Ends a test that does not apply here (KTAP "# SKIP": counted as passed,
# reported as not applicable with the reason).
skip() {
	echo "SKIP: $*"
	exit 77
}

# Polls COMMAND... every 0.2 s for up to $1 seconds.
wait_for() {
	local limit=$(($1 * 5))
	shift
	while ! "$@" >/dev/null 2>&1; do
		limit=$((limit - 1))
		[ "$limit" -gt 0 ] || return 1
		usleep 200000
	done
}

# Writes lines to the result channel.  Every call opens and closes the tty:
# the last close of a tty waits until the UART has sent everything, so no
# result is lost when the guest powers off right afterwards.
#
# A child's SIGCHLD (busybox timeout's watcher, reparented to init) can
# interrupt a blocking console write (EINTR; ash installs its handlers
# without SA_RESTART): under set -e that would end /init.  The verdict is
# written once more, the console copy is best effort.
result() {
	printf '%s\n' "$@" >"$RESULTS" || printf '%s\n' "$@" >"$RESULTS"
	printf 'vpl: %s\n' "$@" || true
}

# ---------------------------------------------------------------- KTAP

# A guest reports KTAP on the result channel: ktap_header FUNCTION first
# ("KTAP version 1", "1..N"), then FUNCTION runs its tests with run_test,
# each reported as "ok N NAME" or "not ok N NAME" after its "# "
# diagnostics.  Lines "# host: ..." are requests to the host agent; the
# last line, VPL-END, says the guest got to the end.
VPL_TEST_NUM=0

# vpl_plan FUNCTION [ARGS...]: the names of the tests FUNCTION runs, one per
# line, without running anything: run_test only names its test, setup
# steps and results are left out.  The host reads the same plan from the
# same function before the boot (tests/lib/plan.sh); with VPL_PLAN_CALLS=1
# each line also has the test's function and arguments ("NAME FUNCTION
# ARGS...": the host finds where the pattern was written to the disk).
vpl_plan() (
	run_test() {
		if [ "${VPL_PLAN_CALLS:-}" = 1 ]; then
			local name=$1
			shift 2
			printf '%s %s\n' "$name" "$*"
		else
			printf '%s\n' "$1"
		fi
	}
	setup() { :; }
	result() { :; }
	"$@"
)

# ktap_header FUNCTION [ARGS...]: announces the tests FUNCTION will run.
ktap_header() {
	result "KTAP version 1" "1..$(vpl_plan "$@" | wc -l)"
}

# run_test NAME SECONDS FUNCTION [ARGS...]
# Runs FUNCTION in a fresh shell with errexit under a time limit and reports
# "ok N NAME" or "not ok N NAME".  The fresh shell sources $VPL_TEST_LIB,
# the file that defines FUNCTION, with VPL_TEST_SHELL=1 set (for a file that
# also runs something when it is executed).  The test's output becomes "# "
# diagnostics when it fails, or always with vpl.verbose=1 (the demo's mode).
run_test() {
	local name=$1 limit=$2 rc errexit='' start
	shift 2
	VPL_TEST_NUM=$((VPL_TEST_NUM + 1))
	printf 'vpl: --- %s\n' "$name"
	start=$(cut -d. -f1 /proc/uptime)
	case $- in *e*) errexit=1 ;; esac
	set +e
	VPL_TEST_SHELL=1 timeout -s KILL "$limit" sh -eu -c '. "$0"; "$@"' \
		"$VPL_TEST_LIB" "$@" >/tmp/test.log 2>&1
	rc=$?
	[ -z "$errexit" ] || set -e
	cat /tmp/test.log || true	# console only (see result())
	printf 'vpl: %s took %s s\n' "$name" $(($(cut -d. -f1 /proc/uptime) - start)) || true
	[ "$rc" -ne 137 ] || echo "killed after the test's limit of ${limit}s" >>/tmp/test.log
	if [ "$rc" -ne 0 ] || [ "$(cmdline vpl.verbose 0)" = 1 ]; then
		sed 's/^/# /' /tmp/test.log | tail -n 60 >"$RESULTS" || true
	fi
	if [ "$rc" -eq 0 ]; then
		result "ok $VPL_TEST_NUM $name"
	elif [ "$rc" -eq 77 ] && grep -q '^SKIP: ' /tmp/test.log; then
		result "ok $VPL_TEST_NUM $name # SKIP $(sed -n 's/^SKIP: //p' /tmp/test.log | tail -n 1)"
	else
		result "not ok $VPL_TEST_NUM $name"
	fi
	self_test_hooks "$name"
}

# setup COMMAND [ARGS...]: a step between tests, not a test itself (the
# plan, vpl_plan, leaves it out).
setup() {
	"$@"
}

# Lets the harness prove that it notices a guest that dies or hangs
# (VPL_EXTRA_APPEND="vpl.crash_after=NAME" or "vpl.hang_after=NAME"):
# the tests after NAME must then be reported as failures.
self_test_hooks() {
	if [ "$(cmdline vpl.crash_after)" = "$1" ]; then
		echo c >/proc/sysrq-trigger
	fi
	if [ "$(cmdline vpl.hang_after)" = "$1" ]; then
		sleep 100000
	fi
}

# ---------------------------------------------------------------- devices

# PCI addresses of the virtio functions (vendor 0x1af4, device 0x1000-0x107f),
# optionally only those with device id $1.
virtio_bdfs() {
	local d id
	for d in "$PCI_DEVS"/*; do
		[ "$(cat "$d/vendor")" = 0x1af4 ] || continue
		id=$(cat "$d/device")
		case $id in 0x10[0-7]?) ;; *) continue ;; esac
		[ -z "${1:-}" ] || [ "$id" = "$1" ] || continue
		echo "${d##*/}"
	done
}

# Name of the PCI driver bound to $1, or "none".
pci_driver_of() {
	if [ -e "$PCI_DEVS/$1/driver" ]; then
		basename "$(readlink "$PCI_DEVS/$1/driver")"
	else
		echo none
	fi
}

# True when the module file for $1 is in the initramfs (else: built in).
have_module() {
	grep -q "/$1\.ko:" "$MODDIR/modules.dep"
}

is_builtin() {
	grep -q "/$1\.ko\$" "$MODDIR/modules.builtin"
}

# debugfs, mounted once, for whichever test needs it first.
DEBUGFS=/sys/kernel/debug
mount_debugfs() {
	grep -q " $DEBUGFS " /proc/mounts || mount -t debugfs debugfs "$DEBUGFS"
}

module_loaded() {
	grep -q "^$1 " /proc/modules
}

# The virtio device ("virtioN") that the transport created for PCI function $1.
virtio_dev_of() {
	local d
	for d in "$PCI_DEVS/$1"/virtio*; do
		[ -e "$d" ] && basename "$d" && return 0
	done
	return 1
}

# The block device (vdX) of the virtio-blk function $1.
blkdev_of() {
	local d
	for d in "$PCI_DEVS/$1"/virtio*/block/*; do
		[ -e "$d" ] && basename "$d" && return 0
	done
	return 1
}

# Interface name with MAC $1, in namespace $2 (default: the initial one).
nic_by_mac() {
	ip ${2:+-n "$2"} -o link show 2>/dev/null | awk -v mac="$1" '{
		for (i = 1; i < NF; i++)
			if ($i == "link/ether" && $(i + 1) == mac) {
				sub(/:$/, "", $2); sub(/@.*/, "", $2); print $2
			}
	}'
}

have_nic() {
	[ -n "$(nic_by_mac "$1" "${2:-}")" ]
}

# pair_setup MAC1 IP1 NS MAC2 IP2: the NIC with MAC1 stays in the initial
# namespace with IP1, the one with MAC2 moves into namespace NS with IP2, so
# traffic between the two addresses must cross the wire (a QEMU hub, a
# bridge) instead of the loopback shortcut the kernel takes for local
# addresses.
pair_setup() {
	local a b
	ip netns add "$3" 2>/dev/null || [ -e "/run/netns/$3" ]
	wait_for 30 have_nic "$1" || fail "no NIC with MAC $1"
	a=$(nic_by_mac "$1")
	b=$(nic_by_mac "$4")
	[ -z "$b" ] || ip link set "$b" netns "$3"
	b=$(nic_by_mac "$4" "$3")
	[ -n "$b" ] || fail "no NIC with MAC $4"
	ip link set lo up
	ip addr flush dev "$a"
	ip addr add "$2/24" dev "$a"
	ip link set "$a" up
	ip -n "$3" link set lo up
	ip -n "$3" addr flush dev "$b"
	ip -n "$3" addr add "$5/24" dev "$b"
	ip -n "$3" link set "$b" up
	echo "net: $a=$2 (init ns), $b=$5 (ns $3)"
}

# Every ping must come back: on a lossless virtual hub a lost packet means a
# lost interrupt or descriptor.
ping_all() {
	local out
	out=$("$@" 2>&1) || true
	echo "$out" | tail -n 2
	echo "$out" | grep -q '^5 packets transmitted, 5 packets received' || fail "ping lost packets"
}

# Loads the virtio class drivers: virtio_blk, virtio_net and their deps.
load_class_drivers() {
	modprobe virtio_blk
	modprobe virtio_net
}

# ---------------------------------------------------------------- interrupts

# /proc/interrupts as "irq chip total names..." (commas dropped, counts of all
# CPUs added up).  The header line gives the number of CPU columns; a row is
# irq, counts, chip, hwirq-type, then the action names.
irq_table() {
	awk 'NR == 1 { n = NF; next }
	{
		t = 0; for (i = 2; i <= n + 1; i++) t += $i
		s = ""; for (i = n + 4; i <= NF; i++) s = s " " $i
		gsub(/,/, "", s); print $1, $(n + 2), t s
	}' /proc/interrupts
}
