#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernels.sh SERIES...
#
# Makes the kernels the guests boot available under build/kernels/<kver>/
# (boot/vmlinuz-<kver>, boot/config-<kver> and lib/modules/<kver>/) and the
# tree modules build against, for each SERIES of scripts/kernel-series (all
# of kind "debian" when none is given).  Prints one line per series:
# "SERIES KVER".
#
# A series of kind "sid" (Debian unstable, never installed on the host):
# the release is $VPL_KVER_<series> or the newest linux-headers-<kver>
# matching the series in unstable's lists (vpl_sid_apt).  Its kernel
# (linux-binary, linux-base, linux-modules) is unpacked like the others;
# modules for it build in a root of unstable's own (vpl_sid_build_root,
# cache/chroots/build-<kver>) with unstable's gcc and kbuild against
# linux-headers-<kver>, as DKMS builds them on an unstable machine.
#
# A series of kind "debian": the release is $VPL_KVER_<series> when set
# (vpl_series_var: VPL_KVER_61, VPL_KVER_612); otherwise the newest
# linux-headers-<kver> matching the series that apt knows of for which apt
# also offers linux-image-<kver>-unsigned (the unsigned image ships the same
# kernel without the Secure Boot wrapping).  Its headers are installed under
# /usr/src.  A series of kind "built" is the debug kernel, built from
# Debian's linux-source-6.12 by scripts/debug-kernel.sh.
#
# Idempotent: a kernel already unpacked is not looked at again, and the .deb
# is kept in cache/debs/ so a rebuild of build/ downloads nothing.
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# True when apt's lists know the named package.
apt_knows() {
	apt-cache show --no-all-versions "$1" >/dev/null 2>&1
}

# Candidate kernel releases of a series, newest first: those apt knows of plus
# those already installed (dpkg), since a machine may have headers that are
# older than the current lists.
candidates() {
	local re
	re=$(vpl_series_field "$1" 3)
	{
		apt-cache pkgnames linux-headers- 2>/dev/null || true
		dpkg-query -W -f '${Package}\n' 'linux-headers-*' 2>/dev/null || true
	} | grep -E "$re" | sed 's/^linux-headers-//' | sort -u -V -r
}

# Prints the newest release of a series with both packages available.
pick_release() {
	local kver
	for kver in $(candidates "$1"); do
		if apt_knows "linux-image-$kver-unsigned"; then
			echo "$kver"
			return 0
		fi
	done
	return 1
}

# Release for a series: the override variable, else the newest usable one.
# apt's lists are refreshed only when nothing usable is found in them.
resolve_release() {
	local var
	var=$(vpl_series_var "$1")
	if [ -n "${!var:-}" ]; then
		echo "${!var}"
		return 0
	fi
	pick_release "$1" && return 0
	vpl_log "no usable $1 kernel in apt's lists; running apt-get update"
	apt-get update -q >&2
	pick_release "$1" || vpl_die "apt offers no linux-image-*-unsigned for series $1"
}

# The module build needs the headers of exactly this release.
ensure_headers() {
	local pkg=linux-headers-$1
	if dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
		return 0
	fi
	vpl_log "installing $pkg"
	if ! apt_knows "$pkg"; then
		apt-get update -q >&2
	fi
	apt-get install -y -q "$pkg" >&2
}

# fetch_deb DIR PACKAGE APT-GET...: PACKAGE's .deb, downloaded into DIR
# (under cache/) by the apt-get command given (apt-get, or vpl_sid_apt
# apt-get) unless a copy is already there; prints its path.
fetch_deb() {
	local dir=$1 pkg=$2 deb
	shift 2
	mkdir -p "$dir"
	deb=$(find "$dir" -maxdepth 1 -name "${pkg}_*.deb" | sort -V | tail -n 1)
	if [ -z "$deb" ]; then
		vpl_log "downloading $pkg"
		# apt-get download writes to the current directory.  A stale list
		# can name a file the mirror no longer has: refresh and retry once.
		if ! (cd "$dir" && "$@" download -q "$pkg" >&2); then
			"$@" update -q >&2
			(cd "$dir" && "$@" download -q "$pkg" >&2)
		fi
		deb=$(find "$dir" -maxdepth 1 -name "${pkg}_*.deb" | sort -V | tail -n 1)
		[ -n "$deb" ] || vpl_die "apt-get download left no $pkg .deb in $dir"
	fi
	echo "$deb"
}

