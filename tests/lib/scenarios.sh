# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# scenarios.sh - the host's view of the guest scenarios (sourced).
#
# A scenario is one guest boot.  For each one this file says which devices
# QEMU gets and what goes on the kernel command line.  Its tests are the
# guest's: the scenario function in tests/guest/scenarios*.sh runs them, and
# the host reads their names from it before the boot (vpl_scenario_tests,
# tests/lib/plan.sh), so that it can fail the tests a dead guest never ran.
#
# Scenario families.  Besides the core scenarios below, every file
# tests/guest/scenarios-FAMILY.sh adds a family of its own, host side and
# guest side in one file (POSIX sh plus local: the host sources it with
# bash, the guest with busybox ash; neither side runs anything of the
# other's when it is sourced).  Its host side defines
#   FAMILY_scenarios SERIES TRANSPORT         names for that configuration
#   FAMILY_has SCENARIO                       true for its own scenarios
#   FAMILY_describe SCENARIO                  what its boot holds and proves,
#       one line (tests/run.py --describe, Documentation/matrix.rst)
#   FAMILY_append SERIES TRANSPORT SCENARIO   kernel command line words
#   FAMILY_qemu_args SCENARIO IMAGE BOOT_DIR  QEMU arguments, one per word
#   FAMILY_agent SCENARIO                     (optional) true when SCENARIO
#       needs the host agent (tests/lib/agent.py: QMP, echo, hot-plug,
#       balloon, ...; the guest asks with host_request), see tests/lib/harness.py
#   FAMILY_host_tests SCENARIO                (optional) names of tests
#       judged on the host after the boot, host-*, after the guest's
#   FAMILY_host_check SERIES TRANSPORT SCENARIO NAME BOOT_DIR  (optional)
#       judges such a test: prints its diagnostics, fails when the test
#       fails (see tests/run.py)
#   FAMILY_memory SCENARIO                    (optional) guest RAM, e.g. 1G
#   FAMILY_timeout SCENARIO                   (optional) QEMU limit, seconds,
#       on a production kernel (vpl_scenario_timeout scales it)
#   FAMILY_modules SERIES                     (optional) more kernel modules
#       (names) for the guest's initramfs, with their dependencies
#   FAMILY_bins                               (optional) host binaries for
#       the guest, as HOST_PATH:GUEST_PATH words (see initramfs.sh)
# Its guest side defines scenario_NAME (dashes become underscores), which
# names and runs the scenario's tests, and the test bodies.
#
# VPL_TIER is "quick" (make test, CI) or "full" (make test-full): families
# may offer more scenarios, or longer ones, in the full tier.
VPL_TIER=${VPL_TIER:-quick}

# vpl_tier_value VAR QUICK FULL: the value of environment variable VAR if
# set, else QUICK or FULL for the tier.
vpl_tier_value() {
	if [ -n "${!1:-}" ]; then
		echo "${!1}"
	elif [ "$VPL_TIER" = full ]; then
		echo "$3"
	else
		echo "$2"
	fi
}
declare -ga VPL_FAMILIES=()

# The family that owns SCENARIO, or nothing for a core scenario.
vpl_family_of() {
	local fam
	for fam in "${VPL_FAMILIES[@]}"; do
		if "${fam}_has" "$1"; then
			echo "$fam"
			return 0
		fi
	done
	return 0
}

# Scenarios for SERIES TRANSPORT: in the quick tier, only those the
# series's QUICK column of scripts/kernel-series names ("all", or a list),
# less those it names with a "-".
vpl_scenarios() {
	local quick s
	quick=$(vpl_series_field "$1" 6)
	for s in $(vpl_all_scenarios "$@"); do
		if [ "$VPL_TIER" = quick ]; then
			case ",$quick," in
			*",-$s,"*) continue ;;
			*",all,"* | *",$s,"*) ;;
			*) continue ;;
			esac
		fi
		echo "$s"
	done
}

vpl_all_scenarios() {
	local fam
	if [ "$1" = debug ]; then
		# The debug kernel checks our transport in its families'
		# scenarios (hostile, dbg-*); make test-full adds the core ones.
		if [ "$2/$VPL_TIER" = ours/full ]; then
			echo msix-pervq malformed msix-shared intx lifecycle draft draft-intx
		fi
	else
		vpl_core_scenarios "$1" "$2"
	fi
	for fam in "${VPL_FAMILIES[@]}"; do
		"${fam}_scenarios" "$1" "$2"
	done
}

vpl_core_scenarios() {
	echo msix-pervq msix-shared intx lifecycle
	# The draft dialect: only ours speaks it (and only the injector shows it).
	[ "$2" != ours ] || echo draft draft-intx
	# Every injector layout, with both transports side by side.
	echo malformed
	# driver_override needs the in-tree driver bound first, which only a
	# kernel with virtio_pci built in can offer to ours (Debian's 6.12): an
	# "ours" guest must never load the in-tree module.
	[ "$2" != ours ] || ! vpl_series_has "$1" builtin:virtio_pci || echo override
}

