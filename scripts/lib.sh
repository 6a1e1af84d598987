# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# lib.sh - shared settings and helpers of the host-side scripts: scripts/,
# bench/ and the test harness (tests/) source it; it sources nothing of
# tests/.

# Locations.  Everything the harness produces goes below build/ or cache/,
# both ignored by git, so a test run never dirties the work tree.
VPL_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck disable=SC2034 # used by the scripts that source this file
VPL_SCRIPTS=$VPL_TOP/scripts
# shellcheck disable=SC2034
VPL_TESTS=$VPL_TOP/tests
VPL_BUILD=${VPL_BUILD:-$VPL_TOP/build}
VPL_CACHE=${VPL_CACHE:-$VPL_TOP/cache}

# Size of the pseudo-random test pattern in MiB.  Large enough that a
# transfer spans many descriptors and ring wrap-arounds, small enough for TCG.
VPL_PATTERN_MIB=${VPL_PATTERN_MIB:-8}

# Progress messages go to stderr so that stdout stays pure KTAP.
vpl_log() {
	printf '[vpl] %s\n' "$*" >&2
}

vpl_die() {
	printf '[vpl] error: %s\n' "$*" >&2
	exit 1
}

# Installs Debian packages that provide the named commands, but only when a
# command is missing: an installed machine does no apt work at all.
# Arguments are "command:package" pairs.
vpl_need_tools() {
	local pair cmd pkg missing=
	for pair in "$@"; do
		cmd=${pair%%:*}
		pkg=${pair#*:}
		command -v "$cmd" >/dev/null 2>&1 || missing="$missing $pkg"
	done
	[ -n "$missing" ] || return 0
	vpl_log "installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086 # word splitting of the list is intended
	if ! apt-get install -y -q $missing >&2; then
		apt-get update -q >&2
		# shellcheck disable=SC2086
		apt-get install -y -q $missing >&2
	fi
}

# Installs the named Debian packages that are not installed yet (for
# packages that provide no command to look for, such as -dev packages),
# without their recommendations: dkms recommends linux-headers-amd64, which
# would pull in the newest headers and have DKMS build for a kernel nobody
# asked for.
vpl_need_packages() {
	local pkg missing=
	for pkg in "$@"; do
		dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
			missing="$missing $pkg"
	done
	[ -n "$missing" ] || return 0
	vpl_log "installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086 # word splitting of the list is intended
	if ! apt-get install -y -q --no-install-recommends $missing >&2; then
		apt-get update -q >&2
		apt-get install -y -q --no-install-recommends $missing >&2
	fi
}

# Prints the path of Debian's linux-source-6.12 tarball (checkpatch.pl,
# kernel-doc and kunit.py come from it), installing the package if needed.
vpl_linux_source() {
	vpl_need_packages linux-source-6.12
	ls /usr/src/linux-source-6.12*.tar.xz | tail -n 1
}

# Unpacks Debian's linux-source-6.12 once (into build/kunit, where the KUnit
# build first needed it) and prints the tree's path.  Both kernels built from
# it, the KUnit one and the debug guest kernel, build out of tree (O=), so
# they share the one unpacked copy.
vpl_unpacked_source() {
	local dir=$VPL_BUILD/kunit tree tarball
	tree=$dir/linux-source-6.12
	if [ ! -e "$tree/.vpl-unpacked" ]; then
		tarball=$(vpl_linux_source)
		vpl_log "unpacking $(basename "$tarball")"
		rm -rf "$tree"
		mkdir -p "$dir"
		tar -xJf "$tarball" -C "$dir"
		touch "$tree/.vpl-unpacked"
	fi
	echo "$tree"
}

# ---------------------------------------------------------------- Debian unstable

# The machine's own Debian mirror: the first URI of its apt sources for
# the "debian" archive (deb822 .sources or one-line sources.list).
vpl_debian_mirror() {
	local uri
	uri=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
		awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }
		     /^deb / { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' |
		grep -E '/debian/?$' | head -n 1)
	echo "${uri:-http://deb.debian.org/debian}"
}