# Unpacks the image into build/kernels/<kver> and indexes its modules.  The
# .deb carries no modules.dep (its postinst runs depmod), so run depmod on the
# unpacked tree; initramfs.sh uses it to find module dependencies.
ensure_image() {
	local kver=$1 dest=$VPL_BUILD/kernels/$1 deb tmp
	# The stamp alone is not enough: kbuild's "make clean" for an external
	# module at the top of the tree deletes every *.ko below it, build/
	# included.  A missing module means: unpack again (from the cache).
	if [ -e "$dest/.vpl-ready" ] &&
		[ -n "$(find "$dest/lib/modules/$kver/kernel/drivers/net" -maxdepth 1 -name 'virtio_net.ko*' 2>/dev/null)" ]; then
		return 0
	fi
	deb=$(fetch_deb "$VPL_CACHE/debs" "linux-image-$kver-unsigned" apt-get)
	vpl_log "unpacking $(basename "$deb")"
	tmp=$dest.tmp.$$
	rm -rf "$tmp" "$dest"
	mkdir -p "$tmp"
	dpkg-deb -x "$deb" "$tmp"
	[ -f "$tmp/boot/vmlinuz-$kver" ] || vpl_die "$deb has no boot/vmlinuz-$kver"
	depmod -b "$tmp" "$kver"
	touch "$tmp/.vpl-ready"
	mv "$tmp" "$dest"
}

# ---------------------------------------------------------------- sid

# The newest release of a sid series, or its override.
sid_release() {
	local var kver re
	var=$(vpl_series_var "$1")
	if [ -n "${!var:-}" ]; then
		echo "${!var}"
		return 0
	fi
	re=$(vpl_series_field "$1" 3)
	kver=$(vpl_sid_apt apt-cache pkgnames linux-headers- | grep -E "$re" |
		sed 's/^linux-headers-//' | sort -V -r | head -n 1)
	[ -n "$kver" ] || vpl_die "Debian unstable offers no headers for series $1 ($re)"
	echo "$kver"
}

# sid_deb PACKAGE: its .deb from unstable, in cache/debs-sid; prints the path.
sid_deb() {
	fetch_deb "$VPL_CACHE/debs-sid" "$1" vpl_sid_apt apt-get
}

# The image, its base files (config, modules.builtin) and its modules,
# unpacked into build/kernels/<kver> in the layout the harness reads:
# boot/vmlinuz-<kver>, boot/config-<kver>, lib/modules/<kver>/.
sid_image() {
	local kver=$1 dest=$VPL_BUILD/kernels/$1 tmp pkg
	[ ! -e "$dest/.vpl-ready" ] || return 0
	tmp=$dest.tmp.$$
	rm -rf "$tmp" "$dest"
	mkdir -p "$tmp/boot" "$tmp/lib"
	for pkg in linux-binary linux-base linux-modules; do
		dpkg-deb -x "$(sid_deb "$pkg-$kver")" "$tmp"
	done
	mv "$tmp/usr/lib/modules" "$tmp/lib/modules"
	[ -f "$tmp/lib/modules/$kver/vmlinuz" ] || vpl_die "linux-binary-$kver has no vmlinuz"
	ln -s "../lib/modules/$kver/vmlinuz" "$tmp/boot/vmlinuz-$kver"
	ln -s "../lib/modules/$kver/config" "$tmp/boot/config-$kver"
	depmod -b "$tmp" "$kver"
	touch "$tmp/.vpl-ready"
	mv "$tmp" "$dest"
}

main() {
	local series kver root
	# shellcheck disable=SC2046 # one series per word
	[ $# -gt 0 ] || set -- $(vpl_series debian)
	vpl_need_tools depmod:kmod dpkg-deb:dpkg
	for series in "$@"; do
		case $(vpl_series_field "$series" 2) in
		built)
			# Built from source, not fetched (scripts/debug-kernel.sh).
			"$VPL_TOP/scripts/debug-kernel.sh"
			continue
			;;
		sid)
			kver=$(sid_release "$series")
			sid_image "$kver"
			# Modules build in unstable's own root, with its compiler
			# and kbuild, against its headers package (vpl_kroot).
			root=$(vpl_sid_build_root "$kver") ||
				vpl_die "no Debian unstable build root for $kver"
			echo "$root" >"$VPL_BUILD/kernels/$kver/.vpl-root"
			echo "/usr/src/linux-headers-$kver" >"$VPL_BUILD/kernels/$kver/.vpl-kdir"
			echo "$series $kver"
			continue
			;;
		esac
		kver=$(resolve_release "$series")
		ensure_headers "$kver"
		ensure_image "$kver"
		echo "$series $kver"
	done
}

main "$@"
