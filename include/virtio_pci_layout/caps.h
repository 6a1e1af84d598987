/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-pci-layout capability parser: the interface.
 *
 * The parser walks a PCI function's capability list and resolves where the
 * virtio structures (common configuration, notification area, ISR, device
 * configuration, shared memory) live.  It performs no I/O of its own: it
 * reads configuration space through a callback and is told the BAR sizes,
 * so the driver, KUnit, a userspace fuzzer and the layout tool all compile
 * the same source file.  Nothing it reads is trusted.
 */
#ifndef _VIRTIO_PCI_LAYOUT_CAPS_H
#define _VIRTIO_PCI_LAYOUT_CAPS_H

/* Userspace builds supply u8..u64 and bool with tools/include/vpl-user.h. */
#ifdef __KERNEL__
#include <linux/types.h>
#endif

#define VPL_NUM_BARS		6
#define VPL_MAX_SHM		16
#define VPL_MAX_VENDOR		8
#define VPL_MAX_NOTES		16

/* PCI configuration space the parser looks at (standard header + caps). */
#define VPL_CFG_SPACE_SIZE	256
#define VPL_CAP_ID_VNDR		0x09
#define VPL_CAP_ID_MSIX		0x11

/* MSI-X capability (PCI Local Bus 3.0 §6.8.2), byte offsets. */
#define VPL_MSIX_FLAGS		2	/* Message Control */
#define VPL_MSIX_QSIZE		0x7ff	/* ...bits 10:0: table size - 1 */
#define VPL_MSIX_TABLE		4	/* Table Offset/Table BIR */
#define VPL_MSIX_PBA		8	/* PBA Offset/PBA BIR */
#define VPL_MSIX_BIR_MASK	0x7u	/* BIR in bits 2:0 */
#define VPL_MSIX_CAP_SIZE	12
#define VPL_MSIX_ENTRY_SIZE	16

/* virtio 1.x vendor capability (virtio 1.2 §4.1.4), byte offsets. */
#define VPL_V1_CAP_LEN		2
#define VPL_V1_CAP_CFG_TYPE	3
#define VPL_V1_CAP_BAR		4
#define VPL_V1_CAP_ID		5
#define VPL_V1_CAP_OFFSET	8
#define VPL_V1_CAP_LENGTH	12
#define VPL_V1_CAP_NOTIFY_MULT	16
#define VPL_V1_CAP_OFFSET_HI	16
#define VPL_V1_CAP_LENGTH_HI	20
#define VPL_V1_CAP_SIZE		16	/* struct virtio_pci_cap */
#define VPL_V1_NOTIFY_CAP_SIZE	20	/* struct virtio_pci_notify_cap */
#define VPL_V1_CAP64_SIZE	24	/* struct virtio_pci_cap64 */

/* cfg_type values (virtio 1.2 §4.1.4). */
#define VPL_V1_COMMON_CFG	1
#define VPL_V1_NOTIFY_CFG	2
#define VPL_V1_ISR_CFG		3
#define VPL_V1_DEVICE_CFG	4
#define VPL_V1_PCI_CFG		5
#define VPL_V1_SHM_CFG		8
#define VPL_V1_VENDOR_CFG	9	/* vendor data */

/* struct virtio_pci_vndr_data: the header, vendor_id, padding to a dword. */
#define VPL_V1_VENDOR_ID	4
#define VPL_V1_VENDOR_CAP_SIZE	8

/* Smallest common configuration: struct virtio_pci_common_cfg. */
#define VPL_COMMON_MIN_LEN	56
/* ...and with queue_notify_data and queue_reset (virtio 1.2). */
#define VPL_COMMON_MAX_LEN	60

