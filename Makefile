# SPDX-License-Identifier: GPL-2.0
#
# virtio-pci-layout: build the module, check it, and test it in QEMU guests.
#
#   make                 build virtio_pci_layout.ko for the running kernel
#   make KDIR=<dir>      ... for the kernel build tree <dir>
#   make install         install it and run depmod
#   make demo            boot a guest whose virtio-blk and virtio-net run on it
#   make test            the whole guest test suite (both Debian kernels)
#   make test-full       ... with every scenario (the full device matrix)
#   make list            the names of make test's tests (tests/run.py --list)
#   make scenarios       every scenario, where it runs, what it proves
#   make matrix-doc      Documentation/matrix.rst from the last matrix run
#   make check           checkpatch --strict, kernel-doc, W=1 + sparse builds
#   make kunit           the KUnit suites, with kunit.py under QEMU (6.12)
#   make kunit-module KDIR=<KUnit-enabled kernel build dir>
#                        the test build of virtio_pci_layout.ko with the suites
#   make bench           register accesses, probe time and throughput against
#                        the in-tree virtio_pci (QUICK=1: 6.12 only, 3 rounds)
#   make tools           virtio-pci-layout and virtio-pci-rebind into build/bin
#   make install-tools   ... into $(PREFIX)/bin and sbin (PREFIX=/usr/local)
#   make dkms-install    install the module with DKMS (KERNELRELEASE=<kver>)
#   make dkms-uninstall  remove it from DKMS again
#   make deb / make rpm  packages into build/pkg/deb, build/pkg/rpm

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
PWD := $(shell pwd)

all: module

module:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

# kbuild's own clean would also delete every .ko below build/ (the unpacked
# guest kernels), so remove exactly what a build here leaves behind.
clean:
	find drivers tests/injector -name '*.o' -o -name '.*.cmd' -o -name '*.mod*' \
		-o -name '*.ko' -o -name '*.a' -o -name 'modules.order' \
		-o -name 'Module.symvers' -o -name '.*.d' | xargs rm -f
	rm -f *.o .*.o .*.cmd *.mod *.mod.c *.ko Module.symvers modules.order

install: module
	$(MAKE) -C $(KDIR) M=$(PWD) modules_install
	depmod -a $(KERNELRELEASE)

check:
	scripts/check.sh

test:
	tests/run.py

# The full tier: every scenario and the long runs (see README.md).
test-full:
	VPL_TIER=full tests/run.py

list:
	tests/run.py --list

scenarios:
	VPL_TIER=full tests/run.py --describe

# Documentation/matrix.rst from the last run of the matrix scenarios.
matrix-doc:
	tests/matrix/mkdoc.sh

demo:
	tests/demo.py

kunit:
	scripts/kunit.sh

# libFuzzer over the capability parser (FUZZ_SECONDS=60 or FUZZ_RUNS=N).
fuzz:
	$(MAKE) -C tests/fuzz run

kunit-module:
	$(MAKE) -C $(KDIR) M=$(PWD) VPL_KUNIT=y modules

# Not a test: numbers only, written to build/bench/ (see bench/run.sh).
bench:
	bench/run.sh $(if $(filter 1 y yes,$(QUICK)),--quick)

# Userspace tools (tools/Makefile) and packaging (debian/, packaging/).
PREFIX ?= /usr/local
VPL_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)
DKMS_SRC ?= /usr/src/virtio-pci-layout-$(VPL_VERSION)

tools:
	$(MAKE) -C tools

install-tools:
	$(MAKE) -C tools install PREFIX=$(PREFIX)

# The module sources DKMS builds from, into DKMS_SRC: Kbuild, Kconfig,
# dkms.conf and what drivers/ and include/ hold, without build outputs and
# without the test build's fault injector (its hooks in fault.h are empty
# unless VPL_FAULT=y).  Shared by dkms-install, debian/rules and the RPM
# spec.
dkms-source:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp Kbuild dkms.conf $(wildcard Kconfig) $(DKMS_SRC)/
	find drivers include -type f ! -name '.*' ! -name '*.o' ! -name '*.ko' \
		! -name '*.mod' ! -name '*.mod.c' ! -name '*.a' ! -name 'modules.order' \
		! -name '*_fault.c' | \
		tar -cf - -T - | tar -xf - -C $(DKMS_SRC)

dkms-install:
	scripts/dkms.sh install $(KERNELRELEASE)

dkms-uninstall:
	scripts/dkms.sh remove

deb:
	scripts/package.sh deb

rpm:
	scripts/package.sh rpm

.PHONY: tools install-tools dkms-source dkms-install dkms-uninstall deb rpm

# Everything downloaded or built by the harness (kernels, .debs, images).
distclean:
	rm -rf build cache

.PHONY: all module clean install check test test-full list scenarios matrix-doc demo kunit kunit-module fuzz bench distclean
