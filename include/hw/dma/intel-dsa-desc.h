/*
 * Intel Data Streaming Accelerator (DSA 1.0): descriptors, completion
 * records, status codes, and the interface of the descriptor engine.
 *
 * The values follow the DSA architecture specification (revision 1.0)
 * and the names of Linux include/uapi/linux/idxd.h, so that guest
 * software and this model agree on every number.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_DMA_INTEL_DSA_DESC_H
#define HW_DMA_INTEL_DSA_DESC_H

#include "exec/memattrs.h"

/* Sizes */
#define DSA_DESC_SIZE           64
#define DSA_COMP_REC_SIZE       32
#define DSA_COMP_REC_ALIGN      32
#define DSA_DESC_LIST_ALIGN     64
#define DSA_DELTA_ENTRY_SIZE    10      /* 16-bit offset, then 64-bit data */
#define DSA_DELTA_MAX_XFER      (1u << 19)  /* 16-bit offset in 8-byte units */
#define DSA_DELTA_MIN_REC_SIZE  80
#define DSA_DIF_SIZE            8       /* guard, application tag, ref tag */

/* Opcodes (byte 7 of the descriptor) */
#define DSA_OPCODE_NOOP         0x00
#define DSA_OPCODE_BATCH        0x01
#define DSA_OPCODE_DRAIN        0x02
#define DSA_OPCODE_MEMMOVE      0x03
#define DSA_OPCODE_MEMFILL      0x04
#define DSA_OPCODE_COMPARE      0x05
#define DSA_OPCODE_COMPVAL      0x06
#define DSA_OPCODE_CR_DELTA     0x07
#define DSA_OPCODE_AP_DELTA     0x08
#define DSA_OPCODE_DUALCAST     0x09
#define DSA_OPCODE_CRCGEN       0x10
#define DSA_OPCODE_COPY_CRC     0x11
#define DSA_OPCODE_DIF_CHECK    0x12
#define DSA_OPCODE_DIF_INS      0x13
#define DSA_OPCODE_DIF_STRP     0x14
#define DSA_OPCODE_DIF_UPDT     0x15
#define DSA_OPCODE_CFLUSH       0x20

/* Descriptor flags (bits 23:0 of bytes 4..6) */
#define IDXD_OP_FLAG_FENCE      0x0001
#define IDXD_OP_FLAG_BOF        0x0002
#define IDXD_OP_FLAG_CRAV       0x0004
#define IDXD_OP_FLAG_RCR        0x0008
#define IDXD_OP_FLAG_RCI        0x0010
#define IDXD_OP_FLAG_CRSTS      0x0020  /* DSA 2.0: reserved in 1.0 */
#define IDXD_OP_FLAG_CR         0x0080  /* Check Result */
#define IDXD_OP_FLAG_CC         0x0100  /* Cache Control */
#define IDXD_OP_FLAG_ADDR1_TCS  0x0200
#define IDXD_OP_FLAG_ADDR2_TCS  0x0400
#define IDXD_OP_FLAG_ADDR3_TCS  0x0800
#define IDXD_OP_FLAG_CR_TCS     0x1000
#define IDXD_OP_FLAG_STORD      0x2000  /* Strict Ordering */
#define IDXD_OP_FLAG_DRDBK      0x4000  /* Destination Readback */
#define IDXD_OP_FLAG_DSTS       0x8000  /* DSA 2.0: reserved in 1.0 */
/* Operation-specific flags, bits 23:16 */
#define IDXD_OP_FLAG_RD_CRC_SEED 0x10000 /* CRC: read the seed from memory */
#define IDXD_OP_FLAG_RDBK_ADDR1  0x10000 /* drain: read back address 1 */
#define IDXD_OP_FLAG_RDBK_ADDR2  0x20000 /* drain: read back address 2 */
#define IDXD_OP_FLAG_RDBK_NO_TCA 0x40000 /* drain: no implicit TC-A readback */
#define IDXD_OP_FLAG_RDBK_NO_TCB 0x80000 /* drain: no implicit TC-B readback */
#define IDXD_OP_FLAGS_MASK      0xffffff

