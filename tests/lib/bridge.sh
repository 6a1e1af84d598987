#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bridge.sh - what the Python harness (tests/lib/harness.py) asks of the
# shell side: the kernel series (scripts/lib.sh), the scenario families
# (tests/lib/scenarios.sh and tests/guest/scenarios-*.sh, POSIX sh shared
# with the guest) and the builds.  One question per call:
#
#   bridge.sh series [TIER]                  the series (the tier's when
#                                            TIER is given): "NAME KIND"
#   bridge.sh kernel SERIES LOG              prepares SERIES, prints its
#                                            release (output of the step
#                                            goes to LOG)
#   bridge.sh records SERIES=KVER TRANSPORT [SCENARIO...]
#       one record per scenario of SERIES TRANSPORT: the tier's (VPL_TIER),
#       or those named among all the series has, in the family's order
#   bridge.sh record SERIES=KVER TRANSPORT SCENARIO
#       the record of one scenario, whatever the tier offers (the demo)
#   bridge.sh build SERIES=KVER TRANSPORT
#       builds the module and the initramfs (logs in build/logs/), prints
#       the initramfs's path, or why it failed (exit status 1)
#   bridge.sh qemu-args SCENARIO BOOT_DIR
#       QEMU's arguments for a boot, one per line, the disk image
#       BOOT_DIR/disk.img (the family may make more images in BOOT_DIR)
#   bridge.sh need-tools                     installs what run.py needs
#   bridge.sh host-tools                     ... and what the guests need
#   bridge.sh host-check SERIES=KVER TRANSPORT SCENARIO NAME BOOT_DIR
#       judges a host-* test after the boot: its diagnostics on stdout,
#       the exit status its verdict
#
# A record is "KEY<TAB>VALUE" lines ended by "end": scenario, description
# (one line, its family's FAMILY_describe), dir (where
# the boot keeps its files), timeout (seconds), memory (empty for
# qemu.sh's default), agent (1 when it needs tests/lib/agent.py), append
# (the kernel command line), qemu_root (scripts/qemu.sh's VPL_QEMU_ROOT),
# one "test" line per test name in the order they are reported, one "offset" line per MiB offset of the
# disk image that must hold the pattern.
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"

# use_series SERIES=KVER: sets SERIES, prepared already (by "kernel").
use_series() {
	SERIES=${1%%=*}
	[ "$SERIES" != "$1" ] || vpl_die "bridge: want SERIES=KVER, not '$1'"
	VPL_KVER[$SERIES]=${1#*=}
}

# The record of SERIES TRANSPORT SCENARIO.  Every answer is taken before
# anything is printed, each step checked (set -e does not reach into
# $(...) inside an argument): a scenario whose plan cannot be read is a
# harness fault and ends the run, never a boot without tests.
record() {
	local series=$1 transport=$2 scenario=$3 dir desc timeout memory agent=0 append root tests offsets w
	local what="$series/$transport/$scenario"
	dir=$(vpl_boot_dir "$series" "$transport" "$scenario")
	desc=$(vpl_scenario_describe "$scenario") || desc=
	timeout=$(vpl_scenario_timeout "$series" "$scenario") || vpl_die "$what: no time limit"
	case $timeout in '' | *[!0-9]*) vpl_die "$what: time limit '$timeout' is not a number" ;; esac
	memory=$(vpl_scenario_memory "$scenario") || vpl_die "$what: no memory size"
	! vpl_scenario_has_agent "$scenario" || agent=1
	append=$(vpl_scenario_append "$series" "$transport" "$scenario") || vpl_die "$what: no kernel command line"
	root=$(vpl_series_qemu_root "$series") || vpl_die "$series: no QEMU root"
	tests=$(vpl_scenario_tests "$series" "$transport" "$scenario") || vpl_die "$what: no plan"
	offsets=$(vpl_scenario_offsets "$series" "$transport" "$scenario") || vpl_die "$what: no plan"
	printf 'scenario\t%s\ndescription\t%s\ndir\t%s\n' "$scenario" "$desc" "$dir"
	printf 'timeout\t%s\nmemory\t%s\nagent\t%s\n' "$timeout" "$memory" "$agent"
	printf 'append\t%s\nqemu_root\t%s\n' "$append ${VPL_EXTRA_APPEND:-}" "$root"
	for w in $tests; do printf 'test\t%s\n' "$w"; done
	for w in $offsets; do printf 'offset\t%s\n' "$w"; done
	echo end
}

main() {
	local cmd=${1:-} s want ko log list
	shift || true
	case $cmd in
	series)
		if [ -n "${1:-}" ]; then
			for s in $(VPL_TIER=$1 vpl_series_default); do
				echo "$s $(vpl_series_field "$s" 2)"
			done
		else
			for s in $(vpl_series); do echo "$s $(vpl_series_field "$s" 2)"; done
		fi
		;;
	kernel)
		vpl_prepare_kernel "$1" "$2"
		echo "$KVER"
		;;
	records)
		use_series "$1"
		if [ $# -le 2 ]; then
			list=$(vpl_scenarios "$SERIES" "$2") || vpl_die "$SERIES/$2: no scenario list"
			for s in $list; do record "$SERIES" "$2" "$s"; done
			return 0
		fi
		list=$(VPL_TIER=full vpl_all_scenarios "$SERIES" "$2") || vpl_die "$SERIES/$2: no scenario list"
		for s in $list; do
			for want in "${@:3}"; do
				[ "$want" != "$s" ] || record "$SERIES" "$2" "$s"
			done
		done
		;;
	record)
		use_series "$1"
		record "$SERIES" "$2" "$3"
		;;
	build)
		use_series "$1"
		# Both transports: the control's guests use the layout injector.
		mkdir -p "$VPL_BUILD/logs"
		log=$VPL_BUILD/logs/module-${VPL_KVER[$SERIES]}.log
		vpl_log "$SERIES: building virtio_pci_layout.ko and the injector"
		if ! ko=$(vpl_build_module "${VPL_KVER[$SERIES]}" "$log"); then
			echo "module build failed:"
			tail -n 20 "$log"
			return 1
		fi
		log=$VPL_BUILD/logs/initramfs-${VPL_KVER[$SERIES]}-$2.log
		if ! vpl_build_initramfs "$SERIES" "${VPL_KVER[$SERIES]}" "$2" "$ko" "$log"; then
			echo "initramfs build failed:"
			tail -n 20 "$log"
			return 1
		fi
		;;
	qemu-args)
		# One argument per word, as the families write them.
		for s in $(vpl_scenario_qemu_args "$1" "$2/disk.img" "$2"); do echo "$s"; done
		;;
	need-tools)
		vpl_need_tools make:make gcc:gcc clang:clang
		vpl_need_packages libclang-rt-14-dev
		;;
	host-tools) vpl_host_tools ;;
	host-check)
		use_series "$1"
		shift
		set -- "$SERIES" "$@"
		case $4 in
		host-image)
			# shellcheck disable=SC2046 # offsets are separate arguments
			vpl_check_image "$5/disk.img" $(vpl_scenario_offsets "$1" "$2" "$3")
			;;
		*) vpl_family_host_check "$@" ;;
		esac
		;;
	*) vpl_die "bridge: unknown question '$cmd' (see the head of tests/lib/bridge.sh)" ;;
	esac
}

main "$@"
