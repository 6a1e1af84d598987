// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for virtio-pci-layout.
 *
 * virtio_pci_layout_parse: the capability parser over every case of the
 * layout catalogue (tests/layouts/cases.def; the userspace parser test, the
 * layout tool's tests and the injector use the same).
 *
 * virtio_pci_layout_transport: the transport's config ops and virtqueue and
 * interrupt setup against a software model of a virtio 1.x device's common
 * configuration (feature select windows, status and reset, queue select and
 * per-queue registers, generation counter), with scriptable misbehaviour.
 * Device configuration, ISR and notification area are plain memory.
 *
 * The transport's source includes this file at its end in the test build
 * (Kbuild: VPL_KUNIT=y), so the suites see its static functions and test
 * the one copy of it there is.  While a test runs, KUnit static stubs send
 * the transport's common configuration accesses to the model and its IRQ
 * vector allocation to interrupts of the test's own (dummy IRQ chip), which
 * the test raises through the IRQ core.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/prandom.h>
#include <linux/scatterlist.h>

#include <kunit/static_stub.h>
#include <linux/irq.h>

#ifndef VPL_HAVE_STATIC_STUB
#error "the KUnit suites need KUnit's static stubs (Linux 6.3 or later)"
#endif

MODULE_INFO(test, "Y");

#include "../layouts/layouts.c"
#include "../layouts/check.c"

/* ------------------------------------------------------------------------
 * virtio_pci_layout_parse
 */

static void vpl_case_desc(const struct vpl_lcase *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vpl_parse, vpl_lcases, vpl_case_desc);

/* Each case: the exact return, dialect, regions and the reported field. */
static void vpl_parse_case(struct kunit *test)
{
	const struct vpl_lcase *c = test->param_value;
	struct vpl_cfg_source src = { .read32 = vpl_lspace_read32 };
	struct vpl_lspace *space;
	struct vpl_layout *l;
	char why[200] = "";
	int err;

	space = kunit_kzalloc(test, sizeof(*space), GFP_KERNEL);
	l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, space);
	KUNIT_ASSERT_NOT_NULL(test, l);
	vpl_lspace_qemu(space);
	KUNIT_ASSERT_EQ_MSG(test, vpl_lspace_apply(space, c, why, sizeof(why)),
			    0, "%s", why);
	src.ctx = space;
	memcpy(src.bars, space->bars, sizeof(src.bars));

	err = vpl_parse(&src, c->want, l);
	KUNIT_EXPECT_EQ_MSG(test, vpl_lcase_check(c, err, l, why, sizeof(why)),
			    0, "%s", why);
}

static struct kunit_case vpl_parse_test_cases[] = {
	KUNIT_CASE_PARAM(vpl_parse_case, vpl_parse_gen_params),
	{}
};

static struct kunit_suite vpl_parse_suite = {
	.name = "virtio_pci_layout_parse",
	.test_cases = vpl_parse_test_cases,
};

/* ------------------------------------------------------------------------
 * The device model
 */

#define VPL_MODEL_QUEUES	4
#define VPL_MODEL_NOTIFY_LEN	64
#define VPL_MODEL_DEVICE_LEN	32
#define VPL_MODEL_IRQS		8	/* a config vector and one per queue */

struct vpl_model_queue {
	u16 size;
	u16 vector;
	u16 enable;
	u16 notify_off;
	u16 notify_data;
	u16 reset;
	u64 desc, avail, used;
};

struct vpl_model {
	/* Registers. */
	u64 device_features;
	u64 driver_features;
	u32 dfselect, gfselect;
	u16 msix_config;
	u16 num_queues;
	u8 status;
	u8 generation;
	u16 queue_select;
	struct vpl_model_queue q[VPL_MODEL_QUEUES];

	/* Misbehaviour. */
	bool reset_stuck;	/* status never returns to 0 after reset */
	bool status_ff;		/* status reads all ones */
	bool absent;		/* the function has left the bus */
	bool generation_unstable; /* every generation read differs */
	bool features_unstable;	/* device_feature changes between reads */
	bool queue_reset_stuck;	/* queue_reset never completes */
	int vector_skew;	/* added to every vector read back */
	bool vector_none;	/* vectors read back VIRTIO_MSI_NO_VECTOR */
	u16 vector_max;		/* if set, vectors above it read NO_VECTOR */
	u8 status_or;		/* bits status reads show on top */

	/* Platform. */
	unsigned int max_vectors; /* the system grants at most this many */
	int irq_base;		/* its interrupts: VPL_MODEL_IRQS Linux IRQs */
	unsigned int nirqs;	/* how many of them are granted as vectors */
	bool master_off;	/* bus mastering was turned off */

	/* Observation. */
	unsigned int status_reads;
	unsigned int generation_reads;
	unsigned int alloc_calls;

	/* Plain memory structures. */
	u8 isr;
	u8 device[VPL_MODEL_DEVICE_LEN];
	u8 notify[VPL_MODEL_NOTIFY_LEN];
};

static struct vpl_model_queue *vpl_model_q(struct vpl_model *m)
{
	static struct vpl_model_queue none;

	if (m->queue_select >= VPL_MODEL_QUEUES) {
		memset(&none, 0, sizeof(none));
		return &none;
	}
	return &m->q[m->queue_select];
}

static u16 vpl_model_vector(struct vpl_model *m, u16 v)
{
	if (m->vector_none ||
	    (m->vector_max && v != VIRTIO_MSI_NO_VECTOR && v > m->vector_max))
		return VIRTIO_MSI_NO_VECTOR;
	return v + m->vector_skew;
}

static u32 vpl_model_read(struct vpl_model *m, unsigned int off,
			  unsigned int size)
{
	struct vpl_model_queue *q = vpl_model_q(m);

	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		return m->dfselect;
	case VIRTIO_PCI_COMMON_DF:
		if (m->features_unstable)
			m->device_features ^= BIT_ULL(VIRTIO_F_RING_PACKED);
		return m->dfselect > 1 ? 0 : m->device_features >> (32 * m->dfselect);
	case VIRTIO_PCI_COMMON_GFSELECT:
		return m->gfselect;
	case VIRTIO_PCI_COMMON_GF:
		return m->gfselect > 1 ? 0 : m->driver_features >> (32 * m->gfselect);
	case VIRTIO_PCI_COMMON_MSIX:
		return vpl_model_vector(m, m->msix_config);
	case VIRTIO_PCI_COMMON_NUMQ:
		return m->num_queues;
	case VIRTIO_PCI_COMMON_STATUS:
		m->status_reads++;
		return m->status_ff ? 0xff : m->status | m->status_or;
	case VIRTIO_PCI_COMMON_CFGGENERATION:
		m->generation_reads++;
		if (m->generation_unstable)
			m->generation++;
		return m->generation;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		return m->queue_select;
	case VIRTIO_PCI_COMMON_Q_SIZE:
		return q->size;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		return vpl_model_vector(m, q->vector);
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		return q->enable;
	case VIRTIO_PCI_COMMON_Q_NOFF:
		return q->notify_off;
	case VIRTIO_PCI_COMMON_Q_NDATA:
		return q->notify_data;
	case VIRTIO_PCI_COMMON_Q_RESET:
		return q->reset;
	default:
		return 0;
	}
}

static void vpl_model_reset(struct vpl_model *m)
{
	unsigned int i;

	if (m->reset_stuck)
		return;
	m->status = 0;
	m->driver_features = 0;
	m->msix_config = VIRTIO_MSI_NO_VECTOR;
	for (i = 0; i < VPL_MODEL_QUEUES; i++) {
		m->q[i].enable = 0;
		m->q[i].vector = VIRTIO_MSI_NO_VECTOR;
	}
}

/* A write to the low (@hi 0) or high (@hi 4) half of a 64-bit register. */
static void vpl_model_half(u64 *reg, unsigned int hi, u32 val)
{
	unsigned int shift = hi ? 32 : 0;

	*reg = (*reg & ~((u64)U32_MAX << shift)) | (u64)val << shift;
}

