// SPDX-License-Identifier: GPL-2.0
/*
 * Synthetic configuration spaces for the capability parser: the layouts
 * QEMU presents, in both dialects, and malformed variations of them.
 *
 * The base layout is QEMU 7.2's for a non-transitional device: BAR4, a
 * 16 KiB memory BAR, holds common (0x0), ISR (0x1000), device (0x2000)
 * and notify (0x3000, multiplier 4) structures of 4 KiB each; BAR1, a 4 KiB
 * memory BAR, holds the MSI-X table (0x0) and PBA (0x800); the PCI list
 * holds MSI-X at 0x98, then the vendor capabilities.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#else
#include <errno.h>
#include <string.h>
#endif

#include "parse_cases.h"

#define BAR_LEN		0x4000
#define COMMON_OFF	0x0000
#define ISR_OFF		0x1000
#define DEVICE_OFF	0x2000
#define NOTIFY_OFF	0x3000
#define STRUCT_LEN	0x1000
#define MSIX_BAR	1
#define MSIX_BAR_LEN	0x1000
#define TABLE_OFF	0x0
#define PBA_OFF		0x800
#define MSIX_ENTRIES	3

/* Capability positions, in PCI-list order, each clear of the next. */
#define POS_MSIX	0x98	/* 12 bytes */
#define POS_A		0x88	/* 16 */
#define POS_B		0x78	/* 16 */
#define POS_C		0x68	/* 16 */
#define POS_D		0x54	/* 20 */
#define POS_E		0x40	/* 20 */

#define LOC(bar, off)	((u32)(off) | (bar))

/* ------------------------------------------------------------------------
 * Builders
 */

void vpl_tcfg_init(struct vpl_tcfg *c)
{
	memset(c, 0, sizeof(*c));
	c->b[0] = 0xf4;			/* vendor 0x1af4 */
	c->b[1] = 0x1a;
	c->b[2] = 0x42;			/* device 0x1042: virtio-blk */
	c->b[3] = 0x10;
	c->b[6] = 0x10;			/* status: capability list */
	c->bars[4].type = VPL_BAR_MEM;
	c->bars[4].len = BAR_LEN;
}

int vpl_tcfg_read32(void *ctx, unsigned int off, u32 *val)
{
	const struct vpl_tcfg *c = ctx;

	if (off > VPL_CFG_SPACE_SIZE - 4)
		return -EIO;
	*val = c->b[off] | c->b[off + 1] << 8 | c->b[off + 2] << 16 |
	       (u32)c->b[off + 3] << 24;
	return 0;
}

static void put32(struct vpl_tcfg *c, unsigned int off, u32 v)
{
	c->b[off] = v;
	c->b[off + 1] = v >> 8;
	c->b[off + 2] = v >> 16;
	c->b[off + 3] = v >> 24;
}

/* Appends a capability to the PCI list. */
static void link_cap(struct vpl_tcfg *c, u8 pos, u8 id)
{
	if (c->last)
		c->b[c->last + 1] = pos;
	else
		c->b[0x34] = pos;
	c->b[pos] = id;
	c->b[pos + 1] = 0;
	c->last = pos;
}

static void v1_cap(struct vpl_tcfg *c, u8 pos, u8 type, u8 bar, u32 off,
		   u32 len)
{
	link_cap(c, pos, VPL_CAP_ID_VNDR);
	c->b[pos + 2] = VPL_V1_CAP_SIZE;
	c->b[pos + 3] = type;
	c->b[pos + 4] = bar;
	put32(c, pos + 8, off);
	put32(c, pos + 12, len);
}

static void v1_notify(struct vpl_tcfg *c, u8 pos, u8 bar, u32 off, u32 len,
		      u32 mult)
{
	v1_cap(c, pos, VPL_V1_NOTIFY_CFG, bar, off, len);
	c->b[pos + 2] = VPL_V1_NOTIFY_CAP_SIZE;
	put32(c, pos + 16, mult);
}

/* MSI-X as QEMU places it: table and PBA in BAR1, a 4 KiB memory BAR. */
static void msix_cap(struct vpl_tcfg *c)
{
	link_cap(c, POS_MSIX, VPL_CAP_ID_MSIX);
	c->b[POS_MSIX + 2] = MSIX_ENTRIES - 1;	/* table size 3 */
	put32(c, POS_MSIX + 4, TABLE_OFF | MSIX_BAR);
	put32(c, POS_MSIX + 8, PBA_OFF | MSIX_BAR);
	c->bars[MSIX_BAR].type = VPL_BAR_MEM;
	c->bars[MSIX_BAR].len = MSIX_BAR_LEN;
}

static void draft_cap(struct vpl_tcfg *c, u8 pos, u8 id, u8 vnext, u32 dw4,
		      u32 dw8)
{
	link_cap(c, pos, VPL_CAP_ID_VNDR);
	c->b[pos + 2] = id;
	c->b[pos + 3] = vnext;
	put32(c, pos + 4, dw4);
	put32(c, pos + 8, dw8);
}

