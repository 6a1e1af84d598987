#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - runs the guest test suite and reports it as KTAP on stdout.
#
#   tests/run.sh [--kernel SERIES]... [--transport ours|control]...
#                [--scenario NAME]... [--no-kunit] [--list]
#
# Defaults: the kernel series scripts/kernel-series gives the tier
# (VPL_TIER=quick, the default, or full: make test-full): Debian 12's 6.1 and
# 6.12; "debug", built from Debian's 6.12 source with KASAN, kmemleak,
# lockdep and fault injection by scripts/debug-kernel.sh (our transport
# only); Debian unstable's 7.2 on unstable's QEMU 11.1 ("7.2@qemu11", the
# quick tier; "--kernel 7.2" boots it on QEMU 7.2); both transports, the
# scenarios of the tier.  Options may be
# repeated or take comma separated lists.  "ours" boots the devices on
# virtio_pci_layout.ko (built from this tree); "control" runs the same tests
# on the kernel's own virtio_pci, so that a harness fault can be told apart
# from a driver fault.  --list prints the test names and runs nothing.
# The kernels are prepared first, --list included: which tests a series
# has depends on what its kernel is (virtio_pci built in or a module,
# CONFIG_VIRTIO_IOMMU), read from the unpacked kernel.
# Before the guests: the parser's userspace tests (host/parser/*), the
# KUnit suites under kunit.py (kunit/*; --no-kunit skips them), the tools'
# tests (host/tool/*, host/rebind/*) and the packaging tests (pkg/*: .deb,
# DKMS on every Debian kernel series, boots; only without --scenario or
# with "--scenario pkg"; VPL_SKIP_GROUPS=pkg leaves them out), see
# tests/lib/groups.sh.
#
# Every test the plan announces gets a result: a guest that died, hung or was
# never booted (kernel, module or initramfs failed to build) fails the tests
# it did not report.  The last line is "N passed, N failed"; the exit status
# is non-zero if anything failed.  Progress goes to stderr, logs and images
# to build/runs/<series>/<transport>/<scenario>/.
#
# Guests boot VPL_JOBS at a time (default: the number of CPUs), reported in
# the plan's order.
#
# Environment: VPL_ACCEL=kvm (default tcg), VPL_JOBS, VPL_TIMEOUT (seconds
# per boot where a family sets none, default 300; tripled on a KASAN
# kernel), VPL_KVER_61 / VPL_KVER_612 (kernel releases, see
# vpl_series_var), VPL_TIER, VPL_DEBUG_CYCLES (bind/unbind rounds of
# dbg-cycles), VPL_KUNIT_SEEDS (seeds of the KUnit model's random devices,
# in kunit/* and in the debug kernel's hostile boot) and VPL_KUNIT_SEQUENCES
# (sequences per seed, the debug kernel's hostile boot only).
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/lib/harness.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib/groups.sh"

usage() {
	sed -n 's/^#   //p' "${BASH_SOURCE[0]}" >&2
	exit 2
}

KERNELS=()
TRANSPORTS=()
SCENARIOS=()
LIST_ONLY=0
RUN_KUNIT=1

# Appends the comma separated values $2 to the array named $1, each once
# (a boot selected twice would run twice at once in one directory).
add_values() {
	local -n arr=$1
	local v
	for v in ${2//,/ }; do
		case " ${arr[*]} " in *" $v "*) ;; *) arr+=("$v") ;; esac
	done
}

