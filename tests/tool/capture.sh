#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# capture.sh - (re)captures the layout tool's fixtures from real QEMU devices.
#
#   tests/tool/capture.sh [--series SERIES] [OUTDIR]
#                                       (defaults: 6.12, tests/tool/qemu)
#
# Boots a guest of kernel series SERIES (scripts/kernel-series: 6.12 on the
# machine's QEMU 7.2, 7.2@qemu11 on Debian unstable's QEMU 11.1) with one
# function per device type in the table below and has it print each function's configuration space
# (first 256 bytes) and sysfs resource file.  Three further functions are
# shown through the test-only layout injector (tests/injector) in the draft
# dialect.  Each function becomes OUTDIR/NAME.hex (lspci -xxx format, with a
# comment saying where it came from) and OUTDIR/NAME.resource; on a QEMU
# that is not the machine's, NAME starts with "qemuN-" (its major version),
# so the fixtures of both QEMUs sit side by side.
#
# Not part of "make test": the fixtures are committed, and the tests judge the
# tool on them.  After capturing, run "tests/tool/run.sh --update" to write
# the expected results and review every change before committing it.
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

# name  slot  device and options (the slot is added)  injector mode
DEVICES='
blk-modern          04 virtio-blk-pci,disable-legacy=on,drive=nb0               -
net-modern          05 virtio-net-pci,disable-legacy=on,netdev=n0,romfile=      -
net-page-per-vq     06 virtio-net-pci,disable-legacy=on,netdev=n1,romfile=,page-per-vq=on -
net-pio-notify      07 virtio-net-pci,disable-legacy=on,netdev=n2,romfile=,modern-pio-notify=on -
rng-modern          08 virtio-rng-pci,disable-legacy=on                        -
net-transitional    09 virtio-net-pci,disable-legacy=off,netdev=n3,romfile=     -
blk-vectors0        0a virtio-blk-pci,disable-legacy=on,drive=nb1,vectors=0     -
scsi-modern         0b virtio-scsi-pci,disable-legacy=on                       -
blk-draft           10 virtio-blk-pci,disable-legacy=on,drive=nb2               draft
net-draft-noisr     11 virtio-net-pci,disable-legacy=on,netdev=n4,romfile=      draft-noisr
net-draft-reorder   12 virtio-net-pci,disable-legacy=on,netdev=n5,romfile=      draft-reorder
'

WORK=$VPL_BUILD/tool-capture

# The guest: dump every virtio function after the injector took its targets.
guest_init() {
	cat <<'EOF'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
out=/dev/ttyS1
inject=$(sed -n 's/.*cap.inject=\([^ ]*\).*/\1/p' /proc/cmdline)
if [ -n "$inject" ]; then
	insmod /vpl_inject.ko "devices=${inject%%/*}" "modes=${inject#*/}" >"$out" 2>&1
fi
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x1af4 ] || continue
	echo "DEV ${d##*/}" >"$out"
	head -c 256 "$d/config" | od -An -v -tx1 >"$out"
	echo RESOURCE >"$out"
	cat "$d/resource" >"$out"
done
echo END >"$out"
poweroff -f
EOF
}

