// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-pci-layout: decode and validate the virtio-pci layout of a PCI
 * function, in both dialects, with the driver's own capability parser.
 *
 *   virtio-pci-layout [OPTIONS] DEVICE...
 *   virtio-pci-layout [OPTIONS] --all
 *
 * DEVICE is a PCI address (0000:00:04.0, read from sysfs), a directory
 * holding "config" and "resource" files, or a configuration space dump
 * (binary, as in sysfs, or lspci -xxx text).
 *
 * Every function is also linted (lint.c): warnings about what the parser
 * accepts but a driver or the specifications do not.
 *
 * Exit status: 0 every layout is valid; 1 a layout is invalid (the driver
 * would refuse it, or a capability had to be skipped), or with --strict
 * has a warning; 2 usage or input error, or a verdict that needs BAR sizes
 * the input did not give.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"

#ifndef VPL_VERSION
#define VPL_VERSION "unknown"
#endif

#define EXIT_INVALID	1
#define EXIT_ERROR	2

static void usage(FILE *f)
{
	fprintf(f,
		"usage: virtio-pci-layout [OPTIONS] DEVICE...\n"
		"       virtio-pci-layout [OPTIONS] --all\n"
		"\n"
		"Decodes and validates the virtio-pci layout of PCI functions in both\n"
		"dialects (virtio 1.x and the draft), with virtio-pci-layout's parser.\n"
		"DEVICE: a PCI address (0000:00:04.0), a directory with config and\n"
		"resource files, or a configuration space dump (binary or lspci -xxx).\n"
		"\n"
		"  -a, --all              every virtio PCI function in sysfs\n"
		"  -j, --json             JSON (an array, one object per function)\n"
		"  -d, --dialect DIALECT  auto (default), virtio1 or draft, as the\n"
		"                         driver's dialect= parameter\n"
		"  -b, --bar N=SIZE[:io|:mem]  size of BAR N for a dump (repeatable)\n"
		"  -r, --resource FILE    BAR sizes from a copy of sysfs's resource file\n"
		"  -f, --features HEX     the device features the function offers, for\n"
		"                         the linter's device configuration check\n"
		"  -s, --strict           a linter warning makes the exit status 1\n"
		"      --sysfs DIR        sysfs mount point (default /sys)\n"
		"  -V, --version          print the version\n"
		"  -h, --help             this text\n"
		"\n"
		"Exit status: 0 valid, 1 invalid (or --strict and a warning), 2 error\n"
		"or BAR sizes missing.\n");
}

static int parse_dialect(const char *s, enum vpl_dialect *d)
{
	if (!strcmp(s, "auto"))
		*d = VPL_DIALECT_AUTO;
	else if (!strcmp(s, "virtio1"))
		*d = VPL_DIALECT_VIRTIO1;
	else if (!strcmp(s, "draft"))
		*d = VPL_DIALECT_DRAFT;
	else
		return -EINVAL;
	return 0;
}

static int parse_features(const char *s, u64 *features)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 16);
	if (errno || end == s || *end || *s == '-')
		return -EINVAL;
	*features = v;
	return 0;
}

static int dev_read32(void *ctx, unsigned int off, u32 *val)
{
	const struct vpl_tool_dev *d = ctx;

	if (off % 4 || off + 4 > d->cfg_len || off + 4 > VPL_CFG_SPACE_SIZE)
		return -EIO;
	*val = vpl_cfg32(d, off);
	return 0;
}

/*
 * A dialect that is simply not there: the parser's only complaint is that
 * the first structure it needs (virtio 1.x common configuration, draft
 * VIRTIO_PCI_C_LAYOUT; both numbered 1) does not exist.  Anything else, a
 * rejected capability or a later structure missing, makes it invalid.
 */
static bool dialect_absent(const struct vpl_layout *l)
{
	_Static_assert(VPL_V1_COMMON_CFG == 1 && VPL_DRAFT_LAYOUT == 1,
		       "the first required structure is not 1 in both dialects");
	return l->n_notes == 1 && !l->n_lost_notes &&
	       l->notes[0].problem == VPL_PROBLEM_MISSING &&
	       l->notes[0].value == 1;
}

