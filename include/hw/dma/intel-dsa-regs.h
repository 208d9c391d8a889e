/*
 * Intel DSA emulation: registers, configuration tables and commands
 *
 * Offsets and fields as the Intel DSA architecture specification (1.x)
 * defines them, for the device model and for its qtest.  Only plain
 * definitions: the test includes this header too.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_DMA_INTEL_DSA_REGS_H
#define HW_DMA_INTEL_DSA_REGS_H

/* PCI identity: DSA on 4th generation Xeon (Sapphire Rapids). */
#define DSA_PCI_VENDOR_ID           0x8086
#define DSA_PCI_DEVICE_ID           0x0b25
#define DSA_PCI_REVISION            0x01
#define DSA_PCI_CLASS               0x0880      /* system peripheral, other */

/* Configuration space layout. */
#define DSA_CFG_EXP_OFFSET          0x40
#define DSA_CFG_MSIX_OFFSET         0x90
#define DSA_CFG_ATS_OFFSET          0x100
#define DSA_CFG_PASID_OFFSET        0x110
#define DSA_CFG_PRI_OFFSET          0x120
#define DSA_PASID_WIDTH             20
#define DSA_PRI_OUTSTANDING         512

/* BARs. */
#define DSA_BAR_REGS                0
#define DSA_BAR_PORTALS             2
#define DSA_BAR0_SIZE               0x10000     /* 64 KiB */
#define DSA_MSIX_TABLE_OFFSET       0x2000
#define DSA_MSIX_PBA_OFFSET         0x3000
#define DSA_PORTAL_PAGE             0x1000
#define DSA_PORTALS_PER_WQ          4
#define DSA_WQ_PORTAL_SIZE          (DSA_PORTAL_PAGE * DSA_PORTALS_PER_WQ)
/* Portal pages of a WQ: bit 0 limited, bit 1 IMS. */
#define DSA_PORTAL_LIMITED          1
#define DSA_PORTAL_IMS              2

/* BAR0 registers. */
#define DSA_REG_VERSION             0x00
#define DSA_REG_GENCAP              0x10
#define DSA_REG_WQCAP               0x20
#define DSA_REG_GRPCAP              0x30
#define DSA_REG_ENGCAP              0x38
#define DSA_REG_OPCAP               0x40        /* 4 x 64 bits */
#define DSA_REG_TABLE_OFFSET        0x60        /* 2 x 64 bits */
#define DSA_REG_GENCFG              0x80
#define DSA_REG_GENCTRL             0x88
#define DSA_REG_GENSTS              0x90
#define DSA_REG_INTCAUSE            0x98
#define DSA_REG_CMD                 0xa0
#define DSA_REG_CMDSTS              0xa8
#define DSA_REG_CMDCAP              0xb0
#define DSA_REG_SWERR               0xc0        /* 4 x 64 bits */

#define DSA_VERSION_1_0             0x100

/* GENCAP */
#define DSA_GENCAP_BOF              (1ull << 0)
#define DSA_GENCAP_OVERLAP_COPY     (1ull << 1)
#define DSA_GENCAP_CC_MEM           (1ull << 2)
#define DSA_GENCAP_CC_CACHE         (1ull << 3)
#define DSA_GENCAP_CMDCAP           (1ull << 4)
#define DSA_GENCAP_MAX_XFER_SHIFT   16          /* 5 bits */
#define DSA_GENCAP_MAX_BATCH_SHIFT  21          /* 4 bits */
#define DSA_GENCAP_CONFIG_EN        (1ull << 31)
#define DSA_MAX_XFER_SHIFT          31          /* 2 GiB */
#define DSA_MAX_BATCH_SHIFT         10          /* 1024 descriptors */

/* WQCAP */
#define DSA_WQCAP_NUM_WQS_SHIFT     16
#define DSA_WQCAP_SHARED            (1ull << 48)
#define DSA_WQCAP_DEDICATED         (1ull << 49)
#define DSA_WQCAP_PRIORITY          (1ull << 51)

/* GRPCAP */
#define DSA_GRPCAP_RDBUFS_SHIFT     8
#define DSA_GRPCAP_RDBUF_CTRL       (1ull << 16)
#define DSA_GRPCAP_RDBUF_LIMIT      (1ull << 17)

/* GENCFG */
#define DSA_GENCFG_RDBUF_LIMIT_MASK 0xffu
#define DSA_GENCFG_USER_INT_EN      (1u << 12)
#define DSA_GENCFG_MASK             (DSA_GENCFG_RDBUF_LIMIT_MASK | \
                                     DSA_GENCFG_USER_INT_EN)

