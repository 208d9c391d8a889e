/*
 * Block writes and deferrable memory writes (MOVDIR64B, ENQCMD, ENQCMDS)
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A block write is one write of up to 64 bytes, aligned to its size, that
 * reaches the target as a single transaction (MOVDIR64B).  A deferrable
 * memory write (PCIe DMWr, from ENQCMD and ENQCMDS) is a block write that
 * the target may refuse: the requester learns whether it was accepted or
 * must be retried.  Regions opt in with MemoryRegionOps.write_block; see
 * docs/devel/qemu-sva-block-writes.rst for what the others do.
 */

#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qemu/rcu.h"
#include "system/memory.h"
#include "hw/qdev-core.h"
#include "trace.h"

#define BLOCK_WRITE_MAX 64

static MemTxResult write_block_common(AddressSpace *as, hwaddr addr,
                                      MemTxAttrs attrs, const void *buf,
                                      unsigned len, bool deferrable)
{
    MemoryRegion *mr;
    hwaddr xlat, l = len;
    MemTxResult res;
    bool release_lock, guarded = false;

    if (len == 0 || len > BLOCK_WRITE_MAX || (len & (len - 1)) ||
        (addr & (len - 1))) {
        trace_memory_block_write_invalid(addr, len);
        return MEMTX_ERROR;
    }

    RCU_READ_LOCK_GUARD();
    mr = address_space_translate(as, addr, &xlat, &l, true, attrs);

    if (memory_access_is_direct(mr, true, attrs) ||
        !mr->ops->write_block || l < len) {
        /*
         * RAM, ROM devices in ROMD mode, and MMIO regions that do not
         * implement block writes (or a block that straddles two regions):
         * a direct store is written as ordinary writes, a deferrable
         * write is not accepted and nothing is written.
         */
        if (deferrable) {
            trace_memory_block_write_unsupported(addr, len,
                                                 memory_region_name(mr));
            return MEMTX_RETRY;
        }
        return address_space_write(as, addr, attrs, buf, len);
    }

    release_lock = prepare_mmio_access(mr);
    if (mr->dev && !mr->disable_reentrancy_guard) {
        if (mr->dev->mem_reentrancy_guard.engaged_in_io) {
            trace_memory_block_write_reentrant(addr, len,
                                               memory_region_name(mr));
            res = MEMTX_ACCESS_ERROR;
            goto out;
        }
        mr->dev->mem_reentrancy_guard.engaged_in_io = true;
        guarded = true;
    }
    res = mr->ops->write_block(mr->opaque, xlat, buf, len, deferrable, attrs);
    if (guarded) {
        mr->dev->mem_reentrancy_guard.engaged_in_io = false;
    }
    trace_memory_block_write(addr, len, deferrable, attrs.pasid, attrs.pid,
                             attrs.priv, res);
out:
    if (release_lock) {
        bql_unlock();
    }
    return res;
}

MemTxResult address_space_write_block(AddressSpace *as, hwaddr addr,
                                      MemTxAttrs attrs,
                                      const void *buf, unsigned len)
{
    return write_block_common(as, addr, attrs, buf, len, false);
}

MemTxResult address_space_write_deferrable(AddressSpace *as, hwaddr addr,
                                           MemTxAttrs attrs,
                                           const void *buf, unsigned len)
{
    return write_block_common(as, addr, attrs, buf, len, true);
}
