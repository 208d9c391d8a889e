/*
 * Intel Data Streaming Accelerator (DSA 1.0) emulation
 *
 * Register layout, configuration tables, commands and the state shared by
 * the PCI function (intel-dsa.c), the register model (intel-dsa-regs.c)
 * and the work queues (intel-dsa-wq.c).  Register offsets and fields are
 * those of the Intel DSA architecture specification, revision 1.x.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_DMA_INTEL_DSA_H
#define HW_DMA_INTEL_DSA_H

#include "hw/pci/pci_device.h"
#include "qemu/thread.h"
#include "system/runstate.h"
#include "qom/object.h"
#include "hw/dma/intel-dsa-desc.h"
#include "hw/dma/intel-dsa-regs.h"

#define TYPE_INTEL_DSA "intel-dsa"
OBJECT_DECLARE_SIMPLE_TYPE(IntelDSAState, INTEL_DSA)

typedef struct IntelDSAState IntelDSAState;

/* A descriptor accepted by a WQ, waiting for an engine. */
typedef struct DSAQueuedDesc {
    DSADesc desc;
    uint32_t pasid;         /* PCI_NO_PASID when untagged */
    bool priv;
    uint8_t epoch;
    uint8_t error;          /* non-zero: complete with this status */
} DSAQueuedDesc;

typedef struct IntelDSAWQ {
    IntelDSAState *s;
    unsigned idx;
    uint32_t cfg[DSA_WQCFG_DWORDS];     /* guest-visible, state excluded */
    bool enabled;

    /* Protected by IntelDSAState.lock */
    bool accepting;         /* enabled and not being disabled */
    int group;              /* group the WQ runs in, while enabled */
    DSAEngineLimits limits; /* fixed while enabled */
    DSAQueuedDesc *ring;    /* total_wq_size entries */
    uint32_t head;
    uint32_t count;         /* occupancy: accepted, not yet dispatched */
    uint32_t running;       /* dispatched to an engine */
    uint32_t pending[2];    /* accepted and not completed, per epoch */
    uint8_t epoch;
    bool mig_accepting;     /* accepting, as migrated (BQL) */
} IntelDSAWQ;

/*
 * The page request an engine waits for (block on fault), protected by
 * IntelDSAState.lock.  See intel-dsa-pri.c.
 */
typedef enum DSAPageReqState {
    DSA_PR_IDLE,            /* none */
    DSA_PR_QUEUED,          /* waiting for the BH to issue it */
    DSA_PR_SENT,            /* in the page request queue, no response yet */
    DSA_PR_DONE,            /* answered (or refused): see .success */
} DSAPageReqState;

typedef struct DSAPageReq {
    DSAPageReqState state;
    bool aborted;           /* a command or reset gave up on it */
    bool success;           /* with DSA_PR_DONE: retry the access */
    unsigned wq;
    uint32_t pasid;
    bool priv;
    bool is_write;
    uint64_t addr;
    uint16_t prgi;
    uint32_t seq;           /* tells a new request from an aborted one */
    /*
     * Loaded by migration for a descriptor to resume: its engine waits
     * for this request again when it faults on the same page; @follow:
     * sent, but the destination must still follow its PASID's responses.
     */
    bool restored;
    bool follow;
} DSAPageReq;

/*
 * A descriptor an engine was executing when the VM stopped, waiting for
 * a page (block on fault): migrated with the device and resumed where it
 * stopped, with the page request it waited for.  See dsa_wq_pre_save().
 */
typedef struct DSAInflight {
    bool valid;
    uint32_t wq;
    DSAQueuedDesc d;
    DSAProgress from;
    uint32_t pr_state;      /* DSA_PR_QUEUED or DSA_PR_SENT */
    uint32_t pr_pasid;
    bool pr_priv;
    bool pr_is_write;
    uint64_t pr_addr;
    uint16_t pr_prgi;
} DSAInflight;

