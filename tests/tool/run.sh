#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - tests of the layout tool (tools/layout), as KTAP.
#
#   tests/tool/run.sh [--list | --update]
#
# The tool is built with ASan and UBSan (it links the driver's parser) and
# run on:
#   tool/qemu/NAME  configuration spaces captured from real QEMU devices
#                   (qemu/NAME.hex + .resource, see capture.sh): its facts
#                   must equal qemu/NAME.expect and its table qemu/NAME.txt;
#   tool/case/NAME  every case of the layout catalogue (tests/layouts),
#                   written out as a binary dump by gen_cases.c: the tool
#                   must reach the verdict, regions and problem the parser
#                   test expects;
#   tool/cli/NAME   the command line: input forms, errors, exit codes, the
#                   linter's --strict and --features and its ID rules.
# --update rewrites qemu/*.expect and qemu/*.txt from the tool's output
# (review the diff before committing it).
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
. "$VPL_TESTS/lib/subtests.sh"

HERE=$VPL_TESTS/tool
OUT=$VPL_BUILD/tool-test
TOOL=$OUT/bin/virtio-pci-layout
CASES=$OUT/cases
# A sanitizer report must not look like exit status 1 ("invalid").
export ASAN_OPTIONS=exitcode=99:detect_leaks=1
export UBSAN_OPTIONS=exitcode=99:print_stacktrace=1

# Called where errexit does not apply (in an || list): every step checks.
build() {
	local cc_flags="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all"
	make -s -C "$VPL_TOP/tools" OUT="$OUT/bin" CFLAGS="$cc_flags" || return 1
	mkdir -p "$CASES"
	# shellcheck disable=SC2086 # flags are a list
	cc $cc_flags -Wall -Wextra -Werror -Wno-unused-parameter \
		-include "$VPL_TOP/tools/include/vpl-user.h" -I"$VPL_TOP/include" \
		-o "$OUT/gen_cases" "$HERE/gen_cases.c" \
		"$VPL_TESTS/layouts/layouts.c" \
		"$VPL_TOP/drivers/virtio/virtio_pci_layout_caps.c" || return 1
	rm -f "$CASES"/*
	"$OUT/gen_cases" "$CASES" || return 1
}

fixtures() {
	local f
	for f in "$HERE"/qemu/*.hex; do
		f=${f##*/}
		echo "${f%.hex}"
	done
}

CLI_TESTS="hex-equals-binary short-dump unsized-bar usage-errors sysfs-all sysfs-address several-inputs mutated-dumps lint-strict lint-features lint-ids vendor-data"

list() {
	local n
	for n in $(fixtures); do echo "tool/qemu/$n"; done
	while read -r n; do echo "tool/case/$n"; done <"$CASES/cases.list"
	for n in $CLI_TESTS; do echo "tool/cli/$n"; done
}

# Runs the tool; stdout to $RUN_OUT, stderr to $RUN_ERR, status to $RUN_RC.
# A sanitizer finding fails the calling test whatever the status.
run_tool() {
	RUN_RC=0
	"$TOOL" "$@" >"$OUT/stdout" 2>"$OUT/stderr" || RUN_RC=$?
	RUN_OUT=$(cat "$OUT/stdout")
	RUN_ERR=$(cat "$OUT/stderr")
	if [ "$RUN_RC" = 99 ] || grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' "$OUT/stderr"; then
		cat "$OUT/stderr"
		fail "sanitizer report (exit $RUN_RC)"
	fi
}

# Facts (facts.jq) of the JSON in $RUN_OUT.
facts() {
	jq -r -f "$HERE/facts.jq" <<<"$RUN_OUT" || fail "not valid JSON: $(head -c 300 <<<"$RUN_OUT")"
}

# A QEMU fixture: exact facts and exit status, and the table as committed.
t_qemu() {
	local name=$1 rel=tests/tool/qemu/$1 got
	cd "$VPL_TOP"
	run_tool --json --resource "$rel.resource" "$rel.hex"
	got=$(printf 'exit %s\n' "$RUN_RC"; facts)
	if ! diff -u "$rel.expect" - <<<"$got"; then
		fail "facts differ from $rel.expect"
	fi
	run_tool --resource "$rel.resource" "$rel.hex"
	if ! diff -u "$rel.txt" - <<<"$RUN_OUT"; then
		fail "table differs from $rel.txt"
	fi
}

