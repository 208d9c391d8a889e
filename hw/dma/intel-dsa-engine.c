/*
 * Intel Data Streaming Accelerator (DSA 1.0): the descriptor engine.
 *
 * Executes one 64-byte descriptor at a time on behalf of the device
 * model: checks it, moves and transforms data through the DMA callback,
 * writes the completion record (status byte last) and asks for the
 * completion interrupt.  It keeps no state, takes no lock and never
 * sizes a host allocation after the guest: every guest access goes
 * through DSAEngineIO.rw in pieces of at most one 4 KiB page, so that a
 * failed access names the page that faulted, unless the device-TLB
 * (DSAEngineIO.map) has the pages: MEMMOVE and FILL then work in place
 * on runs of cached pages, the rest copy a page at a time from them.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/atomic.h"
#include "qemu/crc32c.h"
#include "hw/dma/intel-dsa-desc.h"
#include "trace.h"

#define DSA_PAGE_SIZE       4096ULL
#define DSA_CHUNK           4096
/* Runs of guest memory mapped at once for an access in place */
#define DSA_MAP_RUNS        64
/* Descriptors of a batch read at once: one page */
#define DSA_BATCH_CHUNK     (DSA_CHUNK / DSA_DESC_SIZE)
/* Delta record entries built or applied at once */
#define DSA_DELTA_CHUNK     (DSA_CHUNK / DSA_DELTA_ENTRY_SIZE)
/* Page requests for one access before giving up */
#define DSA_PRS_RETRIES     4

/* Flags valid on every DSA 1.0 operation */
#define DSA_FLAGS_COMMON    (IDXD_OP_FLAG_FENCE | IDXD_OP_FLAG_BOF | \
                             IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR | \
                             IDXD_OP_FLAG_RCI | IDXD_OP_FLAG_CC | \
                             IDXD_OP_FLAG_ADDR1_TCS | IDXD_OP_FLAG_ADDR2_TCS | \
                             IDXD_OP_FLAG_ADDR3_TCS | IDXD_OP_FLAG_CR_TCS | \
                             IDXD_OP_FLAG_STORD | IDXD_OP_FLAG_DRDBK)

/* Bytes first..last of the operation-specific area (40..63) */
#define DSA_OPS_BYTES(first, last) \
    (((1u << ((last) - (first) + 1)) - 1) << ((first) - DSA_DESC_OP_SPECIFIC))
#define DSA_OPS_ALL         DSA_OPS_BYTES(40, 63)

typedef struct DSAJob DSAJob;

typedef struct DSAOpInfo {
    const char *name;
    uint32_t flags;         /* valid flags */
    uint32_t rsvd;          /* reserved bytes of the op-specific area */
    uint8_t (*run)(DSAJob *j);
} DSAOpInfo;

struct DSAJob {
    const DSAEngineIO *io;
    const DSAEngineLimits *lim;
    const uint8_t *d;       /* the descriptor */
    const DSAOpInfo *op;
    uint32_t pasid;
    bool priv;
    bool in_batch;
    bool bof;               /* block on fault in effect */
    uint8_t opcode;
    uint32_t flags;
    uint64_t src;
    uint64_t dst;
    uint32_t xfer;
    uint64_t fault_addr;    /* the last failed access */
    bool fault_write;
    bool hw_error;          /* it was refused by the memory system */
    uint8_t cr[DSA_COMP_REC_SIZE];
    const DSAProgress *from;    /* resume from here, or NULL */
};

/* Record progress for DSAEngineIO.page_request's caller to save */
static void dsa_progress_done(DSAJob *j, uint32_t done)
{
    if (j->io->progress) {
        j->io->progress->done = done;
    }
}

/* Memory move: bytes a resumed execution starts from */
static uint32_t dsa_resume_done(DSAJob *j)
{
    return j->from ? MIN(j->from->done, j->xfer) : 0;
}

static uint8_t dsa_execute_one(const DSAEngineIO *io,
                               const DSAEngineLimits *lim,
                               uint32_t pasid, bool priv,
                               const uint8_t *d, bool in_batch,
                               const DSAProgress *from);

/* Guest memory */

static uint64_t dsa_page_room(uint64_t addr)
{
    return DSA_PAGE_SIZE - (addr & (DSA_PAGE_SIZE - 1));
}

/*
 * Map guest bytes from @addr on, @len at most, for access in place
 * (DSAEngineIO.map, translating what is not cached yet), as up to
 * DSA_MAP_RUNS runs in @m; returns how many, and their bytes in
 * *@mapped.  0 when the first page cannot be mapped (not RAM, no
 * device-TLB, or a fault): the caller then goes through dsa_read() and
 * dsa_write(), which report the fault.  The pages are looked up
 * together, before the data moves.
 */
static unsigned dsa_map(DSAJob *j, uint64_t addr, uint64_t len,
                        bool is_write, DSAHostMap *m, uint64_t *mapped)
{
    const DSAEngineIO *io = j->io;
    unsigned i, n = DSA_MAP_RUNS;

    *mapped = 0;
    if (!io->map || !len ||
        io->map(io->opaque, j->pasid, j->priv, addr, len, is_write, m,
                &n) != DSA_MAP_OK) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        *mapped += m[i].len;
    }
    return n;
}

/* Unmap what dsa_map() mapped; the first @used bytes were used. */
static void dsa_unmap(DSAJob *j, DSAHostMap *m, unsigned n, uint64_t used,
                      bool is_write)
{
    j->io->unmap(j->io->opaque, m, n, used, is_write);
}

/* Copy @len bytes from the runs @s to the runs @d, in address order */
static void dsa_copy_runs(const DSAHostMap *d, const DSAHostMap *s,
                          uint64_t len)
{
    uint64_t doff = 0, soff = 0;

    while (len) {
        uint64_t n = MIN(len, MIN(d->len - doff, s->len - soff));

        memmove(d->host + doff, s->host + soff, n);
        len -= n;
        doff += n;
        soff += n;
        if (doff == d->len) {
            d++;
            doff = 0;
        }
        if (soff == s->len) {
            s++;
            soff = 0;
        }
    }
}

/* One access within a page: through the device-TLB, else io->rw */
static bool dsa_access_once(DSAJob *j, uint64_t addr, void *buf,
                            uint64_t len, bool is_write)
{
    const DSAEngineIO *io = j->io;
    DSAHostMap m;

    if (io->map) {
        unsigned n = 1;

        switch (io->map(io->opaque, j->pasid, j->priv, addr, len, is_write,
                        &m, &n)) {
        case DSA_MAP_OK:
            if (m.len < len) {
                /* (not within one page: never from dsa_xfer()) */
                io->unmap(io->opaque, &m, 1, 0, is_write);
                break;
            }
            if (is_write) {
                memcpy(m.host, buf, len);
            } else {
                memcpy(buf, m.host, len);
            }
            io->unmap(io->opaque, &m, 1, len, is_write);
            return true;
        case DSA_MAP_FAULT:
            return false;
        case DSA_MAP_MISS:
            break;
        }
    }
    switch (io->rw(io->opaque, j->pasid, j->priv, addr, buf, len, is_write)) {
    case MEMTX_OK:
        return true;
    case MEMTX_ACCESS_ERROR:
        j->hw_error = true;
        return false;
    default:
        return false;
    }
}