typedef struct IntelDSAEngine {
    IntelDSAState *s;
    unsigned idx;
    int group;              /* protected by IntelDSAState.lock */
    bool waiting;           /* asleep on cond, under IntelDSAState.lock */
    bool polling;           /* polling for work, under IntelDSAState.lock */
    /* running a descriptor, not waiting for a page: under the lock */
    bool busy;
    /*
     * The descriptor being executed (on the engine's stack) and its WQ,
     * under the lock; its progress, written by the engine's thread and
     * read by others only while it waits for a page.
     */
    const DSAQueuedDesc *cur;
    unsigned cur_wq;
    DSAProgress progress;
    /* A migrated descriptor the engine resumes first (under the lock) */
    DSAInflight resume;
    QemuCond cond;          /* wakes this engine */
    QemuThread thread;
    DSAPageReq pr;          /* protected by IntelDSAState.lock */
    struct DSAATC *atc;     /* device-TLB, used by the engine's thread */
    /*
     * An access handed to the BQL's holder (intel-dsa-wq.c), on the
     * engine's stack until it is done; and whether the BQL's holder is
     * running it.  Both under IntelDSAState.lock.
     */
    struct DSABqlAccess *bql_access;
    bool bql_access_running;
} IntelDSAEngine;

/* A command waiting for work in flight. */
typedef struct DSAPendingCmd {
    bool active;
    uint32_t cmd;           /* the CMD register value */
    uint64_t wait_mask;     /* WQs whose work must finish */
    bool wait_all_epochs;   /* all of it, not only what preceded the cmd */
} DSAPendingCmd;

struct IntelDSAState {
    PCIDevice parent_obj;

    MemoryRegion regs;          /* BAR0 */
    MemoryRegion regs_io;       /* the registers inside BAR0 */
    MemoryRegion portals;       /* BAR2 */
    MemoryRegion *wq_portals;   /* one per WQ inside BAR2 */

    /* Properties */
    uint32_t num_wqs;
    uint32_t num_engines;
    uint32_t num_groups;
    uint32_t total_wq_size;
    uint32_t rdbufs;
    uint32_t pr_timeout_ms;     /* x-page-request-timeout */

    /* Derived at realize */
    uint32_t num_vectors;
    uint32_t msix_perm_offset;
    uint32_t grpcfg_offset;
    uint32_t wqcfg_offset;
    uint64_t opcap[4];

    /* Registers (BQL) */
    uint32_t gencfg;
    uint32_t genctrl;
    uint32_t gensts;
    uint32_t intcause;
    uint32_t cmd;
    uint32_t cmdsts;
    uint64_t swerr[4];
    uint64_t grpcfg[DSA_MAX_GROUPS][DSA_GRPCFG_SIZE / 8];
    uint32_t msix_perm[DSA_MAX_WQS + 1];        /* dword 0 of each entry */
    IntelDSAWQ wqs[DSA_MAX_WQS];
    IntelDSAEngine engines[DSA_MAX_ENGINES];

    /* Work queues and engines */
    QemuMutex lock;
    QemuCond idle_cond;         /* waiters for work in flight */
    bool stopping;              /* engines exit */
    bool hold;                  /* x-hold-engines: dispatch nothing */
    /*
     * The VM is stopped: engines take no descriptor, page requests wait
     * to be sent, interrupts and command completions to be delivered.
     */
    bool paused;
    VMChangeStateEntry *vmstate_entry;
    DSAInflight inflight[DSA_MAX_ENGINES];  /* migration's copy (BQL) */
    bool inflight_loaded;       /* the in-flight subsection came (BQL) */
    uint32_t engine_poll_us;    /* x-engine-poll-us: poll before sleeping */
    unsigned submit_seq;        /* bumped by every submission, under lock */
    unsigned rr;                /* round robin among WQs */
    DSAPendingCmd pending_cmd;  /* BQL, checked by engines under lock */
    uint64_t irq_pending;       /* vectors to notify, under lock */
    uint64_t swerr_pending;     /* SWERR from an engine, under lock */
    uint64_t swerr_pending_addr;    /* its faulting address, under lock */
    bool swerr_pending_overflow;
    QEMUBH *irq_bh;
    QEMUBH *cmd_bh;
    QEMUBH *bql_bh;             /* runs the engines' accesses that need it */
    QemuCond bql_cond;          /* such an access is done */

    /* Page requests (intel-dsa-pri.c) */
    QemuCond pr_cond;           /* engines wait for page responses */
    QEMUBH *pr_bh;              /* issues queued page requests (BQL) */
    uint16_t pr_next_prgi;      /* under lock */
    uint32_t pr_seq;            /* under lock */
    GHashTable *pr_notifiers;   /* PASID -> DSAPriNotifier (BQL) */

