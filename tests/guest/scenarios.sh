# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # busybox ash: POSIX plus local, like dash
#
# scenarios.sh - what one guest boot runs, by vpl.scenario=.
#
# The scenario functions here and in the families' files
# (scenarios-FAMILY.sh) are the one list of a scenario's tests: they run
# them in the guest, and they give the plan (vpl_plan, in the guest
# runtime), which the guest announces and the host reads before the boot
# (tests/lib/plan.sh) to know which results to expect.  So a scenario
# function holds only run_test calls, setup steps and the control flow
# around them, decided by the kernel command line, the transport and the
# kernel's modules.builtin.
# Time limits are per test and generous for TCG; a test that hangs in the
# kernel outlives them, and then the host's QEMU timeout ends the boot.

# Disk offsets (MiB) of the pattern writes (t_blk_pattern); the host reads
# them from the plan and checks the image there.
OFF_FIRST=0
OFF_RELOAD=16
OFF_LOOP=32

# The three interrupt-mode scenarios only differ in the vectors= the host
# gave the devices (passed on as vpl.irq=).
io_tests() {
	run_test bind 120 t_bind
	setup irq_snapshot
	run_test blk-pattern 180 t_blk_pattern $OFF_FIRST
	run_test net-ping 120 t_net_ping
	run_test net-tcp 180 t_net_tcp
	run_test irq-layout 60 t_irq_layout
	run_test irq-counts 60 t_irq_counts
}

scenario_msix_pervq() {
	io_tests
	[ "$TRANSPORT" != ours ] || run_test debugfs 30 t_debugfs
}
scenario_msix_shared() { io_tests; }
scenario_intx() { io_tests; }

# The draft dialect, presented by vpl_inject (ours only).
scenario_draft() {
	draft_io
	run_test debugfs 30 t_debugfs
}

draft_io() {
	run_test bind 120 t_bind
	setup irq_snapshot
	run_test draft-layout 30 t_draft_layout
	run_test blk-pattern 180 t_blk_pattern $OFF_FIRST
	run_test net-ping 120 t_net_ping
	run_test net-tcp 180 t_net_tcp
	run_test irq-layout 60 t_irq_layout
	run_test irq-counts 60 t_irq_counts
}

scenario_draft_intx() { draft_io; }

# Malformed layouts on net A, one test per case of the layout catalogue
# with an outcome on a device (tests/layouts/cases.def, listed for the
# guest as /vpl/layouts.cases, for the host's plan as VPL_LAYOUTS); then
# net A on its real layout again, and the network between the NICs.
scenario_malformed() {
	local mode ours control msg
	run_test bind 120 t_bind
	run_test blk-pattern 180 t_blk_pattern $OFF_FIRST
	while read -r mode ours control msg <&3; do
		case $mode in '' | '#'*) continue ;; esac
		if [ "$TRANSPORT" = ours ]; then
			run_test "$mode" 60 t_malformed "$mode" "$ours" "$msg"
		elif [ "$control" != hang ] && [ "$control" != bug ]; then
			run_test "$mode" 60 t_malformed "$mode" "$control" -
		fi
	done 3<"${VPL_LAYOUTS:-$VPL_DIR/layouts.cases}"
	run_test rebind 60 t_malformed_rebind
	run_test net-ping 120 t_net_ping
	run_test net-tcp 180 t_net_tcp
}

# The transport can only be unloaded where it is a module: always for ours,
# for the in-tree virtio_pci only where it is not built in (6.1).
can_unload() {
	[ "$TRANSPORT" = ours ] || ! is_builtin virtio_pci
}

scenario_lifecycle() {
	run_test bind 120 t_bind
	run_test blk-pattern 180 t_blk_pattern $OFF_FIRST
	if can_unload; then
		run_test unload 120 t_unload
		run_test reload 120 t_reload
		run_test reload-blk-pattern 180 t_blk_pattern $OFF_RELOAD
		run_test reload-net 240 t_net_all
	fi
	run_test bind-loop 300 t_bind_loop 10
	run_test loop-blk-pattern 180 t_blk_pattern $OFF_LOOP
	run_test loop-net 240 t_net_all
}

# 6.12 only: the in-tree virtio-pci owns the devices first.
scenario_override() {
	run_test override-bind 120 t_override_bind
	run_test blk-pattern 180 t_blk_pattern $OFF_FIRST
	run_test net-ping 120 t_net_ping
	run_test net-tcp 180 t_net_tcp
}

# The demo: the per-vq I/O scenario, plus the transport's kernel messages.
scenario_demo() {
	io_tests
	run_test dmesg 30 t_dmesg
}

# The scenario vpl.scenario= names.
vpl_scenario() {
	"scenario_$(cmdline vpl.scenario | tr - _)"
	# On the debug kernel every boot ends with the checkers' verdict.
	[ "$(cmdline vpl.debug 0)" = 0 ] || run_test debug-reports 120 t_debug_reports
}

vpl_main() {
	ktap_header vpl_scenario
	result "# guest: kernel $KVER, transport $TRANSPORT, scenario $(cmdline vpl.scenario)"
	vpl_scenario
	# The host only counts a boot as complete when it sees this line.
	result VPL-END
}
