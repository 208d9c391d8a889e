/*
 * Intel VT-d scalable-mode page-table walks and access-right checks
 *
 * One walk per stage, as the VT-d specification (4.1, chapter 3) defines
 * them: the first stage (4- or 5-level, 2 MiB and 1 GiB pages, accessed
 * and dirty flags, U/S, R/W and XD), the second stage, and nested
 * translation, where every first-stage table address and the final
 * first-stage output go through the second stage.  The walker does not
 * know about the IOTLB, fault recording or devices: intel_iommu.c does
 * that, and checks each request against what a walk (or the IOTLB entry
 * that cached it) found, with vtd_sm_access_check().
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "system/dma.h"
#include "system/address-spaces.h"
#include "hw/i386/intel_iommu.h"
#include "intel_iommu_internal.h"
#include "intel_iommu_walk.h"
#include "trace.h"

#define VTD_FS_US       (1ULL << 2)
#define VTD_FS_RW       (1ULL << 1)
#define VTD_FS_P        1ULL
#define VTD_FS_A        (1ULL << 5)
#define VTD_FS_D        (1ULL << 6)
#define VTD_FS_PS       (1ULL << 7)
#define VTD_FS_XD       (1ULL << 63)
#define VTD_SS_R        1ULL
#define VTD_SS_W        (1ULL << 1)
#define VTD_SS_PS       (1ULL << 7)

static inline unsigned vtd_walk_shift(uint32_t level)
{
    return 12 + (level - 1) * 9;
}

static inline uint64_t vtd_walk_haw_mask(IntelIOMMUState *s)
{
    return MAKE_64BIT_MASK(0, s->aw_bits);
}

/* Address bits of a table or page in an entry, below the host width */
static inline uint64_t vtd_walk_addr(IntelIOMMUState *s, uint64_t pte,
                                     uint32_t level, bool leaf)
{
    uint64_t mask = vtd_walk_haw_mask(s) & ~MAKE_64BIT_MASK(0, 12);

    if (leaf) {
        mask &= ~MAKE_64BIT_MASK(0, vtd_walk_shift(level));
    }
    return pte & mask;
}

static bool vtd_walk_read_pte(hwaddr table, uint64_t index, uint64_t *pte)
{
    uint64_t v;

    if (dma_memory_read(&address_space_memory, table + index * 8, &v,
                        sizeof(v), MEMTXATTRS_UNSPECIFIED) != MEMTX_OK) {
        return false;
    }
    *pte = le64_to_cpu(v);
    return true;
}

static bool vtd_walk_write_pte(hwaddr table, uint64_t index, uint64_t pte)
{
    uint64_t v = cpu_to_le64(pte);

    return dma_memory_write(&address_space_memory, table + index * 8, &v,
                            sizeof(v), MEMTXATTRS_UNSPECIFIED) == MEMTX_OK;
}

/*
 * Second stage
 */
typedef struct VTDSSOut {
    hwaddr out;
    uint32_t level;
    bool r, w;
} VTDSSOut;

static uint32_t vtd_pe_ss_levels(const VTDPASIDEntry *pe)
{
    return 2 + ((pe->val[0] >> 2) & VTD_SM_PASID_ENTRY_AW);
}

static bool vtd_ss_rsvd(IntelIOMMUState *s, uint64_t pte, uint32_t level,
                        bool leaf)
{
    uint64_t rsvd = ~vtd_walk_haw_mask(s) & MAKE_64BIT_MASK(12, 40);

    if (leaf && level > 1) {
        /* large page: the address bits below the page size */
        rsvd |= MAKE_64BIT_MASK(12, vtd_walk_shift(level) - 12);
    }
    if (!leaf && level >= 4 && (pte & VTD_SS_PS)) {
        return true;
    }
    return pte & rsvd;
}

/*
 * Translate @gpa through the second stage of @pe.  The walk stops at the
 * first entry that grants neither read nor write (not present); *@o gets
 * the rights accumulated so far, so the caller decides which of a read
 * or a write fault it is.  Returns 0, or a negative fault reason for an
 * access error, a reserved bit or an address above the guest width.
 */