/* The draft dialect (Documentation/draft-layout.rst), byte offsets. */
#define VPL_DRAFT_CAP_ID	2	/* virtio-pci cap ID, 1..15 */
#define VPL_DRAFT_CAP_NEXT	3	/* next draft capability, 0 ends */
#define VPL_DRAFT_LOC1		4	/* first location / value dword */
#define VPL_DRAFT_LOC2		8	/* second location / value dword */
#define VPL_DRAFT_MAX_ID	15
#define VPL_DRAFT_BIR_MASK	0x7u	/* location: BIR in bits 2:0 */
#define VPL_DRAFT_LAYOUT	1	/* VIRTIO_PCI_C_LAYOUT: common, device */
#define VPL_DRAFT_NOTIFY	2	/* VIRTIO_PCI_C_NOTIFY: region, multiplier */
#define VPL_DRAFT_ISR		3	/* VIRTIO_PCI_C_ISR: ISR status byte */
#define VPL_DRAFT_LAYOUT_SIZE	12	/* also VIRTIO_PCI_C_NOTIFY's size */
#define VPL_DRAFT_ISR_SIZE	8
#define VPL_DRAFT_DEVICE_MAX_LEN 4096

/* Note cfg_type for draft capabilities: VPL_NOTE_DRAFT + cap ID. */
#define VPL_NOTE_DRAFT		0x40
/* Note other_type of the MSI-X table and PBA (VPL_PROBLEM_MSIX_*). */
#define VPL_NOTE_MSIX_TABLE	0x80
#define VPL_NOTE_MSIX_PBA	0x81

/** enum vpl_bar_type - what a BAR decodes, as the caller found it */
enum vpl_bar_type {
	VPL_BAR_NONE,		/* unimplemented, or upper half of a 64-bit BAR */
	VPL_BAR_MEM,
	VPL_BAR_IO,
};

/**
 * struct vpl_bar - one base address register
 * @type: enum vpl_bar_type
 * @len: size of the region it decodes, 0 if none
 */
struct vpl_bar {
	u8 type;
	u64 len;
};

/**
 * struct vpl_cfg_source - where the parser reads from
 * @read32: reads the little-endian dword at @off (dword-aligned, below
 *	VPL_CFG_SPACE_SIZE) of configuration space into @val, in CPU order;
 *	returns 0 or a negative errno
 * @ctx: passed to @read32
 * @bars: the function's BARs
 */
struct vpl_cfg_source {
	int (*read32)(void *ctx, unsigned int off, u32 *val);
	void *ctx;
	struct vpl_bar bars[VPL_NUM_BARS];
};

/** enum vpl_region_id - the structures a layout locates */
enum vpl_region_id {
	VPL_REGION_COMMON,
	VPL_REGION_NOTIFY,
	VPL_REGION_ISR,
	VPL_REGION_DEVICE,
	VPL_NR_REGIONS,
};

/**
 * struct vpl_region - one located structure
 * @present: the structure was found and is valid
 * @cfg_type: type of the capability that named it, as in struct vpl_note
 * @cap: configuration-space offset of the capability that named it
 * @bar: BAR index
 * @offset: byte offset in the BAR
 * @length: length the capability gave (virtio 1.x) or the dialect implies
 *	(draft), validated against the BAR
 */
struct vpl_region {
	bool present;
	u8 cfg_type;
	u8 cap;
	u8 bar;
	u32 offset;
	u32 length;
};

/**
 * struct vpl_shm - one shared memory region (VIRTIO_PCI_CAP_SHARED_MEMORY_CFG)
 * @cap: configuration-space offset of its capability
 * @id: shared memory region ID
 * @bar: BAR index (always a memory BAR)
 * @offset: byte offset in the BAR
 * @length: length in bytes, offset + length within the BAR
 */
struct vpl_shm {
	u8 cap;
	u8 id;
	u8 bar;
	u64 offset;
	u64 length;
};

/**
 * struct vpl_vendor - one vendor data capability (VIRTIO_PCI_CAP_VENDOR_CFG)
 * @cap: configuration-space offset of the capability
 * @len: its cap_len (a multiple of 4, at least 8)
 * @vendor_id: the PCI-SIG vendor ID that defines its contents
 *
 * Shown, never interpreted: the spec lets a driver use it for reporting
 * only, and only after qualifying the vendor ID.
 */
struct vpl_vendor {
	u8 cap;
	u8 len;
	u16 vendor_id;
};

