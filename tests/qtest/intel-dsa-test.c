/*
 * qtest for intel-dsa, the emulated Intel Data Streaming Accelerator:
 * PCI configuration space, register reset values, the configuration and
 * enable flow of the Linux idxd driver, command status codes, the WQCFG
 * and GRPCFG write rules, INTCAUSE and MSI-X, FLR, bad properties, and
 * descriptors through dedicated (MOVDIR64B) and shared (DMWr) WQs:
 * memmove, completion records, interrupts, Retry, privilege, drain and
 * abort with work in flight, MSI-X permissions.  Then, behind a VT-d
 * IOMMU with first-stage tables for a user PASID: page faults with and
 * without block on fault, page requests and page group responses.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/pci.h"
#include "libqos/pci-pc.h"
#include "hw/pci/pci_regs.h"
#include "hw/pci-host/q35.h"
#include "hw/i386/intel_iommu_internal.h"
#include "hw/dma/intel-dsa-desc.h"
#include "hw/dma/intel-dsa-regs.h"
#include "qsva-refused.h"
#include "migration/migration-qmp.h"
#include "migration/migration-util.h"

#define DSA_DEVFN       QPCI_DEVFN(5, 0)
#define ECAM_BASE       MCH_HOST_BRIDGE_PCIEXBAR_DEFAULT

/* Where the default 8-WQ, 4-group device puts its tables. */
#define MSIXPERM        0x300
#define GRPCFG          0x400
#define WQCFG           0x500

typedef struct DSATest {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar bar0;
    QPCIBar bar2;
} DSATest;

static void dsa_start_with(DSATest *t, const char *before, const char *props)
{
    QPCIDevice *mch;

    t->qts = qtest_initf("-M q35 -m 256M %s -device intel-dsa,addr=05.0%s",
                         before, props);
    t->bus = qpci_new_pc(t->qts, NULL);
    /* Map ECAM, as firmware would, to reach extended config space. */
    mch = qpci_device_find(t->bus, QPCI_DEVFN(0, 0));
    g_assert(mch);
    qpci_config_writel(mch, MCH_HOST_BRIDGE_PCIEXBAR + 4, 0);
    qpci_config_writel(mch, MCH_HOST_BRIDGE_PCIEXBAR,
                       ECAM_BASE | MCH_HOST_BRIDGE_PCIEXBAREN);
    g_free(mch);
    t->dev = qpci_device_find(t->bus, DSA_DEVFN);
    g_assert(t->dev);
    qpci_device_enable(t->dev);
    /* The MSI-X table is in BAR0: map BAR0 once, through MSI-X. */
    qpci_msix_enable(t->dev);
    t->bar0 = t->dev->msix_table_bar;
    t->bar2 = qpci_iomap(t->dev, DSA_BAR_PORTALS, NULL);
}

static void dsa_start(DSATest *t, const char *props)
{
    dsa_start_with(t, "", props);
}

static void dsa_stop(DSATest *t)
{
    qpci_msix_disable(t->dev);
    g_free(t->dev);
    qpci_free_pc(t->bus);
    qtest_quit(t->qts);
}

static uint32_t rd32(DSATest *t, uint64_t off)
{
    return qpci_io_readl(t->dev, t->bar0, off);
}

static uint64_t rd64(DSATest *t, uint64_t off)
{
    return qpci_io_readq(t->dev, t->bar0, off);
}

static void wr32(DSATest *t, uint64_t off, uint32_t val)
{
    qpci_io_writel(t->dev, t->bar0, off, val);
}

static void wr64(DSATest *t, uint64_t off, uint64_t val)
{
    qpci_io_writeq(t->dev, t->bar0, off, val);
}

static uint32_t ecam_readl(DSATest *t, uint16_t off)
{
    return qtest_readl(t->qts, ECAM_BASE + (DSA_DEVFN << 12) + off);
}

static void ecam_writew(DSATest *t, uint16_t off, uint16_t val)
{
    qtest_writew(t->qts, ECAM_BASE + (DSA_DEVFN << 12) + off, val);
}

/* Issue a command and wait for CMDSTS.Active to clear; the status byte. */
static uint8_t dsa_cmd(DSATest *t, uint32_t code, uint32_t operand,
                       bool int_req)
{
    uint32_t sts;
    int i;

    wr32(t, DSA_REG_CMD, operand | (code << DSA_CMD_CODE_SHIFT) |
         (int_req ? DSA_CMD_INT_REQ : 0));
    for (i = 0; i < 10000; i++) {
        sts = rd32(t, DSA_REG_CMDSTS);
        if (!(sts & DSA_CMDSTS_ACTIVE)) {
            return sts & 0xff;
        }
        g_usleep(100);
    }
    g_assert_not_reached();
}

static uint32_t wq_operand(unsigned wq)
{
    return (1u << (wq % 16)) | ((wq / 16) << 16);
}

/* Clear the pending bit of a masked MSI-X vector by unmasking it once. */
static void msix_clear(DSATest *t, uint16_t v)
{
    uint64_t ctrl = t->dev->msix_table_off + v * PCI_MSIX_ENTRY_SIZE +
                    PCI_MSIX_ENTRY_VECTOR_CTRL;

    qpci_io_writel(t->dev, t->dev->msix_table_bar, ctrl, 0);
    qpci_io_writel(t->dev, t->dev->msix_table_bar, ctrl,
                   PCI_MSIX_ENTRY_CTRL_MASKBIT);
    g_assert_false(qpci_msix_pending(t->dev, v));
}

/* Group @g: the WQs and engines of the masks, every read buffer allowed. */
static void dsa_set_group(DSATest *t, unsigned g, uint64_t wqs,
                          uint64_t engines)
{
    wr64(t, GRPCFG + g * DSA_GRPCFG_SIZE + DSA_GRPCFG_WQS, wqs);
    wr64(t, GRPCFG + g * DSA_GRPCFG_SIZE + DSA_GRPCFG_ENGINES, engines);
    wr64(t, GRPCFG + g * DSA_GRPCFG_SIZE + DSA_GRPCFG_FLAGS, 96ull << 20);
}

/* Write a WQ's configuration as the idxd driver does: all 8 dwords. */
static void dsa_set_wq(DSATest *t, unsigned wq, uint32_t size,
                       uint32_t thresh, uint32_t mode)
{
    uint32_t cfg[DSA_WQCFG_DWORDS] = {
        size, thresh, mode,
        DSA_MAX_XFER_SHIFT | (DSA_MAX_BATCH_SHIFT << 5),
    };
    int i;

    for (i = 0; i < DSA_WQCFG_DWORDS; i++) {
        cfg[i] |= rd32(t, WQCFG + wq * DSA_WQCFG_SIZE + i * 4);
        wr32(t, WQCFG + wq * DSA_WQCFG_SIZE + i * 4, cfg[i]);
    }
}

static uint32_t wq_state(DSATest *t, unsigned wq)
{
    return rd32(t, WQCFG + wq * DSA_WQCFG_SIZE + 24) >>
           DSA_WQCFG6_STATE_SHIFT;
}

#define DEDICATED_KERNEL    (DSA_WQCFG2_DEDICATED | DSA_WQCFG2_PRIV | \
                             (1u << DSA_WQCFG2_PRIORITY_SHIFT))

static void test_config_space(void)
{
    DSATest t;
    uint16_t exp = DSA_CFG_EXP_OFFSET;
    uint32_t hdr;
    uint64_t size;
    QPCIBar bar;

    dsa_start(&t, "");
    g_assert_cmphex(qpci_config_readw(t.dev, PCI_VENDOR_ID), ==, 0x8086);
    g_assert_cmphex(qpci_config_readw(t.dev, PCI_DEVICE_ID), ==, 0x0b25);
    g_assert_cmphex(qpci_config_readw(t.dev, PCI_CLASS_DEVICE), ==, 0x0880);

    /* A root-complex integrated endpoint, capability version 2. */
    g_assert_cmpuint(qpci_find_capability(t.dev, PCI_CAP_ID_EXP, 0), ==, exp);
    g_assert_cmphex(qpci_config_readw(t.dev, exp + PCI_EXP_FLAGS) &
                    (PCI_EXP_FLAGS_TYPE | PCI_EXP_FLAGS_VERS), ==,
                    (PCI_EXP_TYPE_RC_END << 4) | 2);
    g_assert(qpci_config_readl(t.dev, exp + PCI_EXP_DEVCAP2) &
             PCI_EXP_DEVCAP2_EE_PREFIX);
    g_assert(qpci_config_readl(t.dev, exp + PCI_EXP_DEVCAP) &
             PCI_EXP_DEVCAP_FLR);
    g_assert_cmpuint(qpci_msix_table_size(t.dev), ==, 9);

    /* Extended capabilities: ATS, PASID, PRI, in that order. */
    hdr = ecam_readl(&t, DSA_CFG_ATS_OFFSET);
    g_assert_cmphex(PCI_EXT_CAP_ID(hdr), ==, PCI_EXT_CAP_ID_ATS);
    g_assert_cmphex(PCI_EXT_CAP_NEXT(hdr), ==, DSA_CFG_PASID_OFFSET);
    g_assert(ecam_readl(&t, DSA_CFG_ATS_OFFSET + PCI_ATS_CAP) &
             (PCI_ATS_CAP_PAGE_ALIGNED << 0));
    hdr = ecam_readl(&t, DSA_CFG_PASID_OFFSET);
    g_assert_cmphex(PCI_EXT_CAP_ID(hdr), ==, PCI_EXT_CAP_ID_PASID);
    g_assert_cmphex(PCI_EXT_CAP_NEXT(hdr), ==, DSA_CFG_PRI_OFFSET);
    hdr = ecam_readl(&t, DSA_CFG_PASID_OFFSET + PCI_PASID_CAP);
    g_assert_cmpuint((hdr >> 8) & 0x1f, ==, 20);
    g_assert(hdr & PCI_PASID_CAP_PRIV);
    hdr = ecam_readl(&t, DSA_CFG_PRI_OFFSET);
    g_assert_cmphex(PCI_EXT_CAP_ID(hdr), ==, PCI_EXT_CAP_ID_PRI);
    g_assert(ecam_readl(&t, DSA_CFG_PRI_OFFSET + PCI_PRI_CTRL) &
             (PCI_PRI_STATUS_PASID << 16));

    /* 64-bit BARs: 64 KiB of registers, 16 KiB of portals per WQ. */
    g_assert(qpci_config_readl(t.dev, PCI_BASE_ADDRESS_0) &
             PCI_BASE_ADDRESS_MEM_TYPE_64);
    g_assert(qpci_config_readl(t.dev, PCI_BASE_ADDRESS_2) &
             PCI_BASE_ADDRESS_MEM_TYPE_64);
    bar = qpci_iomap(t.dev, 0, &size);
    g_assert_cmpuint(size, ==, 64 * KiB);
    qpci_iounmap(t.dev, bar);
    bar = qpci_iomap(t.dev, 2, &size);
    g_assert_cmpuint(size, ==, 8 * 16 * KiB);
    qpci_iounmap(t.dev, bar);
    dsa_stop(&t);
}

