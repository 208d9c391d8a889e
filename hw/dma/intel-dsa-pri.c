/*
 * Intel DSA emulation: block on fault through PCIe page requests (PRI)
 *
 * When a descriptor with Block On Fault (descriptor flag and WQCFG.bof)
 * meets a translation fault, its engine asks the IOMMU for the page with
 * a page request and waits, without the BQL, for the page group response
 * before it retries the access.  Page requests are issued by a bottom
 * half, under the BQL, because the IOMMU's page request queue needs it;
 * page group responses arrive through the PRI notifier the device
 * registers for each PASID it has sent a request for.  A wait ends with
 * the response, when PRI refuses the request, after a timeout
 * (x-page-request-timeout), or when a command that waits for the WQ's
 * work (drain, abort, disable, reset), a device reset or unrealize gives
 * up on it.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "hw/pci/pci_pasid.h"
#include "hw/dma/intel-dsa.h"
#include "trace.h"

#define DSA_PR_PAGE_MASK    (~0xfffULL)
/* PASIDs whose page responses the device follows, at most (then trimmed) */
#define DSA_PR_MAX_PASIDS   64

/* The PRI notifier of one PASID. */
typedef struct DSAPriNotifier {
    IOMMUPRINotifier n;
    IntelDSAState *s;
    uint32_t pasid;
} DSAPriNotifier;

static const char *dsa_pri_code_name(IOMMUPRIResponseCode code)
{
    switch (code) {
    case IOMMU_PRI_RESP_SUCCESS:
        return "success";
    case IOMMU_PRI_RESP_INVALID_REQUEST:
        return "invalid request";
    default:
        return "response failure";
    }
}

/* A page group response (BQL, from the IOMMU's invalidation queue). */
static void dsa_pri_notify(IOMMUPRINotifier *notifier,
                           IOMMUPRIResponse *resp)
{
    DSAPriNotifier *n = container_of(notifier, DSAPriNotifier, n);
    IntelDSAState *s = n->s;
    bool found = false, queued = false;
    unsigned i;

    qemu_mutex_lock(&s->lock);
    for (i = 0; i < s->num_engines; i++) {
        DSAPageReq *pr = &s->engines[i].pr;

        if (!found && pr->state == DSA_PR_SENT && pr->pasid == n->pasid &&
            pr->prgi == resp->prgi) {
            pr->state = DSA_PR_DONE;
            pr->success = resp->response_code == IOMMU_PRI_RESP_SUCCESS;
            found = true;
        }
        queued |= pr->state == DSA_PR_QUEUED;
    }
    if (found) {
        trace_intel_dsa_pr_response(n->pasid, resp->prgi,
                                    dsa_pri_code_name(resp->response_code));
        qemu_cond_broadcast(&s->pr_cond);
    } else {
        /* Late (after a timeout or abort), or for nothing: ignored. */
        trace_intel_dsa_pr_unexpected(n->pasid, resp->prgi,
                                      dsa_pri_code_name(resp->response_code));
    }
    if (queued) {
        /* An outstanding request is gone: room for another. */
        qemu_bh_schedule(s->pr_bh);
    }
    qemu_mutex_unlock(&s->lock);
}

/* BQL: follow the responses for @pasid, once. */
/*
 * Before following one more PASID: when DSA_PR_MAX_PASIDS are followed,
 * stop following those with no page request outstanding (the guest
 * chooses the PASIDs, so their number must not grow without bound).
 */
static void dsa_pri_trim(IntelDSAState *s)
{
    GHashTableIter iter;
    gpointer value;

    if (g_hash_table_size(s->pr_notifiers) < DSA_PR_MAX_PASIDS) {
        return;
    }
    qemu_mutex_lock(&s->lock);
    g_hash_table_iter_init(&iter, s->pr_notifiers);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        DSAPriNotifier *n = value;
        bool busy = false;
        unsigned i;

        for (i = 0; i < s->num_engines; i++) {
            DSAPageReq *pr = &s->engines[i].pr;

            busy |= pr->pasid == n->pasid && pr->state != DSA_PR_IDLE;
        }
        if (!busy) {
            trace_intel_dsa_pr_unfollow(n->pasid);
            pci_pri_unregister_notifier(PCI_DEVICE(s), n->pasid);
            g_free(n);
            g_hash_table_iter_remove(&iter);
        }
    }
    qemu_mutex_unlock(&s->lock);
}

