#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - packaging tests, as KTAP: the Debian packages are built, installed
# on this machine, built by DKMS for each Debian 12 kernel, and booted; for
# each Debian unstable kernel they are installed in unstable's build root
# (vpl_sid_build_root: unstable's dkms, gcc, kbuild and initramfs-tools),
# built by DKMS there and booted on the series's QEMU, as an unstable user
# gets them.
#
#   tests/pkg/run.sh [--list]
#
# Runs as root and changes the machine: it purges any installed
# virtio-pci-layout packages first, installs the ones it built (apt-get
# installs dkms from the Debian mirror when missing) and purges them again at
# the end; the same in each unstable build root.  Kernels: $VPL_SERIES
# (default: the series of kind "debian" and "sid" in scripts/kernel-series;
# tests/run.sh passes its --kernel selection).
#
#   pkg/version              one version in dkms.conf, debian/changelog, the
#                            RPM spec and the tools
#   pkg/kernel-range         dkms.conf, Kbuild and README agree on 6.1+
#   pkg/make-dkms-install    make dkms-install / dkms-uninstall from the tree
#   pkg/deb-build            virtio-pci-layout-dkms_<version>_all.deb, -tools
#   pkg/deb-install          apt-get install of both
#   pkg/SERIES/deb-install   (unstable) apt-get install of both in its root
#   pkg/SERIES/dkms-status   DKMS built and installed the module for the
#                            kernel, with the package's version (unstable:
#                            with the compiler that built the kernel)
#   pkg/SERIES/tools-installed  (unstable) the tools installed there run
#   pkg/tools-installed      the installed tools run
#   pkg/initramfs-optin-off  without the opt-in the initramfs is unchanged
#   pkg/initramfs-failsafe   opted in, no module: the opt-in is left out
#   pkg/SERIES/initramfs     opted in: module and blacklist in the initramfs
#                            (unstable: made by its mkinitramfs)
#   pkg/SERIES/BOOT/TEST     a guest booting that Debian initramfs with its
#                            root file system on virtio-blk (tests/pkg/guest-init)
#   pkg/SERIES/early/disk-io-host  the copy the guest wrote, read from the
#                            disk image on the host
#   pkg/rpm-build            the RPMs build with rpmbuild, with the right files
#   pkg/purge                purging removes the module, turns the opt-in off
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"
. "$VPL_TESTS/lib/subtests.sh"

OUT=$VPL_BUILD/pkg-test
STATE=$OUT/state
NAME=virtio-pci-layout
VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$VPL_TOP/dkms.conf")
SERIES=${VPL_SERIES:-$(vpl_series debian | tr '\n' ' ')$(vpl_series sid | tr '\n' ' ')}
OPTIN=/etc/modprobe.d/virtio-pci-layout.conf

# ---------------------------------------------------------------- plan

# True for a Debian unstable series: its packages go into its build root.
is_sid() {
	[ "$(vpl_series_field "$1" 2)" = sid ]
}

# The Debian 12 series the tests of this machine's own installation use
# (make dkms-install, the initramfs opt-in): the first selected, else the
# first in scripts/kernel-series.
host_series() {
	local s
	for s in $SERIES; do
		is_sid "$s" || { echo "$s"; return 0; }
	done
	vpl_series debian | head -n 1
}

# True when the kernel of SERIES has virtio_pci built in (Debian's 6.12);
# a series that could not be prepared counts as not (its tests fail anyway).
in_tree_builtin() {
	[ -n "${VPL_KVER[$1]:-}" ] && vpl_series_has "$1" builtin:virtio_pci
}

# Guest boots per kernel: "early" opted in from the initramfs; where
# virtio_pci is built in, also "builtin" without initcall_blacklist.
boots_of() {
	echo early
	! in_tree_builtin "$1" || echo builtin
}

# The kernel command line of boot BOOT of SERIES.
boot_append() {
	local series=$1 boot=$2 append
	append="root=/dev/vda rootfstype=ext2 rw vpl.boot=$boot"
	# Opting in on a kernel with virtio_pci built in takes this as well.
	[ "$boot" != early ] || ! in_tree_builtin "$series" ||
		append+=" initcall_blacklist=virtio_pci_driver_init"
	echo "$append"
}

# Tests of one boot, in order: the plan of tests/pkg/guest-init's
# pkg_tests for that kernel and command line (tests/lib/plan.sh).
boot_tests() {
	vpl_guest_plan "${VPL_KVER[$1]:-none}" "$(boot_append "$1" "$2")" pkg_tests \
		"$VPL_TESTS/pkg/guest-init" ||
		vpl_die "no plan for the $2 boot of $1 (tests/lib/plan.sh)"
}