static void test_reset_values(void)
{
    DSATest t;
    uint64_t gencap, wqcap, grpcap, offsets;

    dsa_start(&t, "");
    g_assert_cmphex(rd32(&t, DSA_REG_VERSION), ==, 0x100);
    gencap = rd64(&t, DSA_REG_GENCAP);
    g_assert(gencap & DSA_GENCAP_CONFIG_EN);
    g_assert(gencap & DSA_GENCAP_BOF);
    g_assert(gencap & DSA_GENCAP_CMDCAP);
    g_assert_cmpuint((gencap >> 16) & 0x1f, ==, 31);
    g_assert_cmpuint((gencap >> 21) & 0xf, ==, 10);
    wqcap = rd64(&t, DSA_REG_WQCAP);
    g_assert_cmpuint(wqcap & 0xffff, ==, 128);
    g_assert_cmpuint((wqcap >> 16) & 0xff, ==, 8);
    g_assert_cmpuint((wqcap >> 24) & 0xf, ==, 0);     /* 32-byte WQCFG */
    g_assert(wqcap & DSA_WQCAP_SHARED);
    g_assert(wqcap & DSA_WQCAP_DEDICATED);
    grpcap = rd64(&t, DSA_REG_GRPCAP);
    g_assert_cmpuint(grpcap & 0xff, ==, 4);
    g_assert_cmpuint((grpcap >> 8) & 0xff, ==, 96);
    g_assert_cmpuint(rd64(&t, DSA_REG_ENGCAP), ==, 4);
    /* NOOP, DRAIN... at least NOOP and MEMMOVE, nothing past 0xff. */
    g_assert(rd64(&t, DSA_REG_OPCAP) & (1ull << 0));
    g_assert(rd64(&t, DSA_REG_OPCAP) & (1ull << 3));
    offsets = rd64(&t, DSA_REG_TABLE_OFFSET);
    g_assert_cmphex(offsets & 0xffff, ==, GRPCFG / 0x100);
    g_assert_cmphex((offsets >> 16) & 0xffff, ==, WQCFG / 0x100);
    g_assert_cmphex((offsets >> 32) & 0xffff, ==, MSIXPERM / 0x100);
    g_assert_cmphex(offsets >> 48, ==, 0);          /* no IMS */
    g_assert_cmphex(rd64(&t, DSA_REG_TABLE_OFFSET + 8), ==, 0);
    g_assert_cmphex(rd32(&t, DSA_REG_GENCFG), ==, 0);
    g_assert_cmphex(rd32(&t, DSA_REG_GENCTRL), ==, 0);
    g_assert_cmphex(rd32(&t, DSA_REG_GENSTS), ==, DSA_GENSTS_DISABLED);
    g_assert_cmphex(rd32(&t, DSA_REG_INTCAUSE), ==, 0);
    g_assert_cmphex(rd32(&t, DSA_REG_CMDSTS), ==, 0);
    g_assert_cmphex(rd32(&t, DSA_REG_CMDCAP), ==, 0x1ffe);
    g_assert_cmphex(rd64(&t, DSA_REG_SWERR), ==, 0);
    g_assert_cmphex(rd64(&t, WQCFG), ==, 0);
    g_assert_cmphex(rd64(&t, GRPCFG), ==, 0);

    /* Capability registers are read-only. */
    wr64(&t, DSA_REG_WQCAP, 0);
    g_assert_cmphex(rd64(&t, DSA_REG_WQCAP), ==, wqcap);
    wr32(&t, DSA_REG_VERSION, 0x200);
    g_assert_cmphex(rd32(&t, DSA_REG_VERSION), ==, 0x100);
    dsa_stop(&t);

    /* The counts follow the properties; the tables move with them. */
    dsa_start(&t, ",num-wqs=2,num-engines=1,num-groups=1,wq-size=32,"
              "read-buffers=8");
    wqcap = rd64(&t, DSA_REG_WQCAP);
    g_assert_cmpuint(wqcap & 0xffff, ==, 32);
    g_assert_cmpuint((wqcap >> 16) & 0xff, ==, 2);
    g_assert_cmpuint(rd64(&t, DSA_REG_GRPCAP) & 0xffff, ==, 0x0801);
    g_assert_cmpuint(rd64(&t, DSA_REG_ENGCAP), ==, 1);
    g_assert_cmpuint(qpci_msix_table_size(t.dev), ==, 3);
    offsets = rd64(&t, DSA_REG_TABLE_OFFSET);
    g_assert_cmphex(offsets & 0xffff, ==, 4);
    g_assert_cmphex((offsets >> 16) & 0xffff, ==, 5);
    dsa_stop(&t);
}

/* The idxd driver's flow: reset, configure, enable device, enable WQ. */
static void test_enable_flow(void)
{
    DSATest t;

    dsa_start(&t, "");
    g_assert_cmpuint(dsa_cmd(&t, DSA_CMD_RESET_DEVICE, 0, false), ==, 0);
    /* Without int_req: no INTCAUSE, no interrupt. */
    g_assert_cmphex(rd32(&t, DSA_REG_INTCAUSE), ==, 0);
    g_assert_false(qpci_msix_pending(t.dev, 0));
    wr32(&t, DSA_REG_GENCTRL, DSA_GENCTRL_SWERR_INT_EN |
         DSA_GENCTRL_HALT_INT_EN);

    dsa_set_wq(&t, 0, 16, 0, DEDICATED_KERNEL);
    dsa_set_wq(&t, 1, 32, 24, DSA_WQCFG2_PRIV);
    dsa_set_group(&t, 0, 0x1, 0x1);
    dsa_set_group(&t, 1, 0x2, 0x6);
    g_assert_cmpuint(dsa_cmd(&t, DSA_CMD_ENABLE_DEVICE, 0, true), ==, 0);
    g_assert_cmphex(rd32(&t, DSA_REG_GENSTS), ==, DSA_GENSTS_ENABLED);
    /* Completion: INTCAUSE.CMD and vector 0. */
    g_assert_cmphex(rd32(&t, DSA_REG_INTCAUSE), ==, DSA_INTCAUSE_CMD);
    g_assert_true(qpci_msix_pending(t.dev, 0));
    msix_clear(&t, 0);

    g_assert_cmpuint(wq_state(&t, 0), ==, DSA_WQ_STATE_DISABLED);
    g_assert_cmpuint(dsa_cmd(&t, DSA_CMD_ENABLE_WQ, 0, true), ==, 0);
    g_assert_cmpuint(wq_state(&t, 0), ==, DSA_WQ_STATE_ENABLED);
    g_assert_true(qpci_msix_pending(t.dev, 0));
    /* The shared WQ needs PASID enabled in the PASID capability. */
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ENABLE_WQ, 1, true), ==,
                    DSA_CMDSTS_PASID_EN);
    ecam_writew(&t, DSA_CFG_PASID_OFFSET + PCI_PASID_CTRL,
                PCI_PASID_CTRL_ENABLE | PCI_PASID_CTRL_PRIV);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ENABLE_WQ, 1, true), ==, 0);
    g_assert_cmpuint(wq_state(&t, 1), ==, DSA_WQ_STATE_ENABLED);

    /* Tear down as the driver does. */
    g_assert_cmpuint(dsa_cmd(&t, DSA_CMD_DISABLE_WQ, wq_operand(0), true),
                     ==, 0);
    g_assert_cmpuint(wq_state(&t, 0), ==, DSA_WQ_STATE_DISABLED);
    g_assert_cmpuint(wq_state(&t, 1), ==, DSA_WQ_STATE_ENABLED);
    g_assert_cmpuint(dsa_cmd(&t, DSA_CMD_DISABLE_DEVICE, 0, true), ==, 0);
    g_assert_cmphex(rd32(&t, DSA_REG_GENSTS), ==, DSA_GENSTS_DISABLED);
    g_assert_cmpuint(wq_state(&t, 1), ==, DSA_WQ_STATE_DISABLED);
    /* Disable keeps the configuration, Reset Device clears it. */
    g_assert_cmphex(rd32(&t, WQCFG + 32), ==, 32);
    g_assert_cmphex(rd64(&t, GRPCFG + 64 + DSA_GRPCFG_ENGINES), ==, 0x6);
    g_assert_cmpuint(dsa_cmd(&t, DSA_CMD_RESET_DEVICE, 0, false), ==, 0);
    g_assert_cmphex(rd32(&t, WQCFG + 32), ==, 0);
    g_assert_cmphex(rd64(&t, GRPCFG + 64 + DSA_GRPCFG_ENGINES), ==, 0);
    g_assert_cmphex(rd32(&t, DSA_REG_GENCTRL), ==, 0);
    dsa_stop(&t);
}

static void test_command_errors(void)
{
    DSATest t;
    uint16_t cmd;
    uint32_t sz;

    dsa_start(&t, "");
    /* Device not enabled. */
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_DISABLE_DEVICE, 0, false), ==,
                    DSA_CMDSTS_DIS_DEV_NOT_ENABLED);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ENABLE_WQ, 0, false), ==,
                    DSA_CMDSTS_DEV_NOT_ENABLED);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_DISABLE_WQ, wq_operand(0), false),
                    ==, DSA_CMDSTS_WQ_NOT_ENABLED);
    /* Unknown commands, and interrupt handles (not in CMDCAP). */
    g_assert_cmphex(dsa_cmd(&t, 0, 0, false), ==, DSA_CMDSTS_INVAL_CMD);
    g_assert_cmphex(dsa_cmd(&t, 0x1f, 0, false), ==, DSA_CMDSTS_INVAL_CMD);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_REQUEST_INT_HANDLE, 1, false), ==,
                    DSA_CMDSTS_INVAL_CMD);
    /* WQ indexes the device does not have. */
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ENABLE_WQ, 8, false), ==,
                    DSA_CMDSTS_INVAL_WQIDX);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_DISABLE_WQ, 1u << 8, false), ==,
                    DSA_CMDSTS_INVAL_WQIDX);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_DRAIN_WQ, 1u << 16 | 1, false), ==,
                    DSA_CMDSTS_INVAL_WQIDX);

    /* Enable Device checks the configuration. */
    dsa_set_wq(&t, 0, 100, 0, DEDICATED_KERNEL);
    dsa_set_wq(&t, 1, 29, 0, DEDICATED_KERNEL);
    dsa_set_group(&t, 0, 0x3, 0x1);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ENABLE_DEVICE, 0, false), ==,
                    DSA_CMDSTS_WQ_SIZE_ERANGE);
    wr32(&t, WQCFG + 32, 28);
    wr32(&t, WQCFG + 32 + 8, DSA_WQCFG2_PRIV);      /* shared */
    dsa_set_group(&t, 1, 0x2, 0x2);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ENABLE_DEVICE, 0, false), ==,
                    DSA_CMDSTS_GRP_CONFIG);         /* WQ 1 in two groups */
    dsa_set_group(&t, 0, 0x1, 0x1);
    dsa_set_group(&t, 1, 0x2, 0x0);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ENABLE_DEVICE, 0, false), ==,
                    DSA_CMDSTS_GRP_CONFIG2);        /* group 1 no engine */
    dsa_set_group(&t, 1, 0x2, 0x1);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ENABLE_DEVICE, 0, false), ==,
                    DSA_CMDSTS_GRP_CONFIG);         /* engine 0 twice */
    dsa_set_group(&t, 1, 0x2, 0x2);
    wr64(&t, GRPCFG + DSA_GRPCFG_FLAGS, 97ull << 8);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ENABLE_DEVICE, 0, false), ==,
                    DSA_CMDSTS_GRP_CONFIG3);        /* 97 of 96 reserved */
    wr64(&t, GRPCFG + DSA_GRPCFG_FLAGS, 96ull << 20);
    /* Bus mastering off. */
    cmd = qpci_config_readw(t.dev, PCI_COMMAND);
    qpci_config_writew(t.dev, PCI_COMMAND, cmd & ~PCI_COMMAND_MASTER);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ENABLE_DEVICE, 0, false), ==,
                    DSA_CMDSTS_BUSMASTER_EN);
    qpci_config_writew(t.dev, PCI_COMMAND, cmd);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ENABLE_DEVICE, 0, false), ==, 0);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ENABLE_DEVICE, 0, false), ==,
                    DSA_CMDSTS_DEV_ENABLED);

    /* Enable WQ checks the WQ. */
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ENABLE_WQ, 2, false), ==,
                    DSA_CMDSTS_WQ_SIZE);            /* size 0, no group */
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ENABLE_WQ, 1, false), ==,
                    DSA_CMDSTS_PASID_EN);           /* shared, no PASID */
    wr32(&t, WQCFG + 12, DSA_MAX_XFER_SHIFT | (11 << 5));
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ENABLE_WQ, 0, false), ==,
                    DSA_CMDSTS_MAX_BATCH_SIZE);
    wr32(&t, WQCFG + 12, DSA_MAX_XFER_SHIFT | (DSA_MAX_BATCH_SHIFT << 5));
    wr32(&t, WQCFG + 8, DEDICATED_KERNEL | DSA_WQCFG2_PASID_EN);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ENABLE_WQ, 0, false), ==,
                    DSA_CMDSTS_PASID_EN);           /* PASID cap disabled */
    ecam_writew(&t, DSA_CFG_PASID_OFFSET + PCI_PASID_CTRL,
                PCI_PASID_CTRL_ENABLE);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ENABLE_WQ, 0, false), ==,
                    DSA_CMDSTS_PASID_EN);           /* no privileged mode */
    wr32(&t, WQCFG + 8, DEDICATED_KERNEL);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ENABLE_WQ, 0, false), ==, 0);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ENABLE_WQ, 0, false), ==,
                    DSA_CMDSTS_WQ_ENABLED);
    /* Disable/drain/abort need every named WQ enabled. */
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_DRAIN_WQ, 0x3, false), ==,
                    DSA_CMDSTS_WQ_NOT_ENABLED);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_DRAIN_WQ, 0x1, false), ==, 0);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ABORT_WQ, 0x1, false), ==, 0);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_DRAIN_ALL, 0, false), ==, 0);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ABORT_ALL, 0, false), ==, 0);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_DRAIN_PASID, 5, false), ==, 0);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ABORT_PASID, 5, false), ==, 0);
    g_assert_cmpuint(wq_state(&t, 0), ==, DSA_WQ_STATE_ENABLED);
    /*
     * Reset WQ disables the WQ and clears its configuration but its size,
     * which cannot be written while the device is enabled: rewriting the
     * rest re-enables it (Linux 6.13+ disables WQs with Drain + Reset WQ).
     */
    sz = rd32(&t, WQCFG + 0);
    g_assert_cmpuint(sz, !=, 0);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_RESET_WQ, 0x1, false), ==, 0);
    g_assert_cmpuint(wq_state(&t, 0), ==, DSA_WQ_STATE_DISABLED);
    g_assert_cmphex(rd32(&t, WQCFG + 8), ==, 0);
    g_assert_cmphex(rd32(&t, WQCFG + 0), ==, sz);
    wr32(&t, WQCFG + 8, DEDICATED_KERNEL);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ENABLE_WQ, 0, false), ==, 0);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_RESET_WQ, 0x1, false), ==, 0);
    /* The last command and its status stay readable. */
    g_assert_cmphex(rd32(&t, DSA_REG_CMD), ==,
                    DSA_CMD_RESET_WQ << DSA_CMD_CODE_SHIFT | 1);
    dsa_stop(&t);
}