/* One access within a page; on failure, remembers where it faulted. */
static bool dsa_access(DSAJob *j, uint64_t addr, void *buf, uint64_t len,
                       bool is_write)
{
    const DSAEngineIO *io = j->io;
    int i;

    if (dsa_access_once(j, addr, buf, len, is_write)) {
        return true;
    }
    if (j->bof && io->page_request && !j->hw_error) {
        for (i = 0; i < DSA_PRS_RETRIES; i++) {
            bool ok = io->page_request(io->opaque, j->pasid, j->priv, addr,
                                       is_write);

            trace_dsa_engine_page_request(j->pasid, addr, is_write, ok);
            if (!ok) {
                break;
            }
            if (dsa_access_once(j, addr, buf, len, is_write)) {
                return true;
            }
        }
    }
    j->fault_addr = addr;
    j->fault_write = is_write;
    trace_dsa_engine_fault(j->opcode, j->pasid, addr, is_write, j->bof);
    return false;
}

/* Any access, split at page boundaries. */
static bool dsa_xfer(DSAJob *j, uint64_t addr, void *buf, uint64_t len,
                     bool is_write)
{
    uint8_t *p = buf;

    while (len) {
        uint64_t n = MIN(len, dsa_page_room(addr));

        if (!dsa_access(j, addr, p, n, is_write)) {
            return false;
        }
        addr += n;
        p += n;
        len -= n;
    }
    return true;
}

static bool dsa_read(DSAJob *j, uint64_t addr, void *buf, uint64_t len)
{
    return dsa_xfer(j, addr, buf, len, false);
}

static bool dsa_write(DSAJob *j, uint64_t addr, const void *buf, uint64_t len)
{
    return dsa_xfer(j, addr, (void *)buf, len, true);
}

/* Bytes to move next so that no access crosses a page of either side */
static uint64_t dsa_step(uint64_t left, uint64_t a, uint64_t b)
{
    return MIN(MIN(left, (uint64_t)DSA_CHUNK),
               MIN(dsa_page_room(a), dsa_page_room(b)));
}

static bool dsa_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return alen && blen && a < b + blen && b < a + alen;
}

/* Completion record fields */

static void dsa_cr_set32(DSAJob *j, unsigned off, uint32_t v)
{
    stl_le_p(&j->cr[off], v);
}

static void dsa_cr_set16(DSAJob *j, unsigned off, uint16_t v)
{
    stw_le_p(&j->cr[off], v);
}

/* Partial completion after a failed access */
static uint8_t dsa_fault(DSAJob *j, uint32_t done)
{
    uint8_t status = j->bof ? DSA_COMP_PAGE_FAULT_IR
                            : DSA_COMP_PAGE_FAULT_NOBOF;

    if (j->hw_error) {
        /* a read the memory system refused: no partial completion */
        trace_dsa_engine_hw_error(j->opcode, j->fault_addr);
        stq_le_p(&j->cr[DSA_COMP_FAULT_ADDR], j->fault_addr);
        return DSA_COMP_HW_ERR1;
    }
    dsa_cr_set32(j, DSA_COMP_BYTES_DONE, done);
    stq_le_p(&j->cr[DSA_COMP_FAULT_ADDR], j->fault_addr);
    trace_dsa_engine_partial(j->opcode, j->fault_addr, j->fault_write, done);
    return status | (j->fault_write ? DSA_COMP_STATUS_WRITE : 0);
}

static uint8_t dsa_xfer_range(DSAJob *j, uint64_t max)
{
    uint64_t lim = j->lim->max_xfer_size;

    if (j->xfer == 0 || j->xfer > max || (lim && j->xfer > lim)) {
        trace_dsa_engine_xfer_range(j->opcode, j->xfer, lim);
        return DSA_COMP_XFER_ERANGE;
    }
    return DSA_COMP_SUCCESS;
}

static uint8_t dsa_overlap_error(DSAJob *j, uint64_t a, uint64_t alen,
                                 uint64_t b, uint64_t blen)
{
    trace_dsa_engine_overlap(j->opcode, a, alen, b, blen);
    return DSA_COMP_OVERLAP_BUFFERS;
}

static uint8_t dsa_align_error(DSAJob *j, uint64_t addr)
{
    trace_dsa_engine_addr_align(j->opcode, addr);
    return DSA_COMP_ADDR_ALIGN;
}

/* Check Result: the predicate is false when the result is not expected */
static uint8_t dsa_predicate(DSAJob *j, bool expected)
{
    if ((j->flags & IDXD_OP_FLAG_CR) && !expected) {
        return DSA_COMP_SUCCESS_PRED;
    }
    return DSA_COMP_SUCCESS;
}

/* No-op */

static uint8_t dsa_op_noop(DSAJob *j)
{
    return DSA_COMP_SUCCESS;
}

/*
 * Drain: the device calls the engine once the descriptors submitted
 * before it have completed; what is left are the readbacks, which make
 * sure earlier writes reached the memory behind the readback addresses.
 */
static uint8_t dsa_op_drain(DSAJob *j)
{
    uint8_t probe;

    if (((j->flags & IDXD_OP_FLAG_RDBK_ADDR1) &&
         !dsa_read(j, j->src, &probe, 1)) ||
        ((j->flags & IDXD_OP_FLAG_RDBK_ADDR2) &&
         !dsa_read(j, j->dst, &probe, 1))) {
        trace_dsa_engine_readback_fault(j->fault_addr);
        stq_le_p(&j->cr[DSA_COMP_FAULT_ADDR], j->fault_addr);
        return DSA_COMP_PFAULT_RDBA;
    }
    return DSA_COMP_SUCCESS;
}

/* Memory move: descending when the destination overlaps the source end */

static uint8_t dsa_op_memmove(DSAJob *j)
{
    QEMU_UNINITIALIZED uint8_t buf[DSA_CHUNK];
    uint64_t len = j->xfer, done;
    uint8_t st = dsa_xfer_range(j, UINT32_MAX);

    if (st != DSA_COMP_SUCCESS) {
        return st;
    }
    done = dsa_resume_done(j);
    if (j->dst > j->src && j->dst < j->src + len) {
        while (done < len) {
            uint64_t s_end = j->src + len - done, d_end = j->dst + len - done;
            uint64_t n = MIN(len - done, (uint64_t)DSA_CHUNK);

            dsa_progress_done(j, done);

            /* stay within the pages holding the last bytes of each side */
            n = MIN(n, ((s_end - 1) & (DSA_PAGE_SIZE - 1)) + 1);
            n = MIN(n, ((d_end - 1) & (DSA_PAGE_SIZE - 1)) + 1);
            if (!dsa_read(j, s_end - n, buf, n) ||
                !dsa_write(j, d_end - n, buf, n)) {
                j->cr[DSA_COMP_RESULT] = DSA_COMP_RESULT_DESCENDING;
                return dsa_fault(j, done);
            }
            done += n;
        }
    } else {
        while (done < len) {
            uint64_t n = dsa_step(len - done, j->src + done, j->dst + done);
            QEMU_UNINITIALIZED DSAHostMap ms[DSA_MAP_RUNS], md[DSA_MAP_RUNS];
            uint64_t slen, dlen;
            unsigned ns, nd;

            dsa_progress_done(j, done);

            /* Both sides mapped: in place, as far as both go */
            ns = dsa_map(j, j->src + done, len - done, false, ms, &slen);
            if (ns) {
                nd = dsa_map(j, j->dst + done, slen, true, md, &dlen);
                if (nd) {
                    dsa_copy_runs(md, ms, dlen);
                    dsa_unmap(j, md, nd, dlen, true);
                    dsa_unmap(j, ms, ns, dlen, false);
                    done += dlen;
                    continue;
                }
                dsa_unmap(j, ms, ns, 0, false);
            }
            if (!dsa_read(j, j->src + done, buf, n) ||
                !dsa_write(j, j->dst + done, buf, n)) {
                return dsa_fault(j, done);
            }
            done += n;
        }
    }
    /* Moved: a wait for the completion record's page resumes here. */
    dsa_progress_done(j, len);
    return DSA_COMP_SUCCESS;
}

