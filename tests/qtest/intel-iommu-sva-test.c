/*
 * qtest for intel-iommu scalable-mode translation of requests with PASID
 *
 * sva-testdev, an RCiEP with a PASID capability, issues DMA reads and
 * writes tagged with a PASID, the privileged and the execute bits.  The
 * test builds root, context, PASID and page tables in guest memory the
 * way a driver does, enables translation, and checks what the device
 * reads and writes, the accessed and dirty flags, and each fault the
 * IOMMU records (reason, PASID, privilege and execute bits).
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qsva-refused.h"
#include "hw/i386/intel_iommu_internal.h"
#include "hw/pci-host/q35.h"
#include "hw/misc/sva-testdev.h"

#define IOMMU_BASE      Q35_HOST_BRIDGE_IOMMU_ADDR
#define ECAM_BASE       0xb0000000ULL
#define DEVFN           (5 << 3)
#define DEV_ECAM        (ECAM_BASE + (DEVFN << 12))
#define BAR0            0xe0000000ULL

/* Guest memory layout */
#define ROOT_TABLE      0x100000ULL
#define CTX_TABLE       0x101000ULL
#define PASID_DIR       0x200000ULL     /* 2^14 entries: 20-bit PASIDs */
#define PASID_PDTS      7
#define ALLOC_BASE      0x400000ULL

/* First-stage entry bits */
#define FS_P    (1ULL << 0)
#define FS_RW   (1ULL << 1)
#define FS_US   (1ULL << 2)
#define FS_A    (1ULL << 5)
#define FS_D    (1ULL << 6)
#define FS_PS   (1ULL << 7)
#define FS_XD   (1ULL << 63)
#define FS_TABLE (FS_P | FS_RW | FS_US)
#define FS_USER (FS_P | FS_RW | FS_US)

/* Second-stage entry bits */
#define SS_R    (1ULL << 0)
#define SS_W    (1ULL << 1)

/* PASID-table entry */
#define PGTT_FS     1
#define PGTT_SS     2
#define PGTT_NESTED 3
#define PGTT_PT     4
#define PE_SRE      (1ULL << 0)     /* val[2] */
#define PE_ERE      (1ULL << 1)
#define PE_FSPM5    (1ULL << 2)
#define PE_WPE      (1ULL << 4)

/* PCI PASID control bits */
#define PASID_CTRL_EN    1
#define PASID_CTRL_EXEC  2
#define PASID_CTRL_PRIV  4

typedef struct T {
    QTestState *qts;
    uint64_t next;          /* page allocator */
    uint16_t pasid_cap;
} T;

static uint64_t alloc_page(T *t)
{
    uint64_t p = t->next;
    uint8_t zero[4096] = { 0 };

    t->next += 4096;
    qtest_memwrite(t->qts, p, zero, sizeof(zero));
    return p;
}

/* Map @iova to @pa in the 4- or 5-level first-stage table at @root. */
static void fs_map(T *t, uint64_t root, int levels, uint64_t iova,
                   uint64_t pa, int leaf_level, uint64_t leaf_flags,
                   uint64_t table_flags)
{
    uint64_t table = root;

    for (int level = levels; level > leaf_level; level--) {
        uint64_t idx = (iova >> (12 + 9 * (level - 1))) & 0x1ff;
        uint64_t pte = qtest_readq(t->qts, table + idx * 8);

        if (!(pte & FS_P)) {
            pte = alloc_page(t) | table_flags;
            qtest_writeq(t->qts, table + idx * 8, pte);
        }
        table = pte & 0x000ffffffffff000ULL;
    }
    qtest_writeq(t->qts,
                 table + ((iova >> (12 + 9 * (leaf_level - 1))) & 0x1ff) * 8,
                 pa | leaf_flags | (leaf_level > 1 ? FS_PS : 0));
}

/* Address of the leaf entry that maps @iova (after fs_map) */
static uint64_t fs_leaf(T *t, uint64_t root, int levels, uint64_t iova,
                        int leaf_level)
{
    uint64_t table = root;

    for (int level = levels; level > leaf_level; level--) {
        uint64_t idx = (iova >> (12 + 9 * (level - 1))) & 0x1ff;

        table = qtest_readq(t->qts, table + idx * 8) & 0x000ffffffffff000ULL;
    }
    return table + ((iova >> (12 + 9 * (leaf_level - 1))) & 0x1ff) * 8;
}

/* Second stage: 4-level, map [gpa, gpa + 2 MiB) to hpa with 2 MiB pages */
static void ss_map_2m(T *t, uint64_t root, uint64_t gpa, uint64_t hpa,
                      uint64_t flags)
{
    fs_map(t, root, 4, gpa, hpa, 2, flags, SS_R | SS_W);
}

static void ecam_writew(T *t, uint32_t off, uint16_t v)
{
    qtest_writew(t->qts, DEV_ECAM + off, v);
}

static uint32_t ecam_readl(T *t, uint32_t off)
{
    return qtest_readl(t->qts, DEV_ECAM + off);
}

static uint16_t find_ext_cap(T *t, uint16_t id)
{
    uint16_t off = 0x100;

    while (off) {
        uint32_t hdr = ecam_readl(t, off);

        if ((hdr & 0xffff) == id) {
            return off;
        }
        off = hdr >> 20;
    }
    return 0;
}

static void dev_set_pasid_ctrl(T *t, uint16_t ctrl)
{
    ecam_writew(t, t->pasid_cap + 6, ctrl);
}

static T *start(const char *iommu_extra, const char *dev_extra)
{
    T *t = g_new0(T, 1);

    t->qts = qtest_initf("-M q35 -m 512M -device intel-iommu,"
                         "x-scalable-mode=on,aw-bits=48%s "
                         "-device sva-testdev,bus=pcie.0,addr=5.0%s",
                         iommu_extra, dev_extra);
    t->next = ALLOC_BASE;

    /* ECAM (the firmware would do this), BAR0, memory and bus master */
    qtest_outl(t->qts, 0xcf8, 0x80000000 | MCH_HOST_BRIDGE_PCIEXBAR);
    qtest_outl(t->qts, 0xcfc, ECAM_BASE | 1);
    qtest_writel(t->qts, DEV_ECAM + 0x10, BAR0 | 4);
    qtest_writel(t->qts, DEV_ECAM + 0x14, BAR0 >> 32);
    qtest_writew(t->qts, DEV_ECAM + 0x04, 0x6);
    g_assert_cmphex(qtest_readl(t->qts, BAR0 + SVA_TESTDEV_REG_ID), ==,
                    SVA_TESTDEV_ID);
    t->pasid_cap = find_ext_cap(t, 0x1b);
    g_assert_cmpuint(t->pasid_cap, !=, 0);
    dev_set_pasid_ctrl(t, PASID_CTRL_EN | PASID_CTRL_PRIV | PASID_CTRL_EXEC);

    /* root entry for bus 0 -> context table (devfn < 128) */
    qtest_writeq(t->qts, ROOT_TABLE, CTX_TABLE | 1);
    qtest_writeq(t->qts, ROOT_TABLE + 8, 0);
    /* scalable-mode context entry: P, PDTS, PASID directory, RID_PASID 0 */
    qtest_writeq(t->qts, CTX_TABLE + DEVFN * 32,
                 PASID_DIR | (PASID_PDTS << 9) | 1);
    qtest_writeq(t->qts, CTX_TABLE + DEVFN * 32 + 8, 0);
    return t;
}

static void pe_pt(T *t, uint32_t pasid);

static void enable_translation(T *t)
{
    /* the RID_PASID entry must be valid: pass-through unless set */
    uint64_t dir0 = qtest_readq(t->qts, PASID_DIR);

    if (!(dir0 & 1) || !(qtest_readq(t->qts, dir0 & ~0xfffULL) & 1)) {
        pe_pt(t, 0);
    }
    qtest_writeq(t->qts, IOMMU_BASE + DMAR_RTADDR_REG,
                 ROOT_TABLE | VTD_RTADDR_SMT);
    qtest_writel(t->qts, IOMMU_BASE + DMAR_GCMD_REG, VTD_GCMD_SRTP);
    g_assert(qtest_readl(t->qts, IOMMU_BASE + DMAR_GSTS_REG) &
             VTD_GSTS_RTPS);
    qtest_writel(t->qts, IOMMU_BASE + DMAR_GCMD_REG, VTD_GCMD_TE);
    g_assert(qtest_readl(t->qts, IOMMU_BASE + DMAR_GSTS_REG) & VTD_GSTS_TES);
}