static void vpl_model_write(struct vpl_model *m, unsigned int off,
			    unsigned int size, u32 val)
{
	struct vpl_model_queue *q = vpl_model_q(m);
	u64 *features = &m->driver_features;

	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		m->dfselect = val;
		break;
	case VIRTIO_PCI_COMMON_GFSELECT:
		m->gfselect = val;
		break;
	case VIRTIO_PCI_COMMON_GF:
		if (m->gfselect > 1)
			break;
		*features &= ~((u64)U32_MAX << (32 * m->gfselect));
		*features |= (u64)val << (32 * m->gfselect);
		break;
	case VIRTIO_PCI_COMMON_MSIX:
		m->msix_config = val;
		break;
	case VIRTIO_PCI_COMMON_STATUS:
		if (val)
			m->status = val;
		else
			vpl_model_reset(m);
		break;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		m->queue_select = val;
		break;
	case VIRTIO_PCI_COMMON_Q_SIZE:
		q->size = val;
		break;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		q->vector = val;
		break;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		q->enable = val;
		break;
	case VIRTIO_PCI_COMMON_Q_RESET:
		if (val != 1)
			break;
		q->reset = m->queue_reset_stuck;
		if (!m->queue_reset_stuck)
			q->enable = 0;
		break;
	case VIRTIO_PCI_COMMON_Q_DESCLO:
	case VIRTIO_PCI_COMMON_Q_DESCHI:
		vpl_model_half(&q->desc, off - VIRTIO_PCI_COMMON_Q_DESCLO, val);
		break;
	case VIRTIO_PCI_COMMON_Q_AVAILLO:
	case VIRTIO_PCI_COMMON_Q_AVAILHI:
		vpl_model_half(&q->avail, off - VIRTIO_PCI_COMMON_Q_AVAILLO, val);
		break;
	case VIRTIO_PCI_COMMON_Q_USEDLO:
	case VIRTIO_PCI_COMMON_Q_USEDHI:
		vpl_model_half(&q->used, off - VIRTIO_PCI_COMMON_Q_USEDLO, val);
		break;
	}
}

/*
 * The static stubs: while a test runs, the transport's seams come here.
 * The model of a test device is the driver data of its parent.
 */
static struct vpl_model *vpl_model_of(struct vpl_device *vp)
{
	return dev_get_drvdata(vp->dev);
}

static u32 vpl_stub_cread(struct vpl_device *vp, unsigned int off,
			  unsigned int size)
{
	return vpl_model_read(vpl_model_of(vp), off, size);
}

static void vpl_stub_cwrite(struct vpl_device *vp, unsigned int off,
			    unsigned int size, u32 val)
{
	vpl_model_write(vpl_model_of(vp), off, size, val);
}

static bool vpl_stub_present(struct vpl_device *vp)
{
	return !vpl_model_of(vp)->absent;
}

static void vpl_stub_clear_master(struct vpl_device *vp)
{
	vpl_model_of(vp)->master_off = true;
}

/*
 * Vectors are the model's interrupts on the dummy chip, requested by the
 * transport and raised by the tests for real.
 */
static int vpl_stub_irq_alloc(struct vpl_device *vp, enum vpl_irq_mode mode,
			      unsigned int n, struct irq_affinity *desc)
{
	struct vpl_model *m = vpl_model_of(vp);

	m->alloc_calls++;
	if (n > m->max_vectors || n > VPL_MODEL_IRQS)
		return -ENOSPC;
	m->nirqs = n;
	return n;
}

static int vpl_stub_irq_vector(struct vpl_device *vp, unsigned int vector)
{
	struct vpl_model *m = vpl_model_of(vp);

	return vector < m->nirqs ? m->irq_base + vector : -EINVAL;
}

static void vpl_stub_irq_free_vectors(struct vpl_device *vp)
{
	vpl_model_of(vp)->nirqs = 0;
}

static void vpl_model_free_irqs(void *m)
{
	irq_free_descs(((struct vpl_model *)m)->irq_base, VPL_MODEL_IRQS);
}

/* The model's interrupts, allocated once: a random sequence is quick. */
static void vpl_model_irqs(struct kunit *test, struct vpl_model *m)
{
	unsigned int i;

	m->irq_base = irq_alloc_descs(-1, 1, VPL_MODEL_IRQS, NUMA_NO_NODE);
	KUNIT_ASSERT_GE(test, m->irq_base, 0);
	for (i = 0; i < VPL_MODEL_IRQS; i++) {
		irq_set_chip_and_handler(m->irq_base + i, &dummy_irq_chip,
					 handle_simple_irq);
		irq_modify_status(m->irq_base + i, IRQ_NOREQUEST, 0);
	}
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   vpl_model_free_irqs,
							   m));
}

/* A healthy device: three 256-entry queues, 4 MSI-X vectors, VERSION_1. */
static struct vpl_model *vpl_model_new(struct kunit *test)
{
	struct vpl_model *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->device_features = BIT_ULL(VIRTIO_F_VERSION_1) |
			     BIT_ULL(VIRTIO_F_RING_RESET) |
			     BIT_ULL(VIRTIO_F_NOTIFICATION_DATA) |
			     BIT_ULL(VIRTIO_F_NOTIF_CONFIG_DATA) |
			     BIT_ULL(VIRTIO_RING_F_EVENT_IDX) | BIT(0);
	m->num_queues = 3;
	m->max_vectors = 64;
	vpl_model_irqs(test, m);
	for (i = 0; i < VPL_MODEL_QUEUES; i++) {
		m->q[i].size = 256;
		m->q[i].notify_off = i;
		m->q[i].vector = VIRTIO_MSI_NO_VECTOR;
	}
	m->msix_config = VIRTIO_MSI_NO_VECTOR;
	return m;
}

/* ------------------------------------------------------------------------
 * virtio_pci_layout_transport
 */

#define VPL_TEST_VIRTIO_ID	0xfffe	/* no virtio driver claims it */
#define VPL_TEST_TIMEOUT_MS	20

static unsigned int vpl_saved_timeout;
static unsigned int vpl_test_timeout_ms;	/* the model's waits */

static void vpl_unregister(void *vdev)
{
	unregister_virtio_device(vdev);
}

/* Whatever a test left set up goes before the model's interrupts do. */
static void vpl_test_del_vqs(void *vdev)
{
	vpl_del_vqs(vdev);
}

/* A transport instance over @m, registered with the virtio core. */
static struct vpl_device *vpl_test_device(struct kunit *test,
					  struct vpl_model *m)
{
	static unsigned int serial;
	struct vpl_device *vp;
	struct device *parent;
	char *name;
	int err;

	/* Each device needs a name of its own: a test may make several. */
	name = kunit_kzalloc(test, 32, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, name);
	snprintf(name, 32, "vpl-model-%u", serial++);
	parent = kunit_device_register(test, name);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, parent);
	dev_set_drvdata(parent, m);
	vp = kzalloc(sizeof(*vp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vp);
	vp->dev = parent;
	vp->msix_table = 4;
	vp->common_len = sizeof(struct vpl_common_cfg);
	vp->isr = (u8 __iomem __force *)&m->isr;
	vp->device = (void __iomem __force *)m->device;
	vp->device_len = sizeof(m->device);
	vp->notify = (void __iomem __force *)m->notify;
	vp->notify_len = sizeof(m->notify);
	vp->layout.notify_mult = 4;
	mutex_init(&vp->vqs_mutex);
	spin_lock_init(&vp->lock);
	spin_lock_init(&vp->gen_lock);
	INIT_LIST_HEAD(&vp->shared_vqs);
	vp->vdev.dev.parent = parent;
	vp->vdev.dev.release = vpl_release_dev;
	vp->vdev.config = &vpl_config_ops;
	vp->vdev.id.device = VPL_TEST_VIRTIO_ID;

	err = register_virtio_device(&vp->vdev);
	if (err) {
		put_device(&vp->vdev.dev);
		KUNIT_FAIL_AND_ABORT(test, "register_virtio_device: %d", err);
	}
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, vpl_unregister,
							   &vp->vdev));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, vpl_test_del_vqs,
							   &vp->vdev));
	return vp;
}

static void vpl_noop_cb(struct virtqueue *vq)
{
}

/*
 * Sets up @n queues named q0.., each with a callback unless @no_cb; the
 * first @pre and the last @post are kept out of the affinity spread, as
 * virtio-scsi keeps its control and event queues (both 0: no affinity
 * descriptor).
 */