static void test_config_write_rules(void)
{
    DSATest t;
    uint32_t base = WQCFG + 3 * DSA_WQCFG_SIZE;

    dsa_start(&t, "");
    /* Reserved bits read as zero; the state dword is read-only. */
    wr32(&t, base + 0, 0xffffffff);
    wr32(&t, base + 4, 0xffffffff);
    wr32(&t, base + 8, 0xffffffff);
    wr32(&t, base + 12, 0xffffffff);
    wr32(&t, base + 16, 0xffffffff);
    wr32(&t, base + 24, 0xffffffff);
    g_assert_cmphex(rd32(&t, base + 0), ==, 0xffff);
    g_assert_cmphex(rd32(&t, base + 4), ==, 0xffff);
    g_assert_cmphex(rd32(&t, base + 8), ==, DSA_WQCFG2_MASK);
    g_assert_cmphex(rd32(&t, base + 12), ==, 0x1ff);
    g_assert_cmphex(rd32(&t, base + 16), ==, 0);
    g_assert_cmphex(rd32(&t, base + 24), ==, 0);
    /* Dword read-modify-write leaves the other dwords alone. */
    wr32(&t, base + 8, DSA_WQCFG2_DEDICATED);
    g_assert_cmphex(rd32(&t, base + 0), ==, 0xffff);
    g_assert_cmphex(rd64(&t, base + 8), ==, 0x1ffull << 32 |
                    DSA_WQCFG2_DEDICATED);
    /* GRPCFG: bits past the WQs and engines the device has are zero. */
    wr64(&t, GRPCFG + DSA_GRPCFG_WQS, ~0ull);
    wr64(&t, GRPCFG + DSA_GRPCFG_WQS + 8, ~0ull);
    wr64(&t, GRPCFG + DSA_GRPCFG_ENGINES, ~0ull);
    wr64(&t, GRPCFG + DSA_GRPCFG_FLAGS, ~0ull);
    g_assert_cmphex(rd64(&t, GRPCFG + DSA_GRPCFG_WQS), ==, 0xff);
    g_assert_cmphex(rd64(&t, GRPCFG + DSA_GRPCFG_WQS + 8), ==, 0);
    g_assert_cmphex(rd64(&t, GRPCFG + DSA_GRPCFG_ENGINES), ==, 0xf);
    g_assert_cmphex(rd64(&t, GRPCFG + DSA_GRPCFG_FLAGS), ==,
                    DSA_GRPFLAGS_MASK);
    /* GENCFG. */
    wr32(&t, DSA_REG_GENCFG, 0xffffffff);
    g_assert_cmphex(rd32(&t, DSA_REG_GENCFG), ==, DSA_GENCFG_MASK);
    wr32(&t, DSA_REG_GENCFG, DSA_GENCFG_USER_INT_EN);

    /* Once the device is enabled: GENCFG, GRPCFG and WQ sizes are fixed. */
    wr32(&t, base + 0, 0);
    dsa_set_wq(&t, 0, 8, 0, DEDICATED_KERNEL);
    dsa_set_group(&t, 0, 0x1, 0x1);
    wr64(&t, GRPCFG + DSA_GRPCFG_ENGINES, 0x1);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ENABLE_DEVICE, 0, false), ==, 0);
    wr32(&t, DSA_REG_GENCFG, 0);
    g_assert_cmphex(rd32(&t, DSA_REG_GENCFG), ==, DSA_GENCFG_USER_INT_EN);
    wr64(&t, GRPCFG + DSA_GRPCFG_ENGINES, 0x3);
    g_assert_cmphex(rd64(&t, GRPCFG + DSA_GRPCFG_ENGINES), ==, 0x1);
    wr32(&t, base + 0, 4);
    g_assert_cmphex(rd32(&t, base + 0), ==, 0);
    /* ... while a disabled WQ's other fields may change. */
    wr32(&t, base + 4, 3);
    g_assert_cmphex(rd32(&t, base + 4), ==, 3);
    /* An enabled WQ's configuration is read-only. */
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_ENABLE_WQ, 0, false), ==, 0);
    wr32(&t, WQCFG + 8, 0);
    wr32(&t, WQCFG + 4, 7);
    g_assert_cmphex(rd32(&t, WQCFG + 8), ==, DEDICATED_KERNEL);
    g_assert_cmphex(rd32(&t, WQCFG + 4), ==, 0);
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_DISABLE_WQ, 1, false), ==, 0);
    wr32(&t, WQCFG + 4, 7);
    g_assert_cmphex(rd32(&t, WQCFG + 4), ==, 7);

    /* MSI-X permissions: Ignore, PASID enable and the PASID. */
    wr64(&t, MSIXPERM + 8, ~0ull);
    g_assert_cmphex(rd64(&t, MSIXPERM + 8), ==, DSA_MSIXPERM_MASK);
    g_assert_cmphex(rd64(&t, MSIXPERM), ==, 0);
    dsa_stop(&t);
}

static void test_intcause(void)
{
    DSATest t;

    dsa_start(&t, "");
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_DISABLE_DEVICE, 0, true), ==,
                    DSA_CMDSTS_DIS_DEV_NOT_ENABLED);
    /* Failed commands complete too. */
    g_assert_cmphex(rd32(&t, DSA_REG_INTCAUSE), ==, DSA_INTCAUSE_CMD);
    g_assert_true(qpci_msix_pending(t.dev, 0));
    g_assert_false(qpci_msix_pending(t.dev, 1));
    msix_clear(&t, 0);
    /* Write 0: nothing; write 1: clear. */
    wr32(&t, DSA_REG_INTCAUSE, 0);
    g_assert_cmphex(rd32(&t, DSA_REG_INTCAUSE), ==, DSA_INTCAUSE_CMD);
    wr32(&t, DSA_REG_INTCAUSE, ~DSA_INTCAUSE_CMD);
    g_assert_cmphex(rd32(&t, DSA_REG_INTCAUSE), ==, DSA_INTCAUSE_CMD);
    wr32(&t, DSA_REG_INTCAUSE, DSA_INTCAUSE_CMD);
    g_assert_cmphex(rd32(&t, DSA_REG_INTCAUSE), ==, 0);
    /* No int_req: no cause, no interrupt. */
    g_assert_cmphex(dsa_cmd(&t, DSA_CMD_DISABLE_DEVICE, 0, false), ==,
                    DSA_CMDSTS_DIS_DEV_NOT_ENABLED);
    g_assert_cmphex(rd32(&t, DSA_REG_INTCAUSE), ==, 0);
    g_assert_false(qpci_msix_pending(t.dev, 0));
    /* SWERR is write-1-to-clear too, and starts empty. */
    wr64(&t, DSA_REG_SWERR, DSA_SWERR_VALID | DSA_SWERR_OVERFLOW);
    g_assert_cmphex(rd64(&t, DSA_REG_SWERR), ==, 0);
    dsa_stop(&t);
}

/* A function level reset returns the device to its reset state. */
static void test_flr(void)
{
    DSATest t;
    uint16_t devctl;

    dsa_start(&t, "");
    wr32(&t, DSA_REG_GENCTRL, DSA_GENCTRL_SWERR_INT_EN);
    dsa_set_wq(&t, 0, 16, 0, DEDICATED_KERNEL);
    dsa_set_group(&t, 0, 0x1, 0x1);
    wr32(&t, MSIXPERM, DSA_MSIXPERM_IGNORE);
    g_assert_cmpuint(dsa_cmd(&t, DSA_CMD_ENABLE_DEVICE, 0, true), ==, 0);
    g_assert_cmpuint(dsa_cmd(&t, DSA_CMD_ENABLE_WQ, 0, true), ==, 0);
    g_assert_cmphex(rd32(&t, DSA_REG_INTCAUSE), ==, DSA_INTCAUSE_CMD);

    devctl = qpci_config_readw(t.dev, DSA_CFG_EXP_OFFSET + PCI_EXP_DEVCTL);
    qpci_config_writew(t.dev, DSA_CFG_EXP_OFFSET + PCI_EXP_DEVCTL,
                       devctl | PCI_EXP_DEVCTL_BCR_FLR);
    /* FLR clears the command register too: map everything again. */
    qpci_device_enable(t.dev);
    qpci_msix_disable(t.dev);
    qpci_msix_enable(t.dev);
    t.bar0 = t.dev->msix_table_bar;
    g_assert_cmphex(rd32(&t, DSA_REG_GENSTS), ==, DSA_GENSTS_DISABLED);
    g_assert_cmphex(rd32(&t, DSA_REG_GENCTRL), ==, 0);
    g_assert_cmphex(rd32(&t, DSA_REG_INTCAUSE), ==, 0);
    g_assert_cmphex(rd32(&t, DSA_REG_CMDSTS), ==, 0);
    g_assert_cmphex(rd32(&t, WQCFG), ==, 0);
    g_assert_cmphex(wq_state(&t, 0), ==, DSA_WQ_STATE_DISABLED);
    g_assert_cmphex(rd64(&t, GRPCFG + DSA_GRPCFG_ENGINES), ==, 0);
    g_assert_cmphex(rd32(&t, MSIXPERM), ==, 0);
    dsa_stop(&t);
}

/* Descriptor submission (needs qtest_write_block/qtest_dmwr). */

#define SRC             0x100000
#define DST             0x200000
#define COMP            0x300000        /* 32-byte completion records */
#define XFER            4096

#define OP_NOOP         0x00
#define OP_MEMMOVE      0x03
#define FLAG_CRAV       0x04
#define FLAG_RCR        0x08
#define FLAG_RCI        0x10
#define DESC_PRIV       (1u << 31)

static uint64_t portal(DSATest *t, unsigned wq, unsigned page)
{
    return t->bar2.addr + wq * DSA_WQ_PORTAL_SIZE + page * DSA_PORTAL_PAGE;
}

static void make_desc(uint8_t *d, uint32_t pasid_priv, uint8_t op,
                      uint32_t flags, uint64_t comp, uint64_t src,
                      uint64_t dst, uint32_t len, uint16_t handle)
{
    memset(d, 0, 64);
    stl_le_p(d, pasid_priv);
    stl_le_p(d + 4, flags | ((uint32_t)op << 24));
    stq_le_p(d + 8, comp);
    stq_le_p(d + 16, src);
    stq_le_p(d + 24, dst);
    stl_le_p(d + 32, len);
    stw_le_p(d + 36, handle);
}

/* A memmove of XFER bytes from SRC + n * XFER, completion record n. */
static void make_memmove(uint8_t *d, unsigned n, uint32_t pasid_priv,
                         uint16_t handle)
{
    make_desc(d, pasid_priv, OP_MEMMOVE, FLAG_CRAV | FLAG_RCR | FLAG_RCI,
              COMP + n * 32, SRC + n * XFER, DST + n * XFER, XFER, handle);
}

static void fill_src(DSATest *t, unsigned n)
{
    g_autofree uint8_t *buf = g_malloc(XFER);
    unsigned i;

    for (i = 0; i < XFER; i++) {
        buf[i] = i * 7 + n + 1;
    }
    qtest_memwrite(t->qts, SRC + n * XFER, buf, XFER);
    qtest_memset(t->qts, DST + n * XFER, 0, XFER);
    qtest_memset(t->qts, COMP + n * 32, 0, 32);
}

static uint8_t comp_status(DSATest *t, unsigned n)
{
    return qtest_readb(t->qts, COMP + n * 32);
}

static uint8_t wait_comp(DSATest *t, unsigned n)
{
    int i;

    for (i = 0; i < 20000; i++) {
        uint8_t st = comp_status(t, n);

        if (st) {
            return st;
        }
        g_usleep(100);
    }
    return 0;
}

static void check_moved(DSATest *t, unsigned n)
{
    g_autofree uint8_t *src = g_malloc(XFER);
    g_autofree uint8_t *dst = g_malloc(XFER);

    qtest_memread(t->qts, SRC + n * XFER, src, XFER);
    qtest_memread(t->qts, DST + n * XFER, dst, XFER);
    g_assert(memcmp(src, dst, XFER) == 0);
}

static bool wait_msix(DSATest *t, uint16_t v)
{
    int i;

    for (i = 0; i < 20000; i++) {
        if (qpci_msix_pending(t->dev, v)) {
            return true;
        }
        g_usleep(100);
    }
    return false;
}

static void hold_engines(DSATest *t, bool hold)
{
    qtest_qom_set_bool(t->qts, "/machine/peripheral/dsa", "x-hold-engines",
                       hold);
}

static uint32_t occupancy(DSATest *t, unsigned wq)
{
    return rd32(t, WQCFG + wq * DSA_WQCFG_SIZE + 24) & 0xffff;
}

/*
 * WQ 0: dedicated, kernel (privileged, no PASID), size 8, group 0.
 * WQ 1: shared, size 4, threshold 2, privileged allowed, group 1.
 * WQ 2: shared, user only (no priv), size 4, threshold 4, group 1.
 */
