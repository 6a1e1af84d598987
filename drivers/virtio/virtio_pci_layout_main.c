// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-pci-layout: a virtio PCI transport driven by the layout capabilities
 *
 * Binds virtio PCI functions (vendor 0x1af4, devices 0x1000-0x107f), resolves
 * where the virtio structures live from the function's vendor capabilities
 * (virtio_pci_layout_caps.c), maps only the byte ranges they name, and
 * registers a virtio device whose config ops run the kernel's own virtio
 * drivers (virtio-net, virtio-blk, ...) unchanged.
 *
 * The device is not trusted: every value it presents is validated before it
 * is used, no device behaviour reaches a BUG_ON, and every wait on it is
 * bounded (module parameter reset_timeout_ms).
 *
 * Interrupts: one MSI-X vector per virtqueue plus one for configuration
 * changes when the function has enough vectors; otherwise one per data
 * queue, the slow-path queues (those the class driver keeps out of the
 * affinity spread) sharing the configuration vector; otherwise one
 * configuration vector and one vector shared by all virtqueues; otherwise
 * INTx, which reads the ISR status byte.  The mode is chosen from the
 * vector count before anything is requested.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>

#include "virtio_pci_layout/caps.h"
#include "virtio_pci_layout/compat.h"
#include "virtio_pci_layout/fault.h"

static enum vpl_dialect vpl_dialect = VPL_DIALECT_AUTO;

static int vpl_dialect_set(const char *val, const struct kernel_param *kp)
{
	enum vpl_dialect d;

	for (d = VPL_DIALECT_VIRTIO1; d <= VPL_DIALECT_AUTO; d++) {
		if (sysfs_streq(val, vpl_dialect_name(d))) {
			vpl_dialect = d;
			return 0;
		}
	}
	pr_err("dialect=%s: expected auto, virtio1 or draft\n", val);
	return -EINVAL;
}

static int vpl_dialect_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", vpl_dialect_name(vpl_dialect));
}

static const struct kernel_param_ops vpl_dialect_ops = {
	.set = vpl_dialect_set,
	.get = vpl_dialect_get,
};
module_param_cb(dialect, &vpl_dialect_ops, NULL, 0644);
MODULE_PARM_DESC(dialect,
		 "Layout dialect to accept: auto (virtio 1.x, else the draft), virtio1 or draft");

/*
 * Every wait on the device is bounded by reset_timeout_ms.  0 would mean no
 * bound at all to read_poll_timeout(), so the value must lie in
 * [VPL_RESET_TIMEOUT_MIN, VPL_RESET_TIMEOUT_MAX], at load and on a write.
 */
#define VPL_RESET_TIMEOUT_MIN	1
#define VPL_RESET_TIMEOUT_MAX	60000

static unsigned int reset_timeout_ms = 3000;

static int vpl_reset_timeout_set(const char *val, const struct kernel_param *kp)
{
	unsigned int ms;

	if (kstrtouint(val, 0, &ms) || ms < VPL_RESET_TIMEOUT_MIN ||
	    ms > VPL_RESET_TIMEOUT_MAX) {
		pr_err("reset_timeout_ms=%.*s refused: must be %u to %u (ms)\n",
		       (int)strcspn(val, "\n"), val, VPL_RESET_TIMEOUT_MIN,
		       VPL_RESET_TIMEOUT_MAX);
		return -EINVAL;
	}
	WRITE_ONCE(reset_timeout_ms, ms);
	return 0;
}

static const struct kernel_param_ops vpl_reset_timeout_ops = {
	.set = vpl_reset_timeout_set,
	.get = param_get_uint,
};
module_param_cb(reset_timeout_ms, &vpl_reset_timeout_ops, &reset_timeout_ms,
		0644);
MODULE_PARM_DESC(reset_timeout_ms,
		 "How long to wait for a device or queue reset to complete (ms, 1-60000, default 3000)");

/*
 * The bound of one wait on the device.  A KUnit static stub: a test's
 * model gets short waits without changing them for the real functions the
 * same module drives meanwhile.
 */
static unsigned int vpl_timeout_ms(void)
{
	KUNIT_STATIC_STUB_REDIRECT(vpl_timeout_ms);
	return READ_ONCE(reset_timeout_ms);
}

static u64 vpl_timeout_us(void)
{
	return (u64)vpl_timeout_ms() * USEC_PER_MSEC;
}

#define VPL_DRIVER_NAME		"virtio-pci-layout"

/* Virtqueue sizes above this are not allowed by virtio 1.2 §2.7/§2.8. */
#define VPL_MAX_QUEUE_SIZE		32768

/* ISR status bits (virtio 1.2 §4.1.4.5). */
#define VPL_ISR_QUEUE			0x1
#define VPL_ISR_CONFIG			0x2

/*
 * How much of each structure is mapped.  A larger notification region (a
 * 4 KiB doorbell stride with more than 4096 queues is valid) is mapped one
 * doorbell per queue instead.
 */
#define VPL_DEVICE_MAP_MAX		4096
#define VPL_NOTIFY_MAP_MAX		(16 << 20)

/* A function that is gone reads all ones, here an 8-bit status or ISR. */
#define VPL_ALL_ONES8			0xff

/* Consecutive config_generation changes believed (vpl_generation()). */
#define VPL_GEN_MAX_CHANGES		64

/* The MSI-X vector that signals configuration changes. */
#define VPL_CONFIG_VECTOR		0

/*
 * The common configuration as far as this transport uses it: the virtio 1.0
 * structure followed by the 1.2 queue_notify_data and queue_reset fields.
 */
struct vpl_common_cfg {
	struct virtio_pci_common_cfg cfg;
	__le16 queue_notify_data;
	__le16 queue_reset;
};

enum vpl_irq_mode {
	VPL_IRQ_NONE,
	VPL_IRQ_MSIX_PER_VQ,
	VPL_IRQ_MSIX_SHARED_SLOW,
	VPL_IRQ_MSIX_SHARED,
	VPL_IRQ_INTX,
};

static const char * const vpl_irq_mode_name[] = {
	[VPL_IRQ_NONE]		= "none",
	[VPL_IRQ_MSIX_PER_VQ]	= "msix-per-vq",
	[VPL_IRQ_MSIX_SHARED_SLOW] = "msix-shared-slow",
	[VPL_IRQ_MSIX_SHARED]	= "msix-shared",
	[VPL_IRQ_INTX]		= "intx",
};

/**
 * struct vpl_vq - transport state of one virtqueue
 * @vq: the virtqueue
 * @notify: its doorbell
 * @notify_pos: offset of the doorbell in the notification region
 * @notify_id: what a notification names it by: its index, or with
 *	VIRTIO_F_NOTIF_CONFIG_DATA the device's queue_notify_data
 * @vector: its MSI-X vector, or VIRTIO_MSI_NO_VECTOR
 * @irq: Linux IRQ of a vector of its own, else 0
 * @irq_off: that IRQ is ignored while the queue is reset
 * @node: entry in vpl_device.shared_vqs while a shared handler serves it
 * @affinity: storage behind the IRQ affinity hint of a vector of its own
 */
struct vpl_vq {
	struct virtqueue *vq;
	void __iomem *notify;
	u64 notify_pos;
	u16 notify_id;
	u16 vector;
	int irq;
	bool irq_off;
	struct list_head node;
	cpumask_var_t affinity;
};

/**
 * struct vpl_device - one virtio PCI function driven by this transport
 * @vdev: the virtio device registered with the core
 * @pdev: the PCI function
 * @dev: the device messages are about (the PCI function's)
 * @layout: where the structures are, as the parser resolved them
 * @common: mapped common configuration
 * @common_len: bytes of it mapped
 * @isr: mapped ISR status byte, or NULL
 * @device: mapped device-specific configuration, or NULL
 * @device_len: bytes of it mapped
 * @notify: mapped notification region, or NULL when it is mapped per queue
 * @notify_len: bytes of it mapped, or its length when mapped per queue
 * @bars: mask of the BARs requested
 * @sriov: the function can have VFs (SR-IOV capability, set up by the
 *	PCI core)
 * @feature_words: the feature words past the first two (virtio 1.4) in
 *	which the device offered any bit, as a mask of select values
 * @msix_table: size of the function's MSI-X table (negative: none)
 * @irq_mode: how virtqueue and configuration interrupts are delivered
 * @nvectors: MSI-X vectors (or the one INTx line) allocated
 * @config_irq: Linux IRQ for configuration changes (all modes), or 0
 * @shared_irq: Linux IRQ shared by all virtqueues (msix-shared), or 0
 * @irq_names: names of the IRQs requested, one per vector
 * @shared_affinity: storage behind the shared vector's affinity hint
 * @vqs: transport state per queue index
 * @nvqs: entries in @vqs
 * @status: device_status as the driver last wrote it
 * @status_unconfirmed: FEATURES_OK (or new features under it) written and
 *	not yet shown by the device: the next get_status() reads the register
 * @failed: a reset did not complete: the device is broken and not driven
 *	again until the function is bound again
 * @config_oob_reported: an access past the device configuration was logged
 * @reset_prepared: the class driver quiesced for a function reset
 * @pm_kept: suspended without a freeze: the function said No_Soft_Reset
 * @gen_lock: protects @gen_raw, @gen_last and @gen_changes
 * @gen_raw: config_generation as last read
 * @gen_last: config_generation as last returned
 * @gen_changes: consecutive reads in which it changed
 * @vqs_mutex: serialises virtqueue setup and teardown with debugfs readers
 * @lock: protects @shared_vqs
 * @shared_vqs: virtqueues served by a shared handler (msix-shared, intx;
 *	msix-shared-slow: the slow-path queues, on the configuration vector)
 * @debugfs: this function's file in debugfs
 */
struct vpl_device {
	struct virtio_device vdev;
	struct pci_dev *pdev;
	struct device *dev;
	struct vpl_layout layout;

	void __iomem *common;
	size_t common_len;
	u8 __iomem *isr;
	void __iomem *device;
	size_t device_len;
	void __iomem *notify;
	size_t notify_len;
	int bars;
	bool sriov;
	u8 feature_words;

	int msix_table;
	enum vpl_irq_mode irq_mode;
	unsigned int nvectors;
	int config_irq;
	int shared_irq;
	char **irq_names;
	cpumask_var_t shared_affinity;

	struct vpl_vq **vqs;
	unsigned int nvqs;
	u8 status;
	bool status_unconfirmed;
	bool failed;
	bool config_oob_reported;
	bool reset_prepared;
	bool pm_kept;
	spinlock_t gen_lock;		/* protects gen_* */
	u8 gen_raw;
	u8 gen_last;
	unsigned int gen_changes;
	struct mutex vqs_mutex;		/* protects vqs, nvqs, irq state */
	spinlock_t lock;		/* protects shared_vqs */
	struct list_head shared_vqs;
	struct dentry *debugfs;
};

static struct vpl_device *to_vpl(struct virtio_device *vdev)
{
	return container_of(vdev, struct vpl_device, vdev);
}

static struct vpl_vq *to_vpl_vq(struct virtqueue *vq)
{
	return vq->priv;
}

