# SPDX-License-Identifier: GPL-2.0
#
# virtio-pci-layout: build the module, check it, test it in QEMU guests.

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
PWD := $(shell pwd)

all: module

module:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean

install: module
	$(MAKE) -C $(KDIR) M=$(PWD) modules_install
	depmod -a $(KERNELRELEASE)

.PHONY: all module clean install
