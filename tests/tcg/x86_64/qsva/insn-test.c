/*
 * qemu-sva x86_64 instruction tests: MOVDIRI, MOVDIR64B, ENQCMD, ENQCMDS,
 * IA32_PASID, IA32_XSS, XSAVEC, XSAVES and XRSTORS, against dmwr-testdev
 * (-device dmwr-testdev, at 0xfef00000).  Prints TAP on the debug console.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qsva.h"

#define DEV             0xfef00000UL
#define PORTAL          (DEV + 0x000)
#define CTRL            (DEV + 0x040)
#define CTRL_RETRY      1
#define CTRL_RESET      2
#define ACCEPTED        (DEV + 0x048)
#define RETRIED         (DEV + 0x050)
#define PLAIN           (DEV + 0x058)
#define LAST            (DEV + 0x060)
#define LAST_PASID      (1UL << 20)
#define LAST_PRIV       (1UL << 21)
#define LAST_DEFERRABLE (1UL << 24)
#define LAST_SIZE64     (64UL << 32)
#define LEGACY          (DEV + 0x800)
#define LEGACY_WRITES   (DEV + 0x840)

#define MSR_IA32_PASID  0xd93
#define MSR_IA32_XSS    0xda0
#define PASID_VALID     (1UL << 31)

#define CC_C 0x0001
#define CC_P 0x0004
#define CC_A 0x0010
#define CC_Z 0x0040
#define CC_S 0x0080
#define CC_O 0x0800
#define CC_ARITH (CC_C | CC_P | CC_A | CC_Z | CC_S | CC_O)

static uint8_t src[128] __attribute__((aligned(64)));
static uint8_t dst[128] __attribute__((aligned(64)));
static uint8_t user_stack[8192] __attribute__((aligned(16)));

static void fill(uint8_t *p, uint8_t seed)
{
    int i;

    for (i = 0; i < 64; i++) {
        p[i] = seed + i * 7;
    }
}

static void dev_reset(void)
{
    mmio_wr(CTRL, CTRL_RESET);
}

static bool dev_block_is(const uint8_t *want)
{
    int i;

    for (i = 0; i < 64; i += 8) {
        if (mmio_rd(PORTAL + i) != *(const uint64_t *)(want + i)) {
            return false;
        }
    }
    return true;
}

static void movdir64b(uint64_t d, const void *s)
{
    INSN("movdir64b (%0), %1", : : "r"(s), "r"(d) : "memory");
}

/*
 * ENQCMD/ENQCMDS: returns RFLAGS after the instruction (with all the
 * arithmetic flags set before it), or 0xdead when it faulted.
 */
static uint64_t enqcmd(uint64_t d, const void *s)
{
    uint64_t fl = 0xdead;

    INSN("push %[in]\n\tpopf\n\tenqcmd (%[s]), %[d]\n\tpushf\n\tpop %[fl]",
         : [fl] "+r"(fl) : [s] "r"(s), [d] "r"(d), [in] "r"(0x2UL | CC_ARITH)
         : "memory", "cc");
    return fl;
}

static uint64_t enqcmds(uint64_t d, const void *s)
{
    uint64_t fl = 0xdead;

    INSN("push %[in]\n\tpopf\n\tenqcmds (%[s]), %[d]\n\tpushf\n\tpop %[fl]",
         : [fl] "+r"(fl) : [s] "r"(s), [d] "r"(d), [in] "r"(0x2UL | CC_ARITH)
         : "memory", "cc");
    return fl;
}

static void test_cpuid(void)
{
    uint32_t a, b, c, d;

    cpuid(7, 0, &a, &b, &c, &d);
    ok(c & (1u << 27), "CPUID.7.0:ECX.MOVDIRI[27]");
    ok(c & (1u << 28), "CPUID.7.0:ECX.MOVDIR64B[28]");
    ok(c & (1u << 29), "CPUID.7.0:ECX.ENQCMD[29]");
    cpuid(0xd, 1, &a, &b, &c, &d);
    ok(a & (1u << 1), "CPUID.D.1:EAX.XSAVEC[1]");
    ok(a & (1u << 3), "CPUID.D.1:EAX.XSAVES[3]");
    ok_hex(c, 1u << 10, "CPUID.D.1:ECX: IA32_XSS supports PASID (10) only");
    cpuid(0xd, 10, &a, &b, &c, &d);
    ok(a == 8 && b == 0 && c == 1, "CPUID.D.A: 8 bytes, supervisor state");
}

/* ---- MOVDIRI ---- */

