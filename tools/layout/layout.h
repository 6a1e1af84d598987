/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-pci-layout (the tool): what one examined PCI function looks like
 * between reading it (input.c), judging it with the driver's own parser
 * (main.c) and printing it (report.c).
 */
#ifndef _VPL_TOOL_LAYOUT_H
#define _VPL_TOOL_LAYOUT_H

#include "virtio_pci_layout/caps.h"

/* Extended configuration space: the most a sysfs config file holds. */
#define VPL_TOOL_CFG_MAX	4096

/* The two dialects, in the order they are reported. */
enum vpl_tool_dialect {
	VPL_TOOL_V1,
	VPL_TOOL_DRAFT,
	VPL_TOOL_NR_DIALECTS,
};

/* What one dialect made of the function. */
enum vpl_tool_state {
	VPL_STATE_VALID,	/* resolves, nothing rejected */
	VPL_STATE_USABLE,	/* resolves, but capabilities were rejected */
	VPL_STATE_ABSENT,	/* the dialect's capabilities are not there */
	VPL_STATE_INVALID,	/* present, but no usable layout */
	VPL_STATE_SKIPPED,	/* not asked for (--dialect) */
};

/**
 * struct vpl_tool_bar - one BAR as the tool learnt it
 * @type: enum vpl_bar_type
 * @is64: a 64-bit memory BAR (the next BAR is its upper half)
 * @addr: base address from the header or the resource file
 * @len: size in bytes; 0 when unknown or unimplemented
 * @sized: @len came from a resource file or --bar, not a guess
 */
struct vpl_tool_bar {
	u8 type;
	bool is64;
	u64 addr;
	u64 len;
	bool sized;
};

/* The most linter warnings kept per function. */
#define VPL_TOOL_LINT_MAX	16

/**
 * struct vpl_tool_lint - one linter warning
 * @key: stable name of the rule (lint.c)
 * @advice: a note on what the input cannot tell (--strict ignores it)
 * @text: what is wrong, with the values
 */
struct vpl_tool_lint {
	const char *key;
	bool advice;
	char text[320];
};

/**
 * struct vpl_tool_dev - one function under examination
 * @source: what the user named (path or PCI address), for messages
 * @cfg: configuration space bytes read
 * @cfg_len: how many of @cfg are valid
 * @bars: the BARs, from the header, resource file and --bar options
 * @result: per dialect, vpl_parse()'s return value
 * @layout: per dialect, what vpl_parse() resolved
 * @state: per dialect, enum vpl_tool_state
 * @chosen: dialect the driver would use (enum vpl_tool_dialect), or -1
 * @valid: the verdict
 * @hint: why the verdict cannot be trusted (BAR sizes unknown), or NULL
 * @features: the device features it offers (--features), if @features_known
 * @features_known: --features was given
 * @n_warnings: entries of @lint that are warnings, not advice
 * @n_lint: entries used in @lint
 * @n_lost_lint: warnings that did not fit in @lint
 * @lint: the linter's warnings (lint.c), in the order found
 */
struct vpl_tool_dev {
	const char *source;
	u8 cfg[VPL_TOOL_CFG_MAX];
	size_t cfg_len;
	struct vpl_tool_bar bars[VPL_NUM_BARS];
	int result[VPL_TOOL_NR_DIALECTS];
	struct vpl_layout layout[VPL_TOOL_NR_DIALECTS];
	u8 state[VPL_TOOL_NR_DIALECTS];
	int chosen;
	bool valid;
	const char *hint;
	u64 features;
	bool features_known;
	unsigned int n_warnings;
	unsigned int n_lint;
	unsigned int n_lost_lint;
	struct vpl_tool_lint lint[VPL_TOOL_LINT_MAX];
};

/* Options that apply to every function examined. */
struct vpl_tool_opts {
	const char *sysfs;		/* root of sysfs, normally "/sys" */
	const char *resource;		/* --resource FILE, or NULL */
	enum vpl_dialect dialect;	/* --dialect */
	bool json;
	bool strict;			/* --strict: a warning is exit 1 */
	bool features_known;		/* --features was given... */
	u64 features;			/* ...with these bits */
	struct vpl_tool_bar bar_override[VPL_NUM_BARS];
	bool bar_given[VPL_NUM_BARS];
};

/* input.c */
u16 vpl_cfg16(const struct vpl_tool_dev *d, unsigned int off);
u32 vpl_cfg32(const struct vpl_tool_dev *d, unsigned int off);
int vpl_load_source(struct vpl_tool_dev *d, const struct vpl_tool_opts *o,
		    const char *arg, char *err, size_t errlen);
int vpl_parse_bar_opt(struct vpl_tool_opts *o, const char *arg);
int vpl_list_virtio(const char *sysfs, char ***names, size_t *n);

/* lint.c */
void vpl_lint(struct vpl_tool_dev *d);

/* report.c */
int vpl_tool_virtio_id(const struct vpl_tool_dev *d);
const char *vpl_virtio_name(int id);
const char *vpl_state_name(unsigned int state);
const char *vpl_dialect_key(unsigned int dialect);
void vpl_report_text(const struct vpl_tool_dev *d);
void vpl_report_json(const struct vpl_tool_dev *d, bool first);

#endif /* _VPL_TOOL_LAYOUT_H */
