/*
 * Intel Data Streaming Accelerator (DSA 1.0) emulation: the PCI function
 *
 * On q35's root bus the device is a root-complex integrated endpoint, as
 * DSA is on Sapphire Rapids, with PASID (20 bits, privileged mode), ATS
 * and PRI.  BAR0 holds the registers and the MSI-X table, BAR2 the WQ
 * portals.  See docs/system/devices/intel-dsa.rst.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qemu/main-loop.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "qemu/error-report.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "hw/dma/intel-dsa.h"
#include "trace.h"

static uint64_t dsa_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    IntelDSAState *s = opaque;

    if (dsa_wq_in_engine(s)) {
        trace_intel_dsa_reentrant("read", addr);
        return 0;
    }
    return dsa_regs_read(s, addr, size);
}

static void dsa_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    IntelDSAState *s = opaque;

    if (dsa_wq_in_engine(s)) {
        trace_intel_dsa_reentrant("write", addr);
        return;
    }
    dsa_regs_write(s, addr, val, size);
}

static const MemoryRegionOps dsa_mmio_ops = {
    .read = dsa_mmio_read,
    .write = dsa_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
};

static bool dsa_check_props(IntelDSAState *s, Error **errp)
{
    if (s->num_wqs < 1 || s->num_wqs > DSA_MAX_WQS) {
        error_setg(errp, "%s: num-wqs must be 1 to %d, not %u",
                   TYPE_INTEL_DSA, DSA_MAX_WQS, s->num_wqs);
        return false;
    }
    if (s->num_engines < 1 || s->num_engines > DSA_MAX_ENGINES) {
        error_setg(errp, "%s: num-engines must be 1 to %d, not %u",
                   TYPE_INTEL_DSA, DSA_MAX_ENGINES, s->num_engines);
        return false;
    }
    if (s->num_groups < 1 || s->num_groups > DSA_MAX_GROUPS) {
        error_setg(errp, "%s: num-groups must be 1 to %d, not %u",
                   TYPE_INTEL_DSA, DSA_MAX_GROUPS, s->num_groups);
        return false;
    }
    if (s->total_wq_size < s->num_wqs || s->total_wq_size > 0xffff) {
        error_setg(errp, "%s: wq-size must be num-wqs (%u) to 65535, not %u",
                   TYPE_INTEL_DSA, s->num_wqs, s->total_wq_size);
        return false;
    }
    if (s->rdbufs > DSA_MAX_RDBUFS) {
        error_setg(errp, "%s: read-buffers must be 0 to %d, not %u",
                   TYPE_INTEL_DSA, DSA_MAX_RDBUFS, s->rdbufs);
        return false;
    }
    return true;
}

/* Configuration tables after the fixed registers, 256-byte aligned. */
static void dsa_layout_tables(IntelDSAState *s)
{
    uint32_t off = DSA_TABLE_START;

    s->msix_perm_offset = off;
    off += ROUND_UP(s->num_vectors * DSA_MSIXPERM_SIZE, DSA_TABLE_UNIT);
    s->grpcfg_offset = off;
    off += ROUND_UP(s->num_groups * DSA_GRPCFG_SIZE, DSA_TABLE_UNIT);
    s->wqcfg_offset = off;
    off += ROUND_UP(s->num_wqs * DSA_WQCFG_SIZE, DSA_TABLE_UNIT);
    assert(off <= DSA_MSIX_TABLE_OFFSET);
}

/*
 * VM stop pauses the engines before RAM's final pass (see
 * dsa_wq_pause()); start resumes them.
 */
static void dsa_vm_state_change(void *opaque, bool running, RunState state)
{
    IntelDSAState *s = opaque;

    if (running) {
        dsa_wq_resume(s);
    } else {
        dsa_wq_pause(s);
    }
}