/* Write the PASID-table entry of @pasid (allocating its leaf table) */
static void set_pe(T *t, uint32_t pasid, uint64_t v0, uint64_t v1,
                   uint64_t v2)
{
    uint64_t dire = PASID_DIR + (pasid >> 6) * 8;
    uint64_t tbl = qtest_readq(t->qts, dire);
    uint64_t pe;

    if (!(tbl & 1)) {
        tbl = alloc_page(t) | 1;
        qtest_writeq(t->qts, dire, tbl);
    }
    pe = (tbl & ~0xfffULL) + (pasid & 0x3f) * 64;
    qtest_writeq(t->qts, pe + 8, v1);
    qtest_writeq(t->qts, pe + 16, v2);
    qtest_writeq(t->qts, pe + 24, 0);
    qtest_writeq(t->qts, pe, v0);
}

/* A first-stage PASID entry: returns the first-stage root */
static uint64_t pe_fs(T *t, uint32_t pasid, uint64_t v2_flags)
{
    uint64_t root = alloc_page(t);

    set_pe(t, pasid, (PGTT_FS << 6) | 1, 1 /* DID */, root | v2_flags);
    return root;
}

static void pe_pt(T *t, uint32_t pasid)
{
    set_pe(t, pasid, (PGTT_PT << 6) | 1, 1, 0);
}

/* second-stage (AW 2: 4 levels) or nested entries */
static void pe_ss(T *t, uint32_t pasid, uint64_t ss_root, int pgtt,
                  uint64_t fs_root, uint64_t v2_flags)
{
    set_pe(t, pasid, ss_root | (pgtt << 6) | (2 << 2) | 1, 1,
           fs_root | v2_flags);
}

/* One device command; returns the device status */
static uint32_t dma(T *t, int cmd, int64_t pasid, uint32_t flags,
                    uint64_t addr, uint32_t len)
{
    qtest_writel(t->qts, BAR0 + SVA_TESTDEV_REG_PASID,
                 pasid < 0 ? 0 : (SVA_TESTDEV_PASID_VALID | pasid));
    qtest_writel(t->qts, BAR0 + SVA_TESTDEV_REG_FLAGS, flags);
    qtest_writel(t->qts, BAR0 + SVA_TESTDEV_REG_ADDR_LO, addr);
    qtest_writel(t->qts, BAR0 + SVA_TESTDEV_REG_ADDR_HI, addr >> 32);
    qtest_writel(t->qts, BAR0 + SVA_TESTDEV_REG_LEN, len);
    qtest_writel(t->qts, BAR0 + SVA_TESTDEV_REG_CMD, cmd);
    return qtest_readl(t->qts, BAR0 + SVA_TESTDEV_REG_STATUS);
}

static void dev_buf_set(T *t, uint32_t v)
{
    qtest_writel(t->qts, BAR0 + SVA_TESTDEV_BUF, v);
}

static uint32_t dev_buf_get(T *t)
{
    return qtest_readl(t->qts, BAR0 + SVA_TESTDEV_BUF);
}

/* DMA write of a 32-bit value; returns the device status */
static uint32_t dma_write32(T *t, int64_t pasid, uint32_t flags,
                            uint64_t iova, uint32_t v)
{
    dev_buf_set(t, v);
    return dma(t, SVA_TESTDEV_CMD_WRITE, pasid, flags, iova, 4);
}

static uint32_t dma_read32(T *t, int64_t pasid, uint32_t flags,
                           uint64_t iova, uint32_t *v)
{
    uint32_t st;

    dev_buf_set(t, 0xdeadbeef);
    st = dma(t, SVA_TESTDEV_CMD_READ, pasid, flags, iova, 4);
    *v = dev_buf_get(t);
    return st;
}

static void no_fault(T *t)
{
    g_assert_cmphex(qtest_readl(t->qts, IOMMU_BASE + DMAR_FSTS_REG) &
                    VTD_FSTS_PPF, ==, 0);
}

/* The recorded fault: check it and clear it for the next one */
static void expect_fault(T *t, unsigned reason, uint64_t addr, int64_t pasid,
                         bool priv, bool exec, bool write)
{
    uint64_t lo = qtest_readq(t->qts, IOMMU_BASE + DMAR_FRCD_REG_OFFSET);
    uint64_t hi = qtest_readq(t->qts, IOMMU_BASE + DMAR_FRCD_REG_OFFSET + 8);

    g_assert(qtest_readl(t->qts, IOMMU_BASE + DMAR_FSTS_REG) & VTD_FSTS_PPF);
    /* the fault event is pending (FECTL.IP), its interrupt masked */
    g_assert(qtest_readl(t->qts, IOMMU_BASE + DMAR_FECTL_REG) & (1u << 30));
    g_assert(hi & (1ULL << 63));
    g_assert_cmphex((hi >> 32) & 0xff, ==, reason);
    g_assert_cmphex(hi & 0xffff, ==, DEVFN);
    g_assert_cmphex(lo & ~0xfffULL, ==, addr & ~0xfffULL);
    g_assert_cmpuint(!!(hi & (1ULL << 62)), ==, !write);   /* T: 1 = read */
    g_assert_cmpuint(!!(hi & (1ULL << 31)), ==, pasid >= 0);
    if (pasid >= 0) {
        g_assert_cmphex((hi >> 40) & 0xfffff, ==, pasid);
        g_assert_cmpuint(!!(hi & (1ULL << 29)), ==, priv);
        g_assert_cmpuint(!!(hi & (1ULL << 30)), ==, exec);
    }
    qtest_writel(t->qts, IOMMU_BASE + DMAR_FRCD_REG_OFFSET + 12, 1u << 31);
    no_fault(t);
}

static void finish(T *t)
{
    qtest_quit(t->qts);
    g_free(t);
}

#define FS_ARGS ",x-flts=on,x-pasid-mode=on"

/* Pass-through PASID entry: the PASID's addresses are physical */
static void test_pt(void)
{
    T *t = start(FS_ARGS, "");
    uint32_t v;

    pe_pt(t, 0x45);
    enable_translation(t);
    g_assert_cmpuint(dma_write32(t, 0x45, 0, 0x500010, 0x11223344), ==,
                     SVA_TESTDEV_ST_OK);
    g_assert_cmphex(qtest_readl(t->qts, 0x500010), ==, 0x11223344);
    qtest_writel(t->qts, 0x500020, 0xcafe);
    g_assert_cmpuint(dma_read32(t, 0x45, 0, 0x500020, &v), ==, 0);
    g_assert_cmphex(v, ==, 0xcafe);
    no_fault(t);
    finish(t);
}

/* First stage, 4 levels, with a 20-bit PASID; accessed and dirty flags */
static void test_fs_4level(void)
{
    T *t = start(FS_ARGS, "");
    uint32_t pasid = 0xabcde;
    uint64_t root = pe_fs(t, pasid, 0);
    uint64_t iova = 0x7f1234567000ULL, ro_iova = 0x40000000ULL;
    uint64_t leaf, ro_leaf;
    uint32_t v;

    fs_map(t, root, 4, iova, 0x600000, 1, FS_USER, FS_TABLE);
    fs_map(t, root, 4, ro_iova, 0x601000, 1, FS_P | FS_US, FS_TABLE);
    enable_translation(t);

    g_assert_cmpuint(dma_write32(t, pasid, 0, iova + 0x84, 0xa5a5f00d), ==,
                     SVA_TESTDEV_ST_OK);
    g_assert_cmphex(qtest_readl(t->qts, 0x600084), ==, 0xa5a5f00d);
    leaf = fs_leaf(t, root, 4, iova, 1);
    g_assert_cmphex(qtest_readq(t->qts, leaf) & (FS_A | FS_D), ==,
                    FS_A | FS_D);
    g_assert(qtest_readq(t->qts, root + ((iova >> 39) & 0x1ff) * 8) & FS_A);

    qtest_writel(t->qts, 0x601008, 0x5eed);
    g_assert_cmpuint(dma_read32(t, pasid, 0, ro_iova + 8, &v), ==, 0);
    g_assert_cmphex(v, ==, 0x5eed);
    ro_leaf = fs_leaf(t, root, 4, ro_iova, 1);
    g_assert_cmphex(qtest_readq(t->qts, ro_leaf) & (FS_A | FS_D), ==, FS_A);
    no_fault(t);

    /* a write to the read-only page faults and leaves D clear */
    g_assert_cmpuint(dma_write32(t, pasid, 0, ro_iova, 1), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x85, ro_iova, pasid, false, false, true);
    g_assert_cmphex(qtest_readq(t->qts, ro_leaf) & FS_D, ==, 0);
    g_assert_cmphex(qtest_readl(t->qts, 0x601000), ==, 0);

    /* an unmapped address: P = 0 */
    g_assert_cmpuint(dma_read32(t, pasid, 0, 0x1000, &v), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x71, 0x1000, pasid, false, false, false);

    /* non-canonical with 4 levels */
    g_assert_cmpuint(dma_read32(t, pasid, 0, 1ULL << 47, &v), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x80, 1ULL << 47, pasid, false, false, false);
    finish(t);
}