/* Pin the register layout this file relies on to the spec's offsets. */
static inline void vpl_check_offsets(void)
{
	BUILD_BUG_ON(offsetof(struct virtio_pci_common_cfg, device_feature_select) !=
		     VIRTIO_PCI_COMMON_DFSELECT);
	BUILD_BUG_ON(offsetof(struct virtio_pci_common_cfg, device_feature) !=
		     VIRTIO_PCI_COMMON_DF);
	BUILD_BUG_ON(offsetof(struct virtio_pci_common_cfg, guest_feature_select) !=
		     VIRTIO_PCI_COMMON_GFSELECT);
	BUILD_BUG_ON(offsetof(struct virtio_pci_common_cfg, guest_feature) !=
		     VIRTIO_PCI_COMMON_GF);
	BUILD_BUG_ON(offsetof(struct virtio_pci_common_cfg, msix_config) !=
		     VIRTIO_PCI_COMMON_MSIX);
	BUILD_BUG_ON(offsetof(struct virtio_pci_common_cfg, num_queues) !=
		     VIRTIO_PCI_COMMON_NUMQ);
	BUILD_BUG_ON(offsetof(struct virtio_pci_common_cfg, device_status) !=
		     VIRTIO_PCI_COMMON_STATUS);
	BUILD_BUG_ON(offsetof(struct virtio_pci_common_cfg, config_generation) !=
		     VIRTIO_PCI_COMMON_CFGGENERATION);
	BUILD_BUG_ON(offsetof(struct virtio_pci_common_cfg, queue_select) !=
		     VIRTIO_PCI_COMMON_Q_SELECT);
	BUILD_BUG_ON(offsetof(struct virtio_pci_common_cfg, queue_size) !=
		     VIRTIO_PCI_COMMON_Q_SIZE);
	BUILD_BUG_ON(offsetof(struct virtio_pci_common_cfg, queue_msix_vector) !=
		     VIRTIO_PCI_COMMON_Q_MSIX);
	BUILD_BUG_ON(offsetof(struct virtio_pci_common_cfg, queue_enable) !=
		     VIRTIO_PCI_COMMON_Q_ENABLE);
	BUILD_BUG_ON(offsetof(struct virtio_pci_common_cfg, queue_notify_off) !=
		     VIRTIO_PCI_COMMON_Q_NOFF);
	BUILD_BUG_ON(offsetof(struct virtio_pci_common_cfg, queue_desc_lo) !=
		     VIRTIO_PCI_COMMON_Q_DESCLO);
	BUILD_BUG_ON(offsetof(struct virtio_pci_common_cfg, queue_desc_hi) !=
		     VIRTIO_PCI_COMMON_Q_DESCHI);
	BUILD_BUG_ON(offsetof(struct virtio_pci_common_cfg, queue_avail_lo) !=
		     VIRTIO_PCI_COMMON_Q_AVAILLO);
	BUILD_BUG_ON(offsetof(struct virtio_pci_common_cfg, queue_avail_hi) !=
		     VIRTIO_PCI_COMMON_Q_AVAILHI);
	BUILD_BUG_ON(offsetof(struct virtio_pci_common_cfg, queue_used_lo) !=
		     VIRTIO_PCI_COMMON_Q_USEDLO);
	BUILD_BUG_ON(offsetof(struct virtio_pci_common_cfg, queue_used_hi) !=
		     VIRTIO_PCI_COMMON_Q_USEDHI);
	BUILD_BUG_ON(offsetof(struct vpl_common_cfg, queue_notify_data) !=
		     VIRTIO_PCI_COMMON_Q_NDATA);
	BUILD_BUG_ON(offsetof(struct vpl_common_cfg, queue_reset) !=
		     VIRTIO_PCI_COMMON_Q_RESET);
	BUILD_BUG_ON(sizeof(struct virtio_pci_common_cfg) != VPL_COMMON_MIN_LEN);
	BUILD_BUG_ON(VIRTIO_PCI_CAP_COMMON_CFG != VPL_V1_COMMON_CFG);
	BUILD_BUG_ON(VIRTIO_PCI_CAP_NOTIFY_CFG != VPL_V1_NOTIFY_CFG);
	BUILD_BUG_ON(VIRTIO_PCI_CAP_ISR_CFG != VPL_V1_ISR_CFG);
	BUILD_BUG_ON(VIRTIO_PCI_CAP_DEVICE_CFG != VPL_V1_DEVICE_CFG);
	BUILD_BUG_ON(VIRTIO_PCI_CAP_PCI_CFG != VPL_V1_PCI_CFG);
	BUILD_BUG_ON(VIRTIO_PCI_CAP_SHARED_MEMORY_CFG != VPL_V1_SHM_CFG);
	BUILD_BUG_ON(offsetof(struct virtio_pci_cap, cap_len) != VPL_V1_CAP_LEN);
	BUILD_BUG_ON(offsetof(struct virtio_pci_cap, cfg_type) !=
		     VPL_V1_CAP_CFG_TYPE);
	BUILD_BUG_ON(offsetof(struct virtio_pci_cap, bar) != VPL_V1_CAP_BAR);
	BUILD_BUG_ON(offsetof(struct virtio_pci_cap, id) != VPL_V1_CAP_ID);
	BUILD_BUG_ON(offsetof(struct virtio_pci_cap, offset) != VPL_V1_CAP_OFFSET);
	BUILD_BUG_ON(offsetof(struct virtio_pci_cap, length) != VPL_V1_CAP_LENGTH);
	BUILD_BUG_ON(sizeof(struct virtio_pci_cap) != VPL_V1_CAP_SIZE);
	BUILD_BUG_ON(offsetof(struct virtio_pci_notify_cap, notify_off_multiplier) !=
		     VPL_V1_CAP_NOTIFY_MULT);
	BUILD_BUG_ON(offsetof(struct virtio_pci_cap64, offset_hi) !=
		     VPL_V1_CAP_OFFSET_HI);
	BUILD_BUG_ON(offsetof(struct virtio_pci_cap64, length_hi) !=
		     VPL_V1_CAP_LENGTH_HI);
}

/* ------------------------------------------------------------------------
 * Register access
 *
 * The common configuration is accessed by offset (VIRTIO_PCI_COMMON_*,
 * pinned by vpl_check_offsets()) at the width of each field.
 */

/* One access of @size bytes (1, 2 or 4) at @addr. */
static u32 vpl_ioread(void __iomem *addr, unsigned int size)
{
	if (size == 1)
		return ioread8(addr);
	if (size == 2)
		return ioread16(addr);
	return ioread32(addr);
}

static void vpl_iowrite(u32 val, void __iomem *addr, unsigned int size)
{
	if (size == 1)
		iowrite8(val, addr);
	else if (size == 2)
		iowrite16(val, addr);
	else
		iowrite32(val, addr);
}

/*
 * Every common configuration access goes through these two.  The KUnit
 * suites redirect them to their model of a device (a static stub: nothing
 * unless a KUnit test is running).
 */
static u32 vpl_cread(struct vpl_device *vp, unsigned int off, unsigned int size)
{
	KUNIT_STATIC_STUB_REDIRECT(vpl_cread, vp, off, size);
	return vpl_fault_read(vp->pdev, VPL_FAULT_COMMON, off, size,
			      vpl_ioread(vp->common + off, size));
}

static void vpl_cwrite(struct vpl_device *vp, unsigned int off,
		       unsigned int size, u32 val)
{
	KUNIT_STATIC_STUB_REDIRECT(vpl_cwrite, vp, off, size, val);
	if (vpl_fault_write(vp->pdev, VPL_FAULT_COMMON, off, size, val))
		vpl_iowrite(val, vp->common + off, size);
}

static u8 vpl_cread8(struct vpl_device *vp, unsigned int off)
{
	return vpl_cread(vp, off, 1);
}

static u16 vpl_cread16(struct vpl_device *vp, unsigned int off)
{
	return vpl_cread(vp, off, 2);
}

static u32 vpl_cread32(struct vpl_device *vp, unsigned int off)
{
	return vpl_cread(vp, off, 4);
}

static void vpl_cwrite8(struct vpl_device *vp, unsigned int off, u8 val)
{
	vpl_cwrite(vp, off, 1, val);
}

static void vpl_cwrite16(struct vpl_device *vp, unsigned int off, u16 val)
{
	vpl_cwrite(vp, off, 2, val);
}

static void vpl_cwrite32(struct vpl_device *vp, unsigned int off, u32 val)
{
	vpl_cwrite(vp, off, 4, val);
}

/* A 64-bit field: two 32-bit writes, low half first (§4.1.3.1). */
static void vpl_cwrite64(struct vpl_device *vp, unsigned int off, u64 val)
{
	vpl_cwrite32(vp, off, lower_32_bits(val));
	vpl_cwrite32(vp, off + 4, upper_32_bits(val));
}

/* Bounded poll of a 16-bit queue register until it reads @want. */
static int vpl_wait_queue_reg(struct vpl_device *vp, unsigned int off,
			      u16 want)
{
	u16 val;

	return read_poll_timeout(vpl_cread16, val, val == want, 1000,
				 vpl_timeout_us(), false, vp, off);
}

/* ------------------------------------------------------------------------
 * Device configuration space
 */

static bool vpl_config_ok(struct vpl_device *vp, unsigned int offset,
			  unsigned int len, const char *op)
{
	if (offset <= vp->device_len && len <= vp->device_len - offset)
		return true;
	/* Once per device: a driver may probe a whole structure bytewise. */
	if (!vp->config_oob_reported) {
		vp->config_oob_reported = true;
		dev_err(vp->dev,
			"config %s of %u bytes at offset %u: beyond the %zu-byte device configuration\n",
			op, len, offset, vp->device_len);
	}
	return false;
}

/* One device configuration read or write of @size bytes at @off. */
static u32 vpl_dread(struct vpl_device *vp, unsigned int off,
		     unsigned int size)
{
	return vpl_fault_read(vp->pdev, VPL_FAULT_DEVICE, off, size,
			      vpl_ioread(vp->device + off, size));
}

static void vpl_dwrite(struct vpl_device *vp, unsigned int off,
		       unsigned int size, u32 val)
{
	if (vpl_fault_write(vp->pdev, VPL_FAULT_DEVICE, off, size, val))
		vpl_iowrite(val, vp->device + off, size);
}

static void vpl_get(struct virtio_device *vdev, unsigned int offset,
		    void *buf, unsigned int len)
{
	struct vpl_device *vp = to_vpl(vdev);
	__le16 w;
	__le32 l;
	u8 *b = buf;
	unsigned int i;

	if (!vpl_config_ok(vp, offset, len, "read")) {
		memset(buf, 0, len);
		return;
	}

	/* Fields are read at their natural width (virtio 1.2 §4.1.3.1). */
	if (len == 1) {
		b[0] = vpl_dread(vp, offset, 1);
	} else if (len == 2 && IS_ALIGNED(offset, 2)) {
		w = cpu_to_le16(vpl_dread(vp, offset, 2));
		memcpy(buf, &w, sizeof(w));
	} else if ((len == 4 || len == 8) && IS_ALIGNED(offset, 4)) {
		for (i = 0; i < len; i += 4) {
			l = cpu_to_le32(vpl_dread(vp, offset + i, 4));
			memcpy(b + i, &l, sizeof(l));
		}
	} else {
		for (i = 0; i < len; i++)
			b[i] = vpl_dread(vp, offset + i, 1);
	}
}

static void vpl_set(struct virtio_device *vdev, unsigned int offset,
		    const void *buf, unsigned int len)
{
	struct vpl_device *vp = to_vpl(vdev);
	const u8 *b = buf;
	unsigned int i;
	__le16 w;
	__le32 l;

	if (!vpl_config_ok(vp, offset, len, "write"))
		return;

	if (len == 1) {
		vpl_dwrite(vp, offset, 1, b[0]);
	} else if (len == 2 && IS_ALIGNED(offset, 2)) {
		memcpy(&w, buf, sizeof(w));
		vpl_dwrite(vp, offset, 2, le16_to_cpu(w));
	} else if ((len == 4 || len == 8) && IS_ALIGNED(offset, 4)) {
		for (i = 0; i < len; i += 4) {
			memcpy(&l, b + i, sizeof(l));
			vpl_dwrite(vp, offset + i, 4, le32_to_cpu(l));
		}
	} else {
		for (i = 0; i < len; i++)
			vpl_dwrite(vp, offset + i, 1, b[i]);
	}
}

/*
 * The core re-reads device configuration until config_generation reads the
 * same before and after, with no bound.  A device whose generation changes
 * on every read would hold the CPU forever, so after VPL_GEN_MAX_CHANGES
 * consecutive changes the value is frozen: the reads complete (their
 * consistency is the device's loss) and the device is reported.
 */
