/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Synthetic configuration spaces for the capability parser, and what the
 * parser must make of each.  Shared by the userspace parser test
 * (tests/parser/parser_test.c) and, later, the KUnit suite, so both judge
 * the same cases.
 */
#ifndef _VPL_PARSE_CASES_H
#define _VPL_PARSE_CASES_H

#include "virtio_pci_layout/caps.h"

/* A configuration space under construction. */
struct vpl_tcfg {
	u8 b[VPL_CFG_SPACE_SIZE];
	struct vpl_bar bars[VPL_NUM_BARS];
	u8 last;	/* last capability linked into the PCI list */
};

/* One expected region; .present false means "must be absent". */
struct vpl_tregion {
	bool present;
	u8 bar;
	u32 offset;
	u32 length;
};

/* One expected note: problem, field and value. */
struct vpl_tnote {
	u8 problem;
	const char *field;
	u64 value;
};

struct vpl_parse_case {
	const char *name;
	void (*build)(struct vpl_tcfg *c);
	u8 want;			/* enum vpl_dialect asked for */
	int err;			/* expected return */
	u8 dialect;			/* expected layout.dialect on success */
	bool check_regions;
	struct vpl_tregion region[VPL_NR_REGIONS];
	u32 notify_mult;
	struct vpl_tnote note;		/* expected somewhere in the notes */
	bool no_notes;			/* and nothing else may be noted */
	bool no_errors;			/* every note is info or MISSING */
	bool check_msix;		/* the MSI-X ranges recorded are: */
	struct vpl_tregion msix_table;	/* .present: checked */
	struct vpl_tregion msix_pba;
};

extern const struct vpl_parse_case vpl_parse_cases[];
extern const unsigned int vpl_n_parse_cases;

void vpl_tcfg_init(struct vpl_tcfg *c);
int vpl_tcfg_read32(void *ctx, unsigned int off, u32 *val);

#endif /* _VPL_PARSE_CASES_H */