/* Memory fill: the 8-byte pattern repeats from the start of the buffer */

static void dsa_pattern_fill(uint8_t *buf, size_t len, uint64_t pattern)
{
    size_t i;

    for (i = 0; i < len; i++) {
        buf[i] = pattern >> (8 * (i & 7));
    }
}

static uint8_t dsa_op_memfill(DSAJob *j)
{
    QEMU_UNINITIALIZED uint8_t buf[DSA_CHUNK + 8];
    uint64_t len = j->xfer, done = 0;
    uint8_t st = dsa_xfer_range(j, UINT32_MAX);

    if (st != DSA_COMP_SUCCESS) {
        return st;
    }
    dsa_pattern_fill(buf, sizeof(buf), j->src);
    while (done < len) {
        uint64_t n = dsa_step(len - done, j->dst + done, j->dst + done);
        QEMU_UNINITIALIZED DSAHostMap md[DSA_MAP_RUNS];
        uint64_t dlen;
        unsigned nd = dsa_map(j, j->dst + done, len - done, true, md, &dlen);

        if (nd) {
            unsigned i;

            for (i = 0; i < nd; i++) {
                uint64_t k;

                /* whole chunks of the pattern, then the rest */
                for (k = 0; k + DSA_CHUNK <= md[i].len; k += DSA_CHUNK) {
                    memcpy(md[i].host + k, buf + ((done + k) & 7), DSA_CHUNK);
                }
                memcpy(md[i].host + k, buf + ((done + k) & 7),
                       md[i].len - k);
                done += md[i].len;
            }
            dsa_unmap(j, md, nd, dlen, true);
            continue;
        }
        if (!dsa_write(j, j->dst + done, buf + (done & 7), n)) {
            return dsa_fault(j, done);
        }
        done += n;
    }
    return DSA_COMP_SUCCESS;
}

/* Compare, compare pattern: result 1 and the offset of the difference */

static uint8_t dsa_compare_result(DSAJob *j, bool differ, uint64_t offset)
{
    bool expected = j->d[DSA_DESC_EXPECTED_RES] & 1;

    j->cr[DSA_COMP_RESULT] = differ;
    if (differ) {
        dsa_cr_set32(j, DSA_COMP_BYTES_DONE, offset);
    }
    return dsa_predicate(j, differ == expected);
}

static uint8_t dsa_op_compare(DSAJob *j)
{
    uint8_t a[DSA_CHUNK], b[DSA_CHUNK];
    uint64_t len = j->xfer, done = 0;
    uint8_t st = dsa_xfer_range(j, UINT32_MAX);

    if (st != DSA_COMP_SUCCESS) {
        return st;
    }
    if (j->d[DSA_DESC_EXPECTED_RES] & ~1) {
        trace_dsa_engine_reserved(j->opcode, DSA_DESC_EXPECTED_RES);
        return DSA_COMP_NOZERO_RESERVE;
    }
    while (done < len) {
        uint64_t i, n = dsa_step(len - done, j->src + done, j->dst + done);

        if (!dsa_read(j, j->src + done, a, n) ||
            !dsa_read(j, j->dst + done, b, n)) {
            return dsa_fault(j, done);
        }
        if (memcmp(a, b, n)) {
            for (i = 0; a[i] == b[i]; i++) {
                /* find the first difference */
            }
            return dsa_compare_result(j, true, done + i);
        }
        done += n;
    }
    return dsa_compare_result(j, false, 0);
}

/*
 * Compare pattern: the source address is in the first address field
 * (bytes 16..23), the pattern in the second (bytes 24..31), as Linux's
 * struct dsa_hw_desc has them (src_addr, comp_pattern).
 */
static uint8_t dsa_op_compval(DSAJob *j)
{
    uint8_t pat[DSA_CHUNK + 8], b[DSA_CHUNK];
    uint64_t addr = j->src, pattern = j->dst;
    uint64_t len = j->xfer, done = 0;
    uint8_t st = dsa_xfer_range(j, UINT32_MAX);

    if (st != DSA_COMP_SUCCESS) {
        return st;
    }
    if (j->d[DSA_DESC_EXPECTED_RES] & ~1) {
        trace_dsa_engine_reserved(j->opcode, DSA_DESC_EXPECTED_RES);
        return DSA_COMP_NOZERO_RESERVE;
    }
    dsa_pattern_fill(pat, sizeof(pat), pattern);
    while (done < len) {
        uint64_t i, n = dsa_step(len - done, addr + done, addr + done);
        const uint8_t *a = pat + (done & 7);

        if (!dsa_read(j, addr + done, b, n)) {
            return dsa_fault(j, done);
        }
        if (memcmp(a, b, n)) {
            for (i = 0; a[i] == b[i]; i++) {
                /* find the first difference */
            }
            return dsa_compare_result(j, true, done + i);
        }
        done += n;
    }
    return dsa_compare_result(j, false, 0);
}

/* Dualcast: one source, two destinations with equal bits 11:0 */

static uint8_t dsa_op_dualcast(DSAJob *j)
{
    uint8_t buf[DSA_CHUNK];
    uint64_t dst2 = ldq_le_p(&j->d[DSA_DESC_DEST2]);
    uint64_t len = j->xfer, done = 0;
    uint8_t st = dsa_xfer_range(j, UINT32_MAX);

    if (st != DSA_COMP_SUCCESS) {
        return st;
    }
    if ((j->dst ^ dst2) & 0xfff) {
        trace_dsa_engine_dualcast(j->dst, dst2);
        return DSA_COMP_DCAST_ERR;
    }
    if (dsa_overlap(j->src, len, j->dst, len)) {
        return dsa_overlap_error(j, j->src, len, j->dst, len);
    }
    if (dsa_overlap(j->src, len, dst2, len)) {
        return dsa_overlap_error(j, j->src, len, dst2, len);
    }
    if (dsa_overlap(j->dst, len, dst2, len)) {
        return dsa_overlap_error(j, j->dst, len, dst2, len);
    }
    while (done < len) {
        uint64_t n = dsa_step(len - done, j->src + done, j->dst + done);

        if (!dsa_read(j, j->src + done, buf, n) ||
            !dsa_write(j, j->dst + done, buf, n) ||
            !dsa_write(j, dst2 + done, buf, n)) {
            return dsa_fault(j, done);
        }
        done += n;
    }
    return DSA_COMP_SUCCESS;
}

