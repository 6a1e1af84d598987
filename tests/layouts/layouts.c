// SPDX-License-Identifier: GPL-2.0
/*
 * The layout catalogue's engine: the baseline configuration space, and the
 * edits of a case applied to it (or to a real function's, in the
 * injector).  check.c judges the parser's verdict.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#else
#include <errno.h>
#include <stdio.h>
#include <string.h>
#endif

#include "layouts.h"

#define PCI_CAP_LIST	0x34
#define CAP_NEXT	1

/* ------------------------------------------------------------------------
 * The baseline
 */

/*
 * QEMU 7.2's virtio-blk-pci with disable-legacy=on, as a guest read it
 * (tests/tool/qemu/blk-modern.hex): MSI-X at 0x98 (3 entries, table at
 * BAR1+0, PBA at BAR1+0x800), then the PCI configuration access cap
 * (0x84), notify (0x70, BAR4+0x3000, multiplier 4), device (0x60,
 * BAR4+0x2000), ISR (0x50, BAR4+0x1000) and common (0x40, BAR4+0), each
 * structure 4 KiB of the 16 KiB BAR4; BAR1 is 4 KiB.  Bytes 0xb0 to
 * 0xff are 0.
 */
static const char * const qemu_blk[] = {
	"f41a4210060010000100000100000000000000000000002000000000000000000c0080000100000000000000f41a00110000000098000000000000000a010000",
	"09001001040000000000000000100000094010030400000000100000001000000950100404000000002000000010000009601402040000000030000000100000",
	"040000000970140500000000000000000000000000000000118402000100000001080000000000000000000000000000",
};

static u8 nibble(char c)
{
	return c <= '9' ? c - '0' : c - 'a' + 10;
}

void vpl_lspace_qemu(struct vpl_lspace *s)
{
	const char *h;
	size_t row, i = 0;

	memset(s, 0, sizeof(*s));
	for (row = 0; row < ARRAY_SIZE(qemu_blk); row++)
		for (h = qemu_blk[row]; h[0] && h[1]; h += 2)
			s->b[i++] = nibble(h[0]) << 4 | nibble(h[1]);
	s->bars[1].type = VPL_BAR_MEM;
	s->bars[1].len = 0x1000;
	s->bars[4].type = VPL_BAR_MEM;
	s->bars[4].len = 0x4000;
	s->synthetic = true;
}

int vpl_lspace_read32(void *ctx, unsigned int off, u32 *val)
{
	const struct vpl_lspace *s = ctx;

	if (off > VPL_CFG_SPACE_SIZE - 4)
		return -EIO;
	*val = s->b[off] | s->b[off + 1] << 8 | s->b[off + 2] << 16 |
	       (u32)s->b[off + 3] << 24;
	return 0;
}

/* ------------------------------------------------------------------------
 * Bytes and the PCI list
 */

/* A capability may run off the end of the space: that is some cases' point. */
static void put(struct vpl_lspace *s, unsigned int off, unsigned int width,
		u64 v)
{
	unsigned int i;

	for (i = 0; i < width && off + i < VPL_CFG_SPACE_SIZE; i++) {
		s->b[off + i] = i < sizeof(v) ? v >> (8 * i) : 0;
		s->touched[off + i] = true;
	}
}

static u32 get32(const struct vpl_lspace *s, unsigned int off)
{
	u32 v = 0;

	vpl_lspace_read32((void *)s, off, &v);
	return v;
}

/* A vendor capability's length, as far as the space holds it. */
static unsigned int vendor_len(const struct vpl_lspace *s, u8 pos)
{
	unsigned int len = s->b[pos + VPL_V1_CAP_LEN], room = VPL_CFG_SPACE_SIZE - pos;

	return len > room ? room : len;
}