static int dsa_pri_follow(IntelDSAState *s, uint32_t pasid)
{
    DSAPriNotifier *n;
    int rc;

    if (g_hash_table_contains(s->pr_notifiers, GUINT_TO_POINTER(pasid))) {
        return 0;
    }
    dsa_pri_trim(s);
    n = g_new0(DSAPriNotifier, 1);
    n->n.notify = dsa_pri_notify;
    n->s = s;
    n->pasid = pasid;
    rc = pci_pri_register_notifier(PCI_DEVICE(s), pasid, &n->n);
    if (rc) {
        g_free(n);
        return rc;
    }
    g_hash_table_insert(s->pr_notifiers, GUINT_TO_POINTER(pasid), n);
    return 0;
}

/* Issue the queued page requests, within the outstanding allocation. */
static void dsa_pri_bh(void *opaque)
{
    IntelDSAState *s = opaque;
    PCIDevice *pdev = PCI_DEVICE(s);
    unsigned i, k;

    for (i = 0; i < s->num_engines; i++) {
        DSAPageReq *pr = &s->engines[i].pr;
        uint32_t alloc, outstanding = 0;
        DSAPageReq req;
        int rc;

        qemu_mutex_lock(&s->lock);
        if (s->paused) {
            /* sent when the VM runs again (dsa_wq_resume()) */
            qemu_mutex_unlock(&s->lock);
            return;
        }
        if (pr->state == DSA_PR_SENT && pr->follow && !pr->aborted) {
            /* migrated while outstanding: its response comes here */
            uint32_t pasid = pr->pasid;

            pr->follow = false;
            qemu_mutex_unlock(&s->lock);
            rc = dsa_pri_follow(s, pasid);
            trace_intel_dsa_pr_follow_restored(i, pasid, rc);
            continue;
        }
        if (pr->state != DSA_PR_QUEUED || pr->aborted) {
            qemu_mutex_unlock(&s->lock);
            continue;
        }
        if (pcie_pri_enabled(pdev)) {
            alloc = pcie_pri_get_req_alloc(pdev);
            for (k = 0; k < s->num_engines; k++) {
                outstanding += s->engines[k].pr.state == DSA_PR_SENT;
            }
            if (outstanding >= alloc) {
                trace_intel_dsa_pr_wait_alloc(outstanding, alloc);
                if (!alloc) {
                    /* Software allocated none: no request may be sent. */
                    pr->state = DSA_PR_DONE;
                    pr->success = false;
                    qemu_cond_broadcast(&s->pr_cond);
                }
                /* Else sent when a response frees an outstanding one. */
                qemu_mutex_unlock(&s->lock);
                continue;
            }
        }
        pr->state = DSA_PR_SENT;
        req = *pr;
        qemu_mutex_unlock(&s->lock);

        /*
         * Not under s->lock: the IOMMU writes the request to guest memory,
         * which may be this device's own registers.
         */
        rc = dsa_pri_follow(s, req.pasid);
        if (!rc) {
            rc = pci_pri_request_page(pdev, req.pasid, req.priv, false,
                                      req.addr, true, req.prgi, true,
                                      req.is_write);
        }
        trace_intel_dsa_pr_send(i, req.pasid, req.addr, req.is_write,
                                req.prgi, rc);

        qemu_mutex_lock(&s->lock);
        if (rc && pr->seq == req.seq && pr->state == DSA_PR_SENT) {
            pr->state = DSA_PR_DONE;
            pr->success = false;
            qemu_cond_broadcast(&s->pr_cond);
        }
        qemu_mutex_unlock(&s->lock);
    }
}

/*
 * Engine thread, no lock held: ask for the page at @addr and wait for the
 * answer.  True when the access should be retried.
 */