/* CRC-32C (Castagnoli, reflected), with copy for COPY_CRC */

static uint8_t dsa_op_crc(DSAJob *j)
{
    uint8_t buf[DSA_CHUNK];
    bool copy = j->opcode == DSA_OPCODE_COPY_CRC;
    uint64_t len = j->xfer, done = 0;
    uint32_t seed = ldl_le_p(&j->d[DSA_DESC_CRC_SEED]);
    uint32_t state;
    uint8_t st = dsa_xfer_range(j, UINT32_MAX);

    if (st != DSA_COMP_SUCCESS) {
        return st;
    }
    if (copy && dsa_overlap(j->src, len, j->dst, len)) {
        return dsa_overlap_error(j, j->src, len, j->dst, len);
    }
    if (j->flags & IDXD_OP_FLAG_RD_CRC_SEED) {
        uint64_t seed_addr = ldq_le_p(&j->d[DSA_DESC_CRC_SEED_ADDR]);
        uint8_t s[4];

        if (seed_addr & 3) {
            return dsa_align_error(j, seed_addr);
        }
        if (!dsa_read(j, seed_addr, s, sizeof(s))) {
            return dsa_fault(j, 0);
        }
        seed = ldl_le_p(s);
    }
    state = ~seed;
    while (done < len) {
        uint64_t n = dsa_step(len - done, j->src + done,
                              copy ? j->dst + done : j->src + done);

        if (!dsa_read(j, j->src + done, buf, n) ||
            (copy && !dsa_write(j, j->dst + done, buf, n))) {
            /* the CRC of what was done, to continue from */
            dsa_cr_set32(j, DSA_COMP_CRC_VAL, ~state);
            return dsa_fault(j, done);
        }
        state = ~crc32c(state, buf, n);
        done += n;
    }
    dsa_cr_set32(j, DSA_COMP_CRC_VAL, ~state);
    return DSA_COMP_SUCCESS;
}

/* Create delta record: (offset / 8, new 8 bytes) for each 8 that differ */

static uint8_t dsa_op_cr_delta(DSAJob *j)
{
    uint8_t a[DSA_CHUNK], b[DSA_CHUNK];
    uint8_t rec[DSA_DELTA_CHUNK * DSA_DELTA_ENTRY_SIZE];
    uint64_t delta = ldq_le_p(&j->d[DSA_DESC_DELTA_ADDR]);
    uint32_t max = ldl_le_p(&j->d[DSA_DESC_MAX_DELTA_SIZE]);
    uint8_t mask = j->d[DSA_DESC_EXPECTED_MASK];
    uint64_t len = j->xfer, done = 0;
    uint32_t used = 0, fill = 0;        /* record bytes written, buffered */
    uint8_t result = 0;
    uint8_t st = dsa_xfer_range(j, DSA_DELTA_MAX_XFER);

    if (st == DSA_COMP_SUCCESS && (len & 7)) {
        trace_dsa_engine_xfer_range(j->opcode, j->xfer, 8);
        st = DSA_COMP_XFER_ERANGE;
    }
    if (st != DSA_COMP_SUCCESS) {
        return st;
    }
    if (mask & ~7) {
        trace_dsa_engine_reserved(j->opcode, DSA_DESC_EXPECTED_MASK);
        return DSA_COMP_NOZERO_RESERVE;
    }
    if (max < DSA_DELTA_MIN_REC_SIZE ||
        (j->lim->max_xfer_size && max > j->lim->max_xfer_size)) {
        trace_dsa_engine_delta_size(j->opcode, max);
        return DSA_COMP_DR_ERANGE;
    }
    if ((j->src | j->dst | delta) & 7) {
        return dsa_align_error(j, j->src & 7 ? j->src :
                                  j->dst & 7 ? j->dst : delta);
    }
    max -= max % DSA_DELTA_ENTRY_SIZE;
    if (dsa_overlap(delta, max, j->src, len)) {
        return dsa_overlap_error(j, delta, max, j->src, len);
    }
    if (dsa_overlap(delta, max, j->dst, len)) {
        return dsa_overlap_error(j, delta, max, j->dst, len);
    }
    while (done < len && result != 2) {
        uint64_t i, n = dsa_step(len - done, j->src + done, j->dst + done);

        /*
         * No more 8-byte units than record entries fit the buffer: the
         * record written and the bytes completed always agree.
         */
        n = MIN(n, (uint64_t)DSA_DELTA_CHUNK * 8);
        if (!dsa_read(j, j->src + done, a, n) ||
            !dsa_read(j, j->dst + done, b, n)) {
            goto fault;
        }
        for (i = 0; i < n; i += 8) {
            if (!memcmp(a + i, b + i, 8)) {
                continue;
            }
            if (used + fill + DSA_DELTA_ENTRY_SIZE > max) {
                result = 2;             /* the record is full */
                n = i;
                break;
            }
            result = 1;
            stw_le_p(&rec[fill], (done + i) / 8);
            memcpy(&rec[fill + 2], b + i, 8);
            fill += DSA_DELTA_ENTRY_SIZE;
        }
        if (fill && !dsa_write(j, delta + used, rec, fill)) {
            goto fault;
        }
        used += fill;
        fill = 0;
        done += n;
    }
    j->cr[DSA_COMP_RESULT] = result;
    dsa_cr_set32(j, DSA_COMP_DELTA_REC_SIZE, used);
    if (result == 2) {
        dsa_cr_set32(j, DSA_COMP_BYTES_DONE, done);
    }
    return dsa_predicate(j, mask & (1 << result));

fault:
    dsa_cr_set32(j, DSA_COMP_DELTA_REC_SIZE, used);
    return dsa_fault(j, done);
}

/* Apply delta record */