/* QEMU's virtio 1.x capabilities. */
static void qemu_v1(struct vpl_tcfg *c)
{
	msix_cap(c);
	v1_cap(c, POS_A, VPL_V1_COMMON_CFG, 4, COMMON_OFF, STRUCT_LEN);
	v1_cap(c, POS_B, VPL_V1_ISR_CFG, 4, ISR_OFF, STRUCT_LEN);
	v1_cap(c, POS_C, VPL_V1_DEVICE_CFG, 4, DEVICE_OFF, STRUCT_LEN);
	v1_notify(c, POS_D, 4, NOTIFY_OFF, STRUCT_LEN, 4);
	v1_cap(c, POS_E, VPL_V1_PCI_CFG, 0, 0, 0);
	c->b[POS_E + 2] = 20;
}

/* The same device in the draft dialect, chained in PCI-list order. */
static void qemu_draft(struct vpl_tcfg *c)
{
	msix_cap(c);
	draft_cap(c, POS_A, VPL_DRAFT_LAYOUT, POS_B, LOC(4, COMMON_OFF),
		  LOC(4, DEVICE_OFF));
	draft_cap(c, POS_B, VPL_DRAFT_NOTIFY, POS_C, LOC(4, NOTIFY_OFF), 4);
	draft_cap(c, POS_C, VPL_DRAFT_ISR, 0, LOC(4, ISR_OFF), 0);
}

/* ------------------------------------------------------------------------
 * virtio 1.x cases
 */

static void v1_no_cap_list(struct vpl_tcfg *c)
{
	qemu_v1(c);
	c->b[6] = 0;
}

static void v1_reverse(struct vpl_tcfg *c)
{
	v1_cap(c, POS_E, VPL_V1_PCI_CFG, 0, 0, 0);
	c->b[POS_E + 2] = 20;
	v1_notify(c, POS_D, 4, NOTIFY_OFF, STRUCT_LEN, 4);
	v1_cap(c, POS_C, VPL_V1_DEVICE_CFG, 4, DEVICE_OFF, STRUCT_LEN);
	v1_cap(c, POS_B, VPL_V1_ISR_CFG, 4, ISR_OFF, STRUCT_LEN);
	v1_cap(c, POS_A, VPL_V1_COMMON_CFG, 4, COMMON_OFF, STRUCT_LEN);
	msix_cap(c);
}

static void v1_dup_first_bad(struct vpl_tcfg *c)
{
	msix_cap(c);
	v1_cap(c, 0xb0, VPL_V1_COMMON_CFG, 7, COMMON_OFF, STRUCT_LEN);
	v1_cap(c, POS_A, VPL_V1_COMMON_CFG, 4, COMMON_OFF, STRUCT_LEN);
	v1_notify(c, POS_D, 4, NOTIFY_OFF, STRUCT_LEN, 4);
}

static void v1_bar6(struct vpl_tcfg *c)
{
	qemu_v1(c);
	c->b[POS_A + 4] = 6;
}

static void v1_bar_absent(struct vpl_tcfg *c)
{
	qemu_v1(c);
	c->b[POS_D + 4] = 2;
}

static void v1_upper_half(struct vpl_tcfg *c)
{
	qemu_v1(c);
	c->b[POS_D + 4] = 5;	/* BAR5: the upper half of 64-bit BAR4 */
}

static void v1_past_bar(struct vpl_tcfg *c)
{
	qemu_v1(c);
	put32(c, POS_C + 8, 0x3800);	/* device 0x3800 + 0x1000 > 0x4000 */
}

static void v1_wrap(struct vpl_tcfg *c)
{
	qemu_v1(c);
	put32(c, POS_A + 8, 0xfffff000);
	put32(c, POS_A + 12, 0x2000);
}

static void v1_common_short(struct vpl_tcfg *c)
{
	qemu_v1(c);
	put32(c, POS_A + 12, 0x30);
}

static void v1_misaligned(struct vpl_tcfg *c)
{
	qemu_v1(c);
	put32(c, POS_A + 8, 2);
}

static void v1_mult_odd(struct vpl_tcfg *c)
{
	qemu_v1(c);
	put32(c, POS_D + 16, 3);
}

static void v1_mult_zero(struct vpl_tcfg *c)
{
	qemu_v1(c);
	put32(c, POS_D + 16, 0);
}

static void v1_cap_len_short(struct vpl_tcfg *c)
{
	qemu_v1(c);
	c->b[POS_A + 2] = 12;
}

static void v1_cap_past_end(struct vpl_tcfg *c)
{
	msix_cap(c);
	link_cap(c, 0xf8, VPL_CAP_ID_VNDR);	/* 16 bytes from 0xf8: past 0xff */
	c->b[0xf8 + 2] = VPL_V1_CAP_SIZE;
	c->b[0xf8 + 3] = VPL_V1_COMMON_CFG;
	c->b[0xf8 + 4] = 4;
}

static void v1_notify_cap_short(struct vpl_tcfg *c)
{
	qemu_v1(c);
	c->b[POS_D + 2] = 16;
}

static void v1_loop(struct vpl_tcfg *c)
{
	qemu_v1(c);
	c->b[POS_E + 1] = POS_A;
}

static void v1_self_loop(struct vpl_tcfg *c)
{
	link_cap(c, POS_E, 0x01);
	c->b[POS_E + 1] = POS_E;
}

static void v1_into_header(struct vpl_tcfg *c)
{
	msix_cap(c);
	c->b[POS_MSIX + 1] = 0x20;
}

static void v1_overlap(struct vpl_tcfg *c)
{
	qemu_v1(c);
	put32(c, POS_C + 8, 0x800);	/* device inside common */
}

