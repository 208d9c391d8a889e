/*
 * Intel DSA emulation: work queues, portals and engines
 *
 * Each WQ has four 4 KiB portal pages in BAR2 (unlimited and limited,
 * MSI-X and IMS).  A descriptor arrives as one 64-byte write: MOVDIR64B
 * (posted) for a dedicated WQ, a deferrable memory write (ENQCMD/ENQCMDS)
 * for a shared WQ, which the WQ may refuse with Retry.  Accepted
 * descriptors wait in the WQ until an engine of the WQ's group takes
 * them.  Every engine is a thread that runs descriptors through the
 * descriptor engine (intel-dsa-engine.c) without the BQL; interrupts and
 * software errors are handed to a bottom half.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/error-report.h"
#include "qemu/rcu.h"
#include "qemu/timer.h"
#include "hw/pci/pci.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci_pasid.h"
#include "hw/dma/intel-dsa.h"
#include "trace.h"

/* The device whose engine runs on this thread, if any. */
static __thread IntelDSAState *dsa_engine_owner;

bool dsa_wq_in_engine(IntelDSAState *s)
{
    return dsa_engine_owner == s;
}

/* What an engine needs while it runs one descriptor. */
typedef struct DSAExecCtx {
    IntelDSAState *s;
    IntelDSAEngine *eng;
    IntelDSAWQ *wq;
    uint32_t pasid;
    bool priv;
    uint64_t swerr_addr;    /* faulting address of an unrecorded error */
} DSAExecCtx;

/*
 * DMA whose target needs the BQL (MMIO that is not lockless: another
 * device's registers, the IOMMU's, the interrupt range) is not done by
 * the engine, which never takes the BQL: it hands the access to whoever
 * holds the BQL (the bottom half, or a thread that waits for the
 * engines under the BQL, see dsa_wq_quiesce) and waits for it.  So no
 * one waits under the BQL for an engine that waits for the BQL.
 *
 * The access runs with dsa_engine_owner set, so that the device's own
 * registers, portals and configuration space refuse it as they refuse
 * its engines.
 */
typedef struct DSABqlAccess {
    AddressSpace *as;
    hwaddr addr;
    MemTxAttrs attrs;
    void *buf;
    hwaddr len;
    bool is_write;
    bool done;              /* under s->lock */
    MemTxResult result;
} DSABqlAccess;

/* BQL, s->lock not held: run the accesses the engines handed over. */
static bool dsa_wq_run_bql_accesses(IntelDSAState *s)
{
    IntelDSAState *owner = dsa_engine_owner;
    bool ran = false;
    unsigned i;

    for (i = 0; i < s->num_engines; i++) {
        IntelDSAEngine *eng = &s->engines[i];
        DSABqlAccess *a;

        qemu_mutex_lock(&s->lock);
        a = eng->bql_access;
        eng->bql_access = NULL;
        eng->bql_access_running = a != NULL;
        qemu_mutex_unlock(&s->lock);
        if (!a) {
            continue;
        }
        trace_intel_dsa_bql_access(eng->idx, a->addr, a->len, a->is_write);
        dsa_engine_owner = s;
        a->result = address_space_rw(a->as, a->addr, a->attrs, a->buf,
                                     a->len, a->is_write);
        dsa_engine_owner = owner;
        qemu_mutex_lock(&s->lock);
        a->done = true;
        eng->bql_access_running = false;
        qemu_cond_broadcast(&s->bql_cond);
        qemu_mutex_unlock(&s->lock);
        ran = true;
    }
    return ran;
}

void dsa_wq_bql_bh(void *opaque)
{
    dsa_wq_run_bql_accesses(opaque);
}

/* Under s->lock: is an engine's access waiting for the BQL's holder? */
static bool dsa_wq_bql_access_pending_locked(IntelDSAState *s)
{
    unsigned i;

    for (i = 0; i < s->num_engines; i++) {
        if (s->engines[i].bql_access) {
            return true;
        }
    }
    return false;
}

/* The engine's thread: hand one access to the BQL's holder, wait for it */
static MemTxResult dsa_io_bql_access(DSAExecCtx *ctx, AddressSpace *as,
                                     hwaddr addr, MemTxAttrs attrs,
                                     void *buf, hwaddr len, bool is_write)
{
    IntelDSAState *s = ctx->s;
    DSABqlAccess a = {
        .as = as, .addr = addr, .attrs = attrs, .buf = buf, .len = len,
        .is_write = is_write,
    };

    qemu_mutex_lock(&s->lock);
    if (s->stopping) {
        qemu_mutex_unlock(&s->lock);
        return MEMTX_ERROR;
    }
    ctx->eng->bql_access = &a;
    qemu_bh_schedule(s->bql_bh);
    /* a thread in dsa_wq_quiesce() runs it rather than the BH */
    qemu_cond_broadcast(&s->idle_cond);
    while (!a.done) {
        qemu_cond_wait(&s->bql_cond, &s->lock);
    }
    qemu_mutex_unlock(&s->lock);
    return a.result;
}

/*
 * DMA in the descriptor's address space: translate (once, so that a
 * fault is recorded once), then access the target, directly if that
 * needs no BQL.
 */