static uint8_t dsa_op_ap_delta(DSAJob *j)
{
    uint8_t rec[DSA_DELTA_CHUNK * DSA_DELTA_ENTRY_SIZE];
    uint32_t size = ldl_le_p(&j->d[DSA_DESC_DELTA_REC_SIZE]);
    uint64_t len = j->xfer;
    uint32_t done = 0;          /* delta record bytes applied */
    int64_t prev = -1;
    uint8_t st = dsa_xfer_range(j, DSA_DELTA_MAX_XFER);

    if (st == DSA_COMP_SUCCESS && (len & 7)) {
        trace_dsa_engine_xfer_range(j->opcode, j->xfer, 8);
        st = DSA_COMP_XFER_ERANGE;
    }
    if (st != DSA_COMP_SUCCESS) {
        return st;
    }
    if (size == 0 || size % DSA_DELTA_ENTRY_SIZE ||
        size > len / 8 * DSA_DELTA_ENTRY_SIZE) {
        trace_dsa_engine_delta_size(j->opcode, size);
        return DSA_COMP_DR_ERANGE;
    }
    if ((j->src | j->dst) & 7) {
        return dsa_align_error(j, j->src & 7 ? j->src : j->dst);
    }
    if (dsa_overlap(j->src, size, j->dst, len)) {
        return dsa_overlap_error(j, j->src, size, j->dst, len);
    }
    while (done < size) {
        uint32_t i, n = MIN(size - done, (uint32_t)sizeof(rec));

        if (!dsa_read(j, j->src + done, rec, n)) {
            return dsa_fault(j, done);
        }
        for (i = 0; i < n; i += DSA_DELTA_ENTRY_SIZE) {
            uint16_t off = lduw_le_p(&rec[i]);

            if ((int64_t)off <= prev) {
                trace_dsa_engine_delta_offset(off, prev, len);
                dsa_cr_set32(j, DSA_COMP_BYTES_DONE, done);
                return DSA_COMP_DR_OFFSET_NOINC;
            }
            if ((uint64_t)off * 8 + 8 > len) {
                trace_dsa_engine_delta_offset(off, prev, len);
                dsa_cr_set32(j, DSA_COMP_BYTES_DONE, done);
                return DSA_COMP_DR_OFFSET_ERANGE;
            }
            if (!dsa_write(j, j->dst + (uint64_t)off * 8, &rec[i + 2], 8)) {
                return dsa_fault(j, done);
            }
            prev = off;
            done += DSA_DELTA_ENTRY_SIZE;
        }
    }
    return DSA_COMP_SUCCESS;
}

/* T10 DIF */

static const uint32_t dsa_dif_block_sizes[4] = { 512, 520, 4096, 4104 };

static uint16_t dsa_crc16_t10dif(uint16_t crc, const uint8_t *p, size_t len)
{
    int bit;

    while (len--) {
        crc ^= *p++ << 8;
        for (bit = 0; bit < 8; bit++) {
            crc = crc & 0x8000 ? (crc << 1) ^ 0x8bb7 : crc << 1;
        }
    }
    return crc;
}

/* Tags of the next block, as the source or destination side sees them */
typedef struct DSADifTags {
    uint32_t ref;
    uint16_t app;
    uint16_t mask;
    uint8_t flags;          /* source or destination DIF flags */
} DSADifTags;

static void dsa_dif_tags_load(DSADifTags *t, const uint8_t *d, unsigned ref,
                              unsigned mask, unsigned app, unsigned flags)
{
    t->ref = ldl_le_p(&d[ref]);
    t->mask = lduw_le_p(&d[mask]);
    t->app = lduw_le_p(&d[app]);
    t->flags = d[flags];
}

static void dsa_dif_tags_next(DSADifTags *t, bool src)
{
    uint8_t ref_fixed = src ? DSA_DIF_SRC_REF_TAG_FIXED
                            : DSA_DIF_DST_REF_TAG_FIXED;
    uint8_t app_inc = src ? DSA_DIF_SRC_APP_TAG_INC : DSA_DIF_DST_APP_TAG_INC;

    if (!(t->flags & ref_fixed)) {
        t->ref++;
    }
    if (t->flags & app_inc) {
        t->app++;
    }
}

static void dsa_dif_tags_store(DSAJob *j, const DSADifTags *t, unsigned ref)
{
    dsa_cr_set32(j, ref, t->ref);
    dsa_cr_set16(j, ref + 4, t->mask);
    dsa_cr_set16(j, ref + 6, t->app);
}

/* DIF error bits of one source block (0: good or not checked) */
static uint8_t dsa_dif_check_block(const DSADifTags *t, const uint8_t *dif,
                                   uint16_t guard)
{
    uint16_t g = lduw_be_p(dif), app = lduw_be_p(dif + 2);
    uint32_t ref = ldl_be_p(dif + 4);
    bool tags_f = app == 0xffff && ref == 0xffffffff;
    uint8_t err = 0;

    if ((t->flags & DSA_DIF_SRC_ALL_F_DETECT) && tags_f && g == 0xffff) {
        return t->flags & DSA_DIF_SRC_ENABLE_ALL_F_ERR ? DSA_DIF_ERR_ALL_F : 0;
    }
    if ((t->flags & DSA_DIF_SRC_APP_REF_F_DETECT) && tags_f) {
        return 0;
    }
    if ((t->flags & DSA_DIF_SRC_APP_F_DETECT) && app == 0xffff) {
        return 0;
    }
    if (!(t->flags & DSA_DIF_SRC_GUARD_CHK_DISABLE) && g != guard) {
        err |= DSA_DIF_ERR_GUARD;
    }
    if ((app ^ t->app) & ~t->mask) {
        err |= DSA_DIF_ERR_APP_TAG;
    }
    if (!(t->flags & DSA_DIF_SRC_REF_CHK_DISABLE) && ref != t->ref) {
        err |= DSA_DIF_ERR_REF_TAG;
    }
    return err;
}

