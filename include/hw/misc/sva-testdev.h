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
#define SVA_TESTDEV_REG_PASID       0x08    /* RW: PASID 19:0, 31 valid */
#define SVA_TESTDEV_REG_FLAGS       0x0c    /* RW: SVA_TESTDEV_FLAG_* */
#define SVA_TESTDEV_REG_ADDR_LO     0x10    /* RW: DMA address 31:0 */
#define SVA_TESTDEV_REG_ADDR_HI     0x14    /* RW: DMA address 63:32 */
#define SVA_TESTDEV_REG_LEN         0x18    /* RW: length, <= buffer size */
#define SVA_TESTDEV_REG_CMD         0x1c    /* WO: SVA_TESTDEV_CMD_* */
#define SVA_TESTDEV_REG_STATUS      0x20    /* RO: SVA_TESTDEV_ST_* */
#define SVA_TESTDEV_REG_XLAT_LO     0x24    /* RO: ATS translated address */
#define SVA_TESTDEV_REG_XLAT_HI     0x28
#define SVA_TESTDEV_REG_XLAT_PERM   0x2c    /* RO: IOMMU_* access flags */
#define SVA_TESTDEV_REG_XLAT_MASK_LO 0x30   /* RO: ATS address mask */
#define SVA_TESTDEV_REG_XLAT_MASK_HI 0x34
#define SVA_TESTDEV_REG_PRGI        0x38    /* RW: page request group index */
#define SVA_TESTDEV_REG_PRI_RESP    0x3c    /* RO: last page group response */
#define SVA_TESTDEV_REG_INV_COUNT   0x40    /* RO: device-TLB invalidations */
#define SVA_TESTDEV_REG_INV_ADDR_LO 0x44    /* RO: last invalidated range */
#define SVA_TESTDEV_REG_INV_ADDR_HI 0x48
#define SVA_TESTDEV_REG_INV_MASK_LO 0x4c
#define SVA_TESTDEV_REG_INV_MASK_HI 0x50
#define SVA_TESTDEV_REG_INV_PASID   0x54    /* RO: PASID of the last one */
#define SVA_TESTDEV_BUF             0x800   /* RW: 2 KiB data buffer */
#define SVA_TESTDEV_BUF_SIZE        0x800
#define SVA_TESTDEV_BAR0_SIZE       0x1000

#define SVA_TESTDEV_PASID_VALID     (1u << 31)
#define SVA_TESTDEV_FLAG_PRIV       (1u << 0)   /* privileged request */
#define SVA_TESTDEV_FLAG_EXEC       (1u << 1)   /* execute request (reads) */
#define SVA_TESTDEV_FLAG_NO_WRITE   (1u << 2)   /* ATS: read-only wanted */
#define SVA_TESTDEV_FLAG_PR_READ    (1u << 3)   /* page request: read */
#define SVA_TESTDEV_FLAG_PR_WRITE   (1u << 4)   /* page request: write */
#define SVA_TESTDEV_FLAG_PR_LPIG    (1u << 5)   /* last page in group */

/* SVA_TESTDEV_REG_PRI_RESP */
#define SVA_TESTDEV_PRI_RESP_VALID  (1u << 31)
#define SVA_TESTDEV_PRI_RESP_CODE(v)  (((v) >> 16) & 0xf)
#define SVA_TESTDEV_PRI_RESP_PRGI(v)  ((v) & 0x1ff)

#define SVA_TESTDEV_CMD_READ        1   /* memory -> buffer */
#define SVA_TESTDEV_CMD_WRITE       2   /* buffer -> memory */
#define SVA_TESTDEV_CMD_ATS         3   /* translation request */
#define SVA_TESTDEV_CMD_PRI         4   /* page request */

#define SVA_TESTDEV_ST_OK           0
#define SVA_TESTDEV_ST_DMA_ERROR    1   /* the access failed (IOMMU fault) */
#define SVA_TESTDEV_ST_REFUSED      2   /* PASID control forbids it */
#define SVA_TESTDEV_ST_BAD_CMD      3   /* bad command or length */
#define SVA_TESTDEV_ST_NO_XLAT      4   /* ATS: no (full) translation */

#define SVA_TESTDEV_ID              0x31415653  /* "SVA1" */
#define SVA_TESTDEV_CAPS_ATS        (1u << 0)
#define SVA_TESTDEV_CAPS_PASID      (1u << 1)
#define SVA_TESTDEV_CAPS_PRI        (1u << 2)
#define SVA_TESTDEV_CAPS_RCIEP      (1u << 3)

struct SvaTestDevState {
    PCIDevice parent_obj;

    MemoryRegion mmio;

    /* DMA command registers and buffer */
    uint32_t pasid_reg;
    uint32_t flags;
    uint64_t addr;
    uint32_t len;
    uint32_t status;
    uint64_t xlat;
    uint64_t xlat_mask;
    uint32_t xlat_perm;
    uint8_t buf[SVA_TESTDEV_BUF_SIZE];
    uint32_t prgi;
    uint32_t pri_resp;
    uint32_t inv_count;
    uint32_t inv_pasid;
    uint64_t inv_addr;
    uint64_t inv_mask;

    /*
     * Page group responses and device-TLB invalidations for one PASID,
     * or for requests without PASID (PCI_NO_PASID), while *_tracking.
     */
    IOMMUPRINotifier pri_notifier;
    uint32_t pri_pasid;
    bool pri_tracking;
    IOMMUNotifier iotlb_notifier;
    uint32_t iotlb_pasid;
    bool iotlb_tracking;

    /* Properties */
    bool ats;
    bool pasid;
    bool pri;
    uint8_t pasid_width;
};

#endif /* HW_MISC_SVA_TESTDEV_H */