static void dsa_setup_wqs(DSATest *t)
{
    ecam_writew(t, DSA_CFG_PASID_OFFSET + PCI_PASID_CTRL,
                PCI_PASID_CTRL_ENABLE | PCI_PASID_CTRL_PRIV);
    g_assert_cmpuint(dsa_cmd(t, DSA_CMD_RESET_DEVICE, 0, false), ==, 0);
    wr32(t, DSA_REG_GENCTRL, DSA_GENCTRL_SWERR_INT_EN);
    dsa_set_wq(t, 0, 8, 0, DEDICATED_KERNEL);
    dsa_set_wq(t, 1, 4, 2, DSA_WQCFG2_PRIV);
    dsa_set_wq(t, 2, 4, 4, 0);
    dsa_set_group(t, 0, 0x1, 0x1);
    dsa_set_group(t, 1, 0x6, 0x6);
    g_assert_cmpuint(dsa_cmd(t, DSA_CMD_ENABLE_DEVICE, 0, false), ==, 0);
    g_assert_cmpuint(dsa_cmd(t, DSA_CMD_ENABLE_WQ, 0, false), ==, 0);
    g_assert_cmpuint(dsa_cmd(t, DSA_CMD_ENABLE_WQ, 1, false), ==, 0);
    g_assert_cmpuint(dsa_cmd(t, DSA_CMD_ENABLE_WQ, 2, false), ==, 0);
}

static void dsa_start_wqs(DSATest *t)
{
    dsa_start(t, ",id=dsa");
    dsa_setup_wqs(t);
}

static void test_dedicated_memmove(void)
{
    DSATest t;
    uint8_t d[64];

    dsa_start_wqs(&t);
    fill_src(&t, 0);
    make_memmove(d, 0, 0, 1);
    qtest_write_block(t.qts, portal(&t, 0, 1), d, sizeof(d));
    g_assert_cmphex(wait_comp(&t, 0), ==, 1);
    check_moved(&t, 0);
    /* The interrupt comes after the record, on vector 1 (WQ 0). */
    g_assert_true(wait_msix(&t, 1));
    g_assert_false(qpci_msix_pending(t.dev, 2));

    /* A NOOP without completion interrupt: no interrupt. */
    msix_clear(&t, 1);
    qtest_memset(t.qts, COMP, 0, 32);
    make_desc(d, 0, OP_NOOP, FLAG_CRAV | FLAG_RCR, COMP, 0, 0, 0, 1);
    qtest_write_block(t.qts, portal(&t, 0, 0), d, sizeof(d));
    g_assert_cmphex(wait_comp(&t, 0), ==, 1);
    g_usleep(20000);
    g_assert_false(qpci_msix_pending(t.dev, 1));

    /* MOVDIR64B is not ENQCMD: refused on a dedicated WQ. */
    g_assert_false(qtest_dmwr(t.qts, portal(&t, 0, 1), d, sizeof(d)));
    /* Ordinary writes to a portal are dropped. */
    hold_engines(&t, true);
    qtest_memset(t.qts, COMP, 0, 32);
    qtest_writeq(t.qts, portal(&t, 0, 0), ldq_le_p(d));
    qtest_writel(t.qts, portal(&t, 0, 0) + 8, 0);
    g_assert_cmpuint(occupancy(&t, 0), ==, 0);
    /* A full dedicated WQ (size 8) drops what comes next. */
    for (unsigned n = 0; n < 9; n++) {
        qtest_write_block(t.qts, portal(&t, 0, 0), d, sizeof(d));
    }
    g_assert_cmpuint(occupancy(&t, 0), ==, 8);
    hold_engines(&t, false);
    g_assert_cmpuint(dsa_cmd(&t, DSA_CMD_DRAIN_WQ, wq_operand(0), false),
                     ==, 0);
    g_assert_cmpuint(occupancy(&t, 0), ==, 0);
    dsa_stop(&t);
}

static void test_shared_memmove(void)
{
    DSATest t;
    uint8_t d[64];

    dsa_start_wqs(&t);
    fill_src(&t, 1);
    make_memmove(d, 1, DESC_PRIV | 5, 2);
    g_assert_true(qtest_dmwr(t.qts, portal(&t, 1, 1), d, sizeof(d)));
    g_assert_cmphex(wait_comp(&t, 1), ==, 1);
    check_moved(&t, 1);
    g_assert_true(wait_msix(&t, 2));

    /* A posted 64-byte write is not a DMWr: dropped by a shared WQ. */
    fill_src(&t, 2);
    make_memmove(d, 2, DESC_PRIV | 5, 2);
    qtest_write_block(t.qts, portal(&t, 1, 1), d, sizeof(d));
    /* ... and an IMS portal page refuses descriptors. */
    g_assert_false(qtest_dmwr(t.qts, portal(&t, 1, 2), d, sizeof(d)));
    g_assert_false(qtest_dmwr(t.qts, portal(&t, 1, 3), d, sizeof(d)));
    g_assert_cmpuint(dsa_cmd(&t, DSA_CMD_DRAIN_ALL, 0, false), ==, 0);
    g_assert_cmphex(comp_status(&t, 2), ==, 0);
    dsa_stop(&t);
}

static void test_shared_retry(void)
{
    DSATest t;
    uint8_t d[64];
    unsigned n;

    dsa_start_wqs(&t);
    hold_engines(&t, true);
    /* Limited portal: Retry at the threshold (2). */
    for (n = 0; n < 4; n++) {
        fill_src(&t, n);
    }
    make_memmove(d, 0, DESC_PRIV, 2);
    g_assert_true(qtest_dmwr(t.qts, portal(&t, 1, 1), d, sizeof(d)));
    make_memmove(d, 1, DESC_PRIV, 2);
    g_assert_true(qtest_dmwr(t.qts, portal(&t, 1, 1), d, sizeof(d)));
    make_memmove(d, 2, DESC_PRIV, 2);
    g_assert_false(qtest_dmwr(t.qts, portal(&t, 1, 1), d, sizeof(d)));
    g_assert_cmpuint(occupancy(&t, 1), ==, 2);
    /* Unlimited portal: Retry at the WQ size (4). */
    g_assert_true(qtest_dmwr(t.qts, portal(&t, 1, 0), d, sizeof(d)));
    make_memmove(d, 3, DESC_PRIV, 2);
    g_assert_true(qtest_dmwr(t.qts, portal(&t, 1, 0), d, sizeof(d)));
    g_assert_false(qtest_dmwr(t.qts, portal(&t, 1, 0), d, sizeof(d)));
    g_assert_cmpuint(occupancy(&t, 1), ==, 4);
    g_assert_cmphex(comp_status(&t, 0), ==, 0);
    hold_engines(&t, false);
    for (n = 0; n < 4; n++) {
        g_assert_cmphex(wait_comp(&t, n), ==, 1);
        check_moved(&t, n);
    }
    g_assert_cmpuint(occupancy(&t, 1), ==, 0);
    g_assert_true(qtest_dmwr(t.qts, portal(&t, 1, 1), d, sizeof(d)));

    /* A disabled WQ answers Retry. */
    g_assert_cmpuint(dsa_cmd(&t, DSA_CMD_DISABLE_WQ, wq_operand(1), false),
                     ==, 0);
    g_assert_false(qtest_dmwr(t.qts, portal(&t, 1, 0), d, sizeof(d)));
    dsa_stop(&t);
}

static void test_priv(void)
{
    DSATest t;
    uint8_t d[64];

    dsa_start_wqs(&t);
    /* A privileged descriptor on the user WQ 2: status 0x1d, no move. */
    fill_src(&t, 0);
    make_memmove(d, 0, DESC_PRIV | 7, 3);
    g_assert_true(qtest_dmwr(t.qts, portal(&t, 2, 1), d, sizeof(d)));
    g_assert_cmphex(wait_comp(&t, 0), ==, DSA_COMP_PRIV_BAD);
    g_assert_cmphex(qtest_readb(t.qts, DST), ==, 0);
    /* A user descriptor there works (with user interrupts off: none). */
    fill_src(&t, 1);
    make_memmove(d, 1, 7, 3);
    g_assert_true(qtest_dmwr(t.qts, portal(&t, 2, 1), d, sizeof(d)));
    g_assert_cmphex(wait_comp(&t, 1), ==, 1);
    check_moved(&t, 1);
    g_usleep(20000);
    g_assert_false(qpci_msix_pending(t.dev, 3));

    /* Without a completion record address: SWERR, INTCAUSE, vector 0. */
    g_assert_cmphex(rd64(&t, DSA_REG_SWERR), ==, 0);
    make_desc(d, DESC_PRIV | 7, OP_NOOP, 0, 0, 0, 0, 0, 0);
    g_assert_true(qtest_dmwr(t.qts, portal(&t, 2, 1), d, sizeof(d)));
    g_assert_true(wait_msix(&t, 0));
    g_assert_cmphex(rd32(&t, DSA_REG_INTCAUSE) & DSA_INTCAUSE_SWERR, ==,
                    DSA_INTCAUSE_SWERR);
    g_assert_cmphex(rd64(&t, DSA_REG_SWERR), ==,
                    DSA_SWERR_VALID | DSA_SWERR_DESC_VALID |
                    DSA_SWERR_WQ_IDX_VALID | DSA_SWERR_PRIV |
                    ((uint64_t)DSA_COMP_PRIV_BAD << DSA_SWERR_ERROR_SHIFT) |
                    (2ull << DSA_SWERR_WQ_IDX_SHIFT) |
                    (7ull << DSA_SWERR_PASID_SHIFT));
    wr64(&t, DSA_REG_SWERR, DSA_SWERR_VALID);
    g_assert_cmphex(rd64(&t, DSA_REG_SWERR) & DSA_SWERR_VALID, ==, 0);
    dsa_stop(&t);
}

static void test_drain_abort(void)
{
    DSATest t;
    uint8_t d[64];
    unsigned n;

    dsa_start_wqs(&t);
    /* Abort WQ drops what waits; nothing runs later. */
    hold_engines(&t, true);
    for (n = 0; n < 3; n++) {
        fill_src(&t, n);
        make_memmove(d, n, 0, 1);
        qtest_write_block(t.qts, portal(&t, 0, 0), d, sizeof(d));
    }
    g_assert_cmpuint(occupancy(&t, 0), ==, 3);
    g_assert_cmpuint(dsa_cmd(&t, DSA_CMD_ABORT_WQ, wq_operand(0), false),
                     ==, 0);
    g_assert_cmpuint(occupancy(&t, 0), ==, 0);
    hold_engines(&t, false);
    g_assert_cmpuint(dsa_cmd(&t, DSA_CMD_DRAIN_ALL, 0, false), ==, 0);
    for (n = 0; n < 3; n++) {
        g_assert_cmphex(comp_status(&t, n), ==, 0);
    }
    g_assert_cmpuint(wq_state(&t, 0), ==, DSA_WQ_STATE_ENABLED);

    /* Drain WQ waits for the work in flight: Active until it is done. */
    hold_engines(&t, true);
    for (n = 0; n < 3; n++) {
        fill_src(&t, n);
        make_memmove(d, n, 0, 1);
        qtest_write_block(t.qts, portal(&t, 0, 0), d, sizeof(d));
    }
    wr32(&t, DSA_REG_INTCAUSE, DSA_INTCAUSE_CMD);
    wr32(&t, DSA_REG_CMD, DSA_CMD_DRAIN_WQ << DSA_CMD_CODE_SHIFT |
         DSA_CMD_INT_REQ | wq_operand(0));
    g_usleep(20000);
    g_assert_cmphex(rd32(&t, DSA_REG_CMDSTS), ==, DSA_CMDSTS_ACTIVE);
    g_assert_cmphex(rd32(&t, DSA_REG_INTCAUSE), ==, 0);
    /* Another command meanwhile is ignored. */
    wr32(&t, DSA_REG_CMD, DSA_CMD_DISABLE_DEVICE << DSA_CMD_CODE_SHIFT);
    g_assert_cmphex(rd32(&t, DSA_REG_GENSTS), ==, DSA_GENSTS_ENABLED);
    hold_engines(&t, false);
    for (n = 0; n < 50 && rd32(&t, DSA_REG_CMDSTS); n++) {
        g_usleep(1000);
    }
    g_assert_cmphex(rd32(&t, DSA_REG_CMDSTS), ==, 0);
    g_assert_cmphex(rd32(&t, DSA_REG_INTCAUSE), ==, DSA_INTCAUSE_CMD);
    for (n = 0; n < 3; n++) {
        g_assert_cmphex(comp_status(&t, n), ==, 1);
        check_moved(&t, n);
    }

    /* Disable Device with work queued: runs it, then disables. */
    hold_engines(&t, true);
    fill_src(&t, 0);
    make_memmove(d, 0, 0, 1);
    qtest_write_block(t.qts, portal(&t, 0, 0), d, sizeof(d));
    wr32(&t, DSA_REG_CMD, DSA_CMD_DISABLE_DEVICE << DSA_CMD_CODE_SHIFT);
    g_assert_cmphex(rd32(&t, DSA_REG_CMDSTS), ==, DSA_CMDSTS_ACTIVE);
    /* No new work while disabling. */
    fill_src(&t, 1);
    make_memmove(d, 1, 0, 1);
    qtest_write_block(t.qts, portal(&t, 0, 0), d, sizeof(d));
    hold_engines(&t, false);
    for (n = 0; n < 50 && rd32(&t, DSA_REG_CMDSTS); n++) {
        g_usleep(1000);
    }
    g_assert_cmphex(rd32(&t, DSA_REG_CMDSTS), ==, 0);
    g_assert_cmphex(rd32(&t, DSA_REG_GENSTS), ==, DSA_GENSTS_DISABLED);
    g_assert_cmphex(comp_status(&t, 0), ==, 1);
    g_assert_cmphex(comp_status(&t, 1), ==, 0);

    /* A descriptor to a disabled dedicated WQ is dropped. */
    qtest_write_block(t.qts, portal(&t, 0, 0), d, sizeof(d));
    g_assert_cmpuint(occupancy(&t, 0), ==, 0);

    /* Reset Device with work waiting drops it. */
    dsa_setup_wqs(&t);
    hold_engines(&t, true);
    qtest_write_block(t.qts, portal(&t, 0, 0), d, sizeof(d));
    g_assert_cmpuint(dsa_cmd(&t, DSA_CMD_RESET_DEVICE, 0, false), ==, 0);
    hold_engines(&t, false);
    g_assert_cmphex(comp_status(&t, 1), ==, 0);
    g_assert_cmphex(rd32(&t, DSA_REG_GENSTS), ==, DSA_GENSTS_DISABLED);
    dsa_stop(&t);
}

