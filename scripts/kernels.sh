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

# Downloads the image .deb into cache/debs unless a copy is already there;
# prints its path.
fetch_image_deb() {
	local pkg=linux-image-$1-unsigned dir=$VPL_CACHE/debs deb
	mkdir -p "$dir"
	deb=$(find "$dir" -maxdepth 1 -name "${pkg}_*_amd64.deb" | sort -V | tail -n 1)
	if [ -z "$deb" ]; then
		vpl_log "downloading $pkg"
		# apt-get download writes to the current directory.  A stale list
		# can name a file the mirror no longer has: refresh and retry once.
		if ! (cd "$dir" && apt-get download -q "$pkg" >&2); then
			apt-get update -q >&2
			(cd "$dir" && apt-get download -q "$pkg" >&2)
		fi
		deb=$(find "$dir" -maxdepth 1 -name "${pkg}_*_amd64.deb" | sort -V | tail -n 1)
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
	deb=$(fetch_image_deb "$kver")
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

main() {
	local series kver
	# shellcheck disable=SC2046 # one series per word
	[ $# -gt 0 ] || set -- $(vpl_series debian)
	vpl_need_tools depmod:kmod dpkg-deb:dpkg
	for series in "$@"; do
		if [ "$(vpl_series_field "$series" 2)" = built ]; then
			# Built from source, not fetched (scripts/debug-kernel.sh).
			"$VPL_TOP/scripts/debug-kernel.sh"
			continue
		fi
		kver=$(resolve_release "$series")
		ensure_headers "$kver"
		ensure_image "$kver"
		echo "$series $kver"
	done
}

main "$@"