static void dsa_realize(PCIDevice *pdev, Error **errp)
{
    IntelDSAState *s = INTEL_DSA(pdev);
    DeviceState *dev = DEVICE(pdev);
    uint64_t portal_bar;
    unsigned i;

    if (!pci_bus_is_express(pci_get_bus(pdev))) {
        error_setg(errp, "%s needs a PCI Express bus (e.g. q35's pcie.0)",
                   TYPE_INTEL_DSA);
        return;
    }
    if (!dsa_check_props(s, errp)) {
        return;
    }
    s->num_vectors = s->num_wqs + 1;
    dsa_layout_tables(s);
    dsa_engine_opcap(s->opcap);

    pci_config_set_interrupt_pin(pdev->config, 1);
    if (pcie_endpoint_cap_init(pdev, DSA_CFG_EXP_OFFSET) < 0) {
        error_setg(errp, "%s: could not add the PCI Express capability",
                   TYPE_INTEL_DSA);
        return;
    }
    pcie_cap_flr_init(pdev);
    pcie_ats_init(pdev, DSA_CFG_ATS_OFFSET, true);
    pcie_pasid_init(pdev, DSA_CFG_PASID_OFFSET, DSA_PASID_WIDTH, false, true);
    pcie_pri_init(pdev, DSA_CFG_PRI_OFFSET, DSA_PRI_OUTSTANDING, true);

    memory_region_init(&s->regs, OBJECT(s), "intel-dsa-bar0", DSA_BAR0_SIZE);
    memory_region_init_io(&s->regs_io, OBJECT(s), &dsa_mmio_ops, s,
                          "intel-dsa-regs", DSA_MSIX_TABLE_OFFSET);
    memory_region_add_subregion(&s->regs, 0, &s->regs_io);
    if (msix_init(pdev, s->num_vectors, &s->regs, DSA_BAR_REGS,
                  DSA_MSIX_TABLE_OFFSET, &s->regs, DSA_BAR_REGS,
                  DSA_MSIX_PBA_OFFSET, DSA_CFG_MSIX_OFFSET, errp) < 0) {
        pcie_cap_exit(pdev);
        return;
    }
    for (i = 0; i < s->num_vectors; i++) {
        msix_vector_use(pdev, i);
    }
    pci_register_bar(pdev, DSA_BAR_REGS, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->regs);

    portal_bar = pow2ceil((uint64_t)s->num_wqs * DSA_WQ_PORTAL_SIZE);
    memory_region_init(&s->portals, OBJECT(s), "intel-dsa-portals",
                       portal_bar);
    s->wq_portals = g_new0(MemoryRegion, s->num_wqs);
    dsa_wq_init(s);
    for (i = 0; i < s->num_wqs; i++) {
        g_autofree char *name = g_strdup_printf("intel-dsa-wq%u", i);

        memory_region_init_io(&s->wq_portals[i], OBJECT(s), &dsa_portal_ops,
                              &s->wqs[i], name, DSA_WQ_PORTAL_SIZE);
        /* Submission takes the device's own lock, not the BQL. */
        memory_region_enable_lockless_io(&s->wq_portals[i]);
        memory_region_add_subregion(&s->portals, i * DSA_WQ_PORTAL_SIZE,
                                    &s->wq_portals[i]);
    }
    pci_register_bar(pdev, DSA_BAR_PORTALS, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->portals);

    s->irq_bh = qemu_bh_new_guarded(dsa_wq_irq_bh, s,
                                    &dev->mem_reentrancy_guard);
    s->cmd_bh = qemu_bh_new_guarded(dsa_cmd_complete_bh, s,
                                    &dev->mem_reentrancy_guard);
    s->bql_bh = qemu_bh_new_guarded(dsa_wq_bql_bh, s,
                                    &dev->mem_reentrancy_guard);
    dsa_pri_init(s);
    dsa_atc_init(s);
    dsa_regs_reset(s);
    s->paused = !runstate_is_running();
    dsa_wq_start_engines(s);
    s->vmstate_entry = qdev_add_vm_change_state_handler(dev,
                                                        dsa_vm_state_change,
                                                        NULL, s);
}

static void dsa_exit(PCIDevice *pdev)
{
    IntelDSAState *s = INTEL_DSA(pdev);
    unsigned i;

    qemu_del_vm_change_state_handler(s->vmstate_entry);
    s->vmstate_entry = NULL;
    dsa_wq_stop_engines(s);
    dsa_atc_exit(s);
    dsa_pri_exit(s);
    qemu_bh_delete(s->irq_bh);
    qemu_bh_delete(s->cmd_bh);
    qemu_bh_delete(s->bql_bh);
    for (i = 0; i < s->num_wqs; i++) {
        memory_region_del_subregion(&s->portals, &s->wq_portals[i]);
        object_unparent(OBJECT(&s->wq_portals[i]));
    }
    g_free(s->wq_portals);
    s->wq_portals = NULL;
    msix_uninit(pdev, &s->regs, &s->regs);
    pcie_cap_exit(pdev);
}

