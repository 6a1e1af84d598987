// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-pci-layout register fault injection (test builds only)
 *
 * Makes a real device lie through its BARs, so that the transport, the
 * virtio core and the class drivers can be tried against hostile register
 * values on a real QEMU device.  Built only with VPL_FAULT=y (out of tree)
 * or CONFIG_VIRTIO_PCI_LAYOUT_FAULT_INJECT; the production module has the
 * empty hooks of include/virtio_pci_layout/fault.h.
 *
 * Rules are written to <debugfs>/virtio-pci-layout/faults, one per line:
 *
 *	BDF REGISTER[@SEL] WHEN ACTION
 *
 * BDF       the function, as domain:bus:device.function
 * REGISTER  a common configuration field by its virtio name
 *           (device_status, num_queues, queue_size, ...), "isr",
 *           "device+N" (byte N of the device configuration), "all"
 *           (every access of the function), or "request_irq" (not a
 *           register: the transport's request for an interrupt line)
 * @SEL      only while the field's selector (queue_select for queue
 *           fields, the feature select for feature words) holds SEL;
 *           for request_irq, only for vector SEL (0 is also INTx)
 * WHEN      "every" matching access, "nth=N" (only the Nth) or "from=N"
 *           (the Nth and all later ones)
 * ACTION    for reads: "value=V", "or=V" (bits set on top of the real
 *           value), "ones" (all ones), "random"; for writes: "drop";
 *           "gone" (REGISTER all only): the function has left the bus -
 *           reads are all ones, writes are lost, and the transport's
 *           presence check says absent; "storm" (REGISTER queue_reset
 *           only, no @SEL): from the write of 1 to queue_reset until the
 *           write of 1 to that queue's queue_enable, the queue's
 *           interrupt (its MSI-X vector as last written to
 *           queue_msix_vector, else the INTx line) is raised on every
 *           other write of the transport to the common configuration
 *           (those that set the queue up again), and by a thread every
 *           VPL_FAULT_STORM_US microseconds (at most VPL_FAULT_STORM_MAX
 *           times per reset): a device that interrupts for a queue it is
 *           resetting.  Queues from VPL_FAULT_STORM_QUEUES on, and MSI-X
 *           queues whose vector the rule did not see written (it was
 *           added after the bind), get none; a device_status write ends
 *           the storm.  x86 only: the interrupt is handled as the
 *           interrupt controller would deliver it, acknowledgment and
 *           all; "fail" (request_irq only): the
 *           request fails (-EBUSY), as when the system is out of vectors
 *
 * "clear" removes every rule, "clear BDF" those of one function.  Reading
 * the file lists the rules with how often each matched and fired.
 * notify_map_max (a parameter of this build only) lowers the largest
 * notification region mapped whole, so that per-queue doorbell mapping can
 * be tried on a device with a small region.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/irq_work.h>
#include <linux/irq.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/virtio_pci.h>

#include "virtio_pci_layout/fault.h"

#define VPL_FAULT_MAX_RULES	16
#define VPL_FAULT_LINE_MAX	128
#define VPL_FAULT_NO_SEL	(-1)
#define VPL_FAULT_STORM_US	10
#define VPL_FAULT_STORM_MAX	4096
#define VPL_FAULT_STORM_QUEUES	64

static unsigned long notify_map_max;
module_param(notify_map_max, ulong, 0644);
MODULE_PARM_DESC(notify_map_max,
		 "Test build: map notification regions larger than this per queue (0: the driver's limit)");

/**
 * struct vpl_fault_reg - a register rules can name
 * @name: its name in a rule
 * @space: the structure it is in
 * @off: its offset there
 * @size: its width in bytes
 * @sel: offset of its selector in the common configuration, or
 *	VPL_FAULT_NO_SEL (VPL_VECSEL: request_irq, selected by vector)
 */
struct vpl_fault_reg {
	const char *name;
	enum vpl_fault_space space;
	unsigned int off;
	unsigned int size;
	int sel;
};