# vpl_sid_apt COMMAND ARGS...: apt-get or apt-cache (COMMAND) on Debian
# unstable's package lists, kept in cache/sid-apt: a private configuration
# naming the machine's mirror with "Suites: sid", so nothing of unstable
# reaches the host's own apt.  The mirror's sid Release file is past its
# Valid-Until date, hence Check-Valid-Until=false.  The lists are fetched
# on first use; "vpl_sid_apt apt-get update" refreshes them.
vpl_sid_apt() {
	local dir=$VPL_CACHE/sid-apt cmd=$1
	shift
	mkdir -p "$dir/sources" "$dir/lists/partial" "$dir/cache/archives/partial"
	printf 'Types: deb\nURIs: %s\nSuites: sid\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
		"$(vpl_debian_mirror)" >"$dir/sources/sid.sources"
	local -a opts=(-o Dir::Etc::sourcelist=/dev/null -o Dir::Etc::sourceparts="$dir/sources"
		-o Dir::State::lists="$dir/lists" -o Dir::Cache="$dir/cache"
		-o Dir::State::status=/dev/null -o Acquire::Check-Valid-Until=false)
	[ -n "$(find "$dir/lists" -maxdepth 1 -name '*_Packages*' 2>/dev/null)" ] ||
		[ "$cmd ${1:-}" = "apt-get update" ] || apt-get "${opts[@]}" -q update >&2
	"$cmd" "${opts[@]}" "$@"
}

# vpl_sid_root NAME PACKAGES: a Debian unstable root file system with
# PACKAGES (comma separated), made once with mmdebstrap under
# cache/chroots/NAME (about 30 s and 300 MB); prints its path.  Its
# .vpl-ready holds PACKAGES: a root made for another list is made again.
# One maker at a time (a lock beside it).
vpl_sid_root() {
	local dir=$VPL_CACHE/chroots/$1 tmp
	mkdir -p "$VPL_CACHE/chroots"
	(
		flock 9
		[ "$(cat "$dir/.vpl-ready" 2>/dev/null)" != "$2" ] || exit 0
		vpl_need_tools mmdebstrap:mmdebstrap
		vpl_log "making a Debian unstable root with $2 in $dir"
		tmp=$dir.tmp.$$
		rm -rf "$tmp" "$dir"
		# Called where errexit does not apply (in an || list): every
		# step checks.
		if ! mmdebstrap --variant=apt --aptopt='Acquire::Check-Valid-Until "false"' \
			--include="$2" sid "$tmp" "$(vpl_debian_mirror)" >&2; then
			rm -rf "$tmp"
			exit 1
		fi
		echo "$2" >"$tmp/.vpl-ready" && mv -T "$tmp" "$dir" || exit 1
	) 9>"$dir.lock" || return 1
	echo "$dir"
}

# vpl_sid_build_root KVER: the Debian unstable root modules for unstable's
# kernel release KVER are built in: unstable's gcc, kbuild and sparse (from
# linux-headers-KVER; they need a newer glibc than Debian 12's), DKMS and
# initramfs-tools, as an unstable user has them.  make check, the
# harness's module builds and the package tests use it (scripts/in-root).
vpl_sid_build_root() {
	vpl_sid_root "build-$1" "dkms,make,kmod,sparse,openssl,e2fsprogs,initramfs-tools,linux-headers-$1"
}

# ---------------------------------------------------------------- kernels

# vpl_series [KIND]: the kernel series of scripts/kernel-series, in its
# order, or only those of KIND (debian, sid, built).
# shellcheck disable=SC2120 # callers elsewhere pass KIND
vpl_series() {
	awk -v kind="${1:-}" '!/^#/ && NF >= 2 && (kind == "" || $2 == kind) { print $1 }' \
		"$VPL_SCRIPTS/kernel-series"
}