static u32 vpl_generation(struct virtio_device *vdev)
{
	struct vpl_device *vp = to_vpl(vdev);
	u8 gen = vpl_cread8(vp, VIRTIO_PCI_COMMON_CFGGENERATION);
	unsigned int changes = 0;
	unsigned long flags;
	u8 ret = gen;

	/* Configuration reads may run concurrently (sysfs, config work). */
	spin_lock_irqsave(&vp->gen_lock, flags);
	if (gen == vp->gen_raw) {
		/* Read the same twice: stable (again). */
		vp->gen_changes = 0;
		vp->gen_last = gen;
	} else if (vp->gen_changes >= VPL_GEN_MAX_CHANGES) {
		vp->gen_raw = gen;
		changes = vp->gen_changes;
		ret = vp->gen_last;
	} else {
		vp->gen_raw = gen;
		vp->gen_changes++;
		vp->gen_last = gen;
	}
	spin_unlock_irqrestore(&vp->gen_lock, flags);
	if (changes)
		dev_err_ratelimited(vp->dev,
				    "config_generation changed %u times in a row (now %#x); ignoring it\n",
				    changes, gen);
	return ret;
}

/* ------------------------------------------------------------------------
 * Status, reset and features
 */

/*
 * device_status as the core may see it.  The device has two things to say
 * there (virtio 1.2 §2.1): it clears FEATURES_OK to refuse the features,
 * and it sets DEVICE_NEEDS_RESET while the driver drives it.  Every other
 * bit is what the driver wrote, whatever the register shows: the core
 * WARNs when DRIVER_OK is set before it set it (virtio_device_ready()),
 * and when status is not 0 after the driver's reset (virtio_dev_remove()),
 * so a device must not be able to show or hide any other bit.  After a
 * reset, also one that failed and broke the device, the core sees 0.
 *
 * So the register is read only where the answer can differ from what the
 * driver wrote: after a reset, never (0); before DRIVER_OK, until the
 * device has shown the FEATURES_OK the driver wrote (the core's readback
 * in virtio_features_ok()); from DRIVER_OK on, always, so that
 * DEVICE_NEEDS_RESET reaches the core (§2.1.2: the device signals it with
 * a configuration change from then on).  The core's other reads during
 * initialisation, virtio_add_status()'s read-modify-write and
 * virtio_device_ready()'s check, cost no access.
 */