parse_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		--kernel | --transport | --scenario)
			[ $# -ge 2 ] || usage
			add_values "$(echo "${1#--}" | tr '[:lower:]' '[:upper:]')S" "$2"
			shift 2
			;;
		--kernel=* | --transport=* | --scenario=*)
			local key=${1%%=*}
			add_values "$(echo "${key#--}" | tr '[:lower:]' '[:upper:]')S" "${1#*=}"
			shift
			;;
		--list)
			LIST_ONLY=1
			shift
			;;
		--no-kunit)
			RUN_KUNIT=0
			shift
			;;
		-h | --help) usage ;;
		*) usage ;;
		esac
	done
	# shellcheck disable=SC2207 # one series per line
	[ ${#KERNELS[@]} -gt 0 ] || KERNELS=($(vpl_series_default))
	[ ${#TRANSPORTS[@]} -gt 0 ] || TRANSPORTS=(ours control)
	local k t
	for k in "${KERNELS[@]}"; do vpl_series_var "$k" >/dev/null; done
	for t in "${TRANSPORTS[@]}"; do
		case $t in ours | control) ;; *) vpl_die "unknown transport '$t'" ;; esac
	done
}

# Scenarios of SERIES TRANSPORT: the tier's, or those --scenario names
# among every scenario the series has (a scenario named runs whatever the
# tier).
selected_scenarios() {
	local s f
	if [ ${#SCENARIOS[@]} -eq 0 ]; then
		vpl_scenarios "$1" "$2" | tr ' ' '\n'
		return
	fi
	for s in $(VPL_TIER=full vpl_all_scenarios "$1" "$2"); do
		for f in "${SCENARIOS[@]}"; do [ "$f" != "$s" ] || echo "$s"; done
	done
}

# ---------------------------------------------------------------- KTAP

# The output is KTAP, nested: at the top level the host tests, the KUnit
# cases and the group tests are single results, each guest boot is a
# subtest with its tests inside (indented, numbered from 1), as kunit.py
# nests suites.  PASSED and FAILED count single tests, wherever they are.
NUM=0
PASSED=0
FAILED=0
FAILED_NAMES=()
SUB=''
SUB_NUM=0
SUB_FAILED=0

# ktap STATUS NAME [DIAGNOSTICS]: one test's result, after its diagnostics
# as "# " lines: at the top level, or inside the open subtest (ktap_begin).
ktap() {
	local status=$1 name=$2 diag=${3:-} indent='' num
	if [ -n "$SUB" ]; then
		SUB_NUM=$((SUB_NUM + 1))
		num=$SUB_NUM
		indent='    '
	else
		NUM=$((NUM + 1))
		num=$NUM
	fi
	if [ "$status" = ok ]; then
		PASSED=$((PASSED + 1))
	else
		FAILED=$((FAILED + 1))
		SUB_FAILED=1
		FAILED_NAMES+=("${SUB:+$SUB/}$name")
	fi
	[ -z "$diag" ] || printf '%s\n' "$diag" | sed -e '/^$/d' -e '/^#/!s/^/# /' -e "s/^/$indent/"
	echo "$indent$status $num $name"
}

# ktap_begin NAME COUNT: opens the subtest NAME, of COUNT tests.
ktap_begin() {
	SUB=$1
	SUB_NUM=0
	SUB_FAILED=0
	printf '    KTAP version 1\n    # Subtest: %s\n    1..%s\n' "$1" "$2"
}

# ktap_end: closes the subtest with its verdict at the top level: ok when
# every test in it passed.
ktap_end() {
	local name=$SUB
	SUB=''
	NUM=$((NUM + 1))
	if [ "$SUB_FAILED" = 0 ]; then echo "ok $NUM $name"; else echo "not ok $NUM $name"; fi
}

# Fails every test of SERIES TRANSPORT SCENARIO... with a reason.
fail_tests() {
	local series=$1 transport=$2 reason=$3 scenario name first=1
	local -a names
	shift 3
	for scenario in "$@"; do
		read -r -a names <<<"$(vpl_scenario_tests "$series" "$transport" "$scenario" | tr '\n' ' ')"
		ktap_begin "$series/$transport/$scenario" ${#names[@]}
		for name in "${names[@]}"; do
			if [ "$first" = 1 ]; then
				ktap "not ok" "$name" "$reason"
				first=0
			else
				ktap "not ok" "$name" "not run (see above)"
			fi
		done
		ktap_end
	done
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

# Reports the tests of the scenario that just ran (vpl_boot's BOOT_*).
report_boot() {
	local series=$1 transport=$2 scenario=$3 prefix=$1/$2/$3 name status diag told=0
	local -a names
	read -r -a names <<<"$(vpl_scenario_tests "$series" "$transport" "$scenario" | tr '\n' ' ')"
	vpl_parse_results "$BOOT_DIR/result.txt"
	ktap_begin "$prefix" ${#names[@]}
	for name in "${names[@]}"; do
		status=ok
		case $name in
		host-image)
			# shellcheck disable=SC2046 # offsets are separate arguments
			diag=$(vpl_check_image "$BOOT_DIR/disk.img" $(vpl_scenario_offsets "$series" "$transport" "$scenario")) || status="not ok"
			;;
		clean-shutdown)
			diag=$(vpl_check_shutdown "${names[@]}") || status="not ok"
			if [ "$status" != ok ] && [ "$told" = 0 ]; then
				diag+=$'\n'$(vpl_console_tail)
			fi
			;;
		host-*)
			# Judged on the host after the boot by the scenario's family
			# (FAMILY_host_check, see scenarios.sh).
			diag=$(vpl_family_host_check "$series" "$transport" "$scenario" "$name" "$BOOT_DIR") ||
				status="not ok"
			;;
		*)
			if [ -n "${RES_STATUS[$name]:-}" ]; then
				status=${RES_STATUS[$name]}
				diag=${RES_DIAG[$name]:-}
			else
				status="not ok"
				diag="no result: the guest stopped before reporting it (QEMU exit $BOOT_RC after ${BOOT_SECS}s)"
				if [ "$told" = 0 ]; then
					diag+=$'\n'$(vpl_console_tail 40)
					told=1
				fi
			fi
			;;
		esac
		# Diagnostics only for failures: a passing test speaks for itself.
		[ "$status" = ok ] && diag=
		ktap "$status" "$name" "$diag"
		# The boot's verdicts, for reports built from the last run
		# (tests/matrix/mkdoc.sh).
		printf '%s\t%s\n' "$status" "$name" >>"$BOOT_DIR/verdicts.txt"
	done
	ktap_end
}

# ---------------------------------------------------------------- host tests

# A short, bounded libFuzzer run over the parser (make fuzz runs longer):
# it passes when no input crashes it or breaks a layout invariant.
FUZZ_SECONDS=${VPL_FUZZ_SECONDS:-20}

run_fuzz() {
	local log=$VPL_BUILD/logs/fuzz.log stats
	vpl_log "fuzz: ${FUZZ_SECONDS}s of libFuzzer on the parser"
	if make -s -C "$VPL_TESTS/fuzz" run FUZZ_SECONDS="$FUZZ_SECONDS" \
		OUT="$VPL_BUILD/fuzz" >"$log" 2>&1; then
		stats=$(grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units)' "$log" | tr '\n' ' ')
		vpl_log "fuzz: $stats"
		ktap ok host/fuzz/parser
	else
		ktap "not ok" host/fuzz/parser "$(grep -v '^\"' "$log" | tail -n 25)"
	fi
}

# The KUnit suites (scripts/kunit.sh: kunit.py on Debian's 6.12 source,
# under QEMU; one of vpl_model_fuzz's four seeds in the quick tier, all
# in the full one).  They run before the plan is printed, since only the run
# tells how many parameterised cases there are; a build or boot failure is
# one failed test.  Sets KUNIT_LINES to scripts/kunit.sh's result lines.
KUNIT_LINES=()

prepare_kunit() {
	[ "$RUN_KUNIT" = 1 ] || return 0
	vpl_log "kunit: building and running the KUnit suites"
	mapfile -t KUNIT_LINES < <(VPL_KUNIT_SEEDS=$(vpl_tier_value VPL_KUNIT_SEEDS 1 4) \
		"$VPL_TOP/scripts/kunit.sh" 2>"$VPL_BUILD/logs/kunit.log" |
		grep -E '^(ok|not ok) |^# ' || true)
	grep -q -E '^(ok|not ok) ' < <(printf '%s\n' "${KUNIT_LINES[@]}") ||
		KUNIT_LINES=("not ok kunit/run" "# scripts/kunit.sh reported no test; see build/kunit/kunit.log")
}

kunit_count() {
	printf '%s\n' "${KUNIT_LINES[@]}" | grep -c -E '^(ok|not ok) ' || true
}

run_kunit() {
	local line diag=''
	for line in "${KUNIT_LINES[@]}"; do
		case $line in
		"# "*) diag+=$line$'\n' ;;
		"ok "*) ktap ok "${line#ok }" ; diag= ;;
		"not ok "*)
			ktap "not ok" "${line#not ok }" \
				"${diag}# see build/kunit/kunit.log for kunit.py's output"
			diag=
			;;
		esac
	done
}

