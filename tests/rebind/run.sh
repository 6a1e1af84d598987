#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - tests of virtio-pci-rebind on a fake sysfs and procfs, as KTAP.
#
#   tests/rebind/run.sh [--list]
#
# Each test builds a tree with the files the tool reads and writes (--root):
#
#   00:04.0 blk  vda1 holds the root file system
#   00:05.0 net  eth0 is up
#   00:06.0 net  eth1 is down                 (free)
#   00:07.0 net  bound to virtio_net, interface in another namespace
#   00:08.0 blk  vdb1 mounted on /data
#   00:09.0 blk  vdc2 is active swap
#   00:0a.0 blk  vdd1 under device-mapper dm-1, mounted on /home
#   00:0b.0 rng                               (free)
#   00:1f.0 not a virtio function
#
# all bound to virtio-pci.  drivers_probe is a FIFO read by a fake kernel
# (a background loop of this script, ended by PID) that binds a function to
# the driver its driver_override names, so moves run for real.  The tool runs
# under dash, Debian's /bin/sh, and once under busybox ash, the guests' shell.
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
. "$VPL_TESTS/lib/subtests.sh"

OUT=$VPL_BUILD/rebind-test
TOOL=$VPL_TOP/tools/rebind/virtio-pci-rebind
KVER=6.99.0-test
SH=dash

TESTS="list refuses-root refuses-mounted refuses-swap refuses-device-mapper
refuses-interface-up refuses-other-netns force-dry-run free-dry-run
moves-and-back restores-on-probe-failure already-there loads-module
builtin-not-registered modprobe-fails all-moves-only-free usage-errors
busybox-ash"

# fn BDF DEVICE_ID [SUBSYSTEM_DEVICE]: a PCI function bound to virtio-pci.
fn() {
	local d=$R/sys/devices/pci0000:00/$1
	mkdir -p "$d"
	echo 0x1af4 >"$d/vendor"
	echo "$2" >"$d/device"
	echo "${3:-0x1100}" >"$d/subsystem_device"
	echo '(null)' >"$d/driver_override"
	ln -s ../../../bus/pci/drivers/virtio-pci "$d/driver"
	ln -s "../../../devices/pci0000:00/$1" "$R/sys/bus/pci/devices/$1"
}

# disk BDF VIRTIO NAME MAJOR [PARTITION...]: a virtio-blk disk and partitions.
disk() {
	local bdf=$1 v=$2 name=$3 major=$4 minor=0 part rel
	shift 4
	rel=devices/pci0000:00/$bdf/$v/block/$name
	mkdir -p "$R/sys/$rel"
	echo "$major:0" >"$R/sys/$rel/dev"
	ln -s "../../$rel" "$R/sys/dev/block/$major:0"
	ln -s "../../$rel" "$R/sys/class/block/$name"
	for part in "$@"; do
		minor=$((minor + 1))
		mkdir -p "$R/sys/$rel/$part"
		echo "$major:$minor" >"$R/sys/$rel/$part/dev"
		ln -s "../../$rel/$part" "$R/sys/dev/block/$major:$minor"
		ln -s "../../$rel/$part" "$R/sys/class/block/$part"
	done
	mkdir -p "$R/sys/bus/virtio/drivers/virtio_blk"
	ln -s ../../../../bus/virtio/drivers/virtio_blk "$R/sys/devices/pci0000:00/$bdf/$v/driver"
}

# nic BDF VIRTIO NAME FLAGS: a virtio-net interface ("" NAME: not visible).
nic() {
	local d=$R/sys/devices/pci0000:00/$1/$2
	mkdir -p "$d/net" "$R/sys/bus/virtio/drivers/virtio_net"
	ln -s ../../../../bus/virtio/drivers/virtio_net "$d/driver"
	[ -z "$3" ] || { mkdir -p "$d/net/$3" && echo "$4" >"$d/net/$3/flags"; }
}