/* A write through a cached (read) translation still sets the dirty flag */
static void test_fs_dirty_after_read(void)
{
    T *t = start(FS_ARGS, "");
    uint64_t root = pe_fs(t, 7, 0);
    uint64_t leaf;
    uint32_t v;

    fs_map(t, root, 4, 0x10000, 0x700000, 1, FS_USER, FS_TABLE);
    enable_translation(t);
    g_assert_cmpuint(dma_read32(t, 7, 0, 0x10000, &v), ==, 0);
    leaf = fs_leaf(t, root, 4, 0x10000, 1);
    g_assert_cmphex(qtest_readq(t->qts, leaf) & FS_D, ==, 0);
    g_assert_cmpuint(dma_write32(t, 7, 0, 0x10004, 9), ==, 0);
    g_assert_cmphex(qtest_readq(t->qts, leaf) & FS_D, ==, FS_D);
    g_assert_cmphex(qtest_readl(t->qts, 0x700004), ==, 9);
    finish(t);
}

/* 5-level first stage (FSPM = 01) with FS5LP, and its canonical rule */
static void test_fs_5level(void)
{
    T *t = start(FS_ARGS, "");
    uint64_t root = pe_fs(t, 0x99, PE_FSPM5);
    uint64_t iova = 0x00a0123456789000ULL;     /* beyond 48 bits */
    uint32_t v;

    g_assert(qtest_readq(t->qts, IOMMU_BASE + DMAR_CAP_REG) & (1ULL << 60));
    fs_map(t, root, 5, iova, 0x620000, 1, FS_USER, FS_TABLE);
    enable_translation(t);
    g_assert_cmpuint(dma_write32(t, 0x99, 0, iova + 0x10, 0x5a5a), ==, 0);
    g_assert_cmphex(qtest_readl(t->qts, 0x620010), ==, 0x5a5a);
    /* bit 56 set without the upper bits: not canonical */
    g_assert_cmpuint(dma_read32(t, 0x99, 0, 1ULL << 56, &v), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x80, 1ULL << 56, 0x99, false, false, false);
    finish(t);
}

/* Without FS5LP a 5-level PASID entry is invalid */
static void test_fs_5level_unsupported(void)
{
    T *t = start(FS_ARGS ",fs5lp=off", "");
    uint64_t root = pe_fs(t, 0x99, PE_FSPM5);
    uint32_t v;

    g_assert_cmphex(qtest_readq(t->qts, IOMMU_BASE + DMAR_CAP_REG) &
                    (1ULL << 60), ==, 0);
    fs_map(t, root, 5, 0x1000, 0x620000, 1, FS_USER, FS_TABLE);
    enable_translation(t);
    g_assert_cmpuint(dma_read32(t, 0x99, 0, 0x1000, &v), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x5b, 0x1000, 0x99, false, false, false);
    finish(t);
}

/* 2 MiB and 1 GiB first-stage pages */
static void test_fs_large_pages(void)
{
    T *t = start(FS_ARGS, "");
    uint64_t root = pe_fs(t, 3, 0);
    uint32_t v;

    fs_map(t, root, 4, 0x80000000ULL, 0x1000000, 2, FS_USER, FS_TABLE);
    fs_map(t, root, 4, 0x40000000ULL, 0x0, 3, FS_USER, FS_TABLE);
    enable_translation(t);
    qtest_writel(t->qts, 0x1000000 + 0x1ff004, 0x2222);
    g_assert_cmpuint(dma_read32(t, 3, 0, 0x80000000ULL + 0x1ff004, &v), ==,
                     0);
    g_assert_cmphex(v, ==, 0x2222);
    qtest_writel(t->qts, 0x1234568, 0x3333);
    g_assert_cmpuint(dma_read32(t, 3, 0, 0x40000000ULL + 0x1234568, &v), ==,
                     0);
    g_assert_cmphex(v, ==, 0x3333);
    no_fault(t);
    finish(t);
}

/* Reserved bits of a 2 MiB entry (bits 20:13) */
static void test_fs_reserved(void)
{
    T *t = start(FS_ARGS, "");
    uint64_t root = pe_fs(t, 3, 0);
    uint32_t v;

    fs_map(t, root, 4, 0x80000000ULL, 0x1000000 | (1 << 14), 2, FS_USER,
           FS_TABLE);
    enable_translation(t);
    g_assert_cmpuint(dma_read32(t, 3, 0, 0x80000000ULL, &v), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x72, 0x80000000ULL, 3, false, false, false);
    finish(t);
}

/* Supervisor requests: SRE, U/S and WPE */
static void test_fs_supervisor(void)
{
    T *t = start(FS_ARGS, "");
    uint64_t no_sre = pe_fs(t, 0x10, 0);
    uint64_t sre = pe_fs(t, 0x11, PE_SRE);
    uint64_t wpe = pe_fs(t, 0x12, PE_SRE | PE_WPE);
    uint32_t v;

    g_assert(qtest_readq(t->qts, IOMMU_BASE + DMAR_ECAP_REG) &
             VTD_ECAP_SRS);
    fs_map(t, no_sre, 4, 0x1000, 0x640000, 1, FS_USER, FS_TABLE);
    /* supervisor-only page (U/S = 0 in the leaf), read-only page */
    fs_map(t, sre, 4, 0x1000, 0x641000, 1, FS_P | FS_RW, FS_TABLE);
    fs_map(t, sre, 4, 0x2000, 0x642000, 1, FS_P | FS_US, FS_TABLE);
    fs_map(t, wpe, 4, 0x2000, 0x643000, 1, FS_P | FS_US, FS_TABLE);
    enable_translation(t);

    /* SRE = 0: a supervisor request faults, a user one passes */
    g_assert_cmpuint(dma_read32(t, 0x10, 0, 0x1000, &v), ==, 0);
    g_assert_cmpuint(dma_read32(t, 0x10, SVA_TESTDEV_FLAG_PRIV, 0x1000, &v),
                     ==, SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x5d, 0x1000, 0x10, true, false, false);

    /* U/S = 0: supervisor passes, user faults */
    g_assert_cmpuint(dma_write32(t, 0x11, SVA_TESTDEV_FLAG_PRIV, 0x1000, 77),
                     ==, 0);
    g_assert_cmphex(qtest_readl(t->qts, 0x641000), ==, 77);
    g_assert_cmpuint(dma_read32(t, 0x11, 0, 0x1000, &v), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x81, 0x1000, 0x11, false, false, false);

    /* R/W = 0, WPE = 0: a supervisor write passes, a user write faults */
    g_assert_cmpuint(dma_write32(t, 0x11, SVA_TESTDEV_FLAG_PRIV, 0x2000, 5),
                     ==, 0);
    g_assert_cmphex(qtest_readl(t->qts, 0x642000), ==, 5);
    g_assert_cmpuint(dma_write32(t, 0x11, 0, 0x2000, 6), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x85, 0x2000, 0x11, false, false, true);

    /* WPE = 1: the supervisor write faults too */
    g_assert_cmpuint(dma_write32(t, 0x12, SVA_TESTDEV_FLAG_PRIV, 0x2000, 5),
                     ==, SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x85, 0x2000, 0x12, true, false, true);
    g_assert_cmphex(qtest_readl(t->qts, 0x643000), ==, 0);
    finish(t);
}

/* The IOTLB holds a translation, not a verdict: each request is checked */
static void test_fs_iotlb_per_request(void)
{
    T *t = start(FS_ARGS, "");
    uint64_t root = pe_fs(t, 0x20, 0);
    uint32_t v;

    fs_map(t, root, 4, 0x3000, 0x650000, 1, FS_USER, FS_TABLE);
    enable_translation(t);
    g_assert_cmpuint(dma_read32(t, 0x20, 0, 0x3000, &v), ==, 0);
    g_assert_cmpuint(dma_read32(t, 0x20, SVA_TESTDEV_FLAG_PRIV, 0x3000, &v),
                     ==, SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x5d, 0x3000, 0x20, true, false, false);
    g_assert_cmpuint(dma_read32(t, 0x20, 0, 0x3000, &v), ==, 0);
    no_fault(t);
    finish(t);
}

/* Execute requests: ERE, XD (ignored for reads, as Linux 5.10 sets it) */
static void test_fs_execute(void)
{
    T *t = start(FS_ARGS, "");
    uint64_t no_ere = pe_fs(t, 0x30, 0);
    uint64_t ere = pe_fs(t, 0x31, PE_ERE);
    uint32_t v;

    fs_map(t, no_ere, 4, 0x1000, 0x660000, 1, FS_USER | FS_XD,
           FS_TABLE | FS_XD);
    fs_map(t, ere, 4, 0x1000, 0x661000, 1, FS_USER, FS_TABLE);
    fs_map(t, ere, 4, 0x200000, 0x662000, 1, FS_USER | FS_XD, FS_TABLE);
    enable_translation(t);

    /* XD does not stop reads or writes */
    g_assert_cmpuint(dma_write32(t, 0x30, 0, 0x1000, 3), ==, 0);
    g_assert_cmpuint(dma_read32(t, 0x30, 0, 0x1000, &v), ==, 0);
    g_assert_cmphex(v, ==, 3);
    /* execute with ERE = 0 */
    g_assert_cmpuint(dma_read32(t, 0x30, SVA_TESTDEV_FLAG_EXEC, 0x1000, &v),
                     ==, SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x5c, 0x1000, 0x30, false, true, false);
    /* ERE = 1: execute allowed where XD = 0, refused where XD = 1 */
    g_assert_cmpuint(dma_read32(t, 0x31, SVA_TESTDEV_FLAG_EXEC, 0x1000, &v),
                     ==, 0);
    g_assert_cmpuint(dma_read32(t, 0x31, SVA_TESTDEV_FLAG_EXEC, 0x200000,
                                &v), ==, SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x82, 0x200000, 0x31, false, true, false);
    finish(t);
}

