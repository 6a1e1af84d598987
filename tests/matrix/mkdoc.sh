#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkdoc.sh [OUT]
#
# Writes Documentation/matrix.rst (or OUT) from the last run of the matrix
# scenarios (tests/guest/scenarios-matrix.sh): every row is one test of one
# scenario, every column one kernel and transport, every cell that test's
# verdict as tests/run.py reported it (build/runs/<series>/<transport>/<scenario>/
# verdicts.txt, written by report_boot).  Nothing in the table is typed by
# hand: a boot that did not run shows "not run", a scenario a configuration
# does not have "n/a".  The prose around the table comes from
# tests/matrix/notes.rst; the case descriptions from the scenarios' own
# (vpl_scenario_describe: the family's FAMILY_describe).
#
# make matrix-doc runs it; make test-full runs every row first.
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"

OUT=${1:-$VPL_TOP/Documentation/matrix.rst}
RUNS=$VPL_BUILD/runs
# Both transports on every series the matrix runs on: Debian's kernels,
# Debian 12's and unstable's, on each QEMU (scripts/kernel-series).
MATRIX_SERIES=$(vpl_series debian; vpl_series sid)
COLUMNS=()
for s in $MATRIX_SERIES; do COLUMNS+=("$s/ours" "$s/control"); done
unset s

# The tests of SCENARIO as reported (the same for every configuration),
# named after the newest Debian series.
rows_of() {
	vpl_scenario_tests "$(vpl_series debian | tail -n 1)" ours "$1"
}

# The verdict of TEST in the boot directory DIR.
cell() {
	local dir=$1 test=$2 v
	if [ ! -f "$dir/verdicts.txt" ]; then
		echo "not run"
		return 0
	fi
	v=$(awk -F '\t' -v t="$test" '$2 == t { print $1 ($3 ~ /^SKIP/ ? " skip" : "") }' "$dir/verdicts.txt" | tail -n 1)
	case $v in
	"ok skip") echo "n/a" ;;
	ok) echo pass ;;
	"not ok") echo "**FAIL**" ;;
	*) echo "not run" ;;
	esac
}

# "yes" when SCENARIO belongs to the configuration SERIES/TRANSPORT.
has_scenario() {
	local s
	for s in $(VPL_TIER=full matrix_scenarios "$1" "$2"); do
		[ "$s" != "$3" ] || return 0
	done
	return 1
}

table() {
	local scen test col dir series transport c
	echo ".. list-table::"
	echo "   :header-rows: 1"
	echo "   :widths: 34$(printf ' 10%.0s' "${COLUMNS[@]}")"
	echo
	echo "   * - case"
	for col in "${COLUMNS[@]}"; do
		echo "     - ${col%/*} ${col#*/}"
	done
	for scen in $MATRIX_ALL; do
		for test in $(rows_of "$scen"); do
			c=
			case " $MATRIX_QUICK " in *" $scen "*) c=" (quick)" ;; esac
			echo "   * - \`\`$scen/$test\`\`$c"
			for col in "${COLUMNS[@]}"; do
				series=${col%/*}
				transport=${col#*/}
				dir=$RUNS/$series/$transport/$scen
				if ! has_scenario "$series" "$transport" "$scen"; then
					echo "     - n/a"
				else
					echo "     - $(cell "$dir" "$test")"
				fi
			done
		done
	done
}

# Seconds each boot took, and when it ran.
times() {
	local scen col dir line
	echo ".. list-table::"
	echo "   :header-rows: 1"
	echo
	echo "   * - boot"
	for col in "${COLUMNS[@]}"; do
		echo "     - ${col%/*} ${col#*/}"
	done
	for scen in $MATRIX_ALL; do
		echo "   * - \`\`$scen\`\`"
		for col in "${COLUMNS[@]}"; do
			dir=$RUNS/$col/$scen
			if ! has_scenario "${col%/*}" "${col#*/}" "$scen"; then
				line=n/a
			elif [ -f "$dir/boot-status" ]; then
				line="$(cut -d' ' -f2 "$dir/boot-status") s"
			else
				line=-
			fi
			echo "     - $line"
		done
	done
}