static void test_msix_perm(void)
{
    DSATest t;
    uint8_t d[64];

    dsa_start_wqs(&t);
    /* Ignore: the record is written, the interrupt is not sent. */
    wr32(&t, MSIXPERM + 8, DSA_MSIXPERM_IGNORE);
    fill_src(&t, 0);
    make_memmove(d, 0, 0, 1);
    qtest_write_block(t.qts, portal(&t, 0, 0), d, sizeof(d));
    g_assert_cmphex(wait_comp(&t, 0), ==, 1);
    g_assert_cmpuint(dsa_cmd(&t, DSA_CMD_DRAIN_ALL, 0, false), ==, 0);
    g_usleep(20000);
    g_assert_false(qpci_msix_pending(t.dev, 1));
    /* PASID check: WQ 0 has no PASID, the entry wants PASID 3. */
    wr32(&t, MSIXPERM + 8, DSA_MSIXPERM_PASID_EN |
         (3 << DSA_MSIXPERM_PASID_SHIFT));
    fill_src(&t, 0);
    qtest_write_block(t.qts, portal(&t, 0, 0), d, sizeof(d));
    g_assert_cmphex(wait_comp(&t, 0), ==, 1);
    g_assert_cmpuint(dsa_cmd(&t, DSA_CMD_DRAIN_ALL, 0, false), ==, 0);
    g_usleep(20000);
    g_assert_false(qpci_msix_pending(t.dev, 1));
    /* Cleared: delivered. */
    wr32(&t, MSIXPERM + 8, 0);
    fill_src(&t, 0);
    qtest_write_block(t.qts, portal(&t, 0, 0), d, sizeof(d));
    g_assert_cmphex(wait_comp(&t, 0), ==, 1);
    g_assert_true(wait_msix(&t, 1));
    dsa_stop(&t);
}

static void test_bad_properties(void)
{
    static const struct {
        const char *props;
        const char *msg;
    } bad[] = {
        { "num-wqs=0", "num-wqs must be 1 to 32, not 0" },
        { "num-wqs=33", "num-wqs must be 1 to 32, not 33" },
        { "num-engines=0", "num-engines must be 1 to 16, not 0" },
        { "num-engines=17", "num-engines must be 1 to 16, not 17" },
        { "num-groups=0", "num-groups must be 1 to 16, not 0" },
        { "wq-size=4", "wq-size must be num-wqs (8) to 65535, not 4" },
        { "wq-size=65536", "wq-size must be num-wqs (8) to 65535" },
        { "read-buffers=256", "read-buffers must be 0 to 255, not 256" },
    };
    int i;

    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        g_autofree char *args =
            g_strdup_printf("-device intel-dsa,%s", bad[i].props);

        qsva_expect_refused(args, bad[i].msg);
    }
    qsva_expect_refused("-M pc -device intel-dsa",
                        "intel-dsa needs a PCI Express bus");
}

/*
 * Page faults behind VT-d.  The guest tables: a scalable-mode root and
 * context entry for the device (page requests allowed), a PASID
 * directory, and a first-stage table for user PASID UPASID mapping the
 * IOVA_* pages to SRC, DST and COMP.  The invalidation queue carries page
 * group responses; page requests land in the page request queue.
 */
#define IOMMU_BASE      Q35_HOST_BRIDGE_IOMMU_ADDR
#define VT_ROOT         0x400000ULL
#define VT_CTX          0x401000ULL
#define VT_PDIR         0x402000ULL
#define VT_IQ           0x403000ULL
#define VT_PQ           0x404000ULL
#define VT_ALLOC        0x410000ULL
#define UPASID          0x42
#define IOVA_SRC        0x40000000ULL
#define IOVA_DST        0x40100000ULL
#define IOVA_COMP       0x40200000ULL
#define FS_USER         0x7ULL          /* present, writable, user */
#define FLAG_BOF        0x02
#define PF_XFER         8192            /* the second DST page faults */
#define VTD_SVM_ARGS    "-device intel-iommu,x-scalable-mode=on,x-flts=on," \
                        "x-pasid-mode=on,device-iotlb=on,svm=on"
#define USER_BOF_WQ     (DSA_WQCFG2_DEDICATED | DSA_WQCFG2_BOF | \
                         DSA_WQCFG2_PASID_EN | \
                         (UPASID << DSA_WQCFG2_PASID_SHIFT) | \
                         (1u << DSA_WQCFG2_PRIORITY_SHIFT))
#define USER_WQ         (USER_BOF_WQ & ~DSA_WQCFG2_BOF)

typedef struct DSAVtd {
    uint64_t next;          /* page allocator */
    uint64_t fs_root;
    unsigned iq_tail;
    unsigned pq_seen;       /* page requests read so far */
} DSAVtd;

static uint64_t vt_page(DSATest *t, DSAVtd *v)
{
    uint64_t p = v->next;

    v->next += 4096;
    qtest_memset(t->qts, p, 0, 4096);
    return p;
}

/* Map the 4 KiB page @iova to @pa for the user PASID (4 levels). */
static void vt_set(DSATest *t, DSAVtd *v, uint64_t iova, uint64_t leaf)
{
    uint64_t table = v->fs_root;
    int level;

    for (level = 4; level > 1; level--) {
        uint64_t e = table + ((iova >> (12 + 9 * (level - 1))) & 0x1ff) * 8;
        uint64_t pte = qtest_readq(t->qts, e);

        if (!(pte & 1)) {
            pte = vt_page(t, v) | FS_USER;
            qtest_writeq(t->qts, e, pte);
        }
        table = pte & 0x000ffffffffff000ULL;
    }
    qtest_writeq(t->qts, table + ((iova >> 12) & 0x1ff) * 8, leaf);
}

static void vt_map(DSATest *t, DSAVtd *v, uint64_t iova, uint64_t pa)
{
    vt_set(t, v, iova, pa | FS_USER);
}

/* A scalable-mode PASID-table entry */
static void vt_set_pe(DSATest *t, DSAVtd *v, uint32_t pasid, uint64_t v0,
                      uint64_t v1, uint64_t v2)
{
    uint64_t dire = VT_PDIR + (pasid >> 6) * 8;
    uint64_t tbl = qtest_readq(t->qts, dire);
    uint64_t pe;

    if (!(tbl & 1)) {
        tbl = vt_page(t, v) | 1;
        qtest_writeq(t->qts, dire, tbl);
    }
    pe = (tbl & ~0xfffULL) + (pasid & 0x3f) * 64;
    qtest_writeq(t->qts, pe + 8, v1);
    qtest_writeq(t->qts, pe + 16, v2);
    qtest_writeq(t->qts, pe + 24, 0);
    qtest_writeq(t->qts, pe, v0);
}

static void vt_setup(DSATest *t, DSAVtd *v)
{
    memset(v, 0, sizeof(*v));
    v->next = VT_ALLOC;
    qtest_memset(t->qts, VT_ROOT, 0, 0x5000);
    /* root entry of bus 0; context entry: PRE, DTE, PASID directory */
    qtest_writeq(t->qts, VT_ROOT, VT_CTX | 1);
    qtest_writeq(t->qts, VT_CTX + DSA_DEVFN * 32,
                 VT_PDIR | (1ULL << 4) | (1ULL << 2) | 1);
    /* RID_PASID pass-through (PGTT 4), the user PASID first-stage (1) */
    vt_set_pe(t, v, 0, (4ULL << 6) | 1, 1, 0);
    v->fs_root = vt_page(t, v);
    vt_set_pe(t, v, UPASID, (1ULL << 6) | 1, 1, v->fs_root);
    vt_map(t, v, IOVA_SRC, SRC);
    vt_map(t, v, IOVA_SRC + 4096, SRC + 4096);
    vt_map(t, v, IOVA_DST, DST);
    vt_map(t, v, IOVA_COMP, COMP);

    qtest_writeq(t->qts, IOMMU_BASE + DMAR_RTADDR_REG,
                 VT_ROOT | VTD_RTADDR_SMT);
    qtest_writel(t->qts, IOMMU_BASE + DMAR_GCMD_REG, VTD_GCMD_SRTP);
    qtest_writel(t->qts, IOMMU_BASE + DMAR_GCMD_REG, VTD_GCMD_TE);
    g_assert(qtest_readl(t->qts, IOMMU_BASE + DMAR_GSTS_REG) & VTD_GSTS_TES);
    qtest_writeq(t->qts, IOMMU_BASE + DMAR_IQA_REG, VT_IQ | VTD_IQA_DW_MASK);
    qtest_writel(t->qts, IOMMU_BASE + DMAR_GCMD_REG,
                 VTD_GCMD_TE | VTD_GCMD_QIE);
    g_assert(qtest_readl(t->qts, IOMMU_BASE + DMAR_GSTS_REG) &
             VTD_GSTS_QIES);
    qtest_writeq(t->qts, IOMMU_BASE + DMAR_PQA_REG, VT_PQ);    /* 128 */
}

/* Submit one 256-bit descriptor to the invalidation queue */
static void vt_qi(DSATest *t, DSAVtd *v, uint64_t lo, uint64_t hi)
{
    uint64_t d = VT_IQ + v->iq_tail * 32;

    qtest_writeq(t->qts, d, lo);
    qtest_writeq(t->qts, d + 8, hi);
    qtest_writeq(t->qts, d + 16, 0);
    qtest_writeq(t->qts, d + 24, 0);
    v->iq_tail++;
    qtest_writeq(t->qts, IOMMU_BASE + DMAR_IQT_REG, v->iq_tail * 32);
    g_assert_cmphex(qtest_readl(t->qts, IOMMU_BASE + DMAR_FSTS_REG) &
                    VTD_FSTS_IQE, ==, 0);
}

/* A page group response, as the guest's IOMMU driver sends it. */
static void vt_page_response(DSATest *t, DSAVtd *v, uint32_t pasid,
                             uint16_t prgi, unsigned code)
{
    vt_qi(t, v, 0x9 | (1ULL << 4) | ((uint64_t)code << 12) |
          ((uint64_t)DSA_DEVFN << 16) | ((uint64_t)pasid << 32),
          (uint64_t)prgi << 3);
}

/* Unmap a page of the user PASID and invalidate its IOTLB entry. */
static void vt_unmap(DSATest *t, DSAVtd *v, uint64_t iova)
{
    vt_set(t, v, iova, 0);
    vt_qi(t, v, 0x6 | (3ULL << 4) | (1ULL << 16) | ((uint64_t)UPASID << 32),
          iova);
}

/*
 * Wait for the next page request and check it: the user PASID, the
 * device, a write to @addr, last in its group.  Returns its group index.
 */
static uint16_t vt_wait_page_request(DSATest *t, DSAVtd *v, uint64_t addr)
{
    uint64_t lo, hi, e = v->pq_seen * 32;
    int i;

    for (i = 0; i < 20000; i++) {
        if (qtest_readq(t->qts, IOMMU_BASE + DMAR_PQT_REG) > e) {
            break;
        }
        g_usleep(100);
    }
    g_assert_cmphex(qtest_readq(t->qts, IOMMU_BASE + DMAR_PQT_REG), ==,
                    e + 32);
    lo = qtest_readq(t->qts, VT_PQ + e);
    hi = qtest_readq(t->qts, VT_PQ + e + 8);
    v->pq_seen++;
    g_assert_cmphex(lo & 0xff, ==, 1);                  /* page request */
    g_assert(lo & (1ULL << 8));                         /* PASID present */
    g_assert_cmphex((lo >> 16) & 0xffff, ==, DSA_DEVFN);
    g_assert_cmphex((lo >> 32) & 0xfffff, ==, UPASID);
    g_assert_cmphex(lo & (3ULL << 52), ==, 0);          /* user, no exec */
    g_assert(hi & 2);                                   /* write */
    g_assert(hi & 4);                                   /* last in group */
    g_assert_cmphex(hi & ~0xfffULL, ==, addr);
    return (hi >> 3) & 0x1ff;
}