/* Descriptor field offsets (little endian) */
#define DSA_DESC_PASID          0       /* 31: priv, 19:0: PASID (ENQCMD) */
#define DSA_DESC_FLAGS          4       /* 24 bits */
#define DSA_DESC_OPCODE         7
#define DSA_DESC_COMPL_ADDR     8
#define DSA_DESC_SRC            16      /* src, pattern, list, readback 1 */
#define DSA_DESC_DST            24      /* dst, src2, pattern, readback 2 */
#define DSA_DESC_XFER_SIZE      32      /* transfer size, descriptor count */
#define DSA_DESC_INT_HANDLE     36
#define DSA_DESC_RSVD1          38
#define DSA_DESC_OP_SPECIFIC    40      /* 24 bytes */
/* Compare, compare pattern */
#define DSA_DESC_EXPECTED_RES   40
/* Create delta record */
#define DSA_DESC_DELTA_ADDR     40
#define DSA_DESC_MAX_DELTA_SIZE 48
#define DSA_DESC_EXPECTED_MASK  56
/* Apply delta record */
#define DSA_DESC_DELTA_REC_SIZE 40
/* Dualcast */
#define DSA_DESC_DEST2          40
/* CRC generation, copy with CRC */
#define DSA_DESC_CRC_SEED       40
#define DSA_DESC_CRC_SEED_ADDR  48
/* DIF check, DIF strip */
#define DSA_DESC_CHK_SRC_FLAGS  40
#define DSA_DESC_CHK_DIF_FLAGS  42
#define DSA_DESC_CHK_REF_SEED   48
#define DSA_DESC_CHK_APP_MASK   52
#define DSA_DESC_CHK_APP_SEED   54
/* DIF insert */
#define DSA_DESC_INS_DST_FLAGS  41
#define DSA_DESC_INS_DIF_FLAGS  42
#define DSA_DESC_INS_REF_SEED   56
#define DSA_DESC_INS_APP_MASK   60
#define DSA_DESC_INS_APP_SEED   62
/* DIF update */
#define DSA_DESC_UPD_SRC_FLAGS  40
#define DSA_DESC_UPD_DST_FLAGS  41
#define DSA_DESC_UPD_DIF_FLAGS  42
#define DSA_DESC_UPD_SRC_REF_SEED 48
#define DSA_DESC_UPD_SRC_APP_MASK 52
#define DSA_DESC_UPD_SRC_APP_SEED 54
#define DSA_DESC_UPD_DST_REF_SEED 56
#define DSA_DESC_UPD_DST_APP_MASK 60
#define DSA_DESC_UPD_DST_APP_SEED 62

/* DIF Flags byte: block size and CRC options */
#define DSA_DIF_FLAG_BLKSZ_MASK         0x03    /* 512, 520, 4096, 4104 */
#define DSA_DIF_FLAG_INVERT_CRC_SEED    0x04
#define DSA_DIF_FLAG_INVERT_CRC_RESULT  0x08
#define DSA_DIF_FLAG_RSVD               0xf0
/* Source DIF Flags byte */
#define DSA_DIF_SRC_ENABLE_ALL_F_ERR    0x01
#define DSA_DIF_SRC_ALL_F_DETECT        0x02
#define DSA_DIF_SRC_APP_F_DETECT        0x04
#define DSA_DIF_SRC_APP_REF_F_DETECT    0x08
#define DSA_DIF_SRC_APP_TAG_INC         0x10    /* 0: fixed */
#define DSA_DIF_SRC_GUARD_CHK_DISABLE   0x20
#define DSA_DIF_SRC_REF_CHK_DISABLE     0x40
#define DSA_DIF_SRC_REF_TAG_FIXED       0x80    /* 0: incrementing */
/* Destination DIF Flags byte */
#define DSA_DIF_DST_RSVD                0x07
#define DSA_DIF_DST_APP_PASS            0x08
#define DSA_DIF_DST_APP_TAG_INC         0x10    /* 0: fixed */
#define DSA_DIF_DST_GUARD_PASS          0x20
#define DSA_DIF_DST_REF_PASS            0x40
#define DSA_DIF_DST_REF_TAG_FIXED       0x80    /* 0: incrementing */
/* DIF error bits in the completion record's dif_status (byte 1) */
#define DSA_DIF_ERR_GUARD               0x01
#define DSA_DIF_ERR_APP_TAG             0x02
#define DSA_DIF_ERR_REF_TAG             0x04
#define DSA_DIF_ERR_ALL_F               0x08