# The version line of the QEMU SERIES boots on.
qemu_of() {
	local root
	root=$(vpl_series_qemu_root "$1")
	if [ -n "$root" ]; then
		# Read from the root's package database: running it would need
		# a mount namespace (root).
		dpkg-query --admindir="$root/var/lib/dpkg" -W \
			-f 'QEMU ${Version} (Debian unstable, in '"${root#"$VPL_TOP"/}"')\n' qemu-system-x86
	else
		qemu-system-x86_64 --version | head -n 1
	fi
}

# When each configuration's boots ran, and on what.
provenance() {
	local col first last kver
	for col in "${COLUMNS[@]}"; do
		first=$(find "$RUNS/$col" -maxdepth 2 -path '*/m-*/verdicts.txt' -printf '%TY-%Tm-%Td %TH:%TM\n' 2>/dev/null | sort | head -n 1)
		last=$(find "$RUNS/$col" -maxdepth 2 -path '*/m-*/verdicts.txt' -printf '%TY-%Tm-%Td %TH:%TM\n' 2>/dev/null | sort | tail -n 1)
		kver=$(grep -h -m 1 -o '# guest: kernel [^,]*' "$RUNS/$col"/m-*/result.txt 2>/dev/null | head -n 1 | sed 's/# guest: kernel //')
		echo "- ${col%/*} ${col#*/}: ${kver:-no run}${first:+, boots from $first to $last}, $(qemu_of "${col%/*}")"
	done
	echo "- TCG, 2 vCPUs"
}

# Facts about the kernels that rows depend on, read from the kernels.
kernel_facts() {
	local series kver seen=' '
	for series in $MATRIX_SERIES; do
		kver=${VPL_KVER[$series]:-}
		case $seen in *" $kver "*) continue ;; esac
		seen+="$kver "
		[ -n "$kver" ] || continue
		if vpl_kernel_has "$kver" config:VIRTIO_IOMMU; then
			echo "- $kver: \`\`$(grep '^CONFIG_VIRTIO_IOMMU=' "$VPL_BUILD/kernels/$kver/boot/config-$kver")\`\`: m-viommu runs"
		else
			echo "- $kver: \`\`CONFIG_VIRTIO_IOMMU\`\` is not set: m-viommu is n/a"
		fi
	done
}

main() {
	local scen tmp series
	# Which rows a series has depends on its kernel.
	mkdir -p "$VPL_BUILD/logs"
	for series in $MATRIX_SERIES; do
		vpl_prepare_kernel "$series" "$VPL_BUILD/logs/kernel-$series.log" ||
			vpl_die "kernel $series: see $VPL_BUILD/logs/kernel-$series.log"
	done
	tmp=$OUT.tmp
	{
		echo ".. SPDX-License-Identifier: GPL-2.0"
		echo
		echo ".. This file is generated by tests/matrix/mkdoc.sh (make matrix-doc)"
		echo "   from the last run; edit tests/matrix/notes.rst or mkdoc.sh instead."
		echo
		sed -n '/^BEGIN-INTRO$/,/^END-INTRO$/p' "$VPL_TESTS/matrix/notes.rst" | sed '1d;$d'
		echo
		echo "The run"
		echo "======="
		echo
		provenance
		echo
		echo "The cases"
		echo "========="
		echo
		for scen in $MATRIX_ALL; do
			echo "\`\`$scen\`\`"
			echo "    $(vpl_scenario_describe "$scen")"
			echo
		done
		echo "The matrix"
		echo "=========="
		echo
		echo "Every row is a test (\`\`host-*\`\`, \`\`host-image\`\` and \`\`clean-shutdown\`\` are"
		echo "judged by the host after the boot); \"(quick)\" rows also run in \`\`make test\`\`."
		echo
		table
		echo
		echo "Boot times"
		echo "=========="
		echo
		echo "Seconds from QEMU's start to its exit, per boot (TCG, two host cores)."
		echo
		times
		echo
		echo "Kernel facts"
		echo "============"
		echo
		kernel_facts
		echo
		sed -n '/^BEGIN-LIMITS$/,/^END-LIMITS$/p' "$VPL_TESTS/matrix/notes.rst" | sed '1d;$d'
	} >"$tmp"
	mv "$tmp" "$OUT"
	echo "$OUT"
}

main "$@"