static MemTxResult dsa_io_rw(void *opaque, uint32_t pasid, bool priv,
                             uint64_t addr, void *buf, uint64_t len,
                             bool is_write)
{
    DSAExecCtx *ctx = opaque;
    PCIDevice *pdev = PCI_DEVICE(ctx->s);
    AddressSpace *as = pci_get_address_space(pdev);
    MemTxResult r = MEMTX_OK;
    MemTxAttrs attrs;

    /* Without a PASID prefix there is no privilege to carry. */
    if (pasid == PCI_NO_PASID) {
        priv = false;
    }
    if (!pci_pasid_request_allowed(pdev, pasid, priv, false)) {
        r = MEMTX_ERROR;
        goto out;
    }
    attrs = pci_pasid_attrs(pdev, pasid, priv, false);
    /* as dma_memory_rw() does */
    smp_mb();
    while (len) {
        IOMMUTLBEntry e;
        MemoryRegion *mr;
        hwaddr gpa, xlat, l, plen;
        bool direct;

        RCU_READ_LOCK_GUARD();
        e = address_space_get_iotlb_entry(as, addr, is_write, attrs);
        if (!(e.perm & (is_write ? IOMMU_WO : IOMMU_RO)) || !e.target_as) {
            r = MEMTX_DECODE_ERROR;
            break;
        }
        gpa = e.translated_addr | (addr & e.addr_mask);
        l = MIN(len, e.addr_mask - (addr & e.addr_mask) + 1);
        plen = l;
        mr = address_space_translate(e.target_as, gpa, &xlat, &plen,
                                     is_write, attrs);
        direct = plen >= l && (memory_access_is_direct(mr, is_write, attrs) ||
                               mr->lockless_io);
        if (direct) {
            r = address_space_rw(e.target_as, gpa, attrs, buf, l, is_write);
        } else {
            r = dsa_io_bql_access(ctx, e.target_as, gpa, attrs, buf, l,
                                  is_write);
        }
        if (r != MEMTX_OK && is_write) {
            /*
             * A posted write that translated: the device learns nothing
             * of what the memory system did with it (DSA 3.13.1).
             */
            trace_intel_dsa_posted_write_error(ctx->wq->idx, gpa, l, r);
            r = MEMTX_OK;
        } else if (r != MEMTX_OK) {
            /* a read that translated: Unsupported Request or abort */
            r = MEMTX_ACCESS_ERROR;
            break;
        }
        addr += l;
        buf = (uint8_t *)buf + l;
        len -= l;
    }
out:
    if (r != MEMTX_OK) {
        trace_intel_dsa_dma_error(ctx->wq->idx, pasid, priv, addr, len,
                                  is_write, r);
    }
    return r;
}

/* The engine's device-TLB */
static DSAMapResult dsa_io_map(void *opaque, uint32_t pasid, bool priv,
                               uint64_t addr, uint64_t len, bool is_write,
                               DSAHostMap *m, unsigned *n)
{
    DSAExecCtx *ctx = opaque;

    if (pasid == PCI_NO_PASID) {
        priv = false;
    }
    return dsa_atc_map(ctx->s, ctx->eng, pasid, priv, addr, len, is_write,
                       m, n);
}

static void dsa_io_unmap(void *opaque, DSAHostMap *m, unsigned n,
                         uint64_t used, bool is_write)
{
    DSAExecCtx *ctx = opaque;

    dsa_atc_unmap(ctx->eng, m, n, used, is_write);
}

static void dsa_io_account(void *opaque)
{
    DSAExecCtx *ctx = opaque;

    dsa_atc_account(ctx->eng);
}

static void dsa_wq_set_busy(IntelDSAState *s, IntelDSAEngine *eng, bool busy)
{
    qemu_mutex_lock(&s->lock);
    eng->busy = busy;
    if (!busy) {
        dsa_wq_wake_locked(s, eng->group);
    }
    qemu_mutex_unlock(&s->lock);
}

/* Block on fault: a page request, and the wait for its response. */
static bool dsa_io_page_request(void *opaque, uint32_t pasid, bool priv,
                                uint64_t addr, bool is_write)
{
    DSAExecCtx *ctx = opaque;

    bool ok;

    if (pasid == PCI_NO_PASID) {
        priv = false;
    }
    /* No RCU read-side section across the wait (see dsa_execute()) */
    dsa_atc_account(ctx->eng);
    rcu_read_unlock();
    /* Meanwhile another engine of the group takes the work that comes */
    dsa_wq_set_busy(ctx->s, ctx->eng, false);
    ok = dsa_pri_page_request(ctx->s, ctx->eng, ctx->wq->idx, pasid, priv,
                              addr, is_write);
    dsa_wq_set_busy(ctx->s, ctx->eng, true);
    rcu_read_lock();
    return ok;
}

/* Under s->lock: an error for the SWERR register, reported by the BH. */
static void dsa_swerr_locked(IntelDSAState *s, uint64_t info, uint64_t addr)
{
    if (s->swerr_pending) {
        s->swerr_pending_overflow = true;
    } else {
        s->swerr_pending = info;
        s->swerr_pending_addr = addr;
    }
    qemu_bh_schedule(s->irq_bh);
}

static void dsa_io_unrecorded(void *opaque, uint64_t addr)
{
    DSAExecCtx *ctx = opaque;

    ctx->swerr_addr = addr;
}

static uint64_t dsa_swerr_info(const DSAExecCtx *ctx, const DSADesc *desc,
                               uint8_t error)
{
    uint64_t info = DSA_SWERR_WQ_IDX_VALID |
                    ((uint64_t)error << DSA_SWERR_ERROR_SHIFT) |
                    ((uint64_t)ctx->wq->idx << DSA_SWERR_WQ_IDX_SHIFT);

    if (desc) {
        info |= DSA_SWERR_DESC_VALID |
                ((uint64_t)desc->raw[DSA_DESC_OPCODE] <<
                 DSA_SWERR_OPERATION_SHIFT);
    }
    if (ctx->pasid != PCI_NO_PASID) {
        info |= (uint64_t)ctx->pasid << DSA_SWERR_PASID_SHIFT;
    }
    if (ctx->priv) {
        info |= DSA_SWERR_PRIV;
    }
    return info;
}