/* What the function's PASID control forbids never reaches the IOMMU */
static void test_pasid_control(void)
{
    T *t = start(FS_ARGS, ",pasid-width=8");
    uint64_t root = pe_fs(t, 0x40, PE_SRE | PE_ERE);
    uint32_t v;

    fs_map(t, root, 4, 0x1000, 0x670000, 1, FS_USER, FS_TABLE);
    enable_translation(t);
    g_assert_cmpuint(dma_read32(t, 0x40, 0, 0x1000, &v), ==, 0);
    g_assert_cmpuint(dma_read32(t, 0x140, 0, 0x1000, &v), ==,
                     SVA_TESTDEV_ST_REFUSED);
    dev_set_pasid_ctrl(t, PASID_CTRL_EN);
    g_assert_cmpuint(dma_read32(t, 0x40, SVA_TESTDEV_FLAG_PRIV, 0x1000, &v),
                     ==, SVA_TESTDEV_ST_REFUSED);
    g_assert_cmpuint(dma_read32(t, 0x40, SVA_TESTDEV_FLAG_EXEC, 0x1000, &v),
                     ==, SVA_TESTDEV_ST_REFUSED);
    dev_set_pasid_ctrl(t, 0);
    g_assert_cmpuint(dma_read32(t, 0x40, 0, 0x1000, &v), ==,
                     SVA_TESTDEV_ST_REFUSED);
    no_fault(t);
    finish(t);
}

/* A missing PASID-table entry */
static void test_pasid_entry_missing(void)
{
    T *t = start(FS_ARGS, "");
    uint32_t v;

    pe_pt(t, 0x45);
    enable_translation(t);
    g_assert_cmpuint(dma_read32(t, 0x46, 0, 0x1000, &v), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x59, 0x1000, 0x46, false, false, false);
    g_assert_cmpuint(dma_read32(t, 0x1045, 0, 0x1000, &v), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x51, 0x1000, 0x1045, false, false, false);
    finish(t);
}

/* Second stage only (scalable mode without first-stage support) */
static void test_ss(void)
{
    T *t = start(",x-pasid-mode=on", "");
    uint64_t ss = alloc_page(t);
    uint32_t v;

    ss_map_2m(t, ss, 0x200000000ULL, 0x800000, SS_R | SS_W);
    ss_map_2m(t, ss, 0x200200000ULL, 0xa00000, SS_R);
    pe_ss(t, 0x50, ss, PGTT_SS, 0, 0);
    enable_translation(t);
    g_assert_cmpuint(dma_write32(t, 0x50, 0, 0x200000000ULL + 0x1234, 42),
                     ==, 0);
    g_assert_cmphex(qtest_readl(t->qts, 0x801234), ==, 42);
    qtest_writel(t->qts, 0xa00010, 43);
    g_assert_cmpuint(dma_read32(t, 0x50, 0, 0x200200010ULL, &v), ==, 0);
    g_assert_cmphex(v, ==, 43);
    g_assert_cmpuint(dma_write32(t, 0x50, 0, 0x200200010ULL, 1), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x85, 0x200200010ULL, 0x50, false, false, true);
    g_assert_cmpuint(dma_read32(t, 0x50, 0, 0x200400000ULL, &v), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x86, 0x200400000ULL, 0x50, false, false, false);
    finish(t);
}

/*
 * Nested: first-stage tables and output go through the second stage.
 * The second stage maps GPA [0, 64 MiB) onto itself except the 2 MiB at
 * GPA 0x2000000, which it maps to HPA 0x3000000.
 */
static void test_nested(void)
{
    T *t = start(FS_ARGS ",x-nested=on", "");
    uint64_t ss = alloc_page(t);
    uint64_t fs;
    uint32_t v;

    g_assert(qtest_readq(t->qts, IOMMU_BASE + DMAR_ECAP_REG) &
             VTD_ECAP_SLTS);
    for (uint64_t gpa = 0; gpa < 0x4000000; gpa += 0x200000) {
        if (gpa != 0x2000000) {
            ss_map_2m(t, ss, gpa, gpa, SS_R | SS_W);
        }
    }
    ss_map_2m(t, ss, 0x2000000, 0x3000000, SS_R | SS_W);
    fs = alloc_page(t);
    pe_ss(t, 0x60, ss, PGTT_NESTED, fs, 0);
    fs_map(t, fs, 4, 0x7000, 0x2001000, 1, FS_USER, FS_TABLE);
    /* first-stage output outside what the second stage maps */
    fs_map(t, fs, 4, 0x8000, 0x5000000, 1, FS_USER, FS_TABLE);
    enable_translation(t);

    g_assert_cmpuint(dma_write32(t, 0x60, 0, 0x7010, 0xbeef), ==, 0);
    g_assert_cmphex(qtest_readl(t->qts, 0x3001010), ==, 0xbeef);
    g_assert_cmphex(qtest_readl(t->qts, 0x2001010), ==, 0);
    g_assert(qtest_readq(t->qts, fs_leaf(t, fs, 4, 0x7000, 1)) & FS_D);
    g_assert_cmpuint(dma_read32(t, 0x60, 0, 0x8000, &v), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x86, 0x8000, 0x60, false, false, false);
    finish(t);
}

/* Nested: the second stage must let the IOMMU read first-stage tables */
static void test_nested_table_not_readable(void)
{
    T *t = start(FS_ARGS ",x-nested=on", "");
    uint64_t ss = alloc_page(t);
    uint64_t fs, lvl3;
    uint32_t v;

    fs = alloc_page(t);
    lvl3 = t->next;     /* the next table fs_map allocates */
    fs_map(t, fs, 4, 0x7000, 0x2001000, 1, FS_USER, FS_TABLE);
    for (uint64_t gpa = 0; gpa < 0x4000000; gpa += 0x200000) {
        /* the 2 MiB holding the level-3 table is write-only */
        ss_map_2m(t, ss, gpa, gpa,
                  gpa == (lvl3 & ~0x1fffffULL) ? SS_W : SS_R | SS_W);
    }
    g_assert_cmphex(fs & ~0x1fffffULL, ==, lvl3 & ~0x1fffffULL);
    pe_ss(t, 0x61, ss, PGTT_NESTED, fs, 0);
    enable_translation(t);
    g_assert_cmpuint(dma_read32(t, 0x61, 0, 0x7000, &v), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x75, 0x7000, 0x61, false, false, false);
    finish(t);
}

/* Requests without PASID still use the RID_PASID entry */
static void test_rid2pasid(void)
{
    T *t = start(FS_ARGS, "");
    uint64_t root = pe_fs(t, 0, 0);
    uint32_t v;

    fs_map(t, root, 4, 0x9000, 0x680000, 1, FS_USER, FS_TABLE);
    enable_translation(t);
    qtest_writel(t->qts, 0x680000, 0x77);
    g_assert_cmpuint(dma_read32(t, -1, 0, 0x9000, &v), ==, 0);
    g_assert_cmphex(v, ==, 0x77);
    g_assert_cmpuint(dma_read32(t, -1, 0, 0xa000, &v), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x71, 0xa000, -1, false, false, false);
    finish(t);
}


/*
 * SVM: ATS and PRI with PASID, device-TLB invalidation, the page request
 * queue and page group responses
 */
#define SVM_ARGS FS_ARGS ",device-iotlb=on,svm=on"
#define IQ_BASE     0x120000ULL
#define PQ_BASE     0x130000ULL
#define CTX_DTE     (1ULL << 2)
#define CTX_PRE     (1ULL << 4)

typedef struct QI {
    unsigned tail;
} QI;

static void qi_enable(T *t, QI *q)
{
    uint8_t zero[4096] = { 0 };

    qtest_memwrite(t->qts, IQ_BASE, zero, sizeof(zero));
    qtest_writeq(t->qts, IOMMU_BASE + DMAR_IQA_REG, IQ_BASE | VTD_IQA_DW_MASK);
    qtest_writel(t->qts, IOMMU_BASE + DMAR_GCMD_REG, VTD_GCMD_TE |
                 VTD_GCMD_QIE);
    g_assert(qtest_readl(t->qts, IOMMU_BASE + DMAR_GSTS_REG) &
             VTD_GSTS_QIES);
    q->tail = 0;
}

