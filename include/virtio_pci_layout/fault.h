/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-pci-layout register fault injection: the interface.
 *
 * A test build of the module (out of tree: make VPL_FAULT=y; in a kernel
 * tree: CONFIG_VIRTIO_PCI_LAYOUT_FAULT_INJECT) lets a test make a real
 * device lie through its BARs: every common configuration, device
 * configuration and ISR access of the transport passes through these hooks,
 * which answer from rules written to <debugfs>/virtio-pci-layout/faults
 * (drivers/virtio/virtio_pci_layout_fault.c).  In the production module
 * they are empty inlines and compile away.
 */
#ifndef _VIRTIO_PCI_LAYOUT_FAULT_H
#define _VIRTIO_PCI_LAYOUT_FAULT_H

#include <linux/pci.h>
#include <linux/types.h>

/** enum vpl_fault_space - which structure an access goes to */
enum vpl_fault_space {
	VPL_FAULT_COMMON,
	VPL_FAULT_DEVICE,
	VPL_FAULT_ISR,
	VPL_FAULT_IRQ,	/* not a structure: request_irq() */
};

#ifdef VPL_FAULT_INJECT
u32 vpl_fault_read(struct pci_dev *pdev, enum vpl_fault_space space,
		   unsigned int off, unsigned int size, u32 val);
bool vpl_fault_write(struct pci_dev *pdev, enum vpl_fault_space space,
		     unsigned int off, unsigned int size, u32 val);
bool vpl_fault_gone(struct pci_dev *pdev);
int vpl_fault_request_irq(struct pci_dev *pdev, unsigned int vector);
size_t vpl_fault_notify_map_max(size_t max);
void vpl_fault_init(struct dentry *root);
void vpl_fault_exit(void);
#else
/* The value the device returned, unchanged. */
static inline u32 vpl_fault_read(struct pci_dev *pdev,
				 enum vpl_fault_space space, unsigned int off,
				 unsigned int size, u32 val)
{
	return val;
}

/* True: the write goes to the device. */
static inline bool vpl_fault_write(struct pci_dev *pdev,
				   enum vpl_fault_space space,
				   unsigned int off, unsigned int size, u32 val)
{
	return true;
}

static inline bool vpl_fault_gone(struct pci_dev *pdev)
{
	return false;
}

/* 0: request_irq() is called. */
static inline int vpl_fault_request_irq(struct pci_dev *pdev,
					unsigned int vector)
{
	return 0;
}

static inline size_t vpl_fault_notify_map_max(size_t max)
{
	return max;
}

static inline void vpl_fault_init(struct dentry *root)
{
}

static inline void vpl_fault_exit(void)
{
}
#endif

#endif /* _VIRTIO_PCI_LAYOUT_FAULT_H */
