// SPDX-License-Identifier: GPL-2.0
/*
 * gen_cases: writes every case of the layout catalogue (tests/layouts) as input for
 * the layout tool, so that the tool is judged on the same configuration
 * spaces as the parser.  For each case NAME, in the directory given:
 *
 *   NAME.cfg     the 256-byte configuration space, as a binary dump, with
 *                BAR registers filled in for the BARs the case implements
 *   NAME.args    the tool's options, one per line: --dialect as the case
 *                asks the parser, --bar N=SIZE for every implemented BAR
 *   NAME.expect  "exit N", then lines the tool's facts (facts.jq) must
 *                contain: the dialect chosen, the regions when the case
 *                checks them, the state of the dialect the case is about
 *                and the problem the case expects, the vendor data
 *                capability it records (VENDOR); with LINT or
 *                NO_LINT, the linter's warnings ("warnings KEY ..." or
 *                "warnings none")
 *
 * and the list of names in cases.list.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../layouts/layouts.h"

#define PCI_BASE_ADDRESS_0	0x10

static void put32(u8 *b, unsigned int off, u32 v)
{
	b[off] = v;
	b[off + 1] = v >> 8;
	b[off + 2] = v >> 16;
	b[off + 3] = v >> 24;
}

/*
 * Gives each implemented BAR a base address register, as firmware would
 * have assigned it: I/O BARs at 0xc000, memory BARs 64-bit when the next
 * BAR is free to be their upper half (QEMU's BAR4/BAR5), else 32-bit.
 */
static void fill_bars(struct vpl_lspace *c)
{
	unsigned int i;

	for (i = 0; i < VPL_NUM_BARS; i++) {
		unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * i;
		u64 addr;

		if (c->bars[i].type == VPL_BAR_IO) {
			put32(c->b, reg, 0xc000 | 1);
		} else if (c->bars[i].type == VPL_BAR_MEM) {
			if (i + 1 < VPL_NUM_BARS &&
			    c->bars[i + 1].type == VPL_BAR_NONE) {
				addr = 0x800000000ULL + (u64)i * 0x100000000ULL;
				put32(c->b, reg, (u32)addr | 0x4);
				put32(c->b, reg + 4, addr >> 32);
				i++;
			} else {
				put32(c->b, reg, 0xfe000000u + i * 0x100000);
			}
		}
	}
}

static int write_file(const char *dir, const char *name, const char *ext,
		      const void *data, size_t len)
{
	char path[512];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return -errno;
	}
	ok = fwrite(data, 1, len, f) == len;
	if (fclose(f) || !ok) {
		perror(path);
		return -EIO;
	}
	return 0;
}

/* Appends a formatted line to @buf of size @size at *@pos. */
static void add(char *buf, size_t size, size_t *pos, const char *line)
{
	size_t n = strlen(line);

	if (*pos + n + 1 < size) {
		memcpy(buf + *pos, line, n);
		buf[*pos + n] = '\n';
		*pos += n + 1;
		buf[*pos] = '\0';
	}
}

