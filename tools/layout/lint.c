// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-pci-layout (the tool): the linter.  What the driver's parser
 * accepts may still break a driver, or a rule of the virtio or PCI
 * specifications that no driver enforces.  Each finding is a warning with
 * a stable key; --strict makes any warning exit status 1.
 *
 *   device-config-short    the device configuration ends before a field
 *                          the device type always has, or one a feature
 *                          it offers (--features) needs (virtio 1.2 §5:
 *                          the drivers read them; in-tree virtio_pci
 *                          BUG()s on it).  Without --features, a note (not
 *                          a warning) names the bits it must not offer
 *   device-config-missing  no device configuration on a device type that
 *                          always has one, or whose offered features need
 *                          one (virtio 1.2 §4.1.4.6: MUST)
 *   no-pci-cfg             no PCI configuration access capability
 *                          (virtio 1.2 §4.1.4.9: MUST)
 *   msix-vectors           an MSI-X table of fewer than 2 or more than
 *                          0x800 entries (virtio 1.2 §4.1.5.1.2: SHOULD)
 *   msix-page-shared       a virtio structure or shared memory region in a
 *                          naturally aligned 4 KiB range with the MSI-X
 *                          table or PBA (PCIe 6.0 §7.7.2: must not; a
 *                          hypervisor cannot map it through to the guest)
 *   revision-id            a non-transitional function with Revision ID 0
 *                          (virtio 1.2 §4.1.2.1: SHOULD be 1 or higher), a
 *                          transitional one with another (MUST be 0)
 *   subsystem-id           a non-transitional function's Subsystem ID
 *                          below 0x40 (SHOULD), a transitional one's not
 *                          the type its device ID names (MUST)
 *   vendor-data            a vendor data capability (cfg_type 9) that
 *                          breaks its rules (a length that is not a
 *                          multiple of 4 of at least 8, virtio's own vendor
 *                          ID): the driver ignores it, the spec forbids it
 */
#include <stdio.h>
#include <string.h>

#include "layout.h"

#define PCI_DEVICE_ID		0x02
#define PCI_REVISION_ID		0x08
#define PCI_SUBSYSTEM_ID	0x2e
#define MSIX_PAGE		4096ULL

/*
 * A field of a device configuration (virtio 1.2 §5, checked against
 * Linux's uapi structures): the byte it ends at, and the feature bit that
 * makes the device have it (-1: always there).
 */
struct lint_field {
	u8 type;
	signed char bit;
	u16 end;
	const char *name;
};

static const struct lint_field fields[] = {
	{ 1, -1, 6, "mac" },	/* network: always there, valid with bit 5 */
	{ 1, 16, 8, "status" },
	{ 1, 22, 10, "max_virtqueue_pairs" },
	{ 1, 3, 12, "mtu" },
	{ 1, 63, 17, "speed and duplex" },
	{ 1, 57, 24, "supported_hash_types" },
	{ 1, 60, 24, "rss_max_key_size to supported_hash_types" },
	{ 2, -1, 8, "capacity" },			/* block */
	{ 2, 1, 12, "size_max" },
	{ 2, 2, 16, "seg_max" },
	{ 2, 4, 20, "geometry" },
	{ 2, 6, 24, "blk_size" },
	{ 2, 10, 32, "topology" },
	{ 2, 11, 33, "writeback" },
	{ 2, 12, 36, "num_queues" },
	{ 2, 13, 48, "discard limits" },
	{ 2, 14, 57, "write zeroes limits" },
	{ 2, 16, 72, "secure erase limits" },
	{ 2, 17, 96, "zoned characteristics" },
	{ 3, 0, 4, "cols and rows" },			/* console */
	{ 3, 1, 8, "max_nr_ports" },
	{ 3, 2, 12, "emerg_wr" },
	{ 5, -1, 8, "num_pages and actual" },		/* balloon */
	{ 5, 3, 12, "free_page_hint_cmd_id" },
	{ 5, 4, 16, "poison_val" },
	{ 8, -1, 36, "num_queues to max_lun" },		/* scsi */
	{ 9, 0, 2, "tag_len" },				/* 9p */
	{ 16, -1, 16, "events_read to num_capsets" },	/* gpu */
	{ 16, 5, 20, "blob_alignment" },
	{ 18, -1, 136, "select to u" },			/* input */
	{ 19, -1, 8, "guest_cid" },			/* vsock */
	{ 20, -1, 56, "status to max_size" },		/* crypto */
	{ 23, -1, 8, "page_size_mask" },		/* iommu */
	{ 23, 0, 24, "input_range" },
	{ 23, 1, 32, "domain_range" },
	{ 23, 4, 36, "probe_size" },
	{ 23, 6, 37, "bypass" },
	{ 24, -1, 56, "block_size to requested_size" },	/* memory */
	{ 25, -1, 12, "jacks, streams and chmaps" },	/* sound */
	{ 25, 0, 16, "controls" },
	{ 26, -1, 40, "tag and num_request_queues" },	/* fs */
	{ 27, -1, 16, "start and size" },		/* pmem */
};