list() {
	local s b t
	echo pkg/version pkg/kernel-range pkg/make-dkms-install pkg/deb-build pkg/deb-install
	for s in $SERIES; do
		! is_sid "$s" || echo "pkg/$s/deb-install"
		echo "pkg/$s/dkms-status"
		! is_sid "$s" || echo "pkg/$s/tools-installed"
	done
	echo pkg/tools-installed pkg/initramfs-optin-off pkg/initramfs-failsafe
	for s in $SERIES; do
		# A kernel that could not be prepared says why, once.
		[ -n "${VPL_KVER[$s]:-}" ] || echo "pkg/$s/kernel"
		echo "pkg/$s/initramfs"
		for b in $(boots_of "$s"); do
			for t in $(boot_tests "$s" "$b"); do echo "pkg/$s/$b/$t"; done
			[ "$b" != early ] || echo "pkg/$s/$b/disk-io-host"
		done
	done
	echo pkg/rpm-build pkg/purge
}

# ---------------------------------------------------------------- helpers

# The Debian kernel release of a series (tests fail if it was not prepared).
kver_of() {
	[ -n "${VPL_KVER[$1]:-}" ] || fail "kernel $1 not prepared (build/logs/pkg-kernel-$1.log)" >&2
	echo "${VPL_KVER[$1]}"
}

# The root the packages of the kernel release KVER go into: unstable's
# build root (vpl_kroot), or "" for this machine.
root_of() {
	vpl_kroot "$1"
}

# in_root KVER COMMAND...: COMMAND where KVER's packages are installed.
in_root() {
	local root
	root=$(root_of "$1")
	shift
	if [ -n "$root" ]; then
		"$VPL_SCRIPTS/in-root" "$root" "$@"
	else
		"$@"
	fi
}

# Tests that need an earlier step check for its stamp.
done_step() {
	touch "$STATE/$1"
}

need() {
	[ -e "$STATE/$1" ] || fail "not run: step '$1' failed"
}

deb_of() {
	echo "$OUT/deb/${NAME}-$1_${VERSION}_$2.deb"
}

