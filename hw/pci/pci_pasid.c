/*
 * PCI DMA tagged with a PASID TLP prefix
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/pci/pci_pasid.h"
#include "hw/pci/pcie.h"
#include "hw/pci/pci.h"
#include "trace.h"

bool pci_pasid_request_allowed(PCIDevice *dev, uint32_t pasid,
                               bool priv, bool exec)
{
    uint16_t cap, ctrl;
    unsigned width;

    if (pasid == PCI_NO_PASID) {
        if (priv || exec) {
            trace_pci_pasid_refused(dev->name, pasid, priv, exec,
                                    "privileged or execute without PASID");
            return false;
        }
        return true;
    }
    if (!pci_is_express(dev) || !dev->exp.pasid_cap) {
        trace_pci_pasid_refused(dev->name, pasid, priv, exec,
                                "no PASID capability");
        return false;
    }
    cap = pci_get_word(dev->config + dev->exp.pasid_cap + PCI_PASID_CAP);
    ctrl = pci_get_word(dev->config + dev->exp.pasid_cap + PCI_PASID_CTRL);
    width = (cap & PCI_PASID_CAP_WIDTH) >> 8;
    if (!(ctrl & PCI_PASID_CTRL_ENABLE)) {
        trace_pci_pasid_refused(dev->name, pasid, priv, exec,
                                "PASID Enable clear");
        return false;
    }
    if (pasid >> width) {
        trace_pci_pasid_refused(dev->name, pasid, priv, exec,
                                "PASID wider than the capability");
        return false;
    }
    if (priv && !(ctrl & PCI_PASID_CTRL_PRIV)) {
        trace_pci_pasid_refused(dev->name, pasid, priv, exec,
                                "Privileged Mode Enable clear");
        return false;
    }
    if (exec && !(ctrl & PCI_PASID_CTRL_EXEC)) {
        trace_pci_pasid_refused(dev->name, pasid, priv, exec,
                                "Execute Permission Enable clear");
        return false;
    }
    return true;
}

MemTxAttrs pci_pasid_attrs(PCIDevice *dev, uint32_t pasid,
                           bool priv, bool exec)
{
    MemTxAttrs attrs = { .requester_id = pci_requester_id(dev) };

    if (pasid != PCI_NO_PASID) {
        attrs.pasid = 1;
        attrs.pid = pasid;
        attrs.priv = priv;
        attrs.exec = exec;
    }
    return attrs;
}

MemTxResult pci_dma_rw_pasid(PCIDevice *dev, uint32_t pasid, bool priv,
                             bool exec, dma_addr_t addr, void *buf,
                             dma_addr_t len, DMADirection dir)
{
    if (dir == DMA_DIRECTION_FROM_DEVICE) {
        exec = false;
    }
    if (!pci_pasid_request_allowed(dev, pasid, priv, exec)) {
        return MEMTX_ERROR;
    }
    trace_pci_dma_pasid(dev->name, pasid, priv, exec, addr, len,
                        dir == DMA_DIRECTION_FROM_DEVICE);
    return pci_dma_rw(dev, addr, buf, len, dir,
                      pci_pasid_attrs(dev, pasid, priv, exec));
}

void *pci_dma_map_pasid(PCIDevice *dev, uint32_t pasid, bool priv,
                        dma_addr_t addr, dma_addr_t *plen, DMADirection dir)
{
    if (!pci_pasid_request_allowed(dev, pasid, priv, false)) {
        *plen = 0;
        return NULL;
    }
    return dma_memory_map(pci_get_address_space(dev), addr, plen, dir,
                          pci_pasid_attrs(dev, pasid, priv, false));
}
