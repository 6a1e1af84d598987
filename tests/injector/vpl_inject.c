// SPDX-License-Identifier: GPL-2.0
/*
 * vpl_inject: a test-only layout injector for virtio-pci-layout.
 *
 * Presents a rewritten PCI capability list for chosen virtio PCI functions,
 * so that the transport can be driven over layouts no hypervisor ships
 * (the draft dialect) or over deliberately malformed ones.  It wraps the
 * configuration accessors of each target's bus with pci_bus_set_ops(), as
 * the kernel's aer_inject does: for a target function, reads of the bytes
 * the chosen mode rewrites return the rewritten bytes; every other byte,
 * every write and every other function pass through untouched.  Unloading
 * restores the original accessors.
 *
 * Parameters (load before the transport binds the functions):
 *   devices=BDF[,BDF...]   targets, as domain:bus:device.function
 *   modes=MODE[,MODE...]   one mode per target (default: draft)
 *
 * Modes are entries of inj_modes[]; each builds the rewritten bytes from the
 * function's real virtio 1.x layout:
 *   draft          LAYOUT, NOTIFY and ISR draft capabilities chained in
 *                  PCI-list order, in place of the virtio 1.x capabilities
 *   draft-noisr    LAYOUT and NOTIFY only: the function is MSI-X only
 *   draft-reorder  as draft, but the chain visits them in another order
 *                  than the PCI list does
 * MSI-X and every other non-vendor capability stay where they are.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/virtio_pci.h>

#include "virtio_pci_layout/caps.h"

#define INJ_MAX_DEVS		8
#define INJ_CFG_SIZE		VPL_CFG_SPACE_SIZE
#define INJ_MAX_CAPS		48	/* dwords 0x40..0xff */

static char *devices[INJ_MAX_DEVS];
static int n_devices;
module_param_array(devices, charp, &n_devices, 0444);
MODULE_PARM_DESC(devices, "PCI functions to rewrite, as domain:bus:dev.fn");

static char *modes[INJ_MAX_DEVS];
static int n_modes;
module_param_array(modes, charp, &n_modes, 0444);
MODULE_PARM_DESC(modes, "Rewrite mode per function (default draft)");

/* One capability of the real PCI list. */
struct inj_cap {
	u8 pos;
	u8 id;
	u8 len;		/* bytes it occupies that may be rewritten */
};

/* The real virtio 1.x structure a draft capability will point at. */
struct inj_loc {
	bool found;
	u8 bar;
	u32 offset;
};

struct inj_dev {
	struct pci_dev *pdev;
	struct pci_bus *bus;
	unsigned int devfn;
	const struct inj_mode *mode;

	u8 real[INJ_CFG_SIZE];		/* as the function presents it */
	u8 shadow[INJ_CFG_SIZE];	/* what reads return... */
	bool override[INJ_CFG_SIZE];	/* ...where this is set */

	struct inj_cap caps[INJ_MAX_CAPS];
	unsigned int n_caps;
	struct inj_loc loc[VPL_NR_REGIONS];
	u32 notify_mult;
};

/* A rewrite mode: builds the shadow bytes of one function. */
struct inj_mode {
	const char *name;
	int (*build)(struct inj_dev *d, const struct inj_mode *m);
	unsigned int flags;
};

#define INJ_DRAFT_NO_ISR	BIT(0)
#define INJ_DRAFT_REORDER	BIT(1)

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

		if (off >= INJ_CFG_SIZE || !d->override[off])
			continue;
		*val &= ~(0xffu << (8 * i));
		*val |= (u32)d->shadow[off] << (8 * i);
	}
	return ret;
}

static int inj_write(struct pci_bus *bus, unsigned int devfn, int where,
		     int size, u32 val)
{
	return inj_find_bus(bus)->orig->write(bus, devfn, where, size, val);
}

/* ------------------------------------------------------------------------
 * Reading the real layout
 */

static void inj_set(struct inj_dev *d, unsigned int off, u8 val)
{
	d->shadow[off] = val;
	d->override[off] = true;
}

static void inj_set32(struct inj_dev *d, unsigned int off, u32 val)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		inj_set(d, off + i, val >> (8 * i));
}