make_tree() {
	R=$OUT/root
	rm -rf "$R"
	mkdir -p "$R/sys/bus/pci/devices" "$R/sys/bus/pci/drivers/virtio-pci" \
		"$R/sys/dev/block" "$R/sys/class/block" "$R/sys/module/virtio_pci" \
		"$R/proc/sys/kernel" "$R/proc/self" "$R/lib/modules/$KVER"
	: >"$R/sys/bus/pci/drivers/virtio-pci/unbind"
	echo "$KVER" >"$R/proc/sys/kernel/osrelease"
	: >"$R/lib/modules/$KVER/modules.builtin"
	fn 0000:00:04.0 0x1042
	disk 0000:00:04.0 virtio1 vda 254 vda1 vda2
	fn 0000:00:05.0 0x1041
	nic 0000:00:05.0 virtio2 eth0 0x1003
	fn 0000:00:06.0 0x1000 0x0001		# transitional
	nic 0000:00:06.0 virtio3 eth1 0x1002
	fn 0000:00:07.0 0x1041
	nic 0000:00:07.0 virtio4 "" 0
	fn 0000:00:08.0 0x1042
	disk 0000:00:08.0 virtio5 vdb 253 vdb1
	fn 0000:00:09.0 0x1042
	disk 0000:00:09.0 virtio6 vdc 252 vdc1 vdc2
	fn 0000:00:0a.0 0x1042
	disk 0000:00:0a.0 virtio7 vdd 251 vdd1
	fn 0000:00:0b.0 0x1044
	mkdir -p "$R/sys/devices/pci0000:00/0000:00:1f.0"
	echo 0x8086 >"$R/sys/devices/pci0000:00/0000:00:1f.0/vendor"
	echo 0x2918 >"$R/sys/devices/pci0000:00/0000:00:1f.0/device"
	ln -s ../../../devices/pci0000:00/0000:00:1f.0 "$R/sys/bus/pci/devices/0000:00:1f.0"
	# dm-1 ("home") on vdd1.
	mkdir -p "$R/sys/devices/virtual/block/dm-1/slaves" "$R/sys/devices/virtual/block/dm-1/dm" "$R/sys/block"
	echo 250:1 >"$R/sys/devices/virtual/block/dm-1/dev"
	echo home >"$R/sys/devices/virtual/block/dm-1/dm/name"
	ln -s ../../../../pci0000:00/0000:00:0a.0/virtio7/block/vdd/vdd1 "$R/sys/devices/virtual/block/dm-1/slaves/vdd1"
	ln -s ../../devices/virtual/block/dm-1 "$R/sys/dev/block/250:1"
	ln -s ../devices/virtual/block/dm-1 "$R/sys/block/dm-1"
	cat >"$R/proc/self/mountinfo" <<-'EOF'
	21 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
	22 21 0:21 / /proc rw,nosuid shared:2 - proc proc rw
	23 21 0:5 / /dev rw shared:3 - devtmpfs udev rw
	24 21 253:1 / /data rw,relatime shared:4 - ext4 /dev/vdb1 rw
	25 21 250:1 / /home rw,relatime shared:5 - ext4 /dev/mapper/home rw
	EOF
	printf 'Filename\tType\tSize\tUsed\tPriority\n/dev/vdc2\tpartition\t1048572\t0\t-2\n' >"$R/proc/swaps"
	# The fake modprobe registers the driver and logs what it was asked.
	cat >"$OUT/modprobe" <<-EOF
	#!/bin/sh
	echo "\$*" >>"$OUT/modprobe.log"
	[ ! -e "$OUT/modprobe.fail" ] || exit 1
	[ "\$1" != virtio_pci_layout ] || mkdir -p "$R/sys/bus/pci/drivers/virtio-pci-layout"
	[ "\$1" != virtio_pci ] || mkdir -p "$R/sys/bus/pci/drivers/virtio-pci"
	EOF
	chmod 755 "$OUT/modprobe"
	rm -f "$OUT/modprobe.log" "$OUT/modprobe.fail" "$OUT/refuse"
	rm -f "$R/sys/bus/pci/drivers_probe"
	: >"$R/sys/bus/pci/drivers_probe"
}

# The fake kernel: binds each function written to drivers_probe to the
# driver its override names (if registered and $OUT/refuse does not exist).
fake_kernel() {
	local bdf ov dev
	while :; do
		read -r bdf <"$R/sys/bus/pci/drivers_probe" || continue
		dev=$R/sys/devices/pci0000:00/$bdf
		ov=$(cat "$dev/driver_override")
		rm -f "$dev/driver"
		if [ -d "$R/sys/bus/pci/drivers/$ov" ] && [ ! -e "$OUT/refuse" ]; then
			ln -s "../../../bus/pci/drivers/$ov" "$dev/driver"
		fi
	done
}