static void test_movdiri(void)
{
    uint64_t v64 = 0x0123456789abcdefUL;
    uint32_t v32 = 0xfeedf00d;

    memset(dst, 0, 16);
    INSN("movdiri %1, (%0)", : : "r"(dst), "r"(v64) : "memory");
    ok_hex(*(uint64_t *)dst, v64, "MOVDIRI m64 stores to RAM");
    INSN("movdiri %1, (%0)", : : "r"(dst + 8), "r"(v32) : "memory");
    ok_hex(*(uint64_t *)(dst + 8), v32, "MOVDIRI m32 stores 4 bytes");

    dev_reset();
    INSN("movdiri %1, (%0)", : : "r"(LEGACY + 8), "r"(v64) : "memory");
    ok_hex(mmio_rd(LEGACY + 8), v64, "MOVDIRI m64 to MMIO");
    ok_hex(mmio_rd(LEGACY_WRITES), 1, "MOVDIRI is one MMIO write");

    /* 0f 38 f9 c0: register destination */
    INSN(".byte 0x0f, 0x38, 0xf9, 0xc0", : : : "memory");
    ok_fault(UD, 0, "MOVDIRI with a register operand: #UD");
    /* 66 0f 38 f9 /r is not MOVDIRI */
    INSN(".byte 0x66, 0x0f, 0x38, 0xf9, 0x07", : : "D"(dst) : "memory");
    ok_fault(UD, 0, "66 0F 38 F9: #UD");
}

/* ---- MOVDIR64B ---- */

static void test_movdir64b(void)
{
    uint8_t ref[64];
    uint64_t rax, rsi;

    fill(src + 1, 0x10);
    memset(dst, 0, 128);
    movdir64b((uint64_t)dst + 64, src + 1);
    ok(fault_vector == -1 && !memcmp(dst + 64, src + 1, 64) &&
       dst[63] == 0, "MOVDIR64B to RAM, unaligned source");

    dev_reset();
    fill(src, 0x20);
    movdir64b(PORTAL, src);
    ok(dev_block_is(src), "MOVDIR64B: the portal received the 64 bytes");
    ok_hex(mmio_rd(ACCEPTED), 1, "MOVDIR64B: one block write");
    ok_hex(mmio_rd(PLAIN), 0, "MOVDIR64B: no ordinary writes");
    ok_hex(mmio_rd(LAST), LAST_SIZE64, "MOVDIR64B: no PASID, not deferrable");

    /* a MOVDIR64B is not deferrable: the device cannot refuse it */
    mmio_wr(CTRL, CTRL_RETRY);
    fill(src, 0x30);
    movdir64b(PORTAL, src);
    ok(dev_block_is(src) && mmio_rd(ACCEPTED) == 2 && mmio_rd(RETRIED) == 0,
       "MOVDIR64B is accepted while the device refuses DMWr");

    /* MMIO without write_block: eight 8-byte writes */
    dev_reset();
    fill(src, 0x40);
    movdir64b(LEGACY, src);
    ok(mmio_rd(LEGACY_WRITES) == 8 && mmio_rd(LEGACY + 56) ==
       *(uint64_t *)(src + 56), "MOVDIR64B to plain MMIO: ordinary writes");

    /* misaligned destination: #GP(0), nothing written */
    dev_reset();
    memset(dst, 0, 128);
    movdir64b((uint64_t)dst + 32, src);
    ok_fault(GP, 0, "MOVDIR64B misaligned destination: #GP(0)");
    memset(ref, 0, 64);
    ok(!memcmp(dst + 32, ref, 64), "... and nothing written");
    movdir64b(PORTAL + 8, src);
    ok_fault(GP, 0, "MOVDIR64B to the portal + 8: #GP(0)");
    ok_hex(mmio_rd(ACCEPTED) + mmio_rd(PLAIN), 0, "... the device saw nothing");

    /* non-canonical destination */
    movdir64b(0x8000000000000000UL, src);
    ok_fault(GP, 0, "MOVDIR64B non-canonical destination: #GP(0)");

    /* source page not present: #PF, read */
    page_set(1, 0);
    memset(dst, 0, 128);
    movdir64b((uint64_t)dst, (void *)(PAGE4K(1) + 8));
    ok_fault(PF, 0, "MOVDIR64B source not present: #PF(read)");
    ok_hex(fault_cr2, PAGE4K(1) + 8, "... CR2 = source");
    ok(!memcmp(dst, ref, 64), "... nothing written");
    page_set(1, PTE_P | PTE_W | PTE_U);

    /* source straddles into a missing page */
    page_set(2, 0);
    movdir64b((uint64_t)dst, (void *)(PAGE4K(2) - 32));
    ok_fault(PF, 0, "MOVDIR64B source crossing into a missing page: #PF");
    ok_hex(fault_cr2, PAGE4K(2), "... CR2 = the missing page");
    page_set(2, PTE_P | PTE_W | PTE_U);

    /* destination not present / read only: #PF, write */
    page_set(3, 0);
    movdir64b(PAGE4K(3) + 64, src);
    ok_fault(PF, 2, "MOVDIR64B destination not present: #PF(write)");
    ok_hex(fault_cr2, PAGE4K(3) + 64, "... CR2 = destination");
    page_set(3, PTE_P | PTE_U);
    movdir64b(PAGE4K(3) + 64, src);
    ok_fault(PF, 3, "MOVDIR64B destination read-only: #PF(write, present)");
    page_set(3, PTE_P | PTE_W | PTE_U);
    memset((void *)PAGE4K(3), 0, 4096);

    /* 32-bit address size: the upper halves of RSI and RAX are ignored */
    fill(src, 0x50);
    rsi = (uint64_t)src | 0xabcd000000000000UL;
    rax = (PAGE4K(3) + 128) | 0x1234567800000000UL;
    INSN("movdir64b (%%esi), %%eax", : : "S"(rsi), "a"(rax)
         : "memory");
    ok(fault_vector == -1 && !memcmp((void *)(PAGE4K(3) + 128), src, 64),
       "MOVDIR64B with 32-bit addresses (67 prefix)");

    /* 64-bit register destination: REX.R selects r8-r15 */
    fill(src, 0x60);
    {
        register uint64_t r9 asm("r9") = PAGE4K(3) + 256;

        INSN("movdir64b (%%rsi), %%r9", : : "S"(src), "r"(r9) : "memory");
    }
    ok(!memcmp((void *)(PAGE4K(3) + 256), src, 64),
       "MOVDIR64B with a REX.R destination register");
}