static void dsa_reset_hold(Object *obj, ResetType type)
{
    IntelDSAState *s = INTEL_DSA(obj);

    trace_intel_dsa_reset();
    qemu_mutex_lock(&s->lock);
    for (unsigned i = 0; i < s->num_wqs; i++) {
        s->wqs[i].accepting = false;
    }
    qemu_mutex_unlock(&s->lock);
    dsa_wq_quiesce(s, true);
    qemu_mutex_lock(&s->lock);
    s->irq_pending = 0;
    s->swerr_pending = 0;
    s->swerr_pending_addr = 0;
    s->swerr_pending_overflow = false;
    qemu_mutex_unlock(&s->lock);
    dsa_pri_reset(s);
    dsa_atc_reset(s);
    dsa_regs_reset(s);
}

static void dsa_write_config(PCIDevice *pdev, uint32_t addr, uint32_t val,
                             int len)
{
    IntelDSAState *s = INTEL_DSA(pdev);

    /*
     * DMA does not reach configuration space on hardware; here the
     * device's own DMA to its ECAM window would reset the device from
     * one of its engines.
     */
    if (dsa_wq_in_engine(s)) {
        trace_intel_dsa_reentrant("configuration write", addr);
        return;
    }
    pci_default_write_config(pdev, addr, val, len);
    dsa_atc_config_written(s);
    pcie_cap_flr_write_config(pdev, addr, val, len);
}

/* x-hold-engines: engines take no descriptor while set (for tests). */
static bool dsa_get_hold(Object *obj, Error **errp)
{
    return INTEL_DSA(obj)->hold;
}

static void dsa_set_hold(Object *obj, bool value, Error **errp)
{
    IntelDSAState *s = INTEL_DSA(obj);

    if (!DEVICE(obj)->realized) {
        s->hold = value;
        return;
    }
    qemu_mutex_lock(&s->lock);
    s->hold = value;
    dsa_wq_wake_locked(s, -1);
    qemu_mutex_unlock(&s->lock);
}

static void dsa_instance_init(Object *obj)
{
    object_property_add_bool(obj, "x-hold-engines", dsa_get_hold,
                             dsa_set_hold);
}

/*
 * The VM is stopped, so the engines are paused (the state change
 * notifier ran): what they hold in flight is saved as it is.
 */
static int dsa_pre_save(void *opaque)
{
    IntelDSAState *s = opaque;

    if (!s->paused) {
        /* saved while the VM runs (not by QEMU's own migration paths) */
        dsa_wq_pause(s);
    }
    dsa_wq_pre_save(s);
    return 0;
}

static int dsa_post_save(void *opaque)
{
    IntelDSAState *s = opaque;

    dsa_wq_post_save(s);
    if (runstate_is_running()) {
        dsa_wq_resume(s);
    }
    return 0;
}

static int dsa_pre_load(void *opaque)
{
    IntelDSAState *s = opaque;

    s->inflight_loaded = false;
    memset(s->inflight, 0, sizeof(s->inflight));
    return 0;
}

static int dsa_post_load(void *opaque, int version_id)
{
    IntelDSAState *s = opaque;
    unsigned i, g;

    qemu_mutex_lock(&s->lock);
    for (i = 0; i < s->num_engines; i++) {
        s->engines[i].group = -1;
        if (s->gensts != DSA_GENSTS_ENABLED) {
            continue;
        }
        for (g = 0; g < s->num_groups; g++) {
            if (s->grpcfg[g][DSA_GRPCFG_ENGINES / 8] & (1ull << i)) {
                s->engines[i].group = g;
            }
        }
    }
    for (i = 0; i < s->num_wqs; i++) {
        IntelDSAWQ *wq = &s->wqs[i];

        wq->accepting = false;
        if (!wq->enabled) {
            continue;
        }
        for (g = 0; g < s->num_groups; g++) {
            if (s->grpcfg[g][DSA_GRPCFG_WQS / 8 + i / 64] &
                (1ull << (i % 64))) {
                dsa_wq_enable_locked(wq, g);
            }
        }
    }
    if (!s->inflight_loaded) {
        /* nothing was in flight: the rings are empty */
        for (i = 0; i < s->num_wqs; i++) {
            s->wqs[i].head = s->wqs[i].count = s->wqs[i].running = 0;
            s->wqs[i].pending[0] = s->wqs[i].pending[1] = 0;
        }
    }
    qemu_mutex_unlock(&s->lock);
    return dsa_wq_post_load(s);
}