static int vtd_ss_walk(IntelIOMMUState *s, const VTDPASIDEntry *pe,
                       uint64_t gpa, bool nested, VTDSSOut *o)
{
    uint32_t level = vtd_pe_ss_levels(pe);
    uint32_t top = level;
    hwaddr table = pe->val[0] & VTD_SM_PASID_ENTRY_SLPTPTR &
                   vtd_walk_haw_mask(s);
    uint32_t agaw = MIN(30 + 9 * (level - 2), s->aw_bits);
    uint64_t pte;

    o->r = o->w = true;
    if (gpa >> agaw) {
        trace_vtd_walk_fault("ss", gpa, level, 0, "beyond the guest width");
        return nested ? -VTD_FR_SS_ENTRY_BEYOND_AW :
                        -VTD_FR_SM_ADDR_BEYOND_AW;
    }
    for (;;) {
        uint64_t idx = (gpa >> vtd_walk_shift(level)) & 0x1ff;
        bool leaf;

        if (!vtd_walk_read_pte(table, idx, &pte)) {
            trace_vtd_walk_fault("ss", gpa, level, 0, "entry not readable");
            return level == top ? -VTD_FR_SS_PTPTR_INV :
                                  -VTD_FR_SS_ENTRY_ACCESS;
        }
        o->r = o->r && (pte & VTD_SS_R);
        o->w = o->w && (pte & VTD_SS_W);
        if (!(pte & (VTD_SS_R | VTD_SS_W))) {
            o->r = o->w = false;
            o->level = level;
            o->out = 0;
            return 0;
        }
        leaf = level == 1 ||
               ((level == 2 || level == 3) && (pte & VTD_SS_PS));
        if (vtd_ss_rsvd(s, pte, level, leaf)) {
            trace_vtd_walk_fault("ss", gpa, level, pte, "reserved bit");
            return -VTD_FR_SS_ENTRY_RSVD;
        }
        if (leaf) {
            o->level = level;
            o->out = vtd_walk_addr(s, pte, level, true);
            return 0;
        }
        table = vtd_walk_addr(s, pte, level, false);
        level--;
    }
}

/*
 * A first-stage table address under nested translation: translate it
 * through the second stage, which must grant read (and write, for an
 * accessed/dirty update).
 */
static int vtd_nested_table(IntelIOMMUState *s, const VTDPASIDEntry *pe,
                            uint64_t gpa, bool top, bool write, hwaddr *hpa)
{
    VTDSSOut so;
    int ret = vtd_ss_walk(s, pe, gpa, true, &so);

    if (ret) {
        return ret == -VTD_FR_SS_ENTRY_BEYOND_AW ? -VTD_FR_FS_NESTED_MGAW :
                                                   ret;
    }
    if (!so.r) {
        trace_vtd_walk_fault("nested", gpa, so.level, 0,
                             "second stage denies a table read");
        return top ? -VTD_FR_FS_NESTED_FSPTPTR_R : -VTD_FR_FS_NESTED_ENTRY_R;
    }
    if (write && !so.w) {
        trace_vtd_walk_fault("nested", gpa, so.level, 0,
                             "second stage denies an A/D update");
        return -VTD_FR_FS_NESTED_ENTRY_W;
    }
    *hpa = so.out | (gpa & MAKE_64BIT_MASK(0, vtd_walk_shift(so.level)));
    return 0;
}

/*
 * First stage
 */
static bool vtd_fs_rsvd(IntelIOMMUState *s, uint64_t pte, uint32_t level,
                        bool leaf)
{
    /* bits 51:HAW; bits 62:52 are ignored and 63 is XD */
    uint64_t rsvd = ~vtd_walk_haw_mask(s) & MAKE_64BIT_MASK(12, 40);

    if (level >= 4 && (pte & VTD_FS_PS)) {
        return true;
    }
    if (leaf && level > 1) {
        /* large page: bits 12 (PAT) and up to the page size are 0 */
        rsvd |= MAKE_64BIT_MASK(13, vtd_walk_shift(level) - 13);
    }
    return pte & rsvd;
}

static uint16_t vtd_pe_perm(const VTDPASIDEntry *pe)
{
    uint16_t perm = VTD_WP_VALID;

    perm |= (pe->val[2] & VTD_PE2_SRE) ? VTD_WP_PE_SRE : 0;
    perm |= (pe->val[2] & VTD_PE2_WPE) ? VTD_WP_PE_WPE : 0;
    perm |= (pe->val[2] & VTD_PE2_ERE) ? VTD_WP_PE_ERE : 0;
    perm |= (pe->val[2] & VTD_PE2_SMEP) ? VTD_WP_PE_SMEP : 0;
    return perm;
}