# What each core scenario's boot holds and proves.  Each boot has one
# virtio-blk and two virtio-net functions: the pattern written, read back
# and checksummed in the guest and in the image on the host, the NICs (one
# in a network namespace) ping and move it over HTTP, /proc/interrupts
# shows the expected layout with counts rising.
vpl_core_describe() {
	case $1 in
	msix-pervq) echo "disk and NIC I/O with a vector per virtqueue" ;;
	msix-shared) echo "the same with vectors=2: one vector for configuration changes, one shared by every virtqueue" ;;
	intx) echo "the same with vectors=0: no MSI-X, INTx and the ISR" ;;
	lifecycle) echo "the module unloaded and loaded again, each function unbound and bound in a loop, I/O after each round" ;;
	draft) echo "the 2011 draft dialect (dialect=draft) on all three functions, one with its chain reordered, one without ISR; I/O" ;;
	draft-intx) echo "the draft dialect found by dialect=auto on all three functions, in INTx; I/O" ;;
	malformed) echo "every layout of the catalogue (tests/layouts/cases.def) the injector can present, on one NIC, each with its expected outcome and log text, while the disk keeps doing I/O" ;;
	override) echo "devices taken from the built-in virtio_pci with driver_override, then I/O" ;;
	demo) echo "make demo: msix-pervq with the transport's kernel messages" ;;
	*) return 1 ;;
	esac
}

# vpl_scenario_describe SCENARIO: its family's description, one line.
vpl_scenario_describe() {
	local fam
	fam=$(vpl_family_of "$1")
	if [ -n "$fam" ]; then
		"${fam}_describe" "$1"
	else
		vpl_core_describe "$1"
	fi
}

# True when the in-tree virtio_pci must be kept from grabbing the devices
# at boot, for SERIES TRANSPORT SCENARIO: ours, on a kernel that has it built
# in, except where the scenario takes the devices over from it (override)
# or compares what both negotiate on the same device (m-tunnel).
vpl_blacklist_in_tree() {
	[ "$2" = ours ] && [ "$3" != override ] && [ "$3" != m-tunnel ] &&
		vpl_series_has "$1" builtin:virtio_pci
}

# The tests the guest of SERIES TRANSPORT SCENARIO runs, in order: the plan
# of its scenario function, for the kernel of SERIES and the command line
# the boot gives it.
vpl_guest_tests() {
	TRANSPORT=$2 VPL_DIR=$VPL_TESTS/guest VPL_LAYOUTS=$(vpl_layouts)/vpl/layouts.cases \
		vpl_guest_plan "${VPL_KVER[$1]}" \
		"$(vpl_scenario_append "$@") ${VPL_EXTRA_APPEND:-}" vpl_scenario \
		"$VPL_TESTS"/guest/scenarios*.sh ||
		vpl_die "no plan for $1/$2/$3 (tests/lib/plan.sh)"
}

# Test names of SERIES TRANSPORT SCENARIO, in the order they are reported:
# the guest's, the family's host-* tests, then "host-image" and
# "clean-shutdown", judged by the host after the guest is gone.
vpl_scenario_tests() {
	local fam
	vpl_guest_tests "$@"
	fam=$(vpl_family_of "$3")
	[ -z "$fam" ] || ! declare -F "${fam}_host_tests" >/dev/null || "${fam}_host_tests" "$3"
	echo host-image clean-shutdown
}

# Disk offsets (MiB) the scenario writes the pattern to, read from its plan:
# the argument of each t_blk_pattern test (the guest's own numbers); 0, the
# start of its first disk, where a scenario writes it otherwise.  The host
# checks them in the image after power-off.
vpl_scenario_offsets() {
	local offsets
	offsets=$(VPL_PLAN_CALLS=1 vpl_guest_tests "$@" | awk '$2 == "t_blk_pattern" { print $3 }')
	echo "${offsets:-0}"
}

# Interrupt mode of a scenario: vpl.irq= for the guest, vectors= for QEMU.
vpl_scenario_irq() {
	case $1 in
	msix-shared) echo shared ;;
	intx | draft-intx) echo intx ;;
	*) echo pervq ;;
	esac
}

# Kernel command line additions for SERIES TRANSPORT SCENARIO.
vpl_scenario_append() {
	local append irq fam
	fam=$(vpl_family_of "$3")
	if [ -n "$fam" ]; then
		append="vpl.scenario=$3 $("${fam}_append" "$@")"
		! vpl_blacklist_in_tree "$@" || append="$append initcall_blacklist=virtio_pci_driver_init"
		[ "$1" != debug ] || append="$append vpl.debug=1"
		echo "$append"
		return 0
	fi
	irq=$(vpl_scenario_irq "$3")
	append="vpl.scenario=$3 vpl.irq=$irq vpl.nblk=1 vpl.nnet=2"
	# Draft scenarios: vpl_inject rewrites the blk, net A and net B functions'
	# capabilities (one mode each), and the transport gets dialect=.  The
	# per-vq boot asks for the draft alone and covers a reordered chain and
	# a function without ISR; the INTx boot needs every ISR and lets
	# dialect=auto find the draft, which shows the virtio 1.x ones are gone.
	case $3 in
	draft) append="$append vpl.inject=draft,draft-reorder,draft-noisr vpl.dialect=draft" ;;
	draft-intx) append="$append vpl.inject=draft,draft,draft vpl.dialect=auto" ;;
	esac
	! vpl_blacklist_in_tree "$@" || append="$append initcall_blacklist=virtio_pci_driver_init"
	[ "$1" != debug ] || append="$append vpl.debug=1"
	echo "$append"
}

