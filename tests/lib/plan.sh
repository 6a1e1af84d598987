#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# plan.sh - the test names of one guest scenario, read from the guest's own
# scenario functions (tests/guest/scenarios*.sh, vpl_plan) on the host, in
# the shell they are written for (POSIX plus local: dash, like busybox ash).
#
#   plan.sh GUEST_DIR RUNTIME TRANSPORT MODDIR CMDLINE
#
# GUEST_DIR holds the scenario files and the cases they read, RUNTIME is
# the guest runtime (scripts/guest/runtime.sh); the guest's kernel is
# described by MODDIR (where its modules.builtin is) and CMDLINE (what the
# host will boot it with).  Prints one name per line, in order.
set -eu
[ $# -eq 5 ] || { echo "usage: plan.sh GUEST_DIR RUNTIME TRANSPORT MODDIR CMDLINE" >&2; exit 2; }
# shellcheck source=../../scripts/guest/runtime.sh
. "$2"
# shellcheck disable=SC2034 # read by the scenario functions
VPL_DIR=$1 TRANSPORT=$3 MODDIR=$4 VPL_CMDLINE=$5
# shellcheck source=../guest/scenarios.sh
. "$VPL_DIR/scenarios.sh"
for f in "$VPL_DIR"/scenarios-*.sh; do
	# shellcheck disable=SC1090 # the family files are found at run time
	. "$f"
done
vpl_plan vpl_scenario