/* Submit one 256-bit descriptor and let the IOMMU process it */
static void qi_submit(T *t, QI *q, uint64_t lo, uint64_t hi)
{
    uint64_t d = IQ_BASE + q->tail * 32;

    qtest_writeq(t->qts, d, lo);
    qtest_writeq(t->qts, d + 8, hi);
    qtest_writeq(t->qts, d + 16, 0);
    qtest_writeq(t->qts, d + 24, 0);
    q->tail++;
    qtest_writeq(t->qts, IOMMU_BASE + DMAR_IQT_REG, q->tail * 32);
    g_assert_cmphex(qtest_readl(t->qts, IOMMU_BASE + DMAR_FSTS_REG) &
                    VTD_FSTS_IQE, ==, 0);
    g_assert_cmphex(qtest_readq(t->qts, IOMMU_BASE + DMAR_IQH_REG), ==,
                    q->tail * 32);
}

static T *svm_start(uint16_t *ats_cap, uint16_t *pri_cap)
{
    T *t = start(SVM_ARGS, "");

    *ats_cap = find_ext_cap(t, 0x0f);
    *pri_cap = find_ext_cap(t, 0x13);
    g_assert_cmpuint(*ats_cap, !=, 0);
    g_assert_cmpuint(*pri_cap, !=, 0);
    ecam_writew(t, *ats_cap + 6, 0x8000);      /* ATS Enable */
    ecam_writew(t, *pri_cap + 4, 1);           /* PRI Enable */
    /* the context entry allows device-TLBs and page requests */
    qtest_writeq(t->qts, CTX_TABLE + DEVFN * 32,
                 PASID_DIR | (PASID_PDTS << 9) | CTX_PRE | CTX_DTE | 1);
    return t;
}

static void test_svm_caps(void)
{
    T *t = start(SVM_ARGS, "");
    uint64_t ecap = qtest_readq(t->qts, IOMMU_BASE + DMAR_ECAP_REG);
    uint64_t cap = qtest_readq(t->qts, IOMMU_BASE + DMAR_CAP_REG);
    uint64_t want = VTD_ECAP_PRS | (1ULL << 42) /* PDS */ |
                    (1ULL << 33) /* NWFS */ | (1ULL << 48) /* SMPWC */ |
                    VTD_ECAP_DT | VTD_ECAP_PASID | VTD_ECAP_SRS |
                    VTD_ECAP_FLTS;

    g_assert_cmphex(ecap & want, ==, want);
    g_assert(cap & (1ULL << 56));   /* FS1GP */
    g_assert(cap & (1ULL << 60));   /* FS5LP */
    finish(t);

    t = start(FS_ARGS, "");
    g_assert_cmphex(qtest_readq(t->qts, IOMMU_BASE + DMAR_ECAP_REG) &
                    VTD_ECAP_PRS, ==, 0);
    finish(t);
}

static void test_svm_refused(void)
{
    qsva_expect_refused("-device intel-iommu,x-scalable-mode=on,"
                        "x-pasid-mode=on,device-iotlb=on,svm=on",
                        "svm=on needs first-stage translation (x-flts=on)");
    qsva_expect_refused("-device intel-iommu,x-scalable-mode=on,x-flts=on,"
                        "x-pasid-mode=on,svm=on",
                        "svm=on needs device-iotlb=on (ATS)");
    qsva_expect_refused("-device intel-iommu,x-scalable-mode=on,x-flts=on,"
                        "device-iotlb=on,svm=on",
                        "svm=on needs PASID support");
    qsva_expect_refused("-device intel-iommu,x-scalable-mode=on,"
                        "x-nested=on",
                        "x-nested=on needs first-stage translation");
}

/* ATS with PASID; a PASID-based device-TLB invalidation reaches it */
static void test_svm_ats(void)
{
    uint16_t ats_cap, pri_cap;
    T *t = svm_start(&ats_cap, &pri_cap);
    uint64_t root = pe_fs(t, 0x33, 0);
    uint32_t base = BAR0;
    QI q;

    fs_map(t, root, 4, 0x1000, 0x690000, 1, FS_USER, FS_TABLE);
    fs_map(t, root, 4, 0x3000, 0x691000, 1, FS_P | FS_US, FS_TABLE);
    enable_translation(t);
    qi_enable(t, &q);

    g_assert_cmpuint(dma(t, SVA_TESTDEV_CMD_ATS, 0x33, 0, 0x1000, 0), ==,
                     SVA_TESTDEV_ST_OK);
    g_assert_cmphex(qtest_readl(t->qts, base + SVA_TESTDEV_REG_XLAT_LO), ==,
                    0x690000);
    g_assert_cmphex(qtest_readl(t->qts, base + SVA_TESTDEV_REG_XLAT_MASK_LO),
                    ==, 0xfff);
    g_assert_cmphex(qtest_readl(t->qts, base + SVA_TESTDEV_REG_XLAT_PERM) &
                    3, ==, 3);      /* IOMMU_RW */
    /* read-only page: the translation says so, nothing is recorded */
    g_assert_cmpuint(dma(t, SVA_TESTDEV_CMD_ATS, 0x33, 0, 0x3000, 0), ==,
                     SVA_TESTDEV_ST_NO_XLAT);
    g_assert_cmphex(qtest_readl(t->qts, base + SVA_TESTDEV_REG_XLAT_PERM) &
                    3, ==, 1);      /* IOMMU_RO */
    g_assert_cmpuint(dma(t, SVA_TESTDEV_CMD_ATS, 0x33,
                         SVA_TESTDEV_FLAG_NO_WRITE, 0x3000, 0), ==,
                     SVA_TESTDEV_ST_OK);
    /* a missing page: no translation, no fault */
    g_assert_cmpuint(dma(t, SVA_TESTDEV_CMD_ATS, 0x33, 0, 0x5000, 0), ==,
                     SVA_TESTDEV_ST_NO_XLAT);
    g_assert_cmphex(qtest_readl(t->qts, base + SVA_TESTDEV_REG_XLAT_PERM) &
                    3, ==, 0);
    no_fault(t);

    /* PASID-based device-TLB invalidation of 0x1000 for PASID 0x33 */
    g_assert_cmpuint(qtest_readl(t->qts, base + SVA_TESTDEV_REG_INV_COUNT),
                     ==, 0);
    qi_submit(t, &q, 0x8 | ((uint64_t)DEVFN << 16) | (0x33ULL << 32),
              0x1000);
    g_assert_cmpuint(qtest_readl(t->qts, base + SVA_TESTDEV_REG_INV_COUNT),
                     ==, 1);
    g_assert_cmphex(qtest_readl(t->qts, base + SVA_TESTDEV_REG_INV_ADDR_LO),
                    ==, 0x1000);
    g_assert_cmphex(qtest_readl(t->qts, base + SVA_TESTDEV_REG_INV_PASID),
                    ==, 0x33);
    /* another PASID's invalidation does not reach this one */
    qi_submit(t, &q, 0x8 | ((uint64_t)DEVFN << 16) | (0x34ULL << 32),
              0x1000);
    g_assert_cmpuint(qtest_readl(t->qts, base + SVA_TESTDEV_REG_INV_COUNT),
                     ==, 1);
    finish(t);
}

static uint32_t page_request(T *t, uint32_t pasid, uint64_t addr,
                             uint32_t prgi, uint32_t flags)
{
    qtest_writel(t->qts, BAR0 + SVA_TESTDEV_REG_PRGI, prgi);
    return dma(t, SVA_TESTDEV_CMD_PRI, pasid, flags, addr, 0);
}

