/*
 * sva-testdev: a PCI Express test device with PASID, ATS and PRI
 *
 * A small device for testing IOMMU and platform code without a real
 * accelerator.  Placed on the root bus of a PCI Express machine (q35's
 * pcie.0) it is a root-complex integrated endpoint (PCIe capability type
 * 9) with extended configuration space; behind a root port it is a plain
 * endpoint.  It offers ATS, PASID and PRI capabilities, each of which can
 * be turned off.  It is never part of a default machine.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qapi/error.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "hw/pci/pci_pasid.h"
#include "system/memory.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "hw/misc/sva-testdev.h"
#include "trace.h"

static bool sva_testdev_is_rciep(SvaTestDevState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    return pcie_cap_get_type(pdev) == PCI_EXP_TYPE_RC_END;
}

static uint64_t sva_testdev_mmio_read(void *opaque, hwaddr addr,
                                      unsigned size)
{
    SvaTestDevState *s = opaque;
    uint64_t val = 0;

    switch (addr) {
    case SVA_TESTDEV_REG_ID:
        val = SVA_TESTDEV_ID;
        break;
    case SVA_TESTDEV_REG_CAPS:
        val = (s->ats ? SVA_TESTDEV_CAPS_ATS : 0) |
              (s->pasid ? SVA_TESTDEV_CAPS_PASID : 0) |
              (s->pri ? SVA_TESTDEV_CAPS_PRI : 0) |
              (sva_testdev_is_rciep(s) ? SVA_TESTDEV_CAPS_RCIEP : 0);
        break;
    case SVA_TESTDEV_REG_PASID:
        val = s->pasid_reg;
        break;
    case SVA_TESTDEV_REG_FLAGS:
        val = s->flags;
        break;
    case SVA_TESTDEV_REG_ADDR_LO:
        val = (uint32_t)s->addr;
        break;
    case SVA_TESTDEV_REG_ADDR_HI:
        val = s->addr >> 32;
        break;
    case SVA_TESTDEV_REG_LEN:
        val = s->len;
        break;
    case SVA_TESTDEV_REG_STATUS:
        val = s->status;
        break;
    case SVA_TESTDEV_REG_XLAT_LO:
        val = (uint32_t)s->xlat;
        break;
    case SVA_TESTDEV_REG_XLAT_HI:
        val = s->xlat >> 32;
        break;
    case SVA_TESTDEV_REG_XLAT_PERM:
        val = s->xlat_perm;
        break;
    case SVA_TESTDEV_REG_XLAT_MASK_LO:
        val = (uint32_t)s->xlat_mask;
        break;
    case SVA_TESTDEV_REG_XLAT_MASK_HI:
        val = s->xlat_mask >> 32;
        break;
    case SVA_TESTDEV_REG_PRGI:
        val = s->prgi;
        break;
    case SVA_TESTDEV_REG_PRI_RESP:
        val = s->pri_resp;
        break;
    case SVA_TESTDEV_REG_INV_COUNT:
        val = s->inv_count;
        break;
    case SVA_TESTDEV_REG_INV_ADDR_LO:
        val = (uint32_t)s->inv_addr;
        break;
    case SVA_TESTDEV_REG_INV_ADDR_HI:
        val = s->inv_addr >> 32;
        break;
    case SVA_TESTDEV_REG_INV_MASK_LO:
        val = (uint32_t)s->inv_mask;
        break;
    case SVA_TESTDEV_REG_INV_MASK_HI:
        val = s->inv_mask >> 32;
        break;
    case SVA_TESTDEV_REG_INV_PASID:
        val = s->inv_pasid;
        break;
    case SVA_TESTDEV_BUF ... SVA_TESTDEV_BUF + SVA_TESTDEV_BUF_SIZE - 4:
        val = ldl_le_p(&s->buf[addr - SVA_TESTDEV_BUF]);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "%s: read of unknown register 0x%" HWADDR_PRIx "\n",
                      TYPE_SVA_TESTDEV, addr);
        trace_sva_testdev_bad_access("read", addr);
        break;
    }
    trace_sva_testdev_mmio_read(addr, val);
    return val;
}

static uint32_t sva_testdev_req_pasid(SvaTestDevState *s)
{
    return (s->pasid_reg & SVA_TESTDEV_PASID_VALID) ?
           (s->pasid_reg & 0xfffff) : PCI_NO_PASID;
}

static void sva_testdev_pri_response(IOMMUPRINotifier *n,
                                     IOMMUPRIResponse *resp)
{
    SvaTestDevState *s = container_of(n, SvaTestDevState, pri_notifier);

    trace_sva_testdev_pri_response(s->pri_pasid, resp->prgi,
                                   resp->response_code);
    s->pri_resp = SVA_TESTDEV_PRI_RESP_VALID |
                  ((resp->response_code & 0xf) << 16) |
                  (resp->prgi & PCI_PRI_PRGI_MASK);
}

static void sva_testdev_devtlb_inval(IOMMUNotifier *n, IOMMUTLBEntry *e)
{
    SvaTestDevState *s = container_of(n, SvaTestDevState, iotlb_notifier);

    trace_sva_testdev_devtlb_inval(s->iotlb_pasid, e->iova, e->addr_mask);
    s->inv_count++;
    s->inv_addr = e->iova;
    s->inv_mask = e->addr_mask;
    s->inv_pasid = s->iotlb_pasid;
}

/* Follow page group responses of @pasid (the last PASID that asked) */
static void sva_testdev_track_pri(SvaTestDevState *s, uint32_t pasid)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    if (s->pri_tracking && s->pri_pasid == pasid) {
        return;
    }
    if (s->pri_tracking) {
        pci_pri_unregister_notifier(pdev, s->pri_pasid);
        s->pri_tracking = false;
    }
    s->pri_notifier.notify = sva_testdev_pri_response;
    if (!pci_pri_register_notifier(pdev, pasid, &s->pri_notifier)) {
        s->pri_pasid = pasid;
        s->pri_tracking = true;
    }
}