/* Completion record status (byte 0; bit 7 is the R/W bit of a fault) */
#define DSA_COMP_NONE                   0x00
#define DSA_COMP_SUCCESS                0x01
#define DSA_COMP_SUCCESS_PRED           0x02
#define DSA_COMP_PAGE_FAULT_NOBOF       0x03
#define DSA_COMP_PAGE_FAULT_IR          0x04
#define DSA_COMP_BATCH_FAIL             0x05
#define DSA_COMP_BATCH_PAGE_FAULT       0x06
#define DSA_COMP_DR_OFFSET_NOINC        0x07
#define DSA_COMP_DR_OFFSET_ERANGE       0x08
#define DSA_COMP_DIF_ERR                0x09
#define DSA_COMP_BAD_OPCODE             0x10
#define DSA_COMP_INVALID_FLAGS          0x11
#define DSA_COMP_NOZERO_RESERVE         0x12
#define DSA_COMP_XFER_ERANGE            0x13
#define DSA_COMP_DESC_CNT_ERANGE        0x14
#define DSA_COMP_DR_ERANGE              0x15
#define DSA_COMP_OVERLAP_BUFFERS        0x16
#define DSA_COMP_DCAST_ERR              0x17
#define DSA_COMP_DESCLIST_ALIGN         0x18
#define DSA_COMP_INT_HANDLE_INVAL       0x19
#define DSA_COMP_CRA_XLAT               0x1a
#define DSA_COMP_CRA_ALIGN              0x1b
#define DSA_COMP_ADDR_ALIGN             0x1c
#define DSA_COMP_PRIV_BAD               0x1d
#define DSA_COMP_TRAFFIC_CLASS_CONF     0x1e
#define DSA_COMP_PFAULT_RDBA            0x1f
#define DSA_COMP_HW_ERR1                0x20
#define DSA_COMP_HW_ERR_DRB             0x21
#define DSA_COMP_TRANSLATION_FAIL       0x22

#define DSA_COMP_STATUS_MASK            0x7f
#define DSA_COMP_STATUS_WRITE           0x80

/* Completion record field offsets (little endian) */
#define DSA_COMP_STATUS         0
#define DSA_COMP_RESULT         1       /* result, dif_status, direction */
#define DSA_COMP_BYTES_DONE     4       /* bytes or descriptors completed */
#define DSA_COMP_FAULT_ADDR     8
#define DSA_COMP_INVALID_FLAGS_OFF 16   /* 24 bits, with status 0x11 */
#define DSA_COMP_DELTA_REC_SIZE 16
#define DSA_COMP_CRC_VAL        16
#define DSA_COMP_DIF_CHK_REF_TAG 16     /* check and strip */
#define DSA_COMP_DIF_CHK_APP_MASK 20
#define DSA_COMP_DIF_CHK_APP_TAG 22
#define DSA_COMP_DIF_INS_REF_TAG 24     /* insert */
#define DSA_COMP_DIF_INS_APP_MASK 28
#define DSA_COMP_DIF_INS_APP_TAG 30
#define DSA_COMP_DIF_UPD_SRC_REF_TAG 16 /* update */
#define DSA_COMP_DIF_UPD_SRC_APP_MASK 20
#define DSA_COMP_DIF_UPD_SRC_APP_TAG 22
#define DSA_COMP_DIF_UPD_DST_REF_TAG 24
#define DSA_COMP_DIF_UPD_DST_APP_MASK 28
#define DSA_COMP_DIF_UPD_DST_APP_TAG 30

/* Result byte of a memory move that faulted: copy direction */
#define DSA_COMP_RESULT_DESCENDING      0x01