/* Lists the function's capabilities and finds the edit targets. */
static int discover(struct vpl_lspace *s, char *why, size_t n)
{
	u8 pos;

	for (pos = s->b[PCI_CAP_LIST] & 0xfc; pos;
	     pos = s->b[pos + CAP_NEXT] & 0xfc) {
		unsigned int len;
		u8 type, r;

		if (pos < 0x40 || s->n_caps == ARRAY_SIZE(s->caps)) {
			snprintf(why, n, "capability list unusable at %#x", pos);
			return -EINVAL;
		}
		s->caps[s->n_caps++] = pos;
		if (s->b[pos] == VPL_CAP_ID_MSIX)
			s->pos[VPL_LT_MSIX] = pos;
		if (s->b[pos] != VPL_CAP_ID_VNDR)
			continue;
		len = vendor_len(s, pos);
		type = s->b[pos + VPL_V1_CAP_CFG_TYPE];
		if (type == VPL_V1_PCI_CFG && !s->pos[VPL_LT_PCICFG])
			s->pos[VPL_LT_PCICFG] = pos;
		if (len < VPL_V1_CAP_SIZE || type < VPL_V1_COMMON_CFG ||
		    type > VPL_V1_DEVICE_CFG)
			continue;
		/* The first of each structure, as the spec says. */
		r = type == VPL_V1_COMMON_CFG ? VPL_REGION_COMMON :
		    type == VPL_V1_NOTIFY_CFG ? VPL_REGION_NOTIFY :
		    type == VPL_V1_ISR_CFG ? VPL_REGION_ISR : VPL_REGION_DEVICE;
		if (s->pos[r])
			continue;
		s->pos[r] = pos;
		if (s->b[pos + VPL_V1_CAP_BAR] < VPL_NUM_BARS &&
		    !(get32(s, pos + VPL_V1_CAP_OFFSET) & VPL_DRAFT_BIR_MASK)) {
			s->loc[r] = get32(s, pos + VPL_V1_CAP_OFFSET) |
				    s->b[pos + VPL_V1_CAP_BAR];
			s->has_loc[r] = true;
		}
		if (r == VPL_REGION_NOTIFY && len >= VPL_V1_NOTIFY_CAP_SIZE)
			s->notify_mult = get32(s, pos + VPL_V1_CAP_NOTIFY_MULT);
	}
	return 0;
}

/* Relinks the PCI list through the positions @order names, in order. */
static void relink(struct vpl_lspace *s, const u8 *order, unsigned int n)
{
	unsigned int i, prev = PCI_CAP_LIST;

	for (i = 0; i < n; i++) {
		put(s, prev, 1, order[i]);
		prev = order[i] + CAP_NEXT;
	}
	put(s, prev, 1, 0);
}

/*
 * Follows the list as it now stands, as the PCI core does (pointers with
 * their two low bits cleared, none into the header), to the byte that
 * points at @pos, or with @pos 0 to the one that ends the list.
 */
static int pointer_to(struct vpl_lspace *s, u8 pos, unsigned int *at,
		      char *why, size_t n)
{
	unsigned int prev = PCI_CAP_LIST, steps;

	for (steps = 0; steps <= ARRAY_SIZE(s->caps); steps++) {
		u8 next = s->b[prev] & 0xfc;

		if (next == pos) {
			*at = prev;
			return 0;
		}
		if (next < 0x40) {
			snprintf(why, n, "capability %#x is not in the list", pos);
			return -ENOENT;
		}
		prev = next + CAP_NEXT;
	}
	snprintf(why, n, "the capability list loops");
	return -ELOOP;
}

static int unlink_cap(struct vpl_lspace *s, u8 pos, char *why, size_t n)
{
	unsigned int at;
	int err;

	err = pointer_to(s, pos, &at, why, n);
	if (!err)
		put(s, at, 1, s->b[pos + CAP_NEXT]);
	return err;
}

/* Links the capability at @pos last. */
static int append_cap(struct vpl_lspace *s, u8 pos, char *why, size_t n)
{
	unsigned int at;
	int err;

	err = pointer_to(s, 0, &at, why, n);
	if (err)
		return err;
	put(s, at, 1, pos);
	put(s, pos + CAP_NEXT, 1, 0);
	return 0;
}

/* ------------------------------------------------------------------------
 * Bases
 */

static void base_v1_reverse(struct vpl_lspace *s, bool vendor)
{
	u8 order[ARRAY_SIZE(s->caps)];
	unsigned int i, n = 0;

	/* Non-vendor capabilities first, then the vendor ones reversed. */
	for (i = 0; i < s->n_caps; i++)
		if (s->b[s->caps[i]] != VPL_CAP_ID_VNDR)
			order[n++] = s->caps[i];
	for (i = s->n_caps; vendor && i-- > 0;)
		if (s->b[s->caps[i]] == VPL_CAP_ID_VNDR)
			order[n++] = s->caps[i];
	relink(s, order, n);
}

