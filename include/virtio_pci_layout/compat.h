/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences between the kernels virtio-pci-layout supports.
 *
 * Every difference lives here and nowhere else.  Where the preprocessor can
 * see the feature (a macro), it is tested directly; where it cannot (a struct
 * or a prototype), Kbuild probes the kernel headers and passes a
 * VPL_HAVE_* define.  Each block names the kernel that changed the API.
 * The supported range (6.1 and later) is enforced by Kbuild.
 */
#ifndef _VIRTIO_PCI_LAYOUT_COMPAT_H
#define _VIRTIO_PCI_LAYOUT_COMPAT_H

#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/virtio_config.h>

/* 6.8 renamed PCI_IRQ_LEGACY to PCI_IRQ_INTX; 6.12 dropped the old name. */
#ifndef PCI_IRQ_INTX
#define PCI_IRQ_INTX PCI_IRQ_LEGACY
#endif

/*
 * 6.11 replaced find_vqs()' parallel callbacks/names/ctx arrays with one
 * array of struct virtqueue_info.  The transport is written against the new
 * form; on older kernels its find_vqs adapter (in the transport, which owns
 * the callback) packs the arrays into it.
 */
#ifdef VPL_HAVE_VIRTQUEUE_INFO
#define vpl_vq_info virtqueue_info
#else
struct vpl_vq_info {
	const char *name;
	vq_callback_t *callback;
	bool ctx;
};
#endif

/*
 * VIRTIO_F_NOTIFICATION_DATA appeared in 6.2, VIRTIO_F_NOTIF_CONFIG_DATA
 * after 6.1: older kernels only need the bit numbers.  The ring computes
 * the notification data (vring_notification_data()) from 6.4; before, the
 * transport does not negotiate VIRTIO_F_NOTIFICATION_DATA.
 */
#ifndef VIRTIO_F_NOTIFICATION_DATA
#define VIRTIO_F_NOTIFICATION_DATA 38
#endif
#ifndef VIRTIO_F_NOTIF_CONFIG_DATA
#define VIRTIO_F_NOTIF_CONFIG_DATA 39
#endif
#ifdef VPL_HAVE_NOTIFICATION_DATA
#define VPL_RING_NOTIFICATION_DATA	true
#else
#define VPL_RING_NOTIFICATION_DATA	false
/* Never called: without it the feature is not negotiated. */
static inline u32 vring_notification_data(struct virtqueue *vq)
{
	return vq->index;
}
#endif

/*
 * 6.17 widened the core's features past bit 63: vdev->features_array of
 * u64 words, read through get_extended_features.  Before, the 64 bits of
 * vdev->features are all there is.
 */
#ifdef VPL_HAVE_EXTENDED_FEATURES
/* Its name changed during 6.18's cycle: counted from the array itself. */
#define VPL_FEATURE_U64S \
	(sizeof_field(struct virtio_device, features_array) / sizeof(u64))
#define vpl_features_of(vdev)	((vdev)->features_array)
#else
#define VPL_FEATURE_U64S	1
#define vpl_features_of(vdev)	(&(vdev)->features)
#endif

/*
 * 6.3 added KUnit's static stubs (kunit/static_stub.h), through which the
 * KUnit suites redirect the transport's register and IRQ seams.  Without
 * them there is nothing to redirect to.
 */
#ifdef VPL_HAVE_STATIC_STUB
#include <kunit/static_stub.h>
#else
#define KUNIT_STATIC_STUB_REDIRECT(...) do { } while (0)
#endif

#endif /* _VIRTIO_PCI_LAYOUT_COMPAT_H */
