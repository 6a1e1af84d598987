// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the parser's synthetic test configurations (tests/parser) as fuzz
 * seeds in fuzz_parser.c's input format, one file per case and dialect.
 */
#include <stdio.h>

#include "../parser/parse_cases.h"

int main(int argc, char **argv)
{
	unsigned int i, b;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_seeds DIR\n");
		return 2;
	}
	for (i = 0; i < vpl_n_parse_cases; i++) {
		const struct vpl_parse_case *t = &vpl_parse_cases[i];
		struct vpl_tcfg c;
		char path[512];
		FILE *f;

		vpl_tcfg_init(&c);
		t->build(&c);
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