static void draft_cap(struct vpl_lspace *s, u8 pos, u8 id, u8 next, u32 dw1,
		      u32 dw2)
{
	put(s, pos, 1, VPL_CAP_ID_VNDR);
	put(s, pos + VPL_DRAFT_CAP_ID, 1, id);
	put(s, pos + VPL_DRAFT_CAP_NEXT, 1, next);
	put(s, pos + VPL_DRAFT_LOC1, 4, dw1);
	put(s, pos + VPL_DRAFT_LOC2, 4, dw2);
}

static int draft_locs(struct vpl_lspace *s, bool isr, char *why, size_t n)
{
	static const char * const name[VPL_NR_REGIONS] = {
		"common", "notify", "isr", "device",
	};
	unsigned int r;

	for (r = 0; r < VPL_NR_REGIONS; r++) {
		if (s->has_loc[r] || (r == VPL_REGION_ISR && !isr))
			continue;
		/* Missing, or its BAR or offset does not fit a location. */
		snprintf(why, n, "%s structure cannot be expressed in the draft",
			 name[r]);
		return -EINVAL;
	}
	return 0;
}

/*
 * The draft: the vendor capabilities are replaced by draft capabilities,
 * written into the places the first of them occupied, and the rest are
 * unlinked from the PCI list and blanked.
 */
static int base_draft(struct vpl_lspace *s, u8 base, char *why, size_t n)
{
	bool dup = base == VPL_LBASE_DRAFT_DUP;
	unsigned int want = (base == VPL_LBASE_DRAFT_NOISR ? 2 : 3) + dup;
	u8 slot[4], order[ARRAY_SIZE(s->caps)];
	unsigned int i, used = 0, kept = 0;
	int err;

	err = draft_locs(s, want - dup == 3, why, n);
	if (err)
		return err;
	for (i = 0; i < s->n_caps; i++) {
		u8 pos = s->caps[i];
		unsigned int len;

		if (s->b[pos] != VPL_CAP_ID_VNDR) {
			order[kept++] = pos;
			continue;
		}
		len = vendor_len(s, pos);
		put(s, pos, len, 0);
		if (used < want && len >= VPL_DRAFT_LAYOUT_SIZE) {
			slot[used++] = pos;
			order[kept++] = pos;
		} else if (!s->pos[VPL_LT_SPARE]) {
			s->pos[VPL_LT_SPARE] = pos;
		}
	}
	if (used < want) {
		snprintf(why, n, "only %u vendor capabilities to hold %u draft ones",
			 used, want);
		return -ENOSPC;
	}
	relink(s, order, kept);

	/* [unusable LAYOUT,] LAYOUT, NOTIFY[, ISR], in PCI-list order. */
	for (i = 0; i < want; i++) {
		u8 id = VPL_DRAFT_LAYOUT + (i >= dup ? i - dup : 0);
		u8 next = i + 1 < want ? slot[i + 1] : 0;

		if (i >= dup)
			s->pos[VPL_LT_SLOT0 + i - dup] = slot[i];
		if (base == VPL_LBASE_DRAFT_REORDER)	/* 0 -> 2 -> 1 */
			next = i == 0 ? slot[2] : i == 2 ? slot[1] : 0;
		if (id == VPL_DRAFT_LAYOUT)
			draft_cap(s, slot[i], id, next,
				  i < dup ? (s->loc[VPL_REGION_COMMON] &
					     ~VPL_DRAFT_BIR_MASK) | 7 :
				  s->loc[VPL_REGION_COMMON],
				  s->loc[VPL_REGION_DEVICE]);
		else if (id == VPL_DRAFT_NOTIFY)
			draft_cap(s, slot[i], id, next,
				  s->loc[VPL_REGION_NOTIFY], s->notify_mult);
		else
			draft_cap(s, slot[i], id, next,
				  s->loc[VPL_REGION_ISR], 0);
	}
	return 0;
}