static int vtd_fs_walk(IntelIOMMUState *s, const VTDPASIDEntry *pe,
                       bool nested, const VTDWalkReq *req, VTDWalkOut *out)
{
    uint32_t levels = ((pe->val[2] & VTD_PE2_FSPM_MASK) >>
                       VTD_PE2_FSPM_SHIFT) ? 5 : 4;
    uint32_t level = levels;
    unsigned va_bits = levels == 5 ? 57 : 48;
    uint64_t table = pe->val[2] & VTD_SM_PASID_ENTRY_FLPTPTR &
                     vtd_walk_haw_mask(s);
    uint64_t iova = req->addr;
    uint64_t upper = iova >> (va_bits - 1);
    uint16_t perm = vtd_pe_perm(pe) | VTD_WP_FS_US | VTD_WP_FS_RW;
    uint64_t pte, pte_addr_idx;
    hwaddr tbl_hpa;
    int ret;

    /* canonical: bits 63:va_bits-1 all equal */
    if (upper != 0 && upper != (UINT64_MAX >> (va_bits - 1))) {
        trace_vtd_walk_fault("fs", iova, level, 0, "not canonical");
        return -VTD_FR_FS_NON_CANONICAL;
    }

    for (;;) {
        bool leaf;
        uint64_t upd;

        pte_addr_idx = (iova >> vtd_walk_shift(level)) & 0x1ff;
        tbl_hpa = table;
        if (nested) {
            ret = vtd_nested_table(s, pe, table, level == levels, false,
                                   &tbl_hpa);
            if (ret) {
                return ret;
            }
        }
        if (!vtd_walk_read_pte(tbl_hpa, pte_addr_idx, &pte)) {
            trace_vtd_walk_fault("fs", iova, level, 0, "entry not readable");
            return level == levels ? -VTD_FR_PASID_ENTRY_FSPTPTR_INV :
                                     -VTD_FR_FS_PAGING_ENTRY_INV;
        }
        if (!(pte & VTD_FS_P)) {
            trace_vtd_walk_fault("fs", iova, level, pte, "not present");
            out->perm = 0;
            out->level = level;
            return -VTD_FR_FS_PAGING_ENTRY_P;
        }
        leaf = level == 1 ||
               ((level == 2 || (level == 3 && s->fs1gp)) &&
                (pte & VTD_FS_PS));
        if (vtd_fs_rsvd(s, pte, level, leaf) ||
            (level == 3 && !s->fs1gp && (pte & VTD_FS_PS))) {
            trace_vtd_walk_fault("fs", iova, level, pte, "reserved bit");
            return -VTD_FR_FS_PAGING_ENTRY_RSVD;
        }
        if (!(pte & VTD_FS_US)) {
            perm &= ~VTD_WP_FS_US;
        }
        if (!(pte & VTD_FS_RW)) {
            perm &= ~VTD_WP_FS_RW;
        }
        if (pte & VTD_FS_XD) {
            perm |= VTD_WP_FS_XD;
        }

        /*
         * Accessed on every entry used; dirty on the leaf of a write the
         * entries allow (checked before anything is written).
         */
        upd = VTD_FS_A;
        if (leaf) {
            VTDWalkReq chk = *req;

            chk.ats = false;
            if (pte & VTD_FS_D) {
                perm |= VTD_WP_DIRTY;
            }
            if (req->write &&
                vtd_sm_access_check(VTD_SM_PASID_ENTRY_FLT, perm, &chk) == 0) {
                upd |= VTD_FS_D;
                perm |= VTD_WP_DIRTY;
            }
        }
        if ((pte & upd) != upd) {
            if (nested) {
                ret = vtd_nested_table(s, pe, table, level == levels, true,
                                       &tbl_hpa);
                if (ret) {
                    return ret;
                }
            }
            if (!vtd_walk_write_pte(tbl_hpa, pte_addr_idx, pte | upd)) {
                trace_vtd_walk_fault("fs", iova, level, pte,
                                     "A/D update failed");
                return -VTD_FR_FS_BIT_UPDATE_FAILED;
            }
        }
        if (leaf) {
            break;
        }
        table = vtd_walk_addr(s, pte, level, false);
        level--;
    }

    out->level = level;
    out->out = vtd_walk_addr(s, pte, level, true);
    out->perm = perm;
    return 0;
}