static const VMStateDescription vmstate_dsa_wq = {
    .name = "intel-dsa-wq",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32_ARRAY(cfg, IntelDSAWQ, DSA_WQCFG_DWORDS),
        VMSTATE_BOOL(enabled, IntelDSAWQ),
        VMSTATE_END_OF_LIST()
    }
};

static const VMStateDescription vmstate_dsa_qdesc = {
    .name = "intel-dsa-desc",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8_ARRAY(desc.raw, DSAQueuedDesc, DSA_DESC_SIZE),
        VMSTATE_UINT32(pasid, DSAQueuedDesc),
        VMSTATE_BOOL(priv, DSAQueuedDesc),
        VMSTATE_UINT8(epoch, DSAQueuedDesc),
        VMSTATE_UINT8(error, DSAQueuedDesc),
        VMSTATE_END_OF_LIST()
    }
};

static bool dsa_wq_ring_fits(void *opaque, int version_id)
{
    IntelDSAWQ *wq = opaque;

    /* the array holds DSA_MAX_WQS entries; those after num-wqs are unused */
    return wq->s ? wq->count <= wq->s->total_wq_size : wq->count == 0;
}

static const VMStateDescription vmstate_dsa_wq_inflight = {
    .name = "intel-dsa-wq-inflight",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(epoch, IntelDSAWQ),
        VMSTATE_BOOL(mig_accepting, IntelDSAWQ),
        VMSTATE_UINT32(count, IntelDSAWQ),
        VMSTATE_VALIDATE("ring fits", dsa_wq_ring_fits),
        VMSTATE_STRUCT_VARRAY_POINTER_UINT32(ring, IntelDSAWQ, count,
                                             vmstate_dsa_qdesc,
                                             DSAQueuedDesc),
        VMSTATE_END_OF_LIST()
    }
};

static const VMStateDescription vmstate_dsa_engine_inflight = {
    .name = "intel-dsa-engine-inflight",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_BOOL(valid, DSAInflight),
        VMSTATE_UINT32(wq, DSAInflight),
        VMSTATE_STRUCT(d, DSAInflight, 1, vmstate_dsa_qdesc, DSAQueuedDesc),
        VMSTATE_UINT32(from.batch_index, DSAInflight),
        VMSTATE_BOOL(from.batch_failed, DSAInflight),
        VMSTATE_UINT32(from.done, DSAInflight),
        VMSTATE_UINT32(pr_state, DSAInflight),
        VMSTATE_UINT32(pr_pasid, DSAInflight),
        VMSTATE_BOOL(pr_priv, DSAInflight),
        VMSTATE_BOOL(pr_is_write, DSAInflight),
        VMSTATE_UINT64(pr_addr, DSAInflight),
        VMSTATE_UINT16(pr_prgi, DSAInflight),
        VMSTATE_END_OF_LIST()
    }
};

static bool dsa_inflight_needed(void *opaque)
{
    return dsa_wq_inflight_needed(opaque);
}

static int dsa_inflight_post_load(void *opaque, int version_id)
{
    IntelDSAState *s = opaque;

    s->inflight_loaded = true;
    return 0;
}

/*
 * The work in flight when the VM stopped: the descriptors in the WQs,
 * those engines wait with for a page, and what was raised and not yet
 * delivered.  Sent only when there is any.
 */
