// SPDX-License-Identifier: GPL-2.0
/*
 * list: the layout catalogue for the guest.
 *
 *   list          every case with an outcome on a device (RUNS), one per
 *                 line: NAME OURS CONTROL LOG (LOG "-" for none), in the
 *                 catalogue's order; the guest's malformed scenario runs
 *                 one test per line
 *   list --names  every case's name
 */
#include <stdio.h>
#include <string.h>

#include "layouts.h"

int main(int argc, char **argv)
{
	bool names = argc == 2 && !strcmp(argv[1], "--names");
	unsigned int i;

	if (argc > 2 || (argc == 2 && !names)) {
		fprintf(stderr, "usage: list [--names]\n");
		return 2;
	}
	if (!names)
		printf("# Generated from tests/layouts/cases.def: NAME OURS CONTROL LOG\n");
	for (i = 0; i < vpl_n_lcases; i++) {
		const struct vpl_lcase *c = &vpl_lcases[i];

		if (names)
			printf("%s\n", c->name);
		else if (c->ours != VPL_LRUN_NONE)
			printf("%-26s %-7s %-7s %s\n", c->name,
			       vpl_lrun_name(c->ours),
			       vpl_lrun_name(c->control), c->log ? c->log : "-");
	}
	return 0;
}