/*
 * A completion interrupt.  The MSI-X permission table may forbid it:
 * Ignore set, or a PASID that is not the descriptor's; user descriptors
 * may interrupt only with GENCFG.user_int_en.
 */
static void dsa_io_interrupt(void *opaque, uint16_t handle)
{
    DSAExecCtx *ctx = opaque;
    IntelDSAState *s = ctx->s;
    uint32_t perm;

    qemu_mutex_lock(&s->lock);
    if (handle >= s->num_vectors) {
        trace_intel_dsa_int_refused(ctx->wq->idx, handle, "no such vector");
        dsa_swerr_locked(s, dsa_swerr_info(ctx, NULL,
                                           DSA_COMP_INT_HANDLE_INVAL), 0);
        goto out;
    }
    perm = s->msix_perm[handle];
    if (perm & DSA_MSIXPERM_IGNORE) {
        trace_intel_dsa_int_refused(ctx->wq->idx, handle, "ignore set");
        goto out;
    }
    if ((perm & DSA_MSIXPERM_PASID_EN) &&
        (ctx->pasid == PCI_NO_PASID ||
         ctx->pasid != perm >> DSA_MSIXPERM_PASID_SHIFT)) {
        trace_intel_dsa_int_refused(ctx->wq->idx, handle, "PASID mismatch");
        dsa_swerr_locked(s, dsa_swerr_info(ctx, NULL,
                                           DSA_COMP_INT_HANDLE_INVAL), 0);
        goto out;
    }
    if (!ctx->priv && !(s->gencfg & DSA_GENCFG_USER_INT_EN)) {
        trace_intel_dsa_int_refused(ctx->wq->idx, handle,
                                    "user interrupts disabled");
        goto out;
    }
    trace_intel_dsa_int(ctx->wq->idx, handle);
    s->irq_pending |= 1ull << handle;
    qemu_bh_schedule(s->irq_bh);
out:
    qemu_mutex_unlock(&s->lock);
}

/* Deliver interrupts and software errors raised by the engines. */
void dsa_wq_irq_bh(void *opaque)
{
    IntelDSAState *s = opaque;
    PCIDevice *pdev = PCI_DEVICE(s);
    uint64_t vectors, swerr, swerr_addr;
    bool overflow;
    unsigned v;

    qemu_mutex_lock(&s->lock);
    if (s->paused) {
        /* delivered when the VM runs again (dsa_wq_resume()) */
        qemu_mutex_unlock(&s->lock);
        return;
    }
    vectors = s->irq_pending;
    swerr = s->swerr_pending;
    swerr_addr = s->swerr_pending_addr;
    overflow = s->swerr_pending_overflow;
    s->irq_pending = 0;
    s->swerr_pending = 0;
    s->swerr_pending_addr = 0;
    s->swerr_pending_overflow = false;
    qemu_mutex_unlock(&s->lock);

    if (swerr) {
        dsa_record_swerr(s, swerr, 0, swerr_addr);
        if (overflow) {
            dsa_record_swerr(s, swerr, 0, swerr_addr);
        }
    }
    for (v = 0; vectors; v++, vectors >>= 1) {
        if ((vectors & 1) && msix_enabled(pdev)) {
            msix_notify(pdev, v);
        }
    }
}

/*
 * Run one descriptor (or complete it with the error the WQ found).  An
 * error the engine could not put in a completion record goes to SWERR.
 */
static void dsa_execute(IntelDSAState *s, IntelDSAEngine *eng,
                        IntelDSAWQ *wq, const DSAQueuedDesc *d,
                        const DSAProgress *from)
{
    /* A refused privileged descriptor is completed as a user one. */
    DSAExecCtx ctx = {
        .s = s, .eng = eng, .wq = wq, .pasid = d->pasid,
        .priv = d->priv && d->error != DSA_COMP_PRIV_BAD,
    };
    DSAEngineIO io = {
        .rw = dsa_io_rw, .interrupt = dsa_io_interrupt,
        .page_request = dsa_io_page_request, .opaque = &ctx,
        .map = eng->atc ? dsa_io_map : NULL, .unmap = dsa_io_unmap,
        .account = eng->atc ? dsa_io_account : NULL,
        .unrecorded = dsa_io_unrecorded, .progress = &eng->progress,
    };
    uint8_t status;

    /*
     * One RCU read-side section for the descriptor (left only while a
     * page request waits): the device-TLB's host pointers and the DMA
     * paths nest in it instead of paying for a section per page.
     */
    rcu_read_lock();
    if (d->error) {
        trace_intel_dsa_desc_error(wq->idx, d->desc.raw[DSA_DESC_OPCODE],
                                   d->error);
        status = dsa_engine_complete_error(&io, &wq->limits, d->pasid,
                                           ctx.priv, &d->desc, d->error);
    } else if (from) {
        status = dsa_engine_resume(&io, &wq->limits, d->pasid, d->priv,
                                   &d->desc, from);
    } else {
        status = dsa_engine_execute(&io, &wq->limits, d->pasid, d->priv,
                                    &d->desc);
    }
    dsa_atc_account(eng);
    rcu_read_unlock();
    trace_intel_dsa_desc_done(wq->idx, d->desc.raw[DSA_DESC_OPCODE],
                              d->pasid, status);
    if (dsa_engine_error_unrecorded(&d->desc, status)) {
        uint64_t info = dsa_swerr_info(&ctx, &d->desc,
                                       status & DSA_COMP_STATUS_MASK);

        /* a completion record fault is a write fault */
        if ((status & DSA_COMP_STATUS_WRITE) ||
            (status & DSA_COMP_STATUS_MASK) == DSA_COMP_CRA_XLAT) {
            info |= DSA_SWERR_FAULT_RW;
        }
        if (d->priv) {
            info |= DSA_SWERR_PRIV;
        }
        qemu_mutex_lock(&s->lock);
        dsa_swerr_locked(s, info, ctx.swerr_addr);
        qemu_mutex_unlock(&s->lock);
    }
}

