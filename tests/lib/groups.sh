# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# groups.sh - host-side test groups for run.sh (sourced): scripts that print
# their own KTAP (tests/lib/subtests.sh) and answer --list with the names
# of their tests.  run.sh folds their results into its plan:
#
#   host/parser/*  tests/parser/run.sh   the capability parser (seconds)
#   host/tool/*    tests/tool/run.sh     the layout tool (seconds)
#   host/rebind/*  tests/rebind/run.sh   the rebind tool on a fake sysfs
#   pkg/*          tests/pkg/run.sh      .deb build, install, DKMS, guests
#                                        (about five minutes; root)
#
# The pkg group follows run.sh's selection: it runs for the selected kernels,
# and only when no --scenario is given or "--scenario pkg" is.
# VPL_SKIP_GROUPS="pkg ..." leaves groups out.  A group whose --list fails
# (it did not build) is one failed test, GROUP/build; a test a group
# announced but did not report fails.

VPL_GROUPS=(parser:host/ tool:host/ rebind:host/ pkg:)
declare -gA GROUP_NAMES=() GROUP_LOG=()

vpl_group_selected() {
	local g=$1 s
	case " ${VPL_SKIP_GROUPS:-} " in *" $g "*) return 1 ;; esac
	[ "$g" = pkg ] || return 0
	[ ${#SCENARIOS[@]} -gt 0 ] || return 0
	for s in "${SCENARIOS[@]}"; do [ "$s" != pkg ] || return 0; done
	return 1
}

# The groups get the selected kernels Debian packages, Debian 12's and
# unstable's (all of them when none is selected): a built kernel (the debug
# one) has no packages (DKMS, initramfs-tools) to test.
vpl_group_cmd() {
	local series="" s
	for s in "${KERNELS[@]}"; do
		[ "$(vpl_series_field "$s" 2)" = built ] || series+="$s "
	done
	VPL_SERIES="${series:-$(vpl_series debian | tr '\n' ' ')$(vpl_series sid | tr '\n' ' ')}" \
		"$VPL_TESTS/$1/run.sh" "${@:2}"
}

# Asks each selected group for its test names.
vpl_groups_prepare() {
	local entry g log
	mkdir -p "$VPL_BUILD/logs"
	for entry in "${VPL_GROUPS[@]}"; do
		g=${entry%%:*}
		vpl_group_selected "$g" || continue
		log=$VPL_BUILD/logs/group-$g.log
		GROUP_LOG[$g]=$log
		if ! GROUP_NAMES[$g]=$(vpl_group_cmd "$g" --list 2>"$log") ||
			[ -z "${GROUP_NAMES[$g]}" ]; then
			GROUP_NAMES[$g]=$g/build
		fi
	done
}

vpl_groups_count() {
	local g n=0
	for g in "${!GROUP_NAMES[@]}"; do
		n=$((n + $(wc -l <<<"${GROUP_NAMES[$g]}")))
	done
	echo "$n"
}

vpl_groups_list() {
	local entry g
	for entry in "${VPL_GROUPS[@]}"; do
		g=${entry%%:*}
		[ -n "${GROUP_NAMES[$g]:-}" ] || continue
		sed "s#^#${entry#*:}#" <<<"${GROUP_NAMES[$g]}"
	done
}

# Runs one group and reports its results with ktap (run.sh).
vpl_group_run() {
	local g=$1 prefix=$2 line diag='' status name
	local -A seen=()
	if [ "${GROUP_NAMES[$g]}" = "$g/build" ]; then
		ktap "not ok" "$prefix$g/build" "$(tail -n 25 "${GROUP_LOG[$g]}")"
		return 0
	fi
	vpl_log "$g: running tests/$g/run.sh"
	while IFS= read -r line; do
		case $line in
		"    # "*) diag+=${line#    }$'\n' ;;
		"ok "* | "not ok "*)
			status=ok
			[ "${line#not ok}" = "$line" ] || status="not ok"
			name=${line##* }
			seen[$name]=1
			[ "$status" = ok ] && diag=
			ktap "$status" "$prefix$name" "$diag"
			diag=
			;;
		esac
	done < <(vpl_group_cmd "$g" 2>>"${GROUP_LOG[$g]}" || true)
	while read -r name; do
		[ -n "${seen[$name]:-}" ] ||
			ktap "not ok" "$prefix$name" "no result: tests/$g/run.sh stopped early; see build/logs/group-$g.log"$'\n'"$(tail -n 15 "${GROUP_LOG[$g]}")"
	done <<<"${GROUP_NAMES[$g]}"
}

vpl_groups_run() {
	local entry g
	for entry in "${VPL_GROUPS[@]}"; do
		g=${entry%%:*}
		[ -z "${GROUP_NAMES[$g]:-}" ] || vpl_group_run "$g" "${entry#*:}"
	done
}
