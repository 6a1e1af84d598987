#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kunit.sh - `make kunit`: run the KUnit suites with the kernel's kunit.py.
#
# Unpacks Debian's linux-source-6.12 once into build/kunit/, places the
# driver in it as drivers/virtio/layout (links to this tree, wired into
# drivers/virtio's Kconfig and Makefile), and runs
#   kunit.py run --arch=x86_64 --kunitconfig=.kunitconfig
# under QEMU (TCG; VPL_ACCEL=kvm adds -accel kvm).  The kernel build is
# cached in build/kunit/out, so later runs rebuild only what changed.
# VPL_KUNIT_SEEDS=N runs N of vpl_model_fuzz's four seeds (the others
# report SKIP): all four by default, one in make test (tests/run.py).
#
# Prints KTAP (tests/lib/ktap.py reads it): one result per test case,
# "ok N kunit/<suite>/<case>[/<param>]" (with " # SKIP" for a skipped one)
# or "not ok N ...", one for the kernel's checkers, then "N passed, N
# failed"; exits non-zero on any failure.
# kunit.py's own output goes to build/kunit/kunit.log.
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KDIR=$VPL_BUILD/kunit
OUT=$KDIR/out
KUNIT_REPORTS='BUG: KASAN|WARNING:|circular locking|BUG: sleeping function|BUG: scheduling while atomic|BUG: spinlock|list_(add|del) corruption|trying to register non-static key|turning off the locking correctness validator|Kernel panic'

# The driver as an in-tree directory: links to what Kbuild and Kconfig use.
place_driver() {
	local dir=$TREE/drivers/virtio/layout f
	mkdir -p "$dir"
	for f in Kbuild Kconfig drivers include tests; do
		ln -sfn "$VPL_TOP/$f" "$dir/$f"
	done
	grep -q 'drivers/virtio/layout/Kconfig' "$TREE/drivers/virtio/Kconfig" ||
		echo 'source "drivers/virtio/layout/Kconfig"' >>"$TREE/drivers/virtio/Kconfig"
	grep -q '^obj-y += layout/' "$TREE/drivers/virtio/Makefile" ||
		echo 'obj-y += layout/' >>"$TREE/drivers/virtio/Makefile"
}

# Turns kunit.py's JSON into KTAP, one result per test case (the plan
# counts them and the checkers' verdict that main adds).
report() {
	python3 - "$1" <<'PY'
import json, sys

def walk(group, path):
    for case in group.get("test_cases", []):
        yield case, f'{path}/{case["name"]}'
    for sub in group.get("sub_groups", []):
        yield from walk(sub, f'{path}/{sub["name"]}')

with open(sys.argv[1], encoding="utf-8") as f:
    root = json.load(f)
cases = [c for suite in root.get("sub_groups", []) for c in walk(suite, "kunit/" + suite["name"])]
print("KTAP version 1")
print(f"1..{len(cases) + 1}")
for num, (case, name) in enumerate(cases, 1):
    status = "ok" if case["status"] in ("PASS", "SKIP") else "not ok"
    skip = " # SKIP" if case["status"] == "SKIP" else ""
    print(f"{status} {num} {name}{skip}")
PY
}

main() {
	local -a run_args=()
	vpl_need_tools make:make gcc:gcc python3:python3 flex:flex bison:bison \
		bc:bc qemu-system-x86_64:qemu-system-x86 xz:xz-utils
	vpl_need_packages libelf-dev libssl-dev
	TREE=$(vpl_unpacked_source)
	place_driver
	[ "${VPL_ACCEL:-tcg}" != kvm ] || run_args=(--qemu_args="-accel kvm")
	[ -z "${VPL_KUNIT_SEEDS:-}" ] ||
		run_args+=(--kernel_args="virtio_pci_layout.fuzz_seeds=$VPL_KUNIT_SEEDS")
	vpl_log "kunit.py run (build cached in $OUT; log in $KDIR/kunit.log)"
	rm -f "$KDIR/results.json"
	(cd "$TREE" && python3 tools/testing/kunit/kunit.py run --arch=x86_64 \
		--kunitconfig="$VPL_TOP/.kunitconfig" --build_dir="$OUT" \
		--jobs="$(nproc)" --timeout=600 --json="$KDIR/results.json" \
		"${run_args[@]}") >"$KDIR/kunit.log" 2>&1 || true
	if [ ! -s "$KDIR/results.json" ]; then
		tail -n 30 "$KDIR/kunit.log" | sed 's/^/# /'
		printf 'KTAP version 1\n1..1\nnot ok 1 kunit/build-or-boot\n'
		echo "0 passed, 1 failed"
		return 1
	fi
	report "$KDIR/results.json" >"$KDIR/results.txt"
	local num
	num=$(($(grep -c -E '^(ok|not ok) ' "$KDIR/results.txt" || true) + 1))
	# The KUnit kernel has KASAN, lockdep, atomic-sleep and list checks
	# (.kunitconfig): any report of theirs, or a WARN, fails the run.
	if grep -E "$KUNIT_REPORTS" "$OUT/test.log" >"$KDIR/reports.txt"; then
		sed 's/^/# /' "$KDIR/reports.txt" | head -n 20 >>"$KDIR/results.txt"
		echo "not ok $num kunit/checkers" >>"$KDIR/results.txt"
	else
		echo "ok $num kunit/checkers" >>"$KDIR/results.txt"
	fi
	cat "$KDIR/results.txt"
	local passed failed
	passed=$(grep -c '^ok ' "$KDIR/results.txt" || true)
	failed=$(grep -c '^not ok ' "$KDIR/results.txt" || true)
	[ "$passed" -gt 0 ] || failed=$((failed + 1))
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

main "$@"
