/*
 * Intel Data Streaming Accelerator: the device-TLB (address translation
 * cache) of the engines.
 *
 * With ATS enabled by the guest, a device may keep the translations the
 * IOMMU gave it (ATS translation requests, which record no fault for a
 * page that is not present: the engine then asks for it through PRI or
 * completes with the fault) until the guest invalidates them with
 * device-TLB invalidations.  Each engine keeps a two-way set-associative
 * cache of 4 KiB pages: (PASID, privilege, page) -> the RAM behind the
 * page, as a host pointer, so that a descriptor moves data with no IOMMU
 * walk and no bounce buffer.  A transfer is mapped as runs of contiguous
 * host memory in one call, the pages it lacks translated together.
 * Only RAM is cached; anything else (MMIO, a fault) goes through the
 * ordinary DMA path.
 *
 * Every cached entry is voided at once, by bumping atc_gen, when:
 * - the IOMMU delivers a device-TLB invalidation for a PASID the device
 *   caches, or one without PASID, which covers every PASID (an IOMMU
 *   notifier per PASID and one for requests without PASID, registered
 *   from a bottom half before any translation of that PASID is cached);
 * - the system memory map changes, a section added or removed (host
 *   pointers are valid only for the map they were taken from; RCU keeps
 *   the RAM alive while an engine uses it);
 * - the guest writes the device's configuration space (ATS, PASID or
 *   bus master enable may change), or the device resets.
 * Entries carry the atc_gen they were made in; an engine reads atc_gen
 * before each map, and a translation made while it moved is not cached.
 * Writes through cached pointers are accounted with
 * memory_region_dma_written().
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/main-loop.h"
#include "qemu/memalign.h"
#include "qemu/rcu.h"
#include "qemu/timer.h"
#include "system/memory.h"
#include "system/address-spaces.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "hw/pci/pci_pasid.h"
#include "hw/dma/intel-dsa.h"
#include "trace.h"

/*
 * Two-way set-associative: the two streams of a copy (source and
 * destination) never evict each other's pages.
 */
#define DSA_ATC_SET_BITS    10
#define DSA_ATC_SETS        (1u << DSA_ATC_SET_BITS)
#define DSA_ATC_WAYS        2
#define DSA_ATC_PAGE        4096ULL
/* Entry tags: the page's IOVA and these bits */
#define DSA_ATC_PRIV        1ULL        /* a privileged request's */
#define DSA_ATC_WRITABLE    2ULL        /* translated for writes too */
#define DSA_ATC_EMPTY       4ULL        /* never a page's tag */
/* Pages translated at once by an ATS translation request */
#define DSA_ATC_FILL_PAGES  32
/* Sets prefetched ahead of a walk over a transfer's pages */
#define DSA_ATC_PREFETCH    16
/* How long an engine waits for a PASID's notifier to be registered */
#define DSA_ATC_FOLLOW_WAIT_MS  20
/* PASIDs whose invalidations the device follows (more briefly) */
#define DSA_ATC_MAX_PASIDS  64

typedef struct DSAATCEntry {
    uint64_t tag;           /* page | DSA_ATC_PRIV | DSA_ATC_WRITABLE */
    uint32_t pasid;
    unsigned gen;           /* valid while DSAATC.gen is this */
    uint8_t *host;          /* the page in host memory */
    MemoryRegion *mr;       /* the RAM region holding it */
} DSAATCEntry;

QEMU_BUILD_BUG_ON(sizeof(DSAATCEntry) * DSA_ATC_WAYS != 64);

struct DSAATC {
    /* A set is one host cache line (the cache is allocated aligned) */
    DSAATCEntry e[DSA_ATC_SETS][DSA_ATC_WAYS];
    uint8_t mru[DSA_ATC_SETS];  /* the way of a set used last */
    unsigned gen;           /* IntelDSAState.atc_gen the entries belong to */
    /* Bytes written and not yet accounted: [lo, hi) of written_mr */
    MemoryRegion *written_mr;
    hwaddr written_lo, written_hi;
    DSAATCEntry once;       /* a translation used once, not cached */
    /* The host address of a region's start, for dsa_atc_mr_offset() */
    MemoryRegion *base_mr;
    uint8_t *base_host;
};