start_kernel() {
	rm -f "$R/sys/bus/pci/drivers_probe"
	mkfifo "$R/sys/bus/pci/drivers_probe"
	fake_kernel >/dev/null 2>&1 &
	KERNEL_PID=$!
	trap 'kill "$KERNEL_PID" 2>/dev/null || true' EXIT
}

# Runs the tool on the tree: $RUN_OUT, $RUN_ERR, $RUN_RC.
rebind() {
	RUN_RC=0
	VPL_MODPROBE=$OUT/modprobe VPL_BIND_WAIT=10 $SH "$TOOL" --root "$R" "$@" \
		>"$OUT/stdout" 2>"$OUT/stderr" || RUN_RC=$?
	RUN_OUT=$(cat "$OUT/stdout")
	RUN_ERR=$(cat "$OUT/stderr")
}

driver_of() {
	basename "$(readlink "$R/sys/bus/pci/devices/$1/driver" 2>/dev/null || echo none)"
}

# Nothing may have been written to sysfs or the module loader.
assert_untouched() {
	[ "$(cat "$R/sys/devices/pci0000:00/$1/driver_override")" = '(null)' ] || fail "driver_override was written"
	[ ! -s "$R/sys/bus/pci/drivers/virtio-pci/unbind" ] || fail "unbind was written"
	[ ! -s "$R/sys/bus/pci/drivers_probe" ] || fail "drivers_probe was written"
	[ ! -e "$OUT/modprobe.log" ] || fail "modprobe ran: $(cat "$OUT/modprobe.log")"
	[ "$(driver_of "$1")" = virtio-pci ] || fail "$1 moved to $(driver_of "$1")"
}

# expect_refused ADDRESS PATTERN: no move, exit 1, the reason given.
expect_refused() {
	make_tree
	rebind layout "$1"
	[ "$RUN_RC" = 1 ] || fail "exit $RUN_RC, want 1; $RUN_OUT $RUN_ERR"
	grep -q "not moved: .*$2" <<<"$RUN_ERR" || fail "no '$2' in: $RUN_ERR"
	assert_untouched "0000:$1"
}

t_list() {
	local row
	make_tree
	rebind list
	[ "$RUN_RC" = 0 ] || fail "exit $RUN_RC: $RUN_ERR"
	echo "$RUN_OUT"
	for row in \
		'0000:00:04.0 +block +virtio-pci +- +vda \(vda1 holds the root file system\)' \
		'0000:00:05.0 +network +virtio-pci +- +eth0 \(interface eth0 is up\)' \
		'0000:00:06.0 +network +virtio-pci +- +eth1$' \
		'0000:00:07.0 +network +virtio-pci +- +- \(its network interface is in another network namespace\)' \
		'0000:00:08.0 +block .* vdb \(vdb1 is mounted on /data\)' \
		'0000:00:09.0 +block .* vdc \(vdc2 is active swap\)' \
		'0000:00:0a.0 +block .* vdd \(vdd1 is mounted on /home through dm-1\)' \
		'0000:00:0b.0 +entropy +virtio-pci +- +-$' \
		'^virtio-pci: module loaded, driver registered$' \
		'^virtio-pci-layout: module not loaded, driver not registered$'; do
		grep -Eq "$row" <<<"$RUN_OUT" || fail "no line matching '$row'"
	done
	! grep -q 00:1f.0 <<<"$RUN_OUT" || fail "lists a function that is not virtio"
	[ "$(grep -c '^0000:' <<<"$RUN_OUT")" = 8 ] || fail "not 8 functions"
}

t_refuses_root() { expect_refused 00:04.0 'vda1 holds the root file system'; }
t_refuses_mounted() { expect_refused 00:08.0 'vdb1 is mounted on /data'; }
t_refuses_swap() { expect_refused 00:09.0 'vdc2 is active swap'; }
t_refuses_device_mapper() { expect_refused 00:0a.0 'vdd1 is mounted on /home through dm-1'; }
t_refuses_interface_up() { expect_refused 00:05.0 'interface eth0 is up'; }
t_refuses_other_netns() { expect_refused 00:07.0 'another network namespace'; }

