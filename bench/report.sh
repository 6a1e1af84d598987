#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# report.sh OUT WALL_SECONDS QUICK
#
# Turns what bench/run.sh left in OUT (kernels.txt, and per kernel
# counts/counts.tsv, counts/result.txt, timing/result.txt) into
# OUT/results.md, OUT/results.json, OUT/probe.png and OUT/attribution.png.
# Runs without a guest, so the report can be redone from an earlier run's
# files.
set -eu
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$1
WALL=$2
QUICK=$3

# One fact per line, tab separated, the kernel series first:
#   acc   SERIES DRIVER PHASE KEY N   register accesses (count.awk)
#   det   SERIES DRIVER WHAT OFFSET N per register, virtio-blk probe only
#   gi    SERIES DRIVER PHASE N       virtio interrupts the guest took
#   probe SERIES DRIVER N ROUND US    probe time of N functions
#   iops  SERIES DRIVER ROUND V       fio random-read IOPS
#   pps   SERIES DRIVER ROUND V       frames per second received
#   att   SERIES DRIVER PHASE WHAT OFFSET ID N
#                                     per register and call chain, probes
#                                     of one function only (count.awk)
#   stk   SERIES ID FUNCTION FRAME... a call chain (vpl_attr.ko)
#   prb   SERIES FUNCTION STATE MISSED  a probed function (vpl_attr.ko)
#   mrk   SERIES MOVED UNMATCHED GARBLED  markers (count.awk)
#   kver  SERIES RELEASE
#   kqemu SERIES VERSION              the QEMU that booted it
# DRIVER is "ours" or "intree" throughout.
facts() {
	local series kver qemu dir
	while read -r series kver qemu; do
		dir=$OUT/$kver
		printf 'kver\t%s\t%s\n' "$series" "$kver"
		printf 'kqemu\t%s\t%s\n' "$series" "$qemu"
		if [ -f "$dir/counts/counts.tsv" ]; then
			# Region offsets are absolute addresses in the trace; QEMU puts
			# each virtio structure on a 4 KiB boundary, so the low 12 bits
			# are the register.
			awk -F'\t' -v s="$series" '{
				split($2, p, "/")
				d = p[1] == "virtio-pci" ? "intree" : "ours"
			}
			$1 == "count" { printf "acc\t%s\t%s\t%s\t%s\t%s\n", s, d, p[2], $3, $4 }
			$1 == "detail" && p[2] == "probe-blk" {
				off = $4
				if ($3 !~ /^cfg/)
					off = "0x" substr(off, length(off) - 2)
				printf "det\t%s\t%s\t%s\t%s\t%s\n", s, d, $3, off, $6
			}
			$1 == "markers" {
				split($2, m, " ")
				printf "mrk\t%s\t%s\t%s\t%s\n", s, m[2], m[4], m[6]
			}
			$1 == "attr" && p[2] ~ /^probe-/ && p[2] !~ /^probe-scale-/ {
				off = $4
				if ($3 !~ /^cfg/)
					off = "0x" substr(off, length(off) - 2)
				printf "att\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s, d, p[2], $3, off, $6, $7
			}' "$dir/counts/counts.tsv"
			awk -v s="$series" '$1 == "irqs" {
				split($2, p, "/")
				printf "gi\t%s\t%s\t%s\t%s\n", s, p[1] == "virtio-pci" ? "intree" : "ours", p[2], $3
			}
			{ sub(/\r$/, "") }
			$1 == "stack" { sub(/^stack\t/, ""); printf "stk\t%s\t%s\n", s, $0 }
			$1 == "probe" { sub(/^probe\t/, ""); printf "prb\t%s\t%s\n", s, $0 }' "$dir/counts/result.txt"
		fi
		if [ -f "$dir/timing/result.txt" ]; then
			awk -v s="$series" '
				$1 == "probe-us" { printf "probe\t%s\t%s\t%s\t%s\t%s\n", s, $2, $3, $4, $5 }
				$1 == "iops" || $1 == "pps" { printf "%s\t%s\t%s\t%s\t%s\n", $1, s, $2, $3, $4 }
			' "$dir/timing/result.txt"
		fi
	done <"$OUT/kernels.txt"
}

