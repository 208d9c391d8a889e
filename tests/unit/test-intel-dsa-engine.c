/*
 * Unit tests for the Intel DSA descriptor engine: every operation, its
 * completion record and interrupt, the descriptor errors, and partial
 * completion on page faults, over a fake DMA space made of a host buffer.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/cutils.h"
#include "hw/dma/intel-dsa-desc.h"

#define MEM_BASE    0x10000000ULL
#define MEM_SIZE    (256 * 1024)
#define PAGE        4096
#define G(off)      (MEM_BASE + (off))
#define TEST_PASID  0x12345

/* Areas of the fake memory */
#define CR_OFF      0x0000      /* completion records, 32 bytes apart */
#define LIST_OFF    0x1000      /* batch descriptor lists */
#define SRC_OFF     0x4000
#define DST_OFF     0x10000
#define DST2_OFF    0x20000
#define AUX_OFF     0x30000

typedef struct Fake {
    uint8_t *mem;
    uint64_t fault_lo, fault_hi;    /* accesses touching [lo, hi) fail */
    bool resolve;                   /* page requests make pages present */
    unsigned page_requests;
    unsigned irqs;
    uint16_t irq_handle;
    unsigned rw_calls;
    unsigned bad_access;            /* > 4 KiB, crossing a page, bad attrs */
    uint64_t last_write_addr;
    uint64_t last_write_len;
    bool cr_status_last_ok;         /* status written after the rest */
    unsigned map_calls;
    unsigned maps_open;             /* map() not yet unmap()ed */
} Fake;

static Fake fake;

static MemTxResult fake_rw(void *opaque, uint32_t pasid, bool priv,
                           uint64_t addr, void *buf, uint64_t len,
                           bool is_write)
{
    Fake *f = opaque;

    f->rw_calls++;
    if (len == 0 || len > PAGE || (addr & (PAGE - 1)) + len > PAGE ||
        pasid != TEST_PASID || !priv) {
        f->bad_access++;
    }
    if (addr < MEM_BASE || addr + len > MEM_BASE + MEM_SIZE ||
        addr + len < addr) {
        return MEMTX_DECODE_ERROR;
    }
    if (addr < f->fault_hi && f->fault_lo < addr + len) {
        return MEMTX_ERROR;
    }
    if (is_write) {
        memcpy(f->mem + (addr - MEM_BASE), buf, len);
        f->last_write_addr = addr;
        f->last_write_len = len;
    } else {
        memcpy(buf, f->mem + (addr - MEM_BASE), len);
    }
    return MEMTX_OK;
}

static void fake_interrupt(void *opaque, uint16_t handle)
{
    Fake *f = opaque;

    f->irqs++;
    f->irq_handle = handle;
}

static bool fake_page_request(void *opaque, uint32_t pasid, bool priv,
                              uint64_t addr, bool is_write)
{
    Fake *f = opaque;

    f->page_requests++;
    if (f->resolve) {
        f->fault_lo = f->fault_hi = 0;
        return true;
    }
    return false;
}

/*
 * The device-TLB of the fake: every page outside the fault range is
 * "cached"; a run covers at most three pages, so that the engine also
 * meets runs shorter than what it asked for.  A page touching the fault
 * range is a fault (as a translation refused), one outside the memory a
 * miss.
 */
static bool fake_page_faults(Fake *f, uint64_t page)
{
    return page < f->fault_hi && f->fault_lo < page + PAGE;
}

static DSAMapResult fake_map(void *opaque, uint32_t pasid, bool priv,
                             uint64_t addr, uint64_t len, bool is_write,
                             DSAHostMap *m, unsigned *runs)
{
    Fake *f = opaque;
    uint64_t n = 0, done = 0;
    unsigned k = 0;

    f->map_calls++;
    if (pasid != TEST_PASID || !priv || !len || !*runs) {
        f->bad_access++;
    }
    if (addr < MEM_BASE || addr >= MEM_BASE + MEM_SIZE) {
        return DSA_MAP_MISS;
    }
    if (fake_page_faults(f, addr & ~(PAGE - 1))) {
        return DSA_MAP_FAULT;
    }
    /* runs of at most three pages, as many as the engine takes */
    while (k < *runs && done < len) {
        uint64_t a = addr + done;

        n = 0;
        while (n < len - done && n < 3 * PAGE - (a & (PAGE - 1))) {
            uint64_t page = (a + n) & ~(PAGE - 1);

            if (page >= MEM_BASE + MEM_SIZE || fake_page_faults(f, page)) {
                break;
            }
            n = MIN(len - done, page + PAGE - a);
        }
        if (!n) {
            break;
        }
        m[k].host = f->mem + (a - MEM_BASE);
        m[k].len = n;
        m[k].mr = NULL;
        m[k].mr_offset = a;
        k++;
        done += n;
    }
    *runs = k;
    f->maps_open++;
    return DSA_MAP_OK;
}

static void fake_unmap(void *opaque, DSAHostMap *m, unsigned runs,
                       uint64_t used, bool is_write)
{
    Fake *f = opaque;
    uint64_t total = 0;
    unsigned i;

    for (i = 0; i < runs; i++) {
        total += m[i].len;
    }
    if (!f->maps_open || used > total) {
        f->bad_access++;
    }
    f->maps_open--;
    if (is_write && used) {
        f->last_write_addr = m[0].mr_offset;
        f->last_write_len = used;
    }
}

static DSAEngineIO io = {
    .rw = fake_rw,
    .interrupt = fake_interrupt,
    .opaque = &fake,
};

static DSAEngineLimits lim;

static void reset(void)
{
    g_free(fake.mem);
    memset(&fake, 0, sizeof(fake));
    fake.mem = g_malloc0(MEM_SIZE);
    io.page_request = NULL;
    io.map = NULL;
    io.unmap = NULL;
    lim = (DSAEngineLimits) {
        .max_xfer_size = 64 * 1024,
        .max_batch_size = 32,
        .block_on_fault = false,
    };
}

static uint8_t *host(uint64_t off)
{
    return fake.mem + off;
}

static void fill_random(uint64_t off, size_t len, uint32_t seed)
{
    size_t i;

    for (i = 0; i < len; i++) {
        seed = seed * 1103515245 + 12345;
        fake.mem[off + i] = seed >> 16;
    }
}

/* Descriptors */

static void desc_init(DSADesc *d, uint8_t opcode, uint32_t flags,
                      uint64_t src, uint64_t dst, uint32_t size,
                      uint64_t cr_off)
{
    memset(d, 0, sizeof(*d));
    /* bytes 0..3 (PASID, priv) are the device's business: put junk there */
    stl_le_p(&d->raw[DSA_DESC_PASID], 0x7fffffff);
    stl_le_p(&d->raw[DSA_DESC_FLAGS], flags);
    d->raw[DSA_DESC_OPCODE] = opcode;
    stq_le_p(&d->raw[DSA_DESC_COMPL_ADDR], G(cr_off));
    stq_le_p(&d->raw[DSA_DESC_SRC], src);
    stq_le_p(&d->raw[DSA_DESC_DST], dst);
    stl_le_p(&d->raw[DSA_DESC_XFER_SIZE], size);
}

#define RCR (IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR)

static uint8_t run(const DSADesc *d)
{
    uint8_t st = dsa_engine_execute(&io, &lim, TEST_PASID, true, d);

    g_assert_cmpuint(fake.bad_access, ==, 0);
    return st;
}

static uint8_t cr_status(uint64_t cr_off)
{
    return fake.mem[cr_off + DSA_COMP_STATUS];
}

static uint8_t cr_result(uint64_t cr_off)
{
    return fake.mem[cr_off + DSA_COMP_RESULT];
}

static uint32_t cr_bytes(uint64_t cr_off)
{
    return ldl_le_p(host(cr_off + DSA_COMP_BYTES_DONE));
}

static uint64_t cr_fault(uint64_t cr_off)
{
    return ldq_le_p(host(cr_off + DSA_COMP_FAULT_ADDR));
}

static uint32_t cr_u32(uint64_t cr_off, unsigned off)
{
    return ldl_le_p(host(cr_off + off));
}

static uint16_t cr_u16(uint64_t cr_off, unsigned off)
{
    return lduw_le_p(host(cr_off + off));
}

/* Checks the record of a simple success, written with the status last */
static void assert_success(const DSADesc *d, uint64_t cr_off)
{
    g_assert_cmphex(run(d), ==, DSA_COMP_SUCCESS);
    g_assert_cmphex(cr_status(cr_off), ==, DSA_COMP_SUCCESS);
    g_assert_cmphex(fake.last_write_addr, ==, G(cr_off));
    g_assert_cmpuint(fake.last_write_len, ==, 1);
}

/* Capability */

static void test_opcap(void)
{
    uint64_t opcap[4];
    static const uint8_t ops[] = {
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
        0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x20,
    };
    uint64_t want0 = 0;
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(ops); i++) {
        want0 |= 1ULL << ops[i];
    }
    memset(opcap, 0xff, sizeof(opcap));
    dsa_engine_opcap(opcap);
    g_assert_cmphex(opcap[0], ==, want0);
    g_assert_cmphex(opcap[1], ==, 0);
    g_assert_cmphex(opcap[2], ==, 0);
    g_assert_cmphex(opcap[3], ==, 0);
}

/* NOOP, records and interrupts */

