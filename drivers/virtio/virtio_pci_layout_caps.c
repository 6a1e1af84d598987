// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-pci-layout capability parser.
 *
 * Resolves a virtio PCI function's layout from its capability list.  This
 * file does no I/O and uses no kernel service beyond snprintf(): it reads
 * configuration space through struct vpl_cfg_source and is compiled
 * unchanged by the driver, the KUnit suites, the fuzzer and the layout tool.
 *
 * Every byte read here comes from the device and is checked before use:
 * the list walk is bounded and loop-safe, every capability is length-checked
 * against its own cap_len and against the end of configuration space, and
 * every region is checked against the BAR it names (index, presence, type,
 * alignment, minimum length, end of BAR without wrapping).  A capability
 * that fails a check is skipped and recorded as a note; the first usable
 * capability of each type wins, as virtio 1.2 §4.1.4 asks.
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

#include "virtio_pci_layout/caps.h"

#define VPL_PCI_STATUS		0x04	/* dword holding the status register */
#define VPL_STATUS_CAP_LIST	0x10	/* PCI_STATUS_CAP_LIST */
#define VPL_CAPABILITY_LIST	0x34	/* PCI_CAPABILITY_LIST */
#define VPL_CAP_LIST_START	0x40	/* first byte after the standard header */

/* Byte @n (0..3) of a little-endian configuration dword read as a u32. */
static u8 vpl_byte(u32 dw, unsigned int n)
{
	return (dw >> (8 * n)) & 0xff;
}

/* What the transport needs to know about each virtio 1.x structure type. */
struct vpl_v1_type {
	u8 region;		/* enum vpl_region_id */
	u8 align;		/* required alignment of the offset */
	u32 min_len;		/* smallest valid length */
};

static const struct vpl_v1_type vpl_v1_types[] = {
	[VPL_V1_COMMON_CFG] = { VPL_REGION_COMMON, 4, VPL_COMMON_MIN_LEN },
	[VPL_V1_NOTIFY_CFG] = { VPL_REGION_NOTIFY, 2, 2 },
	[VPL_V1_ISR_CFG]    = { VPL_REGION_ISR,    1, 1 },
	[VPL_V1_DEVICE_CFG] = { VPL_REGION_DEVICE, 4, 1 },
};

/* ------------------------------------------------------------------------
 * Notes: what was rejected and why
 */

/* Records a note; returns it for the caller to complete, or NULL if lost. */
static struct vpl_note *vpl_note(struct vpl_layout *l, u8 cap, u8 cfg_type,
				 enum vpl_problem problem, const char *field,
				 u64 value, u64 limit)
{
	struct vpl_note *n;

	if (l->n_notes >= VPL_MAX_NOTES) {
		l->n_lost_notes++;
		return NULL;
	}
	n = &l->notes[l->n_notes++];
	memset(n, 0, sizeof(*n));
	n->cap = cap;
	n->cfg_type = cfg_type;
	n->problem = problem;
	n->field = field;
	n->value = value;
	n->limit = limit;
	return n;
}

/* Each problem's stable key (JSON, tests) and its English description. */
static const struct {
	const char *key;
	const char *str;
} vpl_problems[] = {
	[VPL_PROBLEM_NONE]	 = { "none", "no problem" },
	[VPL_PROBLEM_READ]	 = { "read", "configuration read failed" },
	[VPL_PROBLEM_CAP_PTR]	 = { "cap-ptr", "pointer outside the capability area" },
	[VPL_PROBLEM_CAP_LOOP]	 = { "cap-loop", "capability list loops" },
	[VPL_PROBLEM_CAP_LEN]	 = { "cap-len", "capability length invalid" },
	[VPL_PROBLEM_BAR_INDEX]	 = { "bar-index", "BAR index out of range" },
	[VPL_PROBLEM_BAR_ABSENT] = { "bar-absent", "BAR not implemented" },
	[VPL_PROBLEM_BAR_TYPE]	 = { "bar-type", "BAR type not usable here" },
	[VPL_PROBLEM_RANGE]	 = { "range", "region runs past the end of the BAR" },
	[VPL_PROBLEM_TOO_SHORT]	 = { "too-short", "region shorter than the structure" },
	[VPL_PROBLEM_ALIGN]	 = { "align", "offset misaligned" },
	[VPL_PROBLEM_MULTIPLIER] = { "multiplier",
				     "multiplier not 0 or a power of two >= 2" },
	[VPL_PROBLEM_OVERLAP]	 = { "overlap", "region overlaps another structure" },
	[VPL_PROBLEM_MISSING]	 = { "missing", "required structure missing" },
	[VPL_PROBLEM_TOO_MANY]	 = { "too-many", "too many capabilities of this type" },
	[VPL_PROBLEM_DISAGREE]	 = { "disagree",
				     "differs from the virtio 1.x layout, which is used" },
	[VPL_PROBLEM_MSIX_TABLE] = { "msix-table", "region overlaps the MSI-X table" },
	[VPL_PROBLEM_MSIX_PBA]	 = { "msix-pba", "region overlaps the MSI-X PBA" },
	[VPL_PROBLEM_VENDOR_ID]	 = { "vendor-id",
				     "vendor data must not name virtio's own vendor ID" },
};

/**
 * vpl_problem_key() - the stable name of a parser problem
 * @problem: an enum vpl_problem value
 *
 * The layout tool's JSON and the tests name problems with it.
 *
 * Return: a short, constant, hyphenated key, or "unknown".
 */
const char *vpl_problem_key(unsigned int problem)
{
	BUILD_BUG_ON(ARRAY_SIZE(vpl_problems) != VPL_NR_PROBLEMS);
	if (problem >= VPL_NR_PROBLEMS || !vpl_problems[problem].key)
		return "unknown";
	return vpl_problems[problem].key;
}

/**
 * vpl_problem_str() - describe a parser problem
 * @problem: an enum vpl_problem value
 *
 * Return: a short, constant English description.
 */
const char *vpl_problem_str(unsigned int problem)
{
	if (problem >= VPL_NR_PROBLEMS || !vpl_problems[problem].str)
		return "unknown problem";
	return vpl_problems[problem].str;
}

/**
 * vpl_region_name() - name a located structure
 * @region: an enum vpl_region_id value
 *
 * Return: "common", "notify", "isr", "device" or "unknown".
 */
const char *vpl_region_name(unsigned int region)
{
	static const char * const str[VPL_NR_REGIONS] = {
		[VPL_REGION_COMMON] = "common",
		[VPL_REGION_NOTIFY] = "notify",
		[VPL_REGION_ISR]    = "isr",
		[VPL_REGION_DEVICE] = "device",
	};

	if (region >= VPL_NR_REGIONS)
		return "unknown";
	return str[region];
}