installed() {
	dpkg-query -W -f '${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# clean_root ROOT: leaves no package and no DKMS tree of ours behind in ROOT
# ("" for this machine; start and end).
clean_root() {
	local root=$1 p
	local -a run=()
	[ -z "$root" ] || run=("$VPL_SCRIPTS/in-root" "$root")
	for p in $NAME-dkms $NAME-tools; do
		if "${run[@]}" dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q installed; then
			"${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "$p" >&2
		fi
	done
	if "${run[@]}" sh -c 'command -v dkms' >/dev/null &&
		"${run[@]}" dkms status -m "$NAME" 2>/dev/null | grep -q .; then
		"${run[@]}" dkms remove -m "$NAME" -v "$VERSION" --all >&2 || true
	fi
	if ! "${run[@]}" dpkg-query -S "/usr/src/$NAME-$VERSION" >/dev/null 2>&1; then
		rm -rf "$root/usr/src/$NAME-$VERSION"
	fi
	rm -f "$root$OPTIN.removed"
}

# This machine and every unstable build root of the selected kernels.
clean_machine() {
	local s root
	clean_root ""
	for s in $SERIES; do
		root=$(root_of "${VPL_KVER[$s]:-none}")
		[ -z "$root" ] || clean_root "$root"
	done
}

# stage KVER DIR [nodkms]: DIR/lib/modules/KVER holding the unpacked Debian
# kernel's modules (hard links) plus, unless nodkms, what DKMS installed.
stage() {
	local kver=$1 dir=$2 mods
	mods=$dir/lib/modules/$kver
	rm -rf "$dir"
	mkdir -p "$dir/lib/modules"
	cp -al "$VPL_BUILD/kernels/$kver/lib/modules/$kver" "$mods"
	if [ "${3:-}" != nodkms ]; then
		mkdir -p "$mods/updates"
		cp -a "$(root_of "$kver")/lib/modules/$kver/updates/dkms" "$mods/updates/"
	fi
	depmod -b "$dir" "$kver"
}

# mkinitrd STAGE KVER OPTIN(yes|no) OUT: Debian's mkinitramfs (unstable's in
# its build root for an unstable kernel), with the installed hooks, run in a
# private mount namespace where /lib/modules/KVER is the staged tree, /boot
# the unpacked kernel's and /etc/modprobe.d holds only the opt-in (or
# nothing): the machine's own files are never touched.
mkinitrd() {
	local stage=$1 kver=$2 optin=$3 out=$4 conf=$OUT/initramfs-conf md
	md=$OUT/modprobe.d-$optin
	rm -rf "$conf" "$md"
	mkdir -p "$conf/scripts" "$conf/conf.d" "$conf/hooks" "$md"
	# Small and fast: the modules a MODULES=most initramfs would offer for
	# a virtio disk, virtio_pci among them, so that the blacklist matters.
	printf '%s\n' MODULES=list BUSYBOX=auto COMPRESS=gzip KEYMAP=n DEVICE= \
		NFSROOT=auto RUNSIZE=10% FSTYPE=ext2 >"$conf/initramfs.conf"
	printf '%s\n' virtio_pci virtio_blk ext4 >"$conf/modules"
	[ "$optin" = no ] ||
		cp "$(root_of "$kver")/usr/share/virtio-pci-layout/modprobe.conf" "$md/virtio-pci-layout.conf"
	"$VPL_SCRIPTS/in-root" --bind "$stage/lib/modules/$kver" "/lib/modules/$kver" \
		--bind "$md" /etc/modprobe.d --bind "$VPL_BUILD/kernels/$kver/boot" /boot \
		"$(root_of "$kver")/" mkinitramfs -d "$conf" -o "$out" "$kver"
}

# ---------------------------------------------------------------- tests

t_version() {
	local v
	[ -n "$VERSION" ] || fail "no PACKAGE_VERSION in dkms.conf"
	v=$(dpkg-parsechangelog -l "$VPL_TOP/debian/changelog" -SVersion)
	[ "$v" = "$VERSION" ] || fail "debian/changelog has $v, dkms.conf $VERSION"
	v=$(sed -n 's/^Version: *//p' "$VPL_TOP/packaging/virtio-pci-layout.spec")
	[ "$v" = "$VERSION" ] || fail "the RPM spec has $v, dkms.conf $VERSION"
	make -s -C "$VPL_TOP/tools" OUT="$OUT/bin" >/dev/null
	v=$("$OUT/bin/virtio-pci-layout" --version)
	[ "$v" = "virtio-pci-layout $VERSION" ] || fail "tool: $v"
	v=$("$OUT/bin/virtio-pci-rebind" --version)
	[ "$v" = "virtio-pci-rebind $VERSION" ] || fail "rebind: $v"
	echo "version $VERSION everywhere"
}

# Kbuild's bound, checked the way kbuild evaluates it: with VERSION and
# PATCHLEVEL of the kernel being built against.
kbuild_refuses() {
	make -s -f "$VPL_TOP/Kbuild" VERSION="$1" PATCHLEVEL="$2" KERNELRELEASE="$1.$2.0" 2>&1 |
		grep -q 'supports Linux 6.1 and later'
}

t_kernel_range() {
	local re k
	re=$(sed -n 's/^BUILD_EXCLUSIVE_KERNEL="\(.*\)"$/\1/p' "$VPL_TOP/dkms.conf")
	[ -n "$re" ] || fail "no BUILD_EXCLUSIVE_KERNEL in dkms.conf"
	for k in 6.1.0-56-amd64 6.12.117+deb12-amd64 6.10.0 6.19.2 7.0.1 10.1.0; do
		grep -Eq "$re" <<<"$k" || fail "dkms.conf excludes $k"
	done
	for k in 6.0.0-1-amd64 5.10.0-30-amd64 5.19.17 4.19.0-27-amd64 3.16.0; do
		! grep -Eq "$re" <<<"$k" || fail "dkms.conf accepts $k"
	done
	kbuild_refuses 6 0 || fail "Kbuild accepts 6.0"
	kbuild_refuses 5 15 || fail "Kbuild accepts 5.15"
	! kbuild_refuses 6 1 || fail "Kbuild refuses 6.1"
	! kbuild_refuses 7 0 || fail "Kbuild refuses 7.0"
	grep -q 'Linux 6.1 and later' "$VPL_TOP/README.md" || fail "README.md does not state 6.1 and later"
	grep -q 'Linux 6.1 and later' "$VPL_TOP/Documentation/admin-guide.rst" || fail "the admin guide does not state it"
}

t_make_dkms_install() {
	local kver
	kver=$(kver_of "$HOST_SERIES")
	make -s -C "$VPL_TOP" dkms-install KERNELRELEASE="$kver" >"$OUT/make-dkms.log" 2>&1 ||
		{ tail -n 20 "$OUT/make-dkms.log"; fail "make dkms-install failed"; }
	dkms status -m "$NAME" -v "$VERSION" -k "$kver" | tee /dev/stderr | grep -q ': installed' ||
		fail "not installed for $kver"
	ls "/lib/modules/$kver/updates/dkms/virtio_pci_layout.ko"* >/dev/null || fail "no module file"
	make -s -C "$VPL_TOP" dkms-uninstall >>"$OUT/make-dkms.log" 2>&1 || fail "make dkms-uninstall failed"
	[ -z "$(dkms status -m "$NAME")" ] || fail "still in DKMS: $(dkms status -m "$NAME")"
	[ ! -e "/usr/src/$NAME-$VERSION" ] || fail "/usr/src/$NAME-$VERSION left behind"
	! ls "/lib/modules/$kver/updates/dkms/virtio_pci_layout.ko"* 2>/dev/null || fail "module file left behind"
}

t_deb_build() {
	local f
	"$VPL_TOP/scripts/package.sh" deb "$OUT/deb"
	for f in "$(deb_of dkms all)" "$(deb_of tools amd64)"; do
		[ -f "$f" ] || fail "no $f"
	done
	dpkg-deb -c "$(deb_of dkms all)" | awk '{ print $6 }' >"$OUT/dkms.files"
	for f in "./usr/src/$NAME-$VERSION/dkms.conf" "./usr/src/$NAME-$VERSION/Kbuild" \
		"./usr/src/$NAME-$VERSION/drivers/virtio/virtio_pci_layout_main.c" \
		./usr/share/initramfs-tools/hooks/virtio-pci-layout \
		./usr/share/virtio-pci-layout/modprobe.conf; do
		grep -qxF "$f" "$OUT/dkms.files" || fail "the dkms package lacks $f"
	done
	! grep -E '\.(o|ko|cmd)$' "$OUT/dkms.files" || fail "build outputs in the package"
	dpkg-deb -c "$(deb_of tools amd64)" | grep -q ' ./usr/bin/virtio-pci-layout$' || fail "no tool"
	dpkg-deb -c "$(deb_of tools amd64)" | grep -q ' ./usr/sbin/virtio-pci-rebind$' || fail "no rebind tool"
	done_step deb-built
}

t_deb_install() {
	need deb-built
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"$(deb_of dkms all)" "$(deb_of tools amd64)" >"$OUT/install.log" 2>&1 ||
		{ tail -n 30 "$OUT/install.log"; fail "apt-get install failed"; }
	installed $NAME-dkms && installed $NAME-tools || fail "not installed"
	done_step deb-installed
}

# The packages, installed in the build root of an unstable series, as an
# unstable user installs them: DKMS builds the module there for the kernel
# whose headers are installed.
t_root_install() {
	local kver root
	kver=$(kver_of "$1")
	root=$(root_of "$kver")
	need deb-built
	[ -n "$root" ] || fail "no build root for $kver"
	in_root "$kver" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "$(deb_of dkms all)" "$(deb_of tools amd64)" \
		>"$OUT/install-$1.log" 2>&1 ||
		{ tail -n 30 "$OUT/install-$1.log"; fail "apt-get install in $root failed"; }
	grep -E "^(Building|Installing|Error)" "$OUT/install-$1.log" || true
	in_root "$kver" dpkg-query -W -f '${Status}\n' $NAME-dkms $NAME-tools |
		grep -c 'install ok installed' | grep -qx 2 || fail "not installed in $root"
	done_step "deb-installed-$kver"
}

t_dkms_status() {
	local kver ko cc
	kver=$(kver_of "$1")
	if is_sid "$1"; then need "deb-installed-$kver"; else need deb-installed; fi
	in_root "$kver" dkms status -m "$NAME" -v "$VERSION" -k "$kver" | tee /dev/stderr |
		grep -q "^$NAME/$VERSION, $kver, x86_64: installed" || fail "not built and installed for $kver"
	ko=$(ls "$(root_of "$kver")/lib/modules/$kver/updates/dkms/virtio_pci_layout.ko"*)
	modinfo -F vermagic "$ko" | grep -q "^$kver " || fail "$ko: vermagic $(modinfo -F vermagic "$ko")"
	[ "$(modinfo -F version "$ko")" = "$VERSION" ] ||
		fail "$ko: MODULE_VERSION '$(modinfo -F version "$ko")', the package is $VERSION"
	if is_sid "$1"; then
		# Built by the compiler that built the kernel: the headers' record
		# of it ("x86_64-linux-gnu-gcc-16 (Debian 16.2.0-4) 16.2.0")
		# against the module's .comment ("GCC: (Debian 16.2.0-5) 16.2.0").
		# The major version: the root's gcc may be a newer upload than
		# the buildd's, which kbuild accepts too.
		cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT=".*gcc.* \([0-9][0-9]*\)\.[0-9.]*"$/\1/p' \
			"$(root_of "$kver")/usr/src/linux-headers-$kver/.config")
		echo "kernel compiler: gcc $cc"
		[ -n "$cc" ] || fail "no gcc version in the headers' CONFIG_CC_VERSION_TEXT"
		xz -dcf "$ko" | strings | grep -q "^GCC: (.*) $cc\.[0-9.]*$" ||
			fail "$ko was not built by gcc $cc: $(xz -dcf "$ko" | strings | grep -m1 '^GCC:')"
	fi
	done_step "dkms-$kver"
}

# The tools package, installed in an unstable build root, runs there.
t_root_tools() {
	local kver fx=$VPL_TESTS/tool/qemu/net-modern
	kver=$(kver_of "$1")
	need "deb-installed-$kver"
	[ "$(in_root "$kver" virtio-pci-layout --version)" = "virtio-pci-layout $VERSION" ] ||
		fail "virtio-pci-layout --version"
	cp "$fx.resource" "$fx.hex" "$OUT/"
	in_root "$kver" virtio-pci-layout --resource "$OUT/net-modern.resource" "$OUT/net-modern.hex" |
		tee /dev/stderr | grep -q 'verdict: valid' || fail "the installed tool does not judge a fixture"
	[ "$(in_root "$kver" virtio-pci-rebind --version)" = "virtio-pci-rebind $VERSION" ] ||
		fail "virtio-pci-rebind --version"
}

t_tools_installed() {
	local fx=$VPL_TESTS/tool/qemu/net-modern
	need deb-installed
	[ "$(virtio-pci-layout --version)" = "virtio-pci-layout $VERSION" ] || fail "virtio-pci-layout --version"
	virtio-pci-layout --resource "$fx.resource" "$fx.hex" | tee /dev/stderr |
		grep -q 'verdict: valid' || fail "the installed tool does not judge a fixture"
	[ "$(virtio-pci-rebind --version)" = "virtio-pci-rebind $VERSION" ] || fail "virtio-pci-rebind --version"
	[ "$(command -v virtio-pci-rebind)" = /usr/sbin/virtio-pci-rebind ] || fail "rebind not in /usr/sbin"
}

t_initramfs_optin_off() {
	local kver img=$OUT/optin-off.img
	kver=$(kver_of "$HOST_SERIES")
	need deb-installed
	[ -d "/lib/modules/$kver/updates/dkms" ] || fail "DKMS built nothing for $kver"
	stage "$kver" "$OUT/$kver/stage"
	mkinitrd "$OUT/$kver/stage" "$kver" no "$img" >"$OUT/optin-off.log" 2>&1 ||
		{ tail "$OUT/optin-off.log"; fail "mkinitramfs failed"; }
	lsinitramfs "$img" >"$OUT/optin-off.files"
	grep -q 'virtio_blk.ko' "$OUT/optin-off.files" || fail "not an initramfs with virtio_blk"
	! grep -E 'virtio_pci_layout|modprobe.d/virtio-pci-layout' "$OUT/optin-off.files" || fail "changed without the opt-in"
}

t_initramfs_failsafe() {
	local kver img=$OUT/failsafe.img
	kver=$(kver_of "$HOST_SERIES")
	need deb-installed
	stage "$kver" "$OUT/$kver/stage-nodkms" nodkms
	mkinitrd "$OUT/$kver/stage-nodkms" "$kver" yes "$img" >"$OUT/failsafe.log" 2>&1 ||
		{ tail "$OUT/failsafe.log"; fail "mkinitramfs failed"; }
	grep 'virtio-pci-layout' "$OUT/failsafe.log"
	grep -q "W: virtio-pci-layout: no virtio_pci_layout module for $kver" "$OUT/failsafe.log" || fail "no warning"
	lsinitramfs "$img" >"$OUT/failsafe.files"
	! grep -E 'virtio_pci_layout|modprobe.d/virtio-pci-layout' "$OUT/failsafe.files" || fail "opt-in kept without the module"
	grep -q 'virtio_pci.ko' "$OUT/failsafe.files" || fail "virtio_pci missing"
}

# Only listed for a series whose kernel could not be prepared.
t_kernel() {
	tail -n 20 "$VPL_BUILD/logs/pkg-kernel-$1.log" 2>/dev/null || true
	fail "kernel $1 could not be prepared"
}

t_initramfs() {
	local kver img=$OUT/$1/initrd.img
	kver=$(kver_of "$1")
	need "dkms-$kver"
	mkdir -p "$OUT/$1"
	stage "$kver" "$OUT/$kver/stage"
	mkinitrd "$OUT/$kver/stage" "$kver" yes "$img" >"$OUT/$1/initramfs.log" 2>&1 ||
		{ tail "$OUT/$1/initramfs.log"; fail "mkinitramfs failed"; }
	grep 'virtio-pci-layout' "$OUT/$1/initramfs.log" || true
	lsinitramfs "$img" >"$OUT/$1/initramfs.files"
	grep -q "lib/modules/$kver/updates/dkms/virtio_pci_layout.ko" "$OUT/$1/initramfs.files" || fail "no module in the initramfs"
	grep -q '^etc/modprobe.d/virtio-pci-layout.conf$' "$OUT/$1/initramfs.files" || fail "no opt-in in the initramfs"
	done_step "initramfs-$1"
}

t_rpm_build() {
	local dkms tools
	"$VPL_TOP/scripts/package.sh" rpm "$OUT/rpm"
	dkms=$(ls "$OUT/rpm/$NAME-dkms-$VERSION-1".*noarch.rpm)
	tools=$(ls "$OUT/rpm/$NAME-tools-$VERSION-1".*x86_64.rpm)
	rpm -qlp "$dkms" 2>/dev/null | grep -qx "/usr/src/$NAME-$VERSION/dkms.conf" || fail "no dkms.conf in $dkms"
	rpm -qlp "$dkms" 2>/dev/null | grep -qx "/usr/src/$NAME-$VERSION/drivers/virtio/virtio_pci_layout_caps.c" || fail "no sources"
	rpm -qp --scripts "$dkms" 2>/dev/null | grep -q "dkms add -m $NAME -v $VERSION" || fail "no dkms add in %post"
	rpm -qlp "$tools" 2>/dev/null | grep -qx /usr/bin/virtio-pci-layout || fail "no tool in $tools"
	rpm -qlp "$tools" 2>/dev/null | grep -qx /usr/sbin/virtio-pci-rebind || fail "no rebind tool in $tools"
}

# Purging turns an opt-in off (it would leave the devices without a driver).
t_purge() {
	local s
	need deb-installed
	echo "# opt-in file created by tests/pkg (no directives)" >"$OPTIN"
	apt-get purge -y -q $NAME-dkms $NAME-tools >"$OUT/purge.log" 2>&1 ||
		{ rm -f "$OPTIN"; tail "$OUT/purge.log"; fail "purge failed"; }
	[ ! -e "$OPTIN" ] || { rm -f "$OPTIN"; fail "the opt-in is still active"; }
	[ -e "$OPTIN.removed" ] || fail "the opt-in was not kept as $OPTIN.removed"
	rm -f "$OPTIN.removed"
	grep -q "opt-in $OPTIN is now $OPTIN.removed" "$OUT/purge.log" || fail "no message"
	[ -z "$(dkms status -m "$NAME")" ] || fail "still in DKMS"
	[ ! -e "/usr/src/$NAME-$VERSION" ] || fail "sources left"
	for s in $SERIES; do
		[ -n "${VPL_KVER[$s]:-}" ] || continue
		if is_sid "$s" && in_root "${VPL_KVER[$s]}" dpkg-query -W $NAME-dkms >/dev/null 2>&1; then
			in_root "${VPL_KVER[$s]}" env DEBIAN_FRONTEND=noninteractive \
				apt-get purge -y -q $NAME-dkms $NAME-tools >>"$OUT/purge.log" 2>&1 ||
				fail "purge in the build root of $s failed"
			[ -z "$(in_root "${VPL_KVER[$s]}" dkms status -m "$NAME")" ] || fail "still in DKMS in the build root of $s"
		fi
		! ls "$(root_of "${VPL_KVER[$s]}")/lib/modules/${VPL_KVER[$s]}/updates/dkms/virtio_pci_layout.ko"* 2>/dev/null ||
			fail "module left for $s"
	done
}

# ---------------------------------------------------------------- guests

# Copies a host binary and the shared libraries it loads into root $1.
copy_binary() {
	local root=$1 bin=$2 lib
	mkdir -p "$root$(dirname "$bin")"
	cp -L "$bin" "$root$bin"
	for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# The guest's root file system: busybox, iproute2's ip (as the guest
# runtime's ip() wants it), the guest init, the installed tools and opt-in,
# the pattern file (disk-io), and the modules the guest loads after the
# initramfs (from the staged tree, DKMS's build included), as an ext2 image
# $2.
make_rootfs() {
	local kver=$1 img=$2 r=$OUT/rootfs stage=$OUT/$1/stage applet line rel
	rm -rf "$r"
	mkdir -p "$r"/{bin,sbin,proc,sys,dev,run,tmp,etc/modprobe.d,usr/bin,usr/sbin}
	cp /bin/busybox "$r/bin/"
	for applet in $(/bin/busybox --list); do
		case $applet in busybox | init | linuxrc) ;; *) ln -s busybox "$r/bin/$applet" ;; esac
	done
	copy_binary "$r" /sbin/ip
	mv "$r/sbin/ip" "$r/bin/ip.iproute2"
	install -m 755 "$VPL_TESTS/pkg/guest-init" "$r/sbin/init"
	install -D -m 644 "$VPL_SCRIPTS/guest/runtime.sh" "$r/vpl/runtime.sh"
	cp "$OUT/pattern.bin" "$r/pattern.bin"
	copy_binary "$r" /usr/bin/virtio-pci-layout
	cp /usr/sbin/virtio-pci-rebind "$r/usr/sbin/"
	cp /usr/share/virtio-pci-layout/modprobe.conf "$r/etc/modprobe.d/virtio-pci-layout.conf"
	modprobe -a -d "$stage" -S "$kver" --show-depends virtio_net virtio_pci virtio_pci_layout |
		while read -r line; do
			case $line in insmod\ *) ;; *) continue ;; esac
			line=${line#insmod }
			line=${line%% *}
			rel=${line#"$stage"/}
			mkdir -p "$r/$(dirname "$rel")"
			case $rel in
			*.xz) xz -dc "$line" >"$r/${rel%.xz}" ;;
			*) cp "$line" "$r/$rel" ;;
			esac
		done
	cp "$stage/lib/modules/$kver/modules.builtin" "$stage/lib/modules/$kver/modules.order" \
		"$r/lib/modules/$kver/"
	depmod -b "$r" "$kver"
	rm -f "$img"
	mke2fs -q -t ext2 -L vplroot -d "$r" "$img" 64M
}

