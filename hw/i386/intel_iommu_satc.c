/*
 * Intel IOMMU: the SoC Integrated Address Translation Cache (SATC)
 * structure of the ACPI DMAR table (VT-d specification, 8.8)
 *
 * A SATC lists the root-complex integrated devices whose address
 * translation caches the platform vouches for.  Linux uses it to allow ATS
 * on integrated devices (and, since 6.x, to refuse ATS to an integrated
 * device a present SATC does not list), so with satc=on every ATS-capable
 * device on the root bus is listed.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/acpi/aml-build.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "hw/i386/x86-iommu.h"
#include "hw/i386/intel_iommu_satc.h"
#include "trace.h"

bool vtd_satc_check_config(IntelIOMMUState *s, Error **errp)
{
    X86IOMMUState *x86_iommu = X86_IOMMU_DEVICE(s);

    if (!s->satc) {
        return true;
    }
    /*
     * ATC_REQUIRED devices need ATS, and Linux refuses ATS to them in
     * legacy mode: a SATC only makes sense in scalable mode, with the
     * device-TLB (ECAP.DT) the devices' ATS needs.
     */
    if (!s->scalable_mode) {
        error_setg(errp, "intel-iommu: satc=on requires x-scalable-mode=on");
        return false;
    }
    if (!x86_iommu->dt_supported) {
        error_setg(errp, "intel-iommu: satc=on requires device-iotlb=on");
        return false;
    }
    return true;
}

static bool vtd_satc_device_listed(PCIDevice *dev)
{
    return pci_is_express(dev) &&
           pcie_find_capability(dev, PCI_EXT_CAP_ID_ATS) != 0;
}

static void vtd_satc_add_scope(PCIBus *bus, PCIDevice *dev, void *opaque)
{
    GArray *scopes = opaque;

    if (!vtd_satc_device_listed(dev)) {
        return;
    }
    /* VT-d spec 8.3.1: a PCI endpoint device scope with a one-entry path */
    build_append_int_noprefix(scopes, VTD_DEV_SCOPE_PCI_ENDPOINT, 1);
    build_append_int_noprefix(scopes, 8, 1);        /* Length */
    build_append_int_noprefix(scopes, 0, 2);        /* Reserved */
    build_append_int_noprefix(scopes, 0, 1);        /* Enumeration ID */
    build_append_int_noprefix(scopes, pci_bus_num(bus), 1); /* Start bus */
    build_append_int_noprefix(scopes, PCI_SLOT(dev->devfn), 1);
    build_append_int_noprefix(scopes, PCI_FUNC(dev->devfn), 1);
    trace_vtd_satc_device(pci_bus_num(bus), PCI_SLOT(dev->devfn),
                          PCI_FUNC(dev->devfn));
}

void vtd_satc_build(GArray *table_data, IntelIOMMUState *s, PCIBus *bus)
{
    GArray *scopes;

    if (!s->satc) {
        return;
    }
    scopes = g_array_new(false, true, 1);
    pci_for_each_device(bus, pci_bus_num(bus), vtd_satc_add_scope, scopes);

    build_append_int_noprefix(table_data, VTD_DMAR_TYPE_SATC, 2); /* Type */
    build_append_int_noprefix(table_data, 8 + scopes->len, 2);    /* Length */
    build_append_int_noprefix(table_data, VTD_SATC_FLAG_ATC_REQUIRED, 1);
    build_append_int_noprefix(table_data, 0, 1);    /* Reserved */
    build_append_int_noprefix(table_data, 0, 2);    /* Segment Number */
    g_array_append_vals(table_data, scopes->data, scopes->len);
    g_array_free(scopes, true);
}