/* ---- IA32_PASID, ENQCMD, ENQCMDS ---- */

static void user_enqcmd(void)
{
    uint64_t fl;

    asm volatile("enqcmd (%1), %2\n\tpushf\n\tpop %0"
                 : "=r"(fl) : "r"(src), "r"(PORTAL) : "memory", "cc");
    asm volatile("mov %0, %%rbx\n\tint $0x80" : : "r"(fl) : "rbx");
}

static void user_enqcmds(void)
{
    asm volatile("enqcmds (%0), %1\n\tint $0x80"
                 : : "r"(src), "r"(PORTAL) : "memory");
}

static void user_xsaves(void)
{
    asm volatile("xsaves64 (%0)\n\tint $0x80"
                 : : "r"(dst), "a"(-1), "d"(-1) : "memory");
}

static void user_xrstors(void)
{
    asm volatile("xrstors64 (%0)\n\tint $0x80"
                 : : "r"(dst), "a"(-1), "d"(-1) : "memory");
}

static void user_rdmsr(void)
{
    asm volatile("rdmsr\n\tint $0x80" : : "c"(MSR_IA32_PASID) : "rax", "rdx");
}

static void test_pasid_msr(void)
{
    ok_hex(rdmsr(MSR_IA32_PASID), 0, "IA32_PASID is 0 after reset");
    wrmsr(MSR_IA32_PASID, PASID_VALID | 0xfffff);
    ok_hex(rdmsr(MSR_IA32_PASID), PASID_VALID | 0xfffff,
           "IA32_PASID holds valid + a 20-bit PASID");
    ok_hex(wrmsr_fault(MSR_IA32_PASID, 1UL << 20), GP,
           "IA32_PASID bit 20 is reserved: #GP");
    ok_hex(wrmsr_fault(MSR_IA32_PASID, 1UL << 32), GP,
           "IA32_PASID bit 32 is reserved: #GP");
    ok_hex(rdmsr(MSR_IA32_PASID), PASID_VALID | 0xfffff,
           "... and the MSR keeps its value");
    ok_hex(run_user(user_rdmsr, user_stack + sizeof(user_stack)), GP,
           "RDMSR IA32_PASID at CPL 3: #GP");
    wrmsr(MSR_IA32_PASID, 0);
}

