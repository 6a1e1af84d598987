// SPDX-License-Identifier: GPL-2.0
/*
 * parser_test: runs the capability parser, compiled unchanged in userspace,
 * over every case of parse_cases.c and prints KTAP.  Each case checks the
 * return value, the dialect, the located regions and that the expected
 * problem was reported with the expected field and value; the note is also
 * printed as the driver would print it.
 */
#include <stdio.h>
#include <string.h>

#include "parse_cases.h"

static int check_msix(char *why, size_t n, const char *what,
		      const struct vpl_tregion *e,
		      const struct vpl_msix_range *r)
{
	if (e->present == r->checked && e->bar == r->bar &&
	    e->offset == r->offset && e->length == r->length)
		return 0;
	snprintf(why, n, "MSI-X %s: got %d BAR%u+%#x/%#x, expected %d BAR%u+%#x/%#x",
		 what, r->checked, r->bar, r->offset, r->length, e->present,
		 e->bar, e->offset, e->length);
	return 1;
}

static int check(const struct vpl_parse_case *t, char *why, size_t n)
{
	struct vpl_tcfg cfg;
	struct vpl_cfg_source src = { .read32 = vpl_tcfg_read32, .ctx = &cfg };
	struct vpl_layout l;
	unsigned int i;
	int err;

	vpl_tcfg_init(&cfg);
	t->build(&cfg);
	memcpy(src.bars, cfg.bars, sizeof(src.bars));
	err = vpl_parse(&src, t->want, &l);

	for (i = 0; i < l.n_notes; i++) {
		char line[256];

		vpl_format_note(line, sizeof(line), &l.notes[i]);
		printf("    # %s%s\n", l.notes[i].info ? "(info) " : "", line);
	}
	if (err != t->err) {
		snprintf(why, n, "returned %d, expected %d", err, t->err);
		return 1;
	}
	if (!err && l.dialect != t->dialect) {
		snprintf(why, n, "dialect %u, expected %u", l.dialect,
			 t->dialect);
		return 1;
	}
	if (t->check_regions) {
		for (i = 0; i < VPL_NR_REGIONS; i++) {
			const struct vpl_tregion *e = &t->region[i];
			const struct vpl_region *r = &l.region[i];

			if (e->present != r->present ||
			    (e->present && (e->bar != r->bar ||
					    e->offset != r->offset ||
					    e->length != r->length))) {
				snprintf(why, n,
					 "%s: got %d BAR%u+%#x/%#x, expected %d BAR%u+%#x/%#x",
					 vpl_region_name(i), r->present, r->bar,
					 r->offset, r->length, e->present,
					 e->bar, e->offset, e->length);
				return 1;
			}
		}
		if (l.notify_mult != t->notify_mult) {
			snprintf(why, n, "notify_mult %u, expected %u",
				 l.notify_mult, t->notify_mult);
			return 1;
		}
	}
	if (t->no_notes && l.n_notes) {
		snprintf(why, n, "%u notes, expected none", l.n_notes);
		return 1;
	}
	for (i = 0; t->no_errors && i < l.n_notes; i++) {
		if (!l.notes[i].info &&
		    l.notes[i].problem != VPL_PROBLEM_MISSING) {
			snprintf(why, n, "note %u is an error, expected none",
				 i);
			return 1;
		}
	}
	if (t->check_msix &&
	    (check_msix(why, n, "table", &t->msix_table, &l.msix.table) ||
	     check_msix(why, n, "PBA", &t->msix_pba, &l.msix.pba)))
		return 1;
	if (t->note.field) {
		for (i = 0; i < l.n_notes; i++)
			if (l.notes[i].problem == t->note.problem &&
			    !strcmp(l.notes[i].field, t->note.field) &&
			    l.notes[i].value == t->note.value)
				return 0;
		snprintf(why, n, "no note '%s' %s = %#llx",
			 vpl_problem_str(t->note.problem), t->note.field,
			 (unsigned long long)t->note.value);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int i, failed = 0;

	if (argc > 1 && !strcmp(argv[1], "--list")) {
		for (i = 0; i < vpl_n_parse_cases; i++)
			printf("parser/%s\n", vpl_parse_cases[i].name);
		return 0;
	}

	printf("KTAP version 1\n1..%u\n", vpl_n_parse_cases);
	for (i = 0; i < vpl_n_parse_cases; i++) {
		const struct vpl_parse_case *t = &vpl_parse_cases[i];
		char why[200] = "";

		if (check(t, why, sizeof(why))) {
			printf("    # %s\nnot ok %u parser/%s\n", why, i + 1,
			       t->name);
			failed++;
		} else {
			printf("ok %u parser/%s\n", i + 1, t->name);
		}
	}
	printf("%u passed, %u failed\n", vpl_n_parse_cases - failed, failed);
	return failed ? 1 : 0;
}