# A parser case: the exit status and every expected fact.
t_case() {
	local name=$1 got want missing
	local -a args
	mapfile -t args <"$CASES/$name.args"
	run_tool --json "${args[@]}" "$CASES/$name.cfg"
	got=$(facts)
	want=$(sed -n 's/^exit //p' "$CASES/$name.expect")
	[ "$RUN_RC" = "$want" ] || fail "exit status $RUN_RC, want $want; facts:" $'\n'"$got"
	missing=$(grep -v '^exit ' "$CASES/$name.expect" | grep -vxF -f <(echo "$got") || true)
	[ -z "$missing" ] || fail "missing facts:"$'\n'"$missing"$'\n'"got:"$'\n'"$got"
}

# Binary bytes of an lspci-style hex dump.
hex_to_bin() {
	local hex
	hex=$(sed -n 's/^[0-9a-f]*: //p' "$1" | tr -d ' \n')
	# shellcheck disable=SC2059 # the format is the data, as \xHH escapes
	printf "$(sed 's/../\\x&/g' <<<"$hex")"
}

# lspci-style hex dump of a binary file.
bin_to_hex() {
	od -An -v -tx1 "$1" | awk '{ printf "%02x:%s\n", (NR - 1) * 16, $0 }'
}

t_hex_equals_binary() {
	local fx=$HERE/qemu/net-modern a b
	hex_to_bin "$fx.hex" >"$OUT/net-modern.bin"
	[ "$(stat -c %s "$OUT/net-modern.bin")" = 256 ] || fail "conversion gave $(stat -c %s "$OUT/net-modern.bin") bytes"
	run_tool --json -r "$fx.resource" "$OUT/net-modern.bin"
	a=$(facts)
	run_tool --json -r "$fx.resource" "$fx.hex"
	b=$(facts)
	[ "$a" = "$b" ] || fail "binary and hex forms differ"
	# And back: a hex dump of a binary case must read as the same bytes.
	bin_to_hex "$CASES/draft.cfg" >"$OUT/draft.hex"
	run_tool --json -d draft -b 4=0x4000 "$OUT/draft.hex"
	a=$(facts)
	run_tool --json -d draft -b 4=0x4000 "$CASES/draft.cfg"
	b=$(facts)
	[ "$a" = "$b" ] || fail "hex dump of draft.cfg reads differently"
	grep -q '^selected draft$' <<<"$a" || fail "draft not resolved: $a"
}

t_short_dump() {
	head -c 64 "$CASES/v1.cfg" >"$OUT/short.cfg"
	run_tool -b 4=0x4000 "$OUT/short.cfg"
	[ "$RUN_RC" = 2 ] || fail "exit $RUN_RC for a 64-byte dump, want 2"
	grep -q 'only 64 bytes' <<<"$RUN_ERR" || fail "no 'only 64 bytes' in: $RUN_ERR"
	head -c 8192 /dev/zero >"$OUT/long.cfg"
	run_tool "$OUT/long.cfg"
	[ "$RUN_RC" = 2 ] || fail "exit $RUN_RC for an 8 KiB dump, want 2"
	echo "garbage text" >"$OUT/text.cfg"
	run_tool "$OUT/text.cfg"
	[ "$RUN_RC" = 2 ] || fail "exit $RUN_RC for a text file, want 2"
	grep -q 'not a configuration space dump' <<<"$RUN_ERR" || fail "stderr: $RUN_ERR"
}

# Without BAR sizes a dump cannot be judged: exit 2 with a hint, never a
# false "invalid".
t_unsized_bar() {
	run_tool "$HERE/qemu/blk-modern.hex"
	[ "$RUN_RC" = 2 ] || fail "exit $RUN_RC without BAR sizes, want 2"
	grep -q 'verdict: unknown: .*--bar N=SIZE' <<<"$RUN_OUT" || fail "no hint in: $RUN_OUT"
	grep -q 'BAR4  mem64  address 0x.* size unknown (give --bar 4=SIZE)' <<<"$RUN_OUT" || fail "BAR4 not shown as unsized: $RUN_OUT"
	run_tool --json -b 4=0x4000 "$HERE/qemu/blk-modern.hex"
	[ "$RUN_RC" = 0 ] || fail "exit $RUN_RC with --bar 4=0x4000"
	# Too small a BAR is the device's fault: invalid, not unknown.
	run_tool -b 4=0x2000 "$HERE/qemu/blk-modern.hex"
	[ "$RUN_RC" = 1 ] || fail "exit $RUN_RC with BAR4 too small, want 1"
}

