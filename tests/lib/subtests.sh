# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# subtests.sh - KTAP output for a host-side test group (sourced by
# tests/tool/run.sh, tests/rebind/run.sh and tests/pkg/run.sh).
#
# A group prints "KTAP version 1", its plan, one "ok N NAME" or "not ok N
# NAME" per test with the failing test's output before it as "    # " lines,
# and "N passed, N failed"; tests/run.py folds those results into its own.

T_NUM=0
T_FAILED=0

t_plan() {
	echo "KTAP version 1"
	echo "1..$1"
}

# Ends the test that runs it, with a reason.
fail() {
	echo "$*"
	return 1
}

# t_run NAME FUNCTION [ARGS...]: runs FUNCTION in a subshell with errexit,
# so that the first failing command ends the test (and only the test).
t_run() {
	local name=$1 out rc
	shift
	T_NUM=$((T_NUM + 1))
	set +e
	out=$(
		set -e
		"$@" 2>&1
	)
	rc=$?
	set -e
	if [ "$rc" -eq 0 ]; then
		echo "ok $T_NUM $name"
	else
		printf '%s\n' "$out" | tail -n 40 | sed 's/^/    # /'
		echo "not ok $T_NUM $name"
		T_FAILED=$((T_FAILED + 1))
	fi
}

# t_report STATUS NAME [DIAGNOSTICS]: a result found elsewhere (a guest's).
t_report() {
	T_NUM=$((T_NUM + 1))
	[ -z "${3:-}" ] || printf '%s\n' "$3" | sed -e '/^$/d' -e 's/^#* \{0,1\}/    # /'
	echo "$1 $T_NUM $2"
	[ "$1" = ok ] || T_FAILED=$((T_FAILED + 1))
}

# t_fail_all REASON NAME...: fails tests that cannot run (a step they need
# failed), so that they are never silently missing.
t_fail_all() {
	local reason=$1 name
	shift
	for name in "$@"; do
		T_NUM=$((T_NUM + 1))
		printf '    # %s\n' "$reason"
		echo "not ok $T_NUM $name"
		T_FAILED=$((T_FAILED + 1))
	done
}

t_end() {
	echo "$((T_NUM - T_FAILED)) passed, $T_FAILED failed"
	[ "$T_FAILED" -eq 0 ]
}
