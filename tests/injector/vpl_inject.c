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
	u8 pos;
	u8 bar;
	u32 offset;
};

/* Edit targets: regions by enum vpl_region_id, then these. */
enum {
	INJ_T_PCICFG = VPL_NR_REGIONS,	/* the VIRTIO_PCI_CAP_PCI_CFG cap */
	INJ_T_MSIX,			/* the MSI-X capability */
	INJ_T_SPARE,			/* a vendor cap the draft left unlinked */
	INJ_T_SLOT0,			/* draft slots: LAYOUT, NOTIFY, ISR */
	INJ_T_SLOT1,
	INJ_T_SLOT2,
	INJ_T_NONE,
	INJ_NR_TARGETS,
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
	u8 target_pos[INJ_NR_TARGETS];
};

/* A rewrite mode: builds the shadow bytes of one function. */
/*
 * One byte-level change to the presented layout: at byte @off of the
 * capability @target, write @val (or the position of capability @val, for
 * INJ_V_POS) as @width bytes.
 */
struct inj_edit {
	u8 target;
	u8 off;
	u8 width;
	u8 kind;
	u32 val;
};

#define INJ_V_LIT	0
#define INJ_V_POS	1	/* position of target @val */
#define INJ_V_POS2	2	/* ... plus 2: a misaligned pointer */

#define INJ_MAX_EDITS	5

struct inj_mode {
	const char *name;
	int (*build)(struct inj_dev *d, const struct inj_mode *m);
	unsigned int flags;
	struct inj_edit edit[INJ_MAX_EDITS];
};

#define INJ_DRAFT_NO_ISR	BIT(0)
#define INJ_DRAFT_REORDER	BIT(1)
#define INJ_V1_REVERSE		BIT(2)	/* vendor capabilities in reverse */
#define INJ_BOTH_DISAGREE	BIT(3)	/* the added draft swaps common/device */
#define INJ_DRAFT_DUP		BIT(3)	/* an unusable LAYOUT ahead of the good */
/* Unlink every capability of a virtio 1.x cfg_type, or only the first. */
#define INJ_UNLINK(type)	((type) << 8)
#define INJ_UNLINK_FIRST	BIT(4)

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
		if (c->id == PCI_CAP_ID_MSIX)
			d->target_pos[INJ_T_MSIX] = pos;
		if (c->id != PCI_CAP_ID_VNDR)
			continue;
		c->len = min_t(unsigned int, d->real[pos + 2],
			       INJ_CFG_SIZE - pos);

		/* The first of each virtio 1.x structure, as the spec says. */
		type = d->real[pos + 3];
		if (type == VIRTIO_PCI_CAP_PCI_CFG && !d->target_pos[INJ_T_PCICFG])
			d->target_pos[INJ_T_PCICFG] = pos;
		if (c->len < sizeof(struct virtio_pci_cap) || !type ||
		    type >= ARRAY_SIZE(region_of))
			continue;
		i = region_of[type];
		if (d->loc[i].found)
			continue;
		d->loc[i].found = true;
		d->loc[i].pos = pos;
		d->target_pos[i] = pos;
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

/* Relinks the PCI list to the capabilities @order names, in that order. */
static void inj_relink_order(struct inj_dev *d, const u8 *order,
			     unsigned int n)
{
	unsigned int i, prev = PCI_CAPABILITY_LIST;

	for (i = 0; i < n; i++) {
		inj_set(d, prev, d->caps[order[i]].pos);
		prev = d->caps[order[i]].pos + PCI_CAP_LIST_NEXT;
	}
	inj_set(d, prev, 0);
}

/* Relinks the PCI list to the capabilities for which @keep is set. */
static void inj_relink(struct inj_dev *d, const bool *keep)
{
	u8 order[INJ_MAX_CAPS];
	unsigned int i, n = 0;

	for (i = 0; i < d->n_caps; i++)
		if (keep[i])
			order[n++] = i;
	inj_relink_order(d, order, n);
}