static void test_enqcmd(void)
{
    uint64_t fl, want_dw0;
    int v;

    /* IA32_PASID not valid: #GP(0) before anything is accessed */
    wrmsr(MSR_IA32_PASID, 0x12345);
    dev_reset();
    fill(src, 0x70);
    page_set(4, 0);
    fl = enqcmd(PORTAL, (void *)PAGE4K(4));
    ok_fault(GP, 0, "ENQCMD with IA32_PASID invalid: #GP(0) (not #PF)");
    page_set(4, PTE_P | PTE_W | PTE_U);
    fl = enqcmd(PORTAL, src);
    ok_fault(GP, 0, "ENQCMD with IA32_PASID invalid: #GP(0)");
    ok_hex(mmio_rd(ACCEPTED) + mmio_rd(RETRIED) + mmio_rd(PLAIN), 0,
           "... the device saw nothing");

    /* accepted: ZF = 0, PASID from the MSR, bit 31 cleared */
    wrmsr(MSR_IA32_PASID, PASID_VALID | 0x12345);
    *(uint32_t *)src = 0xfff0abcd;
    fl = enqcmd(PORTAL, src);
    ok_hex(fl & CC_ARITH, 0, "ENQCMD accepted: ZF=0, other flags clear");
    want_dw0 = (0xfff0abcd & 0x7ff00000) | 0x12345;
    ok_hex(mmio_rd(PORTAL) & 0xffffffff, want_dw0,
           "ENQCMD: payload bits 19:0 = IA32_PASID, bit 31 clear");
    ok_hex(mmio_rd(PORTAL + 8), *(uint64_t *)(src + 8),
           "ENQCMD: rest of the payload unchanged");
    ok_hex(*(uint32_t *)src, 0xfff0abcd, "ENQCMD: source not modified");
    ok_hex(mmio_rd(LAST), LAST_SIZE64 | LAST_DEFERRABLE | LAST_PASID | 0x12345,
           "ENQCMD: deferrable write with PASID 0x12345, not privileged");

    /* retry: ZF = 1, the device keeps its data */
    mmio_wr(CTRL, CTRL_RETRY);
    fill(src, 0x80);
    fl = enqcmd(PORTAL, src);
    ok_hex(fl & CC_ARITH, CC_Z, "ENQCMD refused: ZF=1, other flags clear");
    ok_hex(mmio_rd(RETRIED), 1, "... the device answered retry once");
    ok_hex(mmio_rd(PORTAL) & 0xffffffff, want_dw0, "... and kept its data");
    mmio_wr(CTRL, 0);
    fl = enqcmd(PORTAL, src);
    ok_hex(fl & CC_ARITH, 0, "ENQCMD accepted again");

    /* targets that cannot take a DMWr: retry, nothing written */
    memset(dst, 0x5a, 128);
    fl = enqcmd((uint64_t)dst, src);
    ok_hex(fl & CC_ARITH, CC_Z, "ENQCMD to RAM: ZF=1 (retry)");
    ok(dst[0] == 0x5a && dst[63] == 0x5a, "... RAM unchanged");
    dev_reset();
    fl = enqcmd(LEGACY, src);
    ok_hex(fl & CC_ARITH, CC_Z, "ENQCMD to MMIO without write_block: ZF=1");
    ok_hex(mmio_rd(LEGACY_WRITES), 0, "... nothing written");
    fl = enqcmd(DEV + 0x400, src);
    ok_hex(fl & CC_ARITH, CC_Z, "ENQCMD outside the portal: ZF=1");
    fl = enqcmd(0xfef10000UL, src);
    ok_hex(fl & CC_ARITH, CC_Z, "ENQCMD to unassigned space: ZF=1");

    /* faults */
    fl = enqcmd(PORTAL + 32, src);
    ok_fault(GP, 0, "ENQCMD misaligned destination: #GP(0)");
    page_set(5, 0);
    fl = enqcmd(PAGE4K(5), src);
    ok_fault(PF, 2, "ENQCMD destination not present: #PF(write)");
    ok_hex(fault_cr2, PAGE4K(5), "... CR2 = destination");
    fl = enqcmd(PORTAL, (void *)(PAGE4K(5) + 16));
    ok_fault(PF, 0, "ENQCMD source not present: #PF(read)");
    ok_hex(mmio_rd(ACCEPTED) + mmio_rd(RETRIED), 0,
           "... the device saw nothing");
    page_set(5, PTE_P | PTE_W | PTE_U);

    /* from user mode: the normal use */
    dev_reset();
    fill(src, 0x90);
    *(uint32_t *)src = 0x80000001;
    v = run_user(user_enqcmd, user_stack + sizeof(user_stack));
    ok_hex(v, 0x80, "ENQCMD at CPL 3 runs");
    ok_hex(mmio_rd(LAST), LAST_SIZE64 | LAST_DEFERRABLE | LAST_PASID | 0x12345,
           "ENQCMD at CPL 3: PASID from IA32_PASID, not privileged");
    ok_hex(mmio_rd(PORTAL) & 0xffffffff, 0x12345,
           "ENQCMD at CPL 3: bit 31 and bits 19:0 replaced");

    /* ENQCMDS: PASID and privilege from the payload, any IA32_PASID */
    wrmsr(MSR_IA32_PASID, 0);
    dev_reset();
    fill(src, 0xa0);
    *(uint32_t *)src = 0x800abcde;
    fl = enqcmds(PORTAL, src);
    ok_hex(fl & CC_ARITH, 0, "ENQCMDS accepted: ZF=0");
    ok(dev_block_is(src), "ENQCMDS: payload delivered unchanged");
    ok_hex(mmio_rd(LAST),
           LAST_SIZE64 | LAST_DEFERRABLE | LAST_PASID | LAST_PRIV | 0xabcde,
           "ENQCMDS: PASID 0xabcde, privileged, from the payload");
    *(uint32_t *)src = 0x00000042;
    fl = enqcmds(PORTAL, src);
    ok_hex(mmio_rd(LAST), LAST_SIZE64 | LAST_DEFERRABLE | LAST_PASID | 0x42,
           "ENQCMDS: bit 31 clear, not privileged");
    mmio_wr(CTRL, CTRL_RETRY);
    fl = enqcmds(PORTAL, src);
    ok_hex(fl & CC_ARITH, CC_Z, "ENQCMDS refused: ZF=1");
    mmio_wr(CTRL, 0);
    fl = enqcmds(PORTAL + 16, src);
    ok_fault(GP, 0, "ENQCMDS misaligned destination: #GP(0)");
    dev_reset();
    v = run_user(user_enqcmds, user_stack + sizeof(user_stack));
    ok(v == GP && fault_error == 0, "ENQCMDS at CPL 3: #GP(0)");
    ok_hex(mmio_rd(ACCEPTED) + mmio_rd(RETRIED), 0,
           "... the device saw nothing");
}