# ---------------------------------------------------------------- running

# Guests boot VPL_JOBS at a time (default: one per CPU; a TCG guest is one
# host thread), those with the longest time limit first; their tests are
# reported in the plan's order, a boot's once it and every boot before it
# in the plan have ended.  Boots share nothing but the initramfs: each has
# its own directory, disk image, sockets and agent.
JOBS=${VPL_JOBS:-$(nproc)}
case $JOBS in '' | *[!0-9]* | 0) vpl_die "VPL_JOBS must be a positive number, not '$JOBS'" ;; esac

# Per SERIES/TRANSPORT: its initramfs, or why it has none.
declare -A INITRD=() CONFIG_FAILED=()
# Every boot, as "SERIES TRANSPORT SCENARIO", in the order they start.
LAUNCH=()

# Builds the module and the initramfs of SERIES TRANSPORT and queues its
# boots; a failed build goes into CONFIG_FAILED.
prepare_config() {
	local series=$1 kver=$2 transport=$3 ko='' log scenario
	local -a scenarios
	read -r -a scenarios <<<"$(selected_scenarios "$series" "$transport" | tr '\n' ' ')"
	[ ${#scenarios[@]} -gt 0 ] || return 0
	mkdir -p "$VPL_BUILD/logs"
	# Both transports: the control's guests use the layout injector.
	log=$VPL_BUILD/logs/module-$kver.log
	vpl_log "$series: building virtio_pci_layout.ko and the injector"
	if ! ko=$(vpl_build_module "$kver" "$log"); then
		CONFIG_FAILED[$series/$transport]=$(printf 'module build failed:\n'; tail -n 20 "$log")
		return 0
	fi
	log=$VPL_BUILD/logs/initramfs-$kver-$transport.log
	if ! INITRD[$series/$transport]=$(vpl_build_initramfs "$series" "$kver" "$transport" "$ko" "$log"); then
		CONFIG_FAILED[$series/$transport]=$(printf 'initramfs build failed:\n'; tail -n 20 "$log")
		return 0
	fi
	for scenario in "${scenarios[@]}"; do
		LAUNCH+=("$(vpl_scenario_timeout "$series" "$scenario") $series $transport $scenario")
	done
}

# The queued boots, longest time limit first (a stable sort: plan order
# among equals).
order_launch() {
	local -a sorted
	[ ${#LAUNCH[@]} -gt 0 ] || return 0
	mapfile -t sorted < <(printf '%s\n' "${LAUNCH[@]}" | sort -s -k1,1nr | cut -d' ' -f2-)
	LAUNCH=("${sorted[@]}")
}

# Running boots by PID, ended ones, guest seconds per series.
declare -A BOOT_PID=() BOOT_ENDED=() BOOT_SUM=()
NEXT=0

# Ends the running boots and what runs below them (timeout(1) puts QEMU in
# a process group of its own, so a signal to the boot's shell misses it):
# run.sh must not leave guests behind when it ends early.
stop_boots() {
	local pid
	for pid in "${!BOOT_PID[@]}"; do
		kill_tree "$pid"
	done
}

kill_tree() {
	local child
	for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		kill_tree "$child"
	done
	kill -TERM "$1" 2>/dev/null || true
}

# Boots "SERIES TRANSPORT SCENARIO" in the background; its directory gets
# boot-status ("RC SECONDS") when it has ended.
start_boot() {
	local series transport scenario
	read -r series transport scenario <<<"$1"
	(
		vpl_log "$series/$transport/$scenario: booting"
		vpl_boot "$series" "${VPL_KVER[$series]}" "$transport" "$scenario" "${INITRD[$series/$transport]}"
		vpl_log "$series/$transport/$scenario: QEMU exit $BOOT_RC after ${BOOT_SECS}s"
		echo "$BOOT_RC $BOOT_SECS" >"$BOOT_DIR/boot-status"
	) &
	BOOT_PID[$!]=$1
}

# Waits until boot "SERIES TRANSPORT SCENARIO" has ended, starting queued
# boots whenever fewer than JOBS run.
await_boot() {
	local pid
	while [ -z "${BOOT_ENDED[$1]:-}" ]; do
		while [ ${#BOOT_PID[@]} -lt "$JOBS" ] && [ "$NEXT" -lt ${#LAUNCH[@]} ]; do
			start_boot "${LAUNCH[$NEXT]}"
			NEXT=$((NEXT + 1))
		done
		[ ${#BOOT_PID[@]} -gt 0 ] || vpl_die "boot '$1' was never queued"
		pid=
		wait -n -p pid "${!BOOT_PID[@]}" || true
		[ -n "$pid" ] || vpl_die "lost track of the running boots"
		BOOT_ENDED[${BOOT_PID[$pid]}]=1
		unset "BOOT_PID[$pid]"
	done
}

# Reports every scenario of SERIES TRANSPORT, in order, each once its boot
# has ended.
report_config() {
	local series=$1 transport=$2 scenario rc secs
	local -a scenarios
	read -r -a scenarios <<<"$(selected_scenarios "$series" "$transport" | tr '\n' ' ')"
	[ ${#scenarios[@]} -gt 0 ] || return 0
	if [ -n "${CONFIG_FAILED[$series/$transport]:-}" ]; then
		fail_tests "$series" "$transport" "${CONFIG_FAILED[$series/$transport]}" "${scenarios[@]}"
		return 0
	fi
	for scenario in "${scenarios[@]}"; do
		await_boot "$series $transport $scenario"
		BOOT_DIR=$(vpl_boot_dir "$series" "$transport" "$scenario")
		rc='' secs=''
		[ ! -f "$BOOT_DIR/boot-status" ] || read -r rc secs <"$BOOT_DIR/boot-status" || true
		BOOT_RC=${rc:-255} BOOT_SECS=${secs:-0}
		BOOT_SUM[$series]=$((${BOOT_SUM[$series]:-0} + BOOT_SECS))
		report_boot "$series" "$transport" "$scenario"
	done
}

# Prepares every selected kernel; a series that could not be prepared
# goes into KERNEL_FAILED (its log) and has one test, SERIES/kernel.
declare -A KERNEL_FAILED=() KERNEL_SECS=()

prepare_kernels() {
	local series start log
	mkdir -p "$VPL_BUILD/logs"
	for series in "${KERNELS[@]}"; do
		start=$(date +%s)
		log=$VPL_BUILD/logs/kernel-$series.log
		vpl_log "$series: preparing kernel"
		vpl_prepare_kernel "$series" "$log" || KERNEL_FAILED[$series]=$log
		KERNEL_SECS[$series]=$(($(date +%s) - start))
	done
}

# Test names of SERIES, one per line, prefixed with SERIES/TRANSPORT/SCENARIO.
# A scenario whose plan cannot be read is a harness fault: it ends the run.
series_tests() {
	local transport scenario name names
	if [ -n "${KERNEL_FAILED[$1]:-}" ]; then
		echo "$1/kernel"
		return 0
	fi
	for transport in "${TRANSPORTS[@]}"; do
		for scenario in $(selected_scenarios "$1" "$transport"); do
			names=$(vpl_scenario_tests "$1" "$transport" "$scenario") ||
				vpl_die "$1/$transport/$scenario: no plan"
			for name in $names; do
				echo "$1/$transport/$scenario/$name"
			done
		done
	done
}

# Dies when a --scenario names nothing the selected kernels and transports
# have (nor the pkg group).
check_scenarios() {
	local want series transport
	for want in "${SCENARIOS[@]}"; do
		[ "$want" != pkg ] || continue
		for series in "${KERNELS[@]}"; do
			for transport in "${TRANSPORTS[@]}"; do
				# A kernel that failed cannot tell; it reports itself.
				if [ -n "${KERNEL_FAILED[$series]:-}" ] ||
					selected_scenarios "$series" "$transport" | grep -qx -- "$want"; then
					continue 3
				fi
			done
		done
		vpl_die "no scenario '$want' on ${KERNELS[*]} / ${TRANSPORTS[*]}"
	done
}

# Top-level entries of SERIES: one subtest per boot, or SERIES/kernel.
series_entries() {
	local transport n=0
	if [ -n "${KERNEL_FAILED[$1]:-}" ]; then
		echo 1
		return 0
	fi
	for transport in "${TRANSPORTS[@]}"; do
		n=$((n + $(selected_scenarios "$1" "$transport" | wc -l)))
	done
	echo "$n"
}

main() {
	local series transport total=0 tests=0 n start names
	parse_args "$@"
	vpl_need_tools make:make gcc:gcc clang:clang ps:procps
	vpl_need_packages libclang-rt-14-dev
	prepare_kernels
	check_scenarios
	[ "$LIST_ONLY" = 0 ] || echo host/fuzz/parser
	total=$((total + 1))
	vpl_groups_prepare
	[ "$LIST_ONLY" = 0 ] || vpl_groups_list
	n=$(vpl_groups_count)
	total=$((total + n))
	tests=$total
	if [ "$LIST_ONLY" = 0 ]; then
		mkdir -p "$VPL_BUILD/logs"
		prepare_kunit
		n=$(kunit_count)
		total=$((total + n))
		tests=$((tests + n))
	else
		[ "$RUN_KUNIT" = 0 ] || echo "kunit/* (the KUnit suites' cases, known once they run)"
	fi
	for series in "${KERNELS[@]}"; do
		names=$(series_tests "$series")
		[ "$LIST_ONLY" = 0 ] || [ -z "$names" ] || printf '%s\n' "$names"
		[ -z "$names" ] || tests=$((tests + $(wc -l <<<"$names")))
		total=$((total + $(series_entries "$series")))
	done
	[ "$LIST_ONLY" = 0 ] || return 0
	vpl_host_tools
	trap stop_boots EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	echo "KTAP version 1"
	echo "1..$total"
	mkdir -p "$VPL_BUILD/logs"
	run_fuzz
	run_kunit
	vpl_groups_run
	start=$(date +%s)
	for series in "${KERNELS[@]}"; do
		[ -z "${KERNEL_FAILED[$series]:-}" ] || continue
		for transport in "${TRANSPORTS[@]}"; do
			prepare_config "$series" "${VPL_KVER[$series]}" "$transport"
		done
	done
	order_launch
	vpl_log "guests: ${#LAUNCH[@]} boots, $JOBS at a time"
	for series in "${KERNELS[@]}"; do
		if [ -n "${KERNEL_FAILED[$series]:-}" ]; then
			ktap "not ok" "$series/kernel" "$(printf 'kernel preparation failed:\n'; tail -n 20 "${KERNEL_FAILED[$series]}")"
			continue
		fi
		for transport in "${TRANSPORTS[@]}"; do
			report_config "$series" "$transport"
		done
	done
	for series in "${KERNELS[@]}"; do
		[ -z "${KERNEL_FAILED[$series]:-}" ] || continue
		echo "# $series (${VPL_KVER[$series]}): kernel ${KERNEL_SECS[$series]} s, guests ${BOOT_SUM[$series]:-0} s"
	done
	echo "# guests: $(($(date +%s) - start)) s of wall time, $JOBS at a time"
	for n in "${FAILED_NAMES[@]}"; do
		echo "# failed: $n"
	done
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ] && [ "$NUM" -eq "$total" ] && [ $((PASSED + FAILED)) -eq "$tests" ]
}

main "$@"