/* Applies a mode's edits to the presented bytes. */
static int inj_apply_edits(struct inj_dev *d, const struct inj_mode *m)
{
	unsigned int i, k;

	for (i = 0; i < INJ_MAX_EDITS; i++) {
		const struct inj_edit *e = &m->edit[i];
		u8 pos;
		u32 val = e->val;

		if (!e->width)
			break;
		pos = e->target < INJ_NR_TARGETS ? d->target_pos[e->target] : 0;
		if (e->kind != INJ_V_LIT)
			val = val < INJ_NR_TARGETS ? d->target_pos[val] : 0;
		if (!pos || (e->kind != INJ_V_LIT && !val)) {
			pci_err(d->pdev, "inject: %s: the function lacks a capability the mode edits\n",
				m->name);
			return -EINVAL;
		}
		if (e->kind == INJ_V_POS2)
			val += 2;
		for (k = 0; k < e->width; k++)
			inj_set(d, pos + e->off + k, val >> (8 * k));
	}
	return 0;
}

/*
 * virtio 1.x, as the function has it, with the mode's changes: unlinked
 * capabilities of a type, the vendor capabilities in reverse order, edits.
 */
static int inj_build_v1(struct inj_dev *d, const struct inj_mode *m)
{
	unsigned int type = m->flags >> 8, i, n = 0;
	bool keep[INJ_MAX_CAPS], unlinked = false;
	u8 order[INJ_MAX_CAPS];

	for (i = 0; i < d->n_caps; i++) {
		const struct inj_cap *c = &d->caps[i];

		keep[i] = true;
		if (type && c->id == PCI_CAP_ID_VNDR && c->len >= 4 &&
		    d->real[c->pos + 3] == type &&
		    !(unlinked && (m->flags & INJ_UNLINK_FIRST))) {
			keep[i] = false;
			unlinked = true;
		}
	}
	if (m->flags & INJ_V1_REVERSE) {
		/* Non-vendor capabilities first, then the vendor ones reversed. */
		for (i = 0; i < d->n_caps; i++)
			if (d->caps[i].id != PCI_CAP_ID_VNDR)
				order[n++] = i;
		for (i = d->n_caps; i-- > 0;)
			if (d->caps[i].id == PCI_CAP_ID_VNDR)
				order[n++] = i;
		inj_relink_order(d, order, n);
	} else if (type) {
		inj_relink(d, keep);
	}
	return inj_apply_edits(d, m);
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

/* The draft locations of the structures; @isr may be NULL (not wanted). */
static int inj_locs(struct inj_dev *d, u32 *common, u32 *device, u32 *notify,
		    u32 *isr)
{
	int err;

	err = inj_loc(d, VPL_REGION_COMMON, common);
	if (!err)
		err = inj_loc(d, VPL_REGION_DEVICE, device);
	if (!err)
		err = inj_loc(d, VPL_REGION_NOTIFY, notify);
	if (!err && isr)
		err = inj_loc(d, VPL_REGION_ISR, isr);
	return err;
}

/*
 * The draft: the function's vendor capabilities are replaced by draft
 * capabilities, written into the places the first of them occupied, and
 * the rest are unlinked from the PCI list and blanked.
 */
static int inj_build_draft(struct inj_dev *d, const struct inj_mode *m)
{
	bool dup = m->flags & INJ_DRAFT_DUP;
	unsigned int n = (m->flags & INJ_DRAFT_NO_ISR ? 2 : 3) + dup;
	u32 common, device, notify, isr = 0;
	u8 slot[4], id[4], next[4];
	bool keep[INJ_MAX_CAPS];
	unsigned int i, used = 0;
	int err;

	err = inj_locs(d, &common, &device, &notify,
		       m->flags & INJ_DRAFT_NO_ISR ? NULL : &isr);
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
		} else if (!d->target_pos[INJ_T_SPARE]) {
			d->target_pos[INJ_T_SPARE] = c->pos;
		}
	}
	if (used < n) {
		pci_err(d->pdev, "inject: only %u vendor capabilities to hold %u draft ones\n",
			used, n);
		return -ENOSPC;
	}

	/*
	 * Which draft capability sits in which slot, and the chain order:
	 * [unusable LAYOUT,] LAYOUT, NOTIFY[, ISR].
	 */
	for (i = 0; i < n; i++) {
		id[i] = VPL_DRAFT_LAYOUT + (i >= dup ? i - dup : 0);
		next[i] = i + 1 < n ? slot[i + 1] : 0;
		if (i >= dup)
			d->target_pos[INJ_T_SLOT0 + i - dup] = slot[i];
	}
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
			/* The duplicate names BAR 7: unusable. */
			inj_set32(d, pos + VPL_DRAFT_LOC1,
				  i < dup ? (common & ~VPL_DRAFT_BIR_MASK) | 7 : common);
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
	return inj_apply_edits(d, m);
}