static void v1_io_bar(struct vpl_tcfg *c)
{
	c->bars[0].type = VPL_BAR_IO;
	c->bars[0].len = 0x100;
	msix_cap(c);
	v1_cap(c, POS_A, VPL_V1_COMMON_CFG, 0, 0x00, 0x40);
	v1_cap(c, POS_B, VPL_V1_ISR_CFG, 0, 0x40, 0x4);
	v1_cap(c, POS_C, VPL_V1_DEVICE_CFG, 0, 0x44, 0x3c);
	v1_notify(c, POS_D, 0, 0x80, 0x80, 2);
}

static void v1_shm(struct vpl_tcfg *c)
{
	qemu_v1(c);
	c->bars[2].type = VPL_BAR_MEM;
	c->bars[2].len = 0x100000000ULL;
	v1_cap(c, 0xa4, VPL_V1_SHM_CFG, 2, 0, 0);
	c->b[0xa4 + 2] = VPL_V1_CAP64_SIZE;
	c->b[0xa4 + 5] = 1;			/* shmid */
	put32(c, 0xa4 + 12, 0x1000);		/* length 0x8000_1000 */
	put32(c, 0xa4 + 16, 0);
	put32(c, 0xa4 + 20, 0);
	put32(c, 0xa4 + 8, 0x80000000);
}

static void v1_shm_wrap(struct vpl_tcfg *c)
{
	v1_shm(c);
	put32(c, 0xa4 + 8, 0xfffff000);		/* offset 2^64 - 0x1000 */
	put32(c, 0xa4 + 16, 0xffffffff);
	put32(c, 0xa4 + 12, 0x2000);
}

static void v1_shm_io(struct vpl_tcfg *c)
{
	v1_shm(c);
	c->bars[2].type = VPL_BAR_IO;
}

/* A shared memory capability of 24 bytes at @pos. */
static void shm_cap(struct vpl_tcfg *c, u8 pos, u8 bar, u8 id, u64 off,
		    u64 len)
{
	v1_cap(c, pos, VPL_V1_SHM_CFG, bar, (u32)off, (u32)len);
	c->b[pos + 2] = VPL_V1_CAP64_SIZE;
	c->b[pos + 5] = id;
	put32(c, pos + 16, off >> 32);
	put32(c, pos + 20, len >> 32);
}

/* Two shared memory regions in BAR2 sharing 0x1000 bytes. */
static void v1_shm_over_shm(struct vpl_tcfg *c)
{
	v1_shm(c);
	shm_cap(c, 0xbc, 2, 2, 0x80000000ULL, 0x1000);
}

static void v1_shm_over_common(struct vpl_tcfg *c)
{
	qemu_v1(c);
	shm_cap(c, 0xa4, 4, 1, COMMON_OFF + 0x10, 0x10);
}

static void v1_shm_over_isr(struct vpl_tcfg *c)
{
	qemu_v1(c);
	shm_cap(c, 0xa4, 4, 1, ISR_OFF + 0x10, 0x10);
}

static void v1_shm_over_device(struct vpl_tcfg *c)
{
	qemu_v1(c);
	shm_cap(c, 0xa4, 4, 1, DEVICE_OFF + 0x10, 0x10);
}

static void v1_shm_over_notify(struct vpl_tcfg *c)
{
	qemu_v1(c);
	shm_cap(c, 0xa4, 4, 1, NOTIFY_OFF + 0xff0, 0x10);
}

/* Shared memory in the MSI-X BAR, over the last table entry. */
static void v1_shm_over_msix_table(struct vpl_tcfg *c)
{
	qemu_v1(c);
	shm_cap(c, 0xa4, MSIX_BAR, 1, 0x20, 0x10);
}

/* ... and beside it, touching neither the table nor the PBA. */
static void v1_shm_beside_msix(struct vpl_tcfg *c)
{
	qemu_v1(c);
	shm_cap(c, 0xa4, MSIX_BAR, 1, 0x30, PBA_OFF - 0x30);
}

static void v1_device_over_msix_table(struct vpl_tcfg *c)
{
	qemu_v1(c);
	c->b[POS_C + 4] = MSIX_BAR;
	put32(c, POS_C + 8, 0);
}

static void v1_notify_over_msix_pba(struct vpl_tcfg *c)
{
	qemu_v1(c);
	c->b[POS_D + 4] = MSIX_BAR;
	put32(c, POS_D + 8, PBA_OFF);
	put32(c, POS_D + 12, 0x100);
}

/* The table's BIR 7: the PCI core's problem, not a reason to refuse. */
static void v1_msix_bir7(struct vpl_tcfg *c)
{
	v1_device_over_msix_table(c);
	put32(c, POS_C + 12, 0x100);		/* clear of the PBA */
	put32(c, POS_MSIX + 4, TABLE_OFF | 7);
}

/* The table in an absent BAR, the PBA past the end of its BAR. */
static void v1_msix_nowhere(struct vpl_tcfg *c)
{
	v1_device_over_msix_table(c);
	put32(c, POS_MSIX + 4, TABLE_OFF | 2);
	put32(c, POS_MSIX + 8, 0x10000 | MSIX_BAR);
}

/*
 * 2048 entries in a 64 KiB BAR1: a 32 KiB table at 0, a 256-byte PBA at
 * 0x8000; shared memory over the last table entry, or the last PBA qword.
 */
