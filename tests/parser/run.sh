#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [--list] - the capability parser's userspace tests, as a test group
# of tests/run.sh (host/parser/*): builds parser_test (the driver's parser
# with ASan and UBSan) and runs it, or lists its test names.
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

make -s -C "$VPL_TESTS/parser" OUT="$VPL_BUILD/parser" >&2
exec "$VPL_BUILD/parser/parser_test" "$@"