static int vpl_test_find_vqs_pre(struct vpl_device *vp, unsigned int n,
				 struct virtqueue **vqs, bool no_cb,
				 unsigned int pre, unsigned int post)
{
	static const char * const names[] = { "q0", "q1", "q2", "q3" };
	struct vpl_vq_info info[VPL_MODEL_QUEUES] = {};
	struct irq_affinity desc = {
		.pre_vectors = pre,
		.post_vectors = post,
	};
	unsigned int i;

	for (i = 0; i < n; i++) {
		info[i].name = names[i];
		info[i].callback = no_cb ? NULL : vpl_noop_cb;
	}
	return vpl_find_vqs(&vp->vdev, n, vqs, info,
			    pre || post ? &desc : NULL);
}

static int vpl_test_find_vqs(struct vpl_device *vp, unsigned int n,
			     struct virtqueue **vqs, bool no_cb)
{
	return vpl_test_find_vqs_pre(vp, n, vqs, no_cb, 0, 0);
}

static unsigned int vpl_stub_timeout_ms(void)
{
	return vpl_test_timeout_ms;
}

static int vpl_transport_init(struct kunit *test)
{
	vpl_saved_timeout = reset_timeout_ms;
	vpl_test_timeout_ms = VPL_TEST_TIMEOUT_MS;
	kunit_activate_static_stub(test, vpl_timeout_ms, vpl_stub_timeout_ms);
	kunit_activate_static_stub(test, vpl_cread, vpl_stub_cread);
	kunit_activate_static_stub(test, vpl_cwrite, vpl_stub_cwrite);
	kunit_activate_static_stub(test, vpl_present, vpl_stub_present);
	kunit_activate_static_stub(test, vpl_clear_master,
				   vpl_stub_clear_master);
	kunit_activate_static_stub(test, vpl_irq_alloc, vpl_stub_irq_alloc);
	kunit_activate_static_stub(test, vpl_irq_vector, vpl_stub_irq_vector);
	kunit_activate_static_stub(test, vpl_irq_free_vectors,
				   vpl_stub_irq_free_vectors);
	return 0;
}

static void vpl_transport_exit(struct kunit *test)
{
	reset_timeout_ms = vpl_saved_timeout;
}

/* get() reads each width at that width, little-endian, from the region. */
static void vpl_config_get_widths(struct kunit *test)
{
	struct vpl_model *m = vpl_model_new(test);
	struct vpl_device *vp = vpl_test_device(test, m);
	u8 b;
	__le16 w;
	__le32 l;
	__le64 q;
	unsigned int i;

	for (i = 0; i < sizeof(m->device); i++)
		m->device[i] = i + 1;
	vpl_get(&vp->vdev, 3, &b, 1);
	KUNIT_EXPECT_EQ(test, b, 4);
	vpl_get(&vp->vdev, 2, &w, 2);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(w), 0x0403);
	vpl_get(&vp->vdev, 4, &l, 4);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(l), 0x08070605);
	vpl_get(&vp->vdev, 8, &q, 8);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(q), 0x100f0e0d0c0b0a09ULL);
	vpl_get(&vp->vdev, 1, &l, 4);		/* unaligned: bytewise */
	KUNIT_EXPECT_EQ(test, le32_to_cpu(l), 0x05040302);
}

/* Accesses past the device configuration return zeroes, write nothing. */
static void vpl_config_bounds(struct kunit *test)
{
	struct vpl_model *m = vpl_model_new(test);
	struct vpl_device *vp = vpl_test_device(test, m);
	u8 zero[VPL_MODEL_DEVICE_LEN] = {};
	u64 v = ~0ULL;

	vpl_get(&vp->vdev, VPL_MODEL_DEVICE_LEN - 4, &v, 8);
	KUNIT_EXPECT_EQ(test, v, 0);
	v = ~0ULL;
	vpl_get(&vp->vdev, UINT_MAX - 3, &v, 8);	/* offset + len wraps */
	KUNIT_EXPECT_EQ(test, v, 0);
	v = ~0ULL;
	vpl_set(&vp->vdev, VPL_MODEL_DEVICE_LEN - 2, &v, 4);
	vpl_set(&vp->vdev, UINT_MAX, &v, 2);
	KUNIT_EXPECT_MEMEQ(test, m->device, zero, sizeof(zero));
	vpl_set(&vp->vdev, VPL_MODEL_DEVICE_LEN - 4, &v, 4);
	KUNIT_EXPECT_EQ(test, m->device[VPL_MODEL_DEVICE_LEN - 1], 0xff);

	/* A device without device configuration: every access refused. */
	vp->device_len = 0;
	v = ~0ULL;
	vpl_get(&vp->vdev, 0, &v, 1);
	KUNIT_EXPECT_EQ(test, v, ~0ULL << 8);
}