/* GENCTRL */
#define DSA_GENCTRL_SWERR_INT_EN    (1u << 0)
#define DSA_GENCTRL_HALT_INT_EN     (1u << 1)
#define DSA_GENCTRL_MASK            (DSA_GENCTRL_SWERR_INT_EN | \
                                     DSA_GENCTRL_HALT_INT_EN)

/* GENSTS */
#define DSA_GENSTS_DISABLED         0
#define DSA_GENSTS_ENABLED          1
#define DSA_GENSTS_DRAINING         2
#define DSA_GENSTS_HALTED           3

/* INTCAUSE (write 1 to clear) */
#define DSA_INTCAUSE_SWERR          (1u << 0)
#define DSA_INTCAUSE_CMD            (1u << 1)
#define DSA_INTCAUSE_OCCUPANCY      (1u << 2)
#define DSA_INTCAUSE_PERFMON        (1u << 3)
#define DSA_INTCAUSE_HALT           (1u << 4)
#define DSA_INTCAUSE_MASK           0x1fu

/* CMD */
#define DSA_CMD_OPERAND_MASK        0xfffffu
#define DSA_CMD_CODE_SHIFT          20
#define DSA_CMD_CODE_MASK           0x1fu
#define DSA_CMD_INT_REQ             (1u << 31)

enum {
    DSA_CMD_ENABLE_DEVICE = 1,
    DSA_CMD_DISABLE_DEVICE = 2,
    DSA_CMD_DRAIN_ALL = 3,
    DSA_CMD_ABORT_ALL = 4,
    DSA_CMD_RESET_DEVICE = 5,
    DSA_CMD_ENABLE_WQ = 6,
    DSA_CMD_DISABLE_WQ = 7,
    DSA_CMD_DRAIN_WQ = 8,
    DSA_CMD_ABORT_WQ = 9,
    DSA_CMD_RESET_WQ = 10,
    DSA_CMD_DRAIN_PASID = 11,
    DSA_CMD_ABORT_PASID = 12,
    DSA_CMD_REQUEST_INT_HANDLE = 13,
    DSA_CMD_RELEASE_INT_HANDLE = 14,
};

/* Commands this model implements, as CMDCAP advertises them. */
#define DSA_CMDCAP_VALUE \
    (((1u << (DSA_CMD_ABORT_PASID + 1)) - 1) & ~1u)

/* CMDSTS */
#define DSA_CMDSTS_ACTIVE           (1u << 31)
#define DSA_CMDSTS_RESULT_SHIFT     8

enum {
    DSA_CMDSTS_SUCCESS = 0x00,
    DSA_CMDSTS_INVAL_CMD = 0x01,
    DSA_CMDSTS_INVAL_WQIDX = 0x02,
    DSA_CMDSTS_HW_ERR = 0x03,
    /* Enable Device */
    DSA_CMDSTS_DEV_ENABLED = 0x10,
    DSA_CMDSTS_CONFIG = 0x11,
    DSA_CMDSTS_BUSMASTER_EN = 0x12,
    DSA_CMDSTS_PASID_INVAL = 0x13,
    DSA_CMDSTS_WQ_SIZE_ERANGE = 0x14,
    DSA_CMDSTS_GRP_CONFIG = 0x15,       /* WQ or engine in two groups */
    DSA_CMDSTS_GRP_CONFIG2 = 0x16,      /* group with WQs and no engine */
    DSA_CMDSTS_GRP_CONFIG3 = 0x17,      /* read buffers over-reserved */
    DSA_CMDSTS_GRP_CONFIG4 = 0x18,      /* read buffers allowed < reserved */
    /* Enable WQ */
    DSA_CMDSTS_DEV_NOT_ENABLED = 0x20,
    DSA_CMDSTS_WQ_ENABLED = 0x21,
    DSA_CMDSTS_WQ_SIZE = 0x22,
    DSA_CMDSTS_WQ_PRIORITY = 0x23,
    DSA_CMDSTS_WQ_MODE = 0x24,
    DSA_CMDSTS_BOF_EN = 0x25,
    DSA_CMDSTS_PASID_EN = 0x26,
    DSA_CMDSTS_MAX_BATCH_SIZE = 0x27,
    DSA_CMDSTS_MAX_XFER_SIZE = 0x28,
    /* Disable Device */
    DSA_CMDSTS_DIS_DEV_NOT_ENABLED = 0x31,
    /* Disable, Drain, Abort, Reset WQ */
    DSA_CMDSTS_WQ_NOT_ENABLED = 0x32,
};

