#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - boots one guest whose virtio-blk and virtio-net devices run on
# virtio-pci-layout and shows, in a few lines, what happened.
#
#   tests/demo.sh [--kernel SERIES] [--transport ours|control]
#
# Defaults: the newest Debian series of scripts/kernel-series, ours.  Same
# environment variables as run.sh.
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/lib/harness.sh"

usage() {
	sed -n 's/^#   //p' "${BASH_SOURCE[0]}" >&2
	exit 2
}

# Diagnostics of test $1 without the "# " prefix, indented.
show_diag() {
	printf '%s' "${RES_DIAG[$1]:-}" | sed -n 's/^# \{0,1\}/      /p' | grep -v 'guest: kernel' || true
}

main() {
	local series transport=ours ko='' initrd name status rc=0 log out
	series=$(vpl_series debian | tail -n 1)
	while [ $# -gt 0 ]; do
		case $1 in
		--kernel) series=${2:-}; shift 2 || usage ;;
		--transport) transport=${2:-}; shift 2 || usage ;;
		*) usage ;;
		esac
	done
	vpl_host_tools
	mkdir -p "$VPL_BUILD/logs"
	log=$VPL_BUILD/logs/demo-prepare.log
	vpl_prepare_kernel "$series" "$log" || vpl_die "kernel preparation failed, see $log"
	if [ "$transport" = ours ]; then
		ko=$(vpl_build_module "$KVER" "$log") || vpl_die "module build failed, see $log"
	fi
	initrd=$(vpl_build_initramfs "$series" "$KVER" "$transport" "$ko" "$log") ||
		vpl_die "initramfs build failed, see $log"

	echo "Booting Linux $KVER under QEMU (${VPL_ACCEL:-tcg}): 1 virtio-blk, 2 virtio-net, transport $transport"
	VPL_EXTRA_APPEND="vpl.verbose=1 ${VPL_EXTRA_APPEND:-}"
	vpl_boot "$series" "$KVER" "$transport" demo "$initrd"
	vpl_parse_results "$BOOT_DIR/result.txt"

	echo
	echo "Driver messages (dmesg | grep virtio-pci-layout):"
	show_diag dmesg | grep -E 'virtio[-_]pci[-_]layout' || echo "      (none)"
	echo
	echo "Guest checks:"
	for name in $(vpl_scenario_tests "$series" "$transport" demo); do
		case $name in dmesg | host-image | clean-shutdown) continue ;; esac
		status=${RES_STATUS[$name]:-missing}
		[ "$status" = ok ] || rc=1
		printf '  %-12s %s\n' "$name" "$([ "$status" = ok ] && echo PASS || echo "FAIL ($status)")"
		show_diag "$name"
	done
	echo
	echo "Host checks:"
	# shellcheck disable=SC2046 # offsets are separate arguments
	if out=$(vpl_check_image "$BOOT_DIR/disk.img" $(vpl_scenario_offsets "$series" "$transport" demo)); then
		echo "  disk image   PASS"
	else
		echo "  disk image   FAIL"
		rc=1
	fi
	printf '%s\n' "$out" | sed 's/^/      /'
	# shellcheck disable=SC2046 # test names are separate arguments
	if vpl_check_shutdown $(vpl_scenario_tests "$series" "$transport" demo) >"$BOOT_DIR/shutdown.txt"; then
		echo "  shutdown     PASS (clean power-off after ${BOOT_SECS}s, no oops/WARN/BUG)"
	else
		echo "  shutdown     FAIL"
		sed 's/^/      /' "$BOOT_DIR/shutdown.txt"
		rc=1
	fi
	echo
	echo "Logs: $BOOT_DIR"
	return "$rc"
}

main "$@"