static uint8_t dsa_op_dif(DSAJob *j)
{
    uint8_t buf[DSA_CHUNK];
    const uint8_t *d = j->d;
    bool in_dif = j->opcode != DSA_OPCODE_DIF_INS;      /* source has DIF */
    bool out = j->opcode != DSA_OPCODE_DIF_CHECK;       /* writes data */
    bool out_dif = j->opcode == DSA_OPCODE_DIF_INS ||
                   j->opcode == DSA_OPCODE_DIF_UPDT;    /* writes DIF */
    uint8_t dflags = d[DSA_DESC_CHK_DIF_FLAGS];         /* same offset */
    uint32_t bs = dsa_dif_block_sizes[dflags & DSA_DIF_FLAG_BLKSZ_MASK];
    uint32_t in_step = bs + (in_dif ? DSA_DIF_SIZE : 0);
    uint32_t out_step = bs + (out_dif ? DSA_DIF_SIZE : 0);
    uint16_t seed = dflags & DSA_DIF_FLAG_INVERT_CRC_SEED ? 0xffff : 0;
    uint16_t inv = dflags & DSA_DIF_FLAG_INVERT_CRC_RESULT ? 0xffff : 0;
    uint64_t blocks, b, in_off = 0, out_off = 0;
    DSADifTags st_src = { 0 }, st_dst = { 0 };
    uint8_t st = dsa_xfer_range(j, UINT32_MAX);

    if (st == DSA_COMP_SUCCESS && j->xfer % in_step) {
        trace_dsa_engine_xfer_range(j->opcode, j->xfer, in_step);
        st = DSA_COMP_XFER_ERANGE;
    }
    if (st != DSA_COMP_SUCCESS) {
        return st;
    }
    if (dflags & DSA_DIF_FLAG_RSVD) {
        trace_dsa_engine_reserved(j->opcode, DSA_DESC_CHK_DIF_FLAGS);
        return DSA_COMP_NOZERO_RESERVE;
    }
    switch (j->opcode) {
    case DSA_OPCODE_DIF_CHECK:
    case DSA_OPCODE_DIF_STRP:
        dsa_dif_tags_load(&st_src, d, DSA_DESC_CHK_REF_SEED,
                          DSA_DESC_CHK_APP_MASK, DSA_DESC_CHK_APP_SEED,
                          DSA_DESC_CHK_SRC_FLAGS);
        break;
    case DSA_OPCODE_DIF_INS:
        dsa_dif_tags_load(&st_dst, d, DSA_DESC_INS_REF_SEED,
                          DSA_DESC_INS_APP_MASK, DSA_DESC_INS_APP_SEED,
                          DSA_DESC_INS_DST_FLAGS);
        break;
    default:
        dsa_dif_tags_load(&st_src, d, DSA_DESC_UPD_SRC_REF_SEED,
                          DSA_DESC_UPD_SRC_APP_MASK, DSA_DESC_UPD_SRC_APP_SEED,
                          DSA_DESC_UPD_SRC_FLAGS);
        dsa_dif_tags_load(&st_dst, d, DSA_DESC_UPD_DST_REF_SEED,
                          DSA_DESC_UPD_DST_APP_MASK, DSA_DESC_UPD_DST_APP_SEED,
                          DSA_DESC_UPD_DST_FLAGS);
        break;
    }
    if (out_dif && (st_dst.flags & DSA_DIF_DST_RSVD)) {
        trace_dsa_engine_reserved(j->opcode, DSA_DESC_INS_DST_FLAGS);
        return DSA_COMP_NOZERO_RESERVE;
    }
    blocks = j->xfer / in_step;
    if (out && dsa_overlap(j->src, j->xfer, j->dst, blocks * out_step)) {
        return dsa_overlap_error(j, j->src, j->xfer, j->dst,
                                 blocks * out_step);
    }

    for (b = 0; b < blocks; b++) {
        uint8_t src_dif[DSA_DIF_SIZE] = { 0 }, dst_dif[DSA_DIF_SIZE];
        uint16_t crc = seed, guard;
        uint32_t pos = 0;
        uint8_t err;

        while (pos < bs) {
            uint64_t s = j->src + in_off + pos, t = j->dst + out_off + pos;
            uint64_t n = dsa_step(bs - pos, s, out ? t : s);

            if (!dsa_read(j, s, buf, n) || (out && !dsa_write(j, t, buf, n))) {
                goto fault;
            }
            crc = dsa_crc16_t10dif(crc, buf, n);
            pos += n;
        }
        guard = crc ^ inv;
        if (in_dif) {
            if (!dsa_read(j, j->src + in_off + bs, src_dif, DSA_DIF_SIZE)) {
                goto fault;
            }
            err = dsa_dif_check_block(&st_src, src_dif, guard);
            if (err) {
                trace_dsa_engine_dif_error(j->opcode, err, b);
                j->cr[DSA_COMP_RESULT] = err;
                dsa_cr_set32(j, DSA_COMP_BYTES_DONE, in_off);
                st = DSA_COMP_DIF_ERR;
                goto tags;
            }
        }
        if (out_dif) {
            bool upd = j->opcode == DSA_OPCODE_DIF_UPDT;
            uint8_t f = st_dst.flags;

            stw_be_p(dst_dif, upd && (f & DSA_DIF_DST_GUARD_PASS) ?
                     lduw_be_p(src_dif) : guard);
            stw_be_p(dst_dif + 2, upd && (f & DSA_DIF_DST_APP_PASS) ?
                     lduw_be_p(src_dif + 2) : st_dst.app & ~st_dst.mask);
            stl_be_p(dst_dif + 4, upd && (f & DSA_DIF_DST_REF_PASS) ?
                     ldl_be_p(src_dif + 4) : st_dst.ref);
            if (!dsa_write(j, j->dst + out_off + bs, dst_dif, DSA_DIF_SIZE)) {
                goto fault;
            }
        }
        dsa_dif_tags_next(&st_src, true);
        dsa_dif_tags_next(&st_dst, false);
        in_off += in_step;
        out_off += out_step;
    }
    st = DSA_COMP_SUCCESS;
    goto tags;

fault:
    st = dsa_fault(j, in_off);
tags:
    switch (j->opcode) {
    case DSA_OPCODE_DIF_CHECK:
    case DSA_OPCODE_DIF_STRP:
        dsa_dif_tags_store(j, &st_src, DSA_COMP_DIF_CHK_REF_TAG);
        break;
    case DSA_OPCODE_DIF_INS:
        dsa_dif_tags_store(j, &st_dst, DSA_COMP_DIF_INS_REF_TAG);
        break;
    default:
        dsa_dif_tags_store(j, &st_src, DSA_COMP_DIF_UPD_SRC_REF_TAG);
        dsa_dif_tags_store(j, &st_dst, DSA_COMP_DIF_UPD_DST_REF_TAG);
        break;
    }
    return st;
}

/* Cache flush: nothing is cached, but every page must translate */

static uint8_t dsa_op_cflush(DSAJob *j)
{
    uint64_t len = j->xfer, done = 0;
    uint8_t probe;
    uint8_t st = dsa_xfer_range(j, UINT32_MAX);

    if (st != DSA_COMP_SUCCESS) {
        return st;
    }
    while (done < len) {
        uint64_t n = MIN(len - done, dsa_page_room(j->dst + done));

        if (!dsa_read(j, j->dst + done, &probe, 1)) {
            return dsa_fault(j, done);
        }
        done += n;
    }
    return DSA_COMP_SUCCESS;
}

/* Batch: descriptors read in pages, executed in order, fences honoured */

static uint8_t dsa_op_batch(DSAJob *j)
{
    uint8_t list[DSA_BATCH_CHUNK * DSA_DESC_SIZE];
    uint32_t count = j->xfer, i = 0, k;
    uint32_t max = j->lim->max_batch_size;
    bool failed = false;
    DSAProgress *p = j->io->progress;

    if (count < 2 || count > max) {
        trace_dsa_engine_batch_count(count, max);
        return DSA_COMP_DESC_CNT_ERANGE;
    }
    if (j->src & (DSA_DESC_LIST_ALIGN - 1)) {
        trace_dsa_engine_batch_align(j->src);
        return DSA_COMP_DESCLIST_ALIGN;
    }
    if (j->from) {
        i = MIN(j->from->batch_index, count);
        failed = j->from->batch_failed;
    }
    while (i < count) {
        uint64_t addr = j->src + (uint64_t)i * DSA_DESC_SIZE;
        uint32_t n = MIN(count - i, dsa_page_room(addr) / DSA_DESC_SIZE);

        if (!dsa_read(j, addr, list, (uint64_t)n * DSA_DESC_SIZE)) {
            trace_dsa_engine_batch_list_fault(addr, i);
            dsa_cr_set32(j, DSA_COMP_BYTES_DONE, i);
            stq_le_p(&j->cr[DSA_COMP_FAULT_ADDR], j->fault_addr);
            return DSA_COMP_BATCH_PAGE_FAULT;
        }
        for (k = 0; k < n; k++, i++) {
            const uint8_t *m = &list[k * DSA_DESC_SIZE];
            uint8_t st;

            if (failed && (ldl_le_p(&m[DSA_DESC_FLAGS]) & IDXD_OP_FLAG_FENCE)) {
                /* abandon this descriptor and the rest */
                trace_dsa_engine_batch_fence(i);
                dsa_cr_set32(j, DSA_COMP_BYTES_DONE, i);
                return DSA_COMP_BATCH_FAIL;
            }
            if (p) {
                *p = (DSAProgress) { .batch_index = i,
                                     .batch_failed = failed };
            }
            /* the member in progress resumes where it stopped */
            st = dsa_execute_one(j->io, j->lim, j->pasid, j->priv, m, true,
                                 j->from && j->from->batch_index == i ?
                                 j->from : NULL);
            if ((st & DSA_COMP_STATUS_MASK) != DSA_COMP_SUCCESS) {
                failed = true;
            }
        }
    }
    dsa_cr_set32(j, DSA_COMP_BYTES_DONE, count);
    return failed ? DSA_COMP_BATCH_FAIL : DSA_COMP_SUCCESS;
}

