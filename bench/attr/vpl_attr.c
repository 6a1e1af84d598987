// SPDX-License-Identifier: GPL-2.0
/*
 * vpl_attr.ko - the benchmark's access attribution: which guest code made
 * each register access QEMU traps (bench/run.sh, counts boot).  A bench
 * tool, never loaded with the driver outside the benchmark guest.
 *
 * Every function that touches a virtio function's registers gets a
 * kretprobe: the accessors themselves (configuration space: the x86
 * raw_pci_ops and raw_pci_ext_ops methods, through which every
 * configuration access goes; virtio regions: ioread and iowrite, out of
 * line on x86) and the PCI/MSI functions that reach the MSI-X table with
 * inline readl/writel, and the genirq functions around them.  On entry the
 * probe writes "[ID\n" to the isa-debugcon port, on return "]ID\n", each
 * with interrupts off, so no other marker falls inside it.  QEMU traces
 * those bytes in the same stream, on the same vCPU, as the accesses in
 * between, so the host (bench/count.awk) gives each access to the
 * innermost call open on its vCPU: nothing is matched by time or guessed.
 * A call that slept and returns on the other vCPU names its ID, and the
 * host closes it where it was opened.  ID names the call chain at entry;
 * the same chain has the same ID, and debugfs vpl_attr/stacks lists them.
 * An access with no call open is counted as unattributed, so a missing
 * function shows in the report.
 *
 * The guest turns kprobe optimisation off first (sysctl
 * debug.kprobes-optimization=0): the stack cannot be walked out of an
 * optimised probe's trampoline, it can out of int3 and ftrace entries.
 *
 * Parameters: port (the debug console, 0x4f0), armed (writable: markers
 * only while 1).  debugfs vpl_attr/probes lists each function, whether it
 * was found, and the calls its probe missed.
 */
#include <linux/debugfs.h>
#include <linux/io.h>
#include <linux/jhash.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/stacktrace.h>
#include <linux/vmalloc.h>

static ushort port = 0x4f0;
module_param(port, ushort, 0444);
MODULE_PARM_DESC(port, "I/O port of QEMU's isa-debugcon");

static bool armed = true;
module_param(armed, bool, 0644);
MODULE_PARM_DESC(armed, "write markers (1) or not (0)");

/*
 * The functions probed.  One that a kernel does not have (renamed,
 * inlined) is skipped and listed as absent; its accesses then land on an
 * enclosing function or on no call at all, which the report shows.
 */
static const char * const attr_symbols[] = {
	/* configuration space: type 1 below 256 bytes, ECAM above */
	"pci_conf1_read", "pci_conf1_write", "pci_mmcfg_read", "pci_mmcfg_write",
	/* virtio regions */
	"ioread8", "ioread16", "ioread32",
	"iowrite8", "iowrite16", "iowrite32",
	/* MSI-X table: messages, masking, set-up, shutdown */
	"__pci_write_msi_msg", "__pci_read_msi_msg",
	"pci_msi_domain_write_msg",
	"pci_irq_mask_msix", "pci_irq_unmask_msix",
	"msix_prepare_msi_desc", "pci_msix_prepare_desc",
	"msix_capability_init", "__pci_enable_msix_range", "pci_msix_shutdown",
	"__pci_restore_msix_state", "pci_msix_write_tph_tag",
	/* genirq around them: what a kernel does inline in these */
	"irq_startup", "irq_enable", "irq_shutdown", "irq_disable",
};

#define ATTR_NPROBES	ARRAY_SIZE(attr_symbols)
#define ATTR_DEPTH	48
#define ATTR_STACKS	8192
#define ATTR_SLOTS	(2 * ATTR_STACKS)

/* One call chain: the probed function and the return addresses above. */
struct attr_stack {
	u32 hash;
	u16 probe;
	u16 nr;
	unsigned long ip[ATTR_DEPTH];
};

static struct kretprobe attr_probes[ATTR_NPROBES];
/* The entry handler's stack, per CPU: it runs with interrupts off. */
static DEFINE_PER_CPU(unsigned long [ATTR_DEPTH], attr_ip);
static bool attr_registered[ATTR_NPROBES];
static struct attr_stack *attr_stacks;
static u32 *attr_slots;		/* open addressing: stack index + 1 */
static unsigned int attr_nstacks;
static unsigned int attr_overflow;
static DEFINE_RAW_SPINLOCK(attr_lock);
static struct dentry *attr_dir;

static void attr_out(const char *s)
{
	for (; *s; s++)
		outb(*s, port);
}