build_initramfs() {
	local ko=$1 root=$WORK/root applet
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev"
	cp /bin/busybox "$root/bin/busybox"
	for applet in $(/bin/busybox --list); do
		[ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
	done
	rm -f "$root/bin/init"
	guest_init >"$root/init"
	chmod 755 "$root/init"
	cp "$ko" "$root/vpl_inject.ko"
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$WORK/initramfs.cpio"
}

# QEMU arguments and the injector's targets for the device table.
qemu_args() {
	local name slot dev mode i=0
	while read -r name slot dev mode; do
		[ -n "$name" ] || continue
		echo "-device $dev,addr=0x$slot"
	done <<<"$DEVICES"
	for i in 0 1 2; do
		echo "-blockdev driver=null-co,node-name=nb$i,size=1048576"
	done
	for i in 0 1 2 3 4 5; do
		echo "-netdev hubport,id=n$i,hubid=0"
	done
}

inject_param() {
	local name slot dev mode devs='' modes=''
	while read -r name slot dev mode; do
		[ -n "$name" ] && [ "$mode" != - ] || continue
		devs+=${devs:+,}0000:00:$slot.0
		modes+=${modes:+,}$mode
	done <<<"$DEVICES"
	echo "$devs/$modes"
}

# Splits the guest's report into NAME.hex and NAME.resource files.
write_fixtures() {
	local out=$1 result=$2 kver=$3 qemu=$4 prefix=$5 line bdf='' name dev mode part off
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		"DEV "*)
			bdf=${line#DEV }
			name=$(awk -v s="${bdf:8:2}" '$2 == s { print $1 }' <<<"$DEVICES")
			dev=$(awk -v s="${bdf:8:2}" '$2 == s { print $3 }' <<<"$DEVICES")
			mode=$(awk -v s="${bdf:8:2}" '$2 == s { print $4 }' <<<"$DEVICES")
			[ -n "$name" ] || vpl_die "unexpected function $bdf"
			name=$prefix$name
			{
				echo "# $qemu: -device $dev at $bdf"
				[ "$mode" = - ] || echo "# shown by tests/injector/vpl_inject.ko in mode $mode"
				echo "# guest Linux $kver; captured by tests/tool/capture.sh"
			} >"$out/$name.hex"
			: >"$out/$name.resource"
			part=hex
			off=0
			;;
		RESOURCE) part=resource ;;
		END) bdf='' ;;
		*)
			[ -n "$bdf" ] || continue
			if [ "$part" = hex ]; then
				printf '%02x:%s\n' "$off" "$line" >>"$out/$name.hex"
				off=$((off + 16))
			else
				echo "$line" >>"$out/$name.resource"
			fi
			;;
		esac
	done <"$result"
}

main() {
	local series=6.12 out kver ko root qemu prefix=''
	local -a run=()
	if [ "${1:-}" = --series ]; then
		series=${2:?--series needs a kernel series}
		shift 2
	fi
	out=${1:-$VPL_TESTS/tool/qemu}
	vpl_need_tools qemu-system-x86_64:qemu-system-x86 cpio:cpio
	mkdir -p "$WORK" "$out"
	vpl_prepare_kernel "$series" "$WORK/kernel.log" || vpl_die "kernel $series: see $WORK/kernel.log"
	kver=$KVER
	ko=$(vpl_build_module "$kver" "$WORK/module.log") || vpl_die "module build failed: see $WORK/module.log"
	build_initramfs "$(dirname "$ko")/tests/injector/vpl_inject.ko"
	root=$(vpl_series_qemu_root "$series")
	[ -z "$root" ] || run=("$VPL_SCRIPTS/in-root" "$root")
	qemu=$("${run[@]}" qemu-system-x86_64 --version | head -n 1)
	if [ -n "$root" ]; then
		prefix=$(echo "$qemu" | sed -n 's/.*version \([0-9]*\)\..*/qemu\1-/p')
		[ -n "$prefix" ] || vpl_die "no version in '$qemu'"
	fi
	vpl_log "booting the capture guest ($kver, $qemu)"
	# shellcheck disable=SC2046 # one argument per word
	VPL_QEMU_ROOT=$root "$VPL_SCRIPTS/qemu.sh" -t 300 -k "$VPL_BUILD/kernels/$kver/boot/vmlinuz-$kver" \
		-i "$WORK/initramfs.cpio" -c "$WORK/console.log" -r "$WORK/result.txt" \
		-a "cap.inject=$(inject_param)" -- $(qemu_args)
	grep -q '^END' "$WORK/result.txt" || vpl_die "the guest did not finish; see $WORK/console.log"
	write_fixtures "$out" "$WORK/result.txt" "$kver" "$qemu" "$prefix"
	vpl_log "wrote $(find "$out" -name "${prefix}*.hex" | wc -l) fixtures to $out"
}

main "$@"
