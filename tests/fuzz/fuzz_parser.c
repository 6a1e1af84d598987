// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the capability parser, compiled unchanged from the
 * driver's source.  An input is a function as the parser sees it:
 *
 *   bytes 0..255    PCI configuration space
 *   byte  256       dialect asked for (auto, virtio1, draft)
 *   bytes 257..     per BAR 0..5: type (none/mem/io), then a 40-bit length
 *
 * Beyond crashes (ASan, UBSan), every accepted layout is checked against
 * what the driver relies on: required structures present, every region
 * inside an implemented BAR of the right type, no overlaps between
 * structures and shared memory regions, none of them over a checked MSI-X
 * table or PBA (which must be checked whenever its BIR names a memory BAR),
 * a valid notify multiplier, shared memory in memory BARs.  A violation
 * aborts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "virtio_pci_layout/caps.h"

#define CFG_SIZE	VPL_CFG_SPACE_SIZE
#define BAR_DESC	6	/* type + 5 length bytes */

struct input {
	const u8 *cfg;
};

static int read32(void *ctx, unsigned int off, u32 *val)
{
	const struct input *in = ctx;

	if (off >= CFG_SIZE || (off & 3))
		abort();	/* the parser must never ask for this */
	*val = in->cfg[off] | in->cfg[off + 1] << 8 | in->cfg[off + 2] << 16 |
	       (u32)in->cfg[off + 3] << 24;
	return 0;
}

struct span {
	u8 bar;
	u64 offset, length;
};

static int overlap(const struct span *a, const struct span *b)
{
	return a->bar == b->bar && a->offset < b->offset + b->length &&
	       b->offset < a->offset + a->length;
}

/* The MSI-X table or PBA as the harness reads it from @cfg itself. */
static void msix_span(const struct vpl_cfg_source *src,
		      const struct vpl_msix_range *r, u32 reg, u64 length)
{
	u8 bar = reg & 7;

	if (r->bar != bar || r->offset != (reg & ~7u) || r->length != length)
		abort();
	if (r->checked != (bar < VPL_NUM_BARS &&
			   src->bars[bar].type == VPL_BAR_MEM &&
			   src->bars[bar].len != 0))
		abort();
}

/* No structure or shared memory region over a checked MSI-X range. */
static void check_msix(const struct vpl_cfg_source *src,
		       const struct vpl_layout *l, const u8 *cfg,
		       const struct span *s, unsigned int n)
{
	const struct vpl_msix *m = &l->msix;
	const struct vpl_msix_range *r[2] = { &m->table, &m->pba };
	unsigned int i, k;
	u64 entries;

	if (!m->cap)
		return;
	if (cfg[m->cap] != VPL_CAP_ID_MSIX || m->cap + 12 > CFG_SIZE)
		abort();
	entries = ((cfg[m->cap + 2] | cfg[m->cap + 3] << 8) & 0x7ff) + 1;
	if (m->entries != entries)
		abort();
	msix_span(src, &m->table, cfg[m->cap + 4] | cfg[m->cap + 5] << 8 |
		  cfg[m->cap + 6] << 16 | (u32)cfg[m->cap + 7] << 24,
		  entries * 16);
	msix_span(src, &m->pba, cfg[m->cap + 8] | cfg[m->cap + 9] << 8 |
		  cfg[m->cap + 10] << 16 | (u32)cfg[m->cap + 11] << 24,
		  (entries + 63) / 64 * 8);
	for (k = 0; k < 2; k++) {
		struct span t = { r[k]->bar, r[k]->offset, r[k]->length };

		for (i = 0; r[k]->checked && i < n; i++)
			if (overlap(&s[i], &t))
				abort();
	}
}

