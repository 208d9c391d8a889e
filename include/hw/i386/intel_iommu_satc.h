/*
 * Intel IOMMU: the SoC Integrated Address Translation Cache (SATC)
 * structure of the ACPI DMAR table
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_I386_INTEL_IOMMU_SATC_H
#define HW_I386_INTEL_IOMMU_SATC_H

#include "hw/i386/intel_iommu.h"

/* VT-d spec 8.2: the DMAR flag that the platform-opt-in property sets */
#define VTD_DMAR_FLAG_DMA_CTRL_PLATFORM_OPT_IN (1 << 2)

/* VT-d spec 8.8: SATC */
#define VTD_DMAR_TYPE_SATC                  5
#define VTD_SATC_FLAG_ATC_REQUIRED          (1 << 0)
/* VT-d spec 8.3.1: device scope entry types */
#define VTD_DEV_SCOPE_PCI_ENDPOINT          1

/*
 * Check the satc property against the rest of the configuration.
 * Returns false and sets @errp when the combination cannot work.
 */
bool vtd_satc_check_config(IntelIOMMUState *s, Error **errp);

/*
 * Append the SATC structure (when the satc property is on) to the DMAR
 * table being built in @table_data: one device scope for every ATS-capable
 * device on the root bus @bus, with ATC_REQUIRED set.
 */
void vtd_satc_build(GArray *table_data, IntelIOMMUState *s, PCIBus *bus);

#endif /* HW_I386_INTEL_IOMMU_SATC_H */