# --force moves even the root disk; the writes come in a safe order.
t_force_dry_run() {
	local want
	make_tree
	rebind --force --dry-run layout 0000:00:04.0
	[ "$RUN_RC" = 0 ] || fail "exit $RUN_RC: $RUN_ERR"
	grep -q 'in use, moving it anyway (--force): vda1 holds the root file system' <<<"$RUN_ERR" || fail "no warning: $RUN_ERR"
	want="would run: $OUT/modprobe virtio_pci_layout
would write 'virtio-pci-layout' to /sys/bus/pci/devices/0000:00:04.0/driver_override
would write '0000:00:04.0' to /sys/bus/pci/drivers/virtio-pci/unbind
would write '0000:00:04.0' to /sys/bus/pci/drivers_probe"
	[ "$RUN_OUT" = "$want" ] || fail "dry run printed:"$'\n'"$RUN_OUT"
	assert_untouched 0000:00:04.0
}

t_free_dry_run() {
	make_tree
	rebind -n layout 00:06.0
	[ "$RUN_RC" = 0 ] && [ -z "$RUN_ERR" ] || fail "exit $RUN_RC: $RUN_ERR"
	grep -q "would write 'virtio-pci-layout' to /sys/bus/pci/devices/0000:00:06.0/driver_override" <<<"$RUN_OUT" || fail "$RUN_OUT"
	assert_untouched 0000:00:06.0
}

t_moves_and_back() {
	make_tree
	mkdir -p "$R/sys/bus/pci/drivers/virtio-pci-layout"
	start_kernel
	rebind layout 00:06.0
	[ "$RUN_RC" = 0 ] || fail "to layout: exit $RUN_RC: $RUN_ERR"
	grep -q '0000:00:06.0: moved from virtio-pci to virtio-pci-layout' <<<"$RUN_OUT" || fail "$RUN_OUT"
	[ "$(driver_of 0000:00:06.0)" = virtio-pci-layout ] || fail "bound to $(driver_of 0000:00:06.0)"
	[ "$(cat "$R/sys/bus/pci/drivers/virtio-pci/unbind")" = 0000:00:06.0 ] || fail "not unbound from virtio-pci"
	rebind list
	grep -Eq '^0000:00:06.0 +network +virtio-pci-layout +virtio-pci-layout ' <<<"$RUN_OUT" || fail "list: $RUN_OUT"
	: >"$R/sys/bus/pci/drivers/virtio-pci-layout/unbind"
	rebind virtio-pci 0000:00:06.0
	[ "$RUN_RC" = 0 ] || fail "back: exit $RUN_RC: $RUN_ERR"
	[ "$(driver_of 0000:00:06.0)" = virtio-pci ] || fail "back on $(driver_of 0000:00:06.0)"
	[ "$(cat "$R/sys/devices/pci0000:00/0000:00:06.0/driver_override")" = virtio-pci ] || fail "override not virtio-pci"
	[ "$(cat "$R/sys/bus/pci/drivers/virtio-pci-layout/unbind")" = 0000:00:06.0 ] || fail "not unbound from virtio-pci-layout"
}

# The new driver refuses the function: it goes back where it was, exit 1.
t_restores_on_probe_failure() {
	make_tree
	mkdir -p "$R/sys/bus/pci/drivers/virtio-pci-layout"
	start_kernel
	touch "$OUT/refuse"
	rebind layout 00:0b.0 &
	local pid=$!
	sleep 0.5
	rm -f "$OUT/refuse"		# lets the restoring probe bind again
	wait "$pid" || true
	RUN_ERR=$(cat "$OUT/stderr")
	grep -q "0000:00:0b.0: virtio-pci-layout did not bind it (see dmesg); now on virtio-pci" <<<"$RUN_ERR" || fail "stderr: $RUN_ERR"
	[ "$(cat "$R/sys/devices/pci0000:00/0000:00:0b.0/driver_override")" = virtio-pci ] || fail "override not restored"
}

t_already_there() {
	make_tree
	rebind virtio-pci 00:06.0
	[ "$RUN_RC" = 0 ] && grep -q '0000:00:06.0: already on virtio-pci' <<<"$RUN_OUT" || fail "exit $RUN_RC: $RUN_OUT"
	assert_untouched 0000:00:06.0
}

t_loads_module() {
	make_tree
	start_kernel
	rebind layout 00:0b.0
	[ "$RUN_RC" = 0 ] || fail "exit $RUN_RC: $RUN_ERR"
	[ "$(cat "$OUT/modprobe.log")" = virtio_pci_layout ] || fail "modprobe log: $(cat "$OUT/modprobe.log")"
	[ "$(driver_of 0000:00:0b.0)" = virtio-pci-layout ] || fail "on $(driver_of 0000:00:0b.0)"
}