t_usage_errors() {
	local args
	for args in "" "--dialect=v2 x" "--bar=6=0x1000 x" "--bar=4 x" \
		"--bar=4=0x1000:rom x" "--all x" "--bogus x" "$OUT/nonexistent" \
		"--features=zz x" "--features=-1 x" "--features=0x10000000000000000 x"; do
		# shellcheck disable=SC2086 # the arguments are a list
		run_tool $args
		[ "$RUN_RC" = 2 ] || fail "'$args': exit $RUN_RC, want 2"
	done
	run_tool --version
	grep -qE '^virtio-pci-layout [0-9]+\.[0-9]+' <<<"$RUN_OUT" || fail "--version: $RUN_OUT"
	run_tool --help
	[ "$RUN_RC" = 0 ] && grep -q -- '--all' <<<"$RUN_OUT" || fail "--help"
}

# A sysfs tree with two virtio functions and one that is not.
make_sysfs() {
	local root=$OUT/sysfs dev
	rm -rf "$root"
	dev=$root/bus/pci/devices/0000:00:05.0
	mkdir -p "$dev"
	hex_to_bin "$HERE/qemu/net-modern.hex" >"$dev/config"
	cp "$HERE/qemu/net-modern.resource" "$dev/resource"
	echo 0x1af4 >"$dev/vendor"
	echo 0x1041 >"$dev/device"
	dev=$root/bus/pci/devices/0000:00:04.0
	mkdir -p "$dev"
	cp "$CASES/v1-bar6.cfg" "$dev/config"
	printf '0x0 0x0 0x0\n0x0 0x0 0x0\n0x0 0x0 0x0\n0x0 0x0 0x0\n0xfe000000 0xfe003fff 0x140200\n0x0 0x0 0x0\n' >"$dev/resource"
	echo 0x1af4 >"$dev/vendor"
	echo 0x1042 >"$dev/device"
	dev=$root/bus/pci/devices/0000:00:1f.2
	mkdir -p "$dev"
	echo 0x8086 >"$dev/vendor"
	echo 0x2922 >"$dev/device"
	echo "$root"
}

t_sysfs_all() {
	local root
	root=$(make_sysfs)
	run_tool --sysfs "$root" --all --json
	[ "$RUN_RC" = 1 ] || fail "exit $RUN_RC, want 1 (00:04.0 is invalid)"
	[ "$(jq -r '[.[].source] | join(" ")' <<<"$RUN_OUT")" = "0000:00:04.0 0000:00:05.0" ] ||
		fail "sources: $(jq -c '[.[].source]' <<<"$RUN_OUT")"
	[ "$(jq -r '[.[].valid] | join(" ")' <<<"$RUN_OUT")" = "false true" ] || fail "verdicts"
	rm -rf "$root/bus/pci/devices/0000:00:04.0"
	run_tool --sysfs "$root" --all
	[ "$RUN_RC" = 0 ] || fail "exit $RUN_RC with only the valid function left"
	rm -rf "$root/bus/pci/devices/0000:00:05.0"
	run_tool --sysfs "$root" --all
	[ "$RUN_RC" = 0 ] && grep -q 'no virtio PCI function' <<<"$RUN_ERR" || fail "empty sysfs: exit $RUN_RC, $RUN_ERR"
}

t_sysfs_address() {
	local root
	root=$(make_sysfs)
	run_tool --sysfs "$root" 00:05.0
	[ "$RUN_RC" = 0 ] || fail "00:05.0: exit $RUN_RC: $RUN_ERR"
	grep -q '^00:05.0: virtio network device (ID 1, modern)' <<<"$RUN_OUT" || fail "$RUN_OUT"
	run_tool --sysfs "$root" 0000:00:05.0
	[ "$RUN_RC" = 0 ] || fail "0000:00:05.0: exit $RUN_RC"
	run_tool --sysfs "$root" "$root/bus/pci/devices/0000:00:05.0"
	[ "$RUN_RC" = 0 ] || fail "directory form: exit $RUN_RC"
	run_tool --sysfs "$root" 00:06.0
	[ "$RUN_RC" = 2 ] && grep -q 'no such PCI function' <<<"$RUN_ERR" || fail "00:06.0: exit $RUN_RC, $RUN_ERR"
	run_tool --sysfs "$root" 00:1f.2
	[ "$RUN_RC" = 2 ] || fail "a function without config: exit $RUN_RC"
}