/* Bytes a capability occupies in configuration space. */
static unsigned int inj_cap_size(const struct inj_dev *d,
				 const struct inj_cap *c)
{
	switch (c->id) {
	case PCI_CAP_ID_VNDR:
		return c->len;
	case PCI_CAP_ID_MSIX:
		return PCI_CAP_MSIX_SIZEOF;
	case PCI_CAP_ID_PM:
		return PCI_PM_SIZEOF;
	case PCI_CAP_ID_EXP:
		return PCI_CAP_EXP_ENDPOINT_SIZEOF_V2;
	default:
		return 24;	/* MSI at its largest: 64-bit, per-vector masks */
	}
}

/*
 * Both dialects: the function's virtio 1.x capabilities stay as they are,
 * and draft LAYOUT, NOTIFY and ISR capabilities are appended to the PCI
 * list in the free bytes after the last capability.  They agree with the
 * virtio 1.x ones, or (INJ_BOTH_DISAGREE) swap common and device.
 */
static int inj_build_both(struct inj_dev *d, const struct inj_mode *m)
{
	u32 common, device, notify, isr;
	unsigned int i, end = 0, last = 0;
	u8 pos;
	int err;

	err = inj_locs(d, &common, &device, &notify, &isr);
	if (err)
		return err;
	if (m->flags & INJ_BOTH_DISAGREE)
		swap(common, device);

	for (i = 0; i < d->n_caps; i++) {
		end = max_t(unsigned int, end,
			    d->caps[i].pos + inj_cap_size(d, &d->caps[i]));
		if (!d->real[d->caps[i].pos + PCI_CAP_LIST_NEXT])
			last = d->caps[i].pos;
	}
	pos = ALIGN(end, 4);
	if (!last || pos + 3 * VPL_DRAFT_LAYOUT_SIZE > INJ_CFG_SIZE) {
		pci_err(d->pdev, "inject: no room for draft capabilities after %#x\n",
			end);
		return -ENOSPC;
	}

	inj_set(d, last + PCI_CAP_LIST_NEXT, pos);
	for (i = 0; i < 3; i++, pos += VPL_DRAFT_LAYOUT_SIZE) {
		u8 next = i < 2 ? pos + VPL_DRAFT_LAYOUT_SIZE : 0;

		inj_set(d, pos, PCI_CAP_ID_VNDR);
		inj_set(d, pos + PCI_CAP_LIST_NEXT, next);
		inj_set(d, pos + VPL_DRAFT_CAP_ID, VPL_DRAFT_LAYOUT + i);
		inj_set(d, pos + VPL_DRAFT_CAP_NEXT, next);
		inj_set32(d, pos + VPL_DRAFT_LOC1,
			  i == 0 ? common : i == 1 ? notify : isr);
		inj_set32(d, pos + VPL_DRAFT_LOC2,
			  i == 0 ? device : i == 1 ? d->notify_mult : 0);
	}
	return inj_apply_edits(d, m);
}