static uint32_t dsa_ring_cap(IntelDSAState *s)
{
    return s->total_wq_size;
}

/* Under s->lock: the next WQ an engine of @group should serve. */
static IntelDSAWQ *dsa_pick_locked(IntelDSAState *s, int group)
{
    unsigned n;

    for (n = 0; n < s->num_wqs; n++) {
        IntelDSAWQ *wq = &s->wqs[(s->rr + n) % s->num_wqs];

        if (wq->group != group || !wq->count) {
            continue;
        }
        /* A Drain descriptor waits for what precedes it in its WQ. */
        if (wq->running &&
            wq->ring[wq->head].desc.raw[DSA_DESC_OPCODE] == DSA_OPCODE_DRAIN) {
            continue;
        }
        s->rr = (s->rr + n + 1) % s->num_wqs;
        return wq;
    }
    return NULL;
}

/*
 * s->lock for the engines and the portals, which hold it only briefly:
 * spin a little before sleeping on it.  A thread that sleeps on a mutex
 * costs a system call to it and to the one that wakes it, on the path
 * from a descriptor's submission to its execution.
 */
#define DSA_LOCK_SPINS  1000

static void dsa_lock(IntelDSAState *s)
{
    unsigned i;

    for (i = 0; i < DSA_LOCK_SPINS; i++) {
        if (!qemu_mutex_trylock(&s->lock)) {
            return;
        }
        cpu_relax();
    }
    qemu_mutex_lock(&s->lock);
}

/*
 * Under s->lock: wake an engine of @group that sleeps, or every engine
 * that sleeps when @group is negative.  None is woken for work that the
 * group's engines awake will take: one that polls sees submit_seq move,
 * and one that runs a descriptor looks for work before it sleeps.
 * Waking another for a descriptor that one of them takes a moment later
 * would only take a host CPU away from the vCPUs.
 */
void dsa_wq_wake_locked(IntelDSAState *s, int group)
{
    unsigned i, awake = 0, queued = 0;

    if (group >= 0) {
        for (i = 0; i < s->num_engines; i++) {
            IntelDSAEngine *eng = &s->engines[i];

            awake += eng->group == group && (eng->polling || eng->busy);
        }
        for (i = 0; i < s->num_wqs; i++) {
            if (s->wqs[i].group == group) {
                queued += s->wqs[i].count;
            }
        }
        if (awake && queued <= awake) {
            return;
        }
    }
    for (i = 0; i < s->num_engines; i++) {
        IntelDSAEngine *eng = &s->engines[i];

        if (!eng->waiting || (group >= 0 && eng->group != group)) {
            continue;
        }
        eng->waiting = false;
        qemu_cond_signal(&eng->cond);
        if (group >= 0) {
            return;
        }
    }
}

/*
 * Under s->lock, which it drops meanwhile: wait up to x-engine-poll-us
 * for a submission, since waking a sleeping thread costs more than a
 * descriptor.  The caller looks for work again afterwards.
 */
static void dsa_engine_poll_unlocked(IntelDSAEngine *eng)
{
    IntelDSAState *s = eng->s;
    unsigned seq = s->submit_seq;
    int64_t end;
    unsigned i;

    if (!s->engine_poll_us) {
        return;
    }
    /*
     * One poller per group is enough (a submission wakes a sleeping
     * engine when none polls), and spares the host's CPUs.
     */
    for (i = 0; i < s->num_engines; i++) {
        if (s->engines[i].polling && s->engines[i].group == eng->group) {
            return;
        }
    }
    eng->polling = true;
    qemu_mutex_unlock(&s->lock);
    end = get_clock() + s->engine_poll_us * SCALE_US;
    while (qatomic_read(&s->submit_seq) == seq &&
           !qatomic_read(&s->stopping) && get_clock() < end) {
        cpu_relax();
    }
    dsa_lock(s);
    eng->polling = false;
}

static void *dsa_engine_thread(void *opaque)
{
    IntelDSAEngine *eng = opaque;
    IntelDSAState *s = eng->s;
    bool ran = false;

    rcu_register_thread();
    dsa_engine_owner = s;
    qemu_mutex_lock(&s->lock);
    while (!s->stopping) {
        IntelDSAWQ *wq = NULL;
        DSAQueuedDesc d;
        DSAProgress from;
        bool resumed = false;

        if (!s->hold && !s->paused && eng->resume.valid) {
            /* counted in its WQ's running and pending by post_load */
            wq = &s->wqs[eng->resume.wq];
            d = eng->resume.d;
            from = eng->resume.from;
            eng->resume.valid = false;
            resumed = true;
            trace_intel_dsa_resume_desc(eng->idx, wq->idx,
                                        d.desc.raw[DSA_DESC_OPCODE],
                                        from.batch_index, from.done);
        } else if (!s->hold && !s->paused && eng->group >= 0) {
            wq = dsa_pick_locked(s, eng->group);
        }
        if (!wq) {
            if (ran) {
                ran = false;
                dsa_engine_poll_unlocked(eng);
                continue;
            }
            eng->waiting = true;
            while (eng->waiting && !s->stopping) {
                qemu_cond_wait(&eng->cond, &s->lock);
            }
            eng->waiting = false;
            continue;
        }
        if (!resumed) {
            d = wq->ring[wq->head];
            wq->head = (wq->head + 1) % dsa_ring_cap(s);
            wq->count--;
            wq->running++;
        }
        eng->busy = true;
        eng->cur = &d;
        eng->cur_wq = wq->idx;
        qemu_mutex_unlock(&s->lock);

        dsa_execute(s, eng, wq, &d, resumed ? &from : NULL);

        dsa_lock(s);
        eng->busy = false;
        eng->cur = NULL;
        if (eng->pr.restored) {
            /* resumed without waiting for it again: forget it */
            dsa_pri_forget_restored_locked(s, eng);
        }
        ran = true;
        wq->running--;
        wq->pending[d.epoch]--;
        /*
         * A Drain descriptor may wait for this one: this engine looks
         * for it next, being of the same group.
         */
        qemu_cond_broadcast(&s->idle_cond);
        if (s->pending_cmd.active && dsa_wq_cmd_done_locked(s)) {
            qemu_bh_schedule(s->cmd_bh);
        }
    }
    qemu_mutex_unlock(&s->lock);
    rcu_unregister_thread();
    return NULL;
}

