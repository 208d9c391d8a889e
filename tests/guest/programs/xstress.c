/*
 * xstress: several processes keep their own values in the SSE/AVX (and
 * x87) registers across many context switches and check that they get
 * them back.  The kernel saves and restores that state with XSAVES/XRSTORS
 * (or XSAVE/XRSTOR); a wrong save area layout, a wrong XSTATE_BV or a
 * component that is not restored shows up as a mismatch.
 *
 * Usage: xstress [PROCESSES [ROUNDS]]; exits 0 when every process saw
 * its own values every time.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cpuid.h>

#define NREGS 16

static int have_avx(void)
{
    unsigned a, b, c, d;
    uint32_t xcr0_lo, xcr0_hi;

    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_AVX) ||
        !(c & bit_OSXSAVE)) {
        return 0;
    }
    asm volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    return (xcr0_lo & 6) == 6;
}

/*
 * Load the 16 vector registers from @in, yield the CPU @yields times (each
 * sched_yield is a chance for another process to run and clobber them),
 * store them to @out.  Nothing else touches the registers in between.
 */
static void round_avx(const uint8_t *in, uint8_t *out, long yields)
{
    asm volatile(
        "vmovdqu 0x000(%[in]), %%ymm0\n\t"  "vmovdqu 0x020(%[in]), %%ymm1\n\t"
        "vmovdqu 0x040(%[in]), %%ymm2\n\t"  "vmovdqu 0x060(%[in]), %%ymm3\n\t"
        "vmovdqu 0x080(%[in]), %%ymm4\n\t"  "vmovdqu 0x0a0(%[in]), %%ymm5\n\t"
        "vmovdqu 0x0c0(%[in]), %%ymm6\n\t"  "vmovdqu 0x0e0(%[in]), %%ymm7\n\t"
        "vmovdqu 0x100(%[in]), %%ymm8\n\t"  "vmovdqu 0x120(%[in]), %%ymm9\n\t"
        "vmovdqu 0x140(%[in]), %%ymm10\n\t" "vmovdqu 0x160(%[in]), %%ymm11\n\t"
        "vmovdqu 0x180(%[in]), %%ymm12\n\t" "vmovdqu 0x1a0(%[in]), %%ymm13\n\t"
        "vmovdqu 0x1c0(%[in]), %%ymm14\n\t" "vmovdqu 0x1e0(%[in]), %%ymm15\n\t"
        "1:\n\t"
        "mov $24, %%eax\n\t"        /* sched_yield */
        "syscall\n\t"
        "dec %[n]\n\t"
        "jnz 1b\n\t"
        "vmovdqu %%ymm0, 0x000(%[out])\n\t"  "vmovdqu %%ymm1, 0x020(%[out])\n\t"
        "vmovdqu %%ymm2, 0x040(%[out])\n\t"  "vmovdqu %%ymm3, 0x060(%[out])\n\t"
        "vmovdqu %%ymm4, 0x080(%[out])\n\t"  "vmovdqu %%ymm5, 0x0a0(%[out])\n\t"
        "vmovdqu %%ymm6, 0x0c0(%[out])\n\t"  "vmovdqu %%ymm7, 0x0e0(%[out])\n\t"
        "vmovdqu %%ymm8, 0x100(%[out])\n\t"  "vmovdqu %%ymm9, 0x120(%[out])\n\t"
        "vmovdqu %%ymm10, 0x140(%[out])\n\t" "vmovdqu %%ymm11, 0x160(%[out])\n\t"
        "vmovdqu %%ymm12, 0x180(%[out])\n\t" "vmovdqu %%ymm13, 0x1a0(%[out])\n\t"
        "vmovdqu %%ymm14, 0x1c0(%[out])\n\t" "vmovdqu %%ymm15, 0x1e0(%[out])\n\t"
        "vzeroupper\n\t"
        : [n] "+r"(yields)
        : [in] "r"(in), [out] "r"(out)
        : "rax", "rcx", "r11", "memory", "cc",
          "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
          "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
          "xmm15");
}