/* Operations */

static const DSAOpInfo dsa_ops[] = {
    [DSA_OPCODE_NOOP] = {
        "noop", DSA_FLAGS_COMMON, DSA_OPS_ALL, dsa_op_noop,
    },
    [DSA_OPCODE_BATCH] = {
        "batch", DSA_FLAGS_COMMON & ~IDXD_OP_FLAG_BOF, DSA_OPS_ALL,
        dsa_op_batch,
    },
    [DSA_OPCODE_DRAIN] = {
        "drain", (DSA_FLAGS_COMMON & ~IDXD_OP_FLAG_BOF) |
        IDXD_OP_FLAG_RDBK_ADDR1 | IDXD_OP_FLAG_RDBK_ADDR2 |
        IDXD_OP_FLAG_RDBK_NO_TCA | IDXD_OP_FLAG_RDBK_NO_TCB, DSA_OPS_ALL,
        dsa_op_drain,
    },
    [DSA_OPCODE_MEMMOVE] = {
        "memmove", DSA_FLAGS_COMMON, DSA_OPS_ALL, dsa_op_memmove,
    },
    [DSA_OPCODE_MEMFILL] = {
        "memfill", DSA_FLAGS_COMMON, DSA_OPS_ALL, dsa_op_memfill,
    },
    [DSA_OPCODE_COMPARE] = {
        "compare", DSA_FLAGS_COMMON | IDXD_OP_FLAG_CR, DSA_OPS_BYTES(41, 63),
        dsa_op_compare,
    },
    [DSA_OPCODE_COMPVAL] = {
        "compval", DSA_FLAGS_COMMON | IDXD_OP_FLAG_CR, DSA_OPS_BYTES(41, 63),
        dsa_op_compval,
    },
    [DSA_OPCODE_CR_DELTA] = {
        "cr_delta", DSA_FLAGS_COMMON | IDXD_OP_FLAG_CR,
        DSA_OPS_BYTES(52, 55) | DSA_OPS_BYTES(57, 63), dsa_op_cr_delta,
    },
    [DSA_OPCODE_AP_DELTA] = {
        "ap_delta", DSA_FLAGS_COMMON, DSA_OPS_BYTES(44, 63), dsa_op_ap_delta,
    },
    [DSA_OPCODE_DUALCAST] = {
        "dualcast", DSA_FLAGS_COMMON, DSA_OPS_BYTES(48, 63), dsa_op_dualcast,
    },
    [DSA_OPCODE_CRCGEN] = {
        "crcgen", DSA_FLAGS_COMMON | IDXD_OP_FLAG_RD_CRC_SEED,
        DSA_OPS_BYTES(44, 47) | DSA_OPS_BYTES(56, 63), dsa_op_crc,
    },
    [DSA_OPCODE_COPY_CRC] = {
        "copy_crc", DSA_FLAGS_COMMON | IDXD_OP_FLAG_RD_CRC_SEED,
        DSA_OPS_BYTES(44, 47) | DSA_OPS_BYTES(56, 63), dsa_op_crc,
    },
    [DSA_OPCODE_DIF_CHECK] = {
        "dif_check", DSA_FLAGS_COMMON,
        DSA_OPS_BYTES(41, 41) | DSA_OPS_BYTES(43, 47) | DSA_OPS_BYTES(56, 63),
        dsa_op_dif,
    },
    [DSA_OPCODE_DIF_INS] = {
        "dif_ins", DSA_FLAGS_COMMON,
        DSA_OPS_BYTES(40, 40) | DSA_OPS_BYTES(43, 55), dsa_op_dif,
    },
    [DSA_OPCODE_DIF_STRP] = {
        "dif_strp", DSA_FLAGS_COMMON,
        DSA_OPS_BYTES(41, 41) | DSA_OPS_BYTES(43, 47) | DSA_OPS_BYTES(56, 63),
        dsa_op_dif,
    },
    [DSA_OPCODE_DIF_UPDT] = {
        "dif_updt", DSA_FLAGS_COMMON, DSA_OPS_BYTES(43, 47), dsa_op_dif,
    },
    [DSA_OPCODE_CFLUSH] = {
        "cflush", DSA_FLAGS_COMMON, DSA_OPS_ALL, dsa_op_cflush,
    },
};

static const DSAOpInfo *dsa_op_lookup(uint8_t opcode)
{
    if (opcode < ARRAY_SIZE(dsa_ops) && dsa_ops[opcode].run) {
        return &dsa_ops[opcode];
    }
    return NULL;
}

void dsa_engine_opcap(uint64_t opcap[4])
{
    unsigned i;

    memset(opcap, 0, 4 * sizeof(opcap[0]));
    for (i = 0; i < ARRAY_SIZE(dsa_ops); i++) {
        if (dsa_ops[i].run) {
            opcap[i / 64] |= 1ULL << (i % 64);
        }
    }
}

/* Checks common to every operation, in the order the device makes them */
static uint8_t dsa_check(DSAJob *j)
{
    const uint8_t *d = j->d;
    uint32_t invalid, i;

    j->op = dsa_op_lookup(j->opcode);
    if (!j->op || (j->in_batch && (j->opcode == DSA_OPCODE_BATCH ||
                                   j->opcode == DSA_OPCODE_DRAIN))) {
        trace_dsa_engine_bad_opcode(j->opcode, j->in_batch);
        return DSA_COMP_BAD_OPCODE;
    }
    invalid = j->flags & ~j->op->flags;
    if ((j->flags & IDXD_OP_FLAG_RCR) && !(j->flags & IDXD_OP_FLAG_CRAV)) {
        invalid |= IDXD_OP_FLAG_RCR;
    }
    if (invalid) {
        trace_dsa_engine_invalid_flags(j->opcode, j->flags, invalid);
        stl_le_p(&j->cr[DSA_COMP_INVALID_FLAGS_OFF], invalid);
        return DSA_COMP_INVALID_FLAGS;
    }
    if (lduw_le_p(&d[DSA_DESC_RSVD1])) {
        trace_dsa_engine_reserved(j->opcode, DSA_DESC_RSVD1);
        return DSA_COMP_NOZERO_RESERVE;
    }
    for (i = 0; i < DSA_DESC_SIZE - DSA_DESC_OP_SPECIFIC; i++) {
        if ((j->op->rsvd & (1u << i)) && d[DSA_DESC_OP_SPECIFIC + i]) {
            trace_dsa_engine_reserved(j->opcode, DSA_DESC_OP_SPECIFIC + i);
            return DSA_COMP_NOZERO_RESERVE;
        }
    }
    if ((j->flags & IDXD_OP_FLAG_RCI) && j->lim->num_int_handles &&
        lduw_le_p(&d[DSA_DESC_INT_HANDLE]) >= j->lim->num_int_handles) {
        trace_dsa_engine_int_handle(lduw_le_p(&d[DSA_DESC_INT_HANDLE]),
                                    j->lim->num_int_handles);
        return DSA_COMP_INT_HANDLE_INVAL;
    }
    return DSA_COMP_SUCCESS;
}

