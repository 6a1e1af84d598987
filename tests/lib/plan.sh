#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# plan.sh - the test names a guest will report, read from the guest's own
# code on the host, in the shell it is written for (POSIX plus local: dash,
# like busybox ash).
#
#   plan.sh MODDIR CMDLINE FUNCTION FILE...
#
# Sources the guest runtime (scripts/guest/runtime.sh) and FILE..., with
# VPL_TEST_SHELL=1 (definitions only, as in a test's own shell) and
# VPL_RUNTIME_LOADED=1 (a FILE that sources the runtime itself skips it), then
# prints the plan of FUNCTION (vpl_plan): one name per line, in order
# (with VPL_PLAN_CALLS=1, each name followed by its test's function and
# arguments).
# The guest's kernel is described by MODDIR (where its modules.builtin is)
# and CMDLINE (what the host will boot it with); TRANSPORT and VPL_DIR
# (where the guest's data files are), when set, are kept.
set -eu
[ $# -ge 4 ] || { echo "usage: plan.sh MODDIR CMDLINE FUNCTION FILE..." >&2; exit 2; }
plan_dir=${VPL_DIR:-}
# shellcheck source=../../scripts/guest/runtime.sh
. "$(dirname "$0")/../../scripts/guest/runtime.sh"
# shellcheck disable=SC2034 # read by the guest's functions
MODDIR=$1 VPL_CMDLINE=$2 VPL_TEST_SHELL=1 VPL_RUNTIME_LOADED=1
VPL_DIR=${plan_dir:-$VPL_DIR}
plan_function=$3
shift 3
for f; do
	# shellcheck disable=SC1090 # the guest's files, named by the caller
	. "$f"
done
vpl_plan "$plan_function"