bool dsa_pri_page_request(IntelDSAState *s, IntelDSAEngine *eng,
                          unsigned wq, uint32_t pasid, bool priv,
                          uint64_t addr, bool is_write)
{
    DSAPageReq *pr = &eng->pr;
    int64_t deadline;
    const char *result;
    bool ok;

    if (pasid == PCI_NO_PASID) {
        /* The IOMMU takes page requests with a PASID only. */
        trace_intel_dsa_pr_done(eng->idx, wq, pasid, addr, 0, "no PASID");
        return false;
    }

    qemu_mutex_lock(&s->lock);
    if (pr->restored && !pr->aborted && pr->state != DSA_PR_IDLE &&
        pr->pasid == pasid && pr->priv == priv && pr->is_write == is_write &&
        pr->addr == (addr & DSA_PR_PAGE_MASK)) {
        /* A resumed descriptor: the request it waited for stands. */
        pr->restored = false;
        trace_intel_dsa_pr_wait_restored(eng->idx, wq, pasid, addr, pr->prgi);
    } else {
        if (pr->restored) {
            dsa_pri_forget_restored_locked(s, eng);
        }
        *pr = (DSAPageReq) {
            .state = DSA_PR_QUEUED,
            .wq = wq,
            .pasid = pasid,
            .priv = priv,
            .is_write = is_write,
            .addr = addr & DSA_PR_PAGE_MASK,
            .prgi = s->pr_next_prgi,
            .seq = ++s->pr_seq,
        };
        s->pr_next_prgi = (s->pr_next_prgi + 1) & PCI_PRI_PRGI_MASK;
        trace_intel_dsa_pr_queue(eng->idx, wq, pasid, priv, addr, is_write,
                                 pr->prgi);
    }
    qemu_bh_schedule(s->pr_bh);
    /* the engine waits for a page now: dsa_wq_pause() may be waiting */
    qemu_cond_broadcast(&s->idle_cond);

    deadline = qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + s->pr_timeout_ms;
    result = NULL;
    while (!result) {
        int64_t left = deadline - qemu_clock_get_ms(QEMU_CLOCK_REALTIME);

        if (pr->state == DSA_PR_DONE) {
            result = pr->success ? "success" : "failure";
        } else if (pr->aborted || s->stopping) {
            result = "aborted";
        } else if (s->paused) {
            /* No response while the VM is stopped: the timeout restarts */
            qemu_cond_wait(&s->pr_cond, &s->lock);
            deadline = qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
                       s->pr_timeout_ms;
        } else if (left <= 0) {
            result = "timeout";
        } else {
            qemu_cond_timedwait(&s->pr_cond, &s->lock, left);
        }
    }
    ok = pr->state == DSA_PR_DONE && pr->success;
    trace_intel_dsa_pr_done(eng->idx, wq, pasid, addr, pr->prgi, result);
    if (pr->state == DSA_PR_SENT) {
        /* Given up while outstanding: a deferred request may go now. */
        qemu_bh_schedule(s->pr_bh);
    }
    pr->state = DSA_PR_IDLE;
    pr->aborted = false;
    qemu_mutex_unlock(&s->lock);
    return ok;
}

/*
 * Under s->lock: a request restored by migration that its descriptor
 * did not wait for again (it faulted elsewhere, or not at all).  A
 * response to it is ignored as late.
 */
void dsa_pri_forget_restored_locked(IntelDSAState *s, IntelDSAEngine *eng)
{
    DSAPageReq *pr = &eng->pr;

    trace_intel_dsa_pr_forget_restored(eng->idx, pr->pasid, pr->prgi);
    if (pr->state == DSA_PR_SENT) {
        /* room for a deferred request */
        qemu_bh_schedule(s->pr_bh);
    }
    *pr = (DSAPageReq) { .state = DSA_PR_IDLE };
}

void dsa_pri_abort_locked(IntelDSAState *s, uint64_t wq_mask)
{
    bool any = false;
    unsigned i;

    for (i = 0; i < s->num_engines; i++) {
        DSAPageReq *pr = &s->engines[i].pr;

        if (pr->state != DSA_PR_IDLE && pr->state != DSA_PR_DONE &&
            !pr->aborted && (wq_mask & (1ull << pr->wq))) {
            pr->aborted = true;
            any = true;
            trace_intel_dsa_pr_abort(i, pr->wq, pr->pasid, pr->prgi);
        }
    }
    if (any) {
        qemu_cond_broadcast(&s->pr_cond);
    }
}

void dsa_pri_init(IntelDSAState *s)
{
    DeviceState *dev = DEVICE(s);

    qemu_cond_init(&s->pr_cond);
    s->pr_bh = qemu_bh_new_guarded(dsa_pri_bh, s, &dev->mem_reentrancy_guard);
    s->pr_notifiers = g_hash_table_new(g_direct_hash, g_direct_equal);
}

/* BQL, engines idle: stop following page group responses. */
void dsa_pri_reset(IntelDSAState *s)
{
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init(&iter, s->pr_notifiers);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        DSAPriNotifier *n = value;

        pci_pri_unregister_notifier(PCI_DEVICE(s), n->pasid);
        g_free(n);
        g_hash_table_iter_remove(&iter);
    }
}

/* After the engines have stopped. */
void dsa_pri_exit(IntelDSAState *s)
{
    dsa_pri_reset(s);
    g_hash_table_destroy(s->pr_notifiers);
    s->pr_notifiers = NULL;
    qemu_bh_delete(s->pr_bh);
    s->pr_bh = NULL;
    qemu_cond_destroy(&s->pr_cond);
}