static void msix_big(struct vpl_tcfg *c, u64 shm_off)
{
	qemu_v1(c);
	c->bars[MSIX_BAR].len = 0x10000;
	c->b[POS_MSIX + 2] = 0xff;
	c->b[POS_MSIX + 3] = 0x07;
	put32(c, POS_MSIX + 8, 0x8000 | MSIX_BAR);
	shm_cap(c, 0xa4, MSIX_BAR, 1, shm_off, 8);
}

static void v1_msix_big_table(struct vpl_tcfg *c)
{
	msix_big(c, 0x7ff8);
}

static void v1_msix_big_pba(struct vpl_tcfg *c)
{
	msix_big(c, 0x80f8);
}

static void v1_msix_big_after_pba(struct vpl_tcfg *c)
{
	msix_big(c, 0x8100);
}

/* A foreign vendor capability of 8 bytes: byte 2 reads as draft ID 8. */
static void foreign_cap(struct vpl_tcfg *c, u8 pos, u8 len, u8 b3)
{
	link_cap(c, pos, VPL_CAP_ID_VNDR);
	c->b[pos + 2] = len;
	c->b[pos + 3] = b3;
	put32(c, pos + 4, 0xdeadbeef);
	if (len > 8)
		put32(c, pos + 8, 0x0badf00d);
}

static void v1_foreign_vendor_8(struct vpl_tcfg *c)
{
	qemu_v1(c);
	foreign_cap(c, 0xa4, 8, 0x5a);
}

/* 12 bytes, its byte 3 pointing at another foreign one, which loops back. */
static void v1_foreign_vendor_12(struct vpl_tcfg *c)
{
	qemu_v1(c);
	foreign_cap(c, 0xa4, 12, 0xb0);
	foreign_cap(c, 0xb0, 12, 0xa4);
}

/* A short vendor capability whose byte 3 reads as cfg_type common. */
static void v1_foreign_vendor_common(struct vpl_tcfg *c)
{
	qemu_v1(c);
	foreign_cap(c, 0xa4, 8, VPL_V1_COMMON_CFG);
}

/* Nothing but foreign vendor capabilities (and MSI-X). */
static void foreign_vendor_alone(struct vpl_tcfg *c)
{
	msix_cap(c);
	foreign_cap(c, 0xa4, 8, 0xb0);
	foreign_cap(c, 0xb0, 12, 0xc0);		/* 0xc0 is not listed */
}

/* ------------------------------------------------------------------------
 * Draft cases
 */

static void d_noisr(struct vpl_tcfg *c)
{
	msix_cap(c);
	draft_cap(c, POS_A, VPL_DRAFT_LAYOUT, POS_B, LOC(4, COMMON_OFF),
		  LOC(4, DEVICE_OFF));
	draft_cap(c, POS_B, VPL_DRAFT_NOTIFY, 0, LOC(4, NOTIFY_OFF), 4);
}

static void d_reorder(struct vpl_tcfg *c)
{
	qemu_draft(c);
	c->b[POS_A + 3] = POS_C;
	c->b[POS_C + 3] = POS_B;
	c->b[POS_B + 3] = 0;
}

static void d_unknown_id(struct vpl_tcfg *c)
{
	qemu_draft(c);
	draft_cap(c, POS_D, 9, 0, 0xdeadbeef, 0xdeadbeef);
	c->b[POS_C + 3] = POS_D;
}

static void d_loop(struct vpl_tcfg *c)
{
	qemu_draft(c);
	c->b[POS_C + 3] = POS_A;
}

static void d_outside_list(struct vpl_tcfg *c)
{
	qemu_draft(c);
	c->b[POS_B + 3] = 0xc0;			/* a copy of ISR off the list */
	memcpy(&c->b[0xc0], &c->b[POS_C], VPL_DRAFT_ISR_SIZE);
}

static void d_misaligned(struct vpl_tcfg *c)
{
	qemu_draft(c);
	c->b[POS_B + 3] = POS_C + 2;
}

static void d_nonvendor(struct vpl_tcfg *c)
{
	qemu_draft(c);
	c->b[POS_B + 3] = POS_MSIX;
}

static void d_header(struct vpl_tcfg *c)
{
	qemu_draft(c);
	c->b[POS_B + 3] = 0x10;
}

static void d_bir6(struct vpl_tcfg *c)
{
	qemu_draft(c);
	put32(c, POS_A + 4, LOC(6, COMMON_OFF));
}

static void d_bir7(struct vpl_tcfg *c)
{
	qemu_draft(c);
	put32(c, POS_A + 8, LOC(7, DEVICE_OFF));
}

static void d_past_bar(struct vpl_tcfg *c)
{
	qemu_draft(c);
	put32(c, POS_B + 4, LOC(4, 0x8000));
}

static void d_no_notify(struct vpl_tcfg *c)
{
	qemu_draft(c);
	c->b[POS_A + 3] = POS_C;
}

static void d_dup_first_bad(struct vpl_tcfg *c)
{
	msix_cap(c);
	draft_cap(c, 0xb0, VPL_DRAFT_LAYOUT, POS_A, LOC(7, COMMON_OFF),
		  LOC(4, DEVICE_OFF));
	draft_cap(c, POS_A, VPL_DRAFT_LAYOUT, POS_B, LOC(4, COMMON_OFF),
		  LOC(4, DEVICE_OFF));
	draft_cap(c, POS_B, VPL_DRAFT_NOTIFY, 0, LOC(4, NOTIFY_OFF), 4);
}