/* Bytes a capability occupies in configuration space. */
static unsigned int cap_size(const struct vpl_lspace *s, u8 pos)
{
	switch (s->b[pos]) {
	case VPL_CAP_ID_VNDR:
		return s->b[pos + VPL_V1_CAP_LEN];
	case VPL_CAP_ID_MSIX:
		return 12;
	case 0x01:		/* power management */
		return 8;
	case 0x10:		/* PCI Express, endpoint v2 */
		return 60;
	default:
		return 24;	/* MSI at its largest: 64-bit, per-vector masks */
	}
}

/*
 * Both dialects: the virtio 1.x capabilities stay, and draft LAYOUT,
 * NOTIFY and ISR capabilities are appended in the free bytes after the
 * last capability, agreeing with them or with common and device swapped.
 */
static int base_both(struct vpl_lspace *s, bool swap_cd, char *why, size_t n)
{
	u32 common = s->loc[VPL_REGION_COMMON];
	u32 device = s->loc[VPL_REGION_DEVICE];
	unsigned int i, pos, end = 0;
	int err;

	err = draft_locs(s, true, why, n);
	if (err)
		return err;
	if (swap_cd) {
		common = s->loc[VPL_REGION_DEVICE];
		device = s->loc[VPL_REGION_COMMON];
	}
	for (i = 0; i < s->n_caps; i++)
		if (s->caps[i] + cap_size(s, s->caps[i]) > end)
			end = s->caps[i] + cap_size(s, s->caps[i]);
	pos = (end + 3) & ~3u;
	if (pos + 3 * VPL_DRAFT_LAYOUT_SIZE > VPL_CFG_SPACE_SIZE) {
		snprintf(why, n, "no room for draft capabilities after %#x",
			 end);
		return -ENOSPC;
	}
	for (i = 0; i < 3; i++, pos += VPL_DRAFT_LAYOUT_SIZE) {
		unsigned int next = i < 2 ? pos + VPL_DRAFT_LAYOUT_SIZE : 0;

		draft_cap(s, pos, VPL_DRAFT_LAYOUT + i, next,
			  i == 0 ? common : i == 1 ? s->loc[VPL_REGION_NOTIFY] :
			  s->loc[VPL_REGION_ISR],
			  i == 0 ? device : i == 1 ? s->notify_mult : 0);
		s->pos[VPL_LT_SLOT0 + i] = pos;
		if (i == 0) {
			err = append_cap(s, pos, why, n);
			if (err)
				return err;
		}
		put(s, pos + CAP_NEXT, 1, next);
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Edits
 */

static int apply_edit(struct vpl_lspace *s, const struct vpl_ledit *e,
		      char *why, size_t n)
{
	u8 pos = e->t < VPL_NR_LTARGETS ? s->pos[e->t] : 0;
	bool needs_target = e->op == VPL_LOP_SET || e->op == VPL_LOP_SETPOS ||
			    e->op == VPL_LOP_LOC || e->op == VPL_LOP_UNLINK;

	if (needs_target && !pos && e->t != VPL_LT_HDR)
		goto lacking;
	switch (e->op) {
	case VPL_LOP_SET:
		put(s, pos + e->a, e->b, e->x);
		return 0;
	case VPL_LOP_SETPOS:
		if (e->b >= VPL_NR_LTARGETS || !s->pos[e->b])
			goto lacking;
		put(s, pos + e->a, 1, s->pos[e->b] + e->x);
		return 0;
	case VPL_LOP_LOC:
		put(s, pos + VPL_V1_CAP_BAR, 1, e->a);
		put(s, pos + VPL_V1_CAP_OFFSET, 4, e->x);
		put(s, pos + VPL_V1_CAP_LENGTH, 4, e->y);
		return 0;
	case VPL_LOP_UNLINK:
		return unlink_cap(s, pos, why, n);
	case VPL_LOP_FIRST:
		if (unlink_cap(s, e->a, why, n))
			return -ENOENT;
		put(s, e->a + CAP_NEXT, 1, s->b[PCI_CAP_LIST]);
		put(s, PCI_CAP_LIST, 1, e->a);
		return 0;
	case VPL_LOP_CAP:
	case VPL_LOP_SHM:
		put(s, e->a, 1, VPL_CAP_ID_VNDR);
		put(s, e->a + VPL_V1_CAP_LEN, 1, e->op == VPL_LOP_CAP ?
		    VPL_V1_CAP_SIZE : VPL_V1_CAP64_SIZE);
		put(s, e->a + VPL_V1_CAP_CFG_TYPE, 1, e->op == VPL_LOP_CAP ?
		    e->b : VPL_V1_SHM_CFG);
		put(s, e->a + VPL_V1_CAP_BAR, 1, e->op == VPL_LOP_CAP ?
		    e->x >> 32 : e->b >> 4);
		put(s, e->a + VPL_V1_CAP_ID, 3, e->op == VPL_LOP_CAP ? 0 :
		    e->b & 15);
		put(s, e->a + VPL_V1_CAP_OFFSET, 4, e->x);
		put(s, e->a + VPL_V1_CAP_LENGTH, 4, e->y);
		if (e->op == VPL_LOP_SHM) {
			put(s, e->a + VPL_V1_CAP_OFFSET_HI, 4, e->x >> 32);
			put(s, e->a + VPL_V1_CAP_LENGTH_HI, 4, e->y >> 32);
		}
		return append_cap(s, e->a, why, n);
	case VPL_LOP_DRAFT:
		draft_cap(s, e->a, e->b, e->x >> 32, e->x, e->y);
		return append_cap(s, e->a, why, n);
	case VPL_LOP_FOREIGN:
		put(s, e->a, 1, VPL_CAP_ID_VNDR);
		put(s, e->a + VPL_V1_CAP_LEN, 1, e->b);
		put(s, e->a + VPL_V1_CAP_CFG_TYPE, 1, e->x);
		put(s, e->a + 4, 4, 0xdeadbeef);
		if (e->b > 8)
			put(s, e->a + 8, 4, 0x0badf00d);
		return append_cap(s, e->a, why, n);
	case VPL_LOP_BAR:
		if (!s->synthetic || e->a >= VPL_NUM_BARS) {
			snprintf(why, n, "BAR %u cannot be changed here", e->a);
			return -EOPNOTSUPP;
		}
		s->bars[e->a].type = e->b;
		s->bars[e->a].len = e->x;
		return 0;
	}
	snprintf(why, n, "unknown operation %u", e->op);
	return -EINVAL;

lacking:
	snprintf(why, n, "the function lacks a capability operation %u needs",
		 e->op);
	return -EINVAL;
}

/**
 * vpl_lspace_apply() - turn a function's layout into a case's
 * @s: the configuration space (vpl_lspace_qemu(), or the injector's copy
 *     of a real function's), changed in place; @s->touched marks each byte
 *     the case wrote
 * @c: the case
 * @why: a reason, when the case cannot be made of this function
 * @n: its size
 *
 * Return: 0, or a negative errno with @why filled in.
 */
int vpl_lspace_apply(struct vpl_lspace *s, const struct vpl_lcase *c,
		     char *why, size_t n)
{
	unsigned int i;
	int err;

	if (n)
		why[0] = '\0';
	err = discover(s, why, n);
	if (err)
		return err;
	switch (c->base) {
	case VPL_LBASE_V1:
		break;
	case VPL_LBASE_V1_REVERSE:
	case VPL_LBASE_BARE:
		base_v1_reverse(s, c->base == VPL_LBASE_V1_REVERSE);
		break;
	case VPL_LBASE_BOTH:
	case VPL_LBASE_BOTH_SWAP:
		err = base_both(s, c->base == VPL_LBASE_BOTH_SWAP, why, n);
		break;
	default:
		err = base_draft(s, c->base, why, n);
		break;
	}
	for (i = 0; !err && i < VPL_LEDITS && c->edit[i].op; i++)
		err = apply_edit(s, &c->edit[i], why, n);
	return err;
}

/* ------------------------------------------------------------------------
 * Outcomes
 */

const char *vpl_lrun_name(u8 run)
{
	static const char * const names[] = {	/* enum vpl_lrun */
		"-", "bind", "nodev", "reject", "hang", "bug",
	};

	return run < ARRAY_SIZE(names) ? names[run] : "?";
}

/* ------------------------------------------------------------------------
 * The cases
 */

const struct vpl_lcase vpl_lcases[] = {
#include "cases.def"
};

const unsigned int vpl_n_lcases = ARRAY_SIZE(vpl_lcases);