# Where and how the numbers were taken, for the top of both reports.
context() {
	local qemu
	qemu=$(qemu-system-x86_64 --version | head -n 1 | sed 's/^QEMU emulator version //')
	printf 'qemu\t%s\n' "$qemu"
	printf 'accel\t%s\n' "${VPL_ACCEL:-tcg}"
	printf 'date\t%s\n' "$(date -u +%Y-%m-%dT%H:%MZ)"
	printf 'wall\t%s\n' "$WALL"
	printf 'mode\t%s\n' "$([ "$QUICK" = 1 ] && echo quick || echo full)"
	printf 'host\t%s cores, load average %s\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
}

# One plot command of a chart panel: columns $2 (ours) and $3 (in-tree) of
# the kernel's data file, or an empty panel when that boot did not run
# (gnuplot stops at a plot without a valid point).
panel() {
	local dat=$OUT/probe-$1.dat col=${2%%:*}
	if awk -v c="$col" '!/^#/ && $c != "NaN" { f = 1 } END { exit !f }' "$dat"; then
		echo "plot '$dat' using 1:$2 $4 lw 2 title 'virtio-pci-layout', '' using 1:$3 $4 lw 2 title 'in-tree virtio-pci'"
	else
		echo "set label 1 'not measured in this run' at graph 0.3,0.5"
		echo "set yrange [0:1]"
		echo "plot 0 notitle lc rgb 'white'"
		echo "unset label 1"
		echo "set yrange [*:*]"
	fi
}

# The chart: probe accesses and probe time against the number of
# functions, ours beside in-tree, one row per kernel.
chart() {
	local n rows=0 series script
	n=$(wc -l <"$OUT/kernels.txt")
	script="set terminal pngcairo size 1100,$((380 * n)) font ',10'
set output '$OUT/probe.png'
set multiplot layout $n,2
set key top left
set grid
set xlabel 'virtio-blk functions probed'
set xrange [0:68]"
	while read -r series _; do
		rows=$((rows + 1))
		script+="
set title 'Linux $series: register accesses during probe'
set ylabel 'accesses (exact)'
$(panel "$series" 2 3 'with linespoints')
set title 'Linux $series: probe time, median and min-max of all rounds'
set ylabel 'ms (guest clock, TCG)'
$(panel "$series" 4:5:6 7:8:9 'with yerrorlines')"
	done <"$OUT/kernels.txt"
	script+="
unset multiplot"
	gnuplot <<<"$script"
}

# The attribution chart: the accesses of each probe by the layer that made
# them, stacked, ours beside in-tree, one panel per kernel that has them.
attr_chart() {
	local series script='' n=0 dat
	while read -r series _; do
		dat=$OUT/attr-$series.dat
		[ "$(wc -l <"$dat")" -gt 1 ] || continue
		n=$((n + 1))
		script+="
set title 'Linux $series: probe accesses by the code that made them'
plot for [c=2:10] '$dat' using c:xtic(1) title columnhead(c)"
	done <"$OUT/kernels.txt"
	[ "$n" -gt 0 ] || return 0
	gnuplot <<EOF
set terminal pngcairo noenhanced size 1100,$((420 * n)) font ',10'
set output '$OUT/attribution.png'
set multiplot layout $n,1
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.7
set key outside right
set grid y
set yrange [0:*]
set offsets 0, 0, 40, 0
set linetype 9 lc rgb '#909090'
set ylabel 'trapped accesses'
set xtics rotate by -20
$script
unset multiplot
EOF
}

main() {
	local all=$OUT/facts.tsv series
	{
		context | sed 's/^/ctx\t/'
		facts
	} >"$all"
	# results.md, results.json and probe-SERIES.dat, the statistics included.
	python3 "$BENCH_DIR/report.py" "$all" "$OUT"
	chart
	attr_chart
}

main
