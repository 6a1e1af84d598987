// SPDX-License-Identifier: GPL-2.0
/*
 * The layout catalogue's verdicts: does what the parser made of a case's
 * configuration space match what the case says?  Shared by the userspace
 * parser test and the KUnit suite; needs the parser (its names).
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#else
#include <stdio.h>
#include <string.h>
#endif

#include "layouts.h"

static bool same_region(const struct vpl_lregion *e, bool present, u8 bar,
			u32 offset, u32 length)
{
	return e->present == present &&
	       (!present || (e->bar == bar && e->offset == offset &&
			     e->length == length));
}

static int check_msix(char *why, size_t n, const char *what,
		      const struct vpl_lregion *e,
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

/**
 * vpl_lcase_check() - does the parser's verdict match the case's?
 * @c: the case
 * @err: what vpl_parse() returned for it
 * @l: the layout it filled in
 * @why: the first difference, when there is one
 * @n: its size
 *
 * Return: 0 when it matches, else 1.
 */
int vpl_lcase_check(const struct vpl_lcase *c, int err,
		    const struct vpl_layout *l, char *why, size_t n)
{
	unsigned int i;

	if (err != c->err) {
		snprintf(why, n, "returned %d, expected %d", err, c->err);
		return 1;
	}
	if (!err && l->dialect != c->dialect) {
		snprintf(why, n, "dialect %s, expected %s",
			 vpl_dialect_name(l->dialect),
			 vpl_dialect_name(c->dialect));
		return 1;
	}
	for (i = 0; c->check_regions && i < VPL_NR_REGIONS; i++) {
		const struct vpl_lregion *e = &c->region[i];
		const struct vpl_region *r = &l->region[i];

		if (same_region(e, r->present, r->bar, r->offset, r->length))
			continue;
		snprintf(why, n, "%s: got %d BAR%u+%#x/%#x, expected %d BAR%u+%#x/%#x",
			 vpl_region_name(i), r->present, r->bar, r->offset,
			 r->length, e->present, e->bar, e->offset, e->length);
		return 1;
	}
	if (c->check_regions && l->notify_mult != c->notify_mult) {
		snprintf(why, n, "notify_mult %u, expected %u", l->notify_mult,
			 c->notify_mult);
		return 1;
	}
	if (c->no_notes && l->n_notes) {
		snprintf(why, n, "%u notes, expected none", l->n_notes);
		return 1;
	}
	for (i = 0; c->no_errors && i < l->n_notes; i++) {
		if (!l->notes[i].info &&
		    l->notes[i].problem != VPL_PROBLEM_MISSING) {
			snprintf(why, n, "note %u (%s) is an error, expected none",
				 i, l->notes[i].field);
			return 1;
		}
	}
	if (c->check_msix &&
	    (check_msix(why, n, "table", &c->msix_table, &l->msix.table) ||
	     check_msix(why, n, "PBA", &c->msix_pba, &l->msix.pba)))
		return 1;
	if (c->check_vendor &&
	    (l->n_vendor != !!c->vendor_len ||
	     (c->vendor_len && (l->vendor[0].vendor_id != c->vendor_id ||
				l->vendor[0].len != c->vendor_len)))) {
		snprintf(why, n, "%u vendor data (first %#x, %u bytes), expected %u",
			 l->n_vendor, l->n_vendor ? l->vendor[0].vendor_id : 0U,
			 l->n_vendor ? l->vendor[0].len : 0U,
			 c->vendor_len ? 1U : 0U);
		return 1;
	}
	if (!c->note.field)
		return 0;
	for (i = 0; i < l->n_notes; i++)
		if (l->notes[i].problem == c->note.problem &&
		    !strcmp(l->notes[i].field, c->note.field) &&
		    l->notes[i].value == c->note.value)
			return 0;
	snprintf(why, n, "no note '%s' %s = %#llx",
		 vpl_problem_str(c->note.problem), c->note.field,
		 (unsigned long long)c->note.value);
	return 1;
}