/* Shorthands for the mode table. */
#define E8(t, o, v)	{ t, o, 1, INJ_V_LIT, v }
#define E32(t, o, v)	{ t, o, 4, INJ_V_LIT, v }
#define EPOS(t, o, p)	{ t, o, 1, INJ_V_POS, p }
#define EPOS2(t, o, p)	{ t, o, 1, INJ_V_POS2, p }
#define C_NEXT		PCI_CAP_LIST_NEXT
#define C_LEN		VPL_V1_CAP_LEN
#define C_TYPE		VPL_V1_CAP_CFG_TYPE
#define C_BAR		VPL_V1_CAP_BAR
#define C_OFF		VPL_V1_CAP_OFFSET
#define C_LENGTH	VPL_V1_CAP_LENGTH
#define C_MULT		VPL_V1_CAP_NOTIFY_MULT
#define D_NEXT		VPL_DRAFT_CAP_NEXT
#define D_ID		VPL_DRAFT_CAP_ID
#define D_LOC1		VPL_DRAFT_LOC1
#define D_LOC2		VPL_DRAFT_LOC2
#define COMMON		VPL_REGION_COMMON
#define NOTIFY		VPL_REGION_NOTIFY
#define ISR		VPL_REGION_ISR
#define DEVICE		VPL_REGION_DEVICE
#define V1(name, flags, ...)	{ name, inj_build_v1, flags, { __VA_ARGS__ } }
#define DRAFT(name, flags, ...)	{ name, inj_build_draft, flags, { __VA_ARGS__ } }
#define BOTH(name, flags)	{ name, inj_build_both, flags, { } }

/*
 * The layouts: what QEMU really presents, in both dialects, and malformed
 * variations of it.  Offsets in the comments are QEMU 7.2's: structures at
 * BAR4 + 0 (common), 0x1000 (ISR), 0x2000 (device), 0x3000 (notify) of a
 * 16 KiB BAR; BAR5 is the upper half of BAR4, BAR2 is unimplemented; BAR1
 * (4 KiB) holds the MSI-X table at 0 and the PBA at 0x800.
 * tests/guest/malformed.cases holds the outcome each one must have.
 */