typedef enum DSAATCPasidState {
    DSA_ATC_WANTED,         /* the bottom half registers it */
    DSA_ATC_ACTIVE,         /* invalidations followed: may cache */
    DSA_ATC_REFUSED,        /* the IOMMU cannot notify: never cache */
} DSAATCPasidState;

typedef struct DSAATCNotifier {
    IOMMUNotifier n;
    IntelDSAState *s;
    uint32_t pasid;
    DSAATCPasidState state;
    unsigned seq;           /* order in which PASIDs were first seen */
} DSAATCNotifier;

static void dsa_atc_void(IntelDSAState *s, const char *why)
{
    qatomic_inc(&s->atc_gen);
    trace_intel_dsa_atc_void(why);
}

static void dsa_atc_invalidate(IOMMUNotifier *n, IOMMUTLBEntry *entry)
{
    DSAATCNotifier *an = container_of(n, DSAATCNotifier, n);

    trace_intel_dsa_atc_invalidate(an->pasid, entry->iova, entry->addr_mask);
    dsa_atc_void(an->s, "device-TLB invalidation");
}

/* A section of the system memory map comes or goes (BQL) */
static void dsa_atc_map_change(MemoryListener *listener,
                               MemoryRegionSection *section)
{
    IntelDSAState *s = container_of(listener, IntelDSAState, atc_listener);

    s->atc_map_changed = true;
}

static void dsa_atc_map_commit(MemoryListener *listener)
{
    IntelDSAState *s = container_of(listener, IntelDSAState, atc_listener);

    if (s->atc_map_changed) {
        s->atc_map_changed = false;
        dsa_atc_void(s, "memory map changed");
    }
}

static unsigned dsa_atc_set(uint32_t pasid, uint64_t page)
{
    /* consecutive pages in consecutive sets */
    return ((page >> 12) ^ (page >> (12 + 2 * DSA_ATC_SET_BITS)) ^ pasid) &
           (DSA_ATC_SETS - 1);
}

/* The entry of @page in @set, whatever its rights */
static DSAATCEntry *dsa_atc_find(DSAATC *c, unsigned set, uint32_t pasid,
                                 bool priv, uint64_t page)
{
    uint64_t tag = page | (priv ? DSA_ATC_PRIV : 0);
    unsigned way;

    for (way = 0; way < DSA_ATC_WAYS; way++) {
        DSAATCEntry *e = &c->e[set][way];

        if ((e->tag & ~DSA_ATC_WRITABLE) == tag && e->pasid == pasid &&
            e->gen == c->gen) {
            return e;
        }
    }
    return NULL;
}

/* The entry of @page for an access, or NULL */
static DSAATCEntry *dsa_atc_lookup(DSAATC *c, uint32_t pasid, bool priv,
                                   uint64_t page, bool is_write)
{
    unsigned set = dsa_atc_set(pasid, page);
    DSAATCEntry *e = dsa_atc_find(c, set, pasid, priv, page);

    if (!e || (is_write && !(e->tag & DSA_ATC_WRITABLE))) {
        return NULL;
    }
    c->mru[set] = e - c->e[set];
    return e;
}

/* Where a translation of @page goes: its entry, a void one, or the LRU */
static DSAATCEntry *dsa_atc_victim(DSAATC *c, uint32_t pasid, bool priv,
                                   uint64_t page)
{
    unsigned set = dsa_atc_set(pasid, page), way;
    DSAATCEntry *e = dsa_atc_find(c, set, pasid, priv, page);

    if (!e) {
        for (way = 0; way < DSA_ATC_WAYS; way++) {
            if (c->e[set][way].gen != c->gen ||
                c->e[set][way].tag == DSA_ATC_EMPTY) {
                break;
            }
        }
        e = &c->e[set][way < DSA_ATC_WAYS ? way
                                          : (c->mru[set] + 1) % DSA_ATC_WAYS];
    }
    c->mru[set] = e - c->e[set];
    return e;
}