static void pf_memmove(DSATest *t, unsigned wq, uint32_t flags)
{
    g_autofree uint8_t *buf = g_malloc(PF_XFER);
    uint8_t d[64];
    unsigned i;

    for (i = 0; i < PF_XFER; i++) {
        buf[i] = i * 13 + 5;
    }
    qtest_memwrite(t->qts, SRC, buf, PF_XFER);
    qtest_memset(t->qts, DST, 0, PF_XFER);
    qtest_memset(t->qts, COMP, 0, 32);
    make_desc(d, 0, OP_MEMMOVE, FLAG_CRAV | FLAG_RCR | flags, IOVA_COMP,
              IOVA_SRC, IOVA_DST, PF_XFER, 0);
    qtest_write_block(t->qts, portal(t, wq, 0), d, sizeof(d));
}

/* The partial completion of pf_memmove: the first page moved. */
static void pf_check_partial(DSATest *t, uint8_t status)
{
    g_autofree uint8_t *src = g_malloc(PF_XFER);
    g_autofree uint8_t *dst = g_malloc(PF_XFER);

    g_assert_cmphex(wait_comp(t, 0), ==, status);
    g_assert_cmpuint(qtest_readl(t->qts, COMP + 4), ==, 4096);
    g_assert_cmphex(qtest_readq(t->qts, COMP + 8), ==, IOVA_DST + 4096);
    qtest_memread(t->qts, SRC, src, PF_XFER);
    qtest_memread(t->qts, DST, dst, PF_XFER);
    g_assert(memcmp(src, dst, 4096) == 0);
}

static void pf_check_moved(DSATest *t)
{
    g_autofree uint8_t *src = g_malloc(PF_XFER);
    g_autofree uint8_t *dst = g_malloc(PF_XFER);

    g_assert_cmphex(wait_comp(t, 0), ==, DSA_COMP_SUCCESS);
    qtest_memread(t->qts, SRC, src, PF_XFER);
    qtest_memread(t->qts, DST + 0, dst, 4096);
    qtest_memread(t->qts, DST + 0x10000, dst + 4096, 4096);
    g_assert(memcmp(src, dst, PF_XFER) == 0);
}

/*
 * WQ 0: dedicated, user PASID, block on fault.  WQ 1: the same without
 * block on fault.  PASID and PRI enabled, 8 page requests allocated.
 */
static void pf_start(DSATest *t, DSAVtd *v, const char *props)
{
    dsa_start_with(t, VTD_SVM_ARGS, props);
    vt_setup(t, v);
    ecam_writew(t, DSA_CFG_PASID_OFFSET + PCI_PASID_CTRL,
                PCI_PASID_CTRL_ENABLE);
    qtest_writel(t->qts, ECAM_BASE + (DSA_DEVFN << 12) + DSA_CFG_PRI_OFFSET +
                 PCI_PRI_ALLOC_REQ, 8);
    ecam_writew(t, DSA_CFG_PRI_OFFSET + PCI_PRI_CTRL, PCI_PRI_CTRL_ENABLE);
    dsa_set_wq(t, 0, 8, 0, USER_BOF_WQ);
    dsa_set_wq(t, 1, 8, 0, USER_WQ);
    dsa_set_group(t, 0, 0x1, 0x1);
    dsa_set_group(t, 1, 0x2, 0x2);
    g_assert_cmpuint(dsa_cmd(t, DSA_CMD_ENABLE_DEVICE, 0, false), ==, 0);
    g_assert_cmpuint(dsa_cmd(t, DSA_CMD_ENABLE_WQ, 0, false), ==, 0);
    g_assert_cmpuint(dsa_cmd(t, DSA_CMD_ENABLE_WQ, 1, false), ==, 0);
}

