// SPDX-License-Identifier: GPL-2.0
/*
 * Writes every case of the layout catalogue (tests/layouts/cases.def) as a
 * fuzz seed in fuzz_parser.c's input format, one file per case.
 */
#include <stdio.h>

#include "../layouts/layouts.h"

int main(int argc, char **argv)
{
	unsigned int i, b;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_seeds DIR\n");
		return 2;
	}
	for (i = 0; i < vpl_n_lcases; i++) {
		const struct vpl_lcase *t = &vpl_lcases[i];
		struct vpl_lspace c;
		char path[512], why[128];
		FILE *f;

		vpl_lspace_qemu(&c);
		if (vpl_lspace_apply(&c, t, why, sizeof(why))) {
			fprintf(stderr, "%s: %s\n", t->name, why);
			return 1;
		}
		snprintf(path, sizeof(path), "%s/%s", argv[1], t->name);
		f = fopen(path, "wb");
		if (!f) {
			perror(path);
			return 1;
		}
		fwrite(c.b, 1, sizeof(c.b), f);
		fputc(t->want == VPL_DIALECT_DRAFT ? 2 :
		      t->want == VPL_DIALECT_VIRTIO1 ? 1 : 0, f);
		for (b = 0; b < VPL_NUM_BARS; b++) {
			unsigned long long len = c.bars[b].len;
			unsigned int k;

			fputc(c.bars[b].type, f);
			for (k = 0; k < 5; k++)
				fputc((len >> (8 * k)) & 0xff, f);
		}
		fclose(f);
	}
	return 0;
}