/* Follow device-TLB invalidations of @pasid (the last PASID translated) */
static void sva_testdev_track_iotlb(SvaTestDevState *s, uint32_t pasid)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    if (s->iotlb_tracking && s->iotlb_pasid == pasid) {
        return;
    }
    if (s->iotlb_tracking) {
        pci_iommu_unregister_iotlb_notifier(pdev, s->iotlb_pasid,
                                            &s->iotlb_notifier);
        s->iotlb_tracking = false;
    }
    if (!pci_iommu_init_iotlb_notifier(pdev, &s->iotlb_notifier,
                                       sva_testdev_devtlb_inval, s) &&
        !pci_iommu_register_iotlb_notifier(pdev, pasid,
                                           &s->iotlb_notifier)) {
        s->iotlb_pasid = pasid;
        s->iotlb_tracking = true;
    }
}

static void sva_testdev_pri(SvaTestDevState *s, uint32_t pasid, bool priv,
                            bool exec)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    int ret;

    if (!s->pri || !pcie_pri_enabled(pdev)) {
        trace_sva_testdev_cmd_error("pri disabled", s->addr, 0);
        s->status = SVA_TESTDEV_ST_REFUSED;
        return;
    }
    sva_testdev_track_pri(s, pasid);
    ret = pci_pri_request_page(pdev, pasid, priv, exec, s->addr,
                               s->flags & SVA_TESTDEV_FLAG_PR_LPIG,
                               s->prgi & PCI_PRI_PRGI_MASK,
                               s->flags & SVA_TESTDEV_FLAG_PR_READ,
                               s->flags & SVA_TESTDEV_FLAG_PR_WRITE);
    if (ret) {
        trace_sva_testdev_cmd_error("page request", s->addr, ret);
        s->status = SVA_TESTDEV_ST_REFUSED;
        return;
    }
    s->status = SVA_TESTDEV_ST_OK;
}