/* Page requests reach the queue; the page group response the device */
static void test_svm_prq(void)
{
    uint16_t ats_cap, pri_cap;
    T *t = svm_start(&ats_cap, &pri_cap);
    uint64_t lo, hi;
    uint32_t resp;
    QI q;

    pe_fs(t, 0x35, PE_SRE);
    enable_translation(t);
    qi_enable(t, &q);
    qtest_writeq(t->qts, IOMMU_BASE + DMAR_PQA_REG, PQ_BASE);   /* 128 */

    g_assert_cmpuint(page_request(t, 0x35, 0x7000, 5,
                                  SVA_TESTDEV_FLAG_PR_READ |
                                  SVA_TESTDEV_FLAG_PR_WRITE |
                                  SVA_TESTDEV_FLAG_PR_LPIG), ==, 0);
    g_assert_cmphex(qtest_readq(t->qts, IOMMU_BASE + DMAR_PQT_REG), ==, 32);
    g_assert_cmphex(qtest_readl(t->qts, IOMMU_BASE + DMAR_PRS_REG) & 1, ==,
                    1);
    /* masked by default: the event is pending */
    g_assert(qtest_readl(t->qts, IOMMU_BASE + DMAR_PECTL_REG) &
             (1u << 30));
    lo = qtest_readq(t->qts, PQ_BASE);
    hi = qtest_readq(t->qts, PQ_BASE + 8);
    g_assert_cmphex(lo & 0xff, ==, 1);                  /* type */
    g_assert(lo & (1ULL << 8));                         /* PASID present */
    g_assert_cmphex((lo >> 16) & 0xffff, ==, DEVFN);
    g_assert_cmphex((lo >> 32) & 0xfffff, ==, 0x35);
    g_assert_cmphex(lo & (3ULL << 52), ==, 0);          /* no exec, priv */
    g_assert_cmphex(hi & 3, ==, 3);                     /* read, write */
    g_assert(hi & 4);                                   /* LPIG */
    g_assert_cmphex((hi >> 3) & 0x1ff, ==, 5);
    g_assert_cmphex(hi & ~0xfffULL, ==, 0x7000);

    /* privileged and execute requests carry their bits */
    g_assert_cmpuint(page_request(t, 0x35, 0x8000, 6,
                                  SVA_TESTDEV_FLAG_PR_READ |
                                  SVA_TESTDEV_FLAG_PRIV |
                                  SVA_TESTDEV_FLAG_EXEC), ==, 0);
    lo = qtest_readq(t->qts, PQ_BASE + 32);
    g_assert_cmphex(lo & (3ULL << 52), ==, 3ULL << 52);

    /* the guest answers group 5: the device receives it */
    g_assert_cmphex(qtest_readl(t->qts, BAR0 + SVA_TESTDEV_REG_PRI_RESP), ==,
                    0);
    qi_submit(t, &q, 0x9 | (1ULL << 4) | (0ULL << 12) |
              ((uint64_t)DEVFN << 16) | (0x35ULL << 32), 5ULL << 3);
    resp = qtest_readl(t->qts, BAR0 + SVA_TESTDEV_REG_PRI_RESP);
    g_assert(resp & SVA_TESTDEV_PRI_RESP_VALID);
    g_assert_cmpuint(SVA_TESTDEV_PRI_RESP_PRGI(resp), ==, 5);
    g_assert_cmpuint(SVA_TESTDEV_PRI_RESP_CODE(resp), ==, 0);
    /* an invalid-request response for group 6 */
    qi_submit(t, &q, 0x9 | (1ULL << 4) | (1ULL << 12) |
              ((uint64_t)DEVFN << 16) | (0x35ULL << 32), 6ULL << 3);
    resp = qtest_readl(t->qts, BAR0 + SVA_TESTDEV_REG_PRI_RESP);
    g_assert_cmpuint(SVA_TESTDEV_PRI_RESP_PRGI(resp), ==, 6);
    g_assert_cmpuint(SVA_TESTDEV_PRI_RESP_CODE(resp), ==, 1);

    /* a wait descriptor with page drain is accepted */
    qi_submit(t, &q, 0x5 | (1ULL << 5) | (1ULL << 7) | (0x1234ULL << 32),
              0x140000);
    g_assert_cmphex(qtest_readl(t->qts, 0x140000), ==, 0x1234);

    /* fill the queue (128 entries, one stays free), then overflow */
    for (unsigned i = 2; i < 127; i++) {
        g_assert_cmpuint(page_request(t, 0x35, 0x9000, 7,
                                      SVA_TESTDEV_FLAG_PR_READ), ==, 0);
    }
    g_assert_cmphex(qtest_readl(t->qts, IOMMU_BASE + DMAR_PRS_REG) & 2, ==,
                    0);
    g_assert_cmpuint(page_request(t, 0x35, 0x9000, 7,
                                  SVA_TESTDEV_FLAG_PR_READ), ==,
                     SVA_TESTDEV_ST_REFUSED);
    g_assert_cmphex(qtest_readl(t->qts, IOMMU_BASE + DMAR_PRS_REG) & 2, ==,
                    2);
    g_assert_cmphex(qtest_readq(t->qts, IOMMU_BASE + DMAR_PQT_REG), ==,
                    127 * 32);
    /* software consumes everything and clears PRO: requests flow again */
    qtest_writeq(t->qts, IOMMU_BASE + DMAR_PQH_REG, 127 * 32);
    qtest_writel(t->qts, IOMMU_BASE + DMAR_PRS_REG, 3);
    g_assert_cmpuint(page_request(t, 0x35, 0xa000, 8,
                                  SVA_TESTDEV_FLAG_PR_READ), ==, 0);
    g_assert_cmphex(qtest_readq(t->qts, IOMMU_BASE + DMAR_PQT_REG), ==, 0);
    finish(t);
}

/*
 * The IOTLB caches translations per PASID until software invalidates
 * them with a PASID-based IOTLB invalidation for that PASID.
 */
static void piotlb_inv(T *t, QI *q, uint32_t pasid, uint64_t addr, bool all)
{
    qi_submit(t, q, 0x6 | (all ? (2ULL << 4) : (3ULL << 4)) | (1ULL << 16) |
              ((uint64_t)pasid << 32), all ? 0 : addr);
}

static void test_piotlb(void)
{
    T *t = start(FS_ARGS ",x-nested=on", "");
    uint64_t root = pe_fs(t, 0x70, 0);
    uint64_t ss = alloc_page(t), nfs = alloc_page(t);
    uint64_t leaf, nleaf;
    uint32_t v;
    QI q;

    for (uint64_t gpa = 0; gpa < 0x4000000; gpa += 0x200000) {
        ss_map_2m(t, ss, gpa, gpa, SS_R | SS_W);
    }
    pe_ss(t, 0x72, ss, PGTT_NESTED, nfs, 0);
    fs_map(t, root, 4, 0x4000, 0x6a0000, 1, FS_USER, FS_TABLE);
    fs_map(t, nfs, 4, 0x4000, 0x6b0000, 1, FS_USER, FS_TABLE);
    qtest_writel(t->qts, 0x6a0000, 0xa0);
    qtest_writel(t->qts, 0x6a1000, 0xa1);
    qtest_writel(t->qts, 0x6a2000, 0xa2);
    qtest_writel(t->qts, 0x6b0000, 0xb0);
    qtest_writel(t->qts, 0x6b1000, 0xb1);
    enable_translation(t);
    qi_enable(t, &q);
    leaf = fs_leaf(t, root, 4, 0x4000, 1);
    nleaf = fs_leaf(t, nfs, 4, 0x4000, 1);

    g_assert_cmpuint(dma_read32(t, 0x70, 0, 0x4000, &v), ==, 0);
    g_assert_cmphex(v, ==, 0xa0);
    /* remapped without invalidation: the cached translation is used */
    qtest_writeq(t->qts, leaf, 0x6a1000 | FS_USER);
    g_assert_cmpuint(dma_read32(t, 0x70, 0, 0x4000, &v), ==, 0);
    g_assert_cmphex(v, ==, 0xa0);
    /* another PASID's invalidation leaves it */
    piotlb_inv(t, &q, 0x71, 0x4000, false);
    g_assert_cmpuint(dma_read32(t, 0x70, 0, 0x4000, &v), ==, 0);
    g_assert_cmphex(v, ==, 0xa0);
    /* page-selective for this PASID */
    piotlb_inv(t, &q, 0x70, 0x4000, false);
    g_assert_cmpuint(dma_read32(t, 0x70, 0, 0x4000, &v), ==, 0);
    g_assert_cmphex(v, ==, 0xa1);
    /* all of this PASID */
    qtest_writeq(t->qts, leaf, 0x6a2000 | FS_USER);
    piotlb_inv(t, &q, 0x70, 0, true);
    g_assert_cmpuint(dma_read32(t, 0x70, 0, 0x4000, &v), ==, 0);
    g_assert_cmphex(v, ==, 0xa2);

    /* nested translations are first-stage ones for this invalidation */
    g_assert_cmpuint(dma_read32(t, 0x72, 0, 0x4000, &v), ==, 0);
    g_assert_cmphex(v, ==, 0xb0);
    qtest_writeq(t->qts, nleaf, 0x6b1000 | FS_USER);
    piotlb_inv(t, &q, 0x72, 0x4000, false);
    g_assert_cmpuint(dma_read32(t, 0x72, 0, 0x4000, &v), ==, 0);
    g_assert_cmphex(v, ==, 0xb1);
    no_fault(t);
    finish(t);
}

/* First-stage tables the IOMMU cannot read: 0x73 (root), 0x70 (below) */
#define NO_RAM  0x8000000000ULL     /* 512 GiB: nothing there */