int vtd_sm_walk(IntelIOMMUState *s, const VTDPASIDEntry *pe,
                const VTDWalkReq *req, VTDWalkOut *out)
{
    uint32_t pgtt = pe->val[0] & VTD_SM_PASID_ENTRY_PGTT;
    VTDSSOut so;
    int ret;

    out->perm = 0;
    out->level = 1;
    out->out = 0;

    switch (pgtt) {
    case VTD_SM_PASID_ENTRY_SLT:
        ret = vtd_ss_walk(s, pe, req->addr, false, &so);
        if (ret) {
            return ret;
        }
        out->out = so.out;
        out->level = so.level;
        out->perm = VTD_WP_VALID | (so.r ? VTD_WP_SS_R : 0) |
                    (so.w ? VTD_WP_SS_W : 0);
        break;
    case VTD_SM_PASID_ENTRY_FLT:
        ret = vtd_fs_walk(s, pe, false, req, out);
        if (ret) {
            return ret;
        }
        out->perm |= VTD_WP_SS_R | VTD_WP_SS_W;
        break;
    case VTD_SM_PASID_ENTRY_NESTED: {
        uint64_t gpa;

        ret = vtd_fs_walk(s, pe, true, req, out);
        if (ret) {
            return ret;
        }
        gpa = out->out | (req->addr & MAKE_64BIT_MASK(0,
                                              vtd_walk_shift(out->level)));
        ret = vtd_ss_walk(s, pe, gpa, true, &so);
        if (ret) {
            return ret;
        }
        out->perm |= (so.r ? VTD_WP_SS_R : 0) | (so.w ? VTD_WP_SS_W : 0);
        if (so.level < out->level) {
            /* the smaller of the two pages is what may be cached */
            out->level = so.level;
            gpa &= ~MAKE_64BIT_MASK(0, vtd_walk_shift(so.level));
            out->out = so.out | (gpa & MAKE_64BIT_MASK(0,
                                              vtd_walk_shift(so.level)));
        } else {
            out->out = so.out | (gpa & MAKE_64BIT_MASK(0,
                                              vtd_walk_shift(so.level)) &
                                 ~MAKE_64BIT_MASK(0,
                                              vtd_walk_shift(out->level)));
        }
        break;
    }
    default:
        return -VTD_FR_PASID_TABLE_ENTRY_INV;
    }

    ret = vtd_sm_access_check(pgtt, out->perm, req);
    if (ret && req->ats && vtd_sm_fault_is_ats_silent(ret)) {
        return 0;
    }
    return ret;
}

int vtd_sm_access_check(uint32_t pgtt, uint16_t perm, const VTDWalkReq *req)
{
    bool fs = pgtt == VTD_SM_PASID_ENTRY_FLT ||
              pgtt == VTD_SM_PASID_ENTRY_NESTED;
    bool ss = pgtt == VTD_SM_PASID_ENTRY_SLT ||
              pgtt == VTD_SM_PASID_ENTRY_NESTED;

    if (pgtt == VTD_SM_PASID_ENTRY_PT) {
        return 0;
    }
    if (fs) {
        if (req->priv && !(perm & VTD_WP_PE_SRE)) {
            return -VTD_FR_SM_SRE_CLEAR;
        }
        if (req->exec && !(perm & VTD_WP_PE_ERE)) {
            return -VTD_FR_SM_ERE_CLEAR;
        }
        if (!req->priv && !(perm & VTD_WP_FS_US)) {
            return -VTD_FR_FS_PAGING_ENTRY_US;
        }
        if (req->exec && ((perm & VTD_WP_FS_XD) ||
                          (req->priv && (perm & VTD_WP_PE_SMEP) &&
                           (perm & VTD_WP_FS_US)))) {
            return -VTD_FR_FS_EXEC;
        }
        if (req->write && !(perm & VTD_WP_FS_RW) &&
            (!req->priv || (perm & VTD_WP_PE_WPE))) {
            return -VTD_FR_SM_WRITE;
        }
    }
    if (ss) {
        if (req->write && !(perm & VTD_WP_SS_W)) {
            return -VTD_FR_SM_WRITE;
        }
        if (!(perm & VTD_WP_SS_R) && (!req->write || req->ats)) {
            return -VTD_FR_SM_READ;
        }
    }
    return 0;
}

IOMMUAccessFlags vtd_sm_access_rights(uint32_t pgtt, uint16_t perm,
                                      bool priv, bool exec)
{
    VTDWalkReq rd = { .priv = priv, .exec = exec };
    VTDWalkReq wr = { .priv = priv, .write = true };
    IOMMUAccessFlags f = IOMMU_NONE;

    if (vtd_sm_access_check(pgtt, perm, &rd) == 0) {
        f |= IOMMU_RO | (exec ? IOMMU_EXEC : 0);
    }
    if (vtd_sm_access_check(pgtt, perm, &wr) == 0) {
        f |= IOMMU_WO;
    }
    return f;
}

bool vtd_sm_fault_is_ats_silent(int fault)
{
    switch (-fault) {
    case VTD_FR_FS_PAGING_ENTRY_P:
    case VTD_FR_FS_PAGING_ENTRY_US:
    case VTD_FR_FS_EXEC:
    case VTD_FR_SM_WRITE:
    case VTD_FR_SM_READ:
        return true;
    default:
        return false;
    }
}