# 6.12 booted with initcall_blacklist=virtio_pci_driver_init: no way back.
t_builtin_not_registered() {
	make_tree
	mkdir -p "$R/sys/bus/pci/drivers/virtio-pci-layout"
	ln -sfn ../../../bus/pci/drivers/virtio-pci-layout "$R/sys/devices/pci0000:00/0000:00:0b.0/driver"
	rm -rf "$R/sys/bus/pci/drivers/virtio-pci"
	echo kernel/drivers/virtio/virtio_pci.ko >"$R/lib/modules/$KVER/modules.builtin"
	rebind list
	grep -q '^virtio-pci: built in, driver not registered$' <<<"$RUN_OUT" || fail "list: $RUN_OUT"
	rebind virtio-pci 00:0b.0
	[ "$RUN_RC" = 1 ] || fail "exit $RUN_RC"
	grep -q 'virtio-pci is built into this kernel but not registered (booted with initcall_blacklist=virtio_pci_driver_init?)' <<<"$RUN_ERR" || fail "$RUN_ERR"
	[ ! -e "$OUT/modprobe.log" ] || fail "ran modprobe for a built-in driver"
	[ "$(driver_of 0000:00:0b.0)" = virtio-pci-layout ] || fail "moved"
}

t_modprobe_fails() {
	make_tree
	touch "$OUT/modprobe.fail"
	rebind layout 00:0b.0
	[ "$RUN_RC" = 1 ] && grep -q 'modprobe virtio_pci_layout failed' <<<"$RUN_ERR" || fail "exit $RUN_RC: $RUN_ERR"
	[ "$(driver_of 0000:00:0b.0)" = virtio-pci ] || fail "moved"
}

# "all": the free functions move, the others are refused, exit 1.
t_all_moves_only_free() {
	make_tree
	mkdir -p "$R/sys/bus/pci/drivers/virtio-pci-layout"
	start_kernel
	rebind layout all
	[ "$RUN_RC" = 1 ] || fail "exit $RUN_RC, want 1"
	[ "$(driver_of 0000:00:06.0)" = virtio-pci-layout ] || fail "00:06.0 not moved"
	[ "$(driver_of 0000:00:0b.0)" = virtio-pci-layout ] || fail "00:0b.0 not moved"
	for f in 04 05 07 08 09 0a; do
		[ "$(driver_of "0000:00:$f.0")" = virtio-pci ] || fail "00:$f.0 moved"
	done
	[ "$(grep -c 'not moved' <<<"$RUN_ERR")" = 6 ] || fail "refusals: $RUN_ERR"
}

t_usage_errors() {
	make_tree
	rebind layout 0:4.0
	[ "$RUN_RC" = 2 ] || fail "bad address: exit $RUN_RC"
	rebind frobnicate
	[ "$RUN_RC" = 2 ] || fail "bad command: exit $RUN_RC"
	rebind layout
	[ "$RUN_RC" = 2 ] || fail "no device: exit $RUN_RC"
	rebind --bogus list
	[ "$RUN_RC" = 2 ] || fail "bad option: exit $RUN_RC"
	rebind layout 00:1f.0
	[ "$RUN_RC" = 1 ] && grep -q 'not a virtio PCI function' <<<"$RUN_ERR" || fail "00:1f.0: exit $RUN_RC"
	rebind layout 00:1e.0
	[ "$RUN_RC" = 1 ] && grep -q 'no such PCI function' <<<"$RUN_ERR" || fail "00:1e.0: exit $RUN_RC"
	rebind --help
	[ "$RUN_RC" = 0 ] && grep -q -- '--force' <<<"$RUN_OUT" || fail "--help"
}

# The guests run the tool under busybox ash.
t_busybox_ash() {
	SH="busybox sh"
	t_list
	t_refuses_root
	t_force_dry_run
}

main() {
	local name
	vpl_need_tools dash:dash busybox:busybox-static
	mkdir -p "$OUT"
	if [ "${1:-}" = --list ]; then
		for name in $TESTS; do echo "rebind/$name"; done
		return 0
	fi
	t_plan "$(wc -w <<<"$TESTS")"
	for name in $TESTS; do t_run "rebind/$name" "t_${name//-/_}"; done
	t_end
}

main "$@"
