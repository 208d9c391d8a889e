/*
 * sva-testdev: a PCI Express test device with PASID, ATS and PRI
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SVA_TESTDEV_H
#define HW_MISC_SVA_TESTDEV_H

#include "hw/pci/pci_device.h"
#include "qom/object.h"

#define TYPE_SVA_TESTDEV "sva-testdev"
OBJECT_DECLARE_SIMPLE_TYPE(SvaTestDevState, SVA_TESTDEV)

/* PCI IDs: QEMU's test vendor ID, a device ID of qemu-sva's. */
#define SVA_TESTDEV_VENDOR_ID       0x1234
#define SVA_TESTDEV_DEVICE_ID       0x5356

/*
 * The PCI Express capability; the extended ones (ATS, PASID, PRI, those
 * that are on) follow each other from 0x100.
 */
#define SVA_TESTDEV_EXP_OFFSET      0x40

/* BAR0 registers. */
#define SVA_TESTDEV_REG_ID          0x00    /* RO: SVA_TESTDEV_ID */
#define SVA_TESTDEV_REG_CAPS        0x04    /* RO: SVA_TESTDEV_CAPS_* */
#define SVA_TESTDEV_BAR0_SIZE       0x1000

#define SVA_TESTDEV_ID              0x31415653  /* "SVA1" */
#define SVA_TESTDEV_CAPS_ATS        (1u << 0)
#define SVA_TESTDEV_CAPS_PASID      (1u << 1)
#define SVA_TESTDEV_CAPS_PRI        (1u << 2)
#define SVA_TESTDEV_CAPS_RCIEP      (1u << 3)

struct SvaTestDevState {
    PCIDevice parent_obj;

    MemoryRegion mmio;

    /* Properties */
    bool ats;
    bool pasid;
    bool pri;
    uint8_t pasid_width;
};

#endif /* HW_MISC_SVA_TESTDEV_H */