static void sva_testdev_ats(SvaTestDevState *s, uint32_t pasid, bool priv,
                            bool exec)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    IOMMUTLBEntry e = { 0 };
    uint32_t err = 0;
    ssize_t n;

    sva_testdev_track_iotlb(s, pasid);
    n = pci_ats_request_translation(pdev, pasid, priv, exec, s->addr, 1,
                                    s->flags & SVA_TESTDEV_FLAG_NO_WRITE,
                                    &e, 1, &err);
    if (n < 1) {
        trace_sva_testdev_cmd_error("ats", s->addr, (int)n);
        s->status = SVA_TESTDEV_ST_REFUSED;
        return;
    }
    s->xlat = e.translated_addr;
    s->xlat_mask = e.addr_mask;
    s->xlat_perm = e.perm;
    s->status = err ? SVA_TESTDEV_ST_NO_XLAT : SVA_TESTDEV_ST_OK;
}

static void sva_testdev_command(SvaTestDevState *s, uint32_t cmd)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    uint32_t pasid = sva_testdev_req_pasid(s);
    bool priv = s->flags & SVA_TESTDEV_FLAG_PRIV;
    bool exec = s->flags & SVA_TESTDEV_FLAG_EXEC;
    MemTxResult r;

    trace_sva_testdev_cmd(cmd, pasid, priv, exec, s->addr, s->len);
    if ((cmd == SVA_TESTDEV_CMD_READ || cmd == SVA_TESTDEV_CMD_WRITE) &&
        (s->len == 0 || s->len > SVA_TESTDEV_BUF_SIZE)) {
        trace_sva_testdev_cmd_error("length", s->addr, s->len);
        s->status = SVA_TESTDEV_ST_BAD_CMD;
        return;
    }
    if (!pci_pasid_request_allowed(pdev, pasid, priv, exec)) {
        s->status = SVA_TESTDEV_ST_REFUSED;
        return;
    }
    switch (cmd) {
    case SVA_TESTDEV_CMD_READ:
        r = pci_dma_rw_pasid(pdev, pasid, priv, exec, s->addr, s->buf, s->len,
                             DMA_DIRECTION_TO_DEVICE);
        break;
    case SVA_TESTDEV_CMD_WRITE:
        r = pci_dma_rw_pasid(pdev, pasid, priv, false, s->addr, s->buf,
                             s->len, DMA_DIRECTION_FROM_DEVICE);
        break;
    case SVA_TESTDEV_CMD_ATS:
        if (!s->ats || !pcie_ats_enabled(pdev)) {
            trace_sva_testdev_cmd_error("ats disabled", s->addr, 0);
            s->status = SVA_TESTDEV_ST_REFUSED;
            return;
        }
        sva_testdev_ats(s, pasid, priv, exec);
        return;
    case SVA_TESTDEV_CMD_PRI:
        sva_testdev_pri(s, pasid, priv, exec);
        return;
    default:
        trace_sva_testdev_cmd_error("unknown command", s->addr, cmd);
        s->status = SVA_TESTDEV_ST_BAD_CMD;
        return;
    }
    if (r != MEMTX_OK) {
        trace_sva_testdev_cmd_error("dma", s->addr, r);
    }
    s->status = r == MEMTX_OK ? SVA_TESTDEV_ST_OK : SVA_TESTDEV_ST_DMA_ERROR;
}

