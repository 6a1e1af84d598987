#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# package.sh deb|rpm [OUTDIR]
#
# Builds the Debian packages (virtio-pci-layout-dkms_<version>_all.deb and
# virtio-pci-layout-tools_<version>_<arch>.deb) or the RPMs from a copy of
# the working tree, so that the build writes nothing into it.  Packages go
# to OUTDIR (default build/pkg/deb or build/pkg/rpm); their paths are
# printed, one per line.  Installs the build tools it needs with apt-get.
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

version() {
	sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$VPL_TOP/dkms.conf"
}

# Copies the working tree (committed or not) without git, build outputs,
# downloads and kbuild's objects into $1/virtio-pci-layout-<version>.
stage() {
	local dir
	dir=$1/virtio-pci-layout-$(version)
	rm -rf "$1"
	mkdir -p "$dir"
	tar -C "$VPL_TOP" --exclude=./.git --exclude=./build --exclude=./cache \
		--exclude='*.o' --exclude='*.ko' --exclude='*.cmd' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude=Module.symvers --exclude=modules.order \
		-cf - . | tar -xf - -C "$dir"
	echo "$dir"
}

build_deb() {
	local out=$1 src
	vpl_need_packages build-essential debhelper dh-dkms dpkg-dev
	src=$(stage "$VPL_BUILD/pkg/deb-src")
	(cd "$src" && dpkg-buildpackage -b -us -uc) >"$VPL_BUILD/pkg/deb-build.log" 2>&1 || {
		tail -n 30 "$VPL_BUILD/pkg/deb-build.log" >&2
		vpl_die "dpkg-buildpackage failed (log: build/pkg/deb-build.log)"
	}
	mkdir -p "$out"
	rm -f "$out"/*.deb
	mv "$(dirname "$src")"/*.deb "$out/"
	find "$out" -name '*.deb' | sort
}

build_rpm() {
	local out=$1 src top
	vpl_need_packages rpm build-essential
	src=$(stage "$VPL_BUILD/pkg/rpm-src")
	top=$VPL_BUILD/pkg/rpmbuild
	rm -rf "$top"
	mkdir -p "$top/SOURCES"
	tar -C "$(dirname "$src")" -czf "$top/SOURCES/$(basename "$src").tar.gz" "$(basename "$src")"
	# --nodeps: the build requirements are Debian packages, unknown to rpm.
	rpmbuild -bb --nodeps --define "_topdir $top" \
		"$src/packaging/virtio-pci-layout.spec" >"$VPL_BUILD/pkg/rpm-build.log" 2>&1 || {
		tail -n 30 "$VPL_BUILD/pkg/rpm-build.log" >&2
		vpl_die "rpmbuild failed (log: build/pkg/rpm-build.log)"
	}
	mkdir -p "$out"
	rm -f "$out"/*.rpm
	find "$top/RPMS" -name '*.rpm' -exec mv {} "$out/" \;
	find "$out" -name '*.rpm' | sort
}

main() {
	[ $# -ge 1 ] || vpl_die "usage: package.sh deb|rpm [OUTDIR]"
	mkdir -p "$VPL_BUILD/pkg"
	case $1 in
	deb) build_deb "${2:-$VPL_BUILD/pkg/deb}" ;;
	rpm) build_rpm "${2:-$VPL_BUILD/pkg/rpm}" ;;
	*) vpl_die "usage: package.sh deb|rpm [OUTDIR]" ;;
	esac
}

main "$@"