void dsa_wq_enable_locked(IntelDSAWQ *wq, int group)
{
    uint32_t shifts = wq->cfg[3];

    wq->group = group;
    wq->limits.max_xfer_size = 1ull << (shifts & DSA_WQCFG3_XFER_SHIFT_MASK);
    wq->limits.max_batch_size = 1u << ((shifts & DSA_WQCFG3_BATCH_SHIFT_MASK)
                                       >> DSA_WQCFG3_BATCH_SHIFT_SHIFT);
    wq->limits.block_on_fault = wq->cfg[2] & DSA_WQCFG2_BOF;
    wq->limits.num_int_handles = wq->s->num_vectors;
    wq->accepting = true;
    trace_intel_dsa_wq_enable(wq->idx, group, wq->cfg[0], wq->cfg[2]);
}

/* Drop the descriptors still waiting in @wq (all, or those of a PASID). */
void dsa_wq_discard_locked(IntelDSAWQ *wq, bool by_pasid, uint32_t pasid)
{
    uint32_t cap = dsa_ring_cap(wq->s);
    uint32_t i, kept = 0, dropped = 0;

    for (i = 0; i < wq->count; i++) {
        DSAQueuedDesc *d = &wq->ring[(wq->head + i) % cap];

        if (by_pasid && d->pasid != pasid) {
            wq->ring[(wq->head + kept) % cap] = *d;
            kept++;
        } else {
            wq->pending[d->epoch]--;
            dropped++;
        }
    }
    wq->count = kept;
    if (dropped) {
        trace_intel_dsa_wq_discard(wq->idx, dropped);
    }
}

void dsa_wq_flip_epoch_locked(IntelDSAWQ *wq)
{
    wq->epoch ^= 1;
}

/* Is the work the pending command waits for done? */
bool dsa_wq_cmd_done_locked(IntelDSAState *s)
{
    DSAPendingCmd *p = &s->pending_cmd;
    unsigned i;

    for (i = 0; i < s->num_wqs; i++) {
        IntelDSAWQ *wq = &s->wqs[i];

        if (!(p->wait_mask & (1ull << i))) {
            continue;
        }
        if (p->wait_all_epochs ? wq->pending[0] + wq->pending[1]
                               : wq->pending[wq->epoch ^ 1]) {
            return false;
        }
    }
    return true;
}

/*
 * Wait until the engines are idle, after dropping what waits in the WQs
 * (@discard) or running it.  Called with the BQL held: the accesses
 * engines hand to the BQL's holder meanwhile are run here.  An engine
 * whose access is already running belongs to a caller further up this
 * thread's stack (a device's DMA that resets a device whose engine DMAs
 * into the first): it cannot finish before we return, so it is not
 * waited for.
 */
void dsa_wq_quiesce(IntelDSAState *s, bool discard)
{
    unsigned i;

    qemu_mutex_lock(&s->lock);
    for (i = 0; i < s->num_wqs; i++) {
        if (discard) {
            dsa_wq_discard_locked(&s->wqs[i], false, 0);
        }
    }
    for (i = 0; discard && i < s->num_engines; i++) {
        IntelDSAEngine *eng = &s->engines[i];

        if (eng->resume.valid) {
            IntelDSAWQ *wq = &s->wqs[eng->resume.wq];

            wq->running--;
            wq->pending[eng->resume.d.epoch]--;
            eng->resume.valid = false;
            trace_intel_dsa_wq_discard(wq->idx, 1);
        }
        if (eng->pr.restored) {
            dsa_pri_forget_restored_locked(s, eng);
        }
    }
    /* No page group response can come while the BQL is held here. */
    dsa_pri_abort_locked(s, ~0ull);
    for (;;) {
        unsigned busy = 0, nested = 0;

        if (dsa_wq_bql_access_pending_locked(s)) {
            qemu_mutex_unlock(&s->lock);
            dsa_wq_run_bql_accesses(s);
            qemu_mutex_lock(&s->lock);
            continue;
        }
        for (i = 0; i < s->num_wqs; i++) {
            busy += s->wqs[i].running + s->wqs[i].count;
        }
        for (i = 0; i < s->num_engines; i++) {
            nested += s->engines[i].bql_access_running;
        }
        if (busy <= nested) {
            if (nested) {
                trace_intel_dsa_quiesce_nested(nested);
            }
            break;
        }
        dsa_wq_wake_locked(s, -1);
        qemu_cond_wait(&s->idle_cond, &s->lock);
    }
    qemu_mutex_unlock(&s->lock);
}