static void test_fs_table_unreadable(void)
{
    T *t = start(FS_ARGS, "");
    uint64_t root;
    uint32_t v;

    set_pe(t, 0x80, (PGTT_FS << 6) | 1, 1, NO_RAM);
    root = pe_fs(t, 0x81, 0);
    qtest_writeq(t->qts, root, NO_RAM | FS_TABLE);
    enable_translation(t);
    g_assert_cmpuint(dma_read32(t, 0x80, 0, 0x1000, &v), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x73, 0x1000, 0x80, false, false, false);
    g_assert_cmpuint(dma_read32(t, 0x81, 0, 0x1000, &v), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x70, 0x1000, 0x81, false, false, false);
    finish(t);
}

/* Second-stage faults: beyond the guest width, reserved bit, no table */
static void test_ss_faults(void)
{
    T *t = start(",x-pasid-mode=on", "");
    uint64_t ss = alloc_page(t);
    uint32_t v;

    ss_map_2m(t, ss, 0x200000000ULL, 0x800000, SS_R);
    pe_ss(t, 0x50, ss, PGTT_SS, 0, 0);
    /* a second-stage root where there is no memory */
    set_pe(t, 0x51, NO_RAM | (PGTT_SS << 6) | (2 << 2) | 1, 1, 0);
    /* the level-3 table of the second 512 GiB, where there is no memory */
    qtest_writeq(t->qts, ss + 8, NO_RAM | SS_R | SS_W);
    enable_translation(t);
    g_assert_cmpuint(dma_read32(t, 0x50, 0, 1ULL << 48, &v), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x83, 1ULL << 48, 0x50, false, false, false);
    g_assert_cmpuint(dma_read32(t, 0x51, 0, 0x1000, &v), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x7b, 0x1000, 0x51, false, false, false);
    g_assert_cmpuint(dma_read32(t, 0x50, 0, 0x8000000000ULL, &v), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x78, 0x8000000000ULL, 0x50, false, false, false);
    finish(t);
}

static void test_ss_reserved(void)
{
    T *t = start(",x-pasid-mode=on", "");
    uint64_t ss = alloc_page(t);
    uint32_t v;

    /* bit 49 is above the 48-bit host address width: reserved */
    ss_map_2m(t, ss, 0x200000000ULL, 0x800000 | (1ULL << 49), SS_R);
    pe_ss(t, 0x50, ss, PGTT_SS, 0, 0);
    enable_translation(t);
    g_assert_cmpuint(dma_read32(t, 0x50, 0, 0x200000000ULL, &v), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x7a, 0x200000000ULL, 0x50, false, false, false);
    finish(t);
}

/*
 * Nested: a first-stage table below the root that the second stage does
 * not let the IOMMU read (0x76), one it may read but not update (0x77).
 */
static void test_nested_table_rights(void)
{
    T *t = start(FS_ARGS ",x-nested=on", "");
    uint64_t ss = alloc_page(t);
    uint64_t fs = alloc_page(t);
    uint64_t far = 0x2000000;       /* tables at 32 MiB, own 2 MiB */
    uint32_t v;

    for (uint64_t gpa = 0; gpa < 0x4000000; gpa += 0x200000) {
        uint64_t r = SS_R | SS_W;

        if (gpa == 0x2000000) {
            r = SS_W;               /* not readable */
        } else if (gpa == 0x2200000) {
            r = SS_R;               /* readable, not writable */
        }
        ss_map_2m(t, ss, gpa, gpa, r);
    }
    /* fs root -> level 3 at 32 MiB (0x76) for 0x1000 */
    t->next = far;
    fs_map(t, fs, 4, 0x1000, 0x600000, 1, FS_USER, FS_TABLE);
    /* level 3 at 34 MiB, entries without A (0x77) for 512 GiB + 0x1000 */
    t->next = far + 0x200000;
    fs_map(t, fs, 4, 0x8000001000ULL, 0x600000, 1, FS_USER, FS_TABLE);
    pe_ss(t, 0x62, ss, PGTT_NESTED, fs, 0);
    enable_translation(t);
    g_assert_cmpuint(dma_read32(t, 0x62, 0, 0x1000, &v), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x76, 0x1000, 0x62, false, false, false);
    g_assert_cmpuint(dma_read32(t, 0x62, 0, 0x8000001000ULL, &v), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x77, 0x8000001000ULL, 0x62, false, false, false);
    finish(t);
}

/* Nested over a 3-level (39-bit) second stage: GPAs beyond it */
static void test_nested_beyond_width(void)
{
    T *t = start(FS_ARGS ",x-nested=on", "");
    uint64_t ss = alloc_page(t);
    uint64_t fs = alloc_page(t);
    uint32_t v;

    /* 3 levels: a level-3 table maps 1 GiB pages of the low 512 GiB */
    qtest_writeq(t->qts, ss, 0x0 | SS_R | SS_W | (1ULL << 7));
    fs_map(t, fs, 4, 0x1000, 1ULL << 40, 1, FS_USER, FS_TABLE);
    set_pe(t, 0x63, ss | (PGTT_NESTED << 6) | (1 << 2) | 1, 1, fs);
    enable_translation(t);
    g_assert_cmpuint(dma_read32(t, 0x63, 0, 0x1000, &v), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x84, 0x1000, 0x63, false, false, false);
    finish(t);
}

/* Legacy mode blocks requests with PASID */
static void test_legacy_pasid(void)
{
    T *t = g_new0(T, 1);
    uint32_t v;

    t->qts = qtest_init("-M q35 -device intel-iommu "
                        "-device sva-testdev,bus=pcie.0,addr=5.0");
    qtest_outl(t->qts, 0xcf8, 0x80000000 | MCH_HOST_BRIDGE_PCIEXBAR);
    qtest_outl(t->qts, 0xcfc, ECAM_BASE | 1);
    qtest_writel(t->qts, DEV_ECAM + 0x10, BAR0 | 4);
    qtest_writel(t->qts, DEV_ECAM + 0x14, BAR0 >> 32);
    qtest_writew(t->qts, DEV_ECAM + 0x04, 0x6);
    t->pasid_cap = find_ext_cap(t, 0x1b);
    dev_set_pasid_ctrl(t, PASID_CTRL_EN);
    qtest_writeq(t->qts, ROOT_TABLE, CTX_TABLE | 1);
    qtest_writeq(t->qts, IOMMU_BASE + DMAR_RTADDR_REG, ROOT_TABLE);
    qtest_writel(t->qts, IOMMU_BASE + DMAR_GCMD_REG, VTD_GCMD_SRTP);
    qtest_writel(t->qts, IOMMU_BASE + DMAR_GCMD_REG, VTD_GCMD_TE);
    g_assert_cmpuint(dma_read32(t, 0x5, 0, 0x1000, &v), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x31, 0x1000, 0x5, false, false, false);
    finish(t);
}

/*
 * Bad invalidation descriptors: an unknown type stops the queue with
 * IQE; a page group response nobody waits for is dropped.
 */
static void test_bad_descriptors(void)
{
    uint16_t ats_cap, pri_cap;
    T *t = svm_start(&ats_cap, &pri_cap);
    uint64_t d;
    QI q;

    pe_fs(t, 0x35, 0);
    enable_translation(t);
    qi_enable(t, &q);
    qi_submit(t, &q, 0x9 | (1ULL << 4) | ((uint64_t)DEVFN << 16) |
              (0x777ULL << 32), 9ULL << 3);
    g_assert_cmphex(qtest_readl(t->qts, BAR0 + SVA_TESTDEV_REG_PRI_RESP), ==,
                    0);
    /* type 0xf does not exist */
    d = IQ_BASE + q.tail * 32;
    qtest_writeq(t->qts, d, 0xf);
    qtest_writeq(t->qts, d + 8, 0);
    qtest_writeq(t->qts, IOMMU_BASE + DMAR_IQT_REG, (q.tail + 1) * 32);
    g_assert(qtest_readl(t->qts, IOMMU_BASE + DMAR_FSTS_REG) & VTD_FSTS_IQE);
    g_assert_cmphex(qtest_readq(t->qts, IOMMU_BASE + DMAR_IQH_REG), ==,
                    q.tail * 32);
    /* QEMU keeps running and answering */
    g_assert_cmphex(qtest_readl(t->qts, BAR0 + SVA_TESTDEV_REG_ID), ==,
                    SVA_TESTDEV_ID);
    finish(t);
}

/* The context entry's PDTS limits the PASIDs the directory covers */
static void test_pasid_beyond_directory(void)
{
    T *t = start(FS_ARGS, "");
    uint32_t v;

    pe_pt(t, 0x45);
    pe_pt(t, 0x2000);
    /* PDTS 0: 128 directory entries, PASIDs below 0x2000 */
    qtest_writeq(t->qts, CTX_TABLE + DEVFN * 32, PASID_DIR | 1);
    enable_translation(t);
    g_assert_cmpuint(dma_read32(t, 0x45, 0, 0x1000, &v), ==, 0);
    g_assert_cmpuint(dma_read32(t, 0x2000, 0, 0x1000, &v), ==,
                     SVA_TESTDEV_ST_DMA_ERROR);
    expect_fault(t, 0x46, 0x1000, 0x2000, false, false, false);
    finish(t);
}