/** enum vpl_problem - why the parser rejected something */
enum vpl_problem {
	VPL_PROBLEM_NONE,
	VPL_PROBLEM_READ,	/* the configuration read callback failed */
	VPL_PROBLEM_CAP_PTR,	/* next pointer into the header or past the end */
	VPL_PROBLEM_CAP_LOOP,	/* capability list revisits a capability */
	VPL_PROBLEM_CAP_LEN,	/* cap_len too small or past config space */
	VPL_PROBLEM_BAR_INDEX,	/* BAR index is not 0..5 */
	VPL_PROBLEM_BAR_ABSENT,	/* BAR not implemented / upper half of 64-bit */
	VPL_PROBLEM_BAR_TYPE,	/* wrong BAR type for the structure */
	VPL_PROBLEM_RANGE,	/* offset + length past the BAR's end */
	VPL_PROBLEM_TOO_SHORT,	/* length below the structure's minimum */
	VPL_PROBLEM_ALIGN,	/* offset not aligned as the spec requires */
	VPL_PROBLEM_MULTIPLIER,	/* notify_off_multiplier neither 0 nor 2^n, n>0 */
	VPL_PROBLEM_OVERLAP,	/* two structures share bytes */
	VPL_PROBLEM_MISSING,	/* a required structure was not found */
	VPL_PROBLEM_TOO_MANY,	/* more shared memory regions than supported */
	VPL_PROBLEM_DISAGREE,	/* the draft locates a structure elsewhere */
	VPL_PROBLEM_MSIX_TABLE,	/* a region overlaps the MSI-X table */
	VPL_PROBLEM_MSIX_PBA,	/* a region overlaps the MSI-X PBA */
	VPL_PROBLEM_VENDOR_ID,	/* vendor data names virtio's own vendor ID */
	VPL_NR_PROBLEMS,
};

/**
 * struct vpl_span - a byte range in a BAR
 * @bar: BAR index
 * @offset: byte offset in the BAR
 * @length: length in bytes
 */
struct vpl_span {
	u8 bar;
	u64 offset;
	u64 length;
};

/**
 * struct vpl_note - one thing the parser rejected, with the evidence
 * @cap: configuration-space offset of the capability (0: the list itself)
 * @cfg_type: the capability's structure type (virtio 1.x cfg_type, or
 *	VPL_NOTE_DRAFT + draft cap ID; 0 for the PCI capability list)
 * @problem: enum vpl_problem
 * @field: name of the offending field, as the spec spells it
 * @value: the value the device presented
 * @limit: the bound it broke (meaning depends on @problem; for
 *	VPL_PROBLEM_DISAGREE the virtio 1.x layout's value; for the overlap
 *	problems the end of the range it overlaps)
 * @info: informational only, print at info level: nothing the layout uses
 *	was refused (the draft cross-check's disagreements, and a vendor
 *	capability too short to be a virtio 1.x one, which may be foreign)
 * @overlap: an overlap problem (VPL_PROBLEM_OVERLAP, VPL_PROBLEM_MSIX_*):
 *	@span, @other_cap, @other_type and @other are set
 * @span: the range of the region the capability at @cap locates
 * @other_cap: configuration-space offset of the capability that locates
 *	what it overlaps (the MSI-X capability for VPL_PROBLEM_MSIX_*)
 * @other_type: what it overlaps, as @cfg_type, or VPL_NOTE_MSIX_TABLE or
 *	VPL_NOTE_MSIX_PBA
 * @other: the range it overlaps
 */
struct vpl_note {
	u8 cap;
	u8 cfg_type;
	u8 problem;
	const char *field;
	u64 value;
	u64 limit;
	bool info;
	bool overlap;
	struct vpl_span span;
	u8 other_cap;
	u8 other_type;
	struct vpl_span other;
};