static const struct inj_mode inj_modes[] = {
	V1("v1", 0),
	DRAFT("draft", 0),
	DRAFT("draft-noisr", INJ_DRAFT_NO_ISR),
	DRAFT("draft-reorder", INJ_DRAFT_REORDER),

	/* virtio 1.x: the capability list. */
	/* QEMU's list: MSI-X, PCI cfg, notify, device, ISR, common. */
	V1("v1-self-loop", 0, EPOS(INJ_T_PCICFG, C_NEXT, INJ_T_PCICFG)),
	V1("v1-loop-back", 0, EPOS(COMMON, C_NEXT, INJ_T_PCICFG)),
	V1("v1-next-header", 0, E8(ISR, C_NEXT, 0x20)),
	V1("v1-next-misaligned", 0, EPOS2(COMMON, C_NEXT, ISR)),
	V1("v1-reverse", INJ_V1_REVERSE),
	/* The PCI cfg capability, first, turned into an unusable common. */
	V1("v1-dup-first-unusable", 0,
	   E8(INJ_T_PCICFG, C_TYPE, VPL_V1_COMMON_CFG),
	   E8(INJ_T_PCICFG, C_BAR, 7)),
	/* cap_len */
	V1("v1-caplen-small", 0, E8(COMMON, C_LEN, 8)),
	V1("v1-caplen-past-end", 0, E8(NOTIFY, C_LEN, 0xff)),
	V1("v1-notify-caplen-16", 0, E8(NOTIFY, C_LEN, 16)),
	/* BAR index */
	V1("v1-bar6", 0, E8(COMMON, C_BAR, 6)),
	V1("v1-bar7", 0, E8(NOTIFY, C_BAR, 7)),
	V1("v1-bar-unimplemented", 0, E8(DEVICE, C_BAR, 2)),
	V1("v1-bar-upper-half", 0, E8(COMMON, C_BAR, 5)),
	/* offset and length */
	V1("v1-offset-wrap", 0, E32(DEVICE, C_OFF, 0xfffff000),
	   E32(DEVICE, C_LENGTH, 0x2000)),
	V1("v1-past-bar-end", 0, E32(NOTIFY, C_OFF, 0x3800)),
	V1("v1-device-zero-length", 0, E32(DEVICE, C_LENGTH, 0)),
	V1("v1-device-one-byte", 0, E32(DEVICE, C_LENGTH, 1)),
	V1("v1-common-short", 0, E32(COMMON, C_LENGTH, 0x30)),
	V1("v1-common-misaligned", 0, E32(COMMON, C_OFF, 2)),
	V1("v1-overlap", 0, E32(DEVICE, C_OFF, 0x0)),
	/* notification */
	V1("v1-mult-zero", 0, E32(NOTIFY, C_MULT, 0)),
	V1("v1-mult-odd", 0, E32(NOTIFY, C_MULT, 3)),
	V1("v1-mult-huge", 0, E32(NOTIFY, C_MULT, 0x80000000)),
	V1("v1-notify-too-small", 0, E32(NOTIFY, C_LENGTH, 2)),
	/* missing structures */
	V1("v1-no-common", INJ_UNLINK(VPL_V1_COMMON_CFG)),
	V1("v1-no-notify", INJ_UNLINK(VPL_V1_NOTIFY_CFG)),
	V1("v1-no-isr", INJ_UNLINK(VPL_V1_ISR_CFG)),
	V1("v1-no-device", INJ_UNLINK(VPL_V1_DEVICE_CFG)),
	/*
	 * Another vendor's capability beside the virtio 1.x ones: the PCI
	 * cfg capability becomes 8 bytes of unknown contents.  Its length
	 * byte reads as draft ID 8, its byte 3 as a reserved cfg_type and as
	 * a misaligned draft next pointer: no draft chain, nothing to report.
	 */
	V1("v1-foreign-vendor", 0, E8(INJ_T_PCICFG, C_LEN, 8),
	   E8(INJ_T_PCICFG, C_TYPE, 0x5a), E32(INJ_T_PCICFG, C_BAR, 0xdeadbeef)),
	/*
	 * The device configuration moved over the MSI-X table: QEMU's BAR1
	 * is the 4 KiB MSI-X BAR, table at 0, PBA at 0x800.
	 */
	V1("v1-device-over-msix", 0, E8(DEVICE, C_BAR, 1), E32(DEVICE, C_OFF, 0)),

	/* The draft: its chain. */
	DRAFT("draft-loop", 0, EPOS(INJ_T_SLOT2, D_NEXT, INJ_T_SLOT0)),
	DRAFT("draft-next-msix", 0, EPOS(INJ_T_SLOT0, D_NEXT, INJ_T_MSIX)),
	DRAFT("draft-next-header", 0, E8(INJ_T_SLOT0, D_NEXT, 0x10)),
	DRAFT("draft-next-misaligned", 0,
	      EPOS2(INJ_T_SLOT0, D_NEXT, INJ_T_SLOT1)),
	DRAFT("draft-next-unlisted", 0,
	      EPOS(INJ_T_SLOT0, D_NEXT, INJ_T_SPARE)),
	DRAFT("draft-unknown-id", 0, E8(INJ_T_SLOT2, D_ID, 9)),
	DRAFT("draft-dup-first-unusable", INJ_DRAFT_DUP),
	DRAFT("draft-no-notify", 0, EPOS(INJ_T_SLOT0, D_NEXT, INJ_T_SLOT2)),
	/* locations */
	DRAFT("draft-bir6", 0, E32(INJ_T_SLOT0, D_LOC1, 0x0 | 6)),
	DRAFT("draft-bir7", 0, E32(INJ_T_SLOT0, D_LOC2, 0x2000 | 7)),
	DRAFT("draft-bar-unimplemented", 0, E32(INJ_T_SLOT1, D_LOC1, 0x3000 | 2)),
	DRAFT("draft-bar-upper-half", 0, E32(INJ_T_SLOT0, D_LOC1, 0x0 | 5)),
	DRAFT("draft-past-bar-end", 0, E32(INJ_T_SLOT1, D_LOC1, 0x8000 | 4)),
	DRAFT("draft-common-short", 0, E32(INJ_T_SLOT0, D_LOC2, 0x20 | 4)),
	DRAFT("draft-same-start", 0, E32(INJ_T_SLOT0, D_LOC2, 0x3000 | 4)),
	DRAFT("draft-mult-odd", 0, E32(INJ_T_SLOT1, D_LOC2, 3)),

	/* Both dialects at once: virtio 1.x wins, a disagreement is logged. */
	BOTH("both-agree", 0),
	BOTH("both-disagree", INJ_BOTH_DISAGREE),
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
