// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qsva_kva: move kmalloc'd and vmalloc'd buffers through an idxd kernel
 * work queue using their kernel virtual addresses as DMA addresses.
 *
 * In Linux 5.11-6.3 idxd binds its kernel work queues to a supervisor
 * PASID whose first-stage table is the kernel's own (init_mm): the device
 * then reaches memory by kernel virtual address, with privileged requests.
 * This module checks that mode end to end on qemu-sva: it writes MEMMOVE
 * descriptors whose source, destination and completion record are kernel
 * virtual addresses straight to the WQ portal of every DSA dmaengine
 * channel (every enabled kernel WQ; MOVDIR64B for a dedicated WQ, ENQCMDS
 * with the system PASID and the privileged bit for a shared one), polls
 * the completion record and compares the data.  The channels are
 * only borrowed: their dmaengine descriptors are not used.
 *
 * Results are printed as "qsva_kva: ..." lines; loading fails when a copy
 * did not complete or the data differ.
 *
 * Copyright (c) 2026 The qemu-sva developers
 */

#include <linux/module.h>
#include <linux/dmaengine.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <asm/special_insns.h>
#include <uapi/linux/idxd.h>
#include "idxd.h"

static bool is_dsa(struct dma_chan *chan, void *unused)
{
	struct device *dev = chan->device->dev;
	struct pci_dev *pdev;

	if (!dev_is_pci(dev))
		return false;
	pdev = to_pci_dev(dev);
	return pdev->vendor == PCI_VENDOR_ID_INTEL && pdev->device == 0x0b25;
}

/* Copy @len bytes from @src to @dst (kernel virtual addresses) */
static int kva_copy(struct idxd_wq *wq, void *src, void *dst, u32 len,
		    const char *what)
{
	struct idxd_device *idxd = wq->idxd;
	struct dsa_completion_record *comp;
	struct dsa_hw_desc *desc;
	unsigned long end;
	int ret = 0, tries = 0;
	u32 i;

	desc = kzalloc(sizeof(*desc), GFP_KERNEL);
	comp = kzalloc(sizeof(*comp), GFP_KERNEL);	/* 32-byte aligned */
	if (!desc || !comp) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < len; i++)
		((u8 *)src)[i] = (u8)(i * 7 + len);
	memset(dst, 0, len);

	desc->opcode = DSA_OPCODE_MEMMOVE;
	desc->flags = IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR | IDXD_OP_FLAG_CC;
	desc->src_addr = (u64)(uintptr_t)src;
	desc->dst_addr = (u64)(uintptr_t)dst;
	desc->xfer_size = len;
	desc->completion_addr = (u64)(uintptr_t)comp;
	desc->priv = 1;
	desc->pasid = idxd->pasid;
	wmb();

	if (wq_dedicated(wq)) {
		iosubmit_cmds512(idxd_wq_portal_addr(wq), desc, 1);
	} else {
		while (enqcmds(idxd_wq_portal_addr(wq), desc)) {
			if (++tries > 100000) {
				pr_err("qsva_kva: %s: the shared WQ never accepted the descriptor\n", what);
				ret = -EBUSY;
				goto out;
			}
			cpu_relax();
		}
	}

	end = jiffies + 5 * HZ;
	while (!READ_ONCE(comp->status) && time_before(jiffies, end))
		usleep_range(20, 100);
	if (comp->status != DSA_COMP_SUCCESS) {
		pr_err("qsva_kva: %s: %u bytes: completion status 0x%x (bytes completed %u, fault address 0x%llx)\n",
		       what, len, comp->status, comp->bytes_completed,
		       (unsigned long long)comp->fault_addr);
		ret = -EIO;
		goto out;
	}
	if (memcmp(src, dst, len)) {
		pr_err("qsva_kva: %s: %u bytes: destination differs from source\n",
		       what, len);
		ret = -EIO;
		goto out;
	}
	pr_info("qsva_kva: %s: %u bytes copied and verified (src %px dst %px)\n",
		what, len, src, dst);
out:
	kfree(desc);
	kfree(comp);
	return ret;
}

/* Every copy through the WQ behind @chan; returns how many were verified */
static int kva_test_wq(struct dma_chan *chan, int *n)
{
	static const u32 sizes[] = { 64, 4096, 65536, 1 << 20 };
	struct idxd_wq *wq = container_of(chan, struct idxd_dma_chan, chan)->wq;
	void *src, *dst;
	unsigned int i;
	int ok = 0;

	pr_info("qsva_kva: %s: %s %s WQ, system PASID %u, kernel PASID %s\n",
		dma_chan_name(chan), dev_name(&wq->idxd->pdev->dev),
		wq_dedicated(wq) ? "dedicated" : "shared", wq->idxd->pasid,
		device_pasid_enabled(wq->idxd) ? "enabled" : "disabled");
	if (!device_pasid_enabled(wq->idxd)) {
		pr_err("qsva_kva: idxd has no kernel PASID: not the KVA mode\n");
		(*n)++;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		src = kmalloc(sizes[i], GFP_KERNEL);
		dst = kmalloc(sizes[i], GFP_KERNEL);
		(*n)++;
		if (src && dst && !kva_copy(wq, src, dst, sizes[i], "kmalloc"))
			ok++;
		kfree(src);
		kfree(dst);
	}
	/* vmalloc'd: virtually contiguous only, so only the KVA can name it */
	src = vmalloc(256 << 10);
	dst = vmalloc(256 << 10);
	(*n)++;
	if (src && dst && !kva_copy(wq, src, dst, 256 << 10, "vmalloc"))
		ok++;
	vfree(src);
	vfree(dst);
	return ok;
}

static int __init qsva_kva_init(void)
{
	struct dma_chan *chans[16];
	dma_cap_mask_t mask;
	int ok = 0, n = 0, nchan = 0, i;

	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	while (nchan < ARRAY_SIZE(chans)) {
		chans[nchan] = dma_request_channel(mask, is_dsa, NULL);
		if (!chans[nchan])
			break;
		nchan++;
	}
	if (!nchan) {
		pr_err("qsva_kva: no Intel DSA dmaengine channel\n");
		return -ENODEV;
	}
	for (i = 0; i < nchan; i++)
		ok += kva_test_wq(chans[i], &n);
	for (i = 0; i < nchan; i++)
		dma_release_channel(chans[i]);

	pr_info("qsva_kva: summary %d of %d KVA copies verified on %d WQs\n",
		ok, n, nchan);
	return ok == n ? 0 : -EIO;
}

static void __exit qsva_kva_exit(void)
{
}

module_init(qsva_kva_init);
module_exit(qsva_kva_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("qemu-sva: DMA by kernel virtual address through an idxd kernel WQ");
