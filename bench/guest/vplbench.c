// SPDX-License-Identifier: GPL-2.0
/*
 * vplbench - the two things the benchmark guest cannot do from busybox:
 *
 *   vplbench mark TEXT...   write "TEXT\n" to the isa-debugcon port 0x4f0
 *   vplbench now            print CLOCK_MONOTONIC in nanoseconds
 *
 * The marker goes out byte by byte with outb: QEMU traces each of those
 * writes (memory_region_ops_write, region "isa-debugcon") in the same
 * stream as the register accesses it counts, so a phase starts exactly at
 * its marker, with no clock to line up.  /dev/port cannot do this: it
 * writes successive bytes to successive ports.  The process stays on one
 * vCPU while it writes (the host gathers bytes per vCPU).
 *
 * Built static on the host (gcc -static), so the guest needs no libc.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/io.h>
#include <time.h>

#define DEBUGCON_PORT 0x4f0

static int mark(int argc, char **argv)
{
	int i;
	const char *p;

	cpu_set_t here;
	int cpu = sched_getcpu();

	if (ioperm(DEBUGCON_PORT, 1, 1)) {
		perror("vplbench: ioperm");
		return 1;
	}
	/* The whole marker from one vCPU: the host gathers bytes per vCPU. */
	CPU_ZERO(&here);
	if (cpu >= 0) {
		CPU_SET(cpu, &here);
		if (sched_setaffinity(0, sizeof(here), &here))
			perror("vplbench: sched_setaffinity");
	}
	for (i = 0; i < argc; i++) {
		if (i)
			outb(' ', DEBUGCON_PORT);
		for (p = argv[i]; *p; p++)
			outb(*p, DEBUGCON_PORT);
	}
	outb('\n', DEBUGCON_PORT);
	return 0;
}

static int now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts)) {
		perror("vplbench: clock_gettime");
		return 1;
	}
	printf("%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "mark"))
		return mark(argc - 2, argv + 2);
	if (argc == 2 && !strcmp(argv[1], "now"))
		return now();
	fprintf(stderr, "usage: vplbench mark TEXT... | vplbench now\n");
	return 2;
}