# Several inputs: one JSON array, the worst status wins.
t_several_inputs() {
	local fx=$HERE/qemu
	run_tool --json -r "$fx/rng-modern.resource" "$fx/rng-modern.hex" \
		-d auto "$CASES/v1-bar6.cfg"
	[ "$RUN_RC" = 1 ] || fail "exit $RUN_RC, want 1"
	[ "$(jq length <<<"$RUN_OUT")" = 2 ] || fail "not an array of 2"
	run_tool --json "$OUT/nonexistent" -r "$fx/rng-modern.resource" "$fx/rng-modern.hex"
	[ "$RUN_RC" = 2 ] || fail "exit $RUN_RC with a missing input, want 2"
	[ "$(jq length <<<"$RUN_OUT")" = 1 ] || fail "the readable input was not reported"
}

# Every case with one byte of its capability area changed, in one run: the
# tool's own decoding must survive whatever the bytes say.
t_mutated_dumps() {
	local dir=$OUT/mutants i=0 k off val name
	rm -rf "$dir"
	mkdir -p "$dir"
	while read -r name; do
		for k in 0 1 2 3; do
			off=$((0x34 + (i * 37 + k * 53) % 0xcc))
			val=$(((i * 11 + k * 97 + 13) % 256))
			cp "$CASES/$name.cfg" "$dir/$name-$k.cfg"
			# shellcheck disable=SC2059 # \x escape built on purpose
			printf "\\x$(printf %02x "$val")" |
				dd of="$dir/$name-$k.cfg" bs=1 seek="$off" conv=notrunc status=none
		done
		i=$((i + 1))
	done <"$CASES/cases.list"
	run_tool --json -b 0=0x100 -b 1=0x1000 -b 2=0x100000000 -b 4=0x4000 "$dir"/*.cfg
	[ "$RUN_RC" -le 1 ] || fail "exit $RUN_RC: $RUN_ERR"
	[ "$(jq length <<<"$RUN_OUT")" = "$(find "$dir" -name '*.cfg' | wc -l)" ] || fail "not every dump reported"
	run_tool -b 0=0x100 -b 1=0x1000 -b 2=0x100000000 -b 4=0x4000 "$dir"/*.cfg
	[ "$RUN_RC" -le 1 ] || fail "table: exit $RUN_RC"
}

# Byte OFF of dump FILE set to VAL (both decimal).
poke() {
	# shellcheck disable=SC2059 # \x escape built on purpose
	printf "\\x$(printf %02x "$3")" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# The keys of the warnings in $RUN_OUT's table, sorted, on one line.
warning_keys() {
	sed -n 's/^  warning: \([a-z-]*\):.*/\1/p' <<<"$RUN_OUT" | sort -u | tr '\n' ' '
}

# A warning is not a verdict: exit 0 unless --strict.
t_lint_strict() {
	local fx=$HERE/qemu/net-modern
	local -a args
	run_tool --strict -r "$fx.resource" "$fx.hex"
	[ "$RUN_RC" = 0 ] || fail "QEMU's virtio-net with --strict: exit $RUN_RC"
	[ -z "$(warning_keys)" ] || fail "QEMU's virtio-net: warnings $(warning_keys)"
	mapfile -t args <"$CASES/v1-no-pci-cfg.args"
	run_tool "${args[@]}" "$CASES/v1-no-pci-cfg.cfg"
	[ "$RUN_RC" = 0 ] || fail "a warning without --strict: exit $RUN_RC, want 0"
	[ "$(warning_keys)" = "no-pci-cfg " ] || fail "warnings '$(warning_keys)', want no-pci-cfg"
	run_tool --strict "${args[@]}" "$CASES/v1-no-pci-cfg.cfg"
	[ "$RUN_RC" = 1 ] || fail "a warning with --strict: exit $RUN_RC, want 1"
	run_tool --strict --json "${args[@]}" "$CASES/v1-no-pci-cfg.cfg"
	[ "$(jq -r '.[0].warnings[0].key' <<<"$RUN_OUT")" = no-pci-cfg ] || fail "JSON: $RUN_OUT"
}