static u32 inj_real32(const struct inj_dev *d, unsigned int off)
{
	return d->real[off] | d->real[off + 1] << 8 |
	       d->real[off + 2] << 16 | (u32)d->real[off + 3] << 24;
}

/* Snapshot config space and list the capabilities, in PCI-list order. */
static int inj_read_real(struct inj_dev *d)
{
	static const u8 region_of[] = {
		[VIRTIO_PCI_CAP_COMMON_CFG] = VPL_REGION_COMMON,
		[VIRTIO_PCI_CAP_NOTIFY_CFG] = VPL_REGION_NOTIFY,
		[VIRTIO_PCI_CAP_ISR_CFG]    = VPL_REGION_ISR,
		[VIRTIO_PCI_CAP_DEVICE_CFG] = VPL_REGION_DEVICE,
	};
	unsigned int off, i;
	u8 pos;

	for (off = 0; off < INJ_CFG_SIZE; off += 4) {
		u32 v;
		int err = pci_read_config_dword(d->pdev, off, &v);

		if (err)
			return pcibios_err_to_errno(err);
		d->real[off] = v;
		d->real[off + 1] = v >> 8;
		d->real[off + 2] = v >> 16;
		d->real[off + 3] = v >> 24;
	}

	for (pos = d->real[PCI_CAPABILITY_LIST] & 0xfc; pos;
	     pos = d->real[pos + PCI_CAP_LIST_NEXT] & 0xfc) {
		struct inj_cap *c;
		u8 type;

		if (pos < 0x40 || d->n_caps == INJ_MAX_CAPS) {
			pci_err(d->pdev, "inject: capability list unusable at %#x\n",
				pos);
			return -EINVAL;
		}
		c = &d->caps[d->n_caps++];
		c->pos = pos;
		c->id = d->real[pos];
		c->len = 0;
		if (c->id != PCI_CAP_ID_VNDR)
			continue;
		c->len = min_t(unsigned int, d->real[pos + 2],
			       INJ_CFG_SIZE - pos);

		/* The first of each virtio 1.x structure, as the spec says. */
		type = d->real[pos + 3];
		if (c->len < sizeof(struct virtio_pci_cap) || !type ||
		    type >= ARRAY_SIZE(region_of))
			continue;
		i = region_of[type];
		if (d->loc[i].found)
			continue;
		d->loc[i].found = true;
		d->loc[i].bar = d->real[pos + 4];
		d->loc[i].offset = inj_real32(d, pos + 8);
		if (type == VIRTIO_PCI_CAP_NOTIFY_CFG &&
		    c->len >= sizeof(struct virtio_pci_notify_cap))
			d->notify_mult = inj_real32(d, pos + 16);
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Modes
 */

/* Relinks the PCI list to the capabilities for which @keep is set. */
static void inj_relink(struct inj_dev *d, const bool *keep)
{
	unsigned int i, prev = PCI_CAPABILITY_LIST;

	for (i = 0; i < d->n_caps; i++) {
		if (!keep[i])
			continue;
		inj_set(d, prev, d->caps[i].pos);
		prev = d->caps[i].pos + PCI_CAP_LIST_NEXT;
	}
	inj_set(d, prev, 0);
}

/* Hides every byte of a vendor capability the PCI list no longer shows. */
static void inj_blank(struct inj_dev *d, const struct inj_cap *c)
{
	unsigned int i;

	for (i = 0; i < c->len; i++)
		inj_set(d, c->pos + i, 0);
}

static int inj_loc(struct inj_dev *d, enum vpl_region_id r, u32 *loc)
{
	static const char * const name[VPL_NR_REGIONS] = {
		"common", "notify", "isr", "device",
	};
	const struct inj_loc *l = &d->loc[r];

	if (!l->found || l->bar >= PCI_STD_NUM_BARS ||
	    (l->offset & VPL_DRAFT_BIR_MASK)) {
		pci_err(d->pdev, "inject: %s structure cannot be expressed in the draft (bar %u offset %#x)\n",
			name[r], l->bar, l->offset);
		return -EINVAL;
	}
	*loc = l->offset | l->bar;
	return 0;
}

/*
 * The draft: the function's vendor capabilities are replaced by draft
 * capabilities, written into the places the first of them occupied, and
 * the rest are unlinked from the PCI list and blanked.
 */
static int inj_build_draft(struct inj_dev *d, const struct inj_mode *m)
{
	unsigned int n = m->flags & INJ_DRAFT_NO_ISR ? 2 : 3;
	u32 common, device, notify, isr = 0;
	bool keep[INJ_MAX_CAPS];
	u8 slot[3], id[3], next[3];
	unsigned int i, used = 0;
	int err;

	err = inj_loc(d, VPL_REGION_COMMON, &common);
	if (!err)
		err = inj_loc(d, VPL_REGION_DEVICE, &device);
	if (!err)
		err = inj_loc(d, VPL_REGION_NOTIFY, &notify);
	if (!err && n == 3)
		err = inj_loc(d, VPL_REGION_ISR, &isr);
	if (err)
		return err;

	for (i = 0; i < d->n_caps; i++) {
		const struct inj_cap *c = &d->caps[i];

		keep[i] = c->id != PCI_CAP_ID_VNDR;
		if (keep[i])
			continue;
		inj_blank(d, c);
		if (used < n && c->len >= VPL_DRAFT_LAYOUT_SIZE) {
			slot[used++] = c->pos;
			keep[i] = true;
		}
	}
	if (used < n) {
		pci_err(d->pdev, "inject: only %u vendor capabilities to hold %u draft ones\n",
			used, n);
		return -ENOSPC;
	}

	/* Which draft capability sits in which slot, and the chain order. */
	id[0] = VPL_DRAFT_LAYOUT;
	id[1] = VPL_DRAFT_NOTIFY;
	id[2] = VPL_DRAFT_ISR;
	for (i = 0; i < n; i++)
		next[i] = i + 1 < n ? slot[i + 1] : 0;
	if (m->flags & INJ_DRAFT_REORDER) {
		/* Chain slot0 -> slot2 -> slot1: not the PCI list's order. */
		next[0] = slot[2];
		next[2] = slot[1];
		next[1] = 0;
	}

	for (i = 0; i < n; i++) {
		u8 pos = slot[i];

		inj_set(d, pos, PCI_CAP_ID_VNDR);
		inj_set(d, pos + VPL_DRAFT_CAP_ID, id[i]);
		inj_set(d, pos + VPL_DRAFT_CAP_NEXT, next[i]);
		switch (id[i]) {
		case VPL_DRAFT_LAYOUT:
			inj_set32(d, pos + VPL_DRAFT_LOC1, common);
			inj_set32(d, pos + VPL_DRAFT_LOC2, device);
			break;
		case VPL_DRAFT_NOTIFY:
			inj_set32(d, pos + VPL_DRAFT_LOC1, notify);
			inj_set32(d, pos + VPL_DRAFT_LOC2, d->notify_mult);
			break;
		default:
			inj_set32(d, pos + VPL_DRAFT_LOC1, isr);
			break;
		}
	}
	inj_relink(d, keep);
	return 0;
}

static const struct inj_mode inj_modes[] = {
	{ "draft",	   inj_build_draft, 0 },
	{ "draft-noisr",   inj_build_draft, INJ_DRAFT_NO_ISR },
	{ "draft-reorder", inj_build_draft, INJ_DRAFT_REORDER },
};

static const struct inj_mode *inj_find_mode(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(inj_modes); i++)
		if (sysfs_streq(name, inj_modes[i].name))
			return &inj_modes[i];
	return NULL;
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
	d->mode = inj_find_mode(mode_name);
	if (!d->mode) {
		pr_err("modes: unknown mode '%s'\n", mode_name);
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

	err = inj_read_real(d);
	if (!err)
		err = d->mode->build(d, d->mode);
	if (err) {
		pci_dev_put(d->pdev);
		memset(d, 0, sizeof(*d));
		return err;
	}
	inj_n_devs++;
	pci_info(d->pdev, "inject: presenting mode %s\n", d->mode->name);
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