# The series the tier VPL_TIER (quick, full) boots when no --kernel names
# any, in scripts/kernel-series's order.
vpl_series_default() {
	awk -v tier="${VPL_TIER:-quick}" '!/^#/ && NF >= 5 && ("," $5 ",") ~ ("," tier ",") { print $1 }' \
		"$VPL_SCRIPTS/kernel-series"
}

# vpl_series_field SERIES COLUMN: a column (2 KIND, 3 MATCH, 4 QEMU, 5
# TIERS, 6 QUICK) of SERIES's
# line; dies on an unknown series.
vpl_series_field() {
	local v
	v=$(awk -v s="$1" -v c="$2" '!/^#/ && $1 == s { print $c }' "$VPL_SCRIPTS/kernel-series")
	[ -n "$v" ] || vpl_die "unknown kernel series '$1' (known: $(vpl_series | tr '\n' ' '))"
	echo "$v"
}

# The kernel series of SERIES: its name up to an "@" (7.2@qemu11: 7.2).
vpl_series_kernel() {
	echo "${1%%@*}"
}

# The variable that overrides the kernel release of SERIES: VPL_KVER_ and
# its kernel series without dots, upper case (6.12: VPL_KVER_612).
vpl_series_var() {
	vpl_series_field "$1" 2 >/dev/null
	echo "VPL_KVER_$(vpl_series_kernel "$1" | tr -d . | tr '[:lower:]' '[:upper:]')"
}

# The root file system whose QEMU boots SERIES (scripts/qemu.sh's
# VPL_QEMU_ROOT), empty for the machine's own; made on first use, by
# vpl_prepare_kernel (so never by boots running side by side).
vpl_series_qemu_root() {
	case $(vpl_series_field "$1" 4) in
	-) ;;
	sid) vpl_sid_root qemu-sid qemu-system-x86,qemu-utils ;;
	*) vpl_die "scripts/kernel-series: unknown QEMU '$(vpl_series_field "$1" 4)' for $1" ;;
	esac
}

# The module directory of the unpacked kernel of release KVER.
vpl_kernel_moddir() {
	echo "$VPL_BUILD/kernels/$1/lib/modules/$1"
}

# vpl_kernel_has KVER PROPERTY: what the unpacked kernel of release KVER
# (build/kernels/KVER, see kernels.sh) is, read from its own files:
#   builtin:MODULE   MODULE is built in (modules.builtin)
#   config:SYMBOL    CONFIG_SYMBOL is y or m (boot/config-KVER)
#   export:SYMBOL    the kernel exports SYMBOL (Module.symvers of its
#                    headers or build tree)
# Answers are kept, so each file is read once per property.
declare -gA VPL_KERNEL_HAS=()
vpl_kernel_has() {
	local key="$1 $2" dir=$VPL_BUILD/kernels/$1 rc=1 moddir symvers
	moddir=$(vpl_kernel_moddir "$1")
	if [ -z "${VPL_KERNEL_HAS[$key]:-}" ]; then
		case $2 in
		builtin:*)
			[ -f "$moddir/modules.builtin" ] ||
				vpl_die "kernel $1 is not unpacked (no modules.builtin)"
			! grep -q "/${2#builtin:}\.ko\$" "$moddir/modules.builtin" || rc=0
			;;
		config:*)
			[ -f "$dir/boot/config-$1" ] || vpl_die "kernel $1 is not unpacked (no boot/config-$1)"
			! grep -q -E "^CONFIG_${2#config:}=[ym]\$" "$dir/boot/config-$1" || rc=0
			;;
		export:*)
			# Module.symvers of the tree modules are built against.
			symvers=$(vpl_kroot "$1")$(vpl_kdir "$1")/Module.symvers
			[ -f "$symvers" ] || vpl_die "kernel $1: no $symvers"
			! awk -v s="${2#export:}" '$2 == s { found = 1 } END { exit !found }' "$symvers" || rc=0
			;;
		*) vpl_die "vpl_kernel_has: unknown property '$2'" ;;
		esac
		VPL_KERNEL_HAS[$key]=$rc
	fi
	return "${VPL_KERNEL_HAS[$key]}"
}

