/*
 * x86 MOVDIR64B, ENQCMD and ENQCMDS helpers
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * MOVDIR64B writes 64 bytes as one block write
 * (address_space_write_block()); ENQCMD and ENQCMDS send them as a
 * deferrable memory write carrying a PASID
 * (address_space_write_deferrable()) and report in ZF whether the target
 * accepted it (0) or asks for a retry (1).  See
 * docs/devel/qemu-sva-block-writes.rst.
 */

#include "qemu/osdep.h"
#include "cpu.h"
#include "exec/helper-proto.h"
#include "accel/tcg/cpu-ldst.h"
#include "accel/tcg/cpu-mmu-index.h"
#include "accel/tcg/probe.h"
#include "exec/target_page.h"
#include "exec/translation-block.h"
#include "system/memory.h"
#include "helper-tcg.h"
#include "../trace.h"

#define BLOCK_SIZE 64

/* Read the 64-byte source operand; faults (#PF, #GP) come from here. */
static void load_block(CPUX86State *env, target_ulong src, uint8_t *buf,
                       uintptr_t ra)
{
    int i;

    for (i = 0; i < BLOCK_SIZE; i += 8) {
        stq_le_p(buf + i, cpu_ldq_data_ra(env, src + i, ra));
    }
}

/*
 * Write the 64-byte block at the (64-byte aligned) linear address @dst.
 * The page walk raises #PF for the destination before anything is written.
 */
static MemTxResult store_block(CPUX86State *env, target_ulong dst,
                               const uint8_t *buf, bool deferrable,
                               MemTxAttrs pasid_attrs, uintptr_t ra)
{
#ifdef CONFIG_USER_ONLY
    int i;

    if (deferrable) {
        /* no device can accept a deferrable write here */
        return MEMTX_RETRY;
    }
    for (i = 0; i < BLOCK_SIZE; i += 8) {
        cpu_stq_data_ra(env, dst + i, ldq_le_p(buf + i), ra);
    }
    return MEMTX_OK;
#else
    CPUState *cs = env_cpu(env);
    CPUTLBEntryFull *full;
    MemTxAttrs attrs;
    AddressSpace *as;
    hwaddr paddr;
    void *host;

    probe_access_full(env, dst, BLOCK_SIZE, MMU_DATA_STORE,
                      cpu_mmu_index(cs, false), false, &host, &full, ra);
    paddr = (full->phys_addr & TARGET_PAGE_MASK) | (dst & ~TARGET_PAGE_MASK);
    attrs = full->attrs;
    as = cpu_get_address_space(cs, cpu_asidx_from_attrs(cs, attrs));

    if (deferrable) {
        attrs.pasid = pasid_attrs.pasid;
        attrs.pid = pasid_attrs.pid;
        attrs.priv = pasid_attrs.priv;
        return address_space_write_deferrable(as, paddr, attrs, buf,
                                              BLOCK_SIZE);
    }
    if (host) {
        /*
         * RAM: the store has 64-byte write atomicity, which no host store
         * gives; while other vCPUs run in parallel (MTTCG), redo the
         * instruction with them stopped (cpu_exec_step_atomic()), as TCG
         * does for the atomics the host lacks.  The load and the probe
         * above are redone too: they have no side effect.
         */
        if (tcg_cflags_has(cs, CF_PARALLEL) && !cpu_in_exclusive_context(cs)) {
            trace_x86_movdir64b_exclusive(dst);
            cpu_loop_exit_atomic(cs, ra);
        }
        memcpy(host, buf, BLOCK_SIZE);
        return MEMTX_OK;
    }
    return address_space_write_block(as, paddr, attrs, buf, BLOCK_SIZE);
#endif
}

void helper_movdir64b(CPUX86State *env, target_ulong dst, target_ulong src)
{
    uintptr_t ra = GETPC();
    uint8_t buf[BLOCK_SIZE];

    if (dst & (BLOCK_SIZE - 1)) {
        trace_x86_movdir64b_misaligned(dst);
        raise_exception_err_ra(env, EXCP0D_GPF, 0, ra);
    }
    load_block(env, src, buf, ra);
    store_block(env, dst, buf, false, MEMTXATTRS_UNSPECIFIED, ra);
}

/*
 * ENQCMD (@supervisor = 0) and ENQCMDS (@supervisor = 1).  ENQCMDS takes
 * the PASID (bits 19:0) and the privilege (bit 31) from the payload's first
 * dword; ENQCMD puts IA32_PASID[19:0] there and clears bit 31, and faults
 * with #GP(0) before any access when IA32_PASID is not valid.
 */
void helper_enqcmd(CPUX86State *env, target_ulong dst, target_ulong src,
                   uint32_t supervisor)
{
    uintptr_t ra = GETPC();
    uint8_t buf[BLOCK_SIZE];
    MemTxAttrs attrs = { .pasid = 1 };
    MemTxResult res;
    uint32_t dw0;

    if (!supervisor && !(env->pasid_msr & MSR_IA32_PASID_VALID)) {
        trace_x86_enqcmd_pasid_invalid(env->pasid_msr);
        raise_exception_err_ra(env, EXCP0D_GPF, 0, ra);
    }
    if (dst & (BLOCK_SIZE - 1)) {
        trace_x86_movdir64b_misaligned(dst);
        raise_exception_err_ra(env, EXCP0D_GPF, 0, ra);
    }
    load_block(env, src, buf, ra);

    dw0 = ldl_le_p(buf);
    if (!supervisor) {
        dw0 &= ~(0x80000000u | MSR_IA32_PASID_PASID);
        dw0 |= env->pasid_msr & MSR_IA32_PASID_PASID;
        stl_le_p(buf, dw0);
    }
    attrs.pid = dw0 & MSR_IA32_PASID_PASID;
    attrs.priv = dw0 >> 31;

    res = store_block(env, dst, buf, true, attrs, ra);
    trace_x86_enqcmd(dst, supervisor, attrs.pid, attrs.priv, res);

    /* ZF = 0: accepted, ZF = 1: retry; the other arithmetic flags clear */
    CC_SRC = res == MEMTX_OK ? 0 : CC_Z;
}