/*
 * Hostile-guest regressions.  A translation request without PASID for
 * an address in the interrupt range is no DMA fault: no translation, no
 * fault record (it used to abort QEMU).
 */
static void test_ats_interrupt_range(void)
{
    uint16_t ats_cap, pri_cap;
    T *t = svm_start(&ats_cap, &pri_cap);

    enable_translation(t);
    g_assert_cmpuint(dma(t, SVA_TESTDEV_CMD_ATS, -1, 0, 0xfee00000, 0), ==,
                     SVA_TESTDEV_ST_NO_XLAT);
    g_assert_cmphex(qtest_readl(t->qts, BAR0 + SVA_TESTDEV_REG_XLAT_PERM) &
                    3, ==, 0);
    g_assert_cmpuint(dma(t, SVA_TESTDEV_CMD_ATS, -1,
                         SVA_TESTDEV_FLAG_NO_WRITE, 0xfeeff000, 0), ==,
                     SVA_TESTDEV_ST_NO_XLAT);
    no_fault(t);
    /* below the range, the pass-through RID_PASID entry answers */
    g_assert_cmpuint(dma(t, SVA_TESTDEV_CMD_ATS, -1, 0, 0xfedff000, 0), ==,
                     SVA_TESTDEV_ST_OK);
    g_assert_cmphex(qtest_readl(t->qts, BAR0 + SVA_TESTDEV_REG_XLAT_LO), ==,
                    0xfedff000);
    finish(t);
}

/*
 * A quadword access to a 32-bit register at an 8-byte aligned offset
 * writes it and the register after it (it used to abort QEMU).
 */
static void test_reg_quadword(void)
{
    T *t = start(FS_ARGS ",device-iotlb=on,svm=on", "");
    QTestState *q = t->qts;

    /* FECTL.IM and FEDATA */
    qtest_writeq(q, IOMMU_BASE + DMAR_FECTL_REG, (0x4321ULL << 32) |
                 VTD_FECTL_IM);
    g_assert_cmphex(qtest_readl(q, IOMMU_BASE + DMAR_FECTL_REG) &
                    VTD_FECTL_IM, ==, VTD_FECTL_IM);
    g_assert_cmphex(qtest_readl(q, IOMMU_BASE + DMAR_FEDATA_REG), ==,
                    0x4321);
    /* IECTL and IEDATA; IEADDR (IEUADDR is reserved without EIM) */
    qtest_writeq(q, IOMMU_BASE + DMAR_IECTL_REG, (0x5555ULL << 32));
    g_assert_cmphex(qtest_readl(q, IOMMU_BASE + DMAR_IEDATA_REG), ==,
                    0x5555);
    qtest_writeq(q, IOMMU_BASE + DMAR_IEADDR_REG, (0x12ULL << 32) |
                 0xfee00000);
    g_assert_cmphex(qtest_readl(q, IOMMU_BASE + DMAR_IEADDR_REG), ==,
                    0xfee00000);
    /* PECTL and PEDATA */
    qtest_writeq(q, IOMMU_BASE + DMAR_PECTL_REG, (0x77ULL << 32));
    g_assert_cmphex(qtest_readl(q, IOMMU_BASE + DMAR_PEDATA_REG), ==, 0x77);
    /* and QEMU still answers */
    g_assert_cmphex(qtest_readl(q, BAR0 + SVA_TESTDEV_REG_ID), ==,
                    SVA_TESTDEV_ID);
    finish(t);
}

/*
 * sva-testdev follows device-TLB invalidations of untagged translations
 * too: its notifier must be on one list once, however often it asks
 * (it used to be added again, making the list a cycle).
 */
static void test_devtlb_untagged(void)
{
    uint16_t ats_cap, pri_cap;
    T *t = svm_start(&ats_cap, &pri_cap);
    QI q;

    pe_fs(t, 0x33, 0);
    enable_translation(t);
    qi_enable(t, &q);
    for (int i = 0; i < 3; i++) {
        g_assert_cmpuint(dma(t, SVA_TESTDEV_CMD_ATS, -1, 0, 0x1000, 0), ==,
                         SVA_TESTDEV_ST_OK);
    }
    /* a device-TLB invalidation without PASID reaches the device once */
    qi_submit(t, &q, 0x3 | ((uint64_t)DEVFN << 32), 0x1000);
    g_assert_cmpuint(qtest_readl(t->qts, BAR0 + SVA_TESTDEV_REG_INV_COUNT),
                     ==, 1);
    /* now a PASID, then untagged again, then the invalidation again */
    g_assert_cmpuint(dma(t, SVA_TESTDEV_CMD_ATS, 0x33, 0, 0x1000, 0), ==,
                     SVA_TESTDEV_ST_NO_XLAT);
    g_assert_cmpuint(dma(t, SVA_TESTDEV_CMD_ATS, -1, 0, 0x1000, 0), ==,
                     SVA_TESTDEV_ST_OK);
    g_assert_cmpuint(dma(t, SVA_TESTDEV_CMD_ATS, -1, 0, 0x1000, 0), ==,
                     SVA_TESTDEV_ST_OK);
    qi_submit(t, &q, 0x3 | ((uint64_t)DEVFN << 32), 0x1000);
    g_assert_cmpuint(qtest_readl(t->qts, BAR0 + SVA_TESTDEV_REG_INV_COUNT),
                     ==, 2);
    /* the PASID's notifier is gone: its invalidation does not count */
    qi_submit(t, &q, 0x8 | ((uint64_t)DEVFN << 16) | (0x33ULL << 32),
              0x1000);
    g_assert_cmpuint(qtest_readl(t->qts, BAR0 + SVA_TESTDEV_REG_INV_COUNT),
                     ==, 2);
    finish(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/intel-iommu-sva/pass-through", test_pt);
    qtest_add_func("/intel-iommu-sva/fs/4-level", test_fs_4level);
    qtest_add_func("/intel-iommu-sva/fs/dirty-after-read",
                   test_fs_dirty_after_read);
    qtest_add_func("/intel-iommu-sva/fs/5-level", test_fs_5level);
    qtest_add_func("/intel-iommu-sva/fs/5-level-unsupported",
                   test_fs_5level_unsupported);
    qtest_add_func("/intel-iommu-sva/fs/large-pages", test_fs_large_pages);
    qtest_add_func("/intel-iommu-sva/fs/reserved", test_fs_reserved);
    qtest_add_func("/intel-iommu-sva/fs/supervisor", test_fs_supervisor);
    qtest_add_func("/intel-iommu-sva/fs/iotlb-per-request",
                   test_fs_iotlb_per_request);
    qtest_add_func("/intel-iommu-sva/fs/execute", test_fs_execute);
    qtest_add_func("/intel-iommu-sva/pasid-control", test_pasid_control);
    qtest_add_func("/intel-iommu-sva/pasid-entry-missing",
                   test_pasid_entry_missing);
    qtest_add_func("/intel-iommu-sva/ss", test_ss);
    qtest_add_func("/intel-iommu-sva/nested", test_nested);
    qtest_add_func("/intel-iommu-sva/nested/table-not-readable",
                   test_nested_table_not_readable);
    qtest_add_func("/intel-iommu-sva/rid2pasid", test_rid2pasid);
    qtest_add_func("/intel-iommu-sva/svm/caps", test_svm_caps);
    qtest_add_func("/intel-iommu-sva/svm/refused", test_svm_refused);
    qtest_add_func("/intel-iommu-sva/svm/ats", test_svm_ats);
    qtest_add_func("/intel-iommu-sva/svm/prq", test_svm_prq);
    qtest_add_func("/intel-iommu-sva/piotlb-invalidation", test_piotlb);
    qtest_add_func("/intel-iommu-sva/fs/table-unreadable",
                   test_fs_table_unreadable);
    qtest_add_func("/intel-iommu-sva/ss/faults", test_ss_faults);
    qtest_add_func("/intel-iommu-sva/ss/reserved", test_ss_reserved);
    qtest_add_func("/intel-iommu-sva/nested/table-rights",
                   test_nested_table_rights);
    qtest_add_func("/intel-iommu-sva/nested/beyond-width",
                   test_nested_beyond_width);
    qtest_add_func("/intel-iommu-sva/legacy-mode-pasid", test_legacy_pasid);
    qtest_add_func("/intel-iommu-sva/bad-descriptors", test_bad_descriptors);
    qtest_add_func("/intel-iommu-sva/pasid-beyond-directory",
                   test_pasid_beyond_directory);
    qtest_add_func("/intel-iommu-sva/hostile/ats-interrupt-range",
                   test_ats_interrupt_range);
    qtest_add_func("/intel-iommu-sva/hostile/register-quadword",
                   test_reg_quadword);
    qtest_add_func("/intel-iommu-sva/hostile/device-tlb-untagged",
                   test_devtlb_untagged);
    return g_test_run();
}