/**
 * vpl_dialect_name() - name a capability dialect
 * @dialect: enum vpl_dialect
 *
 * Return: "none", "virtio1", "draft" or "auto" (the names the module
 * parameter takes), or "unknown".
 */
const char *vpl_dialect_name(unsigned int dialect)
{
	static const char * const str[] = {
		[VPL_DIALECT_NONE]	= "none",
		[VPL_DIALECT_VIRTIO1]	= "virtio1",
		[VPL_DIALECT_DRAFT]	= "draft",
		[VPL_DIALECT_AUTO]	= "auto",
	};

	if (dialect >= ARRAY_SIZE(str))
		return "unknown";
	return str[dialect];
}

/**
 * vpl_virtio_id() - the virtio device ID of a virtio PCI function
 * @device: its PCI device ID (vendor 0x1af4)
 * @subsystem_device: its PCI subsystem device ID
 *
 * virtio 1.2 §4.1.2.1: 0x1040 + the ID for a modern function; the
 * subsystem device ID for a transitional one (0x1000-0x103f).
 *
 * Return: the virtio device ID, or -ENODEV for any other device ID.
 */
int vpl_virtio_id(u16 device, u16 subsystem_device)
{
	if (device >= VPL_PCI_ID_TRANSITIONAL_FIRST &&
	    device <= VPL_PCI_ID_TRANSITIONAL_LAST)
		return subsystem_device;
	if (device >= VPL_PCI_ID_MODERN_BASE && device <= VPL_PCI_ID_MODERN_LAST)
		return device - VPL_PCI_ID_MODERN_BASE;
	return -ENODEV;
}

/**
 * vpl_cfg_type_name() - name a virtio 1.x capability structure type
 * @cfg_type: the capability's cfg_type byte
 *
 * Return: the structure's short name, "list" for 0 (a problem with the
 * capability list itself), a "draft ..." name for VPL_NOTE_DRAFT + a draft
 * capability ID (VPL_NOTE_DRAFT alone: the draft chain), "MSI-X table" or
 * "MSI-X PBA" for VPL_NOTE_MSIX_TABLE and VPL_NOTE_MSIX_PBA, or "reserved".
 */
const char *vpl_cfg_type_name(unsigned int cfg_type)
{
	switch (cfg_type) {
	case 0:
		return "list";
	case VPL_NOTE_DRAFT:
		return "draft";
	case VPL_NOTE_DRAFT + VPL_DRAFT_LAYOUT:
		return "draft layout";
	case VPL_NOTE_DRAFT + VPL_DRAFT_NOTIFY:
		return "draft notify";
	case VPL_NOTE_DRAFT + VPL_DRAFT_ISR:
		return "draft isr";
	case VPL_V1_COMMON_CFG:
		return "common";
	case VPL_V1_NOTIFY_CFG:
		return "notify";
	case VPL_V1_ISR_CFG:
		return "isr";
	case VPL_V1_DEVICE_CFG:
		return "device";
	case VPL_V1_PCI_CFG:
		return "pci-cfg";
	case VPL_V1_SHM_CFG:
		return "shm";
	case VPL_V1_VENDOR_CFG:
		return "vendor-data";
	case VPL_NOTE_MSIX_TABLE:
		return "MSI-X table";
	case VPL_NOTE_MSIX_PBA:
		return "MSI-X PBA";
	default:
		return "reserved";
	}
}

/**
 * vpl_format_note() - render a note as one line of text
 * @buf: destination
 * @size: size of @buf
 * @note: the note
 *
 * The line names the capability, the field, the value the device gave and
 * the bound it broke, e.g. "notify capability at 0x50: bar = 0x7: BAR
 * index out of range (limit 0x5)".  An overlap names both ranges instead
 * of the bound: "device capability at 0x60: offset = 0x0: region overlaps
 * the MSI-X table (BAR1+0x0/0x1000 vs MSI-X table at 0x98: BAR1+0x0/0x40)";
 * such a line can take 200 bytes.
 *
 * Return: the snprintf() result.
 */
int vpl_format_note(char *buf, size_t size, const struct vpl_note *note)
{
	if (note->overlap)
		return snprintf(buf, size,
				"%s capability at %#x: %s = %#llx: %s (BAR%u+%#llx/%#llx vs %s at %#x: BAR%u+%#llx/%#llx)",
				vpl_cfg_type_name(note->cfg_type), note->cap,
				note->field, (unsigned long long)note->value,
				vpl_problem_str(note->problem), note->span.bar,
				(unsigned long long)note->span.offset,
				(unsigned long long)note->span.length,
				vpl_cfg_type_name(note->other_type),
				note->other_cap, note->other.bar,
				(unsigned long long)note->other.offset,
				(unsigned long long)note->other.length);
	return snprintf(buf, size,
			"%s capability at %#x: %s = %#llx: %s (limit %#llx)",
			vpl_cfg_type_name(note->cfg_type), note->cap,
			note->field, (unsigned long long)note->value,
			vpl_problem_str(note->problem),
			(unsigned long long)note->limit);
}

/* A draft capability's ID byte; where a virtio 1.x one has cap_len >= 16. */
static bool vpl_is_draft_id(u8 id)
{
	return id >= 1 && id <= VPL_DRAFT_MAX_ID;
}

/* The note type of the capability that locates each region. */
static u8 vpl_region_cfg_type(enum vpl_dialect dialect, unsigned int region)
{
	static const u8 v1[VPL_NR_REGIONS] = {
		[VPL_REGION_COMMON] = VPL_V1_COMMON_CFG,
		[VPL_REGION_NOTIFY] = VPL_V1_NOTIFY_CFG,
		[VPL_REGION_ISR]    = VPL_V1_ISR_CFG,
		[VPL_REGION_DEVICE] = VPL_V1_DEVICE_CFG,
	};
	static const u8 draft[VPL_NR_REGIONS] = {
		[VPL_REGION_COMMON] = VPL_NOTE_DRAFT + VPL_DRAFT_LAYOUT,
		[VPL_REGION_NOTIFY] = VPL_NOTE_DRAFT + VPL_DRAFT_NOTIFY,
		[VPL_REGION_ISR]    = VPL_NOTE_DRAFT + VPL_DRAFT_ISR,
		[VPL_REGION_DEVICE] = VPL_NOTE_DRAFT + VPL_DRAFT_LAYOUT,
	};

	return dialect == VPL_DIALECT_DRAFT ? draft[region] : v1[region];
}

/* ------------------------------------------------------------------------
 * Configuration space access
 */