static void dsa_job_init(DSAJob *j, const DSAEngineIO *io,
                         const DSAEngineLimits *lim, uint32_t pasid, bool priv,
                         const uint8_t *d, bool in_batch)
{
    memset(j, 0, sizeof(*j));
    j->io = io;
    j->lim = lim;
    j->d = d;
    j->pasid = pasid;
    j->priv = priv;
    j->in_batch = in_batch;
    j->opcode = d[DSA_DESC_OPCODE];
    j->flags = ldl_le_p(&d[DSA_DESC_FLAGS]) & IDXD_OP_FLAGS_MASK;
    j->bof = (j->flags & IDXD_OP_FLAG_BOF) && lim->block_on_fault;
    j->src = ldq_le_p(&d[DSA_DESC_SRC]);
    j->dst = ldq_le_p(&d[DSA_DESC_DST]);
    j->xfer = ldl_le_p(&d[DSA_DESC_XFER_SIZE]);
}

/* Statuses whose record carries a faulting address (and the R/W bit) */
static bool dsa_status_is_fault(uint8_t code)
{
    switch (code) {
    case DSA_COMP_PAGE_FAULT_NOBOF:
    case DSA_COMP_PAGE_FAULT_IR:
    case DSA_COMP_BATCH_PAGE_FAULT:
    case DSA_COMP_PFAULT_RDBA:
        return true;
    }
    return false;
}

/* The descriptor's error goes to SWERR: tell the device where it was */
static void dsa_unrecorded(DSAJob *j, uint64_t addr)
{
    if (!j->in_batch && j->io->unrecorded) {
        j->io->unrecorded(j->io->opaque, addr);
    }
}

/*
 * Write the completion record (status byte last) when one is due, then
 * request the interrupt.  Returns the status, or the error that kept the
 * record from being written.
 */
static uint8_t dsa_complete(DSAJob *j, uint8_t status)
{
    uint8_t code = status & DSA_COMP_STATUS_MASK;
    bool error = code != DSA_COMP_SUCCESS && code != DSA_COMP_SUCCESS_PRED;
    uint64_t cra = ldq_le_p(&j->d[DSA_DESC_COMPL_ADDR]);

    trace_dsa_engine_complete(j->opcode, status,
                              ldl_le_p(&j->cr[DSA_COMP_BYTES_DONE]));
    if ((j->flags & IDXD_OP_FLAG_CRAV) &&
        ((j->flags & IDXD_OP_FLAG_RCR) || error)) {
        j->cr[DSA_COMP_STATUS] = status;
        /*
         * The guest polls the status byte: the data and the rest of the
         * record must be visible before it, on any host.
         */
        smp_wmb();      /* the data, then the record */
        if (!dsa_write(j, cra + 1, &j->cr[1], DSA_COMP_REC_SIZE - 1)) {
            trace_dsa_engine_cra_fault(j->opcode, cra);
            dsa_unrecorded(j, cra + 1);
            return DSA_COMP_CRA_XLAT;
        }
        if (j->io->account) {
            j->io->account(j->io->opaque);
        }
        smp_wmb();      /* the record, then its status byte */
        if (!dsa_write(j, cra, &j->cr[0], 1)) {
            trace_dsa_engine_cra_fault(j->opcode, cra);
            dsa_unrecorded(j, cra);
            return DSA_COMP_CRA_XLAT;
        }
    } else if (error && !(j->flags & IDXD_OP_FLAG_CRAV)) {
        dsa_unrecorded(j, dsa_status_is_fault(code) ?
                          ldq_le_p(&j->cr[DSA_COMP_FAULT_ADDR]) : 0);
    }
    if ((j->flags & IDXD_OP_FLAG_RCI) && j->io->interrupt &&
        code != DSA_COMP_INT_HANDLE_INVAL) {
        uint16_t handle = lduw_le_p(&j->d[DSA_DESC_INT_HANDLE]);

        trace_dsa_engine_interrupt(j->opcode, handle);
        j->io->interrupt(j->io->opaque, handle);
    }
    return status;
}

/* The completion record address must be 32-byte aligned to be written */
static bool dsa_cra_ok(DSAJob *j)
{
    uint64_t cra = ldq_le_p(&j->d[DSA_DESC_COMPL_ADDR]);

    if ((j->flags & IDXD_OP_FLAG_CRAV) && (cra & (DSA_COMP_REC_ALIGN - 1))) {
        trace_dsa_engine_cra_align(j->opcode, cra);
        return false;
    }
    return true;
}

static uint8_t dsa_execute_one(const DSAEngineIO *io,
                               const DSAEngineLimits *lim,
                               uint32_t pasid, bool priv,
                               const uint8_t *d, bool in_batch,
                               const DSAProgress *from)
{
    DSAJob j;
    uint8_t status;

    dsa_job_init(&j, io, lim, pasid, priv, d, in_batch);
    j.from = from;
    if (from) {
        trace_dsa_engine_resume(j.opcode, from->batch_index,
                                from->batch_failed, from->done);
    }
    trace_dsa_engine_desc(j.opcode, pasid, priv, j.flags, j.src, j.dst,
                          j.xfer, in_batch);
    if (!dsa_cra_ok(&j)) {
        return DSA_COMP_CRA_ALIGN;
    }
    status = dsa_check(&j);
    if (status == DSA_COMP_SUCCESS) {
        status = j.op->run(&j);
    }
    return dsa_complete(&j, status);
}

uint8_t dsa_engine_execute(const DSAEngineIO *io, const DSAEngineLimits *lim,
                           uint32_t pasid, bool priv, const DSADesc *desc)
{
    if (io->progress) {
        *io->progress = (DSAProgress) { 0 };
    }
    return dsa_execute_one(io, lim, pasid, priv, desc->raw, false, NULL);
}

uint8_t dsa_engine_resume(const DSAEngineIO *io, const DSAEngineLimits *lim,
                          uint32_t pasid, bool priv, const DSADesc *desc,
                          const DSAProgress *from)
{
    DSAProgress start = *from;

    if (io->progress) {
        *io->progress = start;
    }
    return dsa_execute_one(io, lim, pasid, priv, desc->raw, false, &start);
}

uint8_t dsa_engine_complete_error(const DSAEngineIO *io,
                                  const DSAEngineLimits *lim,
                                  uint32_t pasid, bool priv,
                                  const DSADesc *desc, uint8_t status)
{
    DSAJob j;

    dsa_job_init(&j, io, lim, pasid, priv, desc->raw, false);
    trace_dsa_engine_refused(j.opcode, pasid, status);
    if (!dsa_cra_ok(&j)) {
        return DSA_COMP_CRA_ALIGN;
    }
    return dsa_complete(&j, status);
}