/* The entries of another generation are void; clear them on a wrap. */
static void dsa_atc_flush(DSAATC *c, unsigned gen)
{
    unsigned i, way;

    if (gen < c->gen) {
        for (i = 0; i < DSA_ATC_SETS; i++) {
            for (way = 0; way < DSA_ATC_WAYS; way++) {
                c->e[i][way].tag = DSA_ATC_EMPTY;
            }
        }
    }
    c->gen = gen;
    c->base_mr = NULL;      /* the region may be gone */
}

/*
 * Registers the IOMMU notifiers the engines asked for (BQL).  When more
 * PASIDs are followed than DSA_ATC_MAX_PASIDS, those followed longest are
 * dropped first, after voiding every entry, so that nothing is cached for
 * a PASID whose invalidations are no longer followed.
 */
static void dsa_atc_bh(void *opaque)
{
    IntelDSAState *s = opaque;
    g_autoptr(GPtrArray) todo = g_ptr_array_new();
    g_autoptr(GPtrArray) drop = g_ptr_array_new();
    GHashTableIter it;
    DSAATCNotifier *an;
    unsigned i;

    qemu_mutex_lock(&s->atc_lock);
    g_hash_table_iter_init(&it, s->atc_pasids);
    while (g_hash_table_iter_next(&it, NULL, (gpointer *)&an)) {
        if (an->state == DSA_ATC_WANTED) {
            g_ptr_array_add(todo, an);
        } else if (an->pasid != PCI_NO_PASID &&
                   g_hash_table_size(s->atc_pasids) - drop->len >
                   DSA_ATC_MAX_PASIDS && an->seq + DSA_ATC_MAX_PASIDS <=
                   s->atc_seq) {
            g_ptr_array_add(drop, an);
            g_hash_table_iter_remove(&it);
        }
    }
    qemu_mutex_unlock(&s->atc_lock);

    if (drop->len) {
        dsa_atc_void(s, "PASID no longer followed");
    }
    for (i = 0; i < drop->len; i++) {
        an = g_ptr_array_index(drop, i);
        trace_intel_dsa_atc_unfollow(an->pasid);
        if (an->state == DSA_ATC_ACTIVE) {
            pci_iommu_unregister_iotlb_notifier(PCI_DEVICE(s), an->pasid,
                                                &an->n);
        }
        g_free(an);
    }

    for (i = 0; i < todo->len; i++) {
        PCIDevice *pdev = PCI_DEVICE(s);
        int rc;

        an = g_ptr_array_index(todo, i);
        rc = pci_iommu_init_iotlb_notifier(pdev, &an->n, dsa_atc_invalidate,
                                           an);
        if (!rc) {
            rc = pci_iommu_register_iotlb_notifier(pdev, an->pasid, &an->n);
        }
        trace_intel_dsa_atc_follow(an->pasid, rc);
        qemu_mutex_lock(&s->atc_lock);
        an->state = rc ? DSA_ATC_REFUSED : DSA_ATC_ACTIVE;
        qemu_cond_broadcast(&s->atc_cond);
        qemu_mutex_unlock(&s->atc_lock);
    }
}