/*
 * The descriptor engine
 * =====================
 *
 * dsa_engine_execute() executes one descriptor as the device received it
 * from a portal, with the PASID and privilege of the submission, and
 * returns the status byte (the value written, or that would have been
 * written, to byte 0 of the completion record; bit 7 is the R/W bit of a
 * page fault).  It touches guest memory only through @io->rw, in pieces
 * of at most one 4 KiB page, and never allocates anything the guest
 * sizes.  It takes no lock and does not need the BQL.
 *
 * The completion record (when the Completion Record Address Valid flag
 * is set, and Request Completion Record is set or the descriptor did not
 * succeed) is written with its status byte last, before the interrupt
 * requested by Request Completion Interrupt.  When the record itself
 * cannot be written the return value is DSA_COMP_CRA_ALIGN or
 * DSA_COMP_CRA_XLAT, no record and no interrupt exist, and the device
 * reports the error in SWERR.  A descriptor that fails without a valid
 * completion record address (CRAV clear) also returns its error status
 * for the device to report in SWERR.
 *
 * DRAIN and fences between separately submitted descriptors are the
 * device's business (it calls the engine in submission order); inside a
 * batch the engine honours the Fence flag itself.
 */

typedef struct DSADesc {
    uint8_t raw[DSA_DESC_SIZE];     /* as written to the portal, LE */
} DSADesc;

/* DSAEngineIO.map() results */
typedef enum DSAMapResult {
    DSA_MAP_MISS,           /* not cached: use rw() */
    DSA_MAP_OK,             /* mapped: access in place, then unmap() */
    DSA_MAP_FAULT,          /* translation failed, fault reported */
} DSAMapResult;

/* Guest bytes the engine may access in place */
typedef struct DSAHostMap {
    uint8_t *host;          /* the first byte */
    uint64_t len;           /* bytes contiguous at host */
    MemoryRegion *mr;       /* the mapper's, for unmap() */
    uint64_t mr_offset;     /* the mapper's, for unmap() */
} DSAHostMap;

/*
 * How far the engine got with a descriptor, so that one stopped while it
 * waits for a page (a VM migrated with Block On Fault outstanding) can be
 * resumed by another instance with the result it would have had.  The
 * operations are restartable from their start, except that a batch's
 * members before @batch_index are done (and already completed), and a
 * memory move has moved @done bytes (from the end when it copies
 * descending), which matters when its buffers overlap.
 */
typedef struct DSAProgress {
    uint32_t batch_index;   /* batch: the member being executed */
    bool batch_failed;      /* batch: a member before it did not succeed */
    uint32_t done;          /* memory move: bytes moved */
} DSAProgress;

typedef struct DSAEngineIO {
    /*
     * DMA in the descriptor's address space; pasid is PCI_NO_PASID
     * (UINT32_MAX) when none.  MEMTX_ACCESS_ERROR: the read translated
     * but the memory system refused it (Unsupported Request, Completer
     * Abort), a hardware error (DSA_COMP_HW_ERR1).  Any other result but
     * MEMTX_OK is a page fault.  Writes are posted: one that translated
     * returns MEMTX_OK whatever became of it.
     */
    MemTxResult (*rw)(void *opaque, uint32_t pasid, bool priv, uint64_t addr,
                      void *buf, uint64_t len, bool is_write);
    /* completion interrupt request: handle = descriptor's int_handle */
    void (*interrupt)(void *opaque, uint16_t int_handle);
    void *opaque;
    /*
     * Optional (may be NULL).  Called on a fault when Block On Fault is in
     * effect (descriptor flag and DSAEngineLimits.block_on_fault): ask for
     * the page (PRI page request) and return true when the access should
     * be retried.  Without it, or when it returns false, a fault under
     * Block On Fault completes with DSA_COMP_PAGE_FAULT_IR.
     */
    bool (*page_request)(void *opaque, uint32_t pasid, bool priv,
                         uint64_t addr, bool is_write);
    /*
     * Optional (may be NULL): access in place through the device-TLB.
     * DSA_MAP_OK maps guest bytes from @addr on, @len at most, as up to
     * *@n runs of contiguous host memory in @m (in address order), and
     * sets *@n to the number of runs: at least the first byte, and as
     * far as the following pages are cached.  The engine accesses them
     * and calls unmap() for the runs, with the bytes used from the first
     * on, before it blocks or completes the descriptor.  What is not
     * cached is translated; DSA_MAP_FAULT when the first page's
     * translation fails, DSA_MAP_MISS when it cannot be mapped (not RAM,
     * no device-TLB): use rw().
     */
    DSAMapResult (*map)(void *opaque, uint32_t pasid, bool priv,
                        uint64_t addr, uint64_t len, bool is_write,
                        DSAHostMap *m, unsigned *n);
    void (*unmap)(void *opaque, DSAHostMap *m, unsigned n, uint64_t used,
                  bool is_write);
    /*
     * Optional: account for the bytes written in place so far (unmap may
     * defer it); called before the completion record's status byte.
     */
    void (*account)(void *opaque);
    /*
     * Optional: the descriptor's error cannot go to its completion record
     * (so it goes to SWERR); @addr is the faulting address when the error
     * is a page fault (the completion record's, for DSA_COMP_CRA_XLAT),
     * else 0.  Called before the descriptor completes, for the descriptor
     * itself, not for batch members.
     */
    void (*unrecorded)(void *opaque, uint64_t addr);
    /*
     * Optional: where the engine keeps its DSAProgress while it executes
     * a descriptor (it is current whenever page_request() is called).
     */
    DSAProgress *progress;
} DSAEngineIO;