static int write_case(const char *dir, const struct vpl_lcase *t)
{
	char args[512] = "", expect[1024] = "", line[128];
	size_t na = 0, ne = 0;
	struct vpl_lspace cfg;
	/*
	 * The tool exits 1 for a refused layout and for a skipped capability,
	 * but not for a vendor data capability set aside (a case expecting
	 * none, NO_VENDOR, with a note): nothing uses it; the linter warns.
	 */
	bool refuses = t->note.field && !(t->check_vendor && !t->vendor_len);
	u8 note_dialect;
	unsigned int i;
	int err;

	vpl_lspace_qemu(&cfg);
	if (vpl_lspace_apply(&cfg, t, line, sizeof(line))) {
		fprintf(stderr, "%s: %s\n", t->name, line);
		return -EINVAL;
	}
	fill_bars(&cfg);

	snprintf(line, sizeof(line), "--dialect=%s", vpl_dialect_name(t->want));
	add(args, sizeof(args), &na, line);
	for (i = 0; i < VPL_NUM_BARS; i++) {
		if (cfg.bars[i].type == VPL_BAR_NONE)
			continue;
		snprintf(line, sizeof(line), "--bar=%u=0x%llx", i,
			 (unsigned long long)cfg.bars[i].len);
		add(args, sizeof(args), &na, line);
	}

	snprintf(line, sizeof(line), "exit %d", t->err || refuses);
	add(expect, sizeof(expect), &ne, line);
	snprintf(line, sizeof(line), "selected %s",
		 t->err ? "none" : vpl_dialect_name(t->dialect));
	add(expect, sizeof(expect), &ne, line);
	for (i = 0; t->check_regions && i < VPL_NR_REGIONS; i++) {
		const struct vpl_lregion *r = &t->region[i];

		if (r->present)
			snprintf(line, sizeof(line), "region %s %u 0x%x 0x%x",
				 vpl_region_name(i), r->bar, r->offset,
				 r->length);
		else
			snprintf(line, sizeof(line), "region %s none",
				 vpl_region_name(i));
		add(expect, sizeof(expect), &ne, line);
	}
	if (t->check_regions) {
		snprintf(line, sizeof(line), "notify_off_multiplier %u",
			 t->notify_mult);
		add(expect, sizeof(expect), &ne, line);
	}
	/*
	 * The note is the one the dialect that was (or failed to be) used
	 * gave; dialect=auto fails with the draft, which it tries last.
	 */
	note_dialect = t->err ? t->want : t->dialect;
	if (note_dialect == VPL_DIALECT_AUTO)
		note_dialect = VPL_DIALECT_DRAFT;
	/*
	 * Its state: a failed dialect whose first structure is missing is
	 * absent, any other failure invalid; a layout that resolved is usable
	 * when a capability was rejected on the way, else valid.
	 */
	if (t->err)
		snprintf(line, sizeof(line), "state %s %s",
			 vpl_dialect_name(note_dialect),
			 t->note.problem == VPL_PROBLEM_MISSING &&
			 t->note.value == 1 ? "absent" : "invalid");
	else
		snprintf(line, sizeof(line), "state %s %s",
			 vpl_dialect_name(note_dialect),
			 refuses ? "usable" : "valid");
	add(expect, sizeof(expect), &ne, line);
	if (t->note.field) {
		snprintf(line, sizeof(line), "problem %s %s %s 0x%llx",
			 vpl_dialect_name(note_dialect), vpl_problem_key(t->note.problem),
			 t->note.field, (unsigned long long)t->note.value);
		add(expect, sizeof(expect), &ne, line);
	}

	if (t->check_vendor && t->vendor_len) {
		snprintf(line, sizeof(line), "vendor_data 0x%x %u",
			 t->vendor_id, t->vendor_len);
		add(expect, sizeof(expect), &ne, line);
	} else if (t->check_vendor) {
		add(expect, sizeof(expect), &ne, "vendor_data none");
	}
	if (t->lint) {
		snprintf(line, sizeof(line), "warnings %s", t->lint);
		add(expect, sizeof(expect), &ne, line);
	}

	err = write_file(dir, t->name, "cfg", cfg.b, sizeof(cfg.b));
	if (!err)
		err = write_file(dir, t->name, "args", args, na);
	if (!err)
		err = write_file(dir, t->name, "expect", expect, ne);
	return err;
}

int main(int argc, char **argv)
{
	char list[8192] = "";
	size_t pos = 0;
	unsigned int i;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_cases DIR\n");
		return 2;
	}
	for (i = 0; i < vpl_n_lcases; i++) {
		if (write_case(argv[1], &vpl_lcases[i]))
			return 1;
		add(list, sizeof(list), &pos, vpl_lcases[i].name);
	}
	return write_file(argv[1], "cases", "list", list, pos) ? 1 : 0;
}
