/*
 * Intel VT-d scalable-mode page-table walks (first stage, second stage,
 * nested) and the access-right checks of requests with and without PASID
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_I386_INTEL_IOMMU_WALK_H
#define HW_I386_INTEL_IOMMU_WALK_H

#include "hw/i386/intel_iommu.h"

/* One untranslated request, or one translation request (ATS) */
typedef struct VTDWalkReq {
    hwaddr addr;
    uint32_t pasid;     /* the PASID whose entry is used (for traces) */
    bool write;         /* write (for ATS: write permission wanted) */
    bool priv;          /* supervisor request (PASID TLP prefix PMR) */
    bool exec;          /* execute request (PASID TLP prefix ER) */
    bool ats;           /* translation request: report rights, no fault */
} VTDWalkReq;

/*
 * What a walk found, independent of the privilege of the request that
 * caused it, so that it can be cached in the IOTLB and checked again for
 * each later request (VTDIOTLBEntry.walk_perm).
 */
#define VTD_WP_FS_US    (1u << 0)   /* U/S = 1 at every first-stage level */
#define VTD_WP_FS_RW    (1u << 1)   /* R/W = 1 at every first-stage level */
#define VTD_WP_FS_XD    (1u << 2)   /* XD = 1 at some first-stage level */
#define VTD_WP_SS_R     (1u << 3)   /* second stage grants read */
#define VTD_WP_SS_W     (1u << 4)   /* second stage grants write */
#define VTD_WP_PE_SRE   (1u << 5)   /* PASID entry: supervisor requests */
#define VTD_WP_PE_WPE   (1u << 6)   /* PASID entry: write protect enable */
#define VTD_WP_PE_ERE   (1u << 7)   /* PASID entry: execute requests */
#define VTD_WP_PE_SMEP  (1u << 8)   /* PASID entry: SMEP */
#define VTD_WP_DIRTY    (1u << 9)   /* first-stage leaf has D = 1 */
#define VTD_WP_VALID    (1u << 15)  /* set by the scalable-mode walker */

typedef struct VTDWalkOut {
    hwaddr out;         /* output address of the page holding addr */
    uint32_t level;     /* page size: 1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB */
    uint16_t perm;      /* VTD_WP_* */
} VTDWalkOut;

/* PASID-table entry fields used by the walker (VT-d 4.1, 9.6) */
#define VTD_PE2_SRE         (1ULL << 0)     /* bit 128 */
#define VTD_PE2_ERE         (1ULL << 1)     /* bit 129 */
#define VTD_PE2_FSPM_SHIFT  2               /* bits 131:130 */
#define VTD_PE2_FSPM_MASK   (3ULL << VTD_PE2_FSPM_SHIFT)
#define VTD_PE2_WPE         (1ULL << 4)     /* bit 132 */
#define VTD_PE2_SMEP        (1ULL << 6)     /* bit 134 */
#define VTD_CAP_FS5LP       (1ULL << 60)

/* Scalable-mode non-recoverable fault reasons used by the walker */
#define VTD_FR_SM_PASID_TOO_BIG     0x46    /* beyond the PASID directory */
#define VTD_FR_SM_ERE_CLEAR         0x5c
#define VTD_FR_SM_SRE_CLEAR         0x5d
#define VTD_FR_FS_NESTED_MGAW       0x74
#define VTD_FR_FS_NESTED_FSPTPTR_R  0x75
#define VTD_FR_FS_NESTED_ENTRY_R    0x76
#define VTD_FR_FS_NESTED_ENTRY_W    0x77
#define VTD_FR_SS_ENTRY_ACCESS      0x78
#define VTD_FR_SS_NESTED_PERM       0x79
#define VTD_FR_SS_ENTRY_RSVD        0x7a
#define VTD_FR_SS_PTPTR_INV         0x7b
#define VTD_FR_FS_EXEC              0x82
#define VTD_FR_SM_ADDR_BEYOND_AW    0x83
#define VTD_FR_SS_ENTRY_BEYOND_AW   0x84
#define VTD_FR_SM_READ              0x86

/*
 * Walk the tables the PASID-table entry @pe selects (PGTT first-stage,
 * second-stage or nested; pass-through never reaches here) for @req.
 * Sets accessed flags on the way and the dirty flag of the leaf when
 * @req is a write that the entries allow.  Returns 0 or a negative
 * fault reason (-VTD_FR_*); for ATS requests a missing or insufficient
 * right is not an error: the rights come back in @out->perm.
 */
int vtd_sm_walk(IntelIOMMUState *s, const VTDPASIDEntry *pe,
                const VTDWalkReq *req, VTDWalkOut *out);

/*
 * Check @req against the rights of a walk (@perm, from vtd_sm_walk or
 * the IOTLB) for PASID-table entry type @pgtt.  Returns 0 or a negative
 * fault reason.
 */
int vtd_sm_access_check(uint32_t pgtt, uint16_t perm, const VTDWalkReq *req);

/* IOMMU_RO/IOMMU_WO/IOMMU_EXEC rights a request of @priv would have */
IOMMUAccessFlags vtd_sm_access_rights(uint32_t pgtt, uint16_t perm,
                                      bool priv, bool exec);

/* Fault reasons an ATS translation request answers without recording */
bool vtd_sm_fault_is_ats_silent(int fault);

#endif /* HW_I386_INTEL_IOMMU_WALK_H */
