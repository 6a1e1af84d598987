# SPDX-License-Identifier: GPL-2.0
#
# virtio-pci-layout: build the module, check it, and test it in QEMU guests.
#
#   make                 build virtio_pci_layout.ko for the running kernel
#   make KDIR=<dir>      ... for the kernel build tree <dir>
#   make install         install it and run depmod
#   make demo            boot a guest whose virtio-blk and virtio-net run on it
#   make test            the whole guest test suite (both Debian kernels)
#   make check           checkpatch --strict, kernel-doc, W=1 + sparse builds
#   make kunit           the KUnit suites, with kunit.py under QEMU (6.12)
#   make kunit-module KDIR=<KUnit-enabled kernel build dir>
#                        the suites as a loadable virtio_pci_layout_kunit.ko
#   make bench           register accesses, probe time and throughput against
#                        the in-tree virtio_pci (QUICK=1: 6.12 only, 3 rounds)

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
	tests/run.sh

demo:
	tests/demo.sh

kunit:
	scripts/kunit.sh

kunit-module:
	$(MAKE) -C $(KDIR) M=$(PWD) VPL_KUNIT=m modules

# Not a test: numbers only, written to build/bench/ (see bench/run.sh).
bench:
	bench/run.sh $(if $(filter 1 y yes,$(QUICK)),--quick)

# Everything downloaded or built by the harness (kernels, .debs, images).
distclean:
	rm -rf build cache

.PHONY: all module clean install check test demo kunit kunit-module bench distclean