# The GNU build ID of the module DKMS installed for KVER.
build_id() {
	local ko
	ko=$(ls "$(root_of "$1")/lib/modules/$1/updates/dkms/virtio_pci_layout.ko"*)
	case $ko in
	*.xz) xz -dc "$ko" >"$OUT/module.ko" ;;
	*) cp "$ko" "$OUT/module.ko" ;;
	esac
	readelf -n "$OUT/module.ko" | sed -n 's/^ *Build ID: //p'
}

# Reports the results of one boot as pkg/SERIES/BOOT/TEST, read with the
# harness's one KTAP reader (tests/lib/ktap.py).
report_boot() {
	local series=$1 boot=$2 dir=$3 t status diag rc told=0
	for t in $(boot_tests "$series" "$boot"); do
		rc=0
		diag=$(python3 "$VPL_LIB/ktap.py" lookup "$dir/result.txt" "$t") || rc=$?
		case $rc in
		0) status=ok diag= ;;
		1) status="not ok" ;;
		*)
			status="not ok"
			diag="# no result: the guest stopped before reporting it (QEMU exit $BOOT_RC)"
			if [ "$told" = 0 ]; then
				diag+=$'\n'$(tail -n 30 "$dir/console.log" 2>/dev/null | tr -d '\r' | sed 's/^/# /')
				told=1
			fi
			;;
		esac
		t_report "$status" "pkg/$series/$boot/$t" "$diag"
	done
}

