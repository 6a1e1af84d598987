#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkdoc.sh [OUT]
#
# Writes Documentation/matrix.rst (or OUT) from the last run of the matrix
# scenarios (tests/lib/scenarios-matrix.sh): every row is one test of one
# scenario, every column one kernel and transport, every cell that test's
# verdict as run.sh reported it (build/runs/<series>/<transport>/<scenario>/
# verdicts.txt, written by report_boot).  Nothing in the table is typed by
# hand: a boot that did not run shows "not run", a scenario a configuration
# does not have "n/a".  The prose around the table comes from
# tests/matrix/notes.rst; the case descriptions from the CASES below.
#
# make matrix-doc runs it; make test-full runs every row first.
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"

OUT=${1:-$VPL_TOP/Documentation/matrix.rst}
RUNS=$VPL_BUILD/runs
# Both transports on every series the matrix runs on (Debian's kernels).
COLUMNS=()
for s in $(vpl_series debian); do COLUMNS+=("$s/ours" "$s/control"); done
unset s

# One line per scenario: what its boot holds and proves.
declare -A CASES=(
	[m-devices]="virtio-scsi (disk: write, read, checksum, and in the host's image), virtio-rng (/dev/hwrng), virtio-serial port and virtconsole (1 MiB and 16 KiB echoed by the host), virtio-balloon (QMP inflates 512 MiB and deflates; MemTotal follows), virtio-keyboard (a QMP key press reaches the event device), virtio-9p (read a host file, write files the host checks), virtio-gpu (KMS mode 1024x768 set with modetest; the host's screendump shows it), virtio-crypto (AES-CBC through AF_ALG: NIST vectors, 64 KiB against the generic AES)"
	[m-memdev]="virtio-pmem (/dev/pmem0 takes the pattern, flushes go to the device, the host checks the backing file) and virtio-mem (QMP grows it from 128 to 384 MiB and unplugs all; MemTotal follows)"
	[m-transitional]="transitional blk, net, scsi, rng, serial, balloon and 9p functions (device IDs 0x1000-0x103f): VERSION_1 negotiated, i.e. driven over the virtio 1.x capabilities, and each used as in m-devices"
	[m-ring]="packed ring x event index x indirect descriptors: 8 disks (every combination) and 3 NIC pairs, each checked for the negotiated bits, then the pattern / ping and TCP"
	[m-notify]="modern-pio-notify=on (the notify capability in an I/O BAR comes first: the transport claims and uses it) and page-per-vq=on (multiplier 4096; QEMU picks the queue by doorbell address, so I/O proves the placement), on a disk and a NIC each"
	[m-vectors]="vector shortage: a disk and a NIC with 2 vectors, a serial device with 18 queues and 4 vectors (each: one config and one shared vector), a disk and a NIC with vectors=1 (INTx); /proc/interrupts shows the documented mode, I/O works, interrupts fire"
	[m-mq]="virtio-net mq=on, 4 queue pairs on host taps bridged in a network namespace of their own: a vector per queue, 64 TCP connections spread over every rx/tx queue of both NICs; per-queue reset: ethtool -G resizes every ring to 128 and traffic flows; without RING_RESET the resize is refused cleanly"
	[m-iommu]="iommu_platform=on behind QEMU's Intel IOMMU (intel_iommu=on): ACCESS_PLATFORM negotiated, translating DMA domains, disk and NIC I/O, no DMA faults"
	[m-viommu]="iommu_platform=on behind virtio-iommu (itself a virtio function on the transport; the endpoints' probes wait for it): as m-iommu"
	[m-hotplug]="q35 pcie-root-ports: a disk and a NIC hot-plugged through QMP (device_add) and used; hot-unplug (device_del) idle, during disk I/O and during network load; the slots take new devices again"
	[m-pm]="/sys/power/pm_test: freeze/devices, mem/devices, mem/platform, disk/devices, disk/platform, with disk, NIC, SCSI, rng and serial I/O before, after every cycle and at the end (blk, net, scsi, rng, serial, balloon, keyboard bound)"
	[m-many]="32 virtio-blk (multifunction slots) and 4 virtio-net in one guest: all bound, all 32 disks written and read in parallel, both NIC pairs move data, every function in per-queue MSI-X with interrupts firing; the host checks all 32 images"
)

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
	v=$(awk -F '\t' -v t="$test" '$2 == t { print $1 }' "$dir/verdicts.txt" | tail -n 1)
	case $v in
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
			elif [ -f "$dir/boot-secs.txt" ]; then
				line="$(cat "$dir/boot-secs.txt") s"
			else
				line=-
			fi
			echo "     - $line"
		done
	done
}

# When each configuration's boots ran, and on what.
provenance() {
	local col first last kver
	for col in "${COLUMNS[@]}"; do
		first=$(find "$RUNS/$col" -maxdepth 2 -path '*/m-*/verdicts.txt' -printf '%TY-%Tm-%Td %TH:%TM\n' 2>/dev/null | sort | head -n 1)
		last=$(find "$RUNS/$col" -maxdepth 2 -path '*/m-*/verdicts.txt' -printf '%TY-%Tm-%Td %TH:%TM\n' 2>/dev/null | sort | tail -n 1)
		kver=$(grep -h -m 1 -o '# guest: kernel [^,]*' "$RUNS/$col"/m-*/result.txt 2>/dev/null | head -n 1 | sed 's/# guest: kernel //')
		echo "- ${col%/*} ${col#*/}: ${kver:-no run}${first:+, boots from $first to $last}"
	done
	echo "- $(qemu-system-x86_64 --version | head -n 1), TCG, 2 vCPUs"
}

# Facts about the kernels that rows depend on, read from the kernels.
kernel_facts() {
	local series kver
	for series in $(vpl_series debian); do
		kver=${VPL_KVER[$series]:-}
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
	for series in $(vpl_series debian); do
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
			echo "    ${CASES[$scen]}"
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