static u8 vpl_get_status(struct virtio_device *vdev)
{
	struct vpl_device *vp = to_vpl(vdev);
	u8 written = READ_ONCE(vp->status);
	u8 status;

	if (!written)
		return 0;
	if (!(written & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !((written & VIRTIO_CONFIG_S_FEATURES_OK) &&
	      READ_ONCE(vp->status_unconfirmed)))
		return written;
	status = vpl_cread8(vp, VIRTIO_PCI_COMMON_STATUS);
	if (status & written & VIRTIO_CONFIG_S_FEATURES_OK)
		WRITE_ONCE(vp->status_unconfirmed, false);
	return (written & ~VIRTIO_CONFIG_S_FEATURES_OK) |
	       (status & written & VIRTIO_CONFIG_S_FEATURES_OK) |
	       (status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static void vpl_set_status(struct virtio_device *vdev, u8 status)
{
	struct vpl_device *vp = to_vpl(vdev);

	/*
	 * FEATURES_OK newly written: the device may refuse it, the next
	 * get_status() reads (so does one after finalize_features() wrote
	 * other features, vpl_finalize_features()).  DEVICE_NEEDS_RESET is
	 * the device's to set: the core writes it back.
	 */
	if (!(status & VIRTIO_CONFIG_S_FEATURES_OK))
		WRITE_ONCE(vp->status_unconfirmed, false);
	else if (!(READ_ONCE(vp->status) & VIRTIO_CONFIG_S_FEATURES_OK))
		WRITE_ONCE(vp->status_unconfirmed, true);
	WRITE_ONCE(vp->status, status & ~VIRTIO_CONFIG_S_NEEDS_RESET);
	vpl_cwrite8(vp, VIRTIO_PCI_COMMON_STATUS, status);
}

static void vpl_sync_irq(struct vpl_device *vp, int irq)
{
	if (irq)
		synchronize_irq(irq);
}

static void vpl_synchronize_cbs(struct virtio_device *vdev)
{
	struct vpl_device *vp = to_vpl(vdev);
	unsigned int i;

	vpl_sync_irq(vp, vp->config_irq);
	vpl_sync_irq(vp, vp->shared_irq);
	for (i = 0; i < vp->nvqs; i++)
		if (vp->vqs[i])
			vpl_sync_irq(vp, vp->vqs[i]->irq);
}

/* Whether the function is still on the bus (a KUnit static stub). */
static bool vpl_present(struct vpl_device *vp)
{
	KUNIT_STATIC_STUB_REDIRECT(vpl_present, vp);
	return pci_device_is_present(vp->pdev) && !vpl_fault_gone(vp->pdev);
}

/* Ends the function's bus mastering (a KUnit static stub). */
static void vpl_clear_master(struct vpl_device *vp)
{
	KUNIT_STATIC_STUB_REDIRECT(vpl_clear_master, vp);
	pci_clear_master(vp->pdev);
}

/* A function that has left the bus reads all ones; nothing will change. */
static bool vpl_gone(struct vpl_device *vp, u8 val)
{
	return val == VPL_ALL_ONES8 && !vpl_present(vp);
}

/*
 * Shut off a device that failed a reset: it may still be using its rings,
 * which are about to be freed.  Its virtqueues are broken (no callback, no
 * notification), bus mastering ends, and no queue is set up for it again
 * until the function is bound again.
 */
static void vpl_fail_device(struct vpl_device *vp)
{
	WRITE_ONCE(vp->failed, true);
	virtio_break_device(&vp->vdev);
	vpl_clear_master(vp);
}

/* -EIO, once said why, when the device failed a reset earlier. */
static int vpl_check_failed(struct vpl_device *vp, const char *what)
{
	if (!READ_ONCE(vp->failed))
		return 0;
	dev_err(vp->dev, "%s: refused, the device failed a reset; bind it again\n",
		what);
	return -EIO;
}

static void vpl_reset(struct virtio_device *vdev)
{
	struct vpl_device *vp = to_vpl(vdev);
	ktime_t start = ktime_get();
	u8 status;
	int err;

	vpl_set_status(vdev, 0);
	/* Shut off already: its resets do not complete, do not wait again. */
	if (READ_ONCE(vp->failed))
		goto out;
	/* virtio 1.2 §4.1.4.3.2: reset is complete when status reads 0. */
	err = read_poll_timeout(vpl_cread8, status,
				!status || vpl_gone(vp, status), 1000,
				vpl_timeout_us(), false, vp,
				VIRTIO_PCI_COMMON_STATUS);
	if (!err && !status)
		goto out;
	if (!err)
		dev_err(vp->dev,
			"reset: the function is gone (device_status reads %#x, vendor ID does not answer) after %lld ms; device shut off\n",
			status, ktime_ms_delta(ktime_get(), start));
	else
		dev_err(vp->dev,
			"reset: device_status stuck at %#x for %lld ms (limit %u ms); device shut off\n",
			status, ktime_ms_delta(ktime_get(), start),
			vpl_timeout_ms());
	vpl_fail_device(vp);
out:
	/* No callback may run past a reset. */
	vpl_synchronize_cbs(vdev);
}

/*
 * Feature bits come 32 at a time through the select registers: words 0 and
 * 1 are the 64 bits every kernel knows; 2 and 3 (virtio 1.4: bit 64 and up)
 * the core reads from 6.17 on.  A device older than them reads 0 there, the
 * spec's answer for any select value it has no bits for.
 */
static void vpl_read_features(struct vpl_device *vp, u64 *features,
			      unsigned int n64)
{
	unsigned int word;
	u32 bits;

	BUILD_BUG_ON(2 * VPL_FEATURE_U64S > BITS_PER_TYPE(vp->feature_words));
	memset(features, 0, n64 * sizeof(*features));
	for (word = 0; word < 2 * n64; word++) {
		vpl_cwrite32(vp, VIRTIO_PCI_COMMON_DFSELECT, word);
		bits = vpl_cread32(vp, VIRTIO_PCI_COMMON_DF);
		features[word / 2] |= (u64)bits << (word % 2 * 32);
		if (word >= 2 && bits)
			vp->feature_words |= BIT(word);
	}
}

static u64 vpl_get_features(struct virtio_device *vdev)
{
	u64 features;

	vpl_read_features(to_vpl(vdev), &features, 1);
	return features;
}

#ifdef VPL_HAVE_EXTENDED_FEATURES
static void vpl_get_extended_features(struct virtio_device *vdev,
				      u64 *features)
{
	vpl_read_features(to_vpl(vdev), features, VPL_FEATURE_U64S);
}

#define VPL_GET_EXTENDED_FEATURES \
	.get_extended_features	= vpl_get_extended_features,
#else
#define VPL_GET_EXTENDED_FEATURES
#endif

/*
 * VIRTIO_F_NOTIFICATION_DATA makes every doorbell write 32 bits wide.  It is
 * taken where the ring can say where it is (vring_notification_data(),
 * 6.4) and every doorbell is 4-byte aligned: the notification region's
 * offset and notify_off_multiplier multiples of 4, the region 4 bytes long
 * at least.  Each doorbell's length is checked when its queue is set up.
 */
static bool vpl_notification_data_fits(struct vpl_device *vp)
{
	const struct vpl_region *r = &vp->layout.region[VPL_REGION_NOTIFY];

	if (!VPL_RING_NOTIFICATION_DATA)
		return false;
	if (r->offset % sizeof(u32) || vp->layout.notify_mult % sizeof(u32) ||
	    vp->notify_len < sizeof(u32)) {
		dev_dbg(vp->dev,
			"VIRTIO_F_NOTIFICATION_DATA not taken: notify offset %#x, notify_off_multiplier %u, length %zu\n",
			r->offset, vp->layout.notify_mult, vp->notify_len);
		return false;
	}
	return true;
}

static int vpl_finalize_features(struct virtio_device *vdev)
{
	struct vpl_device *vp = to_vpl(vdev);
	const u64 *features = vpl_features_of(vdev);
	u64 offered = vdev->features;
	unsigned int word;

	/* Keep only the ring features virtio_ring implements... */
	vring_transport_features(vdev);

	/* ...plus the transport's own, where the device has the registers. */
	vdev->features &= ~(BIT_ULL(VIRTIO_F_RING_RESET) |
			    BIT_ULL(VIRTIO_F_SR_IOV) |
			    BIT_ULL(VIRTIO_F_NOTIFICATION_DATA) |
			    BIT_ULL(VIRTIO_F_NOTIF_CONFIG_DATA));
	if ((offered & BIT_ULL(VIRTIO_F_RING_RESET)) &&
	    vp->common_len >= offsetofend(struct vpl_common_cfg, queue_reset))
		vdev->features |= BIT_ULL(VIRTIO_F_RING_RESET);
	if ((offered & BIT_ULL(VIRTIO_F_NOTIFICATION_DATA)) &&
	    vpl_notification_data_fits(vp))
		vdev->features |= BIT_ULL(VIRTIO_F_NOTIFICATION_DATA);
	/* VFs are the PCI function's: only where it has the capability. */
	if ((offered & BIT_ULL(VIRTIO_F_SR_IOV)) && vp->sriov)
		vdev->features |= BIT_ULL(VIRTIO_F_SR_IOV);
	if ((offered & BIT_ULL(VIRTIO_F_NOTIF_CONFIG_DATA)) &&
	    vp->common_len >= offsetofend(struct vpl_common_cfg,
					  queue_notify_data))
		vdev->features |= BIT_ULL(VIRTIO_F_NOTIF_CONFIG_DATA);

	if (!(vdev->features & BIT_ULL(VIRTIO_F_VERSION_1))) {
		dev_err(vp->dev,
			"features %#llx lack VIRTIO_F_VERSION_1, which this transport requires\n",
			offered);
		return -EINVAL;
	}

	/*
	 * New features need the device's FEATURES_OK again, also when the
	 * status the core writes next (a probe after a failed one) still has
	 * it: get_status() reads until the device shows it.
	 */
	WRITE_ONCE(vp->status_unconfirmed, true);

	/*
	 * A word past the first two in which the device offered nothing holds
	 * no accepted bit either, and the device's copy of it is still the 0
	 * a reset left: not written.
	 */
	for (word = 0; word < 2 * VPL_FEATURE_U64S; word++) {
		if (word >= 2 && !(vp->feature_words & BIT(word)))
			continue;
		vpl_cwrite32(vp, VIRTIO_PCI_COMMON_GFSELECT, word);
		vpl_cwrite32(vp, VIRTIO_PCI_COMMON_GF,
			     features[word / 2] >> (word % 2 * 32));
	}
	return 0;
}

static const char *vpl_bus_name(struct virtio_device *vdev)
{
	return pci_name(to_vpl(vdev)->pdev);
}

static bool vpl_get_shm_region(struct virtio_device *vdev,
			       struct virtio_shm_region *region, u8 id)
{
	struct vpl_device *vp = to_vpl(vdev);
	unsigned int i;

	for (i = 0; i < vp->layout.n_shm; i++) {
		const struct vpl_shm *shm = &vp->layout.shm[i];

		if (shm->id != id)
			continue;
		region->addr = pci_resource_start(vp->pdev, shm->bar) +
			       shm->offset;
		region->len = shm->length;
		return true;
	}
	return false;
}

/* ------------------------------------------------------------------------
 * Interrupts
 */

/*
 * A virtqueue's own vector.  While the queue is reset its ring may be freed
 * and replaced (vpl_disable_vq_and_reset()): the interrupt is then taken
 * and dropped without looking at the ring.  (disable_irq() would do, but
 * not with managed affinity: CPU hotplug restarts such an IRQ.)
 */
static irqreturn_t vpl_vq_interrupt(int irq, void *opaque)
{
	struct vpl_vq *info = opaque;

	/* Pairs with the release in vpl_enable_vq_after_reset(). */
	if (smp_load_acquire(&info->irq_off))
		return IRQ_HANDLED;
	return vring_interrupt(irq, info->vq);
}

static irqreturn_t vpl_vqs_interrupt(int irq, void *opaque)
{
	struct vpl_device *vp = opaque;
	irqreturn_t ret = IRQ_NONE;
	struct vpl_vq *info;
	unsigned long flags;

	spin_lock_irqsave(&vp->lock, flags);
	list_for_each_entry(info, &vp->shared_vqs, node)
		if (vring_interrupt(irq, info->vq) == IRQ_HANDLED)
			ret = IRQ_HANDLED;
	spin_unlock_irqrestore(&vp->lock, flags);
	return ret;
}

/*
 * The configuration vector.  In msix-shared-slow mode the slow-path queues
 * share it: MSI-X says nothing about which of them fired, so the driver's
 * config_changed may run for a queue's interrupt (the in-tree transport's
 * shared vectors do the same; class drivers take it as a re-read).
 */
static irqreturn_t vpl_config_interrupt(int irq, void *opaque)
{
	struct vpl_device *vp = opaque;

	virtio_config_changed(&vp->vdev);
	if (vp->irq_mode == VPL_IRQ_MSIX_SHARED_SLOW)
		vpl_vqs_interrupt(irq, vp);
	return IRQ_HANDLED;
}

static irqreturn_t vpl_intx_interrupt(int irq, void *opaque)
{
	struct vpl_device *vp = opaque;
	u8 isr;

	/* Reading clears it: whatever it says has been acknowledged. */
	isr = vpl_fault_read(vp->pdev, VPL_FAULT_ISR, 0, 1, ioread8(vp->isr));
	/*
	 * 0: not ours (the line is shared).  All ones: the function is gone.
	 * Reserved bits otherwise are ignored; the events beside them count.
	 */
	if (!isr || isr == VPL_ALL_ONES8)
		return IRQ_NONE;
	if (isr & VPL_ISR_CONFIG)
		virtio_config_changed(&vp->vdev);
	if (isr & VPL_ISR_QUEUE)
		vpl_vqs_interrupt(irq, vp);
	return IRQ_HANDLED;
}

/*
 * Whether the @k-th of the @ncallbacks queues with a callback is on the
 * slow path: one its class driver keeps out of the interrupt affinity
 * spread (@desc's pre_vectors and post_vectors count such queues), i.e.
 * not a per-CPU data queue.  virtio-scsi's control and event queues are;
 * virtio-net's control queue takes no interrupt at all.  (The in-tree
 * transport's slow path is its admin queue only.)
 */
static bool vpl_slow_vq(const struct irq_affinity *desc, unsigned int k,
			unsigned int ncallbacks)
{
	return desc && (k < desc->pre_vectors ||
			k + min(desc->post_vectors, ncallbacks) >= ncallbacks);
}

/*
 * How many vectors (or lines) a mode takes for @ncallbacks queues with
 * callbacks, @nslow of them on the slow path.
 */
static unsigned int vpl_mode_vectors(enum vpl_irq_mode mode,
				     unsigned int ncallbacks,
				     unsigned int nslow)
{
	switch (mode) {
	case VPL_IRQ_MSIX_PER_VQ:
		return ncallbacks + 1;
	case VPL_IRQ_MSIX_SHARED_SLOW:
		return ncallbacks - nslow + 1;
	case VPL_IRQ_MSIX_SHARED:
		return 2;
	case VPL_IRQ_INTX:
		return 1;
	default:
		return 0;
	}
}

/*
 * The interrupt mode to try after @mode (VPL_IRQ_NONE to start), given an
 * MSI-X table of @table vectors (0 or negative: none), @ncallbacks queues
 * with callbacks, @nslow of them on the slow path, and whether an ISR
 * status byte exists: a vector per virtqueue with a callback plus one for
 * configuration if the table is big enough; else a vector per data queue,
 * the slow-path queues on the configuration vector; else two shared
 * vectors; else INTx.  The choice is made from the table size, before
 * anything is allocated; a later mode is only tried if the system cannot
 * provide the vectors of an earlier one.
 */
static enum vpl_irq_mode vpl_next_irq_mode(enum vpl_irq_mode mode, int table,
					   unsigned int ncallbacks,
					   unsigned int nslow, bool has_isr)
{
	switch (mode) {
	case VPL_IRQ_NONE:
		if (table > 0 && ncallbacks + 1 <= (unsigned int)table)
			return VPL_IRQ_MSIX_PER_VQ;
		fallthrough;
	case VPL_IRQ_MSIX_PER_VQ:
		if (nslow && nslow < ncallbacks && table > 0 &&
		    ncallbacks - nslow + 1 <= (unsigned int)table)
			return VPL_IRQ_MSIX_SHARED_SLOW;
		fallthrough;
	case VPL_IRQ_MSIX_SHARED_SLOW:
		if (table >= 2)
			return VPL_IRQ_MSIX_SHARED;
		fallthrough;
	case VPL_IRQ_MSIX_SHARED:
		if (has_isr)
			return VPL_IRQ_INTX;
		fallthrough;
	default:
		return VPL_IRQ_NONE;
	}
}

/*
 * The IRQ vectors of the function: allocated, numbered and freed through
 * these three, which the KUnit suites redirect to interrupts of their own
 * (static stubs).
 */
static int vpl_irq_alloc(struct vpl_device *vp, enum vpl_irq_mode mode,
			 unsigned int n, struct irq_affinity *desc)
{
	struct irq_affinity spread;

	KUNIT_STATIC_STUB_REDIRECT(vpl_irq_alloc, vp, mode, n, desc);
	if (mode == VPL_IRQ_INTX)
		return pci_alloc_irq_vectors(vp->pdev, 1, 1, PCI_IRQ_INTX);
	if (mode == VPL_IRQ_MSIX_SHARED || !desc)
		return pci_alloc_irq_vectors(vp->pdev, n, n, PCI_IRQ_MSIX);
	/* Spread the queue vectors; keep the config vector out of it. */
	spread = *desc;
	if (mode == VPL_IRQ_MSIX_SHARED_SLOW) {
		/* The slow-path queues have no vectors of their own. */
		spread.pre_vectors = 0;
		spread.post_vectors = 0;
	}
	spread.pre_vectors++;
	return pci_alloc_irq_vectors_affinity(vp->pdev, n, n,
					      PCI_IRQ_MSIX | PCI_IRQ_AFFINITY,
					      &spread);
}

static int vpl_irq_vector(struct vpl_device *vp, unsigned int vector)
{
	KUNIT_STATIC_STUB_REDIRECT(vpl_irq_vector, vp, vector);
	return pci_irq_vector(vp->pdev, vector);
}

static void vpl_irq_free_vectors(struct vpl_device *vp)
{
	KUNIT_STATIC_STUB_REDIRECT(vpl_irq_free_vectors, vp);
	pci_free_irq_vectors(vp->pdev);
}

/*
 * Requests the Linux IRQ of @vector.  A failure of request_irq() itself
 * (the system is out of vectors) is -ENOSPC: the caller moves down a mode.
 */
static int vpl_request_irq(struct vpl_device *vp, unsigned int vector,
			   irq_handler_t handler, unsigned long flags,
			   void *dev_id, const char *fmt, const char *name)
{
	int irq = vpl_irq_vector(vp, vector);
	int err;

	if (irq < 0)
		return irq;
	vp->irq_names[vector] = kasprintf(GFP_KERNEL, fmt,
					  dev_name(&vp->vdev.dev), name);
	if (!vp->irq_names[vector])
		return -ENOMEM;
	err = vpl_fault_request_irq(vp->pdev, vector) ?:
	      request_irq(irq, handler, flags, vp->irq_names[vector], dev_id);
	if (err) {
		dev_warn(vp->dev, "%s: request_irq(%d) failed: %d\n",
			 vp->irq_names[vector], irq, err);
		kfree(vp->irq_names[vector]);
		vp->irq_names[vector] = NULL;
		return -ENOSPC;
	}
	return irq;
}

static void vpl_free_irq(struct vpl_device *vp, unsigned int vector,
			 int irq, void *dev_id)
{
	free_irq(irq, dev_id);
	kfree(vp->irq_names[vector]);
	vp->irq_names[vector] = NULL;
}

/*
 * Write an MSI-X vector register and check the device took it.  NO_VECTOR
 * read back is the device refusing the mapping (virtio 1.2 §4.1.5.1.2):
 * -ENOSPC, and the caller tries with fewer vectors.  Any other value is a
 * device failure.
 */
static int vpl_set_vector(struct vpl_device *vp, unsigned int off,
			  u16 vector, const char *field, int queue)
{
	char where[24] = "";
	u16 got;

	vpl_cwrite16(vp, off, vector);
	got = vpl_cread16(vp, off);
	if (got == vector)
		return 0;
	if (queue >= 0)
		snprintf(where, sizeof(where), "queue %d: ", queue);
	if (got == VIRTIO_MSI_NO_VECTOR) {
		dev_warn(vp->dev, "%s%s: vector %#x refused (NO_VECTOR)\n",
			 where, field, vector);
		return -ENOSPC;
	}
	dev_err(vp->dev, "%s%s read back %#x, %#x written\n", where, field,
		got, vector);
	return -EBUSY;
}

/*
 * Interrupts for @mode: the vectors (or the INTx line), the configuration
 * handler and, in msix-shared mode, the handler shared by the virtqueues.
 * -ENOSPC when the system or the device cannot provide them.
 */
static int vpl_setup_irqs(struct vpl_device *vp, enum vpl_irq_mode mode,
			  unsigned int ncallbacks, unsigned int nslow,
			  struct irq_affinity *desc)
{
	int n, irq, err;

	n = vpl_irq_alloc(vp, mode, vpl_mode_vectors(mode, ncallbacks, nslow),
			  desc);
	if (n <= 0)
		return -ENOSPC;
	vp->irq_mode = mode;
	vp->nvectors = n;
	vp->irq_names = kcalloc(n, sizeof(*vp->irq_names), GFP_KERNEL);
	if (!vp->irq_names)
		return -ENOMEM;

	if (vp->irq_mode == VPL_IRQ_INTX) {
		irq = vpl_request_irq(vp, 0, vpl_intx_interrupt, IRQF_SHARED,
				      vp, "%s%s", "");
		if (irq < 0)
			return irq;
		vp->config_irq = irq;
		return 0;
	}

	/*
	 * Configuration changes are rare: their vector is not balanced, which
	 * spares the MSI-X table the affinity set-up request_irq() would
	 * otherwise write (a message rewrite, 4 trapped accesses per device).
	 * So are the slow-path queues that share it (msix-shared-slow); the
	 * other queue vectors stay balanced: their affinity is the user's.
	 */
	irq = vpl_request_irq(vp, VPL_CONFIG_VECTOR, vpl_config_interrupt,
			      IRQF_NOBALANCING, vp, "%s-%s", "config");
	if (irq < 0)
		return irq;
	vp->config_irq = irq;
	err = vpl_set_vector(vp, VIRTIO_PCI_COMMON_MSIX, VPL_CONFIG_VECTOR,
			     "msix_config", -1);
	if (err)
		return err;

	if (vp->irq_mode == VPL_IRQ_MSIX_SHARED) {
		irq = vpl_request_irq(vp, 1, vpl_vqs_interrupt, 0, vp,
				      "%s-%s", "virtqueues");
		if (irq < 0)
			return irq;
		vp->shared_irq = irq;
	}
	return 0;
}

static void vpl_teardown_irqs(struct vpl_device *vp)
{
	if (vp->shared_irq) {
		irq_update_affinity_hint(vp->shared_irq, NULL);
		vpl_free_irq(vp, 1, vp->shared_irq, vp);
		vp->shared_irq = 0;
	}
	if (vp->config_irq) {
		if (vp->irq_mode != VPL_IRQ_INTX)
			vpl_cwrite16(vp, VIRTIO_PCI_COMMON_MSIX,
				     VIRTIO_MSI_NO_VECTOR);
		vpl_free_irq(vp, 0, vp->config_irq, vp);
		vp->config_irq = 0;
	}
	kfree(vp->irq_names);
	vp->irq_names = NULL;
	if (vp->nvectors)
		vpl_irq_free_vectors(vp);
	vp->nvectors = 0;
	vp->irq_mode = VPL_IRQ_NONE;
}

/*
 * A queue with a vector of its own follows @mask.  A queue on the shared
 * vector moves that vector, and with it every queue on it: the last call
 * wins.  A slow-path queue (msix-shared-slow) stays with the configuration
 * vector, and INTx has no affinity to set.
 */
static int vpl_set_vq_affinity(struct virtqueue *vq, const struct cpumask *mask)
{
	struct vpl_device *vp = to_vpl(vq->vdev);
	struct vpl_vq *info = to_vpl_vq(vq);
	struct cpumask *store;
	int irq;

	if (!vq->callback)
		return 0;
	if (info->irq) {
		irq = info->irq;
		store = info->affinity;
	} else if (vp->shared_irq) {
		irq = vp->shared_irq;
		store = vp->shared_affinity;
	} else {
		return 0;
	}
	if (!mask)
		return irq_update_affinity_hint(irq, NULL);
	cpumask_copy(store, mask);
	return irq_set_affinity_and_hint(irq, store);
}

static const struct cpumask *vpl_get_vq_affinity(struct virtio_device *vdev,
						 int index)
{
	struct vpl_device *vp = to_vpl(vdev);
	struct vpl_vq *info;

	if (index < 0 || (unsigned int)index >= vp->nvqs || !vp->vqs[index])
		return NULL;
	info = vp->vqs[index];
	if (!info->irq)
		return NULL;
	return pci_irq_get_affinity(vp->pdev, info->vector);
}

/* ------------------------------------------------------------------------
 * Virtqueues
 */

static bool vpl_notify(struct virtqueue *vq)
{
	struct vpl_vq *info = to_vpl_vq(vq);

	iowrite16(info->notify_id, info->notify);
	return true;
}

/* VIRTIO_F_NOTIFICATION_DATA: the queue, and where the driver is in it. */
static bool vpl_notify_data(struct virtqueue *vq)
{
	struct vpl_vq *info = to_vpl_vq(vq);
	u32 data = vring_notification_data(vq);

	iowrite32((data & ~(u32)U16_MAX) | info->notify_id, info->notify);
	return true;
}

/*
 * Hand the ring to the device: size (unless it is the size the device
 * already has, @dev_size), addresses and vector.  The queue must be
 * selected already.
 */
static int vpl_activate_vq(struct vpl_device *vp, struct vpl_vq *info,
			   u16 dev_size)
{
	struct virtqueue *vq = info->vq;

	if (virtqueue_get_vring_size(vq) != dev_size)
		vpl_cwrite16(vp, VIRTIO_PCI_COMMON_Q_SIZE,
			     virtqueue_get_vring_size(vq));
	vpl_cwrite64(vp, VIRTIO_PCI_COMMON_Q_DESCLO,
		     virtqueue_get_desc_addr(vq));
	vpl_cwrite64(vp, VIRTIO_PCI_COMMON_Q_AVAILLO,
		     virtqueue_get_avail_addr(vq));
	vpl_cwrite64(vp, VIRTIO_PCI_COMMON_Q_USEDLO,
		     virtqueue_get_used_addr(vq));
	if (vp->irq_mode == VPL_IRQ_INTX)
		return 0;
	return vpl_set_vector(vp, VIRTIO_PCI_COMMON_Q_MSIX, info->vector,
			      "queue_msix_vector", vq->index);
}

static void vpl_link_shared(struct vpl_device *vp, struct vpl_vq *info)
{
	unsigned long flags;

	if (info->irq || !info->vq->callback)
		return;
	spin_lock_irqsave(&vp->lock, flags);
	list_add_tail(&info->node, &vp->shared_vqs);
	spin_unlock_irqrestore(&vp->lock, flags);
}

static void vpl_unlink_shared(struct vpl_device *vp, struct vpl_vq *info)
{
	unsigned long flags;

	spin_lock_irqsave(&vp->lock, flags);
	list_del_init(&info->node);
	spin_unlock_irqrestore(&vp->lock, flags);
}

/*
 * The doorbell of a queue at @pos in the notification region, @width bytes
 * wide: inside the region's mapping, or (a region too large to map whole)
 * a mapping of its own.
 */
static int vpl_map_doorbell(struct vpl_device *vp, struct vpl_vq *info,
			    u64 pos, unsigned int width)
{
	const struct vpl_region *r = &vp->layout.region[VPL_REGION_NOTIFY];

	info->notify_pos = pos;
	if (vp->notify) {
		info->notify = vp->notify + pos;
		return 0;
	}
	info->notify = pci_iomap_range(vp->pdev, r->bar, r->offset + pos,
				       width);
	return info->notify ? 0 : -ENOMEM;
}

static void vpl_unmap_doorbell(struct vpl_device *vp, struct vpl_vq *info)
{
	/* A doorbell has a mapping of its own when the region has none. */
	if (!vp->notify && info->notify)
		pci_iounmap(vp->pdev, info->notify);
	info->notify = NULL;
}

static struct vpl_vq *vpl_setup_vq(struct vpl_device *vp, unsigned int index,
				   unsigned int num_queues,
				   const struct vpl_vq_info *vi, u16 vector)
{
	struct device *dev = vp->dev;
	bool data = virtio_has_feature(&vp->vdev, VIRTIO_F_NOTIFICATION_DATA);
	unsigned int width = data ? sizeof(u32) : sizeof(u16);
	struct vpl_vq *info;
	u16 num, notify_off;
	u64 pos;
	int err;

	if (index >= num_queues) {
		dev_err(dev, "queue %u: num_queues is %u\n", index, num_queues);
		return ERR_PTR(-ENOENT);
	}
	vpl_cwrite16(vp, VIRTIO_PCI_COMMON_Q_SELECT, index);
	num = vpl_cread16(vp, VIRTIO_PCI_COMMON_Q_SIZE);
	if (!num || num > VPL_MAX_QUEUE_SIZE ||
	    (!virtio_has_feature(&vp->vdev, VIRTIO_F_RING_PACKED) &&
	     !is_power_of_2(num))) {
		dev_err(dev, "queue %u: queue_size %u invalid\n", index, num);
		return ERR_PTR(num ? -EINVAL : -ENOENT);
	}
	if (vpl_cread16(vp, VIRTIO_PCI_COMMON_Q_ENABLE)) {
		dev_err(dev, "queue %u: queue_enable already set\n", index);
		return ERR_PTR(-EBUSY);
	}
	notify_off = vpl_cread16(vp, VIRTIO_PCI_COMMON_Q_NOFF);
	pos = (u64)notify_off * vp->layout.notify_mult;
	if (pos + width > vp->notify_len) {
		dev_err(dev,
			"queue %u: queue_notify_off %u x notify_off_multiplier %u is beyond the %zu-byte notify region (a %u-byte doorbell)\n",
			index, notify_off, vp->layout.notify_mult,
			vp->notify_len, width);
		return ERR_PTR(-EINVAL);
	}

	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return ERR_PTR(-ENOMEM);
	if (!zalloc_cpumask_var(&info->affinity, GFP_KERNEL)) {
		err = -ENOMEM;
		goto err_free_info;
	}
	INIT_LIST_HEAD(&info->node);
	info->notify_id = index;
	if (virtio_has_feature(&vp->vdev, VIRTIO_F_NOTIF_CONFIG_DATA))
		info->notify_id = vpl_cread16(vp, VIRTIO_PCI_COMMON_Q_NDATA);
	err = vpl_map_doorbell(vp, info, pos, width);
	if (err) {
		dev_err(dev, "queue %u: cannot map its doorbell at +%#llx\n",
			index, pos);
		goto err_free_mask;
	}
	info->vector = vi->callback && vp->irq_mode != VPL_IRQ_INTX ?
		       vector : VIRTIO_MSI_NO_VECTOR;

	info->vq = vring_create_virtqueue(index, num, SMP_CACHE_BYTES,
					  &vp->vdev, true, true, vi->ctx,
					  data ? vpl_notify_data : vpl_notify,
					  vi->callback, vi->name);
	if (!info->vq) {
		dev_err(dev, "queue %u: cannot allocate a ring of %u entries\n",
			index, num);
		err = -ENOMEM;
		goto err_unmap_doorbell;
	}
	info->vq->priv = info;
	info->vq->num_max = num;

	err = vpl_activate_vq(vp, info, num);
	if (err)
		goto err_del_ring;
	return info;

err_del_ring:
	vring_del_virtqueue(info->vq);
err_unmap_doorbell:
	vpl_unmap_doorbell(vp, info);
err_free_mask:
	free_cpumask_var(info->affinity);
err_free_info:
	kfree(info);
	return ERR_PTR(err);
}

static void vpl_del_vq(struct vpl_device *vp, struct vpl_vq *info)
{
	if (info->irq) {
		irq_update_affinity_hint(info->irq, NULL);
		vpl_free_irq(vp, info->vector, info->irq, info);
	}
	vpl_unlink_shared(vp, info);
	if (vp->irq_mode != VPL_IRQ_INTX) {
		vpl_cwrite16(vp, VIRTIO_PCI_COMMON_Q_SELECT, info->vq->index);
		vpl_cwrite16(vp, VIRTIO_PCI_COMMON_Q_MSIX, VIRTIO_MSI_NO_VECTOR);
	}
	vring_del_virtqueue(info->vq);
	vpl_unmap_doorbell(vp, info);
	free_cpumask_var(info->affinity);
	kfree(info);
}

static void __vpl_del_vqs(struct vpl_device *vp)
{
	unsigned int i;

	for (i = 0; i < vp->nvqs; i++)
		if (vp->vqs[i])
			vpl_del_vq(vp, vp->vqs[i]);
	kfree(vp->vqs);
	vp->vqs = NULL;
	vp->nvqs = 0;
	vpl_teardown_irqs(vp);
}

static void vpl_del_vqs(struct virtio_device *vdev)
{
	struct vpl_device *vp = to_vpl(vdev);

	mutex_lock(&vp->vqs_mutex);
	__vpl_del_vqs(vp);
	mutex_unlock(&vp->vqs_mutex);
}

/*
 * One attempt at find_vqs() in interrupt mode @mode (@ncallbacks queues
 * with callbacks, @nslow of them on the slow path).  On failure everything
 * it set up is gone again; -ENOSPC means the mode's vectors could not be
 * had (or the device refused one) and the next mode may work.
 */
static int vpl_find_vqs_mode(struct vpl_device *vp, enum vpl_irq_mode mode,
			     unsigned int nvqs, struct virtqueue *vqs[],
			     struct vpl_vq_info info[],
			     unsigned int ncallbacks, unsigned int nslow,
			     struct irq_affinity *desc)
{
	unsigned int i, k = 0, index = 0, num_queues;
	u16 vector = VPL_CONFIG_VECTOR + 1;
	struct vpl_vq *q;
	bool slow, own;
	int err;

	vp->vqs = kcalloc(nvqs, sizeof(*vp->vqs), GFP_KERNEL);
	if (!vp->vqs)
		return -ENOMEM;
	vp->nvqs = nvqs;

	err = vpl_setup_irqs(vp, mode, ncallbacks, nslow, desc);
	if (err)
		goto err_del_vqs;
	dev_dbg(vp->dev, "%u virtqueues, irq mode %s, %u vectors\n",
		nvqs, vpl_irq_mode_name[vp->irq_mode], vp->nvectors);

	num_queues = vpl_cread16(vp, VIRTIO_PCI_COMMON_NUMQ);
	for (i = 0; i < nvqs; i++) {
		vqs[i] = NULL;
		if (!info[i].name)
			continue;	/* unused slot: takes no queue index */

		/* A vector of its own, or the config vector (slow path)? */
		slow = info[i].callback && vpl_slow_vq(desc, k++, ncallbacks);
		own = info[i].callback &&
		      (mode == VPL_IRQ_MSIX_PER_VQ ||
		       (mode == VPL_IRQ_MSIX_SHARED_SLOW && !slow));
		q = vpl_setup_vq(vp, index, num_queues, &info[i],
				 mode == VPL_IRQ_MSIX_SHARED_SLOW && slow ?
				 VPL_CONFIG_VECTOR : vector);
		if (IS_ERR(q)) {
			err = PTR_ERR(q);
			goto err_del_vqs;
		}
		vp->vqs[index++] = q;
		vqs[i] = q->vq;

		if (own) {
			err = vpl_request_irq(vp, vector, vpl_vq_interrupt, 0,
					      q, "%s-%s", info[i].name);
			if (err < 0)
				goto err_del_vqs;
			q->irq = err;
			vector++;
		}
		vpl_link_shared(vp, q);
	}

	/*
	 * Enabling is the point of no return (§4.1.4.3.2): do it last.  The
	 * last queue set up is still selected.
	 */
	for (i = index; i-- > 0;) {
		if (i != index - 1)
			vpl_cwrite16(vp, VIRTIO_PCI_COMMON_Q_SELECT, i);
		vpl_cwrite16(vp, VIRTIO_PCI_COMMON_Q_ENABLE, 1);
	}
	return 0;

err_del_vqs:
	__vpl_del_vqs(vp);
	return err;
}

static int vpl_find_vqs(struct virtio_device *vdev, unsigned int nvqs,
			struct virtqueue *vqs[], struct vpl_vq_info info[],
			struct irq_affinity *desc)
{
	struct vpl_device *vp = to_vpl(vdev);
	int table = vp->msix_table;
	enum vpl_irq_mode mode, next;
	unsigned int i, ncallbacks = 0, nslow = 0;
	int err = -ENOSPC;

	for (i = 0; i < nvqs; i++)
		if (info[i].name && info[i].callback)
			ncallbacks++;
	for (i = 0; i < ncallbacks; i++)
		if (vpl_slow_vq(desc, i, ncallbacks))
			nslow++;

	mutex_lock(&vp->vqs_mutex);
	if (vpl_check_failed(vp, "find_vqs")) {
		err = -EIO;
		goto out;
	}
	/* Down the ladder while a mode's vectors cannot be had. */
	mode = vpl_next_irq_mode(VPL_IRQ_NONE, table, ncallbacks, nslow,
				 vp->isr);
	while (mode) {
		err = vpl_find_vqs_mode(vp, mode, nvqs, vqs, info, ncallbacks,
					nslow, desc);
		if (err != -ENOSPC)
			goto out;
		next = vpl_next_irq_mode(mode, table, ncallbacks, nslow,
					 vp->isr);
		if (next)
			dev_info(vp->dev, "%s interrupts unavailable, trying %s\n",
				 vpl_irq_mode_name[mode],
				 vpl_irq_mode_name[next]);
		mode = next;
	}
	dev_err(vp->dev,
		"no interrupts: MSI-X table of %d vectors for %u virtqueues, %s ISR\n",
		table, ncallbacks, vp->isr ? "and INTx failed with" : "no");
out:
	mutex_unlock(&vp->vqs_mutex);
	return err;
}

#ifndef VPL_HAVE_VIRTQUEUE_INFO
/* Linux < 6.11: find_vqs() takes parallel arrays; pack them. */
static int vpl_compat_find_vqs(struct virtio_device *vdev, unsigned int nvqs,
			       struct virtqueue *vqs[],
			       vq_callback_t *callbacks[],
			       const char * const names[], const bool *ctx,
			       struct irq_affinity *desc)
{
	struct vpl_vq_info *info;
	unsigned int i;
	int err;

	info = kcalloc(nvqs, sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	for (i = 0; i < nvqs; i++) {
		info[i].name = names[i];
		info[i].callback = callbacks[i];
		info[i].ctx = ctx ? ctx[i] : false;
	}
	err = vpl_find_vqs(vdev, nvqs, vqs, info, desc);
	kfree(info);
	return err;
}
#else
#define vpl_compat_find_vqs vpl_find_vqs
#endif

/* ------------------------------------------------------------------------
 * Per-queue reset (VIRTIO_F_RING_RESET, virtio 1.2 §2.6.1)
 *
 * Between the two calls the core frees and replaces the ring
 * (virtqueue_resize()): no interrupt may reach it.  A vector of its own
 * drops its interrupts (vpl_vq_interrupt()), and the handler is
 * synchronised; a queue on a shared handler (msix-shared, INTx) is taken
 * off the handler's list.  A queue reset that does not complete shuts the
 * device off: the device may have reset the queue all the same, and a ring
 * it no longer serves would only stall.
 */

static int vpl_disable_vq_and_reset(struct virtqueue *vq)
{
	struct vpl_device *vp = to_vpl(vq->vdev);
	struct vpl_vq *info = to_vpl_vq(vq);
	int err;

	if (!virtio_has_feature(vq->vdev, VIRTIO_F_RING_RESET))
		return -ENOENT;
	err = vpl_check_failed(vp, "queue reset");
	if (err)
		return err;

	vpl_cwrite16(vp, VIRTIO_PCI_COMMON_Q_SELECT, vq->index);
	vpl_cwrite16(vp, VIRTIO_PCI_COMMON_Q_RESET, 1);
	err = vpl_wait_queue_reg(vp, VIRTIO_PCI_COMMON_Q_RESET, 0);
	if (!err)
		err = vpl_wait_queue_reg(vp, VIRTIO_PCI_COMMON_Q_ENABLE, 0);
	if (err) {
		dev_err(vp->dev,
			"queue %u: reset not complete after %u ms; device shut off\n",
			vq->index, vpl_timeout_ms());
		vpl_fail_device(vp);
		return err;
	}

	/*
	 * A shared handler walks its list under vp->lock: once unlinked, the
	 * queue is out of its reach, with no need to wait on the line (an
	 * INTx line the chip still shows active would hold that wait).
	 */
	vpl_unlink_shared(vp, info);
	if (info->irq) {
		WRITE_ONCE(info->irq_off, true);
		vpl_sync_irq(vp, info->irq);
	}
	vq->reset = true;
	return 0;
}

static int vpl_enable_vq_after_reset(struct virtqueue *vq)
{
	struct vpl_device *vp = to_vpl(vq->vdev);
	struct vpl_vq *info = to_vpl_vq(vq);
	int err;

	if (!vq->reset)
		return -EBUSY;
	err = vpl_check_failed(vp, "queue enable");
	if (err)
		return err;
	vpl_cwrite16(vp, VIRTIO_PCI_COMMON_Q_SELECT, vq->index);
	if (vpl_cread16(vp, VIRTIO_PCI_COMMON_Q_RESET) ||
	    vpl_cread16(vp, VIRTIO_PCI_COMMON_Q_ENABLE))
		return -EBUSY;

	/* A reset queue is back at the device's size: always write ours. */
	err = vpl_activate_vq(vp, info, 0);
	if (err)
		return err;
	/*
	 * The new ring is in place: its interrupts may reach it.  Pairs with
	 * the acquire in vpl_vq_interrupt().
	 */
	smp_store_release(&info->irq_off, false);
	vpl_link_shared(vp, info);
	vq->reset = false;
	vpl_cwrite16(vp, VIRTIO_PCI_COMMON_Q_ENABLE, 1);
	return 0;
}

/*
 * A function without device configuration gets no get/set: the class
 * drivers then refuse it ("config access disabled") instead of reading
 * zeroes as their configuration (vpl_nodev_ok() lists which do).
 */
#define VPL_CONFIG_OPS_COMMON						\
	.generation		= vpl_generation,			\
	.get_status		= vpl_get_status,			\
	.set_status		= vpl_set_status,			\
	.reset			= vpl_reset,				\
	.find_vqs		= vpl_compat_find_vqs,			\
	.del_vqs		= vpl_del_vqs,				\
	.synchronize_cbs	= vpl_synchronize_cbs,			\
	.get_features		= vpl_get_features,			\
	VPL_GET_EXTENDED_FEATURES					\
	.finalize_features	= vpl_finalize_features,		\
	.bus_name		= vpl_bus_name,				\
	.set_vq_affinity	= vpl_set_vq_affinity,			\
	.get_vq_affinity	= vpl_get_vq_affinity,			\
	.get_shm_region		= vpl_get_shm_region,			\
	.disable_vq_and_reset	= vpl_disable_vq_and_reset,		\
	.enable_vq_after_reset	= vpl_enable_vq_after_reset

static const struct virtio_config_ops vpl_config_ops = {
	.get			= vpl_get,
	.set			= vpl_set,
	VPL_CONFIG_OPS_COMMON,
};

static const struct virtio_config_ops vpl_config_ops_nodev = {
	VPL_CONFIG_OPS_COMMON,
};

/* ------------------------------------------------------------------------
 * Layout discovery and mapping
 */

static int vpl_read_config(void *ctx, unsigned int off, u32 *val)
{
	return pcibios_err_to_errno(pci_read_config_dword(ctx, off, val));
}

static void vpl_read_bars(struct pci_dev *pdev, struct vpl_cfg_source *src)
{
	unsigned int i;

	for (i = 0; i < VPL_NUM_BARS; i++) {
		unsigned long flags = pci_resource_flags(pdev, i);

		src->bars[i].len = pci_resource_len(pdev, i);
		if (flags & IORESOURCE_MEM)
			src->bars[i].type = VPL_BAR_MEM;
		else if (flags & IORESOURCE_IO)
			src->bars[i].type = VPL_BAR_IO;
		else
			src->bars[i].type = VPL_BAR_NONE;
	}
}

static void vpl_report_notes(struct vpl_device *vp)
{
	const struct vpl_layout *l = &vp->layout;
	char line[256];
	unsigned int i;

	for (i = 0; i < l->n_notes; i++) {
		if (l->notes[i].problem == VPL_PROBLEM_MISSING)
			continue;
		vpl_format_note(line, sizeof(line), &l->notes[i]);
		if (l->notes[i].info)
			dev_info(vp->dev, "%s\n", line);
		else
			dev_err(vp->dev, "%s\n", line);
	}
	if (l->n_lost_notes)
		dev_err(vp->dev, "%u more capability problems\n",
			l->n_lost_notes);
}

static int vpl_discover(struct vpl_device *vp)
{
	struct vpl_cfg_source src = {
		.read32 = vpl_read_config,
		.ctx = vp->pdev,
	};
	enum vpl_dialect want = READ_ONCE(vpl_dialect);
	char missing[64] = "";
	unsigned int i;
	int err;

	vpl_read_bars(vp->pdev, &src);
	err = vpl_parse(&src, want, &vp->layout);
	vpl_report_notes(vp);
	if (!err)
		return 0;

	/* Name what each dialect tried lacked (auto tries both). */
	for (i = 0; i < vp->layout.n_notes; i++) {
		const struct vpl_note *n = &vp->layout.notes[i];

		if (n->problem == VPL_PROBLEM_MISSING)
			snprintf(missing + strlen(missing),
				 sizeof(missing) - strlen(missing), "%s%s",
				 missing[0] ? ", " : "",
				 vpl_cfg_type_name(n->cfg_type));
	}
	if (missing[0])
		dev_info(vp->dev,
			 "no usable %s capability (dialect=%s), leaving the device to another driver\n",
			 missing, vpl_dialect_name(want));
	else
		dev_info(vp->dev,
			 "no usable virtio-pci layout (%d, dialect=%s), leaving the device to another driver\n",
			 err, vpl_dialect_name(want));
	return -ENODEV;
}

/* Map one located structure: at most @max bytes, never past its BAR. */
static void __iomem *vpl_map(struct vpl_device *vp, enum vpl_region_id id,
			     size_t max, size_t *len)
{
	const struct vpl_region *r = &vp->layout.region[id];
	size_t n = min_t(size_t, r->length, max);
	void __iomem *p;

	/* The parser checked this; the BAR must not have moved since. */
	if ((u64)r->offset + n > pci_resource_len(vp->pdev, r->bar)) {
		dev_err(vp->dev,
			"%s region BAR%u+%#x len %#zx past the BAR's %#llx bytes\n",
			vpl_region_name(id), r->bar, r->offset, n,
			(u64)pci_resource_len(vp->pdev, r->bar));
		return NULL;
	}
	p = pci_iomap_range(vp->pdev, r->bar, r->offset, n);
	if (!p) {
		dev_err(vp->dev, "cannot map %s region BAR%u+%#x len %#zx\n",
			vpl_region_name(id), r->bar, r->offset, n);
		return NULL;
	}
	if (len)
		*len = n;
	return p;
}

static void vpl_unmap_all(struct vpl_device *vp)
{
	if (vp->device)
		pci_iounmap(vp->pdev, vp->device);
	if (vp->isr)
		pci_iounmap(vp->pdev, vp->isr);
	if (vp->notify)
		pci_iounmap(vp->pdev, vp->notify);
	if (vp->common)
		pci_iounmap(vp->pdev, vp->common);
	vp->device = NULL;
	vp->isr = NULL;
	vp->notify = NULL;
	vp->common = NULL;
}

static int vpl_map_all(struct vpl_device *vp)
{
	const struct vpl_region *r = vp->layout.region;

	size_t notify_max = vpl_fault_notify_map_max(VPL_NOTIFY_MAP_MAX);

	vp->common = vpl_map(vp, VPL_REGION_COMMON,
			     sizeof(struct vpl_common_cfg), &vp->common_len);
	if (!vp->common)
		goto err_unmap;
	/* Too large to map whole: each queue maps its own doorbell. */
	if (r[VPL_REGION_NOTIFY].length > notify_max) {
		vp->notify_len = r[VPL_REGION_NOTIFY].length;
	} else {
		vp->notify = vpl_map(vp, VPL_REGION_NOTIFY, notify_max,
				     &vp->notify_len);
		if (!vp->notify)
			goto err_unmap;
	}
	if (r[VPL_REGION_ISR].present) {
		vp->isr = vpl_map(vp, VPL_REGION_ISR, 1, NULL);
		if (!vp->isr)
			goto err_unmap;
	}
	if (r[VPL_REGION_DEVICE].present) {
		vp->device = vpl_map(vp, VPL_REGION_DEVICE, VPL_DEVICE_MAP_MAX,
				     &vp->device_len);
		if (!vp->device)
			goto err_unmap;
	}
	return 0;

err_unmap:
	vpl_unmap_all(vp);
	return -ENOMEM;
}

static int vpl_used_bars(const struct vpl_layout *l)
{
	unsigned int i;
	int bars = 0;

	for (i = 0; i < VPL_NR_REGIONS; i++)
		if (l->region[i].present)
			bars |= BIT(l->region[i].bar);
	return bars;
}

static void vpl_print_layout(struct vpl_device *vp)
{
	const struct vpl_region *r = vp->layout.region;
	char regions[VPL_NR_REGIONS][40], irq[24];
	int table = vp->msix_table;
	unsigned int i;

	if (table > 0)
		snprintf(irq, sizeof(irq), "msix:%d", table);
	else
		strscpy(irq, vp->isr ? "intx" : "none", sizeof(irq));

	for (i = 0; i < VPL_NR_REGIONS; i++) {
		if (r[i].present)
			snprintf(regions[i], sizeof(regions[i]),
				 "BAR%u+%#x/%#x", r[i].bar, r[i].offset,
				 r[i].length);
		else
			strscpy(regions[i], "none", sizeof(regions[i]));
	}
	dev_info(vp->dev,
		 "%s layout: common %s notify %s x%u isr %s device %s shm %u, irq %s\n",
		 vp->layout.dialect == VPL_DIALECT_DRAFT ? "draft" : "virtio 1.x",
		 regions[VPL_REGION_COMMON], regions[VPL_REGION_NOTIFY],
		 vp->layout.notify_mult, regions[VPL_REGION_ISR],
		 regions[VPL_REGION_DEVICE], vp->layout.n_shm, irq);
	for (i = 0; i < vp->layout.n_vendor; i++)
		dev_info(vp->dev,
			 "vendor data capability at %#x: vendor_id %#06x, %u bytes (not used)\n",
			 vp->layout.vendor[i].cap, vp->layout.vendor[i].vendor_id,
			 vp->layout.vendor[i].len);
}

/* ------------------------------------------------------------------------
 * debugfs: <debugfs>/virtio-pci-layout/<bdf>
 */

static struct dentry *vpl_debugfs_root;

static int vpl_debugfs_show(struct seq_file *s, void *unused)
{
	struct vpl_device *vp = s->private;
	const struct vpl_region *r = vp->layout.region;
	unsigned int i;

	seq_printf(s, "dialect: %s\n", vpl_dialect_name(vp->layout.dialect));
	for (i = 0; i < VPL_NR_REGIONS; i++) {
		if (!r[i].present) {
			seq_printf(s, "%s: none\n", vpl_region_name(i));
			continue;
		}
		seq_printf(s, "%s: BAR%u+%#x length %#x cap %#x\n",
			   vpl_region_name(i), r[i].bar, r[i].offset,
			   r[i].length, r[i].cap);
	}
	seq_printf(s, "mapped: common %zu notify %zu%s device %zu isr %u\n",
		   vp->common_len, vp->notify_len,
		   vp->notify ? "" : " (per queue)", vp->device_len, !!vp->isr);
	if (READ_ONCE(vp->failed))
		seq_puts(s, "state: failed (a reset did not complete)\n");
	seq_printf(s, "notify_off_multiplier: %u\n", vp->layout.notify_mult);
	if (vp->layout.msix.cap) {
		const struct vpl_msix *m = &vp->layout.msix;

		seq_printf(s, "msix: cap %#x entries %u table BAR%u+%#x/%#x%s pba BAR%u+%#x/%#x%s\n",
			   m->cap, m->entries, m->table.bar, m->table.offset,
			   m->table.length, m->table.checked ? "" : " (unchecked)",
			   m->pba.bar, m->pba.offset, m->pba.length,
			   m->pba.checked ? "" : " (unchecked)");
	}
	for (i = 0; i < vp->layout.n_shm; i++)
		seq_printf(s, "shm %u: BAR%u+%#llx length %#llx\n",
			   vp->layout.shm[i].id, vp->layout.shm[i].bar,
			   vp->layout.shm[i].offset, vp->layout.shm[i].length);
	for (i = 0; i < vp->layout.n_vendor; i++)
		seq_printf(s, "vendor data: cap %#x vendor_id %#06x length %u\n",
			   vp->layout.vendor[i].cap,
			   vp->layout.vendor[i].vendor_id,
			   vp->layout.vendor[i].len);

	mutex_lock(&vp->vqs_mutex);
	seq_printf(s, "irq_mode: %s\nvectors: %u\n",
		   vpl_irq_mode_name[vp->irq_mode], vp->nvectors);
	if (vp->config_irq)
		seq_printf(s, "config_irq: %d\n", vp->config_irq);
	if (vp->shared_irq)
		seq_printf(s, "shared_irq: %d\n", vp->shared_irq);
	for (i = 0; i < vp->nvqs; i++) {
		const struct vpl_vq *q = vp->vqs[i];

		if (!q)
			continue;
		seq_printf(s, "queue %u: size %u notify +%#llx vector %#x irq %d%s\n",
			   i, virtqueue_get_vring_size(q->vq), q->notify_pos,
			   q->vector, q->irq, q->vq->reset ? " reset" : "");
	}
	mutex_unlock(&vp->vqs_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vpl_debugfs);

/* ------------------------------------------------------------------------
 * PCI driver
 */

static void vpl_free(struct vpl_device *vp)
{
	free_cpumask_var(vp->shared_affinity);
	kfree(vp);
}

/* The virtio device's release: the last reference to it is gone. */
static void vpl_release_dev(struct device *dev)
{
	vpl_free(to_vpl(dev_to_virtio(dev)));
}

/*
 * A function without device configuration gets config ops without get/set
 * (vpl_config_ops_nodev), which its class driver must check for.  These
 * drivers do (6.1 to 6.12: "config access disabled"), or read no
 * configuration at all (rng); any other driver would call the missing ops,
 * so such a function is refused.
 */
static bool vpl_nodev_ok(int virtio_id)
{
	switch (virtio_id) {
	case VIRTIO_ID_NET:
	case VIRTIO_ID_BLOCK:
	case VIRTIO_ID_RNG:
	case VIRTIO_ID_BALLOON:
	case VIRTIO_ID_SCSI:
	case VIRTIO_ID_9P:
	case VIRTIO_ID_CAIF:
	case VIRTIO_ID_CRYPTO:
	case VIRTIO_ID_MEM:
	case VIRTIO_ID_SOUND:
	case VIRTIO_ID_PMEM:
		return true;
	default:
		return false;
	}
}

/*
 * What vpl_probe() sets up for the function and vpl_remove() takes down:
 * debugfs file, mappings, BAR regions, the enabled function.
 */
static void vpl_release_function(struct vpl_device *vp)
{
	debugfs_remove(vp->debugfs);
	vpl_unmap_all(vp);
	pci_release_selected_regions(vp->pdev, vp->bars);
	/*
	 * pci_disable_device() also ends bus mastering.  A resume or reset
	 * whose pci_enable_device() failed left the function disabled.
	 */
	if (pci_is_enabled(vp->pdev))
		pci_disable_device(vp->pdev);
}

static int vpl_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int virtio_id = vpl_virtio_id(pdev->device, pdev->subsystem_device);
	struct vpl_device *vp;
	int err;

	vpl_check_offsets();
	if (virtio_id <= 0) {
		dev_info(&pdev->dev,
			 "device %#06x (virtio device ID %d) is not a virtio device this driver serves\n",
			 pdev->device, virtio_id);
		return -ENODEV;
	}

	vp = kzalloc(sizeof(*vp), GFP_KERNEL);
	if (!vp)
		return -ENOMEM;
	if (!zalloc_cpumask_var(&vp->shared_affinity, GFP_KERNEL)) {
		err = -ENOMEM;
		goto err_free;
	}
	vp->pdev = pdev;
	vp->dev = &pdev->dev;
	mutex_init(&vp->vqs_mutex);
	spin_lock_init(&vp->lock);
	spin_lock_init(&vp->gen_lock);
	INIT_LIST_HEAD(&vp->shared_vqs);
	pci_set_drvdata(pdev, vp);

	err = pci_enable_device(pdev);
	if (err)
		goto err_free;

	err = vpl_discover(vp);
	if (err)
		goto err_disable;

	err = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (err)
		err = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32));
	if (err) {
		/*
		 * Unlike the in-tree driver, do not go on: a device whose
		 * ring addresses the platform cannot express would be
		 * handed truncated ones.
		 */
		dev_err(&pdev->dev,
			"neither a 64-bit nor a 32-bit DMA mask can be set (%d)\n",
			err);
		goto err_disable;
	}

	vp->bars = vpl_used_bars(&vp->layout);
	err = pci_request_selected_regions(pdev, vp->bars, VPL_DRIVER_NAME);
	if (err)
		goto err_disable;

	err = vpl_map_all(vp);
	if (err)
		goto err_release_regions;
	if (!vp->device && !vpl_nodev_ok(virtio_id)) {
		dev_err(&pdev->dev,
			"no device configuration: the driver of virtio device type %d would read it unchecked\n",
			virtio_id);
		err = -ENODEV;
		goto err_unmap;
	}

	pci_set_master(pdev);
	/*
	 * The MSI-X table size, from the capability dword the parser read
	 * (pci_msix_vec_count() would read it again) when both found the
	 * same capability.
	 */
	if (pdev->msix_cap && vp->layout.msix.cap == pdev->msix_cap)
		vp->msix_table = vp->layout.msix.entries;
	else
		vp->msix_table = pci_msix_vec_count(pdev);
	vp->sriov = pci_sriov_get_totalvfs(pdev) > 0;

	vp->vdev.dev.parent = &pdev->dev;
	vp->vdev.dev.release = vpl_release_dev;
	vp->vdev.config = vp->device ? &vpl_config_ops : &vpl_config_ops_nodev;
	vp->vdev.id.device = virtio_id;
	vp->vdev.id.vendor = pdev->subsystem_vendor;

	vpl_print_layout(vp);
	vp->debugfs = debugfs_create_file(pci_name(pdev), 0444,
					  vpl_debugfs_root, vp,
					  &vpl_debugfs_fops);

	err = register_virtio_device(&vp->vdev);
	if (err) {
		/* It initialised vp->vdev: vp is the device model's now. */
		vpl_release_function(vp);
		put_device(&vp->vdev.dev);
		return err;
	}
	return 0;

err_unmap:
	vpl_unmap_all(vp);
err_release_regions:
	pci_release_selected_regions(pdev, vp->bars);
err_disable:
	pci_disable_device(pdev);
err_free:
	vpl_free(vp);
	return err;
}

static void vpl_remove(struct pci_dev *pdev)
{
	struct vpl_device *vp = pci_get_drvdata(pdev);

	/* Surprise removal: fail everything now rather than wait on it. */
	if (!vpl_present(vp))
		virtio_break_device(&vp->vdev);
	/* The VFs (and their drivers) go before the PF's device does. */
	if (vp->sriov)
		pci_disable_sriov(pdev);

	get_device(&vp->vdev.dev);
	unregister_virtio_device(&vp->vdev);
	vpl_release_function(vp);
	put_device(&vp->vdev.dev);
}

/*
 * The virtio core declares virtio_device_freeze() and _restore() only with
 * CONFIG_PM_SLEEP, so the callbacks cannot be left to pm_sleep_ptr().
 */
#ifdef CONFIG_PM_SLEEP
static int vpl_freeze(struct device *dev)
{
	struct pci_dev *pdev = to_pci_dev(dev);
	struct vpl_device *vp = pci_get_drvdata(pdev);
	int err;

	err = virtio_device_freeze(&vp->vdev);
	if (!err)
		pci_disable_device(pdev);
	return err;
}

static int vpl_restore(struct device *dev)
{
	struct pci_dev *pdev = to_pci_dev(dev);
	struct vpl_device *vp = pci_get_drvdata(pdev);
	int err;

	/* Enabled even when refused: remove disables what is enabled. */
	err = pci_enable_device(pdev);
	if (err) {
		dev_err(&pdev->dev, "restore: pci_enable_device: %d; device shut off\n", err);
		vpl_fail_device(vp);
		return err;
	}
	err = vpl_check_failed(vp, "restore");
	if (err)
		return err;
	pci_set_master(pdev);
	return virtio_device_restore(&vp->vdev);
}

/*
 * A function whose PMCSR says No_Soft_Reset keeps its state through D3hot
 * and back (PCI PM 1.2): suspend and resume then leave the device and its
 * driver as they are, as in-tree does since 6.8; hibernation always
 * freezes and restores.  The bit is the device's word: one that claimed it
 * and lost its state all the same (device_status is no longer what the
 * driver wrote) is shut off on resume, not driven with rings it forgot.
 */
static bool vpl_no_soft_reset(struct pci_dev *pdev)
{
	u16 pmcsr;

	if (!pdev->pm_cap)
		return false;
	pci_read_config_word(pdev, pdev->pm_cap + PCI_PM_CTRL, &pmcsr);
	/* All ones: gone, or not answering; the full path copes with both. */
	if (PCI_POSSIBLE_ERROR(pmcsr))
		return false;
	return pmcsr & PCI_PM_CTRL_NO_SOFT_RESET;
}

static int vpl_suspend(struct device *dev)
{
	struct pci_dev *pdev = to_pci_dev(dev);
	struct vpl_device *vp = pci_get_drvdata(pdev);

	vp->pm_kept = vpl_no_soft_reset(pdev);
	if (vp->pm_kept)
		return 0;
	return vpl_freeze(dev);
}

static int vpl_resume(struct device *dev)
{
	struct pci_dev *pdev = to_pci_dev(dev);
	struct vpl_device *vp = pci_get_drvdata(pdev);
	u8 status, written;

	if (!vp->pm_kept)
		return vpl_restore(dev);
	vp->pm_kept = false;
	if (READ_ONCE(vp->failed))
		return 0;
	status = vpl_cread8(vp, VIRTIO_PCI_COMMON_STATUS);
	written = READ_ONCE(vp->status);
	if ((status & ~VIRTIO_CONFIG_S_NEEDS_RESET) == written)
		return 0;
	dev_err(&pdev->dev,
		"resume: No_Soft_Reset, but device_status reads %#x, not %#x: the device lost its state; device shut off\n",
		status, written);
	vpl_fail_device(vp);
	return 0;
}

static const struct dev_pm_ops vpl_pm_ops = {
	.suspend	= vpl_suspend,
	.resume		= vpl_resume,
	.freeze		= vpl_freeze,
	.thaw		= vpl_restore,
	.poweroff	= vpl_freeze,
	.restore	= vpl_restore,
};

#define VPL_PM_OPS	(&vpl_pm_ops)
#else
#define VPL_PM_OPS	NULL
#endif

/*
 * A function reset with a driver bound (FLR or another reset method, e.g.
 * /sys/bus/pci/devices/.../reset): the virtio core has the class driver
 * quiesce and let go of its queues, as for a freeze, and the function is
 * disabled before the reset; afterwards it is set up again through the
 * same path as a resume.  The virtio core has these calls since 6.14
 * (VPL_HAVE_VIRTIO_RESET_PREPARE, a Kbuild probe); before, the reset goes
 * on without the driver knowing.  A device the reset took from under a
 * driver that could not quiesce (no reset_prepare, or it failed) has lost
 * its rings: it is shut off, so that its I/O fails instead of waiting.  A
 * device shut off already is left as it is: its I/O fails already.
 */
#ifdef VPL_HAVE_VIRTIO_RESET_PREPARE
static void vpl_reset_prepare(struct pci_dev *pdev)
{
	struct vpl_device *vp = pci_get_drvdata(pdev);
	int err;

	vp->reset_prepared = false;
	if (READ_ONCE(vp->failed))
		return;
	err = virtio_device_reset_prepare(&vp->vdev);
	if (err) {
		if (err != -EOPNOTSUPP)
			dev_warn(&pdev->dev, "function reset: %s could not quiesce: %d\n",
				 dev_name(&vp->vdev.dev), err);
		return;
	}
	vp->reset_prepared = true;
	pci_disable_device(pdev);
}

static void vpl_reset_done(struct pci_dev *pdev)
{
	struct vpl_device *vp = pci_get_drvdata(pdev);
	int err;

	if (READ_ONCE(vp->failed))
		return;
	if (!vp->reset_prepared) {
		if (READ_ONCE(vp->status) & VIRTIO_CONFIG_S_DRIVER_OK) {
			dev_err(&pdev->dev,
				"function reset: %s was not quiesced and lost its rings; device shut off\n",
				dev_name(&vp->vdev.dev));
			vpl_fail_device(vp);
		}
		return;
	}
	vp->reset_prepared = false;
	err = pci_enable_device(pdev);
	if (err) {
		dev_err(&pdev->dev, "function reset: pci_enable_device: %d; device shut off\n",
			err);
		vpl_fail_device(vp);
		return;
	}
	pci_set_master(pdev);
	err = virtio_device_reset_done(&vp->vdev);
	if (err)
		dev_err(&pdev->dev, "function reset: %s not restored: %d\n",
			dev_name(&vp->vdev.dev), err);
}

#endif

/* Empty before 6.14: the PCI core calls only the handlers it finds. */
static const struct pci_error_handlers vpl_err_handlers = {
#ifdef VPL_HAVE_VIRTIO_RESET_PREPARE
	.reset_prepare	= vpl_reset_prepare,
	.reset_done	= vpl_reset_done,
#endif
};

/* Every 0x1af4 function is offered; vpl_probe() takes 0x1000-0x107f. */
static const struct pci_device_id vpl_id_table[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_REDHAT_QUMRANET, PCI_ANY_ID) },
	{ }
};