/*
 * Submit one descriptor to a WQ through portal page @page.  Returns
 * false when a deferrable write (ENQCMD/ENQCMDS) is refused and must be
 * answered with Retry; true when the descriptor is accepted, or dropped
 * because a posted write (MOVDIR64B) has no answer.
 */
bool dsa_wq_submit(IntelDSAWQ *wq, unsigned page, const void *buf,
                   unsigned size, bool deferrable, MemTxAttrs attrs)
{
    IntelDSAState *s = wq->s;
    bool refuse = !deferrable;
    DSAQueuedDesc *d;
    uint32_t cfg2, size_cfg, limit, desc0;
    uint8_t error = 0;
    uint32_t pasid;
    bool priv;

    if (dsa_wq_in_engine(s)) {
        trace_intel_dsa_submit_refused(wq->idx, page, "from its own engine");
        return refuse;
    }
    if (size != sizeof(DSADesc)) {
        trace_intel_dsa_submit_refused(wq->idx, page, "not 64 bytes");
        return refuse;
    }
    if (page & DSA_PORTAL_IMS) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: WQ %u: descriptor to an IMS "
                      "portal, IMS is not supported\n", TYPE_INTEL_DSA,
                      wq->idx);
        trace_intel_dsa_submit_refused(wq->idx, page, "IMS portal");
        return refuse;
    }

    dsa_lock(s);
    if (!wq->accepting) {
        qemu_mutex_unlock(&s->lock);
        trace_intel_dsa_submit_refused(wq->idx, page, "WQ not enabled");
        return refuse;
    }
    cfg2 = wq->cfg[2];
    size_cfg = wq->cfg[0] & DSA_WQCFG0_SIZE_MASK;
    if (cfg2 & DSA_WQCFG2_DEDICATED) {
        if (deferrable) {
            qemu_mutex_unlock(&s->lock);
            trace_intel_dsa_submit_refused(wq->idx, page,
                                           "ENQCMD to a dedicated WQ");
            return false;
        }
        if (wq->count >= size_cfg) {
            qemu_mutex_unlock(&s->lock);
            qemu_log_mask(LOG_GUEST_ERROR, "%s: dedicated WQ %u full: "
                          "descriptor dropped\n", TYPE_INTEL_DSA, wq->idx);
            trace_intel_dsa_submit_refused(wq->idx, page, "dedicated WQ full");
            return true;
        }
        pasid = (cfg2 & DSA_WQCFG2_PASID_EN) ?
                (cfg2 & DSA_WQCFG2_PASID_MASK) >> DSA_WQCFG2_PASID_SHIFT :
                PCI_NO_PASID;
        priv = cfg2 & DSA_WQCFG2_PRIV;
    } else {
        if (!deferrable) {
            qemu_mutex_unlock(&s->lock);
            qemu_log_mask(LOG_GUEST_ERROR, "%s: shared WQ %u: posted write "
                          "dropped\n", TYPE_INTEL_DSA, wq->idx);
            trace_intel_dsa_submit_refused(wq->idx, page,
                                           "MOVDIR64B to a shared WQ");
            return true;
        }
        limit = (page & DSA_PORTAL_LIMITED) ?
                (wq->cfg[1] & DSA_WQCFG1_THRESH_MASK) : size_cfg;
        if (wq->count >= limit) {
            qemu_mutex_unlock(&s->lock);
            trace_intel_dsa_submit_retry(wq->idx, page, wq->count, limit);
            return false;
        }
        if (attrs.pasid) {
            pasid = attrs.pid;
            priv = attrs.priv;
        } else {
            desc0 = ldl_le_p(buf);
            pasid = desc0 & DSA_DESC_PASID_MASK;
            priv = desc0 & DSA_DESC_PRIV;
        }
        if (priv && !(cfg2 & DSA_WQCFG2_PRIV)) {
            qemu_log_mask(LOG_GUEST_ERROR, "%s: privileged descriptor to "
                          "user WQ %u\n", TYPE_INTEL_DSA, wq->idx);
            trace_intel_dsa_submit_priv_refused(wq->idx, pasid);
            error = DSA_COMP_PRIV_BAD;
        }
    }

    d = &wq->ring[(wq->head + wq->count) % dsa_ring_cap(s)];
    memcpy(d->desc.raw, buf, sizeof(d->desc.raw));
    d->pasid = pasid;
    d->priv = priv;
    d->epoch = wq->epoch;
    d->error = error;
    wq->count++;
    wq->pending[wq->epoch]++;
    qatomic_set(&s->submit_seq, s->submit_seq + 1);
    trace_intel_dsa_submit(wq->idx, page, d->desc.raw[DSA_DESC_OPCODE],
                           pasid, priv, wq->count);
    dsa_wq_wake_locked(s, wq->group);
    qemu_mutex_unlock(&s->lock);
    return true;
}

static uint64_t dsa_portal_read(void *opaque, hwaddr addr, unsigned size)
{
    IntelDSAWQ *wq = opaque;

    trace_intel_dsa_portal_read(wq->idx, addr);
    return 0;
}

static void dsa_portal_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    IntelDSAWQ *wq = opaque;

    /* Hardware takes only whole 64-byte writes; others are dropped. */
    qemu_log_mask(LOG_GUEST_ERROR, "%s: WQ %u: %u-byte write to portal "
                  "offset 0x%" HWADDR_PRIx " dropped\n", TYPE_INTEL_DSA,
                  wq->idx, size, addr);
    trace_intel_dsa_portal_partial_write(wq->idx, addr, size);
}

