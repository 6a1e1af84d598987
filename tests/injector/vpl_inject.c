// SPDX-License-Identifier: GPL-2.0
/*
 * vpl_inject: a test-only layout injector for virtio-pci-layout.
 *
 * Presents a rewritten PCI capability list for chosen virtio PCI functions,
 * so that the transport can be driven over layouts no hypervisor ships
 * (the draft dialect) or over deliberately malformed ones.  It wraps the
 * configuration accessors of each target's bus with pci_bus_set_ops(), as
 * the kernel's aer_inject does: for a target function, reads of the bytes
 * the chosen case rewrites return the rewritten bytes; every other byte,
 * every write and every other function pass through untouched.  Unloading
 * restores the original accessors.
 *
 * Parameters (load before the transport binds the functions):
 *   devices=BDF[,BDF...]   targets, as domain:bus:device.function
 *   modes=NAME[,NAME...]   one case of the layout catalogue per target
 *                          (tests/layouts/cases.def; default: draft)
 *
 * Each case is applied, by the catalogue's own engine (layouts.c), to the
 * function's real configuration space as it reads at load time: the parser
 * tests apply the same edits to QEMU's, so a case means the same thing in
 * both.  A case that changes a BAR is the parser's only and is refused.
 */
#include <linux/module.h>
#include <linux/pci.h>

#include "../layouts/layouts.c"

#define INJ_MAX_DEVS		8

static char *devices[INJ_MAX_DEVS];
static int n_devices;
module_param_array(devices, charp, &n_devices, 0444);
MODULE_PARM_DESC(devices, "PCI functions to rewrite, as domain:bus:dev.fn");

static char *modes[INJ_MAX_DEVS];
static int n_modes;
module_param_array(modes, charp, &n_modes, 0444);
MODULE_PARM_DESC(modes, "Layout catalogue case per function (default draft)");

struct inj_dev {
	struct pci_dev *pdev;
	struct pci_bus *bus;
	unsigned int devfn;
	const struct vpl_lcase *lcase;
	struct vpl_lspace space;	/* what reads return, where touched */
};

struct inj_bus {
	struct pci_bus *bus;
	struct pci_ops *orig;
	struct pci_ops ops;
};

static struct inj_dev inj_devs[INJ_MAX_DEVS];
static unsigned int inj_n_devs;
static struct inj_bus inj_buses[INJ_MAX_DEVS];
static unsigned int inj_n_buses;

/* ------------------------------------------------------------------------
 * Configuration accessors
 */

static struct inj_bus *inj_find_bus(struct pci_bus *bus)
{
	unsigned int i;

	for (i = 0; i < inj_n_buses; i++)
		if (inj_buses[i].bus == bus)
			return &inj_buses[i];
	return NULL;
}

static struct inj_dev *inj_find_dev(struct pci_bus *bus, unsigned int devfn)
{
	unsigned int i;

	for (i = 0; i < inj_n_devs; i++)
		if (inj_devs[i].bus == bus && inj_devs[i].devfn == devfn)
			return &inj_devs[i];
	return NULL;
}

static int inj_read(struct pci_bus *bus, unsigned int devfn, int where,
		    int size, u32 *val)
{
	struct inj_bus *ib = inj_find_bus(bus);
	struct inj_dev *d;
	int i, ret;

	ret = ib->orig->read(bus, devfn, where, size, val);
	d = inj_find_dev(bus, devfn);
	if (ret || !d)
		return ret;
	for (i = 0; i < size; i++) {
		int off = where + i;

		if (off >= VPL_CFG_SPACE_SIZE || !d->space.touched[off])
			continue;
		*val &= ~(0xffu << (8 * i));
		*val |= (u32)d->space.b[off] << (8 * i);
	}
	return ret;
}

static int inj_write(struct pci_bus *bus, unsigned int devfn, int where,
		     int size, u32 val)
{
	return inj_find_bus(bus)->orig->write(bus, devfn, where, size, val);
}

/* ------------------------------------------------------------------------
 * The case
 */

static const struct vpl_lcase *inj_find_case(const char *name)
{
	unsigned int i;

	for (i = 0; i < vpl_n_lcases; i++)
		if (sysfs_streq(name, vpl_lcases[i].name))
			return &vpl_lcases[i];
	return NULL;
}