static int vpl_read(const struct vpl_cfg_source *src, struct vpl_layout *l,
		    unsigned int off, u32 *val)
{
	int err;

	if (off >= VPL_CFG_SPACE_SIZE || (off & 3)) {
		vpl_note(l, 0, 0, VPL_PROBLEM_READ, "offset", off,
			 VPL_CFG_SPACE_SIZE - 4);
		return -EIO;
	}
	err = src->read32(src->ctx, off, val);
	if (err) {
		vpl_note(l, 0, 0, VPL_PROBLEM_READ, "offset", off, 0);
		return err < 0 ? err : -EIO;
	}
	return 0;
}

/*
 * Each dword of configuration space is read from the function once per
 * vpl_parse(): the walks of both dialects and the cross-check look at one
 * snapshot, so a device cannot show each walk something else, and a probe
 * costs one access per dword the parser looks at.
 */
struct vpl_cfg_snapshot {
	const struct vpl_cfg_source *src;
	u64 valid;
	u32 dw[VPL_CFG_SPACE_SIZE / 4];
};

static int vpl_snapshot_read(void *ctx, unsigned int off, u32 *val)
{
	struct vpl_cfg_snapshot *snap = ctx;
	u64 bit = 1ULL << (off / 4);
	int err;

	if (!(snap->valid & bit)) {
		err = snap->src->read32(snap->src->ctx, off, &snap->dw[off / 4]);
		if (err)
			return err;
		snap->valid |= bit;
	}
	*val = snap->dw[off / 4];
	return 0;
}

typedef int vpl_visit_fn(const struct vpl_cfg_source *src,
			 struct vpl_layout *l, u8 pos, u32 hdr, void *ctx);

/* One MSI-X table or PBA location register, and the bytes it spans. */
static void vpl_msix_range(const struct vpl_cfg_source *src,
			   struct vpl_msix_range *r, u32 reg, u32 length)
{
	r->bar = reg & VPL_MSIX_BIR_MASK;
	r->offset = reg & ~VPL_MSIX_BIR_MASK;
	r->length = length;
	/*
	 * BIR 6 or 7, or a BAR that is absent or not memory: the PCI core
	 * refuses (or cannot map) such a table; nothing to check it against.
	 */
	r->checked = r->bar < VPL_NUM_BARS &&
		     src->bars[r->bar].type == VPL_BAR_MEM &&
		     src->bars[r->bar].len;
}

/*
 * Records where the first MSI-X capability of the list puts the MSI-X table
 * and PBA, so that no structure is placed over them (vpl_check_overlaps()).
 * The capability is the PCI core's to validate: one that runs past
 * configuration space is left alone here, and no value in it is refused.
 */
static int vpl_msix_read(const struct vpl_cfg_source *src,
			 struct vpl_layout *l, u8 pos, u32 hdr)
{
	struct vpl_msix *m = &l->msix;
	u32 table, pba;
	int err;

	if (pos + VPL_MSIX_CAP_SIZE > VPL_CFG_SPACE_SIZE)
		return 0;
	err = vpl_read(src, l, pos + VPL_MSIX_TABLE, &table);
	if (!err)
		err = vpl_read(src, l, pos + VPL_MSIX_PBA, &pba);
	if (err)
		return err;
	m->cap = pos;
	m->entries = ((hdr >> (8 * VPL_MSIX_FLAGS)) & VPL_MSIX_QSIZE) + 1;
	vpl_msix_range(src, &m->table, table,
		       (u32)m->entries * VPL_MSIX_ENTRY_SIZE);
	/* One pending bit per entry, in whole qwords. */
	vpl_msix_range(src, &m->pba, pba, (m->entries + 63) / 64 * 8);
	return 0;
}

/*
 * Walk the standard capability list and hand each vendor-specific
 * capability, with its first dword, to @visit; the first MSI-X capability
 * is recorded in @l->msix on the way.  Pointers have their two
 * reserved low bits masked as the PCI spec tells software to.  Each dword
 * of configuration space can be visited once, so a looping list ends after
 * at most 48 capabilities.  A broken list is noted and ends the walk; what
 * was found before it stands.
 */