/* Under atc_lock: is @pasid followed?  Asks for its notifier if not. */
static bool dsa_atc_follows_locked(IntelDSAState *s, uint32_t pasid)
{
    DSAATCNotifier *an;

    an = g_hash_table_lookup(s->atc_pasids, GUINT_TO_POINTER(pasid));
    if (an) {
        return an->state == DSA_ATC_ACTIVE;
    }
    if (g_hash_table_size(s->atc_pasids) < 2 * DSA_ATC_MAX_PASIDS) {
        an = g_new0(DSAATCNotifier, 1);
        an->s = s;
        an->pasid = pasid;
        an->state = DSA_ATC_WANTED;
        an->seq = s->atc_seq++;
        g_hash_table_insert(s->atc_pasids, GUINT_TO_POINTER(pasid), an);
        qemu_bh_schedule(s->atc_bh);
    }
    return false;
}

/*
 * May translations of @pasid be cached?  Only while the device follows
 * the invalidations of @pasid and those without PASID: software may
 * invalidate every PASID's translations at once with a device-TLB
 * invalidation without PASID (Linux does for a full flush), so that
 * notifier is always wanted.
 */
static bool dsa_atc_wanted_locked(IntelDSAState *s, uint32_t pasid)
{
    DSAATCNotifier *an = g_hash_table_lookup(s->atc_pasids,
                                             GUINT_TO_POINTER(pasid));

    return an && an->state == DSA_ATC_WANTED;
}

static bool dsa_atc_pasid_active(IntelDSAState *s, uint32_t pasid)
{
    int64_t deadline = qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
                       DSA_ATC_FOLLOW_WAIT_MS;
    bool active;

    qemu_mutex_lock(&s->atc_lock);
    for (;;) {
        int64_t left;

        active = dsa_atc_follows_locked(s, PCI_NO_PASID);
        if (pasid != PCI_NO_PASID) {
            active = dsa_atc_follows_locked(s, pasid) && active;
        }
        left = deadline - qemu_clock_get_ms(QEMU_CLOCK_REALTIME);
        if (active || left <= 0 ||
            !(dsa_atc_wanted_locked(s, PCI_NO_PASID) ||
              dsa_atc_wanted_locked(s, pasid))) {
            break;
        }
        /*
         * The bottom half registers the notifier soon; wait a little for
         * it, not forever: the main loop may itself wait for this engine.
         */
        qemu_cond_timedwait(&s->atc_cond, &s->atc_lock, left);
    }
    qemu_mutex_unlock(&s->atc_lock);
    return active;
}

/*
 * Called within RCU: the IOMMU's answer @iotlb for @page, as an entry
 * (true), or false when the page is not RAM the device-TLB may cache.
 */
static bool dsa_atc_entry(IntelDSAState *s, DSAATC *c, IOMMUTLBEntry *iotlb,
                          uint32_t pasid, bool priv, uint64_t page,
                          bool is_write, DSAATCEntry *e, bool cached)
{
    MemTxAttrs attrs = pci_pasid_attrs(PCI_DEVICE(s), pasid, priv, false);
    MemoryRegion *mr;
    hwaddr gpa, xlat, plen = DSA_ATC_PAGE;

    if (iotlb->target_as != &address_space_memory) {
        return false;           /* only its map changes are followed */
    }
    gpa = iotlb->translated_addr | (page & iotlb->addr_mask);
    mr = address_space_translate(iotlb->target_as, gpa, &xlat, &plen,
                                 is_write, attrs);
    if (plen < DSA_ATC_PAGE || !memory_access_is_direct(mr, is_write, attrs) ||
        !memory_region_is_ram(mr)) {
        return false;           /* not RAM: the ordinary path */
    }
    *e = (DSAATCEntry) {
        .tag = page | (priv ? DSA_ATC_PRIV : 0) |
               (is_write ? DSA_ATC_WRITABLE : 0),
        .pasid = pasid,
        .gen = c->gen,
        .host = (uint8_t *)memory_region_get_ram_ptr(mr) + xlat,
        .mr = mr,
    };
    trace_intel_dsa_atc_fill(pasid, priv, page, gpa, is_write, cached);
    return true;
}