static const VMStateDescription vmstate_dsa_inflight = {
    .name = TYPE_INTEL_DSA "/inflight",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = dsa_inflight_needed,
    .post_load = dsa_inflight_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT_ARRAY(wqs, IntelDSAState, DSA_MAX_WQS, 1,
                             vmstate_dsa_wq_inflight, IntelDSAWQ),
        VMSTATE_STRUCT_ARRAY(inflight, IntelDSAState, DSA_MAX_ENGINES, 1,
                             vmstate_dsa_engine_inflight, DSAInflight),
        VMSTATE_UINT64(irq_pending, IntelDSAState),
        VMSTATE_UINT64(swerr_pending, IntelDSAState),
        VMSTATE_UINT64(swerr_pending_addr, IntelDSAState),
        VMSTATE_BOOL(swerr_pending_overflow, IntelDSAState),
        VMSTATE_BOOL(pending_cmd.active, IntelDSAState),
        VMSTATE_UINT32(pending_cmd.cmd, IntelDSAState),
        VMSTATE_UINT64(pending_cmd.wait_mask, IntelDSAState),
        VMSTATE_BOOL(pending_cmd.wait_all_epochs, IntelDSAState),
        VMSTATE_UINT16(pr_next_prgi, IntelDSAState),
        VMSTATE_END_OF_LIST()
    }
};

static const VMStateDescription vmstate_dsa = {
    .name = TYPE_INTEL_DSA,
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_save = dsa_pre_save,
    .post_save = dsa_post_save,
    .pre_load = dsa_pre_load,
    .post_load = dsa_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, IntelDSAState),
        VMSTATE_MSIX(parent_obj, IntelDSAState),
        VMSTATE_UINT32(gencfg, IntelDSAState),
        VMSTATE_UINT32(genctrl, IntelDSAState),
        VMSTATE_UINT32(gensts, IntelDSAState),
        VMSTATE_UINT32(intcause, IntelDSAState),
        VMSTATE_UINT32(cmd, IntelDSAState),
        VMSTATE_UINT32(cmdsts, IntelDSAState),
        VMSTATE_UINT64_ARRAY(swerr, IntelDSAState, 4),
        VMSTATE_UINT64_2DARRAY(grpcfg, IntelDSAState, DSA_MAX_GROUPS,
                               DSA_GRPCFG_SIZE / 8),
        VMSTATE_UINT32_ARRAY(msix_perm, IntelDSAState, DSA_MAX_WQS + 1),
        VMSTATE_STRUCT_ARRAY(wqs, IntelDSAState, DSA_MAX_WQS, 1,
                             vmstate_dsa_wq, IntelDSAWQ),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_dsa_inflight,
        NULL
    }
};

static const Property dsa_properties[] = {
    DEFINE_PROP_UINT32("num-wqs", IntelDSAState, num_wqs, 8),
    DEFINE_PROP_UINT32("num-engines", IntelDSAState, num_engines, 4),
    DEFINE_PROP_UINT32("num-groups", IntelDSAState, num_groups, 4),
    DEFINE_PROP_UINT32("wq-size", IntelDSAState, total_wq_size, 128),
    DEFINE_PROP_UINT32("read-buffers", IntelDSAState, rdbufs, 96),
    /* How long an engine waits for a page group response, in ms. */
    DEFINE_PROP_UINT32("x-page-request-timeout", IntelDSAState,
                       pr_timeout_ms, 10000),
    /*
     * How long an engine that ran out of work polls for the next
     * descriptor before it sleeps: a submission then finds it awake.
     */
    DEFINE_PROP_UINT32("x-engine-poll-us", IntelDSAState, engine_poll_us, 50),
    /*
     * Cache translations in a device-TLB while the guest enables ATS
     * (and move data in place from the cached RAM pages).
     */
    DEFINE_PROP_BOOL("x-atc", IntelDSAState, atc_enabled, true),
};

static void dsa_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    k->realize = dsa_realize;
    k->exit = dsa_exit;
    k->config_write = dsa_write_config;
    k->vendor_id = DSA_PCI_VENDOR_ID;
    k->device_id = DSA_PCI_DEVICE_ID;
    k->revision = DSA_PCI_REVISION;
    k->class_id = DSA_PCI_CLASS;
    rc->phases.hold = dsa_reset_hold;
    dc->desc = "Intel Data Streaming Accelerator (DSA 1.0)";
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    dc->vmsd = &vmstate_dsa;
    device_class_set_props(dc, dsa_properties);
}

static const TypeInfo dsa_info = {
    .name = TYPE_INTEL_DSA,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(IntelDSAState),
    .instance_init = dsa_instance_init,
    .class_init = dsa_class_init,
    .interfaces = (const InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { }
    },
};

static void dsa_register_types(void)
{
    type_register_static(&dsa_info);
}

type_init(dsa_register_types)