# QEMU device arguments for SCENARIO with disk image IMAGE: one virtio-blk
# and two virtio-net functions, all non-transitional (modern only), the NICs
# joined by a QEMU hub that has no host side.  vectors=2 leaves one vector
# for config and one shared by all virtqueues; vectors=0 removes MSI-X, so
# the driver has to fall back to INTx.
vpl_scenario_qemu_args() {
	local vec='' fam
	fam=$(vpl_family_of "$1")
	if [ -n "$fam" ]; then
		"${fam}_qemu_args" "$@"
		return 0
	fi
	case $(vpl_scenario_irq "$1") in
	shared) vec=,vectors=2 ;;
	intx) vec=,vectors=0 ;;
	esac
	echo "-drive file=$2,format=raw,if=none,id=hd0,cache=writeback"
	echo "-device virtio-blk-pci,disable-legacy=on,drive=hd0,addr=0x4$vec"
	echo "-netdev hubport,id=n0,hubid=0"
	echo "-device virtio-net-pci,disable-legacy=on,netdev=n0,mac=52:54:00:56:50:01,romfile=,addr=0x5$vec"
	echo "-netdev hubport,id=n1,hubid=0"
	echo "-device virtio-net-pci,disable-legacy=on,netdev=n1,mac=52:54:00:56:50:02,romfile=,addr=0x6$vec"
}

# Guest RAM for SCENARIO (qemu.sh's default unless its family says).
vpl_scenario_memory() {
	local fam
	fam=$(vpl_family_of "$1")
	[ -n "$fam" ] && declare -F "${fam}_memory" >/dev/null || return 0
	"${fam}_memory" "$1"
}

# QEMU time limit in seconds for SERIES SCENARIO: its family's, or
# VPL_TIMEOUT (default 300).
# Limits catch hangs; they are written for a production kernel.  A kernel
# with KASAN (the debug series) runs three to five times slower under TCG,
# and gets three times the limit.
VPL_DEFAULT_TIMEOUT=${VPL_TIMEOUT:-300}
vpl_scenario_timeout() {
	local fam limit=$VPL_DEFAULT_TIMEOUT
	fam=$(vpl_family_of "$2")
	if [ -n "$fam" ] && declare -F "${fam}_timeout" >/dev/null; then
		limit=$("${fam}_timeout" "$2")
	fi
	! vpl_series_has "$1" config:KASAN || limit=$((limit * 3))
	echo "$limit"
}

# Judges a host-* test of a family scenario after its boot: the family's
# FAMILY_host_check SERIES TRANSPORT SCENARIO NAME BOOT_DIR prints
# diagnostics and fails when the test fails.
vpl_family_host_check() {
	local fam
	fam=$(vpl_family_of "$3")
	if [ -z "$fam" ] || ! declare -F "${fam}_host_check" >/dev/null; then
		echo "no host check for '$4' (scenario $3)"
		return 1
	fi
	"${fam}_host_check" "$@"
}

# Module names and binaries every family wants in the guests of SERIES.
vpl_family_modules() {
	local fam
	for fam in "${VPL_FAMILIES[@]}"; do
		! declare -F "${fam}_modules" >/dev/null || "${fam}_modules" "$1"
	done
}

vpl_family_bins() {
	local fam
	for fam in "${VPL_FAMILIES[@]}"; do
		! declare -F "${fam}_bins" >/dev/null || "${fam}_bins"
	done
}

# True when SCENARIO needs the host agent beside QEMU.
vpl_scenario_has_agent() {
	local fam
	fam=$(vpl_family_of "$1")
	[ -n "$fam" ] && declare -F "${fam}_agent" >/dev/null && "${fam}_agent" "$1"
}

# The families: tests/guest/scenarios-FAMILY.sh, one file each, whose
# guest side the initramfs carries as well (scripts/initramfs.sh).
for vpl_family_file in "$(dirname "${BASH_SOURCE[0]}")"/../guest/scenarios-*.sh; do
	[ -e "$vpl_family_file" ] || continue
	# shellcheck disable=SC1090 # the family files are found at run time
	. "$vpl_family_file"
	vpl_family_file=${vpl_family_file##*/scenarios-}
	VPL_FAMILIES+=("${vpl_family_file%.sh}")
done
unset vpl_family_file