/*
 * The slot for a new warning under @key, its text for the caller to
 * write; past VPL_TOOL_LINT_MAX a scratch slot, counted as lost.
 */
static char lost_text[sizeof(((struct vpl_tool_lint *)0)->text)];

/* @advice: a note --strict does not count (what the input cannot tell). */
static char *warn(struct vpl_tool_dev *d, const char *key, bool advice)
{
	struct vpl_tool_lint *w;

	if (!advice)
		d->n_warnings++;
	if (d->n_lint >= VPL_TOOL_LINT_MAX) {
		d->n_lost_lint++;
		return lost_text;
	}
	w = &d->lint[d->n_lint++];
	w->key = key;
	w->advice = advice;
	return w->text;
}

#define LINT_TEXT	sizeof(((struct vpl_tool_lint *)0)->text)
#define WARN(d, key, ...) snprintf(warn(d, key, false), LINT_TEXT, __VA_ARGS__)
#define ADVISE(d, key, ...) snprintf(warn(d, key, true), LINT_TEXT, __VA_ARGS__)

static bool offered(const struct vpl_tool_dev *d, int bit)
{
	return bit < 0 || (d->features_known && (d->features >> bit & 1));
}

/* The device configuration against the fields its type and features need. */
static void lint_device_config(struct vpl_tool_dev *d,
			       const struct vpl_layout *l, int id)
{
	const struct vpl_region *dev = &l->region[VPL_REGION_DEVICE];
	char unknown[64] = "";
	size_t n = 0;
	bool needed = false;
	unsigned int i;

	/* Needed: a field the type always has, or one of an offered feature. */
	for (i = 0; i < ARRAY_SIZE(fields); i++)
		if (fields[i].type == id && offered(d, fields[i].bit))
			needed = true;
	if (!dev->present) {
		if (!needed)
			return;
		WARN(d, "device-config-missing",
		     "no device configuration: a %s device %s has one (virtio 1.2 §4.1.4.6: the device MUST present it)",
		     vpl_virtio_name(id),
		     d->features_known ? "with these features" : "always");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		const struct lint_field *f = &fields[i];

		if (f->type != id || dev->length >= f->end)
			continue;
		if (offered(d, f->bit)) {
			if (f->bit < 0)
				WARN(d, "device-config-short",
				     "the %u-byte device configuration ends before %s (byte %u), which a %s device always has",
				     dev->length, f->name, f->end,
				     vpl_virtio_name(id));
			else
				WARN(d, "device-config-short",
				     "the %u-byte device configuration ends before %s (byte %u), which feature bit %d offered needs",
				     dev->length, f->name, f->end, f->bit);
		} else if (!d->features_known && n < sizeof(unknown)) {
			n += snprintf(unknown + n, sizeof(unknown) - n, "%s%d",
				      n ? ", " : "", f->bit);
		}
	}
	if (n)
		ADVISE(d, "device-config-short",
		     "the %u-byte device configuration is too short for feature bits %s: the device must not offer them (give --features to check what it offers)",
		     dev->length, unknown);
}

/* Whether [off, off + len) and [o2, o2 + len2) share a 4 KiB page. */
static bool same_page(u64 off, u64 len, u64 o2, u64 len2)
{
	if (!len || !len2)
		return false;
	return off / MSIX_PAGE <= (o2 + len2 - 1) / MSIX_PAGE &&
	       o2 / MSIX_PAGE <= (off + len - 1) / MSIX_PAGE;
}

static void lint_msix_range(struct vpl_tool_dev *d, const char *what,
			    u8 bar, u64 off, u64 len,
			    const struct vpl_msix_range *r, const char *rname)
{
	if (!r->checked || r->bar != bar ||
	    !same_page(off, len, r->offset, r->length))
		return;
	WARN(d, "msix-page-shared",
	     "%s BAR%u+0x%llx/0x%llx shares a 4 KiB page with the MSI-X %s BAR%u+0x%x/0x%x (PCIe: other registers must not; the page cannot be mapped through to a guest)",
	     what, bar, (unsigned long long)off, (unsigned long long)len,
	     rname, r->bar, r->offset, r->length);
}

