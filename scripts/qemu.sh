#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu.sh -k VMLINUZ -i INITRD -a APPEND -c CONSOLE_LOG -r RESULT_FILE
#         [-t SECONDS] [-m RAM] [-q QMP_SOCKET] [-- EXTRA QEMU ARGS...]
#
# Boots one test guest and waits for it to power off, die or time out.
# Exits with QEMU's status (124 on timeout).
#
# The guest has two serial ports: ttyS0 is the console (CONSOLE_LOG), ttyS1
# carries nothing but the test results (RESULT_FILE), so kernel messages or a
# test's output can never be mistaken for a verdict.
#
# TCG is the default: KVM is not usable on every machine the suite runs on
# (guests hang), and the suite is sized for TCG.  VPL_ACCEL=kvm opts in.
#
# VPL_QEMU_ROOT, when set, is a root file system with another QEMU in it
# (vpl_sid_root: Debian unstable's): QEMU then runs chrooted there
# (scripts/in-root), where every path and socket under build/ given to it
# means what it means on the host.
#
# TCG runs both vCPUs in one host thread (VPL_TCG_THREAD=multi to change):
# with multi-threaded TCG (QEMU 7.2) a 6.12 guest now and then takes an
# "Oops: int3" in code the kernel had just live-patched (a static key flip
# at "sched_clock: Marking stable"), i.e. one vCPU ran stale code.  That
# would fail random tests that have nothing to do with the driver; the
# single thread costs about 20% in time.
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Oopses, warnings and lockups must end the run at once, visibly: the host
# then finds results missing.  panic=-1 plus -no-reboot turns a panic into a
# QEMU exit instead of a reboot loop.
BASE_APPEND="console=ttyS0 panic=-1 panic_on_warn=1 oops=panic softlockup_panic=1 hung_task_panic=1 mitigations=off"

main() {
	local kernel='' initrd='' append='' console='' result='' limit=${VPL_TIMEOUT:-300} opt
	local accel rc mem=512M
	local -a qmp=()
	while getopts k:i:a:c:r:t:m:q: opt; do
		case $opt in
		k) kernel=$OPTARG ;;
		i) initrd=$OPTARG ;;
		a) append=$OPTARG ;;
		c) console=$OPTARG ;;
		r) result=$OPTARG ;;
		t) limit=$OPTARG ;;
		m) mem=$OPTARG ;;
		q) qmp=(-qmp "unix:$OPTARG,server=on,wait=off") ;;
		*) vpl_die "usage: qemu.sh -k VMLINUZ -i INITRD -a APPEND -c LOG -r RESULT [-t S] [-m RAM] [-q QMP] [-- ARGS]" ;;
		esac
	done
	shift $((OPTIND - 1))
	if [ -z "$kernel" ] || [ -z "$initrd" ] || [ -z "$console" ] || [ -z "$result" ]; then
		vpl_die "qemu.sh: -k, -i, -c and -r are required"
	fi

	case ${VPL_ACCEL:-tcg} in
	kvm) accel="-accel kvm -cpu host" ;;
	tcg) accel="-accel tcg,thread=${VPL_TCG_THREAD:-single}" ;;
	*) vpl_die "VPL_ACCEL must be tcg or kvm" ;;
	esac

	local -a qemu=(qemu-system-x86_64)
	if [ -n "${VPL_QEMU_ROOT:-}" ]; then
		[ -x "$VPL_QEMU_ROOT/usr/bin/qemu-system-x86_64" ] ||
			vpl_die "no qemu-system-x86_64 in $VPL_QEMU_ROOT"
		qemu=("$VPL_SCRIPTS/in-root" "$VPL_QEMU_ROOT" qemu-system-x86_64)
	fi

	rm -f "$console" "$result"
	# timeout(1) signals only the QEMU it started, and escalates to SIGKILL
	# if QEMU ignores the first signal.
	set +e
	# shellcheck disable=SC2086 # accel is a list of arguments
	timeout --kill-after=10 "$limit" \
		"${qemu[@]}" -M q35 -bios /usr/share/qemu/qboot.rom \
		$accel -smp 2 -m "$mem" \
		-nodefaults -nographic -no-reboot -monitor none "${qmp[@]}" \
		-serial "file:$console" \
		-chardev "file,id=res,path=$result" -serial chardev:res \
		-kernel "$kernel" -initrd "$initrd" \
		-append "$BASE_APPEND $append" \
		"$@" </dev/null
	rc=$?
	set -e
	[ "$rc" -ne 124 ] || echo "[vpl] QEMU killed after ${limit}s" >>"$console"
	return "$rc"
}

main "$@"