/*
 * Notes that make a layout only usable: any but those on vendor data
 * capabilities, which nothing uses (the linter warns about them).
 */
static bool refused_something(const struct vpl_layout *l)
{
	unsigned int i;

	if (l->n_lost_notes)
		return true;
	for (i = 0; i < l->n_notes; i++)
		if (l->notes[i].cfg_type != VPL_V1_VENDOR_CFG)
			return true;
	return false;
}

static u8 dialect_state(int result, const struct vpl_layout *l)
{
	if (!result)
		return refused_something(l) ? VPL_STATE_USABLE :
					      VPL_STATE_VALID;
	if (result == -ENODEV && dialect_absent(l))
		return VPL_STATE_ABSENT;
	return VPL_STATE_INVALID;
}

/*
 * A BAR the header implements but whose size the input did not give is
 * passed to the parser with length 0, which it reports as absent.  Such a
 * report says nothing about the device, so the verdict is unknown.
 */
static const char *unsized_bar_hint(const struct vpl_tool_dev *d)
{
	unsigned int i, n;

	for (i = 0; i < VPL_TOOL_NR_DIALECTS; i++) {
		const struct vpl_layout *l = &d->layout[i];

		if (d->state[i] == VPL_STATE_SKIPPED)
			continue;
		for (n = 0; n < l->n_notes; n++) {
			const struct vpl_note *note = &l->notes[n];

			if (note->problem == VPL_PROBLEM_BAR_ABSENT &&
			    note->value < VPL_NUM_BARS &&
			    d->bars[note->value].type != VPL_BAR_NONE &&
			    !d->bars[note->value].sized)
				return "a BAR the layout uses has no known size: give --bar N=SIZE or --resource FILE";
		}
	}
	return NULL;
}