static void sva_testdev_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                                   unsigned size)
{
    SvaTestDevState *s = opaque;

    trace_sva_testdev_mmio_write(addr, val);
    switch (addr) {
    case SVA_TESTDEV_REG_PASID:
        s->pasid_reg = val & (SVA_TESTDEV_PASID_VALID | 0xfffff);
        return;
    case SVA_TESTDEV_REG_FLAGS:
        s->flags = val & (SVA_TESTDEV_FLAG_PRIV | SVA_TESTDEV_FLAG_EXEC |
                          SVA_TESTDEV_FLAG_NO_WRITE |
                          SVA_TESTDEV_FLAG_PR_READ |
                          SVA_TESTDEV_FLAG_PR_WRITE |
                          SVA_TESTDEV_FLAG_PR_LPIG);
        return;
    case SVA_TESTDEV_REG_PRGI:
        s->prgi = val & PCI_PRI_PRGI_MASK;
        return;
    case SVA_TESTDEV_REG_ADDR_LO:
        s->addr = deposit64(s->addr, 0, 32, val);
        return;
    case SVA_TESTDEV_REG_ADDR_HI:
        s->addr = deposit64(s->addr, 32, 32, val);
        return;
    case SVA_TESTDEV_REG_LEN:
        s->len = val;
        return;
    case SVA_TESTDEV_REG_CMD:
        sva_testdev_command(s, val);
        return;
    case SVA_TESTDEV_BUF ... SVA_TESTDEV_BUF + SVA_TESTDEV_BUF_SIZE - 4:
        stl_le_p(&s->buf[addr - SVA_TESTDEV_BUF], val);
        return;
    }
    qemu_log_mask(LOG_GUEST_ERROR,
                  "%s: write to read-only or unknown register 0x%"
                  HWADDR_PRIx "\n", TYPE_SVA_TESTDEV, addr);
    trace_sva_testdev_bad_access("write", addr);
}

static void sva_testdev_reset(DeviceState *dev)
{
    SvaTestDevState *s = SVA_TESTDEV(dev);

    s->pasid_reg = 0;
    s->flags = 0;
    s->addr = 0;
    s->len = 0;
    s->status = 0;
    s->xlat = 0;
    s->xlat_mask = 0;
    s->xlat_perm = 0;
    memset(s->buf, 0, sizeof(s->buf));
    s->prgi = 0;
    s->pri_resp = 0;
    s->inv_count = 0;
    s->inv_pasid = 0;
    s->inv_addr = 0;
    s->inv_mask = 0;
}

static const MemoryRegionOps sva_testdev_mmio_ops = {
    .read = sva_testdev_mmio_read,
    .write = sva_testdev_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
};

static void sva_testdev_realize(PCIDevice *pdev, Error **errp)
{
    SvaTestDevState *s = SVA_TESTDEV(pdev);
    uint16_t ext = PCI_CONFIG_SPACE_SIZE;

    if (!pci_bus_is_express(pci_get_bus(pdev))) {
        error_setg(errp, "%s needs a PCI Express bus (e.g. q35's pcie.0 or "
                   "a pcie-root-port)", TYPE_SVA_TESTDEV);
        return;
    }
    if (s->pasid_width < 1 || s->pasid_width > PCI_EXT_CAP_PASID_MAX_WIDTH) {
        error_setg(errp, "%s: pasid-width must be 1 to %d, not %u",
                   TYPE_SVA_TESTDEV, PCI_EXT_CAP_PASID_MAX_WIDTH,
                   s->pasid_width);
        return;
    }
    if (s->pri && !s->ats) {
        error_setg(errp, "%s: pri=on needs ats=on (page requests come from "
                   "translation requests)", TYPE_SVA_TESTDEV);
        return;
    }

    pci_config_set_interrupt_pin(pdev->config, 1);

    /* On a root bus this makes a root-complex integrated endpoint. */
    if (pcie_endpoint_cap_init(pdev, SVA_TESTDEV_EXP_OFFSET) < 0) {
        error_setg(errp, "%s: could not add the PCI Express capability",
                   TYPE_SVA_TESTDEV);
        return;
    }
    /* Extended capabilities, packed from 0x100 in this order. */
    if (s->ats) {
        pcie_ats_init(pdev, ext, true);
        ext += PCI_EXT_CAP_ATS_SIZEOF;
    }
    if (s->pasid) {
        pcie_pasid_init(pdev, ext, s->pasid_width, true, true);
        ext += PCI_EXT_CAP_PASID_SIZEOF;
    }
    if (s->pri) {
        pcie_pri_init(pdev, ext, 32, true);
    }

    s->pri_tracking = false;
    s->iotlb_tracking = false;
    memory_region_init_io(&s->mmio, OBJECT(s), &sva_testdev_mmio_ops, s,
                          "sva-testdev-mmio", SVA_TESTDEV_BAR0_SIZE);
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->mmio);
}