    /* Device-TLB (intel-dsa-atc.c) */
    bool atc_enabled;           /* x-atc */
    unsigned atc_gen;           /* bumped to void every entry (atomic) */
    QemuMutex atc_lock;
    QemuCond atc_cond;          /* a notifier got registered (or refused) */
    GHashTable *atc_pasids;     /* PASID -> DSAATCNotifier, atc_lock */
    unsigned atc_seq;           /* PASIDs seen, atc_lock */
    QEMUBH *atc_bh;             /* registers IOMMU notifiers (BQL) */
    MemoryListener atc_listener;
    bool atc_map_changed;       /* within a memory transaction (BQL) */
};

/* intel-dsa-regs.c */
void dsa_regs_reset(IntelDSAState *s);
uint64_t dsa_regs_read(void *opaque, hwaddr addr, unsigned size);
void dsa_regs_write(void *opaque, hwaddr addr, uint64_t val, unsigned size);
void dsa_cmd_complete_bh(void *opaque);
void dsa_record_swerr(IntelDSAState *s, uint64_t info, uint16_t batch_idx,
                      uint64_t fault_addr);
uint32_t dsa_wqcfg_read(IntelDSAState *s, unsigned wq, unsigned dword);

/* intel-dsa-wq.c */
extern const MemoryRegionOps dsa_portal_ops;
void dsa_wq_init(IntelDSAState *s);
void dsa_wq_start_engines(IntelDSAState *s);
void dsa_wq_stop_engines(IntelDSAState *s);
void dsa_wq_irq_bh(void *opaque);
void dsa_wq_bql_bh(void *opaque);
bool dsa_wq_submit(IntelDSAWQ *wq, unsigned page, const void *buf,
                   unsigned size, bool deferrable, MemTxAttrs attrs);
/* Under s->lock: */
void dsa_wq_enable_locked(IntelDSAWQ *wq, int group);
void dsa_wq_discard_locked(IntelDSAWQ *wq, bool by_pasid, uint32_t pasid);
void dsa_wq_flip_epoch_locked(IntelDSAWQ *wq);
bool dsa_wq_cmd_done_locked(IntelDSAState *s);
void dsa_wq_quiesce(IntelDSAState *s, bool discard);
/* BQL: VM stop and start; migration (intel-dsa-wq.c) */
void dsa_wq_pause(IntelDSAState *s);
void dsa_wq_resume(IntelDSAState *s);
bool dsa_wq_inflight_needed(IntelDSAState *s);
void dsa_wq_pre_save(IntelDSAState *s);
void dsa_wq_post_save(IntelDSAState *s);
int dsa_wq_post_load(IntelDSAState *s);
void dsa_wq_wake_locked(IntelDSAState *s, int group);
bool dsa_wq_in_engine(IntelDSAState *s);

/* intel-dsa-pri.c */
void dsa_pri_init(IntelDSAState *s);
void dsa_pri_exit(IntelDSAState *s);
void dsa_pri_reset(IntelDSAState *s);
bool dsa_pri_page_request(IntelDSAState *s, IntelDSAEngine *eng,
                          unsigned wq, uint32_t pasid, bool priv,
                          uint64_t addr, bool is_write);
/* Under s->lock: give up the page requests of the WQs in @wq_mask. */
void dsa_pri_abort_locked(IntelDSAState *s, uint64_t wq_mask);
void dsa_pri_forget_restored_locked(IntelDSAState *s, IntelDSAEngine *eng);

/* intel-dsa-atc.c */
typedef struct DSAATC DSAATC;
void dsa_atc_init(IntelDSAState *s);
void dsa_atc_exit(IntelDSAState *s);
void dsa_atc_reset(IntelDSAState *s);
void dsa_atc_config_written(IntelDSAState *s);
/* From the engine's thread: see DSAEngineIO.map and unmap */
DSAMapResult dsa_atc_map(IntelDSAState *s, IntelDSAEngine *eng,
                         uint32_t pasid, bool priv, uint64_t addr,
                         uint64_t len, bool is_write, DSAHostMap *m,
                         unsigned *n);
void dsa_atc_unmap(IntelDSAEngine *eng, DSAHostMap *m, unsigned n,
                   uint64_t used, bool is_write);
/* From the engine's thread, within its RCU section: see intel-dsa-atc.c */
void dsa_atc_account(IntelDSAEngine *eng);

#endif /* HW_DMA_INTEL_DSA_H */
