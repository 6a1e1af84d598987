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

# Maps a kernel series given by the user ("6.1", "6.12") to the kernel
# release the harness uses for it (see kernels.sh).
vpl_series_var() {
	case $1 in
	6.1) echo VPL_KVER_61 ;;
	6.12) echo VPL_KVER_612 ;;
	debug) echo VPL_KVER_DEBUG ;;
	*) vpl_die "unknown kernel series '$1' (known: 6.1 6.12 debug)" ;;
	esac
}

# The kernel build tree modules for release KVER are built against: Debian's
# headers, or the debug kernel's own build directory (scripts/debug-kernel.sh
# records it).
vpl_kdir() {
	if [ -f "$VPL_BUILD/kernels/$1/.vpl-kdir" ]; then
		cat "$VPL_BUILD/kernels/$1/.vpl-kdir"
	else
		echo "/usr/src/linux-headers-$1"
	fi
}