/* The ID of a call chain, 0 when the table is full. */
static unsigned int attr_stack_id(u16 probe, const unsigned long *ip,
				  unsigned int nr)
{
	u32 hash = jhash2((const u32 *)ip, nr * sizeof(*ip) / sizeof(u32),
			  probe);
	unsigned int slot = hash % ATTR_SLOTS, id = 0;
	struct attr_stack *s;
	unsigned long flags;

	raw_spin_lock_irqsave(&attr_lock, flags);
	while (attr_slots[slot]) {
		s = &attr_stacks[attr_slots[slot] - 1];
		if (s->hash == hash && s->probe == probe && s->nr == nr &&
		    !memcmp(s->ip, ip, nr * sizeof(*ip))) {
			id = attr_slots[slot];
			goto out;
		}
		slot = (slot + 1) % ATTR_SLOTS;
	}
	if (attr_nstacks == ATTR_STACKS) {
		attr_overflow++;
		goto out;
	}
	s = &attr_stacks[attr_nstacks];
	s->hash = hash;
	s->probe = probe;
	s->nr = nr;
	memcpy(s->ip, ip, nr * sizeof(*ip));
	id = ++attr_nstacks;
	attr_slots[slot] = id;
out:
	raw_spin_unlock_irqrestore(&attr_lock, flags);
	return id;
}

static int attr_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kretprobe *rp = get_kretprobe(ri);
	unsigned int *id = (unsigned int *)ri->data;
	unsigned long flags, *ip;
	unsigned int nr;
	char buf[16];

	/* Non-zero: no return handler for this call, no unpaired "]". */
	if (!READ_ONCE(armed) || !rp)
		return 1;
	local_irq_save(flags);
	ip = *this_cpu_ptr(&attr_ip);
	nr = stack_trace_save(ip, ATTR_DEPTH, 0);
	*id = attr_stack_id(rp - attr_probes, ip, nr);
	snprintf(buf, sizeof(buf), "[%u\n", *id);
	attr_out(buf);
	local_irq_restore(flags);
	return 0;
}

static int attr_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	unsigned long flags;
	char buf[16];

	/* Also when disarmed meanwhile: every "[" gets its "]", and only it. */
	snprintf(buf, sizeof(buf), "]%u\n", *(unsigned int *)ri->data);
	local_irq_save(flags);
	attr_out(buf);
	local_irq_restore(flags);
	return 0;
}

/*
 * "stack ID FUNCTION FRAME..." per chain, tab separated.  The frames are
 * the whole saved stack, this module's handler and the probe's entry
 * included: the host cuts it above FUNCTION.
 */
static int attr_stacks_show(struct seq_file *m, void *unused)
{
	unsigned int i, j, n;

	raw_spin_lock_irq(&attr_lock);
	n = attr_nstacks;
	raw_spin_unlock_irq(&attr_lock);
	for (i = 0; i < n; i++) {
		const struct attr_stack *s = &attr_stacks[i];

		seq_printf(m, "stack\t%u\t%s", i + 1, attr_symbols[s->probe]);
		for (j = 0; j < s->nr; j++)
			seq_printf(m, "\t%pS", (void *)s->ip[j]);
		seq_putc(m, '\n');
	}
	if (attr_overflow)
		seq_printf(m, "overflow\t%u\n", attr_overflow);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(attr_stacks);

/*
 * "probe FUNCTION present|absent MISSED" per function: the calls without
 * markers (no free instance, or a probe already running on the CPU).
 */
static int attr_probes_show(struct seq_file *m, void *unused)
{
	unsigned int i;

	for (i = 0; i < ATTR_NPROBES; i++)
		seq_printf(m, "probe\t%s\t%s\t%lu\n", attr_symbols[i],
			   attr_registered[i] ? "present" : "absent",
			   attr_registered[i] ? attr_probes[i].nmissed +
			   attr_probes[i].kp.nmissed : 0);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(attr_probes);

static void attr_unregister(void)
{
	unsigned int i;

	for (i = 0; i < ATTR_NPROBES; i++)
		if (attr_registered[i])
			unregister_kretprobe(&attr_probes[i]);
}

static int __init attr_init(void)
{
	unsigned int i, found = 0;
	int err;

	attr_stacks = vzalloc(array_size(ATTR_STACKS, sizeof(*attr_stacks)));
	attr_slots = vzalloc(array_size(ATTR_SLOTS, sizeof(*attr_slots)));
	err = -ENOMEM;
	if (!attr_stacks || !attr_slots)
		goto free_tables;
	for (i = 0; i < ATTR_NPROBES; i++) {
		struct kretprobe *rp = &attr_probes[i];

		rp->kp.symbol_name = attr_symbols[i];
		rp->entry_handler = attr_entry;
		rp->handler = attr_return;
		rp->data_size = sizeof(unsigned int);
		/* Calls nest, and some sleep (MSI-X set-up). */
		rp->maxactive = 64;
		attr_registered[i] = !register_kretprobe(rp);
		found += attr_registered[i];
	}
	err = -ENOENT;
	if (!found)
		goto free_tables;
	attr_dir = debugfs_create_dir("vpl_attr", NULL);
	debugfs_create_file("stacks", 0400, attr_dir, NULL, &attr_stacks_fops);
	debugfs_create_file("probes", 0400, attr_dir, NULL, &attr_probes_fops);
	return 0;

free_tables:
	vfree(attr_slots);
	vfree(attr_stacks);
	return err;
}

static void __exit attr_exit(void)
{
	debugfs_remove(attr_dir);
	attr_unregister();
	vfree(attr_slots);
	vfree(attr_stacks);
}

module_init(attr_init);
module_exit(attr_exit);
MODULE_DESCRIPTION("virtio-pci-layout benchmark: which code made each trapped access");
MODULE_LICENSE("GPL");