# The kernel build tree modules for release KVER are built against: Debian's
# headers, or the debug kernel's own build directory (scripts/debug-kernel.sh
# records it), or for an unstable kernel its headers inside vpl_kroot.
vpl_kdir() {
	if [ -f "$VPL_BUILD/kernels/$1/.vpl-kdir" ]; then
		cat "$VPL_BUILD/kernels/$1/.vpl-kdir"
	else
		echo "/usr/src/linux-headers-$1"
	fi
}

# The root file system modules for release KVER are built in
# (scripts/in-root; kernels.sh records it for an unstable kernel), empty
# for the machine's own.
vpl_kroot() {
	cat "$VPL_BUILD/kernels/$1/.vpl-root" 2>/dev/null || true
}

# ---------------------------------------------------------------- guests

# Installs what the host side needs on a fresh Debian 12 machine; on a
# prepared one this only looks.  The guest's busybox must be the static
# build: the "busybox" package installs a dynamic one at the same path.
vpl_host_tools() {
	vpl_need_tools qemu-system-x86_64:qemu-system-x86 qemu-img:qemu-utils \
		cpio:cpio depmod:kmod xz:xz-utils openssl:openssl ip:iproute2 \
		make:make gcc:gcc timeout:coreutils
	vpl_need_packages busybox-static
	[ -f /usr/share/qemu/qboot.rom ] || vpl_die "/usr/share/qemu/qboot.rom missing (package qemu-system-data)"
}

# The release each prepared series boots (vpl_prepare_kernel).
declare -gA VPL_KVER=()

# Prepares SERIES (scripts/kernels.sh: fetched and unpacked, or built) and
# sets KVER and VPL_KVER[SERIES] to its release; the step's output goes to
# LOG.  What the harness asks of every kernel is read here, once, so that
# the subshells listing tests inherit the answers.
vpl_prepare_kernel() {
	local series=$1 log=$2 line prop
	if [ -z "${VPL_KVER[$series]:-}" ]; then
		line=$("$VPL_SCRIPTS/kernels.sh" "$series" 2>"$log") || return 1
		line=${line#* }
		# What vpl_kernel_has reads must be there.
		if [ ! -f "$(vpl_kernel_moddir "$line")/modules.builtin" ] ||
			[ ! -f "$VPL_BUILD/kernels/$line/boot/config-$line" ]; then
			echo "kernel $line: no modules.builtin or boot/config-$line" >>"$log"
			return 1
		fi
		VPL_KVER[$series]=$line
		vpl_series_qemu_root "$series" >/dev/null 2>>"$log" || return 1
	fi
	KVER=${VPL_KVER[$series]}
	for prop in builtin:virtio_pci config:VIRTIO_IOMMU config:KUNIT config:KASAN; do
		vpl_kernel_has "$KVER" "$prop" || true
	done
}

# vpl_series_has SERIES PROPERTY: vpl_kernel_has for the release of a
# prepared SERIES.
vpl_series_has() {
	[ -n "${VPL_KVER[$1]:-}" ] || vpl_die "vpl_series_has: series $1 is not prepared"
	vpl_kernel_has "${VPL_KVER[$1]}" "$2"
}

# Builds our module for KVER; prints its path.  Output of make goes to LOG.
vpl_build_module() {
	local kver=$1 log=$2 ko kunit=n
	! vpl_kernel_has "$kver" config:KUNIT || kunit=y
	ko=$(VPL_WITH_KUNIT=$kunit VPL_BUILD_ROOT=$(vpl_kroot "$kver") \
		"$VPL_SCRIPTS/build-module.sh" "$(vpl_kdir "$kver")" \
		"$VPL_BUILD/module/$kver" 2>"$log" | tail -n 1) || return 1
	[ -f "$ko" ] || return 1
	echo "$ko"
}