static int vpl_walk_vendor_caps(const struct vpl_cfg_source *src,
				struct vpl_layout *l, vpl_visit_fn *visit,
				void *ctx)
{
	u64 seen = 0;
	u32 hdr;
	u8 pos;
	int err;

	err = vpl_read(src, l, VPL_PCI_STATUS, &hdr);
	if (err)
		return err;
	if (!((hdr >> 16) & VPL_STATUS_CAP_LIST))
		return 0;

	err = vpl_read(src, l, VPL_CAPABILITY_LIST, &hdr);
	if (err)
		return err;
	pos = hdr & 0xfc;

	while (pos) {
		u64 bit = 1ULL << (pos / 4);

		if (pos < VPL_CAP_LIST_START) {
			vpl_note(l, pos, 0, VPL_PROBLEM_CAP_PTR, "cap_next",
				 pos, VPL_CAP_LIST_START);
			break;
		}
		if (seen & bit) {
			vpl_note(l, pos, 0, VPL_PROBLEM_CAP_LOOP, "cap_next",
				 pos, 0);
			break;
		}
		seen |= bit;

		err = vpl_read(src, l, pos, &hdr);
		if (err)
			return err;
		if (vpl_byte(hdr, 0) == VPL_CAP_ID_VNDR) {
			err = visit(src, l, pos, hdr, ctx);
			if (err)
				return err;
		}
		if (vpl_byte(hdr, 0) == VPL_CAP_ID_MSIX && !l->msix.cap) {
			err = vpl_msix_read(src, l, pos, hdr);
			if (err)
				return err;
		}
		pos = vpl_byte(hdr, 1) & 0xfc;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Region checks shared by every structure type
 */

static bool vpl_bar_ok(const struct vpl_cfg_source *src, struct vpl_layout *l,
		       u8 pos, u8 cfg_type, u8 bar)
{
	if (bar >= VPL_NUM_BARS) {
		vpl_note(l, pos, cfg_type, VPL_PROBLEM_BAR_INDEX, "bar", bar,
			 VPL_NUM_BARS - 1);
		return false;
	}
	if (src->bars[bar].type == VPL_BAR_NONE || !src->bars[bar].len) {
		vpl_note(l, pos, cfg_type, VPL_PROBLEM_BAR_ABSENT, "bar", bar,
			 0);
		return false;
	}
	return true;
}

static bool vpl_range_ok(const struct vpl_cfg_source *src,
			 struct vpl_layout *l, u8 pos, u8 cfg_type, u8 bar,
			 u64 offset, u64 length, u64 min_len, u32 align)
{
	u64 bar_len = src->bars[bar].len;

	if (offset & (align - 1)) {
		vpl_note(l, pos, cfg_type, VPL_PROBLEM_ALIGN, "offset", offset,
			 align);
		return false;
	}
	if (length < min_len) {
		vpl_note(l, pos, cfg_type, VPL_PROBLEM_TOO_SHORT, "length",
			 length, min_len);
		return false;
	}
	/* Written so that neither side can wrap, whatever the device says. */
	if (offset > bar_len || length > bar_len - offset) {
		vpl_note(l, pos, cfg_type, VPL_PROBLEM_RANGE, "offset+length",
			 offset > bar_len ? offset : offset + length, bar_len);
		return false;
	}
	return true;
}

/* ------------------------------------------------------------------------
 * virtio 1.x dialect (virtio 1.2 §4.1.4)
 */

static int vpl_v1_shm(const struct vpl_cfg_source *src, struct vpl_layout *l,
		      u8 pos, u8 cap_len, u32 bar_dw)
{
	u8 bar = vpl_byte(bar_dw, VPL_V1_CAP_BAR % 4);
	u8 id = vpl_byte(bar_dw, VPL_V1_CAP_ID % 4);
	u32 off_lo, off_hi, len_lo, len_hi;
	struct vpl_shm *shm;
	u64 offset, length;
	int err;

	if (cap_len < VPL_V1_CAP64_SIZE) {
		vpl_note(l, pos, VPL_V1_SHM_CFG, VPL_PROBLEM_CAP_LEN,
			 "cap_len", cap_len, VPL_V1_CAP64_SIZE);
		return 0;
	}
	if (!vpl_bar_ok(src, l, pos, VPL_V1_SHM_CFG, bar))
		return 0;
	if (src->bars[bar].type != VPL_BAR_MEM) {
		vpl_note(l, pos, VPL_V1_SHM_CFG, VPL_PROBLEM_BAR_TYPE, "bar",
			 bar, 0);
		return 0;
	}
	err = vpl_read(src, l, pos + VPL_V1_CAP_OFFSET, &off_lo);
	if (!err)
		err = vpl_read(src, l, pos + VPL_V1_CAP_LENGTH, &len_lo);
	if (!err)
		err = vpl_read(src, l, pos + VPL_V1_CAP_OFFSET_HI, &off_hi);
	if (!err)
		err = vpl_read(src, l, pos + VPL_V1_CAP_LENGTH_HI, &len_hi);
	if (err)
		return err;

	offset = (u64)off_hi << 32 | off_lo;
	length = (u64)len_hi << 32 | len_lo;
	if (!vpl_range_ok(src, l, pos, VPL_V1_SHM_CFG, bar, offset, length,
			  1, 1))
		return 0;
	if (l->n_shm >= VPL_MAX_SHM) {
		vpl_note(l, pos, VPL_V1_SHM_CFG, VPL_PROBLEM_TOO_MANY, "id",
			 id, VPL_MAX_SHM);
		return 0;
	}
	shm = &l->shm[l->n_shm++];
	shm->cap = pos;
	shm->id = id;
	shm->bar = bar;
	shm->offset = offset;
	shm->length = length;
	return 0;
}

/*
 * A vendor data capability (cfg_type 9, struct virtio_pci_vndr_data): a
 * length that is a multiple of 4 and holds the vendor ID, a vendor ID that
 * is not virtio's.
 * Recorded for debugfs and the tool, used for nothing; so what is wrong
 * with one is said at info level and refuses nothing.
 */
static int vpl_v1_vendor(const struct vpl_cfg_source *src,
			 struct vpl_layout *l, u8 pos, u8 cap_len)
{
	struct vpl_note *n = NULL;
	struct vpl_vendor *v;
	u32 dw, limit = 0;
	int err;

	/* The bound broken: the least length, the next multiple of 4, the end. */
	if (cap_len < VPL_V1_VENDOR_CAP_SIZE)
		limit = VPL_V1_VENDOR_CAP_SIZE;
	else if (cap_len % 4)
		limit = (cap_len + 3U) & ~3U;
	else if (pos + cap_len > VPL_CFG_SPACE_SIZE)
		limit = VPL_CFG_SPACE_SIZE - pos;
	if (limit) {
		n = vpl_note(l, pos, VPL_V1_VENDOR_CFG, VPL_PROBLEM_CAP_LEN,
			     "cap_len", cap_len, limit);
		goto out;
	}
	err = vpl_read(src, l, pos + VPL_V1_VENDOR_ID, &dw);
	if (err)
		return err;
	if ((u16)dw == VPL_PCI_VENDOR_VIRTIO) {
		n = vpl_note(l, pos, VPL_V1_VENDOR_CFG, VPL_PROBLEM_VENDOR_ID,
			     "vendor_id", (u16)dw, 0);
		goto out;
	}
	if (l->n_vendor >= VPL_MAX_VENDOR) {
		n = vpl_note(l, pos, VPL_V1_VENDOR_CFG, VPL_PROBLEM_TOO_MANY,
			     "vendor data", VPL_MAX_VENDOR + 1, VPL_MAX_VENDOR);
		goto out;
	}
	v = &l->vendor[l->n_vendor++];
	v->cap = pos;
	v->len = cap_len;
	v->vendor_id = (u16)dw;
out:
	if (n)
		n->info = true;
	return 0;
}

static int vpl_v1_visit(const struct vpl_cfg_source *src, struct vpl_layout *l,
			u8 pos, u32 hdr, void *ctx)
{
	u8 cap_len = vpl_byte(hdr, VPL_V1_CAP_LEN);
	u8 cfg_type = vpl_byte(hdr, VPL_V1_CAP_CFG_TYPE);
	const struct vpl_v1_type *t;
	struct vpl_region *r;
	u32 dw, offset, length, mult = 0;
	struct vpl_note *n;
	u8 bar;
	int err;

	/*
	 * virtio 1.2 §4.1.4: ignore reserved cfg_type values.  Vendor data
	 * has a header of its own, shorter than struct virtio_pci_cap.
	 */
	if (cfg_type != VPL_V1_SHM_CFG && cfg_type != VPL_V1_PCI_CFG &&
	    cfg_type != VPL_V1_VENDOR_CFG &&
	    (cfg_type >= ARRAY_SIZE(vpl_v1_types) ||
	     !vpl_v1_types[cfg_type].min_len))
		return 0;
	if (cfg_type == VPL_V1_VENDOR_CFG)
		return vpl_v1_vendor(src, l, pos, cap_len);

	if (cap_len < VPL_V1_CAP_SIZE ||
	    pos + cap_len > VPL_CFG_SPACE_SIZE) {
		n = vpl_note(l, pos, cfg_type, VPL_PROBLEM_CAP_LEN, "cap_len",
			     cap_len, cap_len < VPL_V1_CAP_SIZE ?
			     VPL_V1_CAP_SIZE : VPL_CFG_SPACE_SIZE - pos);
		/*
		 * Too short for struct virtio_pci_cap: maybe not a virtio
		 * capability at all but another vendor's, whose byte 3 only
		 * looks like a cfg_type.  Skipped, and said at info level.
		 */
		if (n && cap_len < VPL_V1_CAP_SIZE)
			n->info = true;
		return 0;
	}

	if (cfg_type == VPL_V1_PCI_CFG) {
		l->has_pci_cfg = true;
		return 0;
	}

	err = vpl_read(src, l, pos + VPL_V1_CAP_BAR, &dw);
	if (err)
		return err;
	bar = vpl_byte(dw, VPL_V1_CAP_BAR % 4);

	if (cfg_type == VPL_V1_SHM_CFG)
		return vpl_v1_shm(src, l, pos, cap_len, dw);

	t = &vpl_v1_types[cfg_type];
	r = &l->region[t->region];
	if (r->present)
		return 0;	/* an earlier capability of this type won */

	if (!vpl_bar_ok(src, l, pos, cfg_type, bar))
		return 0;
	err = vpl_read(src, l, pos + VPL_V1_CAP_OFFSET, &offset);
	if (!err)
		err = vpl_read(src, l, pos + VPL_V1_CAP_LENGTH, &length);
	if (err)
		return err;
	if (!vpl_range_ok(src, l, pos, cfg_type, bar, offset, length,
			  t->min_len, t->align))
		return 0;

	if (cfg_type == VPL_V1_NOTIFY_CFG) {
		if (cap_len < VPL_V1_NOTIFY_CAP_SIZE) {
			vpl_note(l, pos, cfg_type, VPL_PROBLEM_CAP_LEN,
				 "cap_len", cap_len, VPL_V1_NOTIFY_CAP_SIZE);
			return 0;
		}
		err = vpl_read(src, l, pos + VPL_V1_CAP_NOTIFY_MULT, &mult);
		if (err)
			return err;
		/* §4.1.4.4: 0, or an even power of two. */
		if (mult == 1 || (mult & (mult - 1))) {
			vpl_note(l, pos, cfg_type, VPL_PROBLEM_MULTIPLIER,
				 "notify_off_multiplier", mult, 0);
			return 0;
		}
		l->notify_mult = mult;
	}

	r->present = true;
	r->cap = pos;
	r->bar = bar;
	r->offset = offset;
	r->length = length;
	return 0;
}

/* ------------------------------------------------------------------------
 * The draft dialect (Documentation/draft-layout.rst)
 *
 * One vendor capability per draft capability: byte 2 is the virtio-pci cap
 * ID (1..15; a virtio 1.x capability has its cap_len >= 16 there), byte 3
 * the configuration-space offset of the next draft capability.  Locations
 * are dwords encoded as in MSI-X: BIR in bits 2:0, offset in bits 31:3.
 * Regions carry no length: the common configuration is the size of its
 * structure; notify and device run to the next region in their BAR.
 *
 * Byte 2 of every vendor capability is its length in PCI terms, so any
 * vendor capability shorter than 16 bytes looks like a draft one.  A chain
 * is therefore recognised only when, followed by the chain rules, it
 * reaches a LAYOUT capability; vendor capabilities that start no such chain
 * are another vendor's and are ignored without a note.
 */

#define VPL_CFG_DWORDS	(VPL_CFG_SPACE_SIZE / 4)

struct vpl_draft_walk {
	u64 vendor_caps;		/* one bit per dword holding a vendor cap */
	u32 hdr[VPL_CFG_DWORDS];	/* first dword of each vendor cap */
	u8 cand[VPL_CFG_DWORDS];	/* draft-looking ones, in list order */
	unsigned int n_cand;
};

static int vpl_draft_find(const struct vpl_cfg_source *src,
			  struct vpl_layout *l, u8 pos, u32 hdr, void *ctx)
{
	struct vpl_draft_walk *w = ctx;

	w->vendor_caps |= 1ULL << (pos / 4);
	w->hdr[pos / 4] = hdr;
	if (vpl_is_draft_id(vpl_byte(hdr, VPL_DRAFT_CAP_ID)) &&
	    w->n_cand < ARRAY_SIZE(w->cand))
		w->cand[w->n_cand++] = pos;
	return 0;
}

/*
 * The chain rules for a next pointer: VPL_PROBLEM_CAP_PTR unless it lands
 * on a listed vendor capability, dword aligned, at 0x40 or above;
 * VPL_PROBLEM_CAP_LOOP if @seen has it; else VPL_PROBLEM_NONE.
 */
static enum vpl_problem vpl_draft_rule(const struct vpl_draft_walk *w, u8 pos,
				       u64 seen)
{
	u64 bit = 1ULL << (pos / 4);

	if (pos < VPL_CAP_LIST_START || (pos & 3) || !(w->vendor_caps & bit))
		return VPL_PROBLEM_CAP_PTR;
	if (seen & bit)
		return VPL_PROBLEM_CAP_LOOP;
	return VPL_PROBLEM_NONE;
}

/*
 * Whether the chain from @pos, followed by the chain rules, reaches a
 * VIRTIO_PCI_C_LAYOUT capability.  Reads nothing and notes nothing: it
 * works on the headers vpl_draft_find() kept.  At most 48 steps.
 */
static bool vpl_draft_recognised(const struct vpl_draft_walk *w, u8 pos)
{
	u64 seen = 0;

	while (pos && vpl_draft_rule(w, pos, seen) == VPL_PROBLEM_NONE) {
		u32 hdr = w->hdr[pos / 4];
		u8 id = vpl_byte(hdr, VPL_DRAFT_CAP_ID);

		if (!vpl_is_draft_id(id))
			return false;
		if (id == VPL_DRAFT_LAYOUT)
			return true;
		seen |= 1ULL << (pos / 4);
		pos = vpl_byte(hdr, VPL_DRAFT_CAP_NEXT);
	}
	return false;
}

/* Decodes a location dword and records it; 0 if rejected. */
static bool vpl_draft_loc(const struct vpl_cfg_source *src,
			  struct vpl_layout *l, u8 pos, u8 id,
			  enum vpl_region_id region, u32 loc,
			  const char *bir_field)
{
	struct vpl_region *r = &l->region[region];
	u8 bar = loc & VPL_DRAFT_BIR_MASK;
	u32 offset = loc & ~VPL_DRAFT_BIR_MASK;

	if (r->present)
		return true;	/* an earlier capability located it */
	if (bar >= VPL_NUM_BARS) {
		vpl_note(l, pos, VPL_NOTE_DRAFT + id, VPL_PROBLEM_BAR_INDEX,
			 bir_field, bar, VPL_NUM_BARS - 1);
		return false;
	}
	if (src->bars[bar].type == VPL_BAR_NONE || !src->bars[bar].len) {
		vpl_note(l, pos, VPL_NOTE_DRAFT + id, VPL_PROBLEM_BAR_ABSENT,
			 bir_field, bar, 0);
		return false;
	}
	if (offset >= src->bars[bar].len) {
		vpl_note(l, pos, VPL_NOTE_DRAFT + id, VPL_PROBLEM_RANGE,
			 "offset", offset, src->bars[bar].len);
		return false;
	}
	r->present = true;
	r->cap = pos;
	r->bar = bar;
	r->offset = offset;
	return true;
}

static int vpl_draft_visit(const struct vpl_cfg_source *src,
			   struct vpl_layout *l, u8 pos, u32 hdr)
{
	u8 id = vpl_byte(hdr, VPL_DRAFT_CAP_ID);
	u32 dw4, dw8 = 0, size;
	int err;

	switch (id) {
	case VPL_DRAFT_LAYOUT:
	case VPL_DRAFT_NOTIFY:
		size = VPL_DRAFT_LAYOUT_SIZE;
		break;
	case VPL_DRAFT_ISR:
		size = VPL_DRAFT_ISR_SIZE;
		break;
	default:
		return 0;	/* unknown draft capabilities are skipped */
	}
	if (pos + size > VPL_CFG_SPACE_SIZE) {
		vpl_note(l, pos, VPL_NOTE_DRAFT + id, VPL_PROBLEM_CAP_LEN,
			 "virtio_cap_id", id, VPL_CFG_SPACE_SIZE - pos);
		return 0;
	}
	err = vpl_read(src, l, pos + VPL_DRAFT_LOC1, &dw4);
	if (!err && size > VPL_DRAFT_LOC2)
		err = vpl_read(src, l, pos + VPL_DRAFT_LOC2, &dw8);
	if (err)
		return err;

	switch (id) {
	case VPL_DRAFT_LAYOUT:
		if (l->region[VPL_REGION_COMMON].present)
			return 0;	/* the first LAYOUT wins */
		if (!vpl_draft_loc(src, l, pos, id, VPL_REGION_COMMON, dw4,
				   "common.bir"))
			return 0;
		if (!vpl_draft_loc(src, l, pos, id, VPL_REGION_DEVICE, dw8,
				   "device.bir"))
			l->region[VPL_REGION_COMMON].present = false;
		return 0;
	case VPL_DRAFT_NOTIFY:
		if (l->region[VPL_REGION_NOTIFY].present)
			return 0;
		if (dw8 == 1 || (dw8 & (dw8 - 1))) {
			vpl_note(l, pos, VPL_NOTE_DRAFT + id,
				 VPL_PROBLEM_MULTIPLIER, "notify_multiplier",
				 dw8, 0);
			return 0;
		}
		if (vpl_draft_loc(src, l, pos, id, VPL_REGION_NOTIFY, dw4,
				  "notify.bir"))
			l->notify_mult = dw8;
		return 0;
	default:
		vpl_draft_loc(src, l, pos, id, VPL_REGION_ISR, dw4, "isr.bir");
		return 0;
	}
}

/*
 * Follows the recognised draft chain from @pos, noting every chain rule
 * broken, and hands each member to vpl_draft_visit().  Every capability is
 * visited once.  The headers are those vpl_draft_find() read, so the chain
 * followed is the one that was recognised.
 */
static int vpl_draft_chain(const struct vpl_cfg_source *src,
			   struct vpl_layout *l, const struct vpl_draft_walk *w,
			   u8 pos)
{
	enum vpl_problem problem;
	u64 seen = 0;
	u32 hdr;
	int err;

	while (pos) {
		problem = vpl_draft_rule(w, pos, seen);
		if (problem != VPL_PROBLEM_NONE) {
			vpl_note(l, pos, VPL_NOTE_DRAFT, problem, "virtio_next",
				 pos, problem == VPL_PROBLEM_CAP_PTR ?
				 VPL_CAP_LIST_START : 0);
			break;
		}
		seen |= 1ULL << (pos / 4);

		hdr = w->hdr[pos / 4];
		if (!vpl_is_draft_id(vpl_byte(hdr, VPL_DRAFT_CAP_ID))) {
			vpl_note(l, pos, VPL_NOTE_DRAFT, VPL_PROBLEM_CAP_PTR,
				 "virtio_cap_id", vpl_byte(hdr, VPL_DRAFT_CAP_ID),
				 VPL_DRAFT_MAX_ID);
			break;
		}
		err = vpl_draft_visit(src, l, pos, hdr);
		if (err)
			return err;
		pos = vpl_byte(hdr, VPL_DRAFT_CAP_NEXT);
	}
	return 0;
}

/* The end of a region: the next region's start in its BAR, or the BAR end. */
static u64 vpl_draft_end(const struct vpl_cfg_source *src,
			 const struct vpl_layout *l, unsigned int i)
{
	const struct vpl_region *r = &l->region[i];
	u64 end = src->bars[r->bar].len;
	unsigned int j;

	for (j = 0; j < VPL_NR_REGIONS; j++) {
		const struct vpl_region *o = &l->region[j];

		if (j != i && o->present && o->bar == r->bar &&
		    o->offset > r->offset && o->offset < end)
			end = o->offset;
	}
	return end;
}

/* Gives each located region its implied length and checks it. */
static void vpl_draft_lengths(const struct vpl_cfg_source *src,
			      struct vpl_layout *l)
{
	static const struct {
		u8 id;
		u32 min_len, max_len;
	} rule[VPL_NR_REGIONS] = {
		[VPL_REGION_COMMON] = { VPL_DRAFT_LAYOUT, VPL_COMMON_MIN_LEN,
					VPL_COMMON_MAX_LEN },
		[VPL_REGION_NOTIFY] = { VPL_DRAFT_NOTIFY, 2, 0xffffffff },
		[VPL_REGION_ISR]    = { VPL_DRAFT_ISR, 1, 1 },
		[VPL_REGION_DEVICE] = { VPL_DRAFT_LAYOUT, 1,
					VPL_DRAFT_DEVICE_MAX_LEN },
	};
	u64 len[VPL_NR_REGIONS] = { 0 };
	unsigned int i;

	/* Every length first: dropping a region would move the others' ends. */
	for (i = 0; i < VPL_NR_REGIONS; i++)
		if (l->region[i].present)
			len[i] = vpl_draft_end(src, l, i) - l->region[i].offset;

	for (i = 0; i < VPL_NR_REGIONS; i++) {
		struct vpl_region *r = &l->region[i];

		if (!r->present)
			continue;
		if (len[i] < rule[i].min_len) {
			vpl_note(l, r->cap, VPL_NOTE_DRAFT + rule[i].id,
				 VPL_PROBLEM_TOO_SHORT, vpl_region_name(i),
				 len[i], rule[i].min_len);
			r->present = false;
			continue;
		}
		r->length = len[i] < rule[i].max_len ? len[i] : rule[i].max_len;
	}
}

/*
 * The draft chain starts at the first draft-looking vendor capability, in
 * PCI-list order, whose chain is recognised (vpl_draft_recognised()); none:
 * the function has no draft chain, and its draft-looking capabilities are
 * foreign.  Then the one note is that LAYOUT is missing.
 */
static int vpl_parse_draft(const struct vpl_cfg_source *src,
			   struct vpl_layout *l)
{
	struct vpl_draft_walk w = { 0 };
	unsigned int i;
	int err;

	l->draft_cap = 0;
	err = vpl_walk_vendor_caps(src, l, vpl_draft_find, &w);
	if (err)
		return err;
	for (i = 0; i < w.n_cand && !l->draft_cap; i++)
		if (vpl_draft_recognised(&w, w.cand[i]))
			l->draft_cap = w.cand[i];
	if (l->draft_cap) {
		err = vpl_draft_chain(src, l, &w, l->draft_cap);
		if (err)
			return err;
		vpl_draft_lengths(src, l);
	}

	if (!l->region[VPL_REGION_COMMON].present) {
		vpl_note(l, 0, VPL_NOTE_DRAFT + VPL_DRAFT_LAYOUT,
			 VPL_PROBLEM_MISSING, "virtio_cap_id",
			 VPL_DRAFT_LAYOUT, 0);
		return -ENODEV;
	}
	if (!l->region[VPL_REGION_NOTIFY].present) {
		vpl_note(l, 0, VPL_NOTE_DRAFT + VPL_DRAFT_NOTIFY,
			 VPL_PROBLEM_MISSING, "virtio_cap_id",
			 VPL_DRAFT_NOTIFY, 0);
		return -ENODEV;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Both dialects
 */

/* A located structure or shared memory region, for the overlap checks. */
struct vpl_placed {
	u8 cap;
	u8 cfg_type;
	struct vpl_span span;
};

/* Whether two ranges share a byte; no sum wraps (checked against BARs). */
static bool vpl_spans_overlap(const struct vpl_span *a,
			      const struct vpl_span *b)
{
	return a->bar == b->bar && a->offset < b->offset + b->length &&
	       b->offset < a->offset + a->length;
}

static int vpl_overlap_note(struct vpl_layout *l, const struct vpl_placed *p,
			    enum vpl_problem problem, u8 other_cap,
			    u8 other_type, const struct vpl_span *other)
{
	struct vpl_note *n;

	n = vpl_note(l, p->cap, p->cfg_type, problem, "offset",
		     p->span.offset, other->offset + other->length);
	if (n) {
		n->overlap = true;
		n->span = p->span;
		n->other_cap = other_cap;
		n->other_type = other_type;
		n->other = *other;
	}
	return -EINVAL;
}

/* Checks @p against the MSI-X table and PBA the PCI core will map. */
static int vpl_check_msix(struct vpl_layout *l, const struct vpl_placed *p)
{
	const struct vpl_msix *m = &l->msix;
	const struct vpl_msix_range *r[2] = { &m->table, &m->pba };
	unsigned int i;

	for (i = 0; m->cap && i < ARRAY_SIZE(r); i++) {
		struct vpl_span span = {
			.bar = r[i]->bar,
			.offset = r[i]->offset,
			.length = r[i]->length,
		};

		if (r[i]->checked && vpl_spans_overlap(&p->span, &span))
			return vpl_overlap_note(l, p, i ? VPL_PROBLEM_MSIX_PBA :
						VPL_PROBLEM_MSIX_TABLE, m->cap,
						i ? VPL_NOTE_MSIX_PBA :
						VPL_NOTE_MSIX_TABLE, &span);
	}
	return 0;
}

/*
 * No two of the structures and shared memory regions may share bytes: they
 * would alias each other's registers, and shared memory is mapped into user
 * space (virtio-fs DAX, virtio-gpu blobs).  None may overlap the MSI-X table
 * or PBA either, or a user mapping or a register write would program MSI
 * messages.  The queue doorbells lie inside the notify region (the driver
 * refuses a queue_notify_off that puts one outside the mapped part of it),
 * so a notify region clear of the table and PBA keeps them clear too.
 */
static int vpl_check_overlaps(struct vpl_layout *l)
{
	struct vpl_placed p[VPL_NR_REGIONS + VPL_MAX_SHM];
	unsigned int i, j, n = 0;
	int err;

	for (i = 0; i < VPL_NR_REGIONS; i++) {
		const struct vpl_region *r = &l->region[i];

		if (!r->present)
			continue;
		p[n].cap = r->cap;
		p[n].cfg_type = r->cfg_type;
		p[n].span.bar = r->bar;
		p[n].span.offset = r->offset;
		p[n].span.length = r->length;
		n++;
	}
	for (i = 0; i < l->n_shm && i < VPL_MAX_SHM; i++) {
		p[n].cap = l->shm[i].cap;
		p[n].cfg_type = VPL_V1_SHM_CFG;
		p[n].span.bar = l->shm[i].bar;
		p[n].span.offset = l->shm[i].offset;
		p[n].span.length = l->shm[i].length;
		n++;
	}

	for (j = 0; j < n; j++) {
		for (i = 0; i < j; i++)
			if (vpl_spans_overlap(&p[i].span, &p[j].span))
				return vpl_overlap_note(l, &p[j],
							VPL_PROBLEM_OVERLAP,
							p[i].cap,
							p[i].cfg_type,
							&p[i].span);
		err = vpl_check_msix(l, &p[j]);
		if (err)
			return err;
	}
	return 0;
}

static int vpl_parse_virtio1(const struct vpl_cfg_source *src,
			     struct vpl_layout *l)
{
	int err;

	err = vpl_walk_vendor_caps(src, l, vpl_v1_visit, NULL);
	if (err)
		return err;

	if (!l->region[VPL_REGION_COMMON].present) {
		vpl_note(l, 0, VPL_V1_COMMON_CFG, VPL_PROBLEM_MISSING,
			 "cfg_type", VPL_V1_COMMON_CFG, 0);
		return -ENODEV;
	}
	if (!l->region[VPL_REGION_NOTIFY].present) {
		vpl_note(l, 0, VPL_V1_NOTIFY_CFG, VPL_PROBLEM_MISSING,
			 "cfg_type", VPL_V1_NOTIFY_CFG, 0);
		return -ENODEV;
	}
	return 0;
}

static int vpl_parse_one(const struct vpl_cfg_source *src,
			 enum vpl_dialect dialect, struct vpl_layout *l)
{
	unsigned int i;
	int err;

	/* Start from nothing located; keep the notes of earlier attempts. */
	memset(l->region, 0, sizeof(l->region));
	memset(&l->msix, 0, sizeof(l->msix));
	l->notify_mult = 0;
	l->has_pci_cfg = false;
	l->n_shm = 0;
	l->n_vendor = 0;
	l->draft_cap = 0;

	if (dialect == VPL_DIALECT_DRAFT)
		err = vpl_parse_draft(src, l);
	else
		err = vpl_parse_virtio1(src, l);
	if (err)
		return err;

	for (i = 0; i < VPL_NR_REGIONS; i++)
		l->region[i].cfg_type = vpl_region_cfg_type(dialect, i);
	err = vpl_check_overlaps(l);
	if (err)
		return err;
	l->dialect = dialect;
	return 0;
}

/* Field names of a draft location that disagrees: its BIR, its offset. */
static const char * const vpl_disagree_field[VPL_NR_REGIONS][2] = {
	[VPL_REGION_COMMON] = { "common.bir", "common.offset" },
	[VPL_REGION_NOTIFY] = { "notify.bir", "notify.offset" },
	[VPL_REGION_ISR]    = { "isr.bir", "isr.offset" },
	[VPL_REGION_DEVICE] = { "device.bir", "device.offset" },
};

/*
 * A function that shows a recognised draft chain beside usable virtio 1.x
 * capabilities describes itself twice.  dialect=auto goes with virtio 1.x,
 * the standard; every structure the draft locates elsewhere (or not at
 * all), a different multiplier, or a draft that does not resolve, is noted
 * at info level so that the disagreement shows in the kernel log without
 * reading as a failure: the layout in use is fine.  The draft attempt's own
 * notes are dropped: they are about a layout that is not used.  Vendor
 * capabilities that start no recognised chain are foreign: nothing is
 * noted.
 */
static void vpl_cross_check(const struct vpl_cfg_source *src,
			    struct vpl_layout *l)
{
	struct vpl_region v1[VPL_NR_REGIONS];
	unsigned int n_notes = l->n_notes, n_lost = l->n_lost_notes, i;
	u32 v1_mult = l->notify_mult;
	int err;

	memcpy(v1, l->region, sizeof(v1));
	memset(l->region, 0, sizeof(l->region));
	l->notify_mult = 0;
	err = vpl_parse_draft(src, l);
	l->n_notes = n_notes;
	l->n_lost_notes = n_lost;

	if (!l->draft_cap)
		goto restore;
	if (err) {
		vpl_note(l, l->draft_cap, VPL_NOTE_DRAFT, VPL_PROBLEM_DISAGREE,
			 "usable", 0, 1);
		goto info;
	}
	for (i = 0; i < VPL_NR_REGIONS; i++) {
		const struct vpl_region *a = &v1[i], *d = &l->region[i];
		u8 type = vpl_region_cfg_type(VPL_DIALECT_DRAFT, i);
		u8 cap = d->present ? d->cap : l->draft_cap;

		if (a->present != d->present)
			vpl_note(l, cap, type, VPL_PROBLEM_DISAGREE,
				 vpl_region_name(i), d->present, a->present);
		else if (a->present && a->bar != d->bar)
			vpl_note(l, cap, type, VPL_PROBLEM_DISAGREE,
				 vpl_disagree_field[i][0], d->bar, a->bar);
		else if (a->present && a->offset != d->offset)
			vpl_note(l, cap, type, VPL_PROBLEM_DISAGREE,
				 vpl_disagree_field[i][1], d->offset,
				 a->offset);
	}
	if (l->notify_mult != v1_mult && l->region[VPL_REGION_NOTIFY].present)
		vpl_note(l, l->region[VPL_REGION_NOTIFY].cap,
			 VPL_NOTE_DRAFT + VPL_DRAFT_NOTIFY, VPL_PROBLEM_DISAGREE,
			 "notify_multiplier", l->notify_mult, v1_mult);
info:
	for (i = n_notes; i < l->n_notes; i++)
		l->notes[i].info = true;
restore:
	memcpy(l->region, v1, sizeof(v1));
	l->notify_mult = v1_mult;
}

/**
 * vpl_parse() - resolve a virtio PCI function's layout
 * @src: configuration space and BARs of the function; each dword is read
 *	once at most
 * @want: VPL_DIALECT_VIRTIO1 or VPL_DIALECT_DRAFT to accept only that
 *	dialect; VPL_DIALECT_AUTO for virtio 1.x when it gives a usable
 *	layout, else the draft
 * @layout: filled with the result; cleared first
 *
 * virtio 1.x: selects the first usable common, notify, ISR and device
 * capability and every usable shared memory capability.  Draft: follows
 * the draft chain.  In both, common and notify are required; ISR and device
 * are optional (without ISR the function can only use MSI-X).  A draft
 * chain counts only when it holds a LAYOUT capability (vendor capabilities
 * shorter than 16 bytes look like draft ones).  No two structures or shared
 * memory regions may overlap, nor any of them the MSI-X table or PBA
 * (@layout->msix).  With VPL_DIALECT_AUTO, a draft chain beside a usable
 * virtio 1.x layout is compared with it, and every difference noted at info
 * level (VPL_PROBLEM_DISAGREE).  Every capability skipped, and on failure
 * the reason, is recorded in @layout->notes, the reason last.
 *
 * Return: 0 on success, with @layout->dialect set; -ENODEV if a required
 * structure is missing; -EINVAL if the located structures overlap each
 * other or the MSI-X table or PBA; the read callback's error (or -EIO) if
 * configuration space could not be read.
 */
int vpl_parse(const struct vpl_cfg_source *src, enum vpl_dialect want,
	      struct vpl_layout *layout)
{
	struct vpl_cfg_snapshot snap = { .src = src };
	struct vpl_cfg_source cached = *src;
	int err;

	BUILD_BUG_ON(VPL_CFG_SPACE_SIZE / 4 > 8 * sizeof(snap.valid));
	cached.read32 = vpl_snapshot_read;
	cached.ctx = &snap;
	src = &cached;
	memset(layout, 0, sizeof(*layout));
	if (want == VPL_DIALECT_DRAFT)
		return vpl_parse_one(src, VPL_DIALECT_DRAFT, layout);
	err = vpl_parse_one(src, VPL_DIALECT_VIRTIO1, layout);
	if (want == VPL_DIALECT_AUTO && (err == -ENODEV || err == -EINVAL))
		return vpl_parse_one(src, VPL_DIALECT_DRAFT, layout);
	if (!err && want == VPL_DIALECT_AUTO)
		vpl_cross_check(src, layout);
	return err;
}