/* The function's configuration space as it reads now, the case applied. */
static int inj_build(struct inj_dev *d)
{
	struct vpl_lspace *s = &d->space;
	char why[128];
	unsigned int off;
	int err;

	for (off = 0; off < VPL_CFG_SPACE_SIZE; off += 4) {
		u32 v;

		err = pci_read_config_dword(d->pdev, off, &v);
		if (err)
			return pcibios_err_to_errno(err);
		s->b[off] = v;
		s->b[off + 1] = v >> 8;
		s->b[off + 2] = v >> 16;
		s->b[off + 3] = v >> 24;
	}
	err = vpl_lspace_apply(s, d->lcase, why, sizeof(why));
	if (err)
		pci_err(d->pdev, "inject: %s: %s\n", d->lcase->name, why);
	return err;
}

/* ------------------------------------------------------------------------
 * Module
 */

static int inj_add_dev(const char *bdf, const char *mode_name)
{
	unsigned int domain, bus, dev, fn;
	struct inj_dev *d = &inj_devs[inj_n_devs];
	int err;

	if (sscanf(bdf, "%x:%x:%x.%x", &domain, &bus, &dev, &fn) != 4) {
		pr_err("devices: '%s' is not domain:bus:dev.fn\n", bdf);
		return -EINVAL;
	}
	d->lcase = inj_find_case(mode_name);
	if (!d->lcase) {
		pr_err("modes: no case '%s' in the layout catalogue\n", mode_name);
		return -EINVAL;
	}
	d->pdev = pci_get_domain_bus_and_slot(domain, bus, PCI_DEVFN(dev, fn));
	if (!d->pdev) {
		pr_err("devices: no PCI function %s\n", bdf);
		return -ENODEV;
	}
	if (d->pdev->driver)
		pci_warn(d->pdev, "inject: bound to %s already; rebind it to see the rewritten layout\n",
			 d->pdev->driver->name);
	d->bus = d->pdev->bus;
	d->devfn = d->pdev->devfn;

	err = inj_build(d);
	if (err) {
		pci_dev_put(d->pdev);
		memset(d, 0, sizeof(*d));
		return err;
	}
	inj_n_devs++;
	pci_info(d->pdev, "inject: presenting layout %s\n", d->lcase->name);
	return 0;
}

static void inj_unhook(void)
{
	unsigned int i;

	for (i = 0; i < inj_n_buses; i++)
		pci_bus_set_ops(inj_buses[i].bus, inj_buses[i].orig);
	/*
	 * x86 configuration access is lockless, so an access that loaded our
	 * ops just before they were swapped back may still be running; the
	 * tests unload only with the functions idle, and this waits out any
	 * straggler on a CPU that is not preemptible in the accessor.
	 */
	synchronize_rcu();
	inj_n_buses = 0;
}

static void inj_put_devs(void)
{
	while (inj_n_devs)
		pci_dev_put(inj_devs[--inj_n_devs].pdev);
}

static int __init inj_init(void)
{
	unsigned int i;
	int err;

	if (!n_devices) {
		pr_err("devices= names no PCI function\n");
		return -EINVAL;
	}
	for (i = 0; i < n_devices; i++) {
		err = inj_add_dev(devices[i], i < n_modes ? modes[i] : "draft");
		if (err)
			goto err_put_devs;
	}

	for (i = 0; i < inj_n_devs; i++) {
		struct inj_bus *ib;

		if (inj_find_bus(inj_devs[i].bus))
			continue;
		ib = &inj_buses[inj_n_buses++];
		ib->bus = inj_devs[i].bus;
		ib->orig = ib->bus->ops;
		ib->ops = *ib->orig;
		ib->ops.read = inj_read;
		ib->ops.write = inj_write;
		pci_bus_set_ops(ib->bus, &ib->ops);
	}
	return 0;

err_put_devs:
	inj_put_devs();
	return err;
}

static void __exit inj_exit(void)
{
	inj_unhook();
	inj_put_devs();
}

module_init(inj_init);
module_exit(inj_exit);

MODULE_DESCRIPTION("Test-only PCI capability layout injector for virtio-pci-layout");
MODULE_LICENSE("GPL");