/* MOVDIR64B (posted) or ENQCMD/ENQCMDS (deferrable): one descriptor. */
static MemTxResult dsa_portal_write_block(void *opaque, hwaddr addr,
                                          const void *buf, unsigned size,
                                          bool deferrable, MemTxAttrs attrs)
{
    IntelDSAWQ *wq = opaque;

    if (addr % DSA_DESC_SIZE) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: WQ %u: misaligned %u-byte "
                      "write to portal offset 0x%" HWADDR_PRIx " dropped\n",
                      TYPE_INTEL_DSA, wq->idx, size, addr);
        trace_intel_dsa_portal_partial_write(wq->idx, addr, size);
        return deferrable ? MEMTX_RETRY : MEMTX_OK;
    }
    return dsa_wq_submit(wq, addr / DSA_PORTAL_PAGE, buf, size, deferrable,
                         attrs) ? MEMTX_OK : MEMTX_RETRY;
}

const MemoryRegionOps dsa_portal_ops = {
    .read = dsa_portal_read,
    .write = dsa_portal_write,
    .write_block = dsa_portal_write_block,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
    },
};

/*
 * VM stop and start
 * =================
 *
 * While the VM is stopped (stop, savevm, migration's final phase) the
 * device does no DMA and raises no interrupt: engines take no descriptor,
 * page requests are not sent and completions not delivered until the VM
 * runs again.  dsa_wq_pause() runs from the VM state change notifier,
 * before RAM's final pass: it lets the descriptors the engines execute
 * complete, running the accesses they hand to the BQL's holder, except
 * those that wait for a page (block on fault), which cannot complete
 * while the guest is stopped.  Those stay where they are: migration saves
 * them with their progress and their page request (dsa_wq_pre_save()),
 * and the destination resumes them.
 */

/* Under s->lock: does @eng wait for a page, with nothing else to do? */
static bool dsa_engine_parked_locked(IntelDSAEngine *eng)
{
    DSAPageReq *pr = &eng->pr;

    return eng->cur && !pr->aborted &&
           (pr->state == DSA_PR_QUEUED || pr->state == DSA_PR_SENT);
}

void dsa_wq_pause(IntelDSAState *s)
{
    unsigned i;

    qemu_mutex_lock(&s->lock);
    s->paused = true;
    for (;;) {
        unsigned running = 0, parked = 0, nested = 0;

        if (dsa_wq_bql_access_pending_locked(s)) {
            qemu_mutex_unlock(&s->lock);
            dsa_wq_run_bql_accesses(s);
            qemu_mutex_lock(&s->lock);
            continue;
        }
        for (i = 0; i < s->num_engines; i++) {
            IntelDSAEngine *eng = &s->engines[i];

            running += eng->cur != NULL;
            parked += dsa_engine_parked_locked(eng);
            nested += eng->bql_access_running;
        }
        if (running <= parked + nested) {
            trace_intel_dsa_pause(running, parked);
            break;
        }
        qemu_cond_wait(&s->idle_cond, &s->lock);
    }
    qemu_mutex_unlock(&s->lock);
}

void dsa_wq_resume(IntelDSAState *s)
{
    qemu_mutex_lock(&s->lock);
    s->paused = false;
    trace_intel_dsa_resume();
    dsa_wq_wake_locked(s, -1);
    /* page request waits restart their timeout */
    qemu_cond_broadcast(&s->pr_cond);
    qemu_mutex_unlock(&s->lock);
    qemu_bh_schedule(s->pr_bh);
    qemu_bh_schedule(s->irq_bh);
    qemu_bh_schedule(s->cmd_bh);
}

/*
 * Migration of the work in flight
 * ===============================
 *
 * The WQs' descriptors not yet dispatched, the descriptors engines wait
 * with for a page, their page requests, and what the engines raised and
 * the device has not delivered yet go in the "intel-dsa/inflight"
 * subsection, sent when there is any.  BQL, engines paused.
 */
bool dsa_wq_inflight_needed(IntelDSAState *s)
{
    bool needed = s->pending_cmd.active || s->irq_pending ||
                  s->swerr_pending;
    unsigned i;

    qemu_mutex_lock(&s->lock);
    for (i = 0; i < s->num_wqs; i++) {
        IntelDSAWQ *wq = &s->wqs[i];

        needed |= wq->count || wq->running ||
                  (wq->enabled && !wq->accepting);
    }
    for (i = 0; i < s->num_engines; i++) {
        needed |= s->engines[i].resume.valid || s->engines[i].cur;
    }
    qemu_mutex_unlock(&s->lock);
    return needed;
}

void dsa_wq_pre_save(IntelDSAState *s)
{
    uint32_t cap = dsa_ring_cap(s);
    unsigned i;

    qemu_mutex_lock(&s->lock);
    for (i = 0; i < s->num_wqs; i++) {
        IntelDSAWQ *wq = &s->wqs[i];

        /* the ring from its head on, as the stream carries it */
        if (wq->head) {
            g_autofree DSAQueuedDesc *tmp = g_new(DSAQueuedDesc, wq->count);
            uint32_t k;

            for (k = 0; k < wq->count; k++) {
                tmp[k] = wq->ring[(wq->head + k) % cap];
            }
            memcpy(wq->ring, tmp, wq->count * sizeof(*tmp));
            wq->head = 0;
        }
        wq->mig_accepting = wq->accepting;
    }
    for (i = 0; i < s->num_engines; i++) {
        IntelDSAEngine *eng = &s->engines[i];
        DSAInflight *f = &s->inflight[i];

        memset(f, 0, sizeof(*f));
        if (eng->resume.valid) {
            /* loaded and not resumed yet */
            *f = eng->resume;
        } else if (dsa_engine_parked_locked(eng)) {
            f->valid = true;
            f->wq = eng->cur_wq;
            f->d = *eng->cur;
            f->from = eng->progress;
        } else {
            continue;
        }
        if (eng->pr.state == DSA_PR_QUEUED || eng->pr.state == DSA_PR_SENT) {
            f->pr_state = eng->pr.state;
            f->pr_pasid = eng->pr.pasid;
            f->pr_priv = eng->pr.priv;
            f->pr_is_write = eng->pr.is_write;
            f->pr_addr = eng->pr.addr;
            f->pr_prgi = eng->pr.prgi;
        }
        trace_intel_dsa_save_inflight(i, f->wq, f->d.desc.raw[DSA_DESC_OPCODE],
                                      f->pr_state, f->pr_prgi);
    }
    qemu_mutex_unlock(&s->lock);
}