static void lint_msix(struct vpl_tool_dev *d, const struct vpl_layout *l)
{
	const struct vpl_msix *m = &l->msix;
	char what[32];
	unsigned int i;

	if (!m->cap)
		return;
	if (m->entries < 2 || m->entries > 0x800)
		WARN(d, "msix-vectors",
		     "the MSI-X table has %u entries: a virtio device SHOULD support 2 to 0x800 (virtio 1.2 §4.1.5.1.2)",
		     m->entries);
	for (i = 0; i < VPL_NR_REGIONS; i++) {
		const struct vpl_region *g = &l->region[i];

		if (!g->present)
			continue;
		snprintf(what, sizeof(what), "the %s structure",
			 vpl_region_name(i));
		lint_msix_range(d, what, g->bar, g->offset, g->length,
				&m->table, "table");
		lint_msix_range(d, what, g->bar, g->offset, g->length,
				&m->pba, "PBA");
	}
	for (i = 0; i < l->n_shm; i++) {
		const struct vpl_shm *s = &l->shm[i];

		snprintf(what, sizeof(what), "shared memory region %u", s->id);
		lint_msix_range(d, what, s->bar, s->offset, s->length,
				&m->table, "table");
		lint_msix_range(d, what, s->bar, s->offset, s->length,
				&m->pba, "PBA");
	}
}

/* virtio 1.2 §4.1.2.2: the transitional device IDs, by device type. */
static const u8 transitional[] = {
	[0x0] = 1, [0x1] = 2, [0x2] = 5, [0x3] = 3, [0x4] = 8, [0x5] = 4,
	[0x9] = 9,
};

/* virtio 1.2 §4.1.2.1: the IDs that keep a legacy driver off the function. */
static void lint_ids(struct vpl_tool_dev *d, int id)
{
	u16 device = vpl_cfg16(d, PCI_DEVICE_ID);
	u16 subsystem = vpl_cfg16(d, PCI_SUBSYSTEM_ID);
	u8 revision = d->cfg[PCI_REVISION_ID];
	unsigned int slot;

	if (device >= VPL_PCI_ID_MODERN_BASE) {
		if (!revision)
			WARN(d, "revision-id",
			     "Revision ID 0 on a non-transitional function: it SHOULD be 1 or higher, so that legacy drivers leave it alone");
		if (subsystem < 0x40)
			WARN(d, "subsystem-id",
			     "Subsystem ID 0x%x on a non-transitional function: it SHOULD be 0x40 or higher, so that legacy drivers leave it alone",
			     subsystem);
		return;
	}
	if (revision)
		WARN(d, "revision-id",
		     "Revision ID 0x%x on a transitional function: it MUST be 0",
		     revision);
	slot = device - VPL_PCI_ID_TRANSITIONAL_FIRST;
	if (slot < ARRAY_SIZE(transitional) && transitional[slot] &&
	    transitional[slot] != id)
		WARN(d, "subsystem-id",
		     "Subsystem ID 0x%x on transitional device ID 0x%x: it MUST be the device type, %u",
		     subsystem, device, transitional[slot]);
}

/*
 * The parser notes a vendor data capability that breaks its rules at
 * information level (nothing uses it, so the layout stands); here it is
 * what it is for the device's developer, a warning.
 */
static void lint_vendor_data(struct vpl_tool_dev *d,
			     const struct vpl_layout *l)
{
	char line[256];
	unsigned int i;

	for (i = 0; i < l->n_notes; i++) {
		if (l->notes[i].cfg_type != VPL_V1_VENDOR_CFG)
			continue;
		vpl_format_note(line, sizeof(line), &l->notes[i]);
		WARN(d, "vendor-data", "%s", line);
	}
}

void vpl_lint(struct vpl_tool_dev *d)
{
	const struct vpl_layout *l;
	int id = vpl_tool_virtio_id(d);

	d->n_warnings = 0;
	d->n_lint = 0;
	d->n_lost_lint = 0;
	if (id < 0)
		return;
	lint_ids(d, id);
	if (d->chosen < 0)
		return;
	l = &d->layout[d->chosen];
	lint_device_config(d, l, id);
	lint_msix(d, l);
	lint_vendor_data(d, l);
	if (d->chosen == VPL_TOOL_V1 && !l->has_pci_cfg)
		WARN(d, "no-pci-cfg",
		     "no PCI configuration access capability (VIRTIO_PCI_CAP_PCI_CFG): the device MUST present one (virtio 1.2 §4.1.4.9)");
}