/* SWERR, first quadword (the others: batch index, fault address) */
#define DSA_SWERR_VALID             (1ull << 0)
#define DSA_SWERR_OVERFLOW          (1ull << 1)
#define DSA_SWERR_DESC_VALID        (1ull << 2)
#define DSA_SWERR_WQ_IDX_VALID      (1ull << 3)
#define DSA_SWERR_BATCH             (1ull << 4)
#define DSA_SWERR_FAULT_RW          (1ull << 5)
#define DSA_SWERR_PRIV              (1ull << 6)
#define DSA_SWERR_ERROR_SHIFT       8
#define DSA_SWERR_WQ_IDX_SHIFT      16
#define DSA_SWERR_OPERATION_SHIFT   32
#define DSA_SWERR_PASID_SHIFT       40

/* Group configuration table: 64 bytes per group. */
#define DSA_GRPCFG_SIZE             64
#define DSA_GRPCFG_WQS              0           /* 4 x 64 bits */
#define DSA_GRPCFG_ENGINES          32
#define DSA_GRPCFG_FLAGS            40
#define DSA_GRPFLAGS_MASK           0x0ff0ffbfull
#define DSA_GRPFLAGS_RDBUF_RSVD(f)  (((f) >> 8) & 0xff)
#define DSA_GRPFLAGS_RDBUF_ALLOWED(f) (((f) >> 20) & 0xff)

/* Work queue configuration table: 32 bytes (8 dwords) per WQ. */
#define DSA_WQCFG_SIZE              32
#define DSA_WQCFG_DWORDS            (DSA_WQCFG_SIZE / 4)
/* dword 0 */
#define DSA_WQCFG0_SIZE_MASK        0xffffu
/* dword 1 */
#define DSA_WQCFG1_THRESH_MASK      0xffffu
/* dword 2 */
#define DSA_WQCFG2_DEDICATED        (1u << 0)
#define DSA_WQCFG2_BOF              (1u << 1)
#define DSA_WQCFG2_PRIORITY_SHIFT   4
#define DSA_WQCFG2_PRIORITY_MASK    (0xfu << 4)
#define DSA_WQCFG2_PASID_SHIFT      8
#define DSA_WQCFG2_PASID_MASK       (0xfffffu << 8)
#define DSA_WQCFG2_PASID_EN         (1u << 28)
#define DSA_WQCFG2_PRIV             (1u << 29)
#define DSA_WQCFG2_MASK             (DSA_WQCFG2_DEDICATED | DSA_WQCFG2_BOF | \
                                     DSA_WQCFG2_PRIORITY_MASK | \
                                     DSA_WQCFG2_PASID_MASK | \
                                     DSA_WQCFG2_PASID_EN | DSA_WQCFG2_PRIV)
/* dword 3 */
#define DSA_WQCFG3_XFER_SHIFT_MASK  0x1fu
#define DSA_WQCFG3_BATCH_SHIFT_SHIFT 5
#define DSA_WQCFG3_BATCH_SHIFT_MASK (0xfu << 5)
#define DSA_WQCFG3_MASK             (DSA_WQCFG3_XFER_SHIFT_MASK | \
                                     DSA_WQCFG3_BATCH_SHIFT_MASK)
/* dword 6, read-only */
#define DSA_WQCFG6_OCCUPANCY_MASK   0xffffu
#define DSA_WQCFG6_STATE_SHIFT      30
#define DSA_WQ_STATE_DISABLED       0
#define DSA_WQ_STATE_ENABLED        1

/* MSI-X permission table: 8 bytes per MSI-X vector. */
#define DSA_MSIXPERM_SIZE           8
#define DSA_MSIXPERM_IGNORE         (1u << 2)
#define DSA_MSIXPERM_PASID_EN       (1u << 3)
#define DSA_MSIXPERM_PASID_SHIFT    12
#define DSA_MSIXPERM_MASK           0xfffff00cu

#define DSA_TABLE_UNIT              0x100
#define DSA_TABLE_START             0x300

/* Descriptor fields the WQ layer looks at (see intel-dsa-desc.h). */
#define DSA_DESC_PRIV               (1u << 31)
#define DSA_DESC_PASID_MASK         0xfffffu

/* Property limits. */
#define DSA_MAX_WQS                 32
#define DSA_MAX_ENGINES             16
#define DSA_MAX_GROUPS              16
#define DSA_MAX_RDBUFS              255

#endif /* HW_DMA_INTEL_DSA_REGS_H */