MODULE_DEVICE_TABLE(pci, vpl_id_table);

/*
 * Virtual functions, through sriov_numvfs.  The device must have accepted
 * VIRTIO_F_SR_IOV before it has VFs: until a virtio driver has the device
 * running with it (FEATURES_OK and DRIVER_OK, neither FAILED nor
 * NEEDS_RESET), enabling them is refused.
 */
static int vpl_sriov_configure(struct pci_dev *pdev, int num_vfs)
{
	struct vpl_device *vp = pci_get_drvdata(pdev);
	u8 status;
	int err;

	if (!num_vfs) {
		if (pci_vfs_assigned(pdev)) {
			dev_warn(&pdev->dev,
				 "VFs are assigned to guests: not disabled\n");
			return -EPERM;
		}
		pci_disable_sriov(pdev);
		return 0;
	}
	if (vpl_check_failed(vp, "sriov_configure"))
		return -EIO;
	status = vpl_get_status(&vp->vdev);
	if ((status & (VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK |
		       VIRTIO_CONFIG_S_FAILED | VIRTIO_CONFIG_S_NEEDS_RESET)) !=
	    (VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK)) {
		dev_err(&pdev->dev,
			"%d VFs refused: device_status %#x (no virtio driver runs the device with FEATURES_OK)\n",
			num_vfs, status);
		return -EBUSY;
	}
	if (!virtio_has_feature(&vp->vdev, VIRTIO_F_SR_IOV)) {
		dev_err(&pdev->dev,
			"%d VFs refused: VIRTIO_F_SR_IOV not negotiated\n",
			num_vfs);
		return -EINVAL;
	}
	err = pci_enable_sriov(pdev, num_vfs);
	return err ?: num_vfs;
}