/* ---- XSAVE family ---- */

#define XSTATE_X87      (1UL << 0)
#define XSTATE_SSE      (1UL << 1)
#define XSTATE_YMM      (1UL << 2)
#define XSTATE_BNDREGS  (1UL << 3)
#define XSTATE_BNDCSR   (1UL << 4)
#define XSTATE_PKRU     (1UL << 9)
#define XSTATE_PASID    (1UL << 10)
#define COMPACTED       (1UL << 63)

static uint8_t area_std[4096] __attribute__((aligned(64)));
static uint8_t area_std2[4096] __attribute__((aligned(64)));
static uint8_t area_c[4096] __attribute__((aligned(64)));
static uint8_t area_s[4096] __attribute__((aligned(64)));
static uint8_t pattern[512] __attribute__((aligned(64)));
static uint64_t xcr0;

#define XSTATE_BV(a) (*(uint64_t *)((a) + 512))
#define XCOMP_BV(a) (*(uint64_t *)((a) + 520))

static void xsetbv(uint64_t v)
{
    asm volatile("xsetbv" : : "c"(0), "a"((uint32_t)v),
                 "d"((uint32_t)(v >> 32)));
}

static void xsave(void *a, uint64_t rfbm)
{
    INSN("xsave64 (%0)", : : "r"(a), "a"((uint32_t)rfbm),
         "d"((uint32_t)(rfbm >> 32)) : "memory");
}

static void xrstor(void *a, uint64_t rfbm)
{
    INSN("xrstor64 (%0)", : : "r"(a), "a"((uint32_t)rfbm),
         "d"((uint32_t)(rfbm >> 32)) : "memory");
}

static void xsavec(void *a, uint64_t rfbm)
{
    INSN("xsavec64 (%0)", : : "r"(a), "a"((uint32_t)rfbm),
         "d"((uint32_t)(rfbm >> 32)) : "memory");
}

static void xsaves(void *a, uint64_t rfbm)
{
    INSN("xsaves64 (%0)", : : "r"(a), "a"((uint32_t)rfbm),
         "d"((uint32_t)(rfbm >> 32)) : "memory");
}

static void xrstors(void *a, uint64_t rfbm)
{
    INSN("xrstors64 (%0)", : : "r"(a), "a"((uint32_t)rfbm),
         "d"((uint32_t)(rfbm >> 32)) : "memory");
}

/* Standard-format offset and size of component i, from CPUID. */
static uint32_t comp_size(int i)
{
    uint32_t a, b, c, d;

    cpuid(0xd, i, &a, &b, &c, &d);
    return a;
}

static uint32_t comp_std_offset(int i)
{
    uint32_t a, b, c, d;

    cpuid(0xd, i, &a, &b, &c, &d);
    return b;
}

/* Compacted-format offset of component i for XCOMP_BV xcomp (SDM 13.4.3) */
static uint32_t comp_offset(uint64_t xcomp, int i)
{
    uint32_t off = 576, a, b, c, d;
    int j;

    for (j = 2; j <= i; j++) {
        if (!(xcomp & (1UL << j))) {
            continue;
        }
        cpuid(0xd, j, &a, &b, &c, &d);
        if (c & 2) {
            off = (off + 63) & ~63u;
        }
        if (j == i) {
            return off;
        }
        off += a;
    }
    return 0;
}