static void d_mult_odd(struct vpl_tcfg *c)
{
	qemu_draft(c);
	put32(c, POS_B + 8, 3);
}

static void d_common_short(struct vpl_tcfg *c)
{
	qemu_draft(c);
	put32(c, POS_A + 8, LOC(4, 0x20));
}

static void d_same_start(struct vpl_tcfg *c)
{
	qemu_draft(c);
	put32(c, POS_A + 8, LOC(4, NOTIFY_OFF));
}

/*
 * A draft-looking chain without LAYOUT: NOTIFY at BAR 7, ISR, then a
 * pointer off the list.  Not a draft chain: nothing about it is noted.
 */
static void d_no_layout(struct vpl_tcfg *c)
{
	msix_cap(c);
	draft_cap(c, POS_B, VPL_DRAFT_NOTIFY, POS_C, LOC(7, NOTIFY_OFF), 4);
	draft_cap(c, POS_C, VPL_DRAFT_ISR, 0xc0, LOC(4, ISR_OFF), 0);
}

/* The same beside virtio 1.x: no cross-check, no note. */
static void both_draft_no_layout(struct vpl_tcfg *c)
{
	qemu_v1(c);
	draft_cap(c, 0xa4, VPL_DRAFT_NOTIFY, 0xb0, LOC(4, NOTIFY_OFF), 0);
	draft_cap(c, 0xb0, VPL_DRAFT_ISR, 0, LOC(4, DEVICE_OFF), 0);
}

/* A foreign capability ahead of the chain: the chain is still found. */
static void d_foreign_first(struct vpl_tcfg *c)
{
	msix_cap(c);
	foreign_cap(c, 0xb0, 8, 0x5a);
	draft_cap(c, POS_A, VPL_DRAFT_LAYOUT, POS_B, LOC(4, COMMON_OFF),
		  LOC(4, DEVICE_OFF));
	draft_cap(c, POS_B, VPL_DRAFT_NOTIFY, POS_C, LOC(4, NOTIFY_OFF), 4);
	draft_cap(c, POS_C, VPL_DRAFT_ISR, 0, LOC(4, ISR_OFF), 0);
}

/* The draft's device configuration over the MSI-X table. */
static void d_device_over_msix(struct vpl_tcfg *c)
{
	qemu_draft(c);
	put32(c, POS_A + 8, LOC(MSIX_BAR, 0));
}

static void both_dialects(struct vpl_tcfg *c)
{
	qemu_v1(c);
	draft_cap(c, 0xa4, VPL_DRAFT_LAYOUT, 0xb0, LOC(4, COMMON_OFF),
		  LOC(4, DEVICE_OFF));
	draft_cap(c, 0xb0, VPL_DRAFT_NOTIFY, 0, LOC(4, NOTIFY_OFF), 0);
}

/* The draft beside virtio 1.x, telling the same story in full. */
static void both_agree(struct vpl_tcfg *c)
{
	qemu_v1(c);
	draft_cap(c, 0xa4, VPL_DRAFT_LAYOUT, 0xb0, LOC(4, COMMON_OFF),
		  LOC(4, DEVICE_OFF));
	draft_cap(c, 0xb0, VPL_DRAFT_NOTIFY, 0xbc, LOC(4, NOTIFY_OFF), 4);
	draft_cap(c, 0xbc, VPL_DRAFT_ISR, 0, LOC(4, ISR_OFF), 0);
}

/* ... and a different one: common and device swapped, no ISR. */
static void both_disagree(struct vpl_tcfg *c)
{
	qemu_v1(c);
	draft_cap(c, 0xa4, VPL_DRAFT_LAYOUT, 0xb0, LOC(4, DEVICE_OFF),
		  LOC(4, COMMON_OFF));
	draft_cap(c, 0xb0, VPL_DRAFT_NOTIFY, 0, LOC(4, NOTIFY_OFF), 4);
}

/* ------------------------------------------------------------------------
 * The table
 */

#define QEMU_V1_REGIONS {						\
	[VPL_REGION_COMMON] = { true, 4, COMMON_OFF, STRUCT_LEN },	\
	[VPL_REGION_NOTIFY] = { true, 4, NOTIFY_OFF, STRUCT_LEN },	\
	[VPL_REGION_ISR]    = { true, 4, ISR_OFF, STRUCT_LEN },		\
	[VPL_REGION_DEVICE] = { true, 4, DEVICE_OFF, STRUCT_LEN },	\
}

#define QEMU_DRAFT_REGIONS {						\
	[VPL_REGION_COMMON] = { true, 4, COMMON_OFF, VPL_COMMON_MAX_LEN }, \
	[VPL_REGION_NOTIFY] = { true, 4, NOTIFY_OFF, STRUCT_LEN },	\
	[VPL_REGION_ISR]    = { true, 4, ISR_OFF, 1 },			\
	[VPL_REGION_DEVICE] = { true, 4, DEVICE_OFF, STRUCT_LEN },	\
}

#define OK_V1(n, fn, ...) {						\
	.name = n, .build = fn, .want = VPL_DIALECT_AUTO, .err = 0,	\
	.dialect = VPL_DIALECT_VIRTIO1, __VA_ARGS__ }
#define OK_DRAFT(n, fn, ...) {						\
	.name = n, .build = fn, .want = VPL_DIALECT_DRAFT, .err = 0,	\
	.dialect = VPL_DIALECT_DRAFT, __VA_ARGS__ }