static void test_noop_record_and_interrupt(void)
{
    DSADesc d;

    reset();
    /* RCR, no RCI: record, no interrupt */
    desc_init(&d, DSA_OPCODE_NOOP, RCR, 0, 0, 0, CR_OFF);
    stw_le_p(&d.raw[DSA_DESC_INT_HANDLE], 7);
    memset(host(CR_OFF), 0xaa, DSA_COMP_REC_SIZE);
    assert_success(&d, CR_OFF);
    /* the rest of the record is zero */
    g_assert_cmphex(cr_result(CR_OFF), ==, 0);
    g_assert_cmphex(cr_bytes(CR_OFF), ==, 0);
    g_assert_cmphex(cr_fault(CR_OFF), ==, 0);
    g_assert_cmpuint(fake.irqs, ==, 0);

    /* RCI: interrupt with the descriptor's handle, after the record */
    desc_init(&d, DSA_OPCODE_NOOP, RCR | IDXD_OP_FLAG_RCI, 0, 0, 0, CR_OFF);
    stw_le_p(&d.raw[DSA_DESC_INT_HANDLE], 7);
    assert_success(&d, CR_OFF);
    g_assert_cmpuint(fake.irqs, ==, 1);
    g_assert_cmpuint(fake.irq_handle, ==, 7);

    /* No RCR: a success writes no record, RCI still interrupts */
    host(CR_OFF)[0] = 0;
    fake.rw_calls = 0;
    desc_init(&d, DSA_OPCODE_NOOP, IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCI,
              0, 0, 0, CR_OFF);
    g_assert_cmphex(run(&d), ==, DSA_COMP_SUCCESS);
    g_assert_cmphex(cr_status(CR_OFF), ==, 0);
    g_assert_cmpuint(fake.rw_calls, ==, 0);
    g_assert_cmpuint(fake.irqs, ==, 2);

    /* No RCR but an error: the record is written */
    desc_init(&d, 0x0a, IDXD_OP_FLAG_CRAV, 0, 0, 0, CR_OFF);
    g_assert_cmphex(run(&d), ==, DSA_COMP_BAD_OPCODE);
    g_assert_cmphex(cr_status(CR_OFF), ==, DSA_COMP_BAD_OPCODE);
    g_assert_cmpuint(fake.irqs, ==, 2);

    g_assert_false(dsa_engine_error_unrecorded(&d, DSA_COMP_BAD_OPCODE));

    /* No CRAV: nothing written even on error (the device uses SWERR) */
    host(CR_OFF)[0] = 0;
    fake.rw_calls = 0;
    desc_init(&d, 0x0a, 0, 0, 0, 0, CR_OFF);
    g_assert_cmphex(run(&d), ==, DSA_COMP_BAD_OPCODE);
    g_assert_cmpuint(fake.rw_calls, ==, 0);
    g_assert_cmphex(cr_status(CR_OFF), ==, 0);
    g_assert_true(dsa_engine_error_unrecorded(&d, DSA_COMP_BAD_OPCODE));
    g_assert_false(dsa_engine_error_unrecorded(&d, DSA_COMP_SUCCESS));
}

static void test_drain(void)
{
    DSADesc d;

    reset();
    /* src/dst of a drain are not checked: accel-config leaves them set */
    desc_init(&d, DSA_OPCODE_DRAIN, RCR, G(SRC_OFF), G(DST_OFF), 0, CR_OFF);
    assert_success(&d, CR_OFF);
    /* Block on fault is reserved for drain */
    desc_init(&d, DSA_OPCODE_DRAIN, RCR | IDXD_OP_FLAG_BOF, 0, 0, 0, CR_OFF);
    g_assert_cmphex(run(&d), ==, DSA_COMP_INVALID_FLAGS);
    g_assert_cmphex(cr_u32(CR_OFF, DSA_COMP_INVALID_FLAGS_OFF) & 0xffffff,
                    ==, IDXD_OP_FLAG_BOF);
    /* no drain-specific flag above bit 19 */
    desc_init(&d, DSA_OPCODE_DRAIN, RCR | 0x100000, 0, 0, 0, CR_OFF);
    g_assert_cmphex(run(&d), ==, DSA_COMP_INVALID_FLAGS);

    /* readback addresses */
    desc_init(&d, DSA_OPCODE_DRAIN, RCR | IDXD_OP_FLAG_RDBK_ADDR1 |
              IDXD_OP_FLAG_RDBK_ADDR2 | IDXD_OP_FLAG_RDBK_NO_TCA,
              G(SRC_OFF), G(DST_OFF + 5), 0, CR_OFF);
    assert_success(&d, CR_OFF);
    fake.fault_lo = G(DST_OFF);
    fake.fault_hi = fake.fault_lo + PAGE;
    g_assert_cmphex(run(&d), ==, DSA_COMP_PFAULT_RDBA);
    g_assert_cmphex(cr_status(CR_OFF), ==, DSA_COMP_PFAULT_RDBA);
    g_assert_cmphex(cr_fault(CR_OFF), ==, G(DST_OFF + 5));
    /* without the flag the address is not read */
    desc_init(&d, DSA_OPCODE_DRAIN, RCR | IDXD_OP_FLAG_RDBK_ADDR1,
              G(SRC_OFF), G(DST_OFF + 5), 0, CR_OFF);
    assert_success(&d, CR_OFF);
}

/* MEMMOVE */

static void test_memmove(void)
{
    DSADesc d;
    uint32_t len = 3 * PAGE + 123;

    reset();
    fill_random(SRC_OFF + 5, len, 1);
    desc_init(&d, DSA_OPCODE_MEMMOVE, RCR, G(SRC_OFF + 5), G(DST_OFF + 77),
              len, CR_OFF);
    assert_success(&d, CR_OFF);
    g_assert(memcmp(host(SRC_OFF + 5), host(DST_OFF + 77), len) == 0);
    g_assert_cmphex(host(DST_OFF + 76)[0], ==, 0);
    g_assert_cmphex(host(DST_OFF + 77 + len)[0], ==, 0);
}

static void test_memmove_overlap(void)
{
    DSADesc d;
    uint32_t len = 2 * PAGE + 300;
    g_autofree uint8_t *ref = g_malloc(len);

    /* destination above the source: must copy backwards */
    reset();
    fill_random(SRC_OFF, len + 1000, 2);
    memcpy(ref, host(SRC_OFF), len);
    desc_init(&d, DSA_OPCODE_MEMMOVE, RCR, G(SRC_OFF), G(SRC_OFF + 1000),
              len, CR_OFF);
    assert_success(&d, CR_OFF);
    g_assert(memcmp(host(SRC_OFF + 1000), ref, len) == 0);

    /* destination below the source */
    reset();
    fill_random(SRC_OFF, len + 1000, 3);
    memcpy(ref, host(SRC_OFF + 1000), len);
    desc_init(&d, DSA_OPCODE_MEMMOVE, RCR, G(SRC_OFF + 1000), G(SRC_OFF),
              len, CR_OFF);
    assert_success(&d, CR_OFF);
    g_assert(memcmp(host(SRC_OFF), ref, len) == 0);
}

