/*
 * PCI DMA tagged with a PASID TLP prefix
 *
 * An emulated PCI Express function that has a PASID capability issues
 * requests-with-PASID through these helpers.  The PASID, the privileged
 * mode bit and the execute bit travel in the request's MemTxAttrs
 * (pasid, pid, priv, exec) through the function's bus master address
 * space, so an IOMMU that looks at them (intel_iommu does, through its
 * attrs_to_index hook) translates the request in the address space of
 * that PASID.  Without an IOMMU the prefix is ignored by the host bridge,
 * as on real platforms.
 *
 * Before a request leaves the function the helpers apply the PCIe rules
 * the function itself is bound by (PCIe 6.0, 6.20 and 7.8.8): the PASID
 * capability must be enabled, the PASID must fit the width the
 * capability advertises, and the privileged and execute bits may be set
 * only when Privileged Mode Enable and Execute Permission Enable are.  A
 * request that breaks them is not issued and fails with MEMTX_ERROR.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_PCI_PCI_PASID_H
#define HW_PCI_PCI_PASID_H

#include "hw/pci/pci_device.h"
#include "hw/pci/pci_bus.h"

/**
 * pci_pasid_request_allowed: may @dev issue this request-with-PASID?
 *
 * @dev: the requesting function
 * @pasid: the PASID; PCI_NO_PASID for a request without prefix
 * @priv: privileged mode requested
 * @exec: execute requested
 *
 * Returns true for a request without PASID (then @priv and @exec must be
 * false), or when the function's PASID capability allows all of it.
 */
bool pci_pasid_request_allowed(PCIDevice *dev, uint32_t pasid,
                               bool priv, bool exec);

/**
 * pci_pasid_attrs: the transaction attributes of a request from @dev.
 *
 * @pasid: PCI_NO_PASID gives a request without PASID prefix.
 */
MemTxAttrs pci_pasid_attrs(PCIDevice *dev, uint32_t pasid,
                           bool priv, bool exec);

/**
 * pci_dma_rw_pasid: DMA read or write with a PASID prefix.
 *
 * Returns MEMTX_OK, the error of the access (an IOMMU fault gives
 * MEMTX_ERROR or MEMTX_DECODE_ERROR), or MEMTX_ERROR without any access
 * when pci_pasid_request_allowed() refuses the request.  @exec applies to
 * reads only.
 */
MemTxResult pci_dma_rw_pasid(PCIDevice *dev, uint32_t pasid, bool priv,
                             bool exec, dma_addr_t addr, void *buf,
                             dma_addr_t len, DMADirection dir);

static inline MemTxResult pci_dma_read_pasid(PCIDevice *dev, uint32_t pasid,
                                             bool priv, dma_addr_t addr,
                                             void *buf, dma_addr_t len)
{
    return pci_dma_rw_pasid(dev, pasid, priv, false, addr, buf, len,
                            DMA_DIRECTION_TO_DEVICE);
}

static inline MemTxResult pci_dma_write_pasid(PCIDevice *dev, uint32_t pasid,
                                              bool priv, dma_addr_t addr,
                                              const void *buf, dma_addr_t len)
{
    return pci_dma_rw_pasid(dev, pasid, priv, false, addr, (void *)buf, len,
                            DMA_DIRECTION_FROM_DEVICE);
}

/**
 * pci_dma_map_pasid: map a range of the PASID's address space.
 *
 * Like pci_dma_map(); returns NULL with *@plen = 0 when the request is
 * refused or the first byte does not translate.  Unmap with
 * pci_dma_unmap().
 */
void *pci_dma_map_pasid(PCIDevice *dev, uint32_t pasid, bool priv,
                        dma_addr_t addr, dma_addr_t *plen, DMADirection dir);

#endif /* HW_PCI_PCI_PASID_H */
