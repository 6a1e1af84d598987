# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# debs.sh - installing Debian packages by package name (sourced).

# Installs the named packages that are not installed yet, without their
# recommendations: dkms recommends linux-headers-amd64, which would pull in
# the newest headers and have DKMS build for a kernel nobody asked for.
vpl_need_debs() {
	local pkg missing=
	for pkg in "$@"; do
		dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
			missing="$missing $pkg"
	done
	[ -n "$missing" ] || return 0
	vpl_log "installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086 # a list of packages
	if ! apt-get install -y -q --no-install-recommends $missing >&2; then
		apt-get update -q >&2
		# shellcheck disable=SC2086
		apt-get install -y -q --no-install-recommends $missing >&2
	fi
}
