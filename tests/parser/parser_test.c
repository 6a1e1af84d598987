// SPDX-License-Identifier: GPL-2.0
/*
 * parser_test: runs the capability parser, compiled unchanged in userspace,
 * over every case of the layout catalogue (tests/layouts/cases.def) and
 * prints KTAP.  Each case checks the return value, the dialect, the located
 * regions and that the expected problem was reported with the expected field
 * and value, and that the parser read no dword of configuration space twice
 * (a probe's cost; one snapshot for both dialects); the notes are also
 * printed as the driver would print them.
 */
#include <stdio.h>
#include <string.h>

#include "../layouts/layouts.h"

/* The case's configuration space, and how often each dword was read. */
struct counted_space {
	struct vpl_lspace space;
	unsigned int reads[VPL_CFG_SPACE_SIZE / 4];
};

static int counted_read32(void *ctx, unsigned int off, u32 *val)
{
	struct counted_space *cs = ctx;

	if (off < VPL_CFG_SPACE_SIZE)
		cs->reads[off / 4]++;
	return vpl_lspace_read32(&cs->space, off, val);
}

static int check(const struct vpl_lcase *c, char *why, size_t n)
{
	struct counted_space cs = { 0 };
	struct vpl_cfg_source src = { .read32 = counted_read32, .ctx = &cs };
	struct vpl_layout l;
	unsigned int i;
	int err;

	vpl_lspace_qemu(&cs.space);
	if (vpl_lspace_apply(&cs.space, c, why, n))
		return 1;
	memcpy(src.bars, cs.space.bars, sizeof(src.bars));
	err = vpl_parse(&src, c->want, &l);
	for (i = 0; i < VPL_CFG_SPACE_SIZE / 4; i++)
		if (cs.reads[i] > 1) {
			snprintf(why, n, "configuration dword %#x read %u times",
				 i * 4, cs.reads[i]);
			return 1;
		}

	for (i = 0; i < l.n_notes; i++) {
		char line[256];

		vpl_format_note(line, sizeof(line), &l.notes[i]);
		printf("    # %s%s\n", l.notes[i].info ? "(info) " : "", line);
	}
	return vpl_lcase_check(c, err, &l, why, n);
}

int main(int argc, char **argv)
{
	unsigned int i, failed = 0;

	if (argc > 1 && !strcmp(argv[1], "--list")) {
		for (i = 0; i < vpl_n_lcases; i++)
			printf("parser/%s\n", vpl_lcases[i].name);
		return 0;
	}

	printf("KTAP version 1\n1..%u\n", vpl_n_lcases);
	for (i = 0; i < vpl_n_lcases; i++) {
		const struct vpl_lcase *t = &vpl_lcases[i];
		char why[200] = "";

		if (check(t, why, sizeof(why))) {
			printf("    # %s\nnot ok %u parser/%s\n", why, i + 1,
			       t->name);
			failed++;
		} else {
			printf("ok %u parser/%s\n", i + 1, t->name);
		}
	}
	printf("%u passed, %u failed\n", vpl_n_lcases - failed, failed);
	return failed ? 1 : 0;
}