boot_guest() {
	local series=$1 boot=$2 kver=${VPL_KVER[$1]:-} dir=$OUT/$1/$2 append names
	names=$(boot_tests "$series" "$boot" | sed "s#^#pkg/$series/$boot/#")
	[ "$boot" != early ] || names+=" pkg/$series/$boot/disk-io-host"
	if [ ! -e "$STATE/initramfs-$series" ]; then
		t_fail_all "not run: no initramfs for $series (see pkg/$series/initramfs)" $names
		return 0
	fi
	mkdir -p "$dir"
	if ! make_rootfs "$kver" "$dir/root.img" >"$dir/rootfs.log" 2>&1; then
		t_fail_all "root file system image failed: $(tail -n 5 "$dir/rootfs.log")" $names
		return 0
	fi
	append="$(boot_append "$series" "$boot") vpl.buildid=$(build_id "$kver") vpl.iosum=$PATTERN_SUM"
	vpl_log "pkg: booting $series ($boot) from Debian's initramfs"
	BOOT_RC=0
	VPL_QEMU_ROOT=$(vpl_series_qemu_root "$series") "$VPL_SCRIPTS/qemu.sh" -t 300 -k "$VPL_BUILD/kernels/$kver/boot/vmlinuz-$kver" \
		-i "$OUT/$series/initrd.img" -c "$dir/console.log" -r "$dir/result.txt" \
		-a "$append" -- \
		-drive "file=$dir/root.img,format=raw,if=none,id=hd0" \
		-device virtio-blk-pci,disable-legacy=on,drive=hd0,addr=0x4 \
		-netdev hubport,id=n0,hubid=0 \
		-device virtio-net-pci,disable-legacy=on,netdev=n0,romfile=,addr=0x5,mac=52:54:00:00:05:00 \
		-netdev hubport,id=n1,hubid=0 \
		-device virtio-net-pci,disable-legacy=on,netdev=n1,romfile=,addr=0x6,mac=52:54:00:00:06:00 \
		2>"$dir/qemu.log" || BOOT_RC=$?
	report_boot "$series" "$boot" "$dir"
	[ "$boot" != early ] || t_run "pkg/$series/$boot/disk-io-host" t_disk_io_host "$dir"
}