/*
 * Called within RCU: translate the page of @addr and the following ones,
 * @pages in all (up to DSA_ATC_FILL_PAGES), with one ATS translation
 * request, and cache them; *@out is the entry of the first page.  The
 * result is the first page's: a failure of a following one only leaves
 * it uncached (the engine asks again when it gets there).
 */
static DSAMapResult dsa_atc_fill(IntelDSAState *s, DSAATC *c,
                                 uint32_t pasid, bool priv, uint64_t addr,
                                 uint64_t pages, bool is_write,
                                 DSAATCEntry **out)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    uint64_t page = addr & ~(DSA_ATC_PAGE - 1);
    QEMU_UNINITIALIZED IOMMUTLBEntry iotlb[DSA_ATC_FILL_PAGES];
    uint32_t err = 0;
    uint64_t p;
    ssize_t n, i;

    if (!pcie_ats_enabled(pdev) ||
        !(pdev->config[PCI_COMMAND] & PCI_COMMAND_MASTER) ||
        !pci_pasid_request_allowed(pdev, pasid, priv, false)) {
        return DSA_MAP_MISS;
    }
    /*
     * Only while the IOMMU notifiers are registered: they also make the
     * IOMMU's address space for the PASID, which an engine thread must
     * not (it would take the BQL).
     */
    if (!dsa_atc_pasid_active(s, pasid)) {
        return DSA_MAP_MISS;
    }
    pages = MIN(pages, DSA_ATC_FILL_PAGES);
    /* An ATS translation request: a read-only one unless for writes */
    n = pci_ats_request_translation(pdev, pasid, priv, false, page,
                                    pages * DSA_ATC_PAGE, !is_write, iotlb,
                                    pages, &err);
    if (n < 1) {
        return DSA_MAP_MISS;    /* no answer: the ordinary path */
    }
    if (!(iotlb[0].perm & (is_write ? IOMMU_WO : IOMMU_RO))) {
        /*
         * Not translated: the engine completes with the fault, or asks
         * for the page (PRI).  As for hardware, the IOMMU records no
         * fault for a page that is merely not present.
         */
        trace_intel_dsa_atc_fault(pasid, priv, addr, is_write);
        return DSA_MAP_FAULT;
    }
    if (qatomic_read(&s->atc_gen) != c->gen) {
        /* voided meanwhile: the first page only, used once */
        if (!dsa_atc_entry(s, c, &iotlb[0], pasid, priv, page, is_write,
                           &c->once, false)) {
            return DSA_MAP_MISS;
        }
        *out = &c->once;
        return DSA_MAP_OK;
    }
    *out = NULL;
    for (i = 0, p = page; i < n && p < page + pages * DSA_ATC_PAGE; i++) {
        /* an answer may cover more than a page (a large page) */
        uint64_t end = (p & ~iotlb[i].addr_mask) + iotlb[i].addr_mask + 1;

        for (; p < end && p < page + pages * DSA_ATC_PAGE;
             p += DSA_ATC_PAGE) {
            DSAATCEntry ent, *e;

            /* a page refused or not RAM is left uncached */
            if (!(iotlb[i].perm & (is_write ? IOMMU_WO : IOMMU_RO)) ||
                !dsa_atc_entry(s, c, &iotlb[i], pasid, priv, p, is_write,
                               &ent, true)) {
                if (p == page) {
                    return DSA_MAP_MISS;
                }
                continue;
            }
            e = dsa_atc_victim(c, pasid, priv, p);
            *e = ent;
            if (p == page) {
                *out = e;
            }
        }
    }
    return *out ? DSA_MAP_OK : DSA_MAP_MISS;
}

/*
 * Bring into the host's cache the set of the page @ahead pages after
 * @page: the data an engine moves between two accesses evicts the cache
 * from the host's caches, and a walk over a transfer's pages would wait
 * for memory at each page.
 */