/* A common configuration field: name, VIRTIO_PCI_COMMON_* suffix, width. */
#define VPL_FAULT_COMMON_REG(_name, _off, _size, _sel)			\
	{ .name = _name, .space = VPL_FAULT_COMMON,			\
	  .off = VIRTIO_PCI_COMMON_##_off, .size = _size, .sel = _sel }
#define VPL_DFSEL	VIRTIO_PCI_COMMON_DFSELECT
#define VPL_GFSEL	VIRTIO_PCI_COMMON_GFSELECT
#define VPL_QSEL	VIRTIO_PCI_COMMON_Q_SELECT
#define VPL_NOSEL	VPL_FAULT_NO_SEL
#define VPL_VECSEL	(-2)	/* request_irq: @SEL is the vector */

static const struct vpl_fault_reg vpl_fault_regs[] = {
	VPL_FAULT_COMMON_REG("device_feature_select",	DFSELECT, 4, VPL_NOSEL),
	VPL_FAULT_COMMON_REG("device_feature",		DF, 4, VPL_DFSEL),
	VPL_FAULT_COMMON_REG("driver_feature_select",	GFSELECT, 4, VPL_NOSEL),
	VPL_FAULT_COMMON_REG("driver_feature",		GF, 4, VPL_GFSEL),
	VPL_FAULT_COMMON_REG("msix_config",		MSIX, 2, VPL_NOSEL),
	VPL_FAULT_COMMON_REG("num_queues",		NUMQ, 2, VPL_NOSEL),
	VPL_FAULT_COMMON_REG("device_status",		STATUS, 1, VPL_NOSEL),
	VPL_FAULT_COMMON_REG("config_generation",	CFGGENERATION, 1, VPL_NOSEL),
	VPL_FAULT_COMMON_REG("queue_select",		Q_SELECT, 2, VPL_NOSEL),
	VPL_FAULT_COMMON_REG("queue_size",		Q_SIZE, 2, VPL_QSEL),
	VPL_FAULT_COMMON_REG("queue_msix_vector",	Q_MSIX, 2, VPL_QSEL),
	VPL_FAULT_COMMON_REG("queue_enable",		Q_ENABLE, 2, VPL_QSEL),
	VPL_FAULT_COMMON_REG("queue_notify_off",	Q_NOFF, 2, VPL_QSEL),
	VPL_FAULT_COMMON_REG("queue_desc",		Q_DESCLO, 4, VPL_QSEL),
	VPL_FAULT_COMMON_REG("queue_driver",		Q_AVAILLO, 4, VPL_QSEL),
	VPL_FAULT_COMMON_REG("queue_device",		Q_USEDLO, 4, VPL_QSEL),
	VPL_FAULT_COMMON_REG("queue_reset",		Q_RESET, 2, VPL_QSEL),
	{ .name = "isr", .space = VPL_FAULT_ISR, .size = 1, .sel = VPL_NOSEL },
	{ .name = "request_irq", .space = VPL_FAULT_IRQ, .sel = VPL_VECSEL },
};

enum vpl_fault_when {
	VPL_FAULT_EVERY,
	VPL_FAULT_NTH,
	VPL_FAULT_FROM,
};

enum vpl_fault_action {
	VPL_FAULT_VALUE,
	VPL_FAULT_OR,
	VPL_FAULT_ONES,
	VPL_FAULT_RANDOM,
	VPL_FAULT_DROP,
	VPL_FAULT_GONE,
	VPL_FAULT_STORM,
	VPL_FAULT_FAIL,
};

static const char * const vpl_fault_action_names[] = {
	[VPL_FAULT_VALUE]	= "value",
	[VPL_FAULT_OR]		= "or",
	[VPL_FAULT_ONES]	= "ones",
	[VPL_FAULT_RANDOM]	= "random",
	[VPL_FAULT_DROP]	= "drop",
	[VPL_FAULT_GONE]	= "gone",
	[VPL_FAULT_STORM]	= "storm",
	[VPL_FAULT_FAIL]	= "fail",
};

/**
 * struct vpl_fault_rule - one rule
 * @bdf: the function it applies to
 * @reg: the register, or NULL for "all" and device configuration bytes
 * @dev_byte: device configuration byte (when @reg is NULL and !@all)
 * @all: every access of the function
 * @sel: selector value the rule waits for, or VPL_FAULT_NO_SEL
 * @cur_sel: the selector's value as last written
 * @when: which matching accesses it fires on
 * @n: the N of nth= and from=
 * @action: what it does
 * @arg: the V of value= and or=
 * @hits: matching accesses seen
 * @fired: accesses changed (storm: queue resets seen)
 * @vectors: storm: the MSI-X vector last written for each queue, plus one
 *	(0: none written)
 */
struct vpl_fault_rule {
	char bdf[16];
	const struct vpl_fault_reg *reg;
	unsigned int dev_byte;
	bool all;
	int sel;
	int cur_sel;
	enum vpl_fault_when when;
	unsigned long n;
	enum vpl_fault_action action;
	u32 arg;
	unsigned long hits;
	unsigned long fired;
	u16 vectors[VPL_FAULT_STORM_QUEUES];
};

/**
 * struct vpl_fault_storm - the interrupt storm of "storm" rules
 * @work: raises the interrupt in hard interrupt context (a self-IPI), as
 *	handle_irq_desc() insists on x86
 * @thread: while a storm is armed, raises the interrupt every
 *	VPL_FAULT_STORM_US, at no particular point of the reset
 * @wait: where @thread waits for a storm
 * @pdev: the function whose queue is being reset (referenced), or NULL
 * @queue: that queue
 * @irq: the Linux IRQ raised
 * @raised: interrupts handled during this reset
 * @total: interrupts handled in all storms
 *
 * One storm at a time: a test resets one queue at a time.
 */
struct vpl_fault_storm {
	struct irq_work work;
	struct task_struct *thread;
	wait_queue_head_t wait;
	struct pci_dev *pdev;
	int queue;
	int irq;
	atomic_t raised;
	atomic_long_t total;
};

/* What a write means to the storm (vpl_fault_storm_write()). */
enum vpl_fault_storm_op {
	VPL_STORM_NONE,
	VPL_STORM_ARM,
	VPL_STORM_RAISE,
	VPL_STORM_DISARM_QUEUE,
	VPL_STORM_DISARM,
};

static DEFINE_SPINLOCK(vpl_fault_lock);	/* protects the rules */
static struct vpl_fault_rule vpl_fault_rules[VPL_FAULT_MAX_RULES];
static unsigned int vpl_fault_nrules;
static struct dentry *vpl_fault_file;
static DEFINE_MUTEX(vpl_fault_storm_lock);	/* starts and stops storms */

/* ------------------------------------------------------------------------
 * Hooks
 */

static bool vpl_fault_due(struct vpl_fault_rule *r)
{
	r->hits++;
	switch (r->when) {
	case VPL_FAULT_NTH:
		return r->hits == r->n;
	case VPL_FAULT_FROM:
		return r->hits >= r->n;
	default:
		return true;
	}
}

/* Does @r cover an access of @size bytes at @off in @space?  Byte: @shift. */
static bool vpl_fault_covers(const struct vpl_fault_rule *r,
			     enum vpl_fault_space space, unsigned int off,
			     unsigned int size, unsigned int *shift)
{
	*shift = 0;
	if (r->all)
		return true;
	if (!r->reg) {
		if (space != VPL_FAULT_DEVICE || r->dev_byte < off ||
		    r->dev_byte >= off + size)
			return false;
		*shift = (r->dev_byte - off) * 8;
		return true;
	}
	if (r->reg->space != space || r->reg->off != off)
		return false;
	return r->sel == VPL_FAULT_NO_SEL || r->sel == r->cur_sel;
}

static u32 vpl_fault_apply(const struct vpl_fault_rule *r, u32 val,
			   unsigned int size, unsigned int shift)
{
	u32 mask = size == 4 ? U32_MAX : BIT(size * 8) - 1;
	u32 fmask = mask;
	u32 v;

	if (!r->all && !r->reg)
		fmask = 0xffu << shift;	/* one byte of a wider access */
	switch (r->action) {
	case VPL_FAULT_VALUE:
		v = r->arg << shift;
		break;
	case VPL_FAULT_OR:
		v = val | (r->arg << shift);
		break;
	case VPL_FAULT_RANDOM:
		v = get_random_u32();
		break;
	default:	/* ones, gone */
		v = U32_MAX;
		break;
	}
	return ((val & ~fmask) | (v & fmask)) & mask;
}

/* ------------------------------------------------------------------------
 * Interrupt storms
 */

static void vpl_fault_storm_fire(struct irq_work *work)
{
	struct vpl_fault_storm *st = container_of(work, struct vpl_fault_storm,
						  work);

	/* Queued just before a disarm: the reset is over. */
	if (!READ_ONCE(st->pdev))
		return;
	if (!generic_handle_irq_safe(st->irq)) {
		atomic_inc(&st->raised);
		atomic_long_inc(&st->total);
	}
}

static struct vpl_fault_storm vpl_fault_storm = {
	.work = IRQ_WORK_INIT_HARD(vpl_fault_storm_fire),
	.wait = __WAIT_QUEUE_HEAD_INITIALIZER(vpl_fault_storm.wait),
};

static bool vpl_fault_storm_armed(struct vpl_fault_storm *st)
{
	/* Pairs with the release in vpl_fault_storm_arm(). */
	return smp_load_acquire(&st->pdev) || kthread_should_stop();
}

static int vpl_fault_storm_thread(void *data)
{
	struct vpl_fault_storm *st = data;

	while (!kthread_should_stop()) {
		wait_event_interruptible(st->wait, vpl_fault_storm_armed(st));
		while (READ_ONCE(st->pdev) && !kthread_should_stop()) {
			if (atomic_read(&st->raised) < VPL_FAULT_STORM_MAX)
				irq_work_queue(&st->work);
			udelay(VPL_FAULT_STORM_US);
			cond_resched();
		}
	}
	return 0;
}

/* Under vpl_fault_storm_lock: ends the storm, if any. */
static void __vpl_fault_storm_disarm(struct vpl_fault_storm *st)
{
	struct pci_dev *cur = st->pdev;

	if (!cur)
		return;
	WRITE_ONCE(st->pdev, NULL);
	irq_work_sync(&st->work);
	pci_dev_put(cur);
}

/*
 * Ends the storm of @queue of @pdev (of any of its queues when @queue is
 * negative).  May sleep.
 */
static void vpl_fault_storm_disarm(struct pci_dev *pdev, int queue)
{
	struct vpl_fault_storm *st = &vpl_fault_storm;

	mutex_lock(&vpl_fault_storm_lock);
	if (st->pdev == pdev && (queue < 0 || st->queue == queue))
		__vpl_fault_storm_disarm(st);
	mutex_unlock(&vpl_fault_storm_lock);
}

/*
 * Arms the storm for @queue of @pdev, whose MSI-X vector the transport
 * wrote as @vector (plus one, so that NO_VECTOR and none are both 0).
 * Runs where the transport writes queue_reset, which may sleep.
 */
static void vpl_fault_storm_arm(struct pci_dev *pdev, int queue, u16 vector)
{
	struct vpl_fault_storm *st = &vpl_fault_storm;
	int irq;

	if (!pdev->msix_enabled)
		irq = pdev->irq;
	else if (vector)
		irq = pci_irq_vector(pdev, vector - 1);
	else
		return;		/* no vector, or not seen: no interrupt */
	if (irq <= 0)
		return;
	mutex_lock(&vpl_fault_storm_lock);
	__vpl_fault_storm_disarm(st);
	st->queue = queue;
	st->irq = irq;
	atomic_set(&st->raised, 0);
	/* Pairs with the acquire in vpl_fault_storm_armed(). */
	smp_store_release(&st->pdev, pci_dev_get(pdev));
	mutex_unlock(&vpl_fault_storm_lock);
	wake_up(&st->wait);
}

/* Raises the interrupt now, on this CPU, if @pdev has the storm. */
static void vpl_fault_storm_raise(struct pci_dev *pdev)
{
	struct vpl_fault_storm *st = &vpl_fault_storm;

	if (READ_ONCE(st->pdev) != pdev || irqs_disabled())
		return;
	irq_work_queue(&st->work);
	irq_work_sync(&st->work);
}

/* Starts the storm thread for a new storm rule; may sleep. */
static int vpl_fault_storm_begin(void)
{
	struct vpl_fault_storm *st = &vpl_fault_storm;
	struct task_struct *t;
	int err = 0;

	mutex_lock(&vpl_fault_storm_lock);
	if (!st->thread) {
		t = kthread_run(vpl_fault_storm_thread, st, "vpl-storm");
		if (IS_ERR(t))
			err = PTR_ERR(t);
		else
			st->thread = t;
	}
	mutex_unlock(&vpl_fault_storm_lock);
	return err;
}

/*
 * After rules of @bdf (all rules, when NULL) went: ends the storm of that
 * function, and the thread once no storm rule is left.  May sleep.
 */
static void vpl_fault_storm_cleared(const char *bdf)
{
	struct vpl_fault_storm *st = &vpl_fault_storm;
	unsigned long flags;
	bool left = false;
	unsigned int i;

	spin_lock_irqsave(&vpl_fault_lock, flags);
	for (i = 0; i < vpl_fault_nrules; i++)
		left |= vpl_fault_rules[i].action == VPL_FAULT_STORM;
	spin_unlock_irqrestore(&vpl_fault_lock, flags);

	mutex_lock(&vpl_fault_storm_lock);
	if (st->pdev && (!bdf || !left || !strcmp(pci_name(st->pdev), bdf)))
		__vpl_fault_storm_disarm(st);
	if (!left && st->thread) {
		kthread_stop(st->thread);
		st->thread = NULL;
		irq_work_sync(&st->work);
	}
	mutex_unlock(&vpl_fault_storm_lock);
}

/*
 * Under vpl_fault_lock: what a write of @val at @off of the common
 * configuration of @pdev means to its storm rule @r.
 */
static enum vpl_fault_storm_op
vpl_fault_storm_write(struct vpl_fault_rule *r, struct pci_dev *pdev,
		      unsigned int off, u32 val)
{
	bool armed = READ_ONCE(vpl_fault_storm.pdev) == pdev;
	int q = r->cur_sel;

	if (off == VIRTIO_PCI_COMMON_STATUS)
		return VPL_STORM_DISARM;
	if (q < 0 || q >= VPL_FAULT_STORM_QUEUES)
		return armed ? VPL_STORM_RAISE : VPL_STORM_NONE;
	switch (off) {
	case VIRTIO_PCI_COMMON_Q_RESET:
		if (val != 1 || !vpl_fault_due(r))
			return VPL_STORM_NONE;
		r->fired++;
		return VPL_STORM_ARM;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		if (val == 1)
			return VPL_STORM_DISARM_QUEUE;
		break;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		r->vectors[q] = (u16)val + 1;
		break;
	}
	return armed ? VPL_STORM_RAISE : VPL_STORM_NONE;
}

/**
 * vpl_fault_read() - what the transport reads from a register
 * @pdev: the function
 * @space: the structure
 * @off: offset of the access in it
 * @size: bytes read (1, 2 or 4)
 * @val: what the device returned
 *
 * Return: @val, or what a rule makes of it.
 */
u32 vpl_fault_read(struct pci_dev *pdev, enum vpl_fault_space space,
		   unsigned int off, unsigned int size, u32 val)
{
	const char *name;
	unsigned long flags;
	unsigned int i, shift;

	if (!READ_ONCE(vpl_fault_nrules))
		return val;
	name = pci_name(pdev);
	spin_lock_irqsave(&vpl_fault_lock, flags);
	for (i = 0; i < vpl_fault_nrules; i++) {
		struct vpl_fault_rule *r = &vpl_fault_rules[i];

		if (r->action == VPL_FAULT_DROP ||
		    r->action == VPL_FAULT_STORM ||
		    r->action == VPL_FAULT_FAIL || strcmp(r->bdf, name) ||
		    !vpl_fault_covers(r, space, off, size, &shift))
			continue;
		if (r->action == VPL_FAULT_GONE && r->fired) {
			val = vpl_fault_apply(r, val, size, shift);
			continue;
		}
		if (!vpl_fault_due(r))
			continue;
		r->fired++;
		val = vpl_fault_apply(r, val, size, shift);
	}
	spin_unlock_irqrestore(&vpl_fault_lock, flags);
	return val;
}

/**
 * vpl_fault_write() - whether a write reaches the device
 * @pdev: the function
 * @space: the structure
 * @off: offset of the access in it
 * @size: bytes written
 * @val: the value written
 *
 * Also follows the selectors (queue_select, the feature selects) that
 * rules with @SEL wait for, and starts and stops storms.
 *
 * Return: false when a rule drops the write.
 */
bool vpl_fault_write(struct pci_dev *pdev, enum vpl_fault_space space,
		     unsigned int off, unsigned int size, u32 val)
{
	const char *name;
	unsigned long flags;
	enum vpl_fault_storm_op storm = VPL_STORM_NONE;
	unsigned int i, shift;
	int queue = 0;
	u16 vector = 0;
	bool pass = true;

	if (!READ_ONCE(vpl_fault_nrules))
		return true;
	name = pci_name(pdev);
	spin_lock_irqsave(&vpl_fault_lock, flags);
	for (i = 0; i < vpl_fault_nrules; i++) {
		struct vpl_fault_rule *r = &vpl_fault_rules[i];

		if (strcmp(r->bdf, name))
			continue;
		if (r->action == VPL_FAULT_STORM) {
			if (space != VPL_FAULT_COMMON)
				continue;
			storm = vpl_fault_storm_write(r, pdev, off, val);
			queue = r->cur_sel;
			if (queue >= 0 && queue < VPL_FAULT_STORM_QUEUES)
				vector = r->vectors[queue];
			continue;
		}
		if (r->action == VPL_FAULT_GONE) {
			if (r->fired && vpl_fault_covers(r, space, off, size, &shift))
				pass = false;
			continue;
		}
		if (r->action != VPL_FAULT_DROP ||
		    !vpl_fault_covers(r, space, off, size, &shift) ||
		    !vpl_fault_due(r))
			continue;
		r->fired++;
		pass = false;
	}
	for (i = 0; pass && space == VPL_FAULT_COMMON && i < vpl_fault_nrules; i++) {
		struct vpl_fault_rule *r = &vpl_fault_rules[i];

		if (r->reg && r->reg->sel == (int)off && !strcmp(r->bdf, name))
			r->cur_sel = val;
	}
	spin_unlock_irqrestore(&vpl_fault_lock, flags);
	switch (storm) {
	case VPL_STORM_ARM:
		vpl_fault_storm_arm(pdev, queue, vector);
		break;
	case VPL_STORM_RAISE:
		vpl_fault_storm_raise(pdev);
		break;
	case VPL_STORM_DISARM_QUEUE:
		vpl_fault_storm_disarm(pdev, queue);
		break;
	case VPL_STORM_DISARM:
		vpl_fault_storm_disarm(pdev, -1);
		break;
	default:
		break;
	}
	return pass;
}

/**
 * vpl_fault_gone() - whether a "gone" rule has fired for @pdev
 * @pdev: the function
 *
 * Return: true once the function is to look absent.
 */
bool vpl_fault_gone(struct pci_dev *pdev)
{
	const char *name;
	unsigned long flags;
	unsigned int i;
	bool gone = false;

	if (!READ_ONCE(vpl_fault_nrules))
		return false;
	name = pci_name(pdev);
	spin_lock_irqsave(&vpl_fault_lock, flags);
	for (i = 0; i < vpl_fault_nrules; i++)
		if (vpl_fault_rules[i].action == VPL_FAULT_GONE &&
		    vpl_fault_rules[i].fired &&
		    !strcmp(vpl_fault_rules[i].bdf, name))
			gone = true;
	spin_unlock_irqrestore(&vpl_fault_lock, flags);
	return gone;
}

/**
 * vpl_fault_request_irq() - whether the transport gets an interrupt line
 * @pdev: the function
 * @vector: the MSI-X vector, or 0 for INTx
 *
 * Return: 0, or -EBUSY when a "request_irq ... fail" rule fires (not the
 * -ENOSPC of x86 vector exhaustion: the transport must step down on any
 * failure of request_irq(), whatever the error).
 */
int vpl_fault_request_irq(struct pci_dev *pdev, unsigned int vector)
{
	const char *name;
	unsigned long flags;
	unsigned int i;
	int err = 0;

	if (!READ_ONCE(vpl_fault_nrules))
		return 0;
	name = pci_name(pdev);
	spin_lock_irqsave(&vpl_fault_lock, flags);
	for (i = 0; i < vpl_fault_nrules; i++) {
		struct vpl_fault_rule *r = &vpl_fault_rules[i];

		if (r->action != VPL_FAULT_FAIL || strcmp(r->bdf, name) ||
		    (r->sel != VPL_FAULT_NO_SEL && r->sel != vector) ||
		    !vpl_fault_due(r))
			continue;
		r->fired++;
		err = -EBUSY;
	}
	spin_unlock_irqrestore(&vpl_fault_lock, flags);
	return err;
}

/**
 * vpl_fault_notify_map_max() - the largest notification region mapped whole
 * @max: the driver's limit
 *
 * Return: @max, or the notify_map_max parameter when that is lower.
 */
size_t vpl_fault_notify_map_max(size_t max)
{
	unsigned long lim = READ_ONCE(notify_map_max);

	return lim && lim < max ? lim : max;
}

/* ------------------------------------------------------------------------
 * debugfs
 */

static int vpl_fault_parse_reg(struct vpl_fault_rule *r, char *name)
{
	char *at = strchr(name, '@');
	unsigned int i, sel;

	r->sel = VPL_FAULT_NO_SEL;
	if (at) {
		*at++ = '\0';
		if (kstrtouint(at, 0, &sel) || sel > U16_MAX)
			return -EINVAL;
		r->sel = sel;
	}
	if (!strcmp(name, "all")) {
		r->all = true;
		return at ? -EINVAL : 0;
	}
	if (str_has_prefix(name, "device+"))
		return at ? -EINVAL :
		       kstrtouint(name + strlen("device+"), 0, &r->dev_byte);
	for (i = 0; i < ARRAY_SIZE(vpl_fault_regs); i++) {
		if (strcmp(name, vpl_fault_regs[i].name))
			continue;
		r->reg = &vpl_fault_regs[i];
		if (at && r->reg->sel == VPL_FAULT_NO_SEL)
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

static int vpl_fault_parse_when(struct vpl_fault_rule *r, const char *when)
{
	if (!strcmp(when, "every")) {
		r->when = VPL_FAULT_EVERY;
		return 0;
	}
	if (str_has_prefix(when, "nth="))
		r->when = VPL_FAULT_NTH;
	else if (str_has_prefix(when, "from="))
		r->when = VPL_FAULT_FROM;
	else
		return -EINVAL;
	if (kstrtoul(strchr(when, '=') + 1, 0, &r->n) || !r->n)
		return -EINVAL;
	return 0;
}

static int vpl_fault_parse_action(struct vpl_fault_rule *r, char *action)
{
	char *arg = strchr(action, '=');
	bool irq, fail;
	int i;

	if (arg)
		*arg++ = '\0';
	i = match_string(vpl_fault_action_names,
			 ARRAY_SIZE(vpl_fault_action_names), action);
	if (i < 0)
		return i;
	r->action = i;
	if ((i == VPL_FAULT_VALUE || i == VPL_FAULT_OR) != !!arg)
		return -EINVAL;
	if (i == VPL_FAULT_GONE && !r->all)
		return -EINVAL;
	if (i == VPL_FAULT_STORM &&
	    (!r->reg || r->reg->space != VPL_FAULT_COMMON ||
	     r->reg->off != VIRTIO_PCI_COMMON_Q_RESET ||
	     r->sel != VPL_FAULT_NO_SEL))
		return -EINVAL;
	/* "fail" is for request_irq, and request_irq takes nothing else. */
	irq = r->reg && r->reg->space == VPL_FAULT_IRQ;
	fail = i == VPL_FAULT_FAIL;
	if (irq != fail)
		return -EINVAL;
	return arg ? kstrtou32(arg, 0, &r->arg) : 0;
}

static int vpl_fault_add(char *line)
{
	struct vpl_fault_rule r = { .cur_sel = VPL_FAULT_NO_SEL };
	char *bdf, *reg, *when, *action;
	unsigned long flags;
	int err;

	bdf = strsep(&line, " ");
	reg = strsep(&line, " ");
	when = strsep(&line, " ");
	action = strsep(&line, " ");
	if (!bdf || !reg || !when || !action || line ||
	    strscpy(r.bdf, bdf, sizeof(r.bdf)) < 0)
		return -EINVAL;
	err = vpl_fault_parse_reg(&r, reg);
	if (!err)
		err = vpl_fault_parse_when(&r, when);
	if (!err)
		err = vpl_fault_parse_action(&r, action);
	if (!err && r.action == VPL_FAULT_STORM)
		err = vpl_fault_storm_begin();
	if (err)
		return err;

	spin_lock_irqsave(&vpl_fault_lock, flags);
	if (vpl_fault_nrules < VPL_FAULT_MAX_RULES) {
		vpl_fault_rules[vpl_fault_nrules] = r;
		WRITE_ONCE(vpl_fault_nrules, vpl_fault_nrules + 1);
	} else {
		err = -ENOSPC;
	}
	spin_unlock_irqrestore(&vpl_fault_lock, flags);
	if (err && r.action == VPL_FAULT_STORM)
		vpl_fault_storm_cleared(NULL);	/* the thread, if unused */
	return err;
}

/* Removes the rules of @bdf, or all of them. */
static void vpl_fault_clear(const char *bdf)
{
	unsigned long flags;
	unsigned int i, n = 0;

	spin_lock_irqsave(&vpl_fault_lock, flags);
	for (i = 0; i < vpl_fault_nrules; i++)
		if (bdf && strcmp(vpl_fault_rules[i].bdf, bdf))
			vpl_fault_rules[n++] = vpl_fault_rules[i];
	WRITE_ONCE(vpl_fault_nrules, n);
	spin_unlock_irqrestore(&vpl_fault_lock, flags);
	vpl_fault_storm_cleared(bdf);
}

static ssize_t vpl_fault_write_file(struct file *file, const char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	char buf[VPL_FAULT_LINE_MAX], *line;
	int err = 0;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	line = strim(buf);
	if (!strcmp(line, "clear"))
		vpl_fault_clear(NULL);
	else if (str_has_prefix(line, "clear "))
		vpl_fault_clear(skip_spaces(line + strlen("clear ")));
	else
		err = vpl_fault_add(line);
	return err ? err : count;
}

static int vpl_fault_show(struct seq_file *s, void *unused)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&vpl_fault_lock, flags);
	for (i = 0; i < vpl_fault_nrules; i++) {
		const struct vpl_fault_rule *r = &vpl_fault_rules[i];

		seq_printf(s, "%s ", r->bdf);
		if (r->all)
			seq_puts(s, "all");
		else if (r->reg)
			seq_puts(s, r->reg->name);
		else
			seq_printf(s, "device+%u", r->dev_byte);
		if (r->sel != VPL_FAULT_NO_SEL)
			seq_printf(s, "@%d", r->sel);
		if (r->when == VPL_FAULT_EVERY)
			seq_puts(s, " every");
		else
			seq_printf(s, " %s=%lu",
				   r->when == VPL_FAULT_NTH ? "nth" : "from", r->n);
		seq_printf(s, " %s", vpl_fault_action_names[r->action]);
		if (r->action == VPL_FAULT_VALUE || r->action == VPL_FAULT_OR)
			seq_printf(s, "=%#x", r->arg);
		seq_printf(s, " hits=%lu fired=%lu\n", r->hits, r->fired);
	}
	spin_unlock_irqrestore(&vpl_fault_lock, flags);
	seq_printf(s, "storm interrupts raised: %ld\n",
		   atomic_long_read(&vpl_fault_storm.total));
	return 0;
}

static int vpl_fault_open(struct inode *inode, struct file *file)
{
	return single_open(file, vpl_fault_show, NULL);
}

static const struct file_operations vpl_fault_fops = {
	.owner		= THIS_MODULE,
	.open		= vpl_fault_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.write		= vpl_fault_write_file,
	.release	= single_release,
};

/**
 * vpl_fault_init() - create the faults file
 * @root: the driver's debugfs directory
 */
void vpl_fault_init(struct dentry *root)
{
	vpl_fault_file = debugfs_create_file("faults", 0600, root, NULL,
					     &vpl_fault_fops);
	pr_info("register fault injection built in (test build)\n");
}

/** vpl_fault_exit() - remove the faults file */
void vpl_fault_exit(void)
{
	debugfs_remove(vpl_fault_file);
	vpl_fault_clear(NULL);
}