/* Put a known value in every user component (x87, SSE, AVX, MPX, PKRU). */
static void load_known_state(uint8_t seed)
{
    int i;

    for (i = 0; i < 512; i++) {
        pattern[i] = seed + i * 13;
    }
    asm volatile("fninit\n\tfldpi\n\tfld1\n\tfldl2t\n\t"
                 "movdqu 0(%0), %%xmm0\n\tmovdqu 16(%0), %%xmm1\n\t"
                 "movdqu 32(%0), %%xmm2\n\tmovdqu 48(%0), %%xmm3\n\t"
                 "movdqu 64(%0), %%xmm8\n\tmovdqu 80(%0), %%xmm15\n\t"
                 "vmovdqu 96(%0), %%ymm4\n\tvmovdqu 128(%0), %%ymm9\n\t"
                 "vmovdqu 160(%0), %%ymm14\n\t"
                 : : "r"(pattern) : "memory");
    /* MPX and PKRU through a standard-format image */
    memset(area_std2, 0, sizeof(area_std2));
    if (xcr0 & XSTATE_BNDREGS) {
        memcpy(area_std2 + comp_std_offset(3), pattern + 192, 64);
        memcpy(area_std2 + comp_std_offset(4) + 8, pattern + 256, 8);
    }
    if (xcr0 & XSTATE_PKRU) {
        *(uint32_t *)(area_std2 + comp_std_offset(9)) =
            *(uint32_t *)(pattern + 264);
    }
    XSTATE_BV(area_std2) = xcr0 & (XSTATE_BNDREGS | XSTATE_BNDCSR |
                                   XSTATE_PKRU);
    xrstor(area_std2, xcr0 & (XSTATE_BNDREGS | XSTATE_BNDCSR | XSTATE_PKRU));
}

static bool same_bytes(const uint8_t *a, const uint8_t *b, size_t n,
                       const char *what)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (a[i] != b[i]) {
            puts_dbg("#   ");
            puts_dbg(what);
            puts_dbg(": byte ");
            put_hex(i);
            puts_dbg(" is ");
            put_hex(a[i]);
            puts_dbg(", XSAVE wrote ");
            put_hex(b[i]);
            putc_dbg('\n');
            return false;
        }
    }
    return true;
}

/* Compare a compacted image against a standard one, component by component. */
static bool same_as_standard(const uint8_t *c, const uint8_t *std,
                             uint64_t comps)
{
    static const char *const names[10] = {
        "x87", "SSE", "AVX", "BNDREGS", "BNDCSR", "5", "6", "7", "8", "PKRU"
    };
    int i;

    if ((comps & XSTATE_X87) && !same_bytes(c, std, 160, names[0])) {
        return false;
    }
    if ((comps & XSTATE_SSE) &&
        !same_bytes(c + 160, std + 160, 416 - 160, names[1])) {
        return false;
    }
    for (i = 2; i < 10; i++) {
        if ((comps & (1UL << i)) &&
            !same_bytes(c + comp_offset(XCOMP_BV(c), i),
                        std + comp_std_offset(i), comp_size(i), names[i])) {
            return false;
        }
    }
    return true;
}

static void test_xss(void)
{
    uint64_t xss;

    ok_hex(rdmsr(MSR_IA32_XSS), 0, "IA32_XSS is 0 after reset");
    ok_hex(wrmsr_fault(MSR_IA32_XSS, 1UL << 8), GP,
           "IA32_XSS: unsupported component (8): #GP");
    ok_hex(wrmsr_fault(MSR_IA32_XSS, XSTATE_PASID), -1,
           "IA32_XSS: PASID state can be enabled");
    xss = rdmsr(MSR_IA32_XSS);
    ok_hex(xss, XSTATE_PASID, "IA32_XSS reads back");
}