# The device configuration against the features offered: a virtio-blk
# whose device configuration is 1 byte long.
t_lint_features() {
	local -a args
	mapfile -t args <"$CASES/v1-device-one-byte.args"
	run_tool "${args[@]}" "$CASES/v1-device-one-byte.cfg"
	grep -q 'ends before capacity (byte 8), which a block device always has' <<<"$RUN_OUT" ||
		fail "capacity not named: $RUN_OUT"
	grep -q 'too short for feature bits 1, 2, 4, 6, 10, 11, 12, 13, 14, 16, 17: the device must not offer them' <<<"$RUN_OUT" ||
		fail "the features it must not offer not named: $RUN_OUT"
	# SIZE_MAX (bit 1) and TOPOLOGY (10) offered: those two, by name.
	run_tool --features 0x402 "${args[@]}" "$CASES/v1-device-one-byte.cfg"
	grep -q 'ends before size_max (byte 12), which feature bit 1 offered needs' <<<"$RUN_OUT" ||
		fail "size_max not named: $RUN_OUT"
	grep -q 'ends before topology (byte 32), which feature bit 10 offered needs' <<<"$RUN_OUT" ||
		fail "topology not named: $RUN_OUT"
	[ "$(grep -c '^  warning: device-config-short' <<<"$RUN_OUT")" = 3 ] ||
		fail "want exactly capacity, size_max and topology: $RUN_OUT"
	# A virtio-net whose device configuration holds mac and status only:
	# right for a device that offers no more, which a dump cannot tell, so
	# a note, not a warning, until --features says what it offers.
	hex_to_bin "$HERE/qemu/net-modern.hex" >"$OUT/net8.bin"
	poke "$OUT/net8.bin" 108 8
	poke "$OUT/net8.bin" 109 0
	run_tool --strict -r "$HERE/qemu/net-modern.resource" "$OUT/net8.bin"
	[ "$RUN_RC" = 0 ] || fail "8-byte net configuration, features unknown: exit $RUN_RC"
	grep -q '^  note: device-config-short: the 8-byte device configuration is too short for feature bits 22, 3, 63, 57, 60:' <<<"$RUN_OUT" ||
		fail "no note on the features it must not offer: $RUN_OUT"
	run_tool --strict --features 0x100010020 -r "$HERE/qemu/net-modern.resource" "$OUT/net8.bin"
	[ "$RUN_RC" = 0 ] || fail "8-byte net configuration, MAC and STATUS offered: exit $RUN_RC"
	run_tool --strict --features 0x400000 -r "$HERE/qemu/net-modern.resource" "$OUT/net8.bin"
	[ "$RUN_RC" = 1 ] && grep -q 'before max_virtqueue_pairs (byte 10), which feature bit 22 offered needs' <<<"$RUN_OUT" ||
		fail "8-byte net configuration, MQ offered: exit $RUN_RC: $RUN_OUT"
	# QEMU's 4 KiB device configuration has room for every field.
	run_tool --strict --features 0xffffffffffffffff -r "$HERE/qemu/blk-modern.resource" "$HERE/qemu/blk-modern.hex"
	[ "$RUN_RC" = 0 ] || fail "QEMU's virtio-blk, every feature: exit $RUN_RC: $(warning_keys)"
}

# virtio 1.2 §4.1.2: Revision ID and Subsystem ID keep legacy drivers off a
# non-transitional function; a transitional one's Subsystem ID is its type.
t_lint_ids() {
	local fx=$HERE/qemu/net-modern tx=$HERE/qemu/net-transitional
	hex_to_bin "$fx.hex" >"$OUT/rev0.bin"
	poke "$OUT/rev0.bin" 8 0
	run_tool --strict -r "$fx.resource" "$OUT/rev0.bin"
	[ "$RUN_RC" = 1 ] && [ "$(warning_keys)" = "revision-id " ] ||
		fail "Revision ID 0: exit $RUN_RC, warnings '$(warning_keys)'"
	hex_to_bin "$fx.hex" >"$OUT/sub.bin"
	poke "$OUT/sub.bin" 46 1
	poke "$OUT/sub.bin" 47 0
	run_tool -r "$fx.resource" "$OUT/sub.bin"
	[ "$(warning_keys)" = "subsystem-id " ] || fail "Subsystem ID 1: warnings '$(warning_keys)'"
	hex_to_bin "$tx.hex" >"$OUT/tsub.bin"
	run_tool --strict -r "$tx.resource" "$OUT/tsub.bin"
	[ "$RUN_RC" = 0 ] || fail "QEMU's transitional virtio-net: $(warning_keys)"
	# Transitional device ID 0x1000 (network) saying it is a block device.
	poke "$OUT/tsub.bin" 46 2
	run_tool -r "$tx.resource" "$OUT/tsub.bin"
	grep -q 'Subsystem ID 0x2 on transitional device ID 0x1000: it MUST be the device type, 1' <<<"$RUN_OUT" ||
		fail "transitional Subsystem ID not checked: $RUN_OUT"
	poke "$OUT/tsub.bin" 46 1
	poke "$OUT/tsub.bin" 8 1
	run_tool -r "$tx.resource" "$OUT/tsub.bin"
	[ "$(warning_keys)" = "revision-id " ] || fail "transitional Revision ID 1: warnings '$(warning_keys)'"
}