# The copy the early boot's disk-io wrote, read from the disk image on the
# host: what the guest wrote is on the disk, not only in its page cache.
t_disk_io_host() {
	local got
	rm -f "$1/io.bin"
	debugfs -R "dump /io.bin $1/io.bin" "$1/root.img" 2>/dev/null
	[ -f "$1/io.bin" ] || fail "no /io.bin in $1/root.img"
	got=$(sha256sum "$1/io.bin" | cut -d' ' -f1)
	echo "/io.bin in the image: sha256 $got"
	[ "$got" = "$PATTERN_SUM" ] || fail "want $PATTERN_SUM"
}

# ---------------------------------------------------------------- main

main() {
	local s b
	# The kernels first: a kernel's boots depend on what it is.
	mkdir -p "$VPL_BUILD/logs"
	HOST_SERIES=$(host_series)
	for s in $SERIES $HOST_SERIES; do
		vpl_prepare_kernel "$s" "$VPL_BUILD/logs/pkg-kernel-$s.log" || true
	done
	if [ "${1:-}" = --list ]; then
		list | tr ' ' '\n'
		return 0
	fi
	[ "$(id -u)" = 0 ] || vpl_die "the packaging tests install packages: run them as root"
	rm -rf "$STATE"
	mkdir -p "$OUT" "$STATE" "$VPL_BUILD/logs"
	t_plan "$(list | wc -w)"
	vpl_need_packages dkms build-essential debhelper dh-dkms dpkg-dev initramfs-tools \
		e2fsprogs busybox-static kmod xz-utils iproute2 binutils >&2
	vpl_need_tools qemu-system-x86_64:qemu-system-x86 unshare:util-linux >&2
	clean_machine
	head -c "$((VPL_PATTERN_MIB << 20))" /dev/urandom >"$OUT/pattern.bin"
	PATTERN_SUM=$(sha256sum "$OUT/pattern.bin" | cut -d' ' -f1)
	t_run pkg/version t_version
	t_run pkg/kernel-range t_kernel_range
	t_run pkg/make-dkms-install t_make_dkms_install
	t_run pkg/deb-build t_deb_build
	t_run pkg/deb-install t_deb_install
	for s in $SERIES; do
		! is_sid "$s" || t_run "pkg/$s/deb-install" t_root_install "$s"
		t_run "pkg/$s/dkms-status" t_dkms_status "$s"
		! is_sid "$s" || t_run "pkg/$s/tools-installed" t_root_tools "$s"
	done
	t_run pkg/tools-installed t_tools_installed
	t_run pkg/initramfs-optin-off t_initramfs_optin_off
	t_run pkg/initramfs-failsafe t_initramfs_failsafe
	for s in $SERIES; do
		[ -n "${VPL_KVER[$s]:-}" ] || t_run "pkg/$s/kernel" t_kernel "$s"
		t_run "pkg/$s/initramfs" t_initramfs "$s"
		for b in $(boots_of "$s"); do boot_guest "$s" "$b"; done
	done
	t_run pkg/rpm-build t_rpm_build
	t_run pkg/purge t_purge
	clean_machine
	t_end
}

main "$@"