#define FAIL(n, fn, w, e, ...) {					\
	.name = n, .build = fn, .want = w, .err = e, __VA_ARGS__ }
#define NOTE(p, f, v)	.note = { VPL_PROBLEM_##p, f, v }
#define QEMU_MSIX .check_msix = true,					\
	.msix_table = { true, MSIX_BAR, TABLE_OFF, MSIX_ENTRIES * 16 },	\
	.msix_pba = { true, MSIX_BAR, PBA_OFF, 8 }

const struct vpl_parse_case vpl_parse_cases[] = {
	OK_V1("v1_qemu", qemu_v1, .check_regions = true,
	      .region = QEMU_V1_REGIONS, .notify_mult = 4, .no_notes = true,
	      QEMU_MSIX),
	OK_V1("v1_reverse_order", v1_reverse, .check_regions = true,
	      .region = QEMU_V1_REGIONS, .notify_mult = 4),
	OK_V1("v1_duplicate_first_unusable", v1_dup_first_bad,
	      NOTE(BAR_INDEX, "bar", 7)),
	OK_V1("v1_device_past_bar_end", v1_past_bar, .check_regions = true,
	      .notify_mult = 4, .region = {
		[VPL_REGION_COMMON] = { true, 4, COMMON_OFF, STRUCT_LEN },
		[VPL_REGION_NOTIFY] = { true, 4, NOTIFY_OFF, STRUCT_LEN },
		[VPL_REGION_ISR]    = { true, 4, ISR_OFF, STRUCT_LEN },
		[VPL_REGION_DEVICE] = { false } },
	      NOTE(RANGE, "offset+length", 0x4800)),
	OK_V1("v1_notify_multiplier_zero", v1_mult_zero, .notify_mult = 0,
	      .check_regions = true, .region = QEMU_V1_REGIONS),
	OK_V1("v1_loop_after_last", v1_loop, NOTE(CAP_LOOP, "cap_next", POS_A)),
	OK_V1("v1_io_bar", v1_io_bar, .check_regions = true, .notify_mult = 2,
	      .region = {
		[VPL_REGION_COMMON] = { true, 0, 0x00, 0x40 },
		[VPL_REGION_NOTIFY] = { true, 0, 0x80, 0x80 },
		[VPL_REGION_ISR]    = { true, 0, 0x40, 0x4 },
		[VPL_REGION_DEVICE] = { true, 0, 0x44, 0x3c } }),
	OK_V1("v1_shm_64bit", v1_shm),
	OK_V1("v1_shm_io_bar", v1_shm_io, NOTE(BAR_TYPE, "bar", 2)),
	OK_V1("v1_shm_offset_length_wraps", v1_shm_wrap,
	      NOTE(RANGE, "offset+length", 0xfffffffffffff000ULL)),
	FAIL("v1_no_capability_list", v1_no_cap_list, VPL_DIALECT_VIRTIO1,
	     -ENODEV, NOTE(MISSING, "cfg_type", VPL_V1_COMMON_CFG)),
	FAIL("v1_bar_6", v1_bar6, VPL_DIALECT_VIRTIO1, -ENODEV,
	     NOTE(BAR_INDEX, "bar", 6)),
	FAIL("v1_bar_absent", v1_bar_absent, VPL_DIALECT_VIRTIO1, -ENODEV,
	     NOTE(BAR_ABSENT, "bar", 2)),
	FAIL("v1_bar_upper_half", v1_upper_half, VPL_DIALECT_VIRTIO1, -ENODEV,
	     NOTE(BAR_ABSENT, "bar", 5)),
	FAIL("v1_offset_length_wraps", v1_wrap, VPL_DIALECT_VIRTIO1, -ENODEV,
	     NOTE(RANGE, "offset+length", 0xfffff000)),
	FAIL("v1_common_too_short", v1_common_short, VPL_DIALECT_VIRTIO1,
	     -ENODEV, NOTE(TOO_SHORT, "length", 0x30)),
	FAIL("v1_common_misaligned", v1_misaligned, VPL_DIALECT_VIRTIO1,
	     -ENODEV, NOTE(ALIGN, "offset", 2)),
	FAIL("v1_notify_multiplier_odd", v1_mult_odd, VPL_DIALECT_VIRTIO1,
	     -ENODEV, NOTE(MULTIPLIER, "notify_off_multiplier", 3)),
	FAIL("v1_cap_len_too_small", v1_cap_len_short, VPL_DIALECT_VIRTIO1,
	     -ENODEV, NOTE(CAP_LEN, "cap_len", 12)),
	FAIL("v1_cap_past_config_space", v1_cap_past_end, VPL_DIALECT_VIRTIO1,
	     -ENODEV, NOTE(CAP_LEN, "cap_len", 16)),
	FAIL("v1_notify_cap_too_short", v1_notify_cap_short,
	     VPL_DIALECT_VIRTIO1, -ENODEV, NOTE(CAP_LEN, "cap_len", 16)),
	FAIL("v1_self_pointer", v1_self_loop, VPL_DIALECT_VIRTIO1, -ENODEV,
	     NOTE(CAP_LOOP, "cap_next", POS_E)),
	FAIL("v1_pointer_into_header", v1_into_header, VPL_DIALECT_VIRTIO1,
	     -ENODEV, NOTE(CAP_PTR, "cap_next", 0x20)),
	FAIL("v1_common_device_overlap", v1_overlap, VPL_DIALECT_VIRTIO1,
	     -EINVAL, NOTE(OVERLAP, "offset", 0x800)),

	/* Foreign vendor capabilities: not draft ones, and no error. */
	OK_V1("v1_foreign_vendor_8", v1_foreign_vendor_8, .no_notes = true,
	      .check_regions = true, .region = QEMU_V1_REGIONS,
	      .notify_mult = 4),
	OK_V1("v1_foreign_vendor_12", v1_foreign_vendor_12, .no_notes = true,
	      .check_regions = true, .region = QEMU_V1_REGIONS,
	      .notify_mult = 4),
	OK_V1("v1_foreign_vendor_like_common", v1_foreign_vendor_common,
	      .no_errors = true, NOTE(CAP_LEN, "cap_len", 8)),
	FAIL("foreign_vendor_alone", foreign_vendor_alone, VPL_DIALECT_AUTO,
	     -ENODEV, .no_errors = true,
	     NOTE(MISSING, "virtio_cap_id", VPL_DRAFT_LAYOUT)),
	FAIL("foreign_vendor_alone_draft", foreign_vendor_alone,
	     VPL_DIALECT_DRAFT, -ENODEV, .no_errors = true,
	     NOTE(MISSING, "virtio_cap_id", VPL_DRAFT_LAYOUT)),

	/* Shared memory, and the MSI-X table and PBA: no overlaps. */
	FAIL("v1_shm_over_shm", v1_shm_over_shm, VPL_DIALECT_VIRTIO1, -EINVAL,
	     NOTE(OVERLAP, "offset", 0x80000000ULL)),
	FAIL("v1_shm_over_common", v1_shm_over_common, VPL_DIALECT_VIRTIO1,
	     -EINVAL, NOTE(OVERLAP, "offset", COMMON_OFF + 0x10)),
	FAIL("v1_shm_over_notify", v1_shm_over_notify, VPL_DIALECT_VIRTIO1,
	     -EINVAL, NOTE(OVERLAP, "offset", NOTIFY_OFF + 0xff0)),
	FAIL("v1_shm_over_isr", v1_shm_over_isr, VPL_DIALECT_VIRTIO1,
	     -EINVAL, NOTE(OVERLAP, "offset", ISR_OFF + 0x10)),
	FAIL("v1_shm_over_device", v1_shm_over_device, VPL_DIALECT_VIRTIO1,
	     -EINVAL, NOTE(OVERLAP, "offset", DEVICE_OFF + 0x10)),
	FAIL("v1_shm_over_msix_table", v1_shm_over_msix_table,
	     VPL_DIALECT_VIRTIO1, -EINVAL, NOTE(MSIX_TABLE, "offset", 0x20)),
	OK_V1("v1_shm_beside_msix", v1_shm_beside_msix, .no_notes = true,
	      QEMU_MSIX),
	FAIL("v1_device_over_msix_table", v1_device_over_msix_table,
	     VPL_DIALECT_VIRTIO1, -EINVAL, NOTE(MSIX_TABLE, "offset", 0)),
	FAIL("v1_notify_over_msix_pba", v1_notify_over_msix_pba,
	     VPL_DIALECT_VIRTIO1, -EINVAL, NOTE(MSIX_PBA, "offset", PBA_OFF)),
	OK_V1("v1_msix_bir_7", v1_msix_bir7, .no_notes = true,
	      .check_msix = true,
	      .msix_table = { false, 7, TABLE_OFF, MSIX_ENTRIES * 16 },
	      .msix_pba = { true, MSIX_BAR, PBA_OFF, 8 }),
	OK_V1("v1_msix_table_absent_bar", v1_msix_nowhere, .no_notes = true,
	      .check_msix = true,
	      .msix_table = { false, 2, TABLE_OFF, MSIX_ENTRIES * 16 },
	      .msix_pba = { true, MSIX_BAR, 0x10000, 8 }),
	FAIL("v1_msix_2048_entries_table", v1_msix_big_table,
	     VPL_DIALECT_VIRTIO1, -EINVAL, NOTE(MSIX_TABLE, "offset", 0x7ff8),
	     .check_msix = true,
	     .msix_table = { true, MSIX_BAR, 0, 0x8000 },
	     .msix_pba = { true, MSIX_BAR, 0x8000, 0x100 }),
	FAIL("v1_msix_2048_entries_pba", v1_msix_big_pba, VPL_DIALECT_VIRTIO1,
	     -EINVAL, NOTE(MSIX_PBA, "offset", 0x80f8)),
	OK_V1("v1_msix_2048_entries_clear", v1_msix_big_after_pba,
	      .no_notes = true),

	OK_DRAFT("draft_qemu", qemu_draft, .check_regions = true,
		 .region = QEMU_DRAFT_REGIONS, .notify_mult = 4),
	OK_DRAFT("draft_reordered_chain", d_reorder, .check_regions = true,
		 .region = QEMU_DRAFT_REGIONS, .notify_mult = 4),
	OK_DRAFT("draft_no_isr", d_noisr, .check_regions = true,
		 .notify_mult = 4, .region = {
		[VPL_REGION_COMMON] = { true, 4, COMMON_OFF, VPL_COMMON_MAX_LEN },
		[VPL_REGION_NOTIFY] = { true, 4, NOTIFY_OFF, STRUCT_LEN },
		[VPL_REGION_ISR]    = { false },
		[VPL_REGION_DEVICE] = { true, 4, DEVICE_OFF, STRUCT_LEN } }),
	OK_DRAFT("draft_unknown_id_skipped", d_unknown_id, .check_regions = true,
		 .region = QEMU_DRAFT_REGIONS, .notify_mult = 4),
	OK_DRAFT("draft_loop", d_loop, NOTE(CAP_LOOP, "virtio_next", POS_A)),
	OK_DRAFT("draft_pointer_outside_list", d_outside_list,
		 NOTE(CAP_PTR, "virtio_next", 0xc0)),
	OK_DRAFT("draft_pointer_misaligned", d_misaligned,
		 NOTE(CAP_PTR, "virtio_next", POS_C + 2)),
	OK_DRAFT("draft_pointer_to_msix", d_nonvendor,
		 NOTE(CAP_PTR, "virtio_next", POS_MSIX)),
	OK_DRAFT("draft_pointer_into_header", d_header,
		 NOTE(CAP_PTR, "virtio_next", 0x10)),
	OK_DRAFT("draft_duplicate_first_unusable", d_dup_first_bad,
		 NOTE(BAR_INDEX, "common.bir", 7)),
	OK_DRAFT("draft_foreign_capability_first", d_foreign_first,
		 .check_regions = true, .region = QEMU_DRAFT_REGIONS,
		 .notify_mult = 4, .no_notes = true),
	FAIL("draft_chain_without_layout", d_no_layout, VPL_DIALECT_DRAFT,
	     -ENODEV, .no_errors = true,
	     NOTE(MISSING, "virtio_cap_id", VPL_DRAFT_LAYOUT)),
	{ .name = "auto_draft_without_layout_beside_virtio1",
	  .build = both_draft_no_layout, .want = VPL_DIALECT_AUTO,
	  .dialect = VPL_DIALECT_VIRTIO1, .check_regions = true,
	  .region = QEMU_V1_REGIONS, .notify_mult = 4, .no_notes = true },
	FAIL("draft_device_over_msix_table", d_device_over_msix,
	     VPL_DIALECT_DRAFT, -EINVAL, NOTE(MSIX_TABLE, "offset", 0)),
	{ .name = "draft_auto_fallback", .build = qemu_draft,
	  .want = VPL_DIALECT_AUTO, .dialect = VPL_DIALECT_DRAFT },
	{ .name = "auto_prefers_virtio1", .build = both_dialects,
	  .want = VPL_DIALECT_AUTO, .dialect = VPL_DIALECT_VIRTIO1,
	  .check_regions = true, .region = QEMU_V1_REGIONS, .notify_mult = 4,
	  .no_errors = true, NOTE(DISAGREE, "notify_multiplier", 0) },
	OK_DRAFT("draft_beside_virtio1", both_dialects, .notify_mult = 0),
	{ .name = "auto_both_agree", .build = both_agree,
	  .want = VPL_DIALECT_AUTO, .dialect = VPL_DIALECT_VIRTIO1,
	  .check_regions = true, .region = QEMU_V1_REGIONS, .notify_mult = 4,
	  .no_notes = true },
	{ .name = "auto_both_disagree", .build = both_disagree,
	  .want = VPL_DIALECT_AUTO, .dialect = VPL_DIALECT_VIRTIO1,
	  .check_regions = true, .region = QEMU_V1_REGIONS, .notify_mult = 4,
	  .no_errors = true, NOTE(DISAGREE, "common.offset", DEVICE_OFF) },
	FAIL("draft_bir_6", d_bir6, VPL_DIALECT_DRAFT, -ENODEV,
	     NOTE(BAR_INDEX, "common.bir", 6)),
	FAIL("draft_bir_7", d_bir7, VPL_DIALECT_DRAFT, -ENODEV,
	     NOTE(BAR_INDEX, "device.bir", 7)),
	FAIL("draft_offset_past_bar", d_past_bar, VPL_DIALECT_DRAFT, -ENODEV,
	     NOTE(RANGE, "offset", 0x8000)),
	FAIL("draft_no_notify", d_no_notify, VPL_DIALECT_DRAFT, -ENODEV,
	     NOTE(MISSING, "virtio_cap_id", VPL_DRAFT_NOTIFY)),
	FAIL("draft_multiplier_odd", d_mult_odd, VPL_DIALECT_DRAFT, -ENODEV,
	     NOTE(MULTIPLIER, "notify_multiplier", 3)),
	FAIL("draft_common_too_short", d_common_short, VPL_DIALECT_DRAFT,
	     -ENODEV, NOTE(TOO_SHORT, "common", 0x20)),
	FAIL("draft_regions_same_start", d_same_start, VPL_DIALECT_DRAFT,
	     -EINVAL, NOTE(OVERLAP, "offset", NOTIFY_OFF)),
	FAIL("draft_absent_virtio1_only", qemu_v1, VPL_DIALECT_DRAFT, -ENODEV,
	     NOTE(MISSING, "virtio_cap_id", VPL_DRAFT_LAYOUT)),
	FAIL("virtio1_absent_draft_only", qemu_draft, VPL_DIALECT_VIRTIO1,
	     -ENODEV, NOTE(MISSING, "cfg_type", VPL_V1_COMMON_CFG)),
};

const unsigned int vpl_n_parse_cases = ARRAY_SIZE(vpl_parse_cases);