static struct pci_driver vpl_driver = {
	.name		= VPL_DRIVER_NAME,
	.id_table	= vpl_id_table,
	.probe		= vpl_probe,
	.remove		= vpl_remove,
	.sriov_configure = vpl_sriov_configure,
	.err_handler	= &vpl_err_handlers,
	.driver.pm	= VPL_PM_OPS,
};

static int __init vpl_init(void)
{
	int err;

	vpl_debugfs_root = debugfs_create_dir("virtio-pci-layout", NULL);
	vpl_fault_init(vpl_debugfs_root);
	err = pci_register_driver(&vpl_driver);
	if (err)
		goto err_remove_debugfs;
	return 0;

err_remove_debugfs:
	vpl_fault_exit();
	debugfs_remove(vpl_debugfs_root);
	return err;
}

static void __exit vpl_exit(void)
{
	pci_unregister_driver(&vpl_driver);
	vpl_fault_exit();
	debugfs_remove(vpl_debugfs_root);
}

module_init(vpl_init);
module_exit(vpl_exit);

MODULE_AUTHOR("virtio-pci-layout developers");
MODULE_DESCRIPTION("virtio PCI transport driven by the layout capabilities");
MODULE_LICENSE("GPL");
#ifdef VPL_VERSION
MODULE_VERSION(VPL_VERSION);
#endif

/* The KUnit suites, in the test build only (Kbuild: VPL_KUNIT=y). */
#ifdef VPL_KUNIT_TEST
#include "../../tests/kunit/virtio_pci_layout_kunit.c"
#endif