void dsa_wq_post_save(IntelDSAState *s)
{
    memset(s->inflight, 0, sizeof(s->inflight));
}

/* BQL, after the WQs were enabled again by the device's post_load. */
int dsa_wq_post_load(IntelDSAState *s)
{
    unsigned i, k;

    if (!s->inflight_loaded) {
        return 0;
    }
    s->inflight_loaded = false;
    for (i = 0; i < DSA_MAX_ENGINES; i++) {
        DSAInflight *f = &s->inflight[i];

        if (f->valid && (i >= s->num_engines || f->wq >= s->num_wqs ||
                         f->d.epoch > 1 ||
                         (f->pr_state != DSA_PR_IDLE &&
                          f->pr_state != DSA_PR_QUEUED &&
                          f->pr_state != DSA_PR_SENT))) {
            error_report("%s: bad in-flight descriptor for engine %u",
                         TYPE_INTEL_DSA, i);
            return -EINVAL;
        }
    }
    qemu_mutex_lock(&s->lock);
    for (i = 0; i < s->num_wqs; i++) {
        IntelDSAWQ *wq = &s->wqs[i];

        wq->head = 0;
        wq->running = 0;
        wq->pending[0] = wq->pending[1] = 0;
        for (k = 0; k < wq->count; k++) {
            wq->ring[k].epoch &= 1;
            wq->pending[wq->ring[k].epoch]++;
        }
        wq->epoch &= 1;
        wq->accepting = wq->accepting && wq->mig_accepting;
    }
    for (i = 0; i < s->num_engines; i++) {
        IntelDSAEngine *eng = &s->engines[i];
        DSAInflight *f = &s->inflight[i];
        IntelDSAWQ *wq;

        if (!f->valid) {
            continue;
        }
        wq = &s->wqs[f->wq];
        eng->resume = *f;
        wq->running++;
        wq->pending[f->d.epoch]++;
        if (f->pr_state != DSA_PR_IDLE) {
            eng->pr = (DSAPageReq) {
                .state = f->pr_state,
                .wq = f->wq,
                .pasid = f->pr_pasid & (BIT(DSA_PASID_WIDTH) - 1),
                .priv = f->pr_priv,
                .is_write = f->pr_is_write,
                .addr = f->pr_addr & ~0xfffULL,
                .prgi = f->pr_prgi & PCI_PRI_PRGI_MASK,
                .seq = ++s->pr_seq,
                .restored = true,
                .follow = f->pr_state == DSA_PR_SENT,
            };
        }
        trace_intel_dsa_load_inflight(i, f->wq, f->d.desc.raw[DSA_DESC_OPCODE],
                                      f->pr_state, f->pr_prgi);
    }
    memset(s->inflight, 0, sizeof(s->inflight));
    qemu_mutex_unlock(&s->lock);
    return 0;
}

void dsa_wq_init(IntelDSAState *s)
{
    unsigned i;

    qemu_mutex_init(&s->lock);
    qemu_cond_init(&s->idle_cond);
    qemu_cond_init(&s->bql_cond);
    for (i = 0; i < s->num_engines; i++) {
        qemu_cond_init(&s->engines[i].cond);
    }
    for (i = 0; i < s->num_wqs; i++) {
        IntelDSAWQ *wq = &s->wqs[i];

        wq->s = s;
        wq->idx = i;
        wq->group = -1;
        wq->ring = g_new0(DSAQueuedDesc, dsa_ring_cap(s));
    }
}

void dsa_wq_start_engines(IntelDSAState *s)
{
    unsigned i;

    s->stopping = false;
    for (i = 0; i < s->num_engines; i++) {
        IntelDSAEngine *eng = &s->engines[i];
        g_autofree char *name = g_strdup_printf("dsa-engine%u", i);

        eng->s = s;
        eng->idx = i;
        eng->group = -1;
        qemu_thread_create(&eng->thread, name, dsa_engine_thread, eng,
                           QEMU_THREAD_JOINABLE);
    }
}

void dsa_wq_stop_engines(IntelDSAState *s)
{
    unsigned i;

    qemu_mutex_lock(&s->lock);
    qatomic_set(&s->stopping, true);
    dsa_wq_wake_locked(s, -1);
    qemu_cond_broadcast(&s->pr_cond);
    qemu_mutex_unlock(&s->lock);
    /* BQL: an engine may wait for one access before it sees stopping */
    dsa_wq_run_bql_accesses(s);
    for (i = 0; i < s->num_engines; i++) {
        qemu_thread_join(&s->engines[i].thread);
    }
    for (i = 0; i < s->num_wqs; i++) {
        g_free(s->wqs[i].ring);
        s->wqs[i].ring = NULL;
    }
    for (i = 0; i < s->num_engines; i++) {
        qemu_cond_destroy(&s->engines[i].cond);
    }
    qemu_cond_destroy(&s->idle_cond);
    qemu_cond_destroy(&s->bql_cond);
    qemu_mutex_destroy(&s->lock);
}