/* Without block on fault: partial completion, no page request. */
static void test_fault_no_bof(void)
{
    DSATest t;
    DSAVtd v;

    pf_start(&t, &v, "");
    /* block on fault not asked for by the descriptor */
    pf_memmove(&t, 0, 0);
    pf_check_partial(&t, DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
    /* asked for, but the WQ does not allow it */
    pf_memmove(&t, 1, FLAG_BOF);
    pf_check_partial(&t, DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
    g_assert_cmphex(qtest_readq(t.qts, IOMMU_BASE + DMAR_PQT_REG), ==, 0);
    dsa_stop(&t);
}

/*
 * Block on fault: the engine sends a page request and waits; the guest
 * maps the page and answers success: the descriptor completes.  An
 * Invalid Request answer completes it with the fault.
 */
static void test_fault_bof(void)
{
    DSATest t;
    DSAVtd v;
    uint16_t prgi, prgi2;

    pf_start(&t, &v, "");
    pf_memmove(&t, 0, FLAG_BOF);
    prgi = vt_wait_page_request(&t, &v, IOVA_DST + 4096);
    g_usleep(20000);
    g_assert_cmphex(comp_status(&t, 0), ==, 0);         /* blocked */
    /* responses for nothing, or for another PASID, change nothing */
    vt_page_response(&t, &v, UPASID, (prgi + 1) & 0x1ff, 0);
    vt_page_response(&t, &v, 0x99, prgi, 0);
    g_usleep(20000);
    g_assert_cmphex(comp_status(&t, 0), ==, 0);
    /* the guest maps the page (elsewhere) and answers */
    vt_map(&t, &v, IOVA_DST + 4096, DST + 0x10000);
    vt_page_response(&t, &v, UPASID, prgi, 0);
    pf_check_moved(&t);

    /* the guest cannot map the page: Invalid Request */
    vt_unmap(&t, &v, IOVA_DST + 4096);
    pf_memmove(&t, 0, FLAG_BOF);
    prgi2 = vt_wait_page_request(&t, &v, IOVA_DST + 4096);
    g_assert_cmpuint(prgi2, !=, prgi);
    vt_page_response(&t, &v, UPASID, prgi2, 1);
    pf_check_partial(&t, DSA_COMP_PAGE_FAULT_IR | DSA_COMP_STATUS_WRITE);
    /* a late second answer for it is ignored */
    vt_page_response(&t, &v, UPASID, prgi2, 0);
    dsa_stop(&t);
}

/*
 * A blocked engine stops waiting when the WQ is aborted or disabled, and
 * at once when PRI is disabled or after the timeout.
 */
static void test_fault_bof_abort(void)
{
    DSATest t;
    DSAVtd v;

    pf_start(&t, &v, ",x-page-request-timeout=100000");
    pf_memmove(&t, 0, FLAG_BOF);
    vt_wait_page_request(&t, &v, IOVA_DST + 4096);
    g_assert_cmpuint(dsa_cmd(&t, DSA_CMD_ABORT_WQ, wq_operand(0), false),
                     ==, 0);
    pf_check_partial(&t, DSA_COMP_PAGE_FAULT_IR | DSA_COMP_STATUS_WRITE);

    pf_memmove(&t, 0, FLAG_BOF);
    vt_wait_page_request(&t, &v, IOVA_DST + 4096);
    g_assert_cmpuint(dsa_cmd(&t, DSA_CMD_DISABLE_WQ, wq_operand(0), false),
                     ==, 0);
    pf_check_partial(&t, DSA_COMP_PAGE_FAULT_IR | DSA_COMP_STATUS_WRITE);
    g_assert_cmpuint(dsa_cmd(&t, DSA_CMD_ENABLE_WQ, 0, false), ==, 0);

    /* PRI disabled: no page request, the fault at once */
    ecam_writew(&t, DSA_CFG_PRI_OFFSET + PCI_PRI_CTRL, 0);
    pf_memmove(&t, 0, FLAG_BOF);
    pf_check_partial(&t, DSA_COMP_PAGE_FAULT_IR | DSA_COMP_STATUS_WRITE);
    g_assert_cmphex(qtest_readq(t.qts, IOMMU_BASE + DMAR_PQT_REG), ==,
                    v.pq_seen * 32);

    /* System reset with an engine blocked */
    ecam_writew(&t, DSA_CFG_PRI_OFFSET + PCI_PRI_CTRL, PCI_PRI_CTRL_ENABLE);
    pf_memmove(&t, 0, FLAG_BOF);
    vt_wait_page_request(&t, &v, IOVA_DST + 4096);
    qtest_system_reset(t.qts);
    g_assert_cmphex(rd32(&t, DSA_REG_GENSTS), ==, DSA_GENSTS_DISABLED);
    dsa_stop(&t);

    /* Nobody answers: the timeout */
    pf_start(&t, &v, ",x-page-request-timeout=200");
    pf_memmove(&t, 0, FLAG_BOF);
    pf_check_partial(&t, DSA_COMP_PAGE_FAULT_IR | DSA_COMP_STATUS_WRITE);
    /* the engine asked a few times before giving up */
    g_assert_cmphex(qtest_readq(t.qts, IOMMU_BASE + DMAR_PQT_REG), >=, 32);
    dsa_stop(&t);
}

/*
 * The device-TLB.  With ATS enabled, the engines cache translations until
 * a device-TLB invalidation reaches the device: an IOTLB invalidation
 * alone leaves them in use, as on hardware.  Without device-TLB support
 * in the vIOMMU (device-iotlb=off; the device then cannot follow
 * invalidations) or with x-atc=off, nothing is cached.
 */
#define ATC_DST2        (DST + 0x10000)

static void atc_memmove(DSATest *t, uint8_t seed)
{
    uint8_t buf[4096], d[64];

    memset(buf, seed, sizeof(buf));
    qtest_memwrite(t->qts, SRC, buf, sizeof(buf));
    qtest_memset(t->qts, COMP, 0, 32);
    make_desc(d, 0, OP_MEMMOVE, FLAG_CRAV | FLAG_RCR, IOVA_COMP, IOVA_SRC,
              IOVA_DST, sizeof(buf), 0);
    qtest_write_block(t->qts, portal(t, 0, 0), d, sizeof(d));
    g_assert_cmphex(wait_comp(t, 0), ==, DSA_COMP_SUCCESS);
}

static void atc_check(DSATest *t, uint64_t pa, uint8_t seed)
{
    uint8_t buf[4096], want[4096];

    memset(want, seed, sizeof(want));
    qtest_memread(t->qts, pa, buf, sizeof(buf));
    g_assert(memcmp(buf, want, sizeof(buf)) == 0);
}

static void atc_run(const char *iommu, const char *props, bool cached)
{
    DSATest t;
    DSAVtd v;

    dsa_start_with(&t, iommu, props);
    vt_setup(&t, &v);
    qtest_memset(t.qts, ATC_DST2, 0, 4096);
    ecam_writew(&t, DSA_CFG_PASID_OFFSET + PCI_PASID_CTRL,
                PCI_PASID_CTRL_ENABLE);
    ecam_writew(&t, DSA_CFG_ATS_OFFSET + PCI_ATS_CTRL, PCI_ATS_CTRL_ENABLE);
    dsa_set_wq(&t, 0, 8, 0, USER_WQ);
    dsa_set_group(&t, 0, 0x1, 0x1);
    g_assert_cmpuint(dsa_cmd(&t, DSA_CMD_ENABLE_DEVICE, 0, false), ==, 0);
    g_assert_cmpuint(dsa_cmd(&t, DSA_CMD_ENABLE_WQ, 0, false), ==, 0);

    /* the first use of the PASID has the device follow its invalidations */
    atc_memmove(&t, 1);
    atc_check(&t, DST, 1);
    atc_memmove(&t, 2);
    atc_check(&t, DST, 2);

    /* IOVA_DST moves to another page; only the IOTLB is invalidated */
    vt_map(&t, &v, IOVA_DST, ATC_DST2);
    vt_qi(&t, &v, 0x6 | (3ULL << 4) | (1ULL << 16) |
          ((uint64_t)UPASID << 32), IOVA_DST);
    atc_memmove(&t, 3);
    if (cached) {
        atc_check(&t, DST, 3);          /* the device-TLB still has it */
        atc_check(&t, ATC_DST2, 0);
    } else {
        atc_check(&t, ATC_DST2, 3);
        atc_check(&t, DST, 2);
    }

    /* a PASID-based device-TLB invalidation of the page */
    vt_qi(&t, &v, 0x8 | ((uint64_t)DSA_DEVFN << 16) |
          ((uint64_t)UPASID << 32), IOVA_DST);
    atc_memmove(&t, 4);
    atc_check(&t, ATC_DST2, 4);
    atc_check(&t, DST, cached ? 3 : 2);

    /*
     * Back to DST; a device-TLB invalidation without PASID, for the whole
     * address range, as Linux sends for a full flush: it covers the
     * translations of every PASID.
     */
    vt_map(&t, &v, IOVA_DST, DST);
    vt_qi(&t, &v, 0x6 | (3ULL << 4) | (1ULL << 16) |
          ((uint64_t)UPASID << 32), IOVA_DST);
    vt_qi(&t, &v, 0x3 | ((uint64_t)DSA_DEVFN << 32),
          0x7ffffffffffff000ULL | 1);
    atc_memmove(&t, 5);
    atc_check(&t, DST, 5);
    atc_check(&t, ATC_DST2, 4);
    dsa_stop(&t);
}

static void test_atc(void)
{
    atc_run(VTD_SVM_ARGS, "", true);
}

static void test_atc_off(void)
{
    atc_run(VTD_SVM_ARGS, ",x-atc=off", false);
}

static void test_atc_no_devtlb(void)
{
    atc_run("-device intel-iommu,x-scalable-mode=on,x-flts=on,"
            "x-pasid-mode=on", "", false);
}

/*
 * Faults on the device-TLB path: a MEMMOVE of ATC_PAGES pages, each side
 * mapped to pages in descending physical order (as guests hand them
 * out), the destination's page ATC_HOLE not present.  The engine
 * translates the pages of a transfer together; the page that is not
 * present is still the one reported, after the pages before it moved,
 * and with block on fault the descriptor finishes once the guest maps
 * it.
 */
#define ATC_PAGES       6
#define ATC_HOLE        4
#define ATC_SRC_PA(i)   (0x600000ULL + (ATC_PAGES - 1 - (i)) * 4096)
#define ATC_DST_PA(i)   (0x700000ULL + (ATC_PAGES - 1 - (i)) * 4096)
#define ATC_LATE_PA     0x780000ULL

static void atc_fault_memmove(DSATest *t, unsigned wq, uint32_t flags)
{
    uint8_t d[64], page[4096];
    unsigned i;

    for (i = 0; i < ATC_PAGES; i++) {
        memset(page, 0x11 * (i + 1), sizeof(page));
        qtest_memwrite(t->qts, ATC_SRC_PA(i), page, sizeof(page));
        qtest_memset(t->qts, ATC_DST_PA(i), 0, 4096);
    }
    qtest_memset(t->qts, ATC_LATE_PA, 0, 4096);
    qtest_memset(t->qts, COMP, 0, 32);
    /* from the middle of the first page to the middle of the last */
    make_desc(d, 0, OP_MEMMOVE, FLAG_CRAV | FLAG_RCR | flags, IOVA_COMP,
              IOVA_SRC + 0x800, IOVA_DST + 0x800, (ATC_PAGES - 1) * 4096, 0);
    qtest_write_block(t->qts, portal(t, wq, 0), d, sizeof(d));
}

/* Destination page @i holds what it should (0: untouched) */
static void atc_fault_check_page(DSATest *t, uint64_t pa, unsigned i,
                                 bool moved)
{
    uint8_t buf[4096], want[4096];

    memset(want, 0, sizeof(want));
    if (moved) {
        memset(want + (i == 0 ? 0x800 : 0), 0x11 * (i + 1),
               i == 0 ? 0x800 : i == ATC_PAGES - 1 ? 0x800 : 4096);
    }
    qtest_memread(t->qts, pa, buf, sizeof(buf));
    g_assert(memcmp(buf, want, sizeof(buf)) == 0);
}

static void test_atc_fault(void)
{
    DSATest t;
    DSAVtd v;
    uint16_t prgi;
    unsigned i;

    pf_start(&t, &v, "");
    ecam_writew(&t, DSA_CFG_ATS_OFFSET + PCI_ATS_CTRL, PCI_ATS_CTRL_ENABLE);
    for (i = 0; i < ATC_PAGES; i++) {
        vt_map(&t, &v, IOVA_SRC + i * 4096, ATC_SRC_PA(i));
        if (i == ATC_HOLE) {
            vt_unmap(&t, &v, IOVA_DST + i * 4096);
        } else {
            vt_map(&t, &v, IOVA_DST + i * 4096, ATC_DST_PA(i));
        }
    }

    /* No block on fault: the pages before the hole moved, nothing after */
    atc_fault_memmove(&t, 1, 0);
    g_assert_cmphex(wait_comp(&t, 0), ==,
                    DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
    g_assert_cmpuint(qtest_readl(t.qts, COMP + 4), ==,
                     ATC_HOLE * 4096 - 0x800);
    g_assert_cmphex(qtest_readq(t.qts, COMP + 8), ==,
                    IOVA_DST + ATC_HOLE * 4096);
    for (i = 0; i < ATC_PAGES; i++) {
        atc_fault_check_page(&t, ATC_DST_PA(i), i, i < ATC_HOLE);
    }
    /* ATS translation failures are not recorded as DMA remapping faults */
    g_assert_cmphex(qtest_readl(t.qts, IOMMU_BASE + DMAR_FSTS_REG) &
                    VTD_FSTS_PPF, ==, 0);

    /* Block on fault: a page request for the hole, then the rest moves */
    atc_fault_memmove(&t, 0, FLAG_BOF);
    prgi = vt_wait_page_request(&t, &v, IOVA_DST + ATC_HOLE * 4096);
    g_usleep(20000);
    g_assert_cmphex(comp_status(&t, 0), ==, 0);         /* blocked */
    vt_map(&t, &v, IOVA_DST + ATC_HOLE * 4096, ATC_LATE_PA);
    vt_page_response(&t, &v, UPASID, prgi, 0);
    g_assert_cmphex(wait_comp(&t, 0), ==, DSA_COMP_SUCCESS);
    for (i = 0; i < ATC_PAGES; i++) {
        atc_fault_check_page(&t, i == ATC_HOLE ? ATC_LATE_PA : ATC_DST_PA(i),
                             i, true);
    }
    dsa_stop(&t);
}

/*
 * Hostile-guest regressions.
 *
 * The guest clears PASID Enable while the device follows a PASID's
 * device-TLB invalidations, resets the function, then invalidates that
 * PASID's device-TLB: the device must have dropped its notifier (it used
 * to free it while still linked in the IOMMU's list).
 */
static void atc_enable_user_wq(DSATest *t)
{
    ecam_writew(t, DSA_CFG_PASID_OFFSET + PCI_PASID_CTRL,
                PCI_PASID_CTRL_ENABLE);
    ecam_writew(t, DSA_CFG_ATS_OFFSET + PCI_ATS_CTRL, PCI_ATS_CTRL_ENABLE);
    dsa_set_wq(t, 0, 8, 0, USER_WQ);
    dsa_set_group(t, 0, 0x1, 0x1);
    g_assert_cmpuint(dsa_cmd(t, DSA_CMD_ENABLE_DEVICE, 0, false), ==, 0);
    g_assert_cmpuint(dsa_cmd(t, DSA_CMD_ENABLE_WQ, 0, false), ==, 0);
}

static void dsa_flr(DSATest *t)
{
    uint16_t devctl = qpci_config_readw(t->dev, DSA_CFG_EXP_OFFSET +
                                        PCI_EXP_DEVCTL);

    qpci_config_writew(t->dev, DSA_CFG_EXP_OFFSET + PCI_EXP_DEVCTL,
                       devctl | PCI_EXP_DEVCTL_BCR_FLR);
    qpci_device_enable(t->dev);
    qpci_msix_disable(t->dev);
    qpci_msix_enable(t->dev);
    t->bar0 = t->dev->msix_table_bar;
    /* FLR cleared the BARs: map the portals again */
    t->bar2 = qpci_iomap(t->dev, DSA_BAR_PORTALS, NULL);
}

static void test_hostile_pasid_off_flr(void)
{
    DSATest t;
    DSAVtd v;
    int round;

    dsa_start_with(&t, VTD_SVM_ARGS, "");
    vt_setup(&t, &v);
    for (round = 0; round < 3; round++) {
        atc_enable_user_wq(&t);
        /* the device now follows UPASID's invalidations */
        atc_memmove(&t, round + 1);
        atc_check(&t, DST, round + 1);
        ecam_writew(&t, DSA_CFG_PASID_OFFSET + PCI_PASID_CTRL, 0);
        dsa_flr(&t);
        g_assert_cmphex(rd32(&t, DSA_REG_GENSTS), ==, DSA_GENSTS_DISABLED);
        /* PASID-based and untagged device-TLB invalidations */
        vt_qi(&t, &v, 0x8 | ((uint64_t)DSA_DEVFN << 16) |
              ((uint64_t)UPASID << 32), IOVA_DST);
        vt_qi(&t, &v, 0x3 | ((uint64_t)DSA_DEVFN << 32),
              0x7ffffffffffff000ULL | 1);
    }
    dsa_stop(&t);
}

/*
 * FLR while engines read another device's registers (the VT-d page):
 * the reset must not wait under the BQL for engines that need it for
 * their MMIO (it used to deadlock).  The WQ's descriptors are dropped,
 * the running ones finish, and the device is reset.
 */
#define MMIO_DESCS      128
#define MMIO_XFER       0x200           /* within the VT-d registers */

static void test_hostile_flr_mmio(void)
{
    DSATest t;
    uint8_t d[64];
    unsigned i;

    dsa_start_with(&t, "-device intel-iommu", ",id=dsa,wq-size=128");
    g_assert_cmpuint(dsa_cmd(&t, DSA_CMD_RESET_DEVICE, 0, false), ==, 0);
    dsa_set_wq(&t, 0, MMIO_DESCS, 0, DEDICATED_KERNEL);
    dsa_set_group(&t, 0, 0x1, 0x1);
    g_assert_cmpuint(dsa_cmd(&t, DSA_CMD_ENABLE_DEVICE, 0, false), ==, 0);
    g_assert_cmpuint(dsa_cmd(&t, DSA_CMD_ENABLE_WQ, 0, false), ==, 0);
    qtest_memset(t.qts, COMP, 0, 32 * MMIO_DESCS);
    hold_engines(&t, true);
    for (i = 0; i < MMIO_DESCS; i++) {
        make_desc(d, DESC_PRIV, OP_MEMMOVE, FLAG_CRAV | FLAG_RCR,
                  COMP + i * 32, IOMMU_BASE, DST + i * MMIO_XFER, MMIO_XFER,
                  0);
        qtest_write_block(t.qts, portal(&t, 0, 0), d, sizeof(d));
    }
    g_assert_cmpuint(occupancy(&t, 0), ==, MMIO_DESCS);
    hold_engines(&t, false);
    /* the first descriptor reads the VT-d registers */
    for (i = 0; i < 20000 && occupancy(&t, 0) == MMIO_DESCS; i++) {
        g_usleep(10);
    }
    dsa_flr(&t);
    g_assert_cmphex(rd32(&t, DSA_REG_GENSTS), ==, DSA_GENSTS_DISABLED);
    g_assert_cmphex(wq_state(&t, 0), ==, DSA_WQ_STATE_DISABLED);
    g_assert_cmpuint(occupancy(&t, 0), ==, 0);
    /*
     * Each descriptor was either dropped by the reset (no record) or ran
     * and copied the registers (VER, CAP).
     */
    for (i = 0; i < MMIO_DESCS; i++) {
        uint8_t st = comp_status(&t, i);

        g_assert(st == 0 || st == DSA_COMP_SUCCESS);
        if (st == DSA_COMP_SUCCESS) {
            g_assert_cmphex(qtest_readq(t.qts, DST + i * MMIO_XFER + 8), ==,
                            qtest_readq(t.qts, IOMMU_BASE + 8));
        }
    }
    dsa_stop(&t);
}

/*
 * A completion record whose address does not translate: the error goes
 * to SWERR with the record's address as the faulting address, a write.
 */
static void test_hostile_swerr_cra(void)
{
    DSATest t;
    DSAVtd v;
    uint8_t d[64];
    uint64_t e0;
    const uint64_t bad_cra = IOVA_COMP + 0x10000 + 0x40;   /* not mapped */

    pf_start(&t, &v, "");
    fill_src(&t, 0);
    make_desc(d, 0, OP_MEMMOVE, FLAG_CRAV | FLAG_RCR, bad_cra, IOVA_SRC,
              IOVA_DST, XFER, 0);
    qtest_write_block(t.qts, portal(&t, 1, 0), d, sizeof(d));
    for (int i = 0; i < 20000 && !(rd64(&t, DSA_REG_SWERR) & 1); i++) {
        g_usleep(100);
    }
    e0 = rd64(&t, DSA_REG_SWERR);
    g_assert(e0 & DSA_SWERR_VALID);
    g_assert(e0 & DSA_SWERR_DESC_VALID);
    g_assert(e0 & DSA_SWERR_FAULT_RW);
    g_assert_cmphex((e0 >> DSA_SWERR_ERROR_SHIFT) & 0xff, ==,
                    DSA_COMP_CRA_XLAT);
    g_assert_cmphex((e0 >> DSA_SWERR_WQ_IDX_SHIFT) & 0xff, ==, 1);
    g_assert_cmphex((e0 >> DSA_SWERR_PASID_SHIFT) & 0xfffff, ==, UPASID);
    g_assert_cmphex(rd64(&t, DSA_REG_SWERR + 16) & ~0xfffULL, ==,
                    bad_cra & ~0xfffULL);
    /* the data moved: only the record was lost */
    qtest_memread(t.qts, DST, d, sizeof(d));
    g_assert_cmphex(d[0], ==, qtest_readb(t.qts, SRC));
    dsa_stop(&t);
}

/*
 * Writes are posted: one that reaches memory that ignores it (the BIOS
 * ROM) is no fault, and a completion record written there is no error
 * either; the device reports success and nothing in SWERR.
 */
#define ROM_ADDR        0xfffc0000ULL

static void test_hostile_posted_write(void)
{
    DSATest t;
    uint8_t d[64], before[64], after[64];

    dsa_start_wqs(&t);
    fill_src(&t, 0);
    qtest_memread(t.qts, ROM_ADDR, before, sizeof(before));
    make_desc(d, DESC_PRIV, OP_MEMMOVE, FLAG_CRAV | FLAG_RCR, COMP, SRC,
              ROM_ADDR, XFER, 0);
    qtest_write_block(t.qts, portal(&t, 0, 0), d, sizeof(d));
    g_assert_cmphex(wait_comp(&t, 0), ==, DSA_COMP_SUCCESS);
    qtest_memread(t.qts, ROM_ADDR, after, sizeof(after));
    g_assert(memcmp(before, after, sizeof(after)) == 0);
    /* the record itself aimed at ROM: nothing is reported */
    make_desc(d, DESC_PRIV, OP_MEMMOVE, FLAG_CRAV | FLAG_RCR,
              ROM_ADDR + 0x100, SRC, DST, XFER, 0);
    qtest_write_block(t.qts, portal(&t, 0, 0), d, sizeof(d));
    /* then one whose record we can see: the first has completed */
    qtest_memset(t.qts, DST, 0, XFER);
    make_desc(d, DESC_PRIV, OP_MEMMOVE, FLAG_CRAV | FLAG_RCR, COMP + 32,
              SRC, DST, XFER, 0);
    qtest_write_block(t.qts, portal(&t, 0, 0), d, sizeof(d));
    g_assert_cmphex(wait_comp(&t, 1), ==, DSA_COMP_SUCCESS);
    check_moved(&t, 0);
    g_assert_cmphex(rd64(&t, DSA_REG_SWERR), ==, 0);
    dsa_stop(&t);
}

/*
 * VM lifecycle: stop pauses the engines (no DMA, no interrupt until
 * cont); migration carries what is in flight, including a descriptor
 * blocked on a page fault, and the destination completes it.
 */

/* stop: a submitted descriptor waits; cont: it runs. */
static void test_stop_cont(void)
{
    DSATest t;
    uint8_t d[64];

    dsa_start_wqs(&t);
    fill_src(&t, 0);
    msix_clear(&t, 1);
    qtest_qmp_assert_success(t.qts, "{ 'execute': 'stop' }");
    make_memmove(d, 0, DESC_PRIV, 1);
    qtest_write_block(t.qts, portal(&t, 0, 0), d, sizeof(d));
    g_usleep(50000);
    g_assert_cmphex(comp_status(&t, 0), ==, 0);
    g_assert_cmphex(qtest_readb(t.qts, DST), ==, 0);
    g_assert(!qpci_msix_pending(t.dev, 1));
    g_assert_cmpuint(occupancy(&t, 0), ==, 1);
    qtest_qmp_assert_success(t.qts, "{ 'execute': 'cont' }");
    g_assert_cmphex(wait_comp(&t, 0), ==, DSA_COMP_SUCCESS);
    check_moved(&t, 0);
    g_assert(wait_msix(&t, 1));
    dsa_stop(&t);
}

/* Overlapping memmove: four pages of MIG_R, p1 read-only at first */
#define MIG_R           0x40400000ULL
#define MIG_PA          0x500000ULL
#define MIG_XFER        (3 * 4096)
#define MIG_Q           0x40500000ULL   /* the queued copies' pages */
#define MIG_QPA         0x580000ULL
#define MIG_NQ          4

static uint8_t mig_byte(unsigned page, unsigned i)
{
    return page * 37 + i * 11 + 3;
}

/*
 * Migrate to a file: @src is stopped and done, then a destination with
 * the same command line loads it and runs.
 */
static void mig_to_file(DSATest *src, DSATest *dst, const char *args,
                        const char *props)
{
    g_autofree char *dir = g_dir_make_tmp("intel-dsa-mig-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "state", NULL);
    g_autofree char *uri = g_strdup_printf("file:%s", path);

    g_assert(dir);
    migrate_qmp(src->qts, NULL, uri, NULL, "{}");
    wait_for_migration_complete(src->qts);

    dst->qts = qtest_initf("-M q35 -m 256M %s -device intel-dsa,addr=05.0%s "
                           "-incoming defer", args, props);
    migrate_incoming_qmp(dst->qts, uri, NULL, "{}");
    wait_for_migration_complete(dst->qts);
    unlink(path);
    rmdir(dir);
    /* The BARs and MSI-X state came with the device: only look them up */
    dst->bus = qpci_new_pc(dst->qts, NULL);
    dst->dev = qpci_device_find(dst->bus, DSA_DEVFN);
    g_assert(dst->dev);
    dst->dev->msix_enabled = src->dev->msix_enabled;
    dst->dev->msix_table_bar = src->dev->msix_table_bar;
    dst->dev->msix_table_off = src->dev->msix_table_off;
    dst->dev->msix_pba_bar = src->dev->msix_pba_bar;
    dst->dev->msix_pba_off = src->dev->msix_pba_off;
    dst->bar0 = src->bar0;
    dst->bar2 = src->bar2;
}

/*
 * A busy device migrates: WQ 0 (block on fault) has an overlapping,
 * descending memmove blocked on a write fault after two of its three
 * pages, with its page request in the guest's page request queue, and
 * one more descriptor queued behind it; WQ 1 holds MIG_NQ queued copies.
 * The destination runs the queued copies, resumes the blocked memmove
 * where it stopped (restarting it would copy the pages it already
 * overwrote) and completes it when the guest answers the page request
 * that the source sent: no second request is sent.
 */
static void test_migrate_busy(void)
{
    g_autofree uint8_t *buf = g_malloc(4 * 4096);
    g_autofree uint8_t *got = g_malloc(4 * 4096);
    DSATest t, t2;
    DSAVtd v;
    uint8_t d[64];
    uint16_t prgi;
    unsigned i, k;

    pf_start(&t, &v, ",id=dsa");
    for (i = 0; i < 4; i++) {
        vt_set(&t, &v, MIG_R + i * 4096,
               (MIG_PA + i * 4096) | (i == 1 ? 0x5 : FS_USER));
        for (k = 0; k < 4096; k++) {
            buf[i * 4096 + k] = i < 3 ? mig_byte(i, k) : 0;
        }
    }
    qtest_memwrite(t.qts, MIG_PA, buf, 4 * 4096);
    for (i = 0; i < MIG_NQ; i++) {
        vt_map(&t, &v, MIG_Q + i * 8192, MIG_QPA + i * 8192);
        vt_map(&t, &v, MIG_Q + i * 8192 + 4096, MIG_QPA + i * 8192 + 4096);
        qtest_memset(t.qts, MIG_QPA + i * 8192, 0x60 + i, 4096);
        qtest_memset(t.qts, MIG_QPA + i * 8192 + 4096, 0, 4096);
    }
    qtest_memset(t.qts, COMP, 0, 32 * (MIG_NQ + 2));

    /* WQ 0: the overlapping memmove blocks on p1 ... */
    make_desc(d, 0, OP_MEMMOVE, FLAG_CRAV | FLAG_RCR | FLAG_BOF, IOVA_COMP,
              MIG_R, MIG_R + 4096, MIG_XFER, 0);
    qtest_write_block(t.qts, portal(&t, 0, 0), d, sizeof(d));
    prgi = vt_wait_page_request(&t, &v, MIG_R + 4096);
    g_usleep(20000);
    g_assert_cmphex(comp_status(&t, 0), ==, 0);
    /* ... a copy waits behind it; WQ 1's copies are held in the WQ */
    hold_engines(&t, true);
    make_desc(d, 0, OP_MEMMOVE, FLAG_CRAV | FLAG_RCR, IOVA_COMP + 32,
              MIG_Q, MIG_Q + 4096, 4096, 0);
    qtest_write_block(t.qts, portal(&t, 0, 0), d, sizeof(d));
    for (i = 0; i < MIG_NQ; i++) {
        make_desc(d, 0, OP_MEMMOVE, FLAG_CRAV | FLAG_RCR,
                  IOVA_COMP + 64 + i * 32, MIG_Q + i * 8192,
                  MIG_Q + i * 8192 + 4096, 4096, 0);
        qtest_write_block(t.qts, portal(&t, 1, 0), d, sizeof(d));
    }
    g_assert_cmpuint(occupancy(&t, 0), ==, 1);
    g_assert_cmpuint(occupancy(&t, 1), ==, MIG_NQ);

    mig_to_file(&t, &t2, VTD_SVM_ARGS, ",id=dsa");
    /* The source did nothing more once stopped */
    for (i = 0; i < MIG_NQ + 2; i++) {
        g_assert_cmphex(comp_status(&t, i), ==, 0);
    }
    dsa_stop(&t);

    /* The destination runs what was queued in WQ 1 ... */
    for (i = 0; i < MIG_NQ; i++) {
        g_assert_cmphex(wait_comp(&t2, 2 + i), ==, DSA_COMP_SUCCESS);
        g_assert_cmphex(qtest_readb(t2.qts, MIG_QPA + i * 8192 + 4096 + 100),
                        ==, 0x60 + i);
    }
    /* ... but WQ 0 still waits for the page */
    g_usleep(20000);
    g_assert_cmphex(comp_status(&t2, 0), ==, 0);
    g_assert_cmphex(comp_status(&t2, 1), ==, 0);
    g_assert_cmpuint(occupancy(&t2, 0), ==, 1);

    /* The guest makes p1 writable and answers the source's request */
    v.iq_tail = qtest_readq(t2.qts, IOMMU_BASE + DMAR_IQT_REG) / 32;
    vt_set(&t2, &v, MIG_R + 4096, (MIG_PA + 4096) | FS_USER);
    vt_qi(&t2, &v, 0x6 | (3ULL << 4) | (1ULL << 16) |
          ((uint64_t)UPASID << 32), MIG_R + 4096);
    vt_page_response(&t2, &v, UPASID, prgi, 0);
    g_assert_cmphex(wait_comp(&t2, 0), ==, DSA_COMP_SUCCESS);
    qtest_memread(t2.qts, MIG_PA, got, 4 * 4096);
    for (i = 1; i < 4; i++) {
        g_assert(memcmp(got + i * 4096, buf + (i - 1) * 4096, 4096) == 0);
    }
    g_assert_cmphex(wait_comp(&t2, 1), ==, DSA_COMP_SUCCESS);
    g_assert_cmphex(qtest_readb(t2.qts, MIG_QPA + 4096 + 7), ==, 0x60);
    /* one page request in all: the source's */
    g_assert_cmphex(qtest_readq(t2.qts, IOMMU_BASE + DMAR_PQT_REG), ==, 32);
    g_assert_cmphex(rd64(&t2, DSA_REG_SWERR), ==, 0);
    dsa_stop(&t2);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/intel-dsa/config-space", test_config_space);
    qtest_add_func("/intel-dsa/reset-values", test_reset_values);
    qtest_add_func("/intel-dsa/enable-flow", test_enable_flow);
    qtest_add_func("/intel-dsa/command-errors", test_command_errors);
    qtest_add_func("/intel-dsa/config-write-rules", test_config_write_rules);
    qtest_add_func("/intel-dsa/intcause", test_intcause);
    qtest_add_func("/intel-dsa/flr", test_flr);
    qtest_add_func("/intel-dsa/bad-properties", test_bad_properties);
    qtest_add_func("/intel-dsa/dedicated-memmove", test_dedicated_memmove);
    qtest_add_func("/intel-dsa/shared-memmove", test_shared_memmove);
    qtest_add_func("/intel-dsa/shared-retry", test_shared_retry);
    qtest_add_func("/intel-dsa/priv", test_priv);
    qtest_add_func("/intel-dsa/drain-abort", test_drain_abort);
    qtest_add_func("/intel-dsa/msix-perm", test_msix_perm);
    qtest_add_func("/intel-dsa/hostile/posted-write",
                   test_hostile_posted_write);
    qtest_add_func("/intel-dsa/lifecycle/stop-cont", test_stop_cont);
    if (qtest_has_device("intel-iommu")) {
        qtest_add_func("/intel-dsa/fault/no-bof", test_fault_no_bof);
        qtest_add_func("/intel-dsa/fault/bof", test_fault_bof);
        qtest_add_func("/intel-dsa/fault/bof-abort", test_fault_bof_abort);
        qtest_add_func("/intel-dsa/atc", test_atc);
        qtest_add_func("/intel-dsa/atc/off", test_atc_off);
        qtest_add_func("/intel-dsa/atc/no-device-iotlb", test_atc_no_devtlb);
        qtest_add_func("/intel-dsa/atc/fault", test_atc_fault);
        qtest_add_func("/intel-dsa/hostile/pasid-off-flr",
                       test_hostile_pasid_off_flr);
        qtest_add_func("/intel-dsa/hostile/flr-during-mmio",
                       test_hostile_flr_mmio);
        qtest_add_func("/intel-dsa/hostile/swerr-completion-record",
                       test_hostile_swerr_cra);
        qtest_add_func("/intel-dsa/lifecycle/migrate-busy",
                       test_migrate_busy);
    }
    return g_test_run();
}