static void dsa_atc_prefetch(DSAATC *c, uint32_t pasid, uint64_t page,
                             unsigned ahead)
{
    __builtin_prefetch(c->e[dsa_atc_set(pasid, page + ahead * DSA_ATC_PAGE)]);
}

/* The offset of an entry's page in its region */
static hwaddr dsa_atc_mr_offset(DSAATC *c, DSAATCEntry *e)
{
    if (e->mr != c->base_mr) {
        c->base_mr = e->mr;
        c->base_host = memory_region_get_ram_ptr(e->mr);
    }
    return e->host - c->base_host;
}

DSAMapResult dsa_atc_map(IntelDSAState *s, IntelDSAEngine *eng,
                         uint32_t pasid, bool priv, uint64_t addr,
                         uint64_t len, bool is_write, DSAHostMap *m,
                         unsigned *n)
{
    DSAATC *c = eng->atc;
    uint64_t page = addr & ~(DSA_ATC_PAGE - 1);
    uint64_t pages = (len + (addr - page) + DSA_ATC_PAGE - 1) / DSA_ATC_PAGE;
    uint64_t done, i;
    DSAATCEntry *e;
    unsigned gen, k = 0;

    if (!c || !*n || !len) {
        return DSA_MAP_MISS;
    }
    rcu_read_lock();
    gen = qatomic_load_acquire(&s->atc_gen);
    if (c->gen != gen) {
        dsa_atc_flush(c, gen);
    }
    for (i = 1; i < MIN(pages, DSA_ATC_PREFETCH); i++) {
        dsa_atc_prefetch(c, pasid, page, i);
    }
    e = dsa_atc_lookup(c, pasid, priv, page, is_write);
    if (!e) {
        DSAMapResult r = dsa_atc_fill(s, c, pasid, priv, addr, pages,
                                      is_write, &e);

        if (r != DSA_MAP_OK) {
            rcu_read_unlock();
            return r;
        }
    }
    m[0] = (DSAHostMap) {
        .host = e->host + (addr - page),
        .len = MIN(len, DSA_ATC_PAGE - (addr - page)),
        .mr = e->mr,
        .mr_offset = dsa_atc_mr_offset(c, e) + (addr - page),
    };
    /*
     * The following pages, as far as they are cached: runs of contiguous
     * RAM of one region, in as many runs as the caller takes.  Not after
     * a translation used once: the entries were voided meanwhile.
     */
    for (done = m[0].len, i = 1; done < len && e != &c->once; i++) {
        uint64_t step = MIN(len - done, DSA_ATC_PAGE);
        DSAHostMap *r = &m[k];

        if (i + DSA_ATC_PREFETCH - 1 < pages) {
            dsa_atc_prefetch(c, pasid, page, i + DSA_ATC_PREFETCH - 1);
        }
        e = dsa_atc_lookup(c, pasid, priv, page + i * DSA_ATC_PAGE, is_write);
        if (!e) {
            break;
        }
        if (e->mr == r->mr && e->host == r->host + r->len) {
            r->len += step;
        } else if (k + 1 < *n) {
            m[++k] = (DSAHostMap) {
                .host = e->host,
                .len = step,
                .mr = e->mr,
                .mr_offset = dsa_atc_mr_offset(c, e),
            };
        } else {
            break;
        }
        done += step;
    }
    *n = k + 1;
    return DSA_MAP_OK;
}

/*
 * Account the written bytes (dirty bitmaps, translated code) that were
 * gathered since the last call: before anything lets the guest see them
 * done (the engine calls DSAEngineIO.account before it writes the
 * completion record's status byte), before the engine blocks, and when it
 * finishes the descriptor.
 */
void dsa_atc_account(IntelDSAEngine *eng)
{
    DSAATC *c = eng->atc;

    if (c && c->written_mr) {
        memory_region_dma_written(c->written_mr, c->written_lo,
                                  c->written_hi - c->written_lo);
        c->written_mr = NULL;
    }
}

