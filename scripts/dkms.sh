#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms.sh install [KVER...] | remove
#
# "make dkms-install" / "make dkms-uninstall" from a source tree, without a
# package: install copies the module sources to /usr/src/virtio-pci-layout-
# <version>/ and has DKMS build and install the module for each KVER (default:
# the running kernel), so that DKMS rebuilds it for every new kernel; remove
# undoes that for every kernel.  Refuses to touch a version a package owns.
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=virtio-pci-layout
VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$VPL_TOP/dkms.conf")
SRC=/usr/src/$NAME-$VERSION

not_packaged() {
	if dpkg-query -S "$SRC" >/dev/null 2>&1; then
		vpl_die "$SRC belongs to the package $(dpkg-query -S "$SRC" | cut -d: -f1); use apt/dpkg to change it"
	fi
}

# Removes every build of this version from DKMS (quietly if there is none).
dkms_remove() {
	if dkms status -m "$NAME" -v "$VERSION" 2>/dev/null | grep -q .; then
		dkms remove -m "$NAME" -v "$VERSION" --all >&2
	fi
}

install() {
	local kver
	[ $# -gt 0 ] || set -- "$(uname -r)"
	vpl_need_packages dkms build-essential
	not_packaged
	dkms_remove
	make -s -C "$VPL_TOP" dkms-source DKMS_SRC="$SRC"
	dkms add -m "$NAME" -v "$VERSION" >&2
	for kver in "$@"; do
		[ -d "/lib/modules/$kver/build" ] || vpl_die "no headers for $kver (/lib/modules/$kver/build)"
		dkms install -m "$NAME" -v "$VERSION" -k "$kver" >&2
	done
	dkms status -m "$NAME" -v "$VERSION"
}

remove() {
	command -v dkms >/dev/null || vpl_die "dkms is not installed"
	not_packaged
	dkms_remove
	rm -rf "$SRC"
}

case ${1:-} in
install) shift; install "$@" ;;
remove) remove ;;
*) vpl_die "usage: dkms.sh install [KVER...] | remove" ;;
esac