/**
 * struct vpl_msix_range - the MSI-X table or PBA, as the MSI-X capability
 *	places it
 * @checked: @bar names an implemented memory BAR, so the range was checked
 *	against every structure and shared memory region; false for BIR 6 or
 *	7, an absent BAR or an I/O BAR (the PCI core refuses or never maps
 *	such a table; the layout is not refused for it)
 * @bar: the BIR field (0..7)
 * @offset: the offset field: the register with the BIR bits cleared
 * @length: table: entries x 16 bytes; PBA: one bit per entry, rounded up
 *	to whole qwords
 */
struct vpl_msix_range {
	bool checked;
	u8 bar;
	u32 offset;
	u32 length;
};

/**
 * struct vpl_msix - the function's MSI-X capability, as the parser read it
 * @cap: configuration-space offset of the first MSI-X capability in the
 *	PCI list; 0 if none (then @table and @pba are unused)
 * @entries: table size in entries (Message Control bits 10:0, plus one)
 * @table: the MSI-X table
 * @pba: the Pending Bit Array
 */
struct vpl_msix {
	u8 cap;
	u16 entries;
	struct vpl_msix_range table;
	struct vpl_msix_range pba;
};

/* PCI device IDs of virtio functions (virtio 1.2 §4.1.2.1). */
#define VPL_PCI_VENDOR_VIRTIO		0x1af4
#define VPL_PCI_ID_TRANSITIONAL_FIRST	0x1000
#define VPL_PCI_ID_TRANSITIONAL_LAST	0x103f
#define VPL_PCI_ID_MODERN_BASE		0x1040
#define VPL_PCI_ID_MODERN_LAST		0x107f

/** enum vpl_dialect - which capability dialect describes the layout */
enum vpl_dialect {
	VPL_DIALECT_NONE,	/* none resolved (yet) */
	VPL_DIALECT_VIRTIO1,	/* virtio 1.x vendor capabilities */
	VPL_DIALECT_DRAFT,	/* the draft's VIRTIO_PCI_C_* chain */
	VPL_DIALECT_AUTO,	/* asked for: virtio 1.x, else the draft */
};

/**
 * struct vpl_layout - a resolved, validated virtio-pci layout
 * @dialect: enum vpl_dialect
 * @region: the located structures, indexed by enum vpl_region_id
 * @notify_mult: notify_off_multiplier (0 or a power of two >= 2)
 * @has_pci_cfg: a VIRTIO_PCI_CAP_PCI_CFG access window exists
 * @n_shm: entries used in @shm
 * @shm: shared memory regions, in capability order
 * @n_vendor: entries used in @vendor
 * @vendor: vendor data capabilities, in capability order
 * @draft_cap: start of the draft chain the parser recognised
 *	(Documentation/draft-layout.rst), 0 if none
 * @msix: where the MSI-X table and PBA lie; no structure or shared memory
 *	region of an accepted layout overlaps them
 * @n_notes: entries used in @notes
 * @n_lost_notes: notes that did not fit in @notes
 * @notes: every capability rejected and why, in walk order; when the parse
 *	fails, the last note is the reason
 */
struct vpl_layout {
	u8 dialect;
	struct vpl_region region[VPL_NR_REGIONS];
	u32 notify_mult;
	bool has_pci_cfg;
	unsigned int n_shm;
	struct vpl_shm shm[VPL_MAX_SHM];
	unsigned int n_vendor;
	struct vpl_vendor vendor[VPL_MAX_VENDOR];
	u8 draft_cap;
	struct vpl_msix msix;
	unsigned int n_notes;
	unsigned int n_lost_notes;
	struct vpl_note notes[VPL_MAX_NOTES];
};

int vpl_parse(const struct vpl_cfg_source *src, enum vpl_dialect want,
	      struct vpl_layout *layout);
const char *vpl_problem_str(unsigned int problem);
const char *vpl_problem_key(unsigned int problem);
const char *vpl_region_name(unsigned int region);
const char *vpl_cfg_type_name(unsigned int cfg_type);
const char *vpl_dialect_name(unsigned int dialect);
int vpl_virtio_id(u16 device, u16 subsystem_device);
int vpl_format_note(char *buf, size_t size, const struct vpl_note *note);

#endif /* _VIRTIO_PCI_LAYOUT_CAPS_H */