static void sva_testdev_exit(PCIDevice *pdev)
{
    SvaTestDevState *s = SVA_TESTDEV(pdev);

    if (s->pri_tracking) {
        pci_pri_unregister_notifier(pdev, s->pri_pasid);
    }
    if (s->iotlb_tracking) {
        pci_iommu_unregister_iotlb_notifier(pdev, s->iotlb_pasid,
                                            &s->iotlb_notifier);
    }
    pcie_cap_exit(pdev);
}

static const VMStateDescription vmstate_sva_testdev = {
    .name = TYPE_SVA_TESTDEV,
    .version_id = 2,
    .minimum_version_id = 2,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, SvaTestDevState),
        VMSTATE_UINT32(pasid_reg, SvaTestDevState),
        VMSTATE_UINT32(flags, SvaTestDevState),
        VMSTATE_UINT64(addr, SvaTestDevState),
        VMSTATE_UINT32(len, SvaTestDevState),
        VMSTATE_UINT32(status, SvaTestDevState),
        VMSTATE_UINT64(xlat, SvaTestDevState),
        VMSTATE_UINT64(xlat_mask, SvaTestDevState),
        VMSTATE_UINT32(xlat_perm, SvaTestDevState),
        VMSTATE_UINT8_ARRAY(buf, SvaTestDevState, SVA_TESTDEV_BUF_SIZE),
        VMSTATE_UINT32(prgi, SvaTestDevState),
        VMSTATE_UINT32(pri_resp, SvaTestDevState),
        VMSTATE_UINT32(inv_count, SvaTestDevState),
        VMSTATE_UINT32(inv_pasid, SvaTestDevState),
        VMSTATE_UINT64(inv_addr, SvaTestDevState),
        VMSTATE_UINT64(inv_mask, SvaTestDevState),
        VMSTATE_END_OF_LIST()
    }
};

static const Property sva_testdev_properties[] = {
    DEFINE_PROP_BOOL("ats", SvaTestDevState, ats, true),
    DEFINE_PROP_BOOL("pasid", SvaTestDevState, pasid, true),
    DEFINE_PROP_BOOL("pri", SvaTestDevState, pri, true),
    DEFINE_PROP_UINT8("pasid-width", SvaTestDevState, pasid_width,
                      PCI_EXT_CAP_PASID_MAX_WIDTH),
};

static void sva_testdev_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = sva_testdev_realize;
    k->exit = sva_testdev_exit;
    k->vendor_id = SVA_TESTDEV_VENDOR_ID;
    k->device_id = SVA_TESTDEV_DEVICE_ID;
    k->revision = 1;
    k->class_id = PCI_CLASS_OTHERS;
    dc->desc = "PCIe test device with PASID, ATS and PRI (qemu-sva)";
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    dc->vmsd = &vmstate_sva_testdev;
    device_class_set_legacy_reset(dc, sva_testdev_reset);
    device_class_set_props(dc, sva_testdev_properties);
}

static const TypeInfo sva_testdev_info = {
    .name = TYPE_SVA_TESTDEV,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(SvaTestDevState),
    .class_init = sva_testdev_class_init,
    .interfaces = (const InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { }
    },
};

static void sva_testdev_register_types(void)
{
    type_register_static(&sva_testdev_info);
}

type_init(sva_testdev_register_types)
