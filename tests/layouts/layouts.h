/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The layout catalogue: every layout the tests present to the capability
 * parser or, through the injector (tests/injector), to the transport on a
 * real QEMU device.  The cases themselves are data, in cases.def; this
 * header gives them their shape and layouts.c the engine that applies a
 * case's edits to a configuration space:
 *
 *   - the parser tests (tests/parser), the KUnit suite (tests/kunit), the
 *     layout tool's tests (tests/tool) and the fuzzer's seeds (tests/fuzz)
 *     apply them to the baseline, QEMU 7.2's virtio-blk-pci;
 *   - the injector applies them to the real configuration space of the
 *     function it rewrites (QEMU's virtio-net-pci, same capability list);
 *   - the guest's malformed scenario runs every case with an outcome
 *     (list.c prints them for it).
 *
 * The same source builds in the kernel (injector, KUnit) and in userspace
 * (tools/include/vpl-user.h).
 */
#ifndef _VPL_LAYOUTS_H
#define _VPL_LAYOUTS_H

#include "virtio_pci_layout/caps.h"

/* What a case's edits are made against: capabilities found in the list. */
enum vpl_ltarget {
	VPL_LT_COMMON = VPL_REGION_COMMON,	/* the first of each structure */
	VPL_LT_NOTIFY = VPL_REGION_NOTIFY,
	VPL_LT_ISR = VPL_REGION_ISR,
	VPL_LT_DEVICE = VPL_REGION_DEVICE,
	VPL_LT_PCICFG = VPL_NR_REGIONS,	/* the PCI configuration access cap */
	VPL_LT_MSIX,			/* the MSI-X capability */
	VPL_LT_SPARE,			/* a vendor cap the draft left unlinked */
	VPL_LT_SLOT0,			/* draft LAYOUT, NOTIFY, ISR (draft and */
	VPL_LT_SLOT1,			/* "both" bases) */
	VPL_LT_SLOT2,
	VPL_LT_HDR,			/* offset 0: the header, absolute offsets */
	VPL_NR_LTARGETS,
};

/*
 * The layout a case starts from, made out of the function's own:
 * V1, virtio 1.x as the function has it; V1_REVERSE, its vendor
 * capabilities in reverse; BARE, only its non-vendor capabilities; DRAFT,
 * the draft's LAYOUT, NOTIFY, ISR chain in place of its vendor
 * capabilities; DRAFT_NOISR, LAYOUT and NOTIFY only; DRAFT_REORDER,
 * chained LAYOUT, ISR, NOTIFY; DRAFT_DUP, behind a LAYOUT that names BAR 7;
 * BOTH, virtio 1.x with the draft chain appended; BOTH_SWAP, the chain's
 * common and device swapped.
 */
enum vpl_lbase {
	VPL_LBASE_V1,
	VPL_LBASE_V1_REVERSE,
	VPL_LBASE_BARE,
	VPL_LBASE_DRAFT,
	VPL_LBASE_DRAFT_NOISR,
	VPL_LBASE_DRAFT_REORDER,
	VPL_LBASE_DRAFT_DUP,
	VPL_LBASE_BOTH,
	VPL_LBASE_BOTH_SWAP,
};

/*
 * One edit; which fields of struct vpl_ledit mean what depends on the op:
 *
 * SET      at target @t + @a: @x, as @b bytes
 * SETPOS   at @t + @a: one byte, the position of target @b plus @x
 * LOC      @t, a virtio 1.x capability: BAR @a, offset @x, length @y
 * UNLINK   @t leaves the PCI list
 * FIRST    the capability at @a moves to the head of the list
 * CAP      a virtio 1.x capability at @a, appended: cfg_type @b, BAR
 *          @x >> 32, offset (u32)@x, length @y
 * SHM      a shared memory capability at @a, appended: BAR @b >> 4, id
 *          @b & 15, offset @x, length @y
 * DRAFT    a draft capability at @a, appended: ID @b, next @x >> 32,
 *          dwords (u32)@x and @y
 * FOREIGN  another vendor's capability at @a, appended: @b bytes, byte 3 @x
 * BAR      synthetic spaces only: BAR @a is of type @b, @x bytes
 */
enum vpl_lop {
	VPL_LOP_END,
	VPL_LOP_SET,
	VPL_LOP_SETPOS,
	VPL_LOP_LOC,
	VPL_LOP_UNLINK,
	VPL_LOP_FIRST,
	VPL_LOP_CAP,
	VPL_LOP_SHM,
	VPL_LOP_DRAFT,
	VPL_LOP_FOREIGN,
	VPL_LOP_BAR,
};

struct vpl_ledit {
	u8 op;
	u8 t;
	u8 a;
	u8 b;
	u64 x;
	u64 y;
};

#define VPL_LEDITS	6

/* How a transport fares with a layout on a real device (list.c). */
enum vpl_lrun {
	VPL_LRUN_NONE,		/* not run on a device: parser only */
	VPL_LRUN_BIND,		/* bound, and the class driver made its device */
	VPL_LRUN_NODEV,		/* bound, but the class driver's probe failed */
	VPL_LRUN_REJECT,	/* the transport refused the function */
	VPL_LRUN_HANG,		/* control only: never returns from probe */
	VPL_LRUN_BUG,		/* control only: reaches a BUG_ON */
};

/* One expected region; .present false means "must be absent". */
struct vpl_lregion {
	bool present;
	u8 bar;
	u32 offset;
	u32 length;
};

/* One expected note: problem, field and value. */
struct vpl_lnote {
	u8 problem;
	const char *field;
	u64 value;
};

/**
 * struct vpl_lcase - one layout and what must be made of it
 * @name: the case's one name, everywhere
 * @base: enum vpl_lbase
 * @edit: the edits, in order, up to the first VPL_LOP_END
 * @want: the dialect asked of the parser (enum vpl_dialect)
 * @err: the parser's return
 * @dialect: the dialect resolved, when @err is 0
 * @check_regions: @region and @notify_mult are checked
 * @region: the regions expected
 * @notify_mult: the multiplier expected
 * @note: a note expected among the parser's notes (when .field is set)
 * @no_notes: and no other note
 * @no_errors: every note is information, or a missing structure
 * @check_msix: @msix_table and @msix_pba are checked
 * @msix_table: the MSI-X table the parser records (.present: checked)
 * @msix_pba: the PBA, likewise
 * @check_vendor: the vendor data capabilities are checked: one, with
 *	@vendor_id and @vendor_len, or none when @vendor_len is 0
 * @vendor_id: its vendor ID
 * @vendor_len: its cap_len
 * @ours: enum vpl_lrun, our transport with dialect=auto on QEMU's device
 * @control: the in-tree virtio_pci on the same
 * @log: what our bind must log ("!TEXT": must not), or NULL
 * @lint: the layout tool's warnings, their keys sorted and space separated
 *	("none": no warning), or NULL when not checked
 */
struct vpl_lcase {
	const char *name;
	u8 base;
	struct vpl_ledit edit[VPL_LEDITS];
	u8 want;
	int err;
	u8 dialect;
	bool check_regions;
	struct vpl_lregion region[VPL_NR_REGIONS];
	u32 notify_mult;
	struct vpl_lnote note;
	bool no_notes;
	bool no_errors;
	bool check_msix;
	struct vpl_lregion msix_table;
	struct vpl_lregion msix_pba;
	bool check_vendor;
	u16 vendor_id;
	u8 vendor_len;
	u8 ours;
	u8 control;
	const char *log;
	const char *lint;
};

/* A configuration space a case is applied to, and where its parts are. */
struct vpl_lspace {
	u8 b[VPL_CFG_SPACE_SIZE];
	bool touched[VPL_CFG_SPACE_SIZE];	/* written by the case */
	struct vpl_bar bars[VPL_NUM_BARS];
	bool synthetic;				/* BARs may be changed */
	u8 pos[VPL_NR_LTARGETS];		/* 0: the function has none */
	u8 caps[48];				/* the PCI list, in order */
	unsigned int n_caps;
	u32 loc[VPL_NR_REGIONS];		/* draft location... */
	bool has_loc[VPL_NR_REGIONS];		/* ...when it has one */
	u32 notify_mult;
};

extern const struct vpl_lcase vpl_lcases[];
extern const unsigned int vpl_n_lcases;

void vpl_lspace_qemu(struct vpl_lspace *s);
int vpl_lspace_read32(void *ctx, unsigned int off, u32 *val);
int vpl_lspace_apply(struct vpl_lspace *s, const struct vpl_lcase *c,
		     char *why, size_t n);
int vpl_lcase_check(const struct vpl_lcase *c, int err,
		    const struct vpl_layout *l, char *why, size_t n);
const char *vpl_lrun_name(u8 run);

/* ------------------------------------------------------------------------
 * The notation of cases.def
 */

#define VPL_LCASE(n, base_, want_, ...) {				\
	.name = n, .base = VPL_LBASE_##base_,				\
	.want = VPL_DIALECT_##want_, __VA_ARGS__ }
#define EDITS(...)	.edit = { __VA_ARGS__ }
#define OK(d)		.err = 0, .dialect = VPL_DIALECT_##d
#define FAILS(e)	.err = -(e)
#define NOTE(p, f, v)	.note = { .problem = VPL_PROBLEM_##p, .field = f, .value = v }
#define NO_NOTES	.no_notes = true
#define NO_ERRORS	.no_errors = true
#define RUNS(o, c, msg)	.ours = VPL_LRUN_##o, .control = VPL_LRUN_##c, .log = msg
/* LINT("KEY ..."): the layout tool's warnings, their keys sorted; NO_LINT: none. */
#define LINT(keys)	.lint = keys
#define NO_LINT		.lint = "none"
/* REGIONS(MULTIPLIER, COMMON, NOTIFY, ISR, DEVICE): enum vpl_region_id's order */
#define REGIONS(mult, ...) .check_regions = true, .notify_mult = mult,	\
	.region = { __VA_ARGS__ }
#define AT(bar_, off, len) \
	{ .present = true, .bar = bar_, .offset = off, .length = len }
#define NONE			{ .present = false }
#define MSIX(t, p)	.check_msix = true, .msix_table = t, .msix_pba = p
/* VENDOR(ID, LEN): one vendor data capability recorded; NO_VENDOR: none. */
#define VENDOR(id, len)	.check_vendor = true, .vendor_id = id, .vendor_len = len
#define NO_VENDOR	.check_vendor = true
#define ABSENT_AT(bar_, off, len) \
	{ .present = false, .bar = bar_, .offset = off, .length = len }

/* Edits: targets by their short names. */
#define VPL_LT_(t)	VPL_LT_##t
#define VPL_LEDIT(op_, t_, a_, b_, x_, y_) \
	{ .op = VPL_LOP_##op_, .t = t_, .a = a_, .b = b_, .x = x_, .y = y_ }
#define SET8(t, off, v)		VPL_LEDIT(SET, VPL_LT_(t), off, 1, v, 0)
#define SET16(t, off, v)	VPL_LEDIT(SET, VPL_LT_(t), off, 2, v, 0)
#define SET32(t, off, v)	VPL_LEDIT(SET, VPL_LT_(t), off, 4, v, 0)
#define POINT(t, off, to, add)	VPL_LEDIT(SETPOS, VPL_LT_(t), off, VPL_LT_(to), add, 0)
#define LOC(t, bar, off, len)	VPL_LEDIT(LOC, VPL_LT_(t), bar, 0, off, len)
#define UNLINK(t)		VPL_LEDIT(UNLINK, VPL_LT_(t), 0, 0, 0, 0)
#define FIRST(pos)		VPL_LEDIT(FIRST, 0, pos, 0, 0, 0)
#define CAP(pos, type, bar, off, len) \
	VPL_LEDIT(CAP, 0, pos, type, (u64)(bar) << 32 | (u32)(off), len)
#define SHM(pos, bar, id, off, len) \
	VPL_LEDIT(SHM, 0, pos, (bar) << 4 | (id), off, len)
#define DRAFT_CAP(pos, id, next, dw1, dw2) \
	VPL_LEDIT(DRAFT, 0, pos, id, (u64)(next) << 32 | (u32)(dw1), dw2)
#define FOREIGN(pos, len, b3)	VPL_LEDIT(FOREIGN, 0, pos, len, b3, 0)
#define BAR(i, type, len)	VPL_LEDIT(BAR, 0, i, VPL_BAR_##type, len, 0)

/* Field offsets, and a draft location (BAR index in bits 2:0). */
#define C_NEXT		1
#define C_LEN		VPL_V1_CAP_LEN
#define C_TYPE		VPL_V1_CAP_CFG_TYPE
#define C_BAR		VPL_V1_CAP_BAR
#define C_OFF		VPL_V1_CAP_OFFSET
#define C_LENGTH	VPL_V1_CAP_LENGTH
#define C_MULT		VPL_V1_CAP_NOTIFY_MULT
#define D_ID		VPL_DRAFT_CAP_ID
#define D_NEXT		VPL_DRAFT_CAP_NEXT
#define D_LOC1		VPL_DRAFT_LOC1
#define D_LOC2		VPL_DRAFT_LOC2
#define DLOC(bar, off)	((u32)(off) | (bar))

#endif /* _VPL_LAYOUTS_H */