typedef struct DSAEngineLimits {
    uint64_t max_xfer_size;     /* bytes, from GENCAP; 0: no limit */
    uint32_t max_batch_size;    /* descriptors, from GENCAP */
    bool block_on_fault;        /* WQ config allows block on fault */
    /*
     * Optional: number of valid interrupt handles (MSI-X table entries
     * usable for completions).  0: not checked.
     */
    uint32_t num_int_handles;
} DSAEngineLimits;

uint8_t dsa_engine_execute(const DSAEngineIO *io, const DSAEngineLimits *lim,
                           uint32_t pasid, bool priv, const DSADesc *desc);

/*
 * Execute @desc from where an earlier execution of it stopped, as
 * recorded in its DSAProgress @from (values out of range are clamped).
 */
uint8_t dsa_engine_resume(const DSAEngineIO *io, const DSAEngineLimits *lim,
                          uint32_t pasid, bool priv, const DSADesc *desc,
                          const DSAProgress *from);

/*
 * Complete a descriptor that the device itself refuses (for example
 * DSA_COMP_PRIV_BAD): write its completion record with @status when it
 * has a valid completion record address, and request its interrupt as
 * dsa_engine_execute() would.  Returns the status, or DSA_COMP_CRA_ALIGN
 * or DSA_COMP_CRA_XLAT when no record could be written.
 */
uint8_t dsa_engine_complete_error(const DSAEngineIO *io,
                                  const DSAEngineLimits *lim,
                                  uint32_t pasid, bool priv,
                                  const DSADesc *desc, uint8_t status);

/* OPCAP: bit n of the 256-bit field is set when opcode n is executed */
void dsa_engine_opcap(uint64_t opcap[4]);

/*
 * True when the error that @desc completed with (the value returned by
 * dsa_engine_execute() or dsa_engine_complete_error()) is in no completion
 * record, so that the device must report it in SWERR: the record address
 * is not valid, misaligned, or could not be written.
 */
static inline bool dsa_engine_error_unrecorded(const DSADesc *desc,
                                               uint8_t status)
{
    uint8_t code = status & DSA_COMP_STATUS_MASK;
    uint32_t flags = desc->raw[DSA_DESC_FLAGS] |
                     desc->raw[DSA_DESC_FLAGS + 1] << 8 |
                     desc->raw[DSA_DESC_FLAGS + 2] << 16;

    if (code == DSA_COMP_SUCCESS || code == DSA_COMP_SUCCESS_PRED) {
        return false;
    }
    return !(flags & IDXD_OP_FLAG_CRAV) || code == DSA_COMP_CRA_ALIGN ||
           code == DSA_COMP_CRA_XLAT;
}

#endif /* HW_DMA_INTEL_DSA_DESC_H */