static void check(const struct vpl_cfg_source *src, const struct vpl_layout *l,
		  const u8 *cfg, int err)
{
	struct span sp[VPL_NR_REGIONS + VPL_MAX_SHM];
	unsigned int i, j, n = 0;

	if (l->n_notes > VPL_MAX_NOTES)
		abort();
	if (err)
		return;
	if (!l->region[VPL_REGION_COMMON].present ||
	    !l->region[VPL_REGION_NOTIFY].present)
		abort();
	if (l->dialect != VPL_DIALECT_VIRTIO1 && l->dialect != VPL_DIALECT_DRAFT)
		abort();
	if (l->notify_mult == 1 || (l->notify_mult & (l->notify_mult - 1)))
		abort();
	for (i = 0; i < VPL_NR_REGIONS; i++) {
		const struct vpl_region *r = &l->region[i];

		if (!r->present)
			continue;
		if (r->bar >= VPL_NUM_BARS || src->bars[r->bar].type == VPL_BAR_NONE)
			abort();
		if ((u64)r->offset + r->length > src->bars[r->bar].len)
			abort();
		if (!r->length ||
		    (i == VPL_REGION_COMMON && r->length < VPL_COMMON_MIN_LEN))
			abort();
		sp[n].bar = r->bar;
		sp[n].offset = r->offset;
		sp[n].length = r->length;
		n++;
	}
	if (l->n_shm > VPL_MAX_SHM)
		abort();
	for (i = 0; i < l->n_shm; i++) {
		const struct vpl_shm *s = &l->shm[i];

		if (s->bar >= VPL_NUM_BARS || src->bars[s->bar].type != VPL_BAR_MEM ||
		    s->offset > src->bars[s->bar].len ||
		    s->length > src->bars[s->bar].len - s->offset)
			abort();
	}
	for (i = 0; i < l->n_shm; i++) {
		sp[n].bar = l->shm[i].bar;
		sp[n].offset = l->shm[i].offset;
		sp[n].length = l->shm[i].length;
		n++;
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (overlap(&sp[i], &sp[j]))
				abort();
	check_msix(src, l, cfg, sp, n);
	/* Vendor data: as the configuration space says, within its rules. */
	if (l->n_vendor > VPL_MAX_VENDOR)
		abort();
	for (i = 0; i < l->n_vendor; i++) {
		const struct vpl_vendor *v = &l->vendor[i];

		if (v->len < VPL_V1_VENDOR_CAP_SIZE || v->len % 4 ||
		    v->cap + v->len > VPL_CFG_SPACE_SIZE ||
		    cfg[v->cap] != VPL_CAP_ID_VNDR ||
		    cfg[v->cap + VPL_V1_CAP_LEN] != v->len ||
		    cfg[v->cap + VPL_V1_CAP_CFG_TYPE] != VPL_V1_VENDOR_CFG ||
		    v->vendor_id == VPL_PCI_VENDOR_VIRTIO ||
		    v->vendor_id != (cfg[v->cap + VPL_V1_VENDOR_ID] |
				     cfg[v->cap + VPL_V1_VENDOR_ID + 1] << 8))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u8 wants[] = {
		VPL_DIALECT_AUTO, VPL_DIALECT_VIRTIO1, VPL_DIALECT_DRAFT,
	};
	struct vpl_cfg_source src = { .read32 = read32 };
	u8 cfg[CFG_SIZE] = { 0 };
	struct vpl_layout l;
	struct input in = { .cfg = cfg };
	const u8 *p;
	unsigned int i;
	u8 want = VPL_DIALECT_AUTO;
	int err;

	memcpy(cfg, data, size < CFG_SIZE ? size : CFG_SIZE);
	if (size > CFG_SIZE)
		want = wants[data[CFG_SIZE] % 3];
	for (i = 0; i < VPL_NUM_BARS; i++) {
		size_t at = CFG_SIZE + 1 + i * BAR_DESC;

		if (at + BAR_DESC > size)
			break;
		p = data + at;
		src.bars[i].type = p[0] % 3;
		src.bars[i].len = (u64)p[1] | (u64)p[2] << 8 | (u64)p[3] << 16 |
				  (u64)p[4] << 24 | (u64)p[5] << 32;
	}
	src.ctx = &in;
	err = vpl_parse(&src, want, &l);
	check(&src, &l, cfg, err);
	return 0;
}