void dsa_atc_unmap(IntelDSAEngine *eng, DSAHostMap *m, unsigned n,
                   uint64_t used, bool is_write)
{
    DSAATC *c = eng->atc;
    unsigned i;

    for (i = 0; is_write && i < n && used; i++) {
        uint64_t u = MIN(used, m[i].len);
        hwaddr lo = m[i].mr_offset, hi = m[i].mr_offset + u;

        /*
         * Gathered while the runs are adjacent in the region, in either
         * direction (guests often hand out pages in descending order).
         */
        if (c->written_mr == m[i].mr && lo <= c->written_hi &&
            hi >= c->written_lo) {
            c->written_lo = MIN(c->written_lo, lo);
            c->written_hi = MAX(c->written_hi, hi);
        } else {
            dsa_atc_account(eng);
            c->written_mr = m[i].mr;
            c->written_lo = lo;
            c->written_hi = hi;
        }
        used -= u;
    }
    rcu_read_unlock();
}

/* A configuration write may change ATS, PASID or bus master enable. */
void dsa_atc_config_written(IntelDSAState *s)
{
    if (s->atc_enabled) {
        dsa_atc_void(s, "configuration write");
    }
}

static gboolean dsa_atc_drop(gpointer key, gpointer value, gpointer opaque)
{
    DSAATCNotifier *an = value;

    if (an->state == DSA_ATC_ACTIVE) {
        pci_iommu_unregister_iotlb_notifier(PCI_DEVICE(an->s), an->pasid,
                                            &an->n);
    }
    g_free(an);
    return TRUE;
}

/* Reset (BQL): forget every translation and notifier. */
void dsa_atc_reset(IntelDSAState *s)
{
    if (!s->atc_enabled) {
        return;
    }
    qemu_mutex_lock(&s->atc_lock);
    g_hash_table_foreach_remove(s->atc_pasids, dsa_atc_drop, NULL);
    qemu_mutex_unlock(&s->atc_lock);
    dsa_atc_void(s, "reset");
}

void dsa_atc_init(IntelDSAState *s)
{
    unsigned i;

    if (!s->atc_enabled) {
        return;
    }
    qemu_mutex_init(&s->atc_lock);
    qemu_cond_init(&s->atc_cond);
    s->atc_pasids = g_hash_table_new(NULL, NULL);
    s->atc_bh = qemu_bh_new_guarded(dsa_atc_bh, s,
                                    &DEVICE(s)->mem_reentrancy_guard);
    for (i = 0; i < s->num_engines; i++) {
        DSAATC *c = qemu_memalign(64, sizeof(DSAATC));
        unsigned set, way;

        memset(c, 0, sizeof(*c));
        for (set = 0; set < DSA_ATC_SETS; set++) {
            for (way = 0; way < DSA_ATC_WAYS; way++) {
                c->e[set][way].tag = DSA_ATC_EMPTY;
            }
        }
        c->gen = qatomic_read(&s->atc_gen);
        s->engines[i].atc = c;
    }
    s->atc_listener = (MemoryListener) {
        .name = "intel-dsa-atc",
        .region_add = dsa_atc_map_change,
        .region_del = dsa_atc_map_change,
        .commit = dsa_atc_map_commit,
    };
    memory_listener_register(&s->atc_listener, &address_space_memory);
}

void dsa_atc_exit(IntelDSAState *s)
{
    unsigned i;

    if (!s->atc_enabled) {
        return;
    }
    memory_listener_unregister(&s->atc_listener);
    dsa_atc_reset(s);
    qemu_bh_delete(s->atc_bh);
    g_hash_table_destroy(s->atc_pasids);
    qemu_mutex_destroy(&s->atc_lock);
    qemu_cond_destroy(&s->atc_cond);
    for (i = 0; i < s->num_engines; i++) {
        qemu_vfree(s->engines[i].atc);
        s->engines[i].atc = NULL;
    }
}