/* A reset that never completes returns after the bound, not never. */
static void vpl_reset_never_completes(struct kunit *test)
{
	struct vpl_model *m = vpl_model_new(test);
	struct vpl_device *vp = vpl_test_device(test, m);
	struct virtqueue *vqs[3];

	m->reset_stuck = true;
	vpl_set_status(&vp->vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	m->status_reads = 0;
	vpl_reset(&vp->vdev);
	KUNIT_EXPECT_EQ(test, m->status, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	/* Polled about once a millisecond for the whole bound. */
	KUNIT_EXPECT_GT(test, m->status_reads, 2);
	KUNIT_EXPECT_LE(test, m->status_reads, VPL_TEST_TIMEOUT_MS * 2 + 2);
	m->reset_stuck = false;

	/* The device is shut off: the core sees status 0, no queues. */
	KUNIT_EXPECT_TRUE(test, vp->failed);
	KUNIT_EXPECT_TRUE(test, m->master_off);
	KUNIT_EXPECT_EQ(test, vpl_get_status(&vp->vdev), 0);
	KUNIT_EXPECT_EQ(test, vpl_test_find_vqs(vp, 3, vqs, false), -EIO);
	KUNIT_EXPECT_EQ(test, vp->nvectors, 0);
}

/*
 * Status bits the driver did not set never reach the core: DRIVER_OK before
 * the driver set it (virtio_device_ready() WARNs on it), anything after a
 * reset (virtio_dev_remove() WARNs on it).  A device may clear FEATURES_OK
 * and set DEVICE_NEEDS_RESET.  Before DRIVER_OK the register is read only
 * for the FEATURES_OK readback.
 */
static void vpl_status_lies(struct kunit *test)
{
	struct vpl_model *m = vpl_model_new(test);
	struct vpl_device *vp = vpl_test_device(test, m);
	struct virtio_device *vdev = &vp->vdev;
	const u8 ack = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	m->status_or = VIRTIO_CONFIG_S_DRIVER_OK | 0x10;
	vpl_reset(vdev);
	m->status_reads = 0;
	KUNIT_EXPECT_EQ(test, vpl_get_status(vdev), 0);
	/* virtio_add_status() and virtio_device_ready(): no access. */
	vpl_set_status(vdev, ack);
	KUNIT_EXPECT_EQ(test, vpl_get_status(vdev), ack);
	KUNIT_EXPECT_EQ(test, m->status_reads, 0);
	/* The FEATURES_OK readback reads, until the device showed it. */
	vpl_set_status(vdev, ack | VIRTIO_CONFIG_S_FEATURES_OK);
	KUNIT_EXPECT_EQ(test, vpl_get_status(vdev),
			ack | VIRTIO_CONFIG_S_FEATURES_OK);
	KUNIT_EXPECT_EQ(test, m->status_reads, 1);
	m->status_or = VIRTIO_CONFIG_S_NEEDS_RESET;
	KUNIT_EXPECT_EQ(test, vpl_get_status(vdev),
			ack | VIRTIO_CONFIG_S_FEATURES_OK);
	KUNIT_EXPECT_EQ(test, m->status_reads, 1);
	m->status_or = 0;
	/* Cleared FEATURES_OK is the device refusing the features. */
	vpl_set_status(vdev, ack);
	vpl_set_status(vdev, ack | VIRTIO_CONFIG_S_FEATURES_OK);
	m->status = ack;
	KUNIT_EXPECT_EQ(test, vpl_get_status(vdev), ack);
	KUNIT_EXPECT_EQ(test, vpl_get_status(vdev), ack);
	KUNIT_EXPECT_EQ(test, m->status_reads, 3);
	/*
	 * A probe after a failed one: the status still holds FEATURES_OK
	 * when new features are written, and the device may refuse them.
	 */
	m->status = ack | VIRTIO_CONFIG_S_FEATURES_OK;
	KUNIT_EXPECT_EQ(test, vpl_get_status(vdev),
			ack | VIRTIO_CONFIG_S_FEATURES_OK);
	vdev->features = m->device_features;
	KUNIT_ASSERT_EQ(test, vpl_finalize_features(vdev), 0);
	vpl_set_status(vdev, ack | VIRTIO_CONFIG_S_FEATURES_OK);
	m->status = ack;
	KUNIT_EXPECT_EQ(test, vpl_get_status(vdev), ack);
	KUNIT_EXPECT_EQ(test, m->status_reads, 5);
	/* From DRIVER_OK on every read reads: DEVICE_NEEDS_RESET shows. */
	vpl_set_status(vdev, ack | VIRTIO_CONFIG_S_DRIVER_OK);
	m->status = ack | VIRTIO_CONFIG_S_DRIVER_OK | VIRTIO_CONFIG_S_NEEDS_RESET;
	KUNIT_EXPECT_EQ(test, vpl_get_status(vdev),
			ack | VIRTIO_CONFIG_S_DRIVER_OK |
			VIRTIO_CONFIG_S_NEEDS_RESET);
	/* DRIVER_OK the driver set stays, whatever the register says. */
	m->status = 0;
	KUNIT_EXPECT_EQ(test, vpl_get_status(vdev),
			VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			VIRTIO_CONFIG_S_DRIVER_OK);
	m->status_ff = true;
	vpl_set_status(vdev, 0);
	KUNIT_EXPECT_EQ(test, vpl_get_status(vdev), 0);
	m->status_ff = false;
}

/* reset_timeout_ms: 0 (no bound at all) and values above 60 s refused. */
static void vpl_reset_timeout_bounds(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, vpl_reset_timeout_set("0", NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, vpl_reset_timeout_set("60001", NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, vpl_reset_timeout_set("-1", NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, vpl_reset_timeout_set("x", NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, reset_timeout_ms, vpl_saved_timeout);
	KUNIT_EXPECT_EQ(test, vpl_reset_timeout_set("60000", NULL), 0);
	KUNIT_EXPECT_EQ(test, reset_timeout_ms, 60000);
	KUNIT_EXPECT_EQ(test, vpl_reset_timeout_set("1", NULL), 0);
	KUNIT_EXPECT_EQ(test, reset_timeout_ms, 1);
}

/* INTx: only 0 (not ours) and 0xff (gone) are ignored; reserved bits are. */
static void vpl_isr_reserved_bits(struct kunit *test)
{
	struct vpl_model *m = vpl_model_new(test);
	struct vpl_device *vp = vpl_test_device(test, m);

	m->isr = 0;
	KUNIT_EXPECT_EQ(test, vpl_intx_interrupt(0, vp), IRQ_NONE);
	m->isr = 0xff;
	KUNIT_EXPECT_EQ(test, vpl_intx_interrupt(0, vp), IRQ_NONE);
	m->isr = VPL_ISR_QUEUE | 0x80;
	KUNIT_EXPECT_EQ(test, vpl_intx_interrupt(0, vp), IRQ_HANDLED);
	m->isr = VPL_ISR_QUEUE | 0x04;
	KUNIT_EXPECT_EQ(test, vpl_intx_interrupt(0, vp), IRQ_HANDLED);
}

/* Status reading 0xff from a function that left the bus: stop at once. */
static void vpl_reset_device_gone(struct kunit *test)
{
	struct vpl_model *m = vpl_model_new(test);
	struct vpl_device *vp = vpl_test_device(test, m);

	m->status_ff = true;
	m->absent = true;
	m->status_reads = 0;
	vpl_reset(&vp->vdev);
	KUNIT_EXPECT_EQ(test, m->status_reads, 1);
	KUNIT_EXPECT_TRUE(test, vp->failed);

	/* Shut off: a later reset does not wait on it again. */
	m->status_reads = 0;
	vpl_reset(&vp->vdev);
	KUNIT_EXPECT_EQ(test, m->status_reads, 0);

	/* 0xff from a function still present is a stuck status: bounded. */
	vp->failed = false;		/* bound again */
	m->absent = false;
	vpl_reset(&vp->vdev);
	KUNIT_EXPECT_GT(test, m->status_reads, 2);
	m->status_ff = false;
}

/* A generation that changes on every read cannot hold the core forever. */
static void vpl_generation_never_stable(struct kunit *test)
{
	struct vpl_model *m = vpl_model_new(test);
	struct vpl_device *vp = vpl_test_device(test, m);
	u8 buf[16];
	u64 v;

	m->generation_unstable = true;
	m->generation_reads = 0;
	virtio_cread_bytes(&vp->vdev, 0, buf, sizeof(buf));
	v = virtio_cread64(&vp->vdev, 8);
	KUNIT_EXPECT_EQ(test, v, 0);
	KUNIT_EXPECT_LE(test, m->generation_reads, 4 * VPL_GEN_MAX_CHANGES);

	/* Once it reads the same twice it is believed again. */
	m->generation_unstable = false;
	m->generation = 7;
	vpl_generation(&vp->vdev);
	KUNIT_EXPECT_EQ(test, vpl_generation(&vp->vdev), 7);
	KUNIT_EXPECT_EQ(test, vpl_generation(&vp->vdev), 7);

	/* A single change (a config update) is passed through at once. */
	m->generation = 8;
	KUNIT_EXPECT_EQ(test, vpl_generation(&vp->vdev), 8);
}

/* Both feature windows are read; finalize keeps only what it supports. */
static void vpl_features(struct kunit *test)
{
	struct vpl_model *m = vpl_model_new(test);
	struct vpl_device *vp = vpl_test_device(test, m);
	struct virtio_device *vdev = &vp->vdev;

	KUNIT_EXPECT_EQ(test, vpl_get_features(vdev), m->device_features);

	vdev->features = m->device_features | BIT_ULL(VIRTIO_F_IN_ORDER);
	KUNIT_ASSERT_EQ(test, vpl_finalize_features(vdev), 0);
	KUNIT_EXPECT_TRUE(test, vdev->features & BIT_ULL(VIRTIO_F_VERSION_1));
	KUNIT_EXPECT_TRUE(test, vdev->features & BIT_ULL(VIRTIO_F_RING_RESET));
	KUNIT_EXPECT_TRUE(test, vdev->features & BIT_ULL(VIRTIO_RING_F_EVENT_IDX));
	KUNIT_EXPECT_EQ(test, !!(vdev->features &
				 BIT_ULL(VIRTIO_F_NOTIFICATION_DATA)),
			VPL_RING_NOTIFICATION_DATA);
	KUNIT_EXPECT_TRUE(test, vdev->features &
			  BIT_ULL(VIRTIO_F_NOTIF_CONFIG_DATA));
	KUNIT_EXPECT_FALSE(test, vdev->features & BIT_ULL(VIRTIO_F_IN_ORDER));
	KUNIT_EXPECT_EQ(test, m->driver_features, vdev->features);

	/*
	 * No queue_reset or queue_notify_data register: no RING_RESET, no
	 * NOTIF_CONFIG_DATA.
	 */
	vp->common_len = VPL_COMMON_MIN_LEN;
	vdev->features = m->device_features;
	KUNIT_ASSERT_EQ(test, vpl_finalize_features(vdev), 0);
	KUNIT_EXPECT_FALSE(test, vdev->features & BIT_ULL(VIRTIO_F_RING_RESET));
	KUNIT_EXPECT_FALSE(test, vdev->features &
			   BIT_ULL(VIRTIO_F_NOTIF_CONFIG_DATA));

	/* VIRTIO_F_SR_IOV only for a function that can have VFs. */
	vdev->features = m->device_features | BIT_ULL(VIRTIO_F_SR_IOV);
	KUNIT_ASSERT_EQ(test, vpl_finalize_features(vdev), 0);
	KUNIT_EXPECT_FALSE(test, vdev->features & BIT_ULL(VIRTIO_F_SR_IOV));
	vp->sriov = true;
	vdev->features = m->device_features | BIT_ULL(VIRTIO_F_SR_IOV);
	KUNIT_ASSERT_EQ(test, vpl_finalize_features(vdev), 0);
	KUNIT_EXPECT_TRUE(test, vdev->features & BIT_ULL(VIRTIO_F_SR_IOV));

	/* Doorbells that are not 4-byte aligned: no NOTIFICATION_DATA. */
	vp->layout.notify_mult = 2;
	vdev->features = m->device_features;
	KUNIT_ASSERT_EQ(test, vpl_finalize_features(vdev), 0);
	KUNIT_EXPECT_FALSE(test, vdev->features &
			   BIT_ULL(VIRTIO_F_NOTIFICATION_DATA));
	vp->layout.notify_mult = 4;
	vp->layout.region[VPL_REGION_NOTIFY].offset = 2;
	vdev->features = m->device_features;
	KUNIT_ASSERT_EQ(test, vpl_finalize_features(vdev), 0);
	KUNIT_EXPECT_FALSE(test, vdev->features &
			   BIT_ULL(VIRTIO_F_NOTIFICATION_DATA));

	/* VERSION_1 is required. */
	vdev->features = BIT(0);
	KUNIT_EXPECT_EQ(test, vpl_finalize_features(vdev), -EINVAL);
}

/* Features that change between reads: two reads, one value, no loop. */
static void vpl_features_unstable(struct kunit *test)
{
	struct vpl_model *m = vpl_model_new(test);
	struct vpl_device *vp = vpl_test_device(test, m);
	u64 f;

	m->features_unstable = true;
	f = vpl_get_features(&vp->vdev);
	KUNIT_EXPECT_TRUE(test, f & BIT_ULL(VIRTIO_F_VERSION_1));
	m->features_unstable = false;
}

/* Per-queue vectors: each queue programmed and enabled, doorbells placed. */
static void vpl_find_vqs_per_vq(struct kunit *test)
{
	struct vpl_model *m = vpl_model_new(test);
	struct vpl_device *vp = vpl_test_device(test, m);
	struct virtqueue *vqs[3];
	unsigned int i;

	vp->vdev.features = BIT_ULL(VIRTIO_F_VERSION_1);
	KUNIT_ASSERT_EQ(test, vpl_test_find_vqs(vp, 3, vqs, false), 0);
	KUNIT_EXPECT_EQ(test, vp->irq_mode, VPL_IRQ_MSIX_PER_VQ);
	KUNIT_EXPECT_EQ(test, vp->nvectors, 4);
	KUNIT_EXPECT_EQ(test, m->msix_config, VPL_CONFIG_VECTOR);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, m->q[i].vector, i + 1);
		KUNIT_EXPECT_EQ(test, m->q[i].enable, 1);
		KUNIT_EXPECT_EQ(test, m->q[i].desc,
				virtqueue_get_desc_addr(vqs[i]));
		KUNIT_EXPECT_EQ(test, m->q[i].used,
				virtqueue_get_used_addr(vqs[i]));
		KUNIT_EXPECT_EQ(test, to_vpl_vq(vqs[i])->notify - vp->notify,
				4 * m->q[i].notify_off);
	}
	KUNIT_EXPECT_EQ(test, m->q[3].enable, 0);

	/* A kick writes the queue index at its doorbell. */
	virtqueue_notify(vqs[2]);
	KUNIT_EXPECT_EQ(test, m->notify[8], 2);

	vpl_del_vqs(&vp->vdev);
	KUNIT_EXPECT_EQ(test, m->q[0].vector, VIRTIO_MSI_NO_VECTOR);
	KUNIT_EXPECT_EQ(test, m->msix_config, VIRTIO_MSI_NO_VECTOR);
}

/* Queue @vq's doorbell in the model's notification region. */
static const u8 *vpl_model_doorbell(struct vpl_model *m, struct virtqueue *vq)
{
	return m->notify + 4 * m->q[vq->index].notify_off;
}

/* Makes one buffer available on @vq and kicks the device. */
static void vpl_test_kick(struct kunit *test, struct virtqueue *vq)
{
	static u8 buf[16];
	struct scatterlist sg;

	sg_init_one(&sg, buf, sizeof(buf));
	KUNIT_ASSERT_EQ(test, virtqueue_add_outbuf(vq, &sg, 1, buf, GFP_KERNEL),
			0);
	KUNIT_EXPECT_TRUE(test, virtqueue_kick(vq));
}

/*
 * What a kick writes at the doorbell: the queue index (16 bits); with
 * NOTIF_CONFIG_DATA the device's queue_notify_data instead; with
 * NOTIFICATION_DATA 32 bits, the upper half where the driver is in the ring
 * (one buffer made available: 1).  Bytes the write must not touch keep the
 * 0xff they were filled with.
 */
static void vpl_notification_data(struct kunit *test)
{
	static const struct {
		const char *what;
		u64 features;
		u32 want;
		unsigned int width;
	} cases[] = {
		{ "index", 0, 2, 2 },
		{ "notif_config_data", BIT_ULL(VIRTIO_F_NOTIF_CONFIG_DATA),
		  0xab02, 2 },
		{ "notification_data", BIT_ULL(VIRTIO_F_NOTIFICATION_DATA),
		  2 | 1 << 16, 4 },
		{ "both", BIT_ULL(VIRTIO_F_NOTIFICATION_DATA) |
			  BIT_ULL(VIRTIO_F_NOTIF_CONFIG_DATA),
		  0xab02 | 1 << 16, 4 },
	};
	unsigned int i, q;

	if (!VPL_RING_NOTIFICATION_DATA)
		kunit_skip(test, "this kernel's ring has no notification data");
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vpl_model *m = vpl_model_new(test);
		struct vpl_device *vp = vpl_test_device(test, m);
		struct virtqueue *vqs[3];
		const u8 *bell;
		__le32 raw = 0;
		u32 got;

		for (q = 0; q < VPL_MODEL_QUEUES; q++)
			m->q[q].notify_data = 0xab00 + q;
		vp->vdev.features = BIT_ULL(VIRTIO_F_VERSION_1) |
				    cases[i].features;
		KUNIT_ASSERT_EQ(test, vpl_test_find_vqs(vp, 3, vqs, false), 0);
		memset(m->notify, 0xff, sizeof(m->notify));
		vpl_test_kick(test, vqs[2]);
		bell = vpl_model_doorbell(m, vqs[2]);
		memcpy(&raw, bell, cases[i].width);
		got = le32_to_cpu(raw);
		KUNIT_EXPECT_EQ_MSG(test, got, cases[i].want, "%s",
				    cases[i].what);
		KUNIT_EXPECT_PTR_EQ_MSG(test,
					memchr_inv(bell + cases[i].width, 0xff,
						   4 - cases[i].width), NULL,
					"%s: wrote past its %u bytes",
					cases[i].what, cases[i].width);
		vpl_del_vqs(&vp->vdev);
	}
}

/*
 * A doorbell with room for 16 bits but not 32: fine for a 2-byte write,
 * refused when NOTIFICATION_DATA makes it 4 bytes wide.
 */
static void vpl_notification_data_room(struct kunit *test)
{
	unsigned int i;

	if (!VPL_RING_NOTIFICATION_DATA)
		kunit_skip(test, "this kernel's ring has no notification data");
	for (i = 0; i < 2; i++) {
		struct vpl_model *m = vpl_model_new(test);
		struct vpl_device *vp = vpl_test_device(test, m);
		struct virtqueue *vqs[3];
		int err;

		/* Queue 2's doorbell is at 8: the region ends 2 bytes on. */
		vp->notify_len = 10;
		vp->vdev.features = BIT_ULL(VIRTIO_F_VERSION_1) |
			(i ? BIT_ULL(VIRTIO_F_NOTIFICATION_DATA) : 0);
		err = vpl_test_find_vqs(vp, 3, vqs, false);
		KUNIT_EXPECT_EQ_MSG(test, err, i ? -EINVAL : 0,
				    "notification data %u", i);
		KUNIT_EXPECT_EQ(test, m->q[2].enable, !err);
		if (!err)
			vpl_del_vqs(&vp->vdev);
	}
}

struct vpl_budget_case {
	const char *name;
	int table;
	unsigned int max_vectors;
	bool isr;
	unsigned int nvqs;
	bool no_cb;
	unsigned int pre;	/* queues kept out of the affinity spread: */
	unsigned int post;	/* first ones, last ones */
	int err;
	enum vpl_irq_mode mode;
	unsigned int nvectors;
};

static const struct vpl_budget_case vpl_budget_cases[] = {
	{ "table_fits_per_vq", 4, 64, true, 3, false, 0, 0, 0, VPL_IRQ_MSIX_PER_VQ, 4 },
	{ "table_short_shared", 3, 64, true, 3, false, 0, 0, 0, VPL_IRQ_MSIX_SHARED, 2 },
	{ "table_two_shared", 2, 64, true, 3, false, 0, 0, 0, VPL_IRQ_MSIX_SHARED, 2 },
	{ "table_one_intx", 1, 64, true, 3, false, 0, 0, 0, VPL_IRQ_INTX, 1 },
	{ "no_msix_intx", 0, 64, true, 3, false, 0, 0, 0, VPL_IRQ_INTX, 1 },
	{ "no_msix_no_isr", 0, 64, false, 3, false, 0, 0, -ENOSPC, VPL_IRQ_NONE, 0 },
	{ "one_vector_no_isr", 1, 64, false, 3, false, 0, 0, -ENOSPC, VPL_IRQ_NONE, 0 },
	{ "system_short_shared", 4, 2, true, 3, false, 0, 0, 0, VPL_IRQ_MSIX_SHARED, 2 },
	{ "system_short_intx", 4, 1, true, 3, false, 0, 0, 0, VPL_IRQ_INTX, 1 },
	{ "no_callbacks_config_only", 1, 64, true, 3, true, 0, 0, 0, VPL_IRQ_MSIX_PER_VQ, 1 },
	/* A slow-path queue (pre 1) leaves the data queues their vectors. */
	{ "slow_table_fits_per_vq", 4, 64, true, 3, false, 1, 0, 0, VPL_IRQ_MSIX_PER_VQ, 4 },
	{ "slow_table_short", 3, 64, true, 3, false, 1, 0, 0, VPL_IRQ_MSIX_SHARED_SLOW, 3 },
	{ "slow_system_short", 4, 3, true, 3, false, 1, 0, 0, VPL_IRQ_MSIX_SHARED_SLOW, 3 },
	{ "slow_two_short", 2, 64, true, 3, false, 1, 0, 0, VPL_IRQ_MSIX_SHARED, 2 },
	{ "slow_two_of_three", 2, 64, true, 3, false, 2, 0, 0, VPL_IRQ_MSIX_SHARED_SLOW, 2 },
	{ "slow_all", 2, 64, true, 3, false, 3, 0, 0, VPL_IRQ_MSIX_SHARED, 2 },
	{ "slow_post", 3, 64, true, 3, false, 0, 1, 0, VPL_IRQ_MSIX_SHARED_SLOW, 3 },
};

static void vpl_budget_desc(const struct vpl_budget_case *t, char *desc)
{
	strscpy(desc, t->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vpl_budget, vpl_budget_cases, vpl_budget_desc);

/* The mode follows from the table size, and falls back when refused. */
static void vpl_vector_budget(struct kunit *test)
{
	const struct vpl_budget_case *t = test->param_value;
	struct vpl_model *m = vpl_model_new(test);
	struct vpl_device *vp = vpl_test_device(test, m);
	struct virtqueue *vqs[3];
	unsigned int i;
	int err;

	vp->msix_table = t->table;
	m->max_vectors = t->max_vectors;
	if (!t->isr)
		vp->isr = NULL;
	vp->vdev.features = BIT_ULL(VIRTIO_F_VERSION_1);
	err = vpl_test_find_vqs_pre(vp, t->nvqs, vqs, t->no_cb, t->pre,
				    t->post);
	KUNIT_EXPECT_EQ(test, err, t->err);
	KUNIT_EXPECT_EQ(test, vp->irq_mode, t->mode);
	KUNIT_EXPECT_EQ(test, vp->nvectors, t->nvectors);
	if (err)
		return;
	for (i = 0; i < t->nvqs; i++) {
		u16 want = VIRTIO_MSI_NO_VECTOR;

		if (t->mode == VPL_IRQ_MSIX_PER_VQ && !t->no_cb)
			want = i + 1;
		else if (t->mode == VPL_IRQ_MSIX_SHARED_SLOW)
			want = i < t->pre || i >= t->nvqs - t->post ?
			       VPL_CONFIG_VECTOR : i - t->pre + 1;
		else if (t->mode == VPL_IRQ_MSIX_SHARED)
			want = 1;
		KUNIT_EXPECT_EQ(test, m->q[i].vector, want);
	}
	vpl_del_vqs(&vp->vdev);
}

/* Queue registers the device got wrong: each refused with an error. */
static void vpl_bad_queues(struct kunit *test)
{
	static const struct {
		const char *what;
		u16 size, notify_off, num_queues;
		u64 features;
		int err;
	} cases[] = {
		{ "size 0", 0, 0, 3, 0, -ENOENT },
		{ "size not 2^n", 100, 0, 3, 0, -EINVAL },
		{ "size 65535", 65535, 0, 3, 0, -EINVAL },
		{ "packed, size not 2^n", 100, 0, 3,
		  BIT_ULL(VIRTIO_F_RING_PACKED), 0 },
		{ "packed, size above 32768", 32769, 0, 3,
		  BIT_ULL(VIRTIO_F_RING_PACKED), -EINVAL },
		{ "notify off past region", 256, 16, 3, 0, -EINVAL },
		{ "notify off max", 256, 65535, 3, 0, -EINVAL },
		{ "num_queues 0", 256, 0, 0, 0, -ENOENT },
		{ "num_queues 65535", 256, 0, 65535, 0, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vpl_model *m = vpl_model_new(test);
		struct vpl_device *vp = vpl_test_device(test, m);
		struct virtqueue *vqs[1];
		int err;

		m->q[0].size = cases[i].size;
		m->q[0].notify_off = cases[i].notify_off;
		m->num_queues = cases[i].num_queues;
		vp->vdev.features = BIT_ULL(VIRTIO_F_VERSION_1) |
				    cases[i].features;
		err = vpl_test_find_vqs(vp, 1, vqs, false);
		KUNIT_EXPECT_EQ_MSG(test, err, cases[i].err, "%s",
				    cases[i].what);
		KUNIT_EXPECT_EQ_MSG(test, m->q[0].enable, !err, "%s",
				    cases[i].what);
		if (!err)
			vpl_del_vqs(&vp->vdev);
	}
}

/* A vector the device does not take back exactly is refused. */
static void vpl_vector_readback(struct kunit *test)
{
	static const struct {
		const char *what;
		int skew;
		bool none;
		unsigned int table;
	} cases[] = {
		{ "queue vector off by one", 1, false, 4 },
		{ "shared: off by one", 1, false, 2 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vpl_model *m = vpl_model_new(test);
		struct vpl_device *vp = vpl_test_device(test, m);
		struct virtqueue *vqs[3];

		m->vector_skew = cases[i].skew;
		m->vector_none = cases[i].none;
		vp->msix_table = cases[i].table;
		vp->vdev.features = BIT_ULL(VIRTIO_F_VERSION_1);
		KUNIT_EXPECT_EQ_MSG(test, vpl_test_find_vqs(vp, 3, vqs, false),
				    -EBUSY, "%s", cases[i].what);
		KUNIT_EXPECT_EQ(test, vp->nvectors, 0);
		m->vector_skew = 0;
		m->vector_none = false;
	}
}

/*
 * NO_VECTOR read back is the device refusing a mapping: one step down the
 * ladder per refusal, and the device works in the mode it accepts.
 */
static void vpl_no_vector_fallback(struct kunit *test)
{
	static const struct {
		const char *what;
		u16 vector_max;
		bool none;
		enum vpl_irq_mode mode;
	} cases[] = {
		{ "queue vectors above 1 refused", 1, false, VPL_IRQ_MSIX_SHARED },
		{ "every vector refused", 0, true, VPL_IRQ_INTX },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vpl_model *m = vpl_model_new(test);
		struct vpl_device *vp = vpl_test_device(test, m);
		struct virtqueue *vqs[3];

		m->vector_max = cases[i].vector_max;
		m->vector_none = cases[i].none;
		vp->msix_table = 4;
		vp->vdev.features = BIT_ULL(VIRTIO_F_VERSION_1);
		KUNIT_EXPECT_EQ_MSG(test, vpl_test_find_vqs(vp, 3, vqs, false),
				    0, "%s", cases[i].what);
		KUNIT_EXPECT_EQ_MSG(test, vp->irq_mode, cases[i].mode, "%s",
				    cases[i].what);
		KUNIT_EXPECT_EQ(test, m->q[2].enable, 1);
		vpl_del_vqs(&vp->vdev);
		m->vector_none = false;
	}
}

/* Per-queue reset, completing and stuck. */
static void vpl_queue_reset(struct kunit *test)
{
	struct vpl_model *m = vpl_model_new(test);
	struct vpl_device *vp = vpl_test_device(test, m);
	struct virtqueue *vqs[3];

	vp->vdev.features = BIT_ULL(VIRTIO_F_VERSION_1) |
			    BIT_ULL(VIRTIO_F_RING_RESET);
	KUNIT_ASSERT_EQ(test, vpl_test_find_vqs(vp, 3, vqs, false), 0);

	KUNIT_EXPECT_EQ(test, vpl_disable_vq_and_reset(vqs[1]), 0);
	KUNIT_EXPECT_TRUE(test, vqs[1]->reset);
	KUNIT_EXPECT_EQ(test, m->q[1].enable, 0);
	m->q[1].vector = VIRTIO_MSI_NO_VECTOR;
	KUNIT_EXPECT_EQ(test, vpl_enable_vq_after_reset(vqs[1]), 0);
	KUNIT_EXPECT_EQ(test, m->q[1].enable, 1);
	KUNIT_EXPECT_EQ(test, m->q[1].vector, 2);
	KUNIT_EXPECT_FALSE(test, vqs[1]->reset);
	KUNIT_EXPECT_EQ(test, vpl_enable_vq_after_reset(vqs[1]), -EBUSY);

	m->queue_reset_stuck = true;
	KUNIT_EXPECT_EQ(test, vpl_disable_vq_and_reset(vqs[2]), -ETIMEDOUT);
	KUNIT_EXPECT_FALSE(test, vqs[2]->reset);
	m->queue_reset_stuck = false;

	vp->vdev.features &= ~BIT_ULL(VIRTIO_F_RING_RESET);
	KUNIT_EXPECT_EQ(test, vpl_disable_vq_and_reset(vqs[0]), -ENOENT);
	vpl_del_vqs(&vp->vdev);
}

static unsigned int vpl_test_callbacks;

static void vpl_counting_cb(struct virtqueue *vq)
{
	vpl_test_callbacks++;
}

/* The queue's interrupt, raised through the IRQ core, in each mode. */
static void vpl_test_raise(struct vpl_device *vp, unsigned int index)
{
	int irq;

	switch (vp->irq_mode) {
	case VPL_IRQ_MSIX_PER_VQ:
		irq = vp->vqs[index]->irq;
		break;
	case VPL_IRQ_MSIX_SHARED_SLOW:
		/* A slow-path queue is on the configuration vector. */
		irq = vp->vqs[index]->irq ?: vp->config_irq;
		break;
	case VPL_IRQ_MSIX_SHARED:
		irq = vp->shared_irq;
		break;
	default:
		vpl_model_of(vp)->isr = VPL_ISR_QUEUE;
		irq = vp->config_irq;
		break;
	}
	generic_handle_irq_safe(irq);
}

/*
 * Between disable_vq_and_reset and enable_vq_after_reset the core frees
 * and replaces the ring (virtqueue_resize()): an interrupt for the queue,
 * in any of the modes, must not reach vring_interrupt() then (queue 0 on
 * the slow path, "pre": in msix-shared-slow mode it is served through the
 * configuration vector).  The
 * queue's used ring shows a completion throughout, so every interrupt that
 * does reach it runs the queue's callback.
 */
static void vpl_queue_reset_interrupts(struct kunit *test)
{
	static const struct {
		int msix_table;
		unsigned int pre;
		enum vpl_irq_mode mode;
	} cases[] = {
		{ 3, 1, VPL_IRQ_MSIX_PER_VQ },
		{ 2, 1, VPL_IRQ_MSIX_SHARED_SLOW },
		{ 2, 0, VPL_IRQ_MSIX_SHARED },
		{ 1, 1, VPL_IRQ_INTX },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *mode = vpl_irq_mode_name[cases[i].mode];
		struct vpl_model *m = vpl_model_new(test);
		struct vpl_device *vp = vpl_test_device(test, m);
		struct vpl_vq_info info[2] = {
			{ .name = "q0", .callback = vpl_counting_cb },
			{ .name = "q1", .callback = vpl_counting_cb },
		};
		struct irq_affinity desc = { .pre_vectors = cases[i].pre };
		struct irq_affinity *d = NULL;
		struct virtqueue *vqs[2];
		struct vring_used *used;

		if (cases[i].pre)
			d = &desc;
		vp->msix_table = cases[i].msix_table;
		vp->vdev.features = BIT_ULL(VIRTIO_F_VERSION_1) |
				    BIT_ULL(VIRTIO_F_RING_RESET);
		KUNIT_ASSERT_EQ(test, vpl_find_vqs(&vp->vdev, 2, vqs, info, d), 0);
		KUNIT_ASSERT_EQ_MSG(test, vp->irq_mode, cases[i].mode, "%s", mode);
		used = virtqueue_get_vring(vqs[0])->used;
		used->idx = cpu_to_virtio16(&vp->vdev, 1);

		vpl_test_callbacks = 0;
		vpl_test_raise(vp, 0);
		KUNIT_EXPECT_EQ_MSG(test, vpl_test_callbacks, 1,
				    "%s: a live queue's interrupt", mode);
		KUNIT_ASSERT_EQ(test, vpl_disable_vq_and_reset(vqs[0]), 0);
		vpl_test_raise(vp, 0);
		vpl_test_raise(vp, 0);
		KUNIT_EXPECT_EQ_MSG(test, vpl_test_callbacks, 1,
				    "%s: interrupts reached a queue being reset",
				    mode);
		KUNIT_ASSERT_EQ(test, vpl_enable_vq_after_reset(vqs[0]), 0);
		vpl_test_raise(vp, 0);
		KUNIT_EXPECT_EQ_MSG(test, vpl_test_callbacks, 2,
				    "%s: the queue's interrupt after enable", mode);
		vpl_del_vqs(&vp->vdev);
	}
}

/*
 * Random device behaviour (4 x 25,000 sequences, fixed seeds): every
 * sequence is a fresh bind of a device that
 * misbehaves in a few randomly chosen ways (the model's knobs, at random),
 * taken through reset, feature negotiation, find_vqs, a per-queue reset,
 * configuration reads, DRIVER_OK, reset and del_vqs.  Whatever the device
 * does, the core must see status 0 after every reset and DRIVER_OK only
 * once it was set, and a failed find_vqs must leave nothing behind.  The
 * KUnit kernel has KASAN and lockdep (.kunitconfig); scripts/kunit.sh fails
 * the run on any report of theirs.  The debug kernel (kmemleak, debug
 * objects, DMA-API checks besides) loads these suites as a module in its
 * hostile boot.  make test runs a short share of it (fuzz_seeds,
 * fuzz_sequences), make test-full all of it.
 */
/* Four cases of 25,000 sequences each, every one within KUnit's timeout. */
#define VPL_FUZZ_SEQUENCES	25000
static const u32 vpl_fuzz_seeds[] = { 0x76706c, 0x76706d, 0x76706e, 0x76706f };

static unsigned int fuzz_seeds = ARRAY_SIZE(vpl_fuzz_seeds);
module_param(fuzz_seeds, uint, 0444);
MODULE_PARM_DESC(fuzz_seeds,
		 "vpl_model_fuzz: how many of its 4 seeds to run");

static unsigned int fuzz_sequences = VPL_FUZZ_SEQUENCES;
module_param(fuzz_sequences, uint, 0444);
MODULE_PARM_DESC(fuzz_sequences,
		 "vpl_model_fuzz: sequences per seed, at most 25,000");

static void vpl_fuzz_desc(const u32 *seed, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "seed_%#x", *seed);
}

KUNIT_ARRAY_PARAM(vpl_fuzz, vpl_fuzz_seeds, vpl_fuzz_desc);

static bool vpl_fuzz_one_in(struct rnd_state *rs, u32 n)
{
	return prandom_u32_state(rs) % n == 0;
}

static void vpl_fuzz_device(struct vpl_device *vp, struct vpl_model *m,
			    struct rnd_state *rs)
{
	static const u16 sizes[] = { 0, 1, 3, 2, 16, 256, 32768, 65535 };
	unsigned int i;

	m->reset_stuck = vpl_fuzz_one_in(rs, 64);
	m->status_ff = vpl_fuzz_one_in(rs, 64);
	m->absent = m->status_ff && vpl_fuzz_one_in(rs, 2);
	m->status_or = vpl_fuzz_one_in(rs, 8) ? prandom_u32_state(rs) : 0;
	m->generation_unstable = vpl_fuzz_one_in(rs, 8);
	m->features_unstable = vpl_fuzz_one_in(rs, 8);
	m->device_features = BIT_ULL(VIRTIO_F_VERSION_1) |
			     BIT_ULL(VIRTIO_F_RING_RESET) |
			     BIT_ULL(VIRTIO_RING_F_EVENT_IDX);
	if (vpl_fuzz_one_in(rs, 8))
		m->device_features = (u64)prandom_u32_state(rs) << 32 |
				     prandom_u32_state(rs);
	m->num_queues = vpl_fuzz_one_in(rs, 8) ? prandom_u32_state(rs) % 6 : 3;
	for (i = 0; i < VPL_MODEL_QUEUES; i++) {
		m->q[i].size = vpl_fuzz_one_in(rs, 16) ?
			       sizes[prandom_u32_state(rs) % ARRAY_SIZE(sizes)] : 256;
		m->q[i].notify_off = vpl_fuzz_one_in(rs, 16) ?
				     prandom_u32_state(rs) % 24 : i;
		m->q[i].enable = vpl_fuzz_one_in(rs, 64);
		m->q[i].reset = 0;
	}
	m->queue_reset_stuck = vpl_fuzz_one_in(rs, 32);
	m->vector_skew = vpl_fuzz_one_in(rs, 32);
	m->vector_none = vpl_fuzz_one_in(rs, 32);
	m->vector_max = vpl_fuzz_one_in(rs, 16) ? prandom_u32_state(rs) % 4 : 0;
	vp->msix_table = vpl_fuzz_one_in(rs, 4) ? prandom_u32_state(rs) % 6 : 4;
	m->max_vectors = vpl_fuzz_one_in(rs, 8) ? prandom_u32_state(rs) % 6 : 64;
}

/* How far the sequences got, for the summary line. */
enum vpl_fuzz_end {
	VPL_FUZZ_FEATURES,	/* feature negotiation failed */
	VPL_FUZZ_FIND_VQS,	/* find_vqs failed */
	VPL_FUZZ_RUNNING,	/* the device ran */
	VPL_FUZZ_ENDS,
};

static enum vpl_fuzz_end vpl_fuzz_sequence(struct kunit *test,
					   struct vpl_device *vp,
					   struct rnd_state *rs)
{
	enum vpl_fuzz_end end = VPL_FUZZ_FEATURES;
	struct virtio_device *vdev = &vp->vdev;
	struct virtqueue *vqs[3];
	u8 status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
	u32 val;
	int err;

	vp->failed = false;		/* bound again */
	vpl_reset(vdev);
	KUNIT_EXPECT_EQ(test, vpl_get_status(vdev), 0);
	vpl_set_status(vdev, status);
	vdev->features = vpl_get_features(vdev);
	if (vpl_finalize_features(vdev))
		goto reset;
	status |= VIRTIO_CONFIG_S_FEATURES_OK;
	vpl_set_status(vdev, status);
	KUNIT_EXPECT_FALSE(test, vpl_get_status(vdev) & VIRTIO_CONFIG_S_DRIVER_OK);

	err = vpl_test_find_vqs(vp, 1 + prandom_u32_state(rs) % 3, vqs,
				vpl_fuzz_one_in(rs, 4));
	if (err) {
		KUNIT_EXPECT_EQ(test, vp->nvectors, 0);
		KUNIT_EXPECT_NULL(test, vp->vqs);
		end = VPL_FUZZ_FIND_VQS;
		goto reset;
	}
	end = VPL_FUZZ_RUNNING;
	vpl_set_status(vdev, status | VIRTIO_CONFIG_S_DRIVER_OK);
	KUNIT_EXPECT_TRUE(test, vpl_get_status(vdev) & VIRTIO_CONFIG_S_DRIVER_OK);
	if (!vpl_disable_vq_and_reset(vqs[0]))
		vpl_enable_vq_after_reset(vqs[0]);
	vpl_get(vdev, prandom_u32_state(rs) % 40, &val, sizeof(val));
	vpl_generation(vdev);
	vpl_generation(vdev);
	vpl_reset(vdev);
	vpl_del_vqs(vdev);
	KUNIT_EXPECT_EQ(test, vp->nvectors, 0);
reset:
	vpl_reset(vdev);
	KUNIT_EXPECT_EQ(test, vpl_get_status(vdev), 0);
	return end;
}

static void vpl_model_fuzz(struct kunit *test)
{
	struct vpl_model *m = vpl_model_new(test);
	struct vpl_device *vp = vpl_test_device(test, m);
	const u32 *seed = test->param_value;
	unsigned int i, ends[VPL_FUZZ_ENDS] = {};
	struct rnd_state rs;

	if ((unsigned int)(seed - vpl_fuzz_seeds) >= fuzz_seeds)
		kunit_skip(test, "fuzz_seeds=%u", fuzz_seeds);
	vpl_test_timeout_ms = 1;
	prandom_seed_state(&rs, *seed);
	for (i = 0; i < min_t(unsigned int, fuzz_sequences, VPL_FUZZ_SEQUENCES); i++) {
		vpl_fuzz_device(vp, m, &rs);
		ends[vpl_fuzz_sequence(test, vp, &rs)]++;
		cond_resched();
	}
	kunit_info(test,
		   "%u random device behaviour sequences (seed %#x): %u refused at feature negotiation, %u at find_vqs, %u ran\n",
		   i, *seed, ends[VPL_FUZZ_FEATURES],
		   ends[VPL_FUZZ_FIND_VQS], ends[VPL_FUZZ_RUNNING]);
}

/* The PCI driver and the virtio device ID it derives (§4.1.2.1). */
static void vpl_pci_ids(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, vpl_driver.name, "virtio-pci-layout");
	KUNIT_EXPECT_EQ(test, vpl_virtio_id(0x1041, 0), 1);
	KUNIT_EXPECT_EQ(test, vpl_virtio_id(0x107f, 0), 0x3f);
	KUNIT_EXPECT_EQ(test, vpl_virtio_id(0x1001, 2), 2);
	KUNIT_EXPECT_EQ(test, vpl_virtio_id(0x1080, 2), -ENODEV);
	KUNIT_EXPECT_EQ(test, vpl_virtio_id(0x1110, 0), -ENODEV);
}

static struct kunit_case vpl_transport_test_cases[] = {
	KUNIT_CASE(vpl_config_get_widths),
	KUNIT_CASE(vpl_config_bounds),
	KUNIT_CASE(vpl_reset_never_completes),
	KUNIT_CASE(vpl_reset_device_gone),
	KUNIT_CASE(vpl_status_lies),
	KUNIT_CASE(vpl_reset_timeout_bounds),
	KUNIT_CASE(vpl_isr_reserved_bits),
	KUNIT_CASE(vpl_generation_never_stable),
	KUNIT_CASE(vpl_features),
	KUNIT_CASE(vpl_features_unstable),
	KUNIT_CASE(vpl_find_vqs_per_vq),
	KUNIT_CASE_PARAM(vpl_vector_budget, vpl_budget_gen_params),
	KUNIT_CASE(vpl_bad_queues),
	KUNIT_CASE(vpl_notification_data),
	KUNIT_CASE(vpl_notification_data_room),
	KUNIT_CASE(vpl_vector_readback),
	KUNIT_CASE(vpl_no_vector_fallback),
	KUNIT_CASE(vpl_queue_reset),
	KUNIT_CASE(vpl_queue_reset_interrupts),
	KUNIT_CASE(vpl_pci_ids),
	KUNIT_CASE_PARAM(vpl_model_fuzz, vpl_fuzz_gen_params),
	{}
};

static struct kunit_suite vpl_transport_suite = {
	.name = "virtio_pci_layout_transport",
	.init = vpl_transport_init,
	.exit = vpl_transport_exit,
	.test_cases = vpl_transport_test_cases,
};

kunit_test_suites(&vpl_parse_suite, &vpl_transport_suite);

