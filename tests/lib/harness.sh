# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# harness.sh - the shell side of the guest harness (sourced): the scenario
# families (scenarios.sh), the test initramfs, a scenario's plan and the
# disk image check.  tests/lib/harness.py boots the guests and judges them;
# it asks this side through tests/lib/bridge.sh.  Preparing a kernel and
# building the module are scripts/lib.sh's, shared with bench/.
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/scenarios.sh"

VPL_LIB=$VPL_TESTS/lib
# The guest side of the tests: /init, the test bodies, the cases.
VPL_GUEST=$VPL_TESTS/guest

# The layout catalogue's list for the guest (tests/layouts), built when
# stale; prints the directory to lay over the initramfs (vpl/layouts.cases).
vpl_layouts() {
	make -s -C "$VPL_TESTS/layouts" OUT="$VPL_BUILD/layouts" >&2 ||
		vpl_die "the layout catalogue did not build (tests/layouts)"
	echo "$VPL_BUILD/layouts/overlay"
}

# Builds the initramfs for SERIES, KVER and TRANSPORT (and module KO), with
# whatever the scenario families add; prints its path.
vpl_build_initramfs() {
	local series=$1 kver=$2 transport=$3 ko=$4 log=$5 out overlay
	out=$VPL_BUILD/initramfs/$kver/$transport.cpio
	mkdir -p "$(dirname "$out")"
	overlay=$(vpl_layouts) || return 1
	VPL_OVERLAY=$overlay VPL_EXTRA_MODULES="${VPL_EXTRA_MODULES:-} $(vpl_family_modules "$series" | tr '\n' ' ')" \
		VPL_EXTRA_BINS="${VPL_EXTRA_BINS:-} $(vpl_family_bins | tr '\n' ' ')" \
		VPL_GUEST=$VPL_GUEST "$VPL_SCRIPTS/initramfs.sh" "$kver" "$transport" "$out" "$ko" 2>"$log" >/dev/null || return 1
	echo "$out"
}

# vpl_guest_plan KVER CMDLINE FUNCTION FILE...: the test names FUNCTION of
# the guest files FILE... will report, on the kernel of release KVER booted
# with CMDLINE (tests/lib/plan.sh; TRANSPORT and VPL_DIR pass through).
vpl_guest_plan() {
	local kver=$1
	shift
	dash "$VPL_LIB/plan.sh" "$(vpl_kernel_moddir "$kver")" "$@"
}

# Where the boot of SERIES TRANSPORT SCENARIO keeps its files.
vpl_boot_dir() {
	echo "$VPL_BUILD/runs/$1/$2/$3"
}

# Checks the disk image: the pattern must be at each MiB offset given.
# Prints diagnostics; fails on any mismatch.
vpl_check_image() {
	local img=$1 off sum want rc=0 pattern
	shift
	pattern=$("$VPL_SCRIPTS/pattern.sh")
	want=$(cat "$pattern.sha256")
	for off in "$@"; do
		sum=$(dd if="$img" bs=1M skip="$off" count="$VPL_PATTERN_MIB" status=none | sha256sum)
		sum=${sum%% *}
		if [ "$sum" = "$want" ]; then
			echo "image at $off MiB: pattern intact"
		else
			echo "image at $off MiB: sha256 $sum, want $want"
			rc=1
		fi
	done
	return "$rc"
}