static void test_xsave(void)
{
    uint32_t a, b, c, d;
    uint64_t all, rfbm, save;
    int v;

    cpuid(0xd, 0, &a, &b, &c, &d);
    xcr0 = a | (uint64_t)d << 32;
    xsetbv(xcr0);
    diag("XCR0 set to every supported user component");
    wrmsr(MSR_IA32_XSS, XSTATE_PASID);
    all = xcr0 | XSTATE_PASID;

    cpuid(0xd, 1, &a, &b, &c, &d);
    ok_hex(b, comp_offset(all | COMPACTED, 10) + 8,
           "CPUID.D.1:EBX = compacted size of XCR0 | IA32_XSS");

    /* XSAVEC: layout and contents against XSAVE */
    load_known_state(0x11);
    /*
     * Every image starts with the same fill: XSAVE leaves alone what it
     * does not save (QEMU does not save FOP, for one).
     */
    memset(area_std, 0xcc, sizeof(area_std));
    xsave(area_std, -1UL);
    memset(area_c, 0xcc, sizeof(area_c));
    xsavec(area_c, -1UL);
    ok(fault_vector == -1, "XSAVEC runs at CPL 0");
    ok_hex(XCOMP_BV(area_c), COMPACTED | xcr0,
           "XSAVEC: XCOMP_BV = bit 63 | XCR0 & RFBM");
    ok_hex(XSTATE_BV(area_c), xcr0, "XSAVEC: XSTATE_BV = every component");
    ok_hex(comp_offset(XCOMP_BV(area_c), 2), 576,
           "compacted: AVX right after the header");
    ok(same_as_standard(area_c, area_std, xcr0),
       "XSAVEC: every component as XSAVE saves it, at its compacted offset");
    ok_hex(*(uint64_t *)(area_c + 528), 0xcccccccccccccccc,
           "XSAVEC leaves header bytes 16-63 alone");

    /* partial RFBM: the layout closes up */
    rfbm = XSTATE_X87 | XSTATE_SSE | XSTATE_PKRU;
    memset(area_c, 0, sizeof(area_c));
    xsavec(area_c, rfbm);
    ok_hex(XCOMP_BV(area_c), COMPACTED | (rfbm & xcr0),
           "XSAVEC x87|SSE|PKRU: XCOMP_BV");
    if (xcr0 & XSTATE_PKRU) {
        ok_hex(*(uint32_t *)(area_c + 576),
               *(uint32_t *)(area_std + comp_std_offset(9)),
               "XSAVEC x87|SSE|PKRU: PKRU at offset 576");
    }
    ok_hex(*(uint64_t *)(area_c + 576 + 8), 0,
           "XSAVEC x87|SSE|PKRU: nothing after it");

    /* XSAVES with the PASID state */
    wrmsr(MSR_IA32_PASID, PASID_VALID | 0x54321);
    memset(area_s, 0xcc, sizeof(area_s));
    memset(area_s + 512, 0, 64);    /* XSAVES leaves header bytes 63:16 */
    xsaves(area_s, -1UL);
    ok(fault_vector == -1, "XSAVES runs at CPL 0");
    ok_hex(XCOMP_BV(area_s), COMPACTED | all, "XSAVES: XCOMP_BV");
    ok_hex(XSTATE_BV(area_s), all, "XSAVES: XSTATE_BV includes PASID");
    ok_hex(comp_offset(all, 10), 576 + comp_size(2) + comp_size(3) +
           comp_size(4) + comp_size(9), "compacted: PASID after PKRU");
    ok_hex(*(uint64_t *)(area_s + comp_offset(all, 10)),
           PASID_VALID | 0x54321, "XSAVES: IA32_PASID saved");
    ok(same_as_standard(area_s, area_std, xcr0),
       "XSAVES: user components as XSAVE saves them");

    /* XRSTORS round trip of every component */
    load_known_state(0x77);
    wrmsr(MSR_IA32_PASID, 0);
    xrstors(area_s, -1UL);
    ok(fault_vector == -1, "XRSTORS runs at CPL 0");
    ok_hex(rdmsr(MSR_IA32_PASID), PASID_VALID | 0x54321,
           "XRSTORS restores IA32_PASID");
    memset(area_std2, 0xcc, sizeof(area_std2));
    xsave(area_std2, -1UL);
    ok(!memcmp(area_std, area_std2, comp_std_offset(9) + 8),
       "XRSTORS restores x87, SSE, AVX, MPX, PKRU (XSAVE images equal)");

    /* XRSTOR of a compacted XSAVEC image */
    load_known_state(0x11);
    memset(area_c, 0, sizeof(area_c));
    xsavec(area_c, -1UL);
    load_known_state(0x99);
    xrstor(area_c, -1UL);
    ok(fault_vector == -1, "XRSTOR takes the compacted format");
    memset(area_std2, 0xcc, sizeof(area_std2));
    xsave(area_std2, -1UL);
    ok(!memcmp(area_std, area_std2, comp_std_offset(9) + 8),
       "XRSTOR of an XSAVEC image restores every component");

    /* init optimization: IA32_PASID = 0 is not saved, and is restored as 0 */
    wrmsr(MSR_IA32_PASID, 0);
    memset(area_s, 0xcc, sizeof(area_s));
    memset(area_s + 512, 0, 64);
    xsaves(area_s, -1UL);
    ok_hex(XSTATE_BV(area_s) & XSTATE_PASID, 0,
           "XSAVES: IA32_PASID = 0 is in its initial state");
    ok_hex(*(uint64_t *)(area_s + comp_offset(all, 10)), 0xccccccccccccccccUL,
           "... and not written");
    wrmsr(MSR_IA32_PASID, PASID_VALID | 7);
    xrstors(area_s, -1UL);
    ok_hex(rdmsr(MSR_IA32_PASID), 0,
           "XRSTORS with XSTATE_BV[10] = 0 clears IA32_PASID");
    /* RFBM without PASID leaves it alone */
    wrmsr(MSR_IA32_PASID, PASID_VALID | 7);
    xrstors(area_s, ~XSTATE_PASID);
    ok_hex(rdmsr(MSR_IA32_PASID), PASID_VALID | 7,
           "XRSTORS without RFBM[10] keeps IA32_PASID");

    /* XRSTORS faults: #GP(0) and nothing loaded */
    wrmsr(MSR_IA32_PASID, PASID_VALID | 0x54321);
    xsaves(area_s, -1UL);
    memcpy(area_c, area_s, sizeof(area_c));
    wrmsr(MSR_IA32_PASID, PASID_VALID | 9);
    save = XCOMP_BV(area_c);

    XCOMP_BV(area_c) = save & ~COMPACTED;
    xrstors(area_c, -1UL);
    ok_fault(GP, 0, "XRSTORS of a standard-format header: #GP(0)");
    XCOMP_BV(area_c) = save | (1UL << 5);
    xrstors(area_c, -1UL);
    ok_fault(GP, 0, "XRSTORS: XCOMP_BV names a disabled component: #GP(0)");
    XCOMP_BV(area_c) = save & ~XSTATE_PASID;
    xrstors(area_c, -1UL);
    ok_fault(GP, 0, "XRSTORS: XSTATE_BV not a subset of XCOMP_BV: #GP(0)");
    XCOMP_BV(area_c) = save;
    area_c[512 + 40] = 1;
    xrstors(area_c, -1UL);
    ok_fault(GP, 0, "XRSTORS: header byte 40 not zero: #GP(0)");
    area_c[512 + 40] = 0;
    *(uint32_t *)(area_c + 24) |= 1u << 16;
    xrstors(area_c, -1UL);
    ok_fault(GP, 0, "XRSTORS: MXCSR reserved bit: #GP(0)");
    *(uint32_t *)(area_c + 24) &= ~(1u << 16);
    *(uint64_t *)(area_c + comp_offset(all, 10)) |= 1UL << 40;
    xrstors(area_c, -1UL);
    ok_fault(GP, 0, "XRSTORS: IA32_PASID reserved bit: #GP(0)");
    ok_hex(rdmsr(MSR_IA32_PASID), PASID_VALID | 9,
           "... nothing was loaded");
    *(uint64_t *)(area_c + comp_offset(all, 10)) &= ~(1UL << 40);
    xrstors(area_c + 32, -1UL);
    ok_fault(GP, 0, "XRSTORS misaligned: #GP(0)");
    xsaves(area_c + 16, -1UL);
    ok_fault(GP, 0, "XSAVES misaligned: #GP(0)");
    xrstors(area_c, -1UL);
    ok(fault_vector == -1 && rdmsr(MSR_IA32_PASID) == (PASID_VALID | 0x54321),
       "XRSTORS of the repaired image works");

    /* XRSTOR (not S) refuses supervisor components */
    xrstor(area_s, -1UL);
    ok_fault(GP, 0, "XRSTOR of an image with the PASID component: #GP(0)");

    /* CPL 3 */
    v = run_user(user_xsaves, user_stack + sizeof(user_stack));
    ok(v == GP && fault_error == 0, "XSAVES at CPL 3: #GP(0)");
    v = run_user(user_xrstors, user_stack + sizeof(user_stack));
    ok(v == GP && fault_error == 0, "XRSTORS at CPL 3: #GP(0)");
}

int main(void)
{
    uint64_t cr4;

    qsva_setup();
    /* OSFXSR, OSXMMEXCPT, OSXSAVE */
    asm volatile("mov %%cr4, %0" : "=r"(cr4));
    cr4 |= (1UL << 9) | (1UL << 10) | (1UL << 18);
    asm volatile("mov %0, %%cr4" : : "r"(cr4));
    xcr0 = XSTATE_X87 | XSTATE_SSE;

    diag("qemu-sva instruction tests");
    test_cpuid();
    test_movdiri();
    test_movdir64b();
    test_pasid_msr();
    test_enqcmd();
    test_xss();
    test_xsave();
    return tests_done();
}