static void test_memmove_fault(void)
{
    DSADesc d;
    uint32_t len = 4 * PAGE;

    /* write fault on the third destination page, ascending copy */
    reset();
    fill_random(SRC_OFF, len, 4);
    fake.fault_lo = G(DST_OFF + 2 * PAGE);
    fake.fault_hi = fake.fault_lo + PAGE;
    desc_init(&d, DSA_OPCODE_MEMMOVE, RCR, G(SRC_OFF), G(DST_OFF), len,
              CR_OFF);
    g_assert_cmphex(run(&d), ==,
                    DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
    g_assert_cmphex(cr_status(CR_OFF), ==,
                    DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
    g_assert_cmpuint(cr_bytes(CR_OFF), ==, 2 * PAGE);
    g_assert_cmphex(cr_fault(CR_OFF), ==, G(DST_OFF + 2 * PAGE));
    g_assert_cmphex(cr_result(CR_OFF), ==, 0);
    /* what was done stays done, nothing after the fault */
    g_assert(memcmp(host(SRC_OFF), host(DST_OFF), 2 * PAGE) == 0);
    g_assert_cmphex(host(DST_OFF + 3 * PAGE)[0], ==, 0);

    /* read fault on the second source page */
    reset();
    fake.fault_lo = G(SRC_OFF + PAGE + 100);
    fake.fault_hi = fake.fault_lo + 1;
    desc_init(&d, DSA_OPCODE_MEMMOVE, RCR, G(SRC_OFF), G(DST_OFF), len,
              CR_OFF);
    g_assert_cmphex(run(&d), ==, DSA_COMP_PAGE_FAULT_NOBOF);
    g_assert_cmpuint(cr_bytes(CR_OFF), ==, PAGE);
    g_assert_cmphex(cr_fault(CR_OFF) & ~(uint64_t)(PAGE - 1), ==,
                    G(SRC_OFF + PAGE));

    /* descending copy: direction in the result, bytes from the end */
    reset();
    fill_random(SRC_OFF, 6 * PAGE, 5);
    fake.fault_lo = G(SRC_OFF + PAGE);
    fake.fault_hi = fake.fault_lo + PAGE;
    desc_init(&d, DSA_OPCODE_MEMMOVE, RCR, G(SRC_OFF), G(SRC_OFF + 2 * PAGE),
              len, CR_OFF);
    g_assert_cmphex(run(&d), ==, DSA_COMP_PAGE_FAULT_NOBOF);
    g_assert_cmphex(cr_result(CR_OFF), ==, DSA_COMP_RESULT_DESCENDING);
    g_assert_cmpuint(cr_bytes(CR_OFF), ==, 2 * PAGE);
    g_assert_cmphex(cr_fault(CR_OFF), ==, G(SRC_OFF + PAGE));
}

static void test_block_on_fault(void)
{
    DSADesc d;
    uint32_t len = 2 * PAGE;

    /* BOF in effect, the page request resolves the fault */
    reset();
    io.page_request = fake_page_request;
    lim.block_on_fault = true;
    fake.resolve = true;
    fill_random(SRC_OFF, len, 6);
    fake.fault_lo = G(DST_OFF + PAGE);
    fake.fault_hi = fake.fault_lo + PAGE;
    desc_init(&d, DSA_OPCODE_MEMMOVE, RCR | IDXD_OP_FLAG_BOF, G(SRC_OFF),
              G(DST_OFF), len, CR_OFF);
    assert_success(&d, CR_OFF);
    g_assert_cmpuint(fake.page_requests, ==, 1);
    g_assert(memcmp(host(SRC_OFF), host(DST_OFF), len) == 0);

    /* the page request fails: partial completion, status 0x04 */
    reset();
    io.page_request = fake_page_request;
    lim.block_on_fault = true;
    fake.fault_lo = G(DST_OFF + PAGE);
    fake.fault_hi = fake.fault_lo + PAGE;
    desc_init(&d, DSA_OPCODE_MEMMOVE, RCR | IDXD_OP_FLAG_BOF, G(SRC_OFF),
              G(DST_OFF), len, CR_OFF);
    g_assert_cmphex(run(&d), ==,
                    DSA_COMP_PAGE_FAULT_IR | DSA_COMP_STATUS_WRITE);
    g_assert_cmpuint(fake.page_requests, ==, 1);
    g_assert_cmpuint(cr_bytes(CR_OFF), ==, PAGE);

    /* BOF flag but the WQ does not allow it: no page request */
    reset();
    io.page_request = fake_page_request;
    fake.resolve = true;
    fake.fault_lo = G(DST_OFF);
    fake.fault_hi = fake.fault_lo + PAGE;
    desc_init(&d, DSA_OPCODE_MEMMOVE, RCR | IDXD_OP_FLAG_BOF, G(SRC_OFF),
              G(DST_OFF), len, CR_OFF);
    g_assert_cmphex(run(&d), ==,
                    DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
    g_assert_cmpuint(fake.page_requests, ==, 0);
    g_assert_cmpuint(cr_bytes(CR_OFF), ==, 0);
}

/* FILL */

static void test_memfill(void)
{
    DSADesc d;
    uint64_t pattern = 0x0123456789abcdefULL;
    uint32_t len = PAGE + 13, i;

    reset();
    desc_init(&d, DSA_OPCODE_MEMFILL, RCR, pattern, G(DST_OFF + 4091), len,
              CR_OFF);
    assert_success(&d, CR_OFF);
    for (i = 0; i < len; i++) {
        g_assert_cmphex(host(DST_OFF + 4091)[i], ==,
                        (uint8_t)(pattern >> (8 * (i % 8))));
    }
    g_assert_cmphex(host(DST_OFF + 4091 + len)[0], ==, 0);

    /* fault in the middle */
    reset();
    fake.fault_lo = G(DST_OFF + PAGE);
    fake.fault_hi = fake.fault_lo + PAGE;
    desc_init(&d, DSA_OPCODE_MEMFILL, RCR, pattern, G(DST_OFF + 8), 2 * PAGE,
              CR_OFF);
    g_assert_cmphex(run(&d), ==,
                    DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
    g_assert_cmpuint(cr_bytes(CR_OFF), ==, PAGE - 8);
    g_assert_cmphex(cr_fault(CR_OFF), ==, G(DST_OFF + PAGE));
}

/* COMPARE, COMPVAL */

static void test_compare(void)
{
    DSADesc d;
    uint32_t len = 2 * PAGE + 50;

    reset();
    fill_random(SRC_OFF, len, 7);
    memcpy(host(DST_OFF), host(SRC_OFF), len);
    desc_init(&d, DSA_OPCODE_COMPARE, RCR, G(SRC_OFF), G(DST_OFF), len,
              CR_OFF);
    assert_success(&d, CR_OFF);
    g_assert_cmphex(cr_result(CR_OFF), ==, 0);

    /* a difference: success, result 1, offset of the first difference */
    host(DST_OFF + PAGE + 17)[0] ^= 0x40;
    host(DST_OFF + PAGE + 300)[0] ^= 0x40;
    assert_success(&d, CR_OFF);
    g_assert_cmphex(cr_result(CR_OFF), ==, 1);
    g_assert_cmpuint(cr_bytes(CR_OFF), ==, PAGE + 17);

    /* Check Result with expected 0: false predicate */
    desc_init(&d, DSA_OPCODE_COMPARE, RCR | IDXD_OP_FLAG_CR, G(SRC_OFF),
              G(DST_OFF), len, CR_OFF);
    g_assert_cmphex(run(&d), ==, DSA_COMP_SUCCESS_PRED);
    g_assert_cmphex(cr_status(CR_OFF), ==, DSA_COMP_SUCCESS_PRED);
    g_assert_cmphex(cr_result(CR_OFF), ==, 1);
    g_assert_cmpuint(cr_bytes(CR_OFF), ==, PAGE + 17);

    /* expected 1: the predicate holds */
    d.raw[DSA_DESC_EXPECTED_RES] = 1;
    assert_success(&d, CR_OFF);

    /* a reserved bit in the expected result */
    d.raw[DSA_DESC_EXPECTED_RES] = 2;
    g_assert_cmphex(run(&d), ==, DSA_COMP_NOZERO_RESERVE);

    /* page fault on the second source */
    reset();
    fake.fault_lo = G(DST_OFF + PAGE);
    fake.fault_hi = fake.fault_lo + 1;
    desc_init(&d, DSA_OPCODE_COMPARE, RCR, G(SRC_OFF), G(DST_OFF), len,
              CR_OFF);
    g_assert_cmphex(run(&d), ==, DSA_COMP_PAGE_FAULT_NOBOF);
    g_assert_cmpuint(cr_bytes(CR_OFF), ==, PAGE);
    g_assert_cmphex(cr_fault(CR_OFF), ==, G(DST_OFF + PAGE));
}

static void test_compval(void)
{
    DSADesc d;
    uint64_t pattern = 0x1122334455667788ULL;
    uint32_t len = PAGE + 5, i;

    reset();
    for (i = 0; i < len; i++) {
        host(DST_OFF)[i] = pattern >> (8 * (i % 8));
    }
    /* the address first, then the pattern (Linux's comp_pattern) */
    desc_init(&d, DSA_OPCODE_COMPVAL, RCR, G(DST_OFF), pattern, len, CR_OFF);
    assert_success(&d, CR_OFF);
    g_assert_cmphex(cr_result(CR_OFF), ==, 0);

    host(DST_OFF + PAGE + 2)[0] ^= 1;
    assert_success(&d, CR_OFF);
    g_assert_cmphex(cr_result(CR_OFF), ==, 1);
    g_assert_cmpuint(cr_bytes(CR_OFF), ==, PAGE + 2);

    desc_init(&d, DSA_OPCODE_COMPVAL, RCR | IDXD_OP_FLAG_CR, G(DST_OFF),
              pattern, len, CR_OFF);
    g_assert_cmphex(run(&d), ==, DSA_COMP_SUCCESS_PRED);
}

/* DUALCAST */

static void test_dualcast(void)
{
    DSADesc d;
    uint32_t len = PAGE + 999;

    reset();
    fill_random(SRC_OFF, len, 8);
    desc_init(&d, DSA_OPCODE_DUALCAST, RCR, G(SRC_OFF), G(DST_OFF + 0x40),
              len, CR_OFF);
    stq_le_p(&d.raw[DSA_DESC_DEST2], G(DST2_OFF + 0x40));
    assert_success(&d, CR_OFF);
    g_assert(memcmp(host(SRC_OFF), host(DST_OFF + 0x40), len) == 0);
    g_assert(memcmp(host(SRC_OFF), host(DST2_OFF + 0x40), len) == 0);

    /* bits 11:0 of the destinations differ */
    stq_le_p(&d.raw[DSA_DESC_DEST2], G(DST2_OFF + 0x48));
    g_assert_cmphex(run(&d), ==, DSA_COMP_DCAST_ERR);
    g_assert_cmphex(cr_status(CR_OFF), ==, DSA_COMP_DCAST_ERR);

    /* overlapping destinations */
    stq_le_p(&d.raw[DSA_DESC_DEST2], G(DST_OFF + 0x40 + PAGE));
    g_assert_cmphex(run(&d), ==, DSA_COMP_OVERLAP_BUFFERS);

    /* reserved bytes after dest2 */
    stq_le_p(&d.raw[DSA_DESC_DEST2], G(DST2_OFF + 0x40));
    d.raw[50] = 1;
    g_assert_cmphex(run(&d), ==, DSA_COMP_NOZERO_RESERVE);
}

/* CRC */

static void test_crc_vector(void)
{
    DSADesc d;

    reset();
    memcpy(host(SRC_OFF), "123456789", 9);
    desc_init(&d, DSA_OPCODE_CRCGEN, RCR, G(SRC_OFF), 0, 9, CR_OFF);
    assert_success(&d, CR_OFF);
    g_assert_cmphex(cr_u32(CR_OFF, DSA_COMP_CRC_VAL), ==, 0xe3069283);
}

static void test_crc_seed_chain(void)
{
    DSADesc d;
    uint32_t len = 3 * PAGE + 7, cut = PAGE + 3, whole, part;

    reset();
    fill_random(SRC_OFF, len, 9);
    desc_init(&d, DSA_OPCODE_CRCGEN, RCR, G(SRC_OFF), 0, len, CR_OFF);
    stl_le_p(&d.raw[DSA_DESC_CRC_SEED], 0xdeadbeef);
    assert_success(&d, CR_OFF);
    whole = cr_u32(CR_OFF, DSA_COMP_CRC_VAL);

    /* the CRC of a first part seeds the CRC of the rest */
    desc_init(&d, DSA_OPCODE_CRCGEN, RCR, G(SRC_OFF), 0, cut, CR_OFF);
    stl_le_p(&d.raw[DSA_DESC_CRC_SEED], 0xdeadbeef);
    assert_success(&d, CR_OFF);
    part = cr_u32(CR_OFF, DSA_COMP_CRC_VAL);
    g_assert_cmphex(part, !=, whole);

    /* ...read from memory (Read CRC Seed) */
    stl_le_p(host(AUX_OFF), part);
    desc_init(&d, DSA_OPCODE_CRCGEN, RCR | IDXD_OP_FLAG_RD_CRC_SEED,
              G(SRC_OFF + cut), 0, len - cut, CR_OFF);
    stq_le_p(&d.raw[DSA_DESC_CRC_SEED_ADDR], G(AUX_OFF));
    assert_success(&d, CR_OFF);
    g_assert_cmphex(cr_u32(CR_OFF, DSA_COMP_CRC_VAL), ==, whole);

    /* a misaligned seed address */
    stq_le_p(&d.raw[DSA_DESC_CRC_SEED_ADDR], G(AUX_OFF + 2));
    g_assert_cmphex(run(&d), ==, DSA_COMP_ADDR_ALIGN);
}

static void test_copy_crc(void)
{
    DSADesc d;
    uint32_t len = 2 * PAGE + 1, crc;

    reset();
    fill_random(SRC_OFF, len, 10);
    desc_init(&d, DSA_OPCODE_CRCGEN, RCR, G(SRC_OFF), 0, len, CR_OFF);
    assert_success(&d, CR_OFF);
    crc = cr_u32(CR_OFF, DSA_COMP_CRC_VAL);

    desc_init(&d, DSA_OPCODE_COPY_CRC, RCR, G(SRC_OFF), G(DST_OFF + 1), len,
              CR_OFF);
    assert_success(&d, CR_OFF);
    g_assert_cmphex(cr_u32(CR_OFF, DSA_COMP_CRC_VAL), ==, crc);
    g_assert(memcmp(host(SRC_OFF), host(DST_OFF + 1), len) == 0);

    /* source and destination overlap */
    desc_init(&d, DSA_OPCODE_COPY_CRC, RCR, G(SRC_OFF), G(SRC_OFF + 8), len,
              CR_OFF);
    g_assert_cmphex(run(&d), ==, DSA_COMP_OVERLAP_BUFFERS);
}

/* Delta records */

static void cr_delta_init(DSADesc *d, uint32_t flags, uint32_t len,
                          uint32_t max)
{
    desc_init(d, DSA_OPCODE_CR_DELTA, flags, G(SRC_OFF), G(DST_OFF), len,
              CR_OFF);
    stq_le_p(&d->raw[DSA_DESC_DELTA_ADDR], G(AUX_OFF));
    stl_le_p(&d->raw[DSA_DESC_MAX_DELTA_SIZE], max);
}

static void test_delta_round_trip(void)
{
    DSADesc d;
    uint32_t len = 2 * PAGE, size;
    static const uint32_t diffs[] = {
        0, 8, 1000, PAGE - 8, PAGE, 2 * PAGE - 1,
    };
    unsigned i;

    reset();
    fill_random(SRC_OFF, len, 11);
    memcpy(host(DST_OFF), host(SRC_OFF), len);
    for (i = 0; i < ARRAY_SIZE(diffs); i++) {
        host(DST_OFF + diffs[i])[0] ^= 0x5a;
    }
    cr_delta_init(&d, RCR, len, 2 * len);
    assert_success(&d, CR_OFF);
    g_assert_cmphex(cr_result(CR_OFF), ==, 1);
    size = cr_u32(CR_OFF, DSA_COMP_DELTA_REC_SIZE);
    g_assert_cmpuint(size, ==, ARRAY_SIZE(diffs) * DSA_DELTA_ENTRY_SIZE);
    g_assert_cmpuint(lduw_le_p(host(AUX_OFF + DSA_DELTA_ENTRY_SIZE)), ==, 1);

    /* apply it to a copy of the first source */
    memcpy(host(DST2_OFF), host(SRC_OFF), len);
    desc_init(&d, DSA_OPCODE_AP_DELTA, RCR, G(AUX_OFF), G(DST2_OFF), len,
              CR_OFF);
    stl_le_p(&d.raw[DSA_DESC_DELTA_REC_SIZE], size);
    assert_success(&d, CR_OFF);
    g_assert(memcmp(host(DST2_OFF), host(DST_OFF), len) == 0);

    /* identical buffers: result 0, empty record */
    memcpy(host(DST_OFF), host(SRC_OFF), len);
    cr_delta_init(&d, RCR, len, 2 * len);
    assert_success(&d, CR_OFF);
    g_assert_cmphex(cr_result(CR_OFF), ==, 0);
    g_assert_cmpuint(cr_u32(CR_OFF, DSA_COMP_DELTA_REC_SIZE), ==, 0);
    /* ...which is a false predicate when only "differences" is expected */
    cr_delta_init(&d, RCR | IDXD_OP_FLAG_CR, len, 2 * len);
    d.raw[DSA_DESC_EXPECTED_MASK] = 1 << 1;
    g_assert_cmphex(run(&d), ==, DSA_COMP_SUCCESS_PRED);
    d.raw[DSA_DESC_EXPECTED_MASK] = 1 << 0;
    assert_success(&d, CR_OFF);
}

static void test_delta_overflow(void)
{
    DSADesc d;
    uint32_t len = PAGE, i;

    reset();
    fill_random(SRC_OFF, len, 12);
    for (i = 0; i < len; i++) {
        host(DST_OFF)[i] = ~host(SRC_OFF)[i];
    }
    /* room for 8 entries and a bit: only 8 are written */
    cr_delta_init(&d, RCR, len, 85);
    assert_success(&d, CR_OFF);
    g_assert_cmphex(cr_result(CR_OFF), ==, 2);
    g_assert_cmpuint(cr_u32(CR_OFF, DSA_COMP_DELTA_REC_SIZE), ==, 80);
    g_assert_cmpuint(cr_bytes(CR_OFF), ==, 64);
}

static void test_delta_large(void)
{
    DSADesc d;
    uint32_t len = 2 * PAGE, i, size, done;

    /* every 8 bytes differ: the record spans pages and buffers */
    reset();
    fill_random(SRC_OFF, len, 18);
    for (i = 0; i < len; i++) {
        host(DST_OFF)[i] = host(SRC_OFF)[i] ^ 0x81;
    }
    memcpy(host(DST2_OFF), host(SRC_OFF), len);
    cr_delta_init(&d, RCR, len, 2 * len);
    stq_le_p(&d.raw[DSA_DESC_DELTA_ADDR], G(AUX_OFF + 0x800));
    assert_success(&d, CR_OFF);
    size = cr_u32(CR_OFF, DSA_COMP_DELTA_REC_SIZE);
    g_assert_cmpuint(size, ==, len / 8 * DSA_DELTA_ENTRY_SIZE);
    desc_init(&d, DSA_OPCODE_AP_DELTA, RCR, G(AUX_OFF + 0x800), G(DST2_OFF),
              len, CR_OFF);
    stl_le_p(&d.raw[DSA_DESC_DELTA_REC_SIZE], size);
    assert_success(&d, CR_OFF);
    g_assert(memcmp(host(DST2_OFF), host(DST_OFF), len) == 0);

    /* the record faults: what it holds matches the bytes completed */
    fake.fault_lo = G(AUX_OFF + PAGE);
    fake.fault_hi = fake.fault_lo + PAGE;
    cr_delta_init(&d, RCR, len, 2 * len);
    g_assert_cmphex(run(&d), ==,
                    DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
    g_assert_cmphex(cr_fault(CR_OFF), ==, G(AUX_OFF + PAGE));
    done = cr_bytes(CR_OFF);
    size = cr_u32(CR_OFF, DSA_COMP_DELTA_REC_SIZE);
    g_assert_cmpuint(done, >, 0);
    g_assert_cmpuint(size, ==, done / 8 * DSA_DELTA_ENTRY_SIZE);
    g_assert_cmpuint(lduw_le_p(host(AUX_OFF + size - DSA_DELTA_ENTRY_SIZE)),
                     ==, done / 8 - 1);
}

static void test_delta_errors(void)
{
    DSADesc d;

    reset();
    /* transfer size not a multiple of 8 */
    cr_delta_init(&d, RCR, 12, 160);
    g_assert_cmphex(run(&d), ==, DSA_COMP_XFER_ERANGE);
    /* misaligned source */
    cr_delta_init(&d, RCR, 16, 160);
    stq_le_p(&d.raw[DSA_DESC_SRC], G(SRC_OFF + 4));
    g_assert_cmphex(run(&d), ==, DSA_COMP_ADDR_ALIGN);
    /* maximum delta record size too small */
    cr_delta_init(&d, RCR, 16, 10);
    g_assert_cmphex(run(&d), ==, DSA_COMP_DR_ERANGE);
    /* delta record over the source */
    cr_delta_init(&d, RCR, 16, 160);
    stq_le_p(&d.raw[DSA_DESC_DELTA_ADDR], G(SRC_OFF + 8));
    g_assert_cmphex(run(&d), ==, DSA_COMP_OVERLAP_BUFFERS);

    /* apply: offsets must increase */
    stw_le_p(host(AUX_OFF), 3);
    stw_le_p(host(AUX_OFF + 10), 3);
    desc_init(&d, DSA_OPCODE_AP_DELTA, RCR, G(AUX_OFF), G(DST_OFF), 64,
              CR_OFF);
    stl_le_p(&d.raw[DSA_DESC_DELTA_REC_SIZE], 20);
    g_assert_cmphex(run(&d), ==, DSA_COMP_DR_OFFSET_NOINC);
    g_assert_cmpuint(cr_bytes(CR_OFF), ==, 10);
    /* ...and stay within the destination */
    stw_le_p(host(AUX_OFF + 10), 8);
    g_assert_cmphex(run(&d), ==, DSA_COMP_DR_OFFSET_ERANGE);
    /* record size not a multiple of 10 */
    stl_le_p(&d.raw[DSA_DESC_DELTA_REC_SIZE], 15);
    g_assert_cmphex(run(&d), ==, DSA_COMP_DR_ERANGE);
}

/* BATCH */

static void batch_init(DSADesc *d, uint32_t flags, uint64_t list,
                       uint32_t count)
{
    desc_init(d, DSA_OPCODE_BATCH, flags, list, 0, count, CR_OFF);
}

static void put_desc(unsigned index, const DSADesc *m)
{
    memcpy(host(LIST_OFF + index * DSA_DESC_SIZE), m, DSA_DESC_SIZE);
}

static void test_batch(void)
{
    DSADesc d, m;
    uint64_t pattern = 0xa5a5a5a5a5a5a5a5ULL;

    reset();
    fill_random(SRC_OFF, 100, 13);
    desc_init(&m, DSA_OPCODE_MEMMOVE, RCR, G(SRC_OFF), G(DST_OFF), 100, 32);
    put_desc(0, &m);
    desc_init(&m, DSA_OPCODE_MEMFILL, RCR | IDXD_OP_FLAG_RCI, pattern,
              G(DST2_OFF), 64, 64);
    stw_le_p(&m.raw[DSA_DESC_INT_HANDLE], 3);
    put_desc(1, &m);
    desc_init(&m, DSA_OPCODE_NOOP, RCR, 0, 0, 0, 96);
    put_desc(2, &m);
    batch_init(&d, RCR | IDXD_OP_FLAG_RCI, G(LIST_OFF), 3);
    stw_le_p(&d.raw[DSA_DESC_INT_HANDLE], 9);
    assert_success(&d, CR_OFF);
    g_assert_cmpuint(cr_bytes(CR_OFF), ==, 3);
    g_assert_cmphex(cr_status(32), ==, DSA_COMP_SUCCESS);
    g_assert_cmphex(cr_status(64), ==, DSA_COMP_SUCCESS);
    g_assert_cmphex(cr_status(96), ==, DSA_COMP_SUCCESS);
    g_assert(memcmp(host(SRC_OFF), host(DST_OFF), 100) == 0);
    g_assert_cmphex(ldq_le_p(host(DST2_OFF + 56)), ==, pattern);
    /* one interrupt for the member, one for the batch, last */
    g_assert_cmpuint(fake.irqs, ==, 2);
    g_assert_cmpuint(fake.irq_handle, ==, 9);
}

static void test_batch_fail(void)
{
    DSADesc d, m;

    /* a failing member: the others still run, the batch fails */
    reset();
    desc_init(&m, DSA_OPCODE_NOOP, RCR, 0, 0, 0, 32);
    put_desc(0, &m);
    desc_init(&m, 0x33, RCR, 0, 0, 0, 64);
    put_desc(1, &m);
    desc_init(&m, DSA_OPCODE_NOOP, RCR, 0, 0, 0, 96);
    put_desc(2, &m);
    batch_init(&d, RCR, G(LIST_OFF), 3);
    g_assert_cmphex(run(&d), ==, DSA_COMP_BATCH_FAIL);
    g_assert_cmphex(cr_status(CR_OFF), ==, DSA_COMP_BATCH_FAIL);
    g_assert_cmpuint(cr_bytes(CR_OFF), ==, 3);
    g_assert_cmphex(cr_status(32), ==, DSA_COMP_SUCCESS);
    g_assert_cmphex(cr_status(64), ==, DSA_COMP_BAD_OPCODE);
    g_assert_cmphex(cr_status(96), ==, DSA_COMP_SUCCESS);

    /* a fenced member after a failure: it and the rest are abandoned */
    reset();
    desc_init(&m, DSA_OPCODE_MEMMOVE, RCR, G(SRC_OFF), G(DST_OFF), 0, 32);
    put_desc(0, &m);
    desc_init(&m, DSA_OPCODE_NOOP, RCR | IDXD_OP_FLAG_FENCE, 0, 0, 0, 64);
    put_desc(1, &m);
    desc_init(&m, DSA_OPCODE_NOOP, RCR, 0, 0, 0, 96);
    put_desc(2, &m);
    batch_init(&d, RCR, G(LIST_OFF), 3);
    g_assert_cmphex(run(&d), ==, DSA_COMP_BATCH_FAIL);
    g_assert_cmpuint(cr_bytes(CR_OFF), ==, 1);
    g_assert_cmphex(cr_status(32), ==, DSA_COMP_XFER_ERANGE);
    g_assert_cmphex(cr_status(64), ==, 0);
    g_assert_cmphex(cr_status(96), ==, 0);

    /* a false predicate also stops at a fence */
    reset();
    host(SRC_OFF)[3] = 1;
    desc_init(&m, DSA_OPCODE_COMPARE, RCR | IDXD_OP_FLAG_CR, G(SRC_OFF),
              G(DST_OFF), 8, 32);
    put_desc(0, &m);
    desc_init(&m, DSA_OPCODE_NOOP, RCR | IDXD_OP_FLAG_FENCE, 0, 0, 0, 64);
    put_desc(1, &m);
    batch_init(&d, RCR, G(LIST_OFF), 2);
    g_assert_cmphex(run(&d), ==, DSA_COMP_BATCH_FAIL);
    g_assert_cmphex(cr_status(32), ==, DSA_COMP_SUCCESS_PRED);
    g_assert_cmphex(cr_status(64), ==, 0);

    /* a nested batch and a drain are bad opcodes inside a batch */
    reset();
    batch_init(&m, RCR, G(LIST_OFF), 2);
    stq_le_p(&m.raw[DSA_DESC_COMPL_ADDR], G(32));
    put_desc(0, &m);
    desc_init(&m, DSA_OPCODE_DRAIN, RCR, 0, 0, 0, 64);
    put_desc(1, &m);
    batch_init(&d, RCR, G(LIST_OFF), 2);
    g_assert_cmphex(run(&d), ==, DSA_COMP_BATCH_FAIL);
    g_assert_cmphex(cr_status(32), ==, DSA_COMP_BAD_OPCODE);
    g_assert_cmphex(cr_status(64), ==, DSA_COMP_BAD_OPCODE);
}

static void test_batch_errors(void)
{
    DSADesc d, m;
    unsigned i;

    reset();
    batch_init(&d, RCR, G(LIST_OFF), 1);
    g_assert_cmphex(run(&d), ==, DSA_COMP_DESC_CNT_ERANGE);
    batch_init(&d, RCR, G(LIST_OFF), 33);
    g_assert_cmphex(run(&d), ==, DSA_COMP_DESC_CNT_ERANGE);
    batch_init(&d, RCR, G(LIST_OFF + 32), 2);
    g_assert_cmphex(run(&d), ==, DSA_COMP_DESCLIST_ALIGN);
    batch_init(&d, RCR | IDXD_OP_FLAG_BOF, G(LIST_OFF), 2);
    g_assert_cmphex(run(&d), ==, DSA_COMP_INVALID_FLAGS);

    /* the descriptor list faults after the first page */
    reset();
    desc_init(&m, DSA_OPCODE_NOOP, RCR, 0, 0, 0, 32);
    for (i = 0; i < PAGE / DSA_DESC_SIZE; i++) {
        put_desc(i, &m);
    }
    batch_init(&d, RCR, G(LIST_OFF + PAGE - 2 * DSA_DESC_SIZE), 4);
    fake.fault_lo = G(LIST_OFF + PAGE);
    fake.fault_hi = fake.fault_lo + PAGE;
    g_assert_cmphex(run(&d), ==, DSA_COMP_BATCH_PAGE_FAULT);
    g_assert_cmpuint(cr_bytes(CR_OFF), ==, 2);
    g_assert_cmphex(cr_fault(CR_OFF), ==, G(LIST_OFF + PAGE));
    g_assert_cmphex(cr_status(32), ==, DSA_COMP_SUCCESS);
}

/* Descriptor errors common to all operations */

static void test_desc_errors(void)
{
    DSADesc d;

    reset();
    desc_init(&d, 0x0b, RCR, 0, 0, 0, CR_OFF);
    g_assert_cmphex(run(&d), ==, DSA_COMP_BAD_OPCODE);
    g_assert_cmphex(cr_status(CR_OFF), ==, DSA_COMP_BAD_OPCODE);

    /* flags reserved in DSA 1.0 */
    desc_init(&d, DSA_OPCODE_MEMMOVE, RCR | 0x20 | 0x8000, G(SRC_OFF),
              G(DST_OFF), 8, CR_OFF);
    g_assert_cmphex(run(&d), ==, DSA_COMP_INVALID_FLAGS);
    g_assert_cmphex(cr_u32(CR_OFF, DSA_COMP_INVALID_FLAGS_OFF) & 0xffffff,
                    ==, 0x8020);
    /* Check Result on a move, Read CRC Seed on a fill */
    desc_init(&d, DSA_OPCODE_MEMMOVE, RCR | IDXD_OP_FLAG_CR, G(SRC_OFF),
              G(DST_OFF), 8, CR_OFF);
    g_assert_cmphex(run(&d), ==, DSA_COMP_INVALID_FLAGS);
    desc_init(&d, DSA_OPCODE_MEMFILL, RCR | IDXD_OP_FLAG_RD_CRC_SEED, 0,
              G(DST_OFF), 8, CR_OFF);
    g_assert_cmphex(run(&d), ==, DSA_COMP_INVALID_FLAGS);
    /* RCR without CRAV: invalid, and no record to write it to */
    fake.rw_calls = 0;
    desc_init(&d, DSA_OPCODE_NOOP, IDXD_OP_FLAG_RCR, 0, 0, 0, CR_OFF);
    g_assert_cmphex(run(&d), ==, DSA_COMP_INVALID_FLAGS);
    g_assert_cmpuint(fake.rw_calls, ==, 0);

    /* reserved bytes 38..39 and the op-specific area */
    desc_init(&d, DSA_OPCODE_MEMMOVE, RCR, G(SRC_OFF), G(DST_OFF), 8, CR_OFF);
    d.raw[DSA_DESC_RSVD1 + 1] = 1;
    g_assert_cmphex(run(&d), ==, DSA_COMP_NOZERO_RESERVE);
    desc_init(&d, DSA_OPCODE_MEMMOVE, RCR, G(SRC_OFF), G(DST_OFF), 8, CR_OFF);
    d.raw[63] = 1;
    g_assert_cmphex(run(&d), ==, DSA_COMP_NOZERO_RESERVE);

    /* transfer sizes */
    desc_init(&d, DSA_OPCODE_MEMMOVE, RCR, G(SRC_OFF), G(DST_OFF), 0, CR_OFF);
    g_assert_cmphex(run(&d), ==, DSA_COMP_XFER_ERANGE);
    desc_init(&d, DSA_OPCODE_MEMMOVE, RCR, G(SRC_OFF), G(DST_OFF),
              lim.max_xfer_size + 1, CR_OFF);
    g_assert_cmphex(run(&d), ==, DSA_COMP_XFER_ERANGE);
    g_assert_cmphex(host(DST_OFF)[0], ==, 0);

    /* interrupt handles, when the device gives their number */
    lim.num_int_handles = 4;
    desc_init(&d, DSA_OPCODE_NOOP, RCR | IDXD_OP_FLAG_RCI, 0, 0, 0, CR_OFF);
    stw_le_p(&d.raw[DSA_DESC_INT_HANDLE], 4);
    g_assert_cmphex(run(&d), ==, DSA_COMP_INT_HANDLE_INVAL);
    g_assert_cmphex(cr_status(CR_OFF), ==, DSA_COMP_INT_HANDLE_INVAL);
    g_assert_cmpuint(fake.irqs, ==, 0);
    stw_le_p(&d.raw[DSA_DESC_INT_HANDLE], 3);
    assert_success(&d, CR_OFF);
    g_assert_cmpuint(fake.irqs, ==, 1);
}

static void test_completion_record_errors(void)
{
    DSADesc d;

    /* misaligned record: nothing written, no interrupt */
    reset();
    fake.rw_calls = 0;
    fill_random(SRC_OFF, 8, 14);
    desc_init(&d, DSA_OPCODE_MEMMOVE, RCR | IDXD_OP_FLAG_RCI, G(SRC_OFF),
              G(DST_OFF), 8, CR_OFF + 16);
    g_assert_cmphex(run(&d), ==, DSA_COMP_CRA_ALIGN);
    g_assert_cmpuint(fake.rw_calls, ==, 0);
    g_assert_cmpuint(fake.irqs, ==, 0);
    g_assert_true(dsa_engine_error_unrecorded(&d, DSA_COMP_CRA_ALIGN));

    /* record address that faults: the data moved, CRA_XLAT, no interrupt */
    reset();
    fill_random(SRC_OFF, 8, 15);
    fake.fault_lo = G(CR_OFF);
    fake.fault_hi = fake.fault_lo + 32;
    desc_init(&d, DSA_OPCODE_MEMMOVE, RCR | IDXD_OP_FLAG_RCI, G(SRC_OFF),
              G(DST_OFF), 8, CR_OFF);
    g_assert_cmphex(run(&d), ==, DSA_COMP_CRA_XLAT);
    g_assert(memcmp(host(SRC_OFF), host(DST_OFF), 8) == 0);
    g_assert_cmpuint(fake.irqs, ==, 0);
    g_assert_true(dsa_engine_error_unrecorded(&d, DSA_COMP_CRA_XLAT));
    g_assert_false(dsa_engine_error_unrecorded(&d, DSA_COMP_XFER_ERANGE));

    /* an error the device found itself */
    reset();
    desc_init(&d, DSA_OPCODE_MEMMOVE, RCR | IDXD_OP_FLAG_RCI, G(SRC_OFF),
              G(DST_OFF), 8, CR_OFF);
    g_assert_cmphex(dsa_engine_complete_error(&io, &lim, TEST_PASID, true, &d,
                                              DSA_COMP_PRIV_BAD),
                    ==, DSA_COMP_PRIV_BAD);
    g_assert_cmphex(cr_status(CR_OFF), ==, DSA_COMP_PRIV_BAD);
    g_assert_cmphex(host(DST_OFF)[0], ==, 0);
    g_assert_cmpuint(fake.irqs, ==, 1);
}

/* CFLUSH */

static void test_cflush(void)
{
    DSADesc d;

    reset();
    desc_init(&d, DSA_OPCODE_CFLUSH, RCR, 0, G(DST_OFF + 100), 3 * PAGE,
              CR_OFF);
    assert_success(&d, CR_OFF);
    g_assert_cmphex(host(DST_OFF + 100)[0], ==, 0);

    fake.fault_lo = G(DST_OFF + 2 * PAGE);
    fake.fault_hi = fake.fault_lo + PAGE;
    g_assert_cmphex(run(&d), ==, DSA_COMP_PAGE_FAULT_NOBOF);
    g_assert_cmpuint(cr_bytes(CR_OFF), ==, 2 * PAGE - 100);
    g_assert_cmphex(cr_fault(CR_OFF), ==, G(DST_OFF + 2 * PAGE));
}

/* T10 DIF */

/* Reference CRC-16/T10-DIF, one bit of input at a time */
static uint16_t ref_crc16(const uint8_t *p, size_t len)
{
    uint16_t crc = 0;
    size_t i;
    int bit;

    for (i = 0; i < len; i++) {
        for (bit = 7; bit >= 0; bit--) {
            bool in = (p[i] >> bit) & 1;
            bool top = crc >> 15;

            crc <<= 1;
            if (in != top) {
                crc ^= 0x8bb7;
            }
        }
    }
    return crc;
}

static void dif_ins_init(DSADesc *d, uint64_t src, uint64_t dst, uint32_t len,
                         uint8_t blk, uint32_t ref, uint16_t app)
{
    desc_init(d, DSA_OPCODE_DIF_INS, RCR, src, dst, len, CR_OFF);
    d->raw[DSA_DESC_INS_DIF_FLAGS] = blk;
    stl_le_p(&d->raw[DSA_DESC_INS_REF_SEED], ref);
    stw_le_p(&d->raw[DSA_DESC_INS_APP_SEED], app);
}

static void dif_chk_init(DSADesc *d, uint8_t opcode, uint64_t src,
                         uint64_t dst, uint32_t len, uint8_t blk,
                         uint32_t ref, uint16_t app)
{
    desc_init(d, opcode, RCR, src, dst, len, CR_OFF);
    d->raw[DSA_DESC_CHK_DIF_FLAGS] = blk;
    stl_le_p(&d->raw[DSA_DESC_CHK_REF_SEED], ref);
    stw_le_p(&d->raw[DSA_DESC_CHK_APP_SEED], app);
}

static void test_dif_round_trip(void)
{
    DSADesc d;
    const uint32_t bs = 512, blocks = 9, len = bs * blocks;
    const uint32_t plen = (bs + 8) * blocks;
    uint32_t b;

    reset();
    g_assert_cmphex(ref_crc16((const uint8_t *)"123456789", 9), ==, 0xd0db);
    fill_random(SRC_OFF, len, 16);

    /* insert */
    dif_ins_init(&d, G(SRC_OFF), G(DST_OFF), len, 0, 0xabba, 0xface);
    assert_success(&d, CR_OFF);
    for (b = 0; b < blocks; b++) {
        const uint8_t *blk = host(DST_OFF + b * (bs + 8));

        g_assert(memcmp(blk, host(SRC_OFF + b * bs), bs) == 0);
        g_assert_cmphex(lduw_be_p(blk + bs), ==,
                        ref_crc16(host(SRC_OFF + b * bs), bs));
        g_assert_cmphex(lduw_be_p(blk + bs + 2), ==, 0xface);
        g_assert_cmphex(ldl_be_p(blk + bs + 4), ==, 0xabba + b);
    }
    /* the record holds the tags for a next block */
    g_assert_cmphex(cr_u32(CR_OFF, DSA_COMP_DIF_INS_REF_TAG), ==,
                    0xabba + blocks);
    g_assert_cmphex(cr_u16(CR_OFF, DSA_COMP_DIF_INS_APP_TAG), ==, 0xface);

    /* check */
    dif_chk_init(&d, DSA_OPCODE_DIF_CHECK, G(DST_OFF), 0, plen, 0, 0xabba,
                 0xface);
    assert_success(&d, CR_OFF);
    g_assert_cmphex(cr_u32(CR_OFF, DSA_COMP_DIF_CHK_REF_TAG), ==,
                    0xabba + blocks);

    /* strip */
    dif_chk_init(&d, DSA_OPCODE_DIF_STRP, G(DST_OFF), G(DST2_OFF), plen, 0,
                 0xabba, 0xface);
    assert_success(&d, CR_OFF);
    g_assert(memcmp(host(DST2_OFF), host(SRC_OFF), len) == 0);
    g_assert_cmphex(host(DST2_OFF + len)[0], ==, 0);

    /* update: new fixed reference tag, incrementing application tag */
    desc_init(&d, DSA_OPCODE_DIF_UPDT, RCR, G(DST_OFF), G(AUX_OFF), plen,
              CR_OFF);
    d.raw[DSA_DESC_UPD_DST_FLAGS] = DSA_DIF_DST_REF_TAG_FIXED |
                                    DSA_DIF_DST_APP_TAG_INC;
    stl_le_p(&d.raw[DSA_DESC_UPD_SRC_REF_SEED], 0xabba);
    stw_le_p(&d.raw[DSA_DESC_UPD_SRC_APP_SEED], 0xface);
    stl_le_p(&d.raw[DSA_DESC_UPD_DST_REF_SEED], 0x1000);
    stw_le_p(&d.raw[DSA_DESC_UPD_DST_APP_SEED], 0x20);
    assert_success(&d, CR_OFF);
    for (b = 0; b < blocks; b++) {
        const uint8_t *blk = host(AUX_OFF + b * (bs + 8));

        g_assert(memcmp(blk, host(SRC_OFF + b * bs), bs) == 0);
        g_assert_cmphex(lduw_be_p(blk + bs), ==,
                        ref_crc16(host(SRC_OFF + b * bs), bs));
        g_assert_cmphex(lduw_be_p(blk + bs + 2), ==, 0x20 + b);
        g_assert_cmphex(ldl_be_p(blk + bs + 4), ==, 0x1000);
    }
}

static void test_dif_errors(void)
{
    DSADesc d;
    const uint32_t bs = 520, blocks = 4, len = bs * blocks;
    const uint32_t plen = (bs + 8) * blocks;

    reset();
    fill_random(SRC_OFF, len, 17);
    dif_ins_init(&d, G(SRC_OFF), G(DST_OFF), len, 1, 100, 7);
    assert_success(&d, CR_OFF);

    /* a corrupted guard in block 2 */
    host(DST_OFF + 2 * (bs + 8) + bs)[1] ^= 1;
    dif_chk_init(&d, DSA_OPCODE_DIF_CHECK, G(DST_OFF), 0, plen, 1, 100, 7);
    g_assert_cmphex(run(&d), ==, DSA_COMP_DIF_ERR);
    g_assert_cmphex(cr_status(CR_OFF), ==, DSA_COMP_DIF_ERR);
    g_assert_cmphex(cr_result(CR_OFF), ==, DSA_DIF_ERR_GUARD);
    g_assert_cmpuint(cr_bytes(CR_OFF), ==, 2 * (bs + 8));
    g_assert_cmphex(cr_u32(CR_OFF, DSA_COMP_DIF_CHK_REF_TAG), ==, 102);
    /* ignored when the guard check is disabled */
    d.raw[DSA_DESC_CHK_SRC_FLAGS] = DSA_DIF_SRC_GUARD_CHK_DISABLE;
    assert_success(&d, CR_OFF);
    host(DST_OFF + 2 * (bs + 8) + bs)[1] ^= 1;

    /* wrong reference tag seed, application tag under a mask */
    dif_chk_init(&d, DSA_OPCODE_DIF_CHECK, G(DST_OFF), 0, plen, 1, 101, 7);
    g_assert_cmphex(run(&d), ==, DSA_COMP_DIF_ERR);
    g_assert_cmphex(cr_result(CR_OFF), ==, DSA_DIF_ERR_REF_TAG);
    g_assert_cmpuint(cr_bytes(CR_OFF), ==, 0);
    dif_chk_init(&d, DSA_OPCODE_DIF_CHECK, G(DST_OFF), 0, plen, 1, 100, 6);
    g_assert_cmphex(run(&d), ==, DSA_COMP_DIF_ERR);
    g_assert_cmphex(cr_result(CR_OFF), ==, DSA_DIF_ERR_APP_TAG);
    stw_le_p(&d.raw[DSA_DESC_CHK_APP_MASK], 0x0001);
    assert_success(&d, CR_OFF);

    /* strip stops at a bad block, what was done stays done */
    host(DST_OFF + 3 * (bs + 8) + bs + 7)[0] ^= 1;
    dif_chk_init(&d, DSA_OPCODE_DIF_STRP, G(DST_OFF), G(DST2_OFF), plen, 1,
                 100, 7);
    g_assert_cmphex(run(&d), ==, DSA_COMP_DIF_ERR);
    g_assert_cmphex(cr_result(CR_OFF), ==, DSA_DIF_ERR_REF_TAG);
    g_assert_cmpuint(cr_bytes(CR_OFF), ==, 3 * (bs + 8));
    g_assert(memcmp(host(DST2_OFF), host(SRC_OFF), 3 * bs) == 0);

    /* sizes and reserved bits */
    dif_chk_init(&d, DSA_OPCODE_DIF_CHECK, G(DST_OFF), 0, plen - 1, 1, 100, 7);
    g_assert_cmphex(run(&d), ==, DSA_COMP_XFER_ERANGE);
    dif_chk_init(&d, DSA_OPCODE_DIF_CHECK, G(DST_OFF), 0, plen, 0x11, 100, 7);
    g_assert_cmphex(run(&d), ==, DSA_COMP_NOZERO_RESERVE);
    dif_ins_init(&d, G(SRC_OFF), G(SRC_OFF + 8), len, 1, 100, 7);
    g_assert_cmphex(run(&d), ==, DSA_COMP_OVERLAP_BUFFERS);

    /* a fault on the destination of an insert: whole blocks completed */
    reset();
    fake.fault_lo = G(DST_OFF + PAGE);
    fake.fault_hi = fake.fault_lo + PAGE;
    dif_ins_init(&d, G(SRC_OFF), G(DST_OFF), 4096 * 2, 2, 5, 0);
    g_assert_cmphex(run(&d), ==,
                    DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE);
    g_assert_cmpuint(cr_bytes(CR_OFF), ==, 0);
    g_assert_cmphex(cr_u32(CR_OFF, DSA_COMP_DIF_INS_REF_TAG), ==, 5);
}

/*
 * Random descriptors, with addresses in and around the fake memory: the
 * engine must answer each with a defined status, keep every access within
 * a page and never write outside the fake memory.
 */
static bool status_defined(uint8_t st)
{
    uint8_t code = st & DSA_COMP_STATUS_MASK;

    if (st & DSA_COMP_STATUS_WRITE) {
        return code == DSA_COMP_PAGE_FAULT_NOBOF ||
               code == DSA_COMP_PAGE_FAULT_IR;
    }
    return (code >= DSA_COMP_SUCCESS && code <= DSA_COMP_DIF_ERR) ||
           (code >= DSA_COMP_BAD_OPCODE && code <= DSA_COMP_TRANSLATION_FAIL);
}

static uint64_t random_addr(GRand *r)
{
    switch (g_rand_int_range(r, 0, 4)) {
    case 0:
        return g_rand_int(r) | (uint64_t)g_rand_int(r) << 32;
    case 1:
        return G(g_rand_int_range(r, 0, MEM_SIZE)) & ~7ULL;
    default:
        return G(g_rand_int_range(r, 0, MEM_SIZE + PAGE)) - PAGE / 2;
    }
}

static void random_desc(GRand *r, DSADesc *d)
{
    static const uint8_t ops[] = {
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
        0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x20, 0x0a, 0x7f, 0xff,
    };
    uint32_t flags = g_rand_int(r);
    uint64_t dst = random_addr(r);
    unsigned i;

    /* mostly valid flags, fields and addresses, so that operations run */
    if (g_rand_int_range(r, 0, 5)) {
        flags &= RCR | IDXD_OP_FLAG_RCI | IDXD_OP_FLAG_FENCE |
                 IDXD_OP_FLAG_BOF | IDXD_OP_FLAG_CC;
        if (flags & IDXD_OP_FLAG_RCR) {
            flags |= IDXD_OP_FLAG_CRAV;
        }
        if (!g_rand_int_range(r, 0, 8)) {
            flags |= g_rand_int(r) & (IDXD_OP_FLAG_CR | 0x30000);
        }
    }
    memset(d, 0, sizeof(*d));
    switch (g_rand_int_range(r, 0, 3)) {
    case 0:
        for (i = DSA_DESC_OP_SPECIFIC; i < DSA_DESC_SIZE; i++) {
            d->raw[i] = g_rand_int(r);
        }
        break;
    case 1:
        stq_le_p(&d->raw[DSA_DESC_OP_SPECIFIC], g_rand_boolean(r) ?
                 dst + g_rand_int_range(r, -4, 4) * PAGE : random_addr(r));
        break;
    }
    if (!g_rand_int_range(r, 0, 4)) {
        d->raw[42] &= 3;
        stl_le_p(&d->raw[48], g_rand_int_range(r, 0, 2 * PAGE));
    }
    if (!g_rand_int_range(r, 0, 10)) {
        stw_le_p(&d->raw[DSA_DESC_RSVD1], g_rand_int(r));
    }
    stl_le_p(&d->raw[DSA_DESC_FLAGS], flags);
    d->raw[DSA_DESC_OPCODE] = ops[g_rand_int_range(r, 0, ARRAY_SIZE(ops))];
    stq_le_p(&d->raw[DSA_DESC_COMPL_ADDR], g_rand_int_range(r, 0, 16) ?
             G(g_rand_int_range(r, 0, 128) * 32) : random_addr(r));
    stq_le_p(&d->raw[DSA_DESC_SRC], g_rand_boolean(r) ?
             G(LIST_OFF + g_rand_int_range(r, 0, 16) * 64) : random_addr(r));
    stq_le_p(&d->raw[DSA_DESC_DST], dst);
    stl_le_p(&d->raw[DSA_DESC_XFER_SIZE], g_rand_int_range(r, 0, 8) ?
             g_rand_int_range(r, 0, 3 * PAGE) : g_rand_int(r));
    if (d->raw[DSA_DESC_OPCODE] == DSA_OPCODE_BATCH &&
        g_rand_int_range(r, 0, 4)) {
        stl_le_p(&d->raw[DSA_DESC_XFER_SIZE], g_rand_int_range(r, 0, 34));
    }
    stw_le_p(&d->raw[DSA_DESC_INT_HANDLE], g_rand_int_range(r, 0, 6));
}

/* The limits and page requests the random descriptor tests run with */
static void random_setup(void)
{
    reset();
    lim.block_on_fault = true;
    lim.num_int_handles = 5;
    io.page_request = fake_page_request;
}

static void test_random_descriptors(void)
{
    GRand *r = g_rand_new_with_seed(0x05a);
    unsigned hist[256] = { 0 };
    DSADesc d;
    unsigned n;

    random_setup();
    for (n = 0; n < 20000; n++) {
        uint8_t st;

        /* the batches run whatever the list area holds by then */
        if (!(n % 64)) {
            for (unsigned k = 0; k < 32; k++) {
                random_desc(r, &d);
                put_desc(k, &d);
            }
        }
        random_desc(r, &d);
        fake.fault_lo = G(g_rand_int_range(r, 0, MEM_SIZE));
        fake.fault_hi = fake.fault_lo + g_rand_int_range(r, 0, 2 * PAGE);
        fake.resolve = g_rand_boolean(r);
        st = run(&d);
        g_assert_true(status_defined(st));
        hist[st]++;
    }
    g_rand_free(r);
    /* the operations did run, and did fault */
    g_assert_cmpuint(hist[DSA_COMP_SUCCESS], >, 500);
    g_assert_cmpuint(hist[DSA_COMP_PAGE_FAULT_NOBOF] +
                     hist[DSA_COMP_PAGE_FAULT_IR] +
                     hist[DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE] +
                     hist[DSA_COMP_PAGE_FAULT_IR | DSA_COMP_STATUS_WRITE],
                     >, 100);
    g_assert_cmpuint(hist[DSA_COMP_BATCH_FAIL], >, 10);
}

/*
 * The same random descriptors, faults (page-sized) and page requests,
 * once through io.rw alone and once with the device-TLB (io.map): the
 * same statuses and the same memory, step by step.
 */
static uint8_t *random_run(bool with_map, uint8_t *statuses, unsigned count)
{
    GRand *r = g_rand_new_with_seed(0x7ab);
    DSADesc d;
    unsigned n;

    random_setup();
    if (with_map) {
        io.map = fake_map;
        io.unmap = fake_unmap;
    }
    for (n = 0; n < count; n++) {
        if (!(n % 64)) {
            for (unsigned k = 0; k < 32; k++) {
                random_desc(r, &d);
                put_desc(k, &d);
            }
        }
        random_desc(r, &d);
        fake.fault_lo = G(g_rand_int_range(r, 0, MEM_SIZE)) & ~(PAGE - 1);
        fake.fault_hi = fake.fault_lo + PAGE * g_rand_int_range(r, 0, 3);
        fake.resolve = g_rand_boolean(r);
        statuses[n] = run(&d);
        g_assert_cmpuint(fake.maps_open, ==, 0);
    }
    g_rand_free(r);
    if (with_map) {
        g_assert_cmpuint(fake.map_calls, >, count);
    }
    return g_memdup2(fake.mem, MEM_SIZE);
}

static void test_map_equivalence(void)
{
    enum { COUNT = 5000 };
    g_autofree uint8_t *st_rw = g_malloc(COUNT);
    g_autofree uint8_t *st_map = g_malloc(COUNT);
    g_autofree uint8_t *mem_rw = random_run(false, st_rw, COUNT);
    g_autofree uint8_t *mem_map = random_run(true, st_map, COUNT);
    unsigned n;

    for (n = 0; n < COUNT; n++) {
        g_assert_cmphex(st_map[n], ==, st_rw[n]);
    }
    g_assert(memcmp(mem_rw, mem_map, MEM_SIZE) == 0);
}

/*
 * MEMMOVE and FILL in place over several runs of cached pages, at odd
 * offsets and sizes, with and without a faulting page in the way: the
 * same records and memory as through io.rw.
 */
static uint8_t *in_place_run(bool with_map, uint8_t op, uint64_t src_off,
                             uint64_t dst_off, uint32_t size, uint64_t fault,
                             uint8_t *status)
{
    DSADesc d;

    reset();
    if (with_map) {
        io.map = fake_map;
        io.unmap = fake_unmap;
    }
    fill_random(SRC_OFF, 8 * PAGE, 77);
    fill_random(DST_OFF, 10 * PAGE, 78);
    if (fault) {
        fake.fault_lo = G(DST_OFF + fault);
        fake.fault_hi = fake.fault_lo + PAGE;
    }
    desc_init(&d, op, RCR, op == DSA_OPCODE_MEMFILL ? 0x0123456789abcdefULL :
              G(SRC_OFF + src_off), G(DST_OFF + dst_off), size, 0);
    *status = run(&d);
    g_assert_cmpuint(fake.maps_open, ==, 0);
    return g_memdup2(fake.mem, MEM_SIZE);
}

static void test_map_in_place(void)
{
    static const uint8_t ops[] = { DSA_OPCODE_MEMMOVE, DSA_OPCODE_MEMFILL };
    static const uint64_t offs[] = { 0, 5, 4093 };
    static const uint32_t sizes[] = { 1, 4096, 3 * 4096 + 7, 7 * 4096 + 1 };
    static const uint64_t faults[] = { 0, 2 * PAGE };

    for (unsigned o = 0; o < ARRAY_SIZE(ops); o++) {
        for (unsigned i = 0; i < ARRAY_SIZE(offs); i++) {
            for (unsigned k = 0; k < ARRAY_SIZE(sizes); k++) {
                for (unsigned f = 0; f < ARRAY_SIZE(faults); f++) {
                    uint8_t st_rw, st_map;
                    g_autofree uint8_t *a =
                        in_place_run(false, ops[o], offs[(i + 1) % 3],
                                     offs[i], sizes[k], faults[f], &st_rw);
                    g_autofree uint8_t *b =
                        in_place_run(true, ops[o], offs[(i + 1) % 3],
                                     offs[i], sizes[k], faults[f], &st_map);

                    g_assert_cmphex(st_map, ==, st_rw);
                    g_assert(memcmp(a, b, MEM_SIZE) == 0);
                }
            }
        }
    }
}

/*
 * Resumption (a VM migrated while a descriptor waits for a page): the
 * progress the engine reports at the page request, then a resumed
 * execution that skips the batch members already done and the bytes
 * already moved.
 */
static DSAProgress seen;

static bool progress_page_request(void *opaque, uint32_t pasid, bool priv,
                                  uint64_t addr, bool is_write)
{
    fake.page_requests++;
    seen = *io.progress;
    return false;
}

static void resume_batch_setup(void)
{
    DSADesc m;

    fill_random(SRC_OFF, 2 * PAGE, 77);
    desc_init(&m, DSA_OPCODE_NOOP, RCR | IDXD_OP_FLAG_RCI, 0, 0, 0, 32);
    put_desc(0, &m);
    desc_init(&m, DSA_OPCODE_MEMMOVE, RCR | IDXD_OP_FLAG_BOF, G(SRC_OFF),
              G(DST_OFF), 2 * PAGE, 64);
    put_desc(1, &m);
    desc_init(&m, DSA_OPCODE_NOOP, RCR, 0, 0, 0, 96);
    put_desc(2, &m);
}

static void test_resume(void)
{
    DSAProgress prog, from;
    DSADesc d;
    uint8_t st;

    reset();
    io.progress = &prog;
    io.page_request = progress_page_request;
    lim.block_on_fault = true;
    resume_batch_setup();
    /* the member's second destination page faults */
    fake.fault_lo = G(DST_OFF + PAGE);
    fake.fault_hi = G(DST_OFF + 2 * PAGE);
    batch_init(&d, RCR, G(LIST_OFF), 3);
    st = dsa_engine_execute(&io, &lim, TEST_PASID, true, &d);
    g_assert_cmpuint(fake.page_requests, ==, 1);
    g_assert_cmpuint(seen.batch_index, ==, 1);
    g_assert(!seen.batch_failed);
    g_assert_cmpuint(seen.done, ==, PAGE);
    g_assert_cmphex(st, ==, DSA_COMP_BATCH_FAIL);

    /* resumed elsewhere: member 0 is not run again, member 1 goes on */
    from = seen;
    memset(host(CR_OFF), 0, 128);
    memset(host(DST_OFF), 0, 2 * PAGE);
    fake.fault_lo = fake.fault_hi = 0;
    fake.irqs = 0;
    st = dsa_engine_resume(&io, &lim, TEST_PASID, true, &d, &from);
    g_assert_cmphex(st, ==, DSA_COMP_SUCCESS);
    g_assert_cmpuint(fake.bad_access, ==, 0);
    g_assert_cmpuint(cr_bytes(CR_OFF), ==, 3);
    g_assert_cmphex(cr_status(32), ==, 0);
    g_assert_cmpuint(fake.irqs, ==, 0);
    g_assert_cmphex(cr_status(64), ==, DSA_COMP_SUCCESS);
    g_assert_cmphex(cr_status(96), ==, DSA_COMP_SUCCESS);
    /* the first page was moved before: not again */
    g_assert(buffer_is_zero(host(DST_OFF), PAGE));
    g_assert(memcmp(host(SRC_OFF + PAGE), host(DST_OFF + PAGE), PAGE) == 0);

    /* a member that failed before the stop still fails the batch */
    from.batch_failed = true;
    st = dsa_engine_resume(&io, &lim, TEST_PASID, true, &d, &from);
    g_assert_cmphex(st, ==, DSA_COMP_BATCH_FAIL);
    /* out of range: clamped, nothing left to do */
    from = (DSAProgress) { .batch_index = 1000, .done = UINT32_MAX };
    memset(host(CR_OFF), 0, 128);
    st = dsa_engine_resume(&io, &lim, TEST_PASID, true, &d, &from);
    g_assert_cmphex(st, ==, DSA_COMP_SUCCESS);
    g_assert_cmphex(cr_status(64), ==, 0);
    io.progress = NULL;
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/intel-dsa-engine/opcap", test_opcap);
    g_test_add_func("/intel-dsa-engine/noop", test_noop_record_and_interrupt);
    g_test_add_func("/intel-dsa-engine/drain", test_drain);
    g_test_add_func("/intel-dsa-engine/memmove", test_memmove);
    g_test_add_func("/intel-dsa-engine/memmove-overlap", test_memmove_overlap);
    g_test_add_func("/intel-dsa-engine/memmove-fault", test_memmove_fault);
    g_test_add_func("/intel-dsa-engine/block-on-fault", test_block_on_fault);
    g_test_add_func("/intel-dsa-engine/memfill", test_memfill);
    g_test_add_func("/intel-dsa-engine/compare", test_compare);
    g_test_add_func("/intel-dsa-engine/compval", test_compval);
    g_test_add_func("/intel-dsa-engine/dualcast", test_dualcast);
    g_test_add_func("/intel-dsa-engine/crc-vector", test_crc_vector);
    g_test_add_func("/intel-dsa-engine/crc-seed", test_crc_seed_chain);
    g_test_add_func("/intel-dsa-engine/copy-crc", test_copy_crc);
    g_test_add_func("/intel-dsa-engine/delta", test_delta_round_trip);
    g_test_add_func("/intel-dsa-engine/delta-overflow", test_delta_overflow);
    g_test_add_func("/intel-dsa-engine/delta-large", test_delta_large);
    g_test_add_func("/intel-dsa-engine/delta-errors", test_delta_errors);
    g_test_add_func("/intel-dsa-engine/batch", test_batch);
    g_test_add_func("/intel-dsa-engine/batch-fail", test_batch_fail);
    g_test_add_func("/intel-dsa-engine/batch-errors", test_batch_errors);
    g_test_add_func("/intel-dsa-engine/desc-errors", test_desc_errors);
    g_test_add_func("/intel-dsa-engine/completion-record-errors",
                    test_completion_record_errors);
    g_test_add_func("/intel-dsa-engine/cflush", test_cflush);
    g_test_add_func("/intel-dsa-engine/dif", test_dif_round_trip);
    g_test_add_func("/intel-dsa-engine/dif-errors", test_dif_errors);
    g_test_add_func("/intel-dsa-engine/random", test_random_descriptors);
    g_test_add_func("/intel-dsa-engine/map-equivalence", test_map_equivalence);
    g_test_add_func("/intel-dsa-engine/map-in-place", test_map_in_place);
    g_test_add_func("/intel-dsa-engine/resume", test_resume);
    return g_test_run();
}