/* Runs the driver's parser for each dialect and reaches the verdict. */
static void judge(struct vpl_tool_dev *d, enum vpl_dialect want)
{
	static const enum vpl_dialect as_parser[VPL_TOOL_NR_DIALECTS] = {
		[VPL_TOOL_V1] = VPL_DIALECT_VIRTIO1,
		[VPL_TOOL_DRAFT] = VPL_DIALECT_DRAFT,
	};
	struct vpl_cfg_source src = { .read32 = dev_read32, .ctx = d };
	unsigned int i;

	for (i = 0; i < VPL_NUM_BARS; i++) {
		src.bars[i].type = d->bars[i].type;
		src.bars[i].len = d->bars[i].len;
	}
	d->valid = true;
	for (i = 0; i < VPL_TOOL_NR_DIALECTS; i++) {
		if (want != VPL_DIALECT_AUTO && want != as_parser[i]) {
			d->state[i] = VPL_STATE_SKIPPED;
			d->result[i] = -ENODEV;
			continue;
		}
		d->result[i] = vpl_parse(&src, as_parser[i], &d->layout[i]);
		d->state[i] = dialect_state(d->result[i], &d->layout[i]);
		if (d->state[i] != VPL_STATE_VALID &&
		    d->state[i] != VPL_STATE_ABSENT)
			d->valid = false;
	}
	/*
	 * Both resolve: parse virtio 1.x again as the driver does with
	 * dialect=auto, which compares the draft with it and notes where they
	 * disagree; a disagreement makes the virtio 1.x layout "usable".
	 */
	if (want == VPL_DIALECT_AUTO && !d->result[VPL_TOOL_V1] &&
	    !d->result[VPL_TOOL_DRAFT]) {
		d->result[VPL_TOOL_V1] = vpl_parse(&src, VPL_DIALECT_AUTO,
						   &d->layout[VPL_TOOL_V1]);
		d->state[VPL_TOOL_V1] = dialect_state(d->result[VPL_TOOL_V1],
						      &d->layout[VPL_TOOL_V1]);
		if (d->state[VPL_TOOL_V1] != VPL_STATE_VALID)
			d->valid = false;
	}
	/* The driver's choice: dialect=auto takes virtio 1.x when it resolves. */
	d->chosen = -1;
	for (i = 0; i < VPL_TOOL_NR_DIALECTS && d->chosen < 0; i++)
		if (d->state[i] != VPL_STATE_SKIPPED && !d->result[i])
			d->chosen = i;
	if (d->chosen < 0 || vpl_tool_virtio_id(d) < 0) {
		d->chosen = vpl_tool_virtio_id(d) < 0 ? -1 : d->chosen;
		d->valid = false;
	}
	d->hint = unsized_bar_hint(d);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "dialect", required_argument, NULL, 'd' },
		{ "bar", required_argument, NULL, 'b' },
		{ "resource", required_argument, NULL, 'r' },
		{ "sysfs", required_argument, NULL, 'S' },
		{ "features", required_argument, NULL, 'f' },
		{ "strict", no_argument, NULL, 's' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vpl_tool_opts o = { .sysfs = "/sys", .dialect = VPL_DIALECT_AUTO };
	static struct vpl_tool_dev dev;
	char **names = NULL, err[512];
	size_t n = 0, i;
	bool all = false, first = true;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "ajd:b:r:f:sVh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'j':
			o.json = true;
			break;
		case 'd':
			if (parse_dialect(optarg, &o.dialect)) {
				fprintf(stderr, "virtio-pci-layout: --dialect: auto, virtio1 or draft, not '%s'\n",
					optarg);
				return EXIT_ERROR;
			}
			break;
		case 'b':
			if (vpl_parse_bar_opt(&o, optarg)) {
				fprintf(stderr, "virtio-pci-layout: --bar: N=SIZE[:io|:mem] with N 0-5, not '%s'\n",
					optarg);
				return EXIT_ERROR;
			}
			break;
		case 'r':
			o.resource = optarg;
			break;
		case 'S':
			o.sysfs = optarg;
			break;
		case 'f':
			if (parse_features(optarg, &o.features)) {
				fprintf(stderr, "virtio-pci-layout: --features: a hexadecimal number of up to 64 bits, not '%s'\n",
					optarg);
				return EXIT_ERROR;
			}
			o.features_known = true;
			break;
		case 's':
			o.strict = true;
			break;
		case 'V':
			printf("virtio-pci-layout %s\n", VPL_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (all == (optind < argc)) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (all) {
		if (vpl_list_virtio(o.sysfs, &names, &n)) {
			fprintf(stderr, "virtio-pci-layout: cannot list %s/bus/pci/devices\n",
				o.sysfs);
			return EXIT_ERROR;
		}
		if (!n)
			fprintf(stderr, "virtio-pci-layout: no virtio PCI function in %s\n",
				o.sysfs);
	} else {
		names = argv + optind;
		n = argc - optind;
	}

	if (o.json)
		printf("[");
	for (i = 0; i < n; i++) {
		if (vpl_load_source(&dev, &o, names[i], err, sizeof(err))) {
			fprintf(stderr, "virtio-pci-layout: %s\n", err);
			rc = EXIT_ERROR;
			continue;
		}
		judge(&dev, o.dialect);
		dev.features = o.features;
		dev.features_known = o.features_known;
		vpl_lint(&dev);
		if (o.json) {
			vpl_report_json(&dev, first);
		} else {
			if (!first)
				printf("\n");
			vpl_report_text(&dev);
		}
		first = false;
		if (dev.hint)
			rc = EXIT_ERROR;
		else if ((!dev.valid || (o.strict && dev.n_warnings)) &&
			 rc != EXIT_ERROR)
			rc = EXIT_INVALID;
	}
	if (o.json)
		printf("%s]\n", first ? "" : "\n");
	if (all) {
		for (i = 0; i < n; i++)
			free(names[i]);
		free(names);
	}
	return rc;
}