static void round_sse(const uint8_t *in, uint8_t *out, long yields)
{
    asm volatile(
        "movdqu 0x00(%[in]), %%xmm0\n\t"  "movdqu 0x10(%[in]), %%xmm1\n\t"
        "movdqu 0x20(%[in]), %%xmm2\n\t"  "movdqu 0x30(%[in]), %%xmm3\n\t"
        "movdqu 0x40(%[in]), %%xmm4\n\t"  "movdqu 0x50(%[in]), %%xmm5\n\t"
        "movdqu 0x60(%[in]), %%xmm6\n\t"  "movdqu 0x70(%[in]), %%xmm7\n\t"
        "movdqu 0x80(%[in]), %%xmm8\n\t"  "movdqu 0x90(%[in]), %%xmm9\n\t"
        "movdqu 0xa0(%[in]), %%xmm10\n\t" "movdqu 0xb0(%[in]), %%xmm11\n\t"
        "movdqu 0xc0(%[in]), %%xmm12\n\t" "movdqu 0xd0(%[in]), %%xmm13\n\t"
        "movdqu 0xe0(%[in]), %%xmm14\n\t" "movdqu 0xf0(%[in]), %%xmm15\n\t"
        "1:\n\t"
        "mov $24, %%eax\n\t"
        "syscall\n\t"
        "dec %[n]\n\t"
        "jnz 1b\n\t"
        "movdqu %%xmm0, 0x00(%[out])\n\t"  "movdqu %%xmm1, 0x10(%[out])\n\t"
        "movdqu %%xmm2, 0x20(%[out])\n\t"  "movdqu %%xmm3, 0x30(%[out])\n\t"
        "movdqu %%xmm4, 0x40(%[out])\n\t"  "movdqu %%xmm5, 0x50(%[out])\n\t"
        "movdqu %%xmm6, 0x60(%[out])\n\t"  "movdqu %%xmm7, 0x70(%[out])\n\t"
        "movdqu %%xmm8, 0x80(%[out])\n\t"  "movdqu %%xmm9, 0x90(%[out])\n\t"
        "movdqu %%xmm10, 0xa0(%[out])\n\t" "movdqu %%xmm11, 0xb0(%[out])\n\t"
        "movdqu %%xmm12, 0xc0(%[out])\n\t" "movdqu %%xmm13, 0xd0(%[out])\n\t"
        "movdqu %%xmm14, 0xe0(%[out])\n\t" "movdqu %%xmm15, 0xf0(%[out])\n\t"
        : [n] "+r"(yields)
        : [in] "r"(in), [out] "r"(out)
        : "rax", "rcx", "r11", "memory", "cc",
          "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
          "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
          "xmm15");
}

static int child(int id, int rounds, int avx)
{
    uint8_t in[NREGS * 32], out[NREGS * 32];
    size_t len = avx ? sizeof(in) : NREGS * 16;
    uint32_t x = 0x9e3779b9u * (id + 1);
    int r;
    size_t i;

    for (r = 0; r < rounds; r++) {
        for (i = 0; i < len; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            in[i] = x;
        }
        memset(out, 0, len);
        if (avx) {
            round_avx(in, out, 3);
        } else {
            round_sse(in, out, 3);
        }
        if (memcmp(in, out, len)) {
            for (i = 0; i < len && in[i] == out[i]; i++) {
                continue;
            }
            printf("xstress: process %d round %d: register byte %zu is "
                   "0x%02x, not 0x%02x\n", id, r, i, out[i], in[i]);
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    int procs = argc > 1 ? atoi(argv[1]) : 4;
    int rounds = argc > 2 ? atoi(argv[2]) : 2000;
    int avx = have_avx(), i, status, bad = 0;

    for (i = 0; i < procs; i++) {
        pid_t pid = fork();

        if (pid < 0) {
            perror("fork");
            return 2;
        }
        if (pid == 0) {
            _exit(child(i, rounds, avx));
        }
    }
    for (i = 0; i < procs; i++) {
        if (wait(&status) < 0 || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0) {
            bad++;
        }
    }
    printf("xstress: %d processes x %d rounds with %s registers: %s\n",
           procs, rounds, avx ? "AVX (ymm0-15)" : "SSE (xmm0-15)",
           bad ? "CORRUPTED" : "ok");
    return bad ? 1 : 0;
}