# Vendor data: decoded in the capability list, the layout and JSON; one
# that breaks its rules is a warning, not an invalid layout.
t_vendor_data() {
	local -a args
	mapfile -t args <"$CASES/v1-vendor-data.args"
	run_tool "${args[@]}" "$CASES/v1-vendor-data.cfg"
	[ "$RUN_RC" = 0 ] || fail "exit $RUN_RC"
	grep -q '^    0xa4  vendor-specific  virtio 1.x vendor-data vendor_id 0xbeef (cap_len 8)$' <<<"$RUN_OUT" ||
		fail "not in the capability list: $RUN_OUT"
	grep -q '^    vendor data at 0xa4: vendor_id 0xbeef, 8 bytes$' <<<"$RUN_OUT" ||
		fail "not in the layout: $RUN_OUT"
	run_tool --json "${args[@]}" "$CASES/v1-vendor-data.cfg"
	[ "$(jq -r '.[0].capabilities[] | select(.offset == "0xa4") | .virtio1.vendor_id' <<<"$RUN_OUT")" = 0xbeef ] ||
		fail "JSON capability: $RUN_OUT"
	mapfile -t args <"$CASES/v1-vendor-data-virtio-id.args"
	run_tool "${args[@]}" "$CASES/v1-vendor-data-virtio-id.cfg"
	[ "$RUN_RC" = 0 ] && grep -q "^  verdict: valid" <<<"$RUN_OUT" ||
		fail "vendor data with virtio's vendor ID made the layout invalid: exit $RUN_RC"
	grep -q "^  warning: vendor-data: vendor-data capability at 0xa4: vendor_id = 0x1af4" <<<"$RUN_OUT" ||
		fail "no warning: $RUN_OUT"
	run_tool --strict "${args[@]}" "$CASES/v1-vendor-data-virtio-id.cfg"
	[ "$RUN_RC" = 1 ] || fail "--strict: exit $RUN_RC, want 1"
}

update() {
	local name rel
	cd "$VPL_TOP"
	for name in $(fixtures); do
		rel=tests/tool/qemu/$name
		RUN_RC=0
		"$TOOL" --json -r "$rel.resource" "$rel.hex" >"$OUT/stdout" || RUN_RC=$?
		RUN_OUT=$(cat "$OUT/stdout")
		{ echo "exit $RUN_RC"; facts; } >"$rel.expect"
		"$TOOL" -r "$rel.resource" "$rel.hex" >"$rel.txt" || true
	done
	git -C "$VPL_TOP" status --short tests/tool/qemu >&2
}

main() {
	local name names
	vpl_need_tools jq:jq cc:gcc make:make
	mkdir -p "$VPL_BUILD/logs"
	build >"$VPL_BUILD/logs/tool-build.log" 2>&1 || {
		cat "$VPL_BUILD/logs/tool-build.log" >&2
		exit 1
	}
	case ${1:-} in
	--list)
		list
		return 0
		;;
	--update)
		update
		return 0
		;;
	esac
	names=$(list)
	t_plan "$(wc -l <<<"$names")"
	for name in $(fixtures); do t_run "tool/qemu/$name" t_qemu "$name"; done
	while read -r name; do t_run "tool/case/$name" t_case "$name"; done <"$CASES/cases.list"
	for name in $CLI_TESTS; do t_run "tool/cli/$name" "t_${name//-/_}"; done
	t_end
}

main "$@"
