/*
 * Minimal support for the qemu-sva x86_64 instruction tests: output on the
 * debug console (port 0xe9) as TAP, exceptions caught by trap(), CPL 3.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef QSVA_TEST_H
#define QSVA_TEST_H

typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef unsigned long uint64_t;
typedef unsigned long size_t;
typedef int bool;
#define true 1
#define false 0
#define NULL ((void *)0)

/* The register frame trap() receives (see boot.S). */
struct frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

/*
 * Exceptions: an instruction run through INSN() that faults resumes after
 * itself, with the vector in fault_vector (-1: no fault), the error code
 * in fault_error and CR2 in fault_cr2.
 */
/* volatile: trap() writes them while an INSN() runs */
extern volatile uint64_t fixup_rip;
/* volatile: see fixup_rip */
extern volatile int fault_vector;
/* volatile: see fixup_rip */
extern volatile uint64_t fault_error, fault_cr2;

/* boot.S */
extern char user_return[];
extern uint64_t kernel_rsp;
extern uint64_t gdt[];
void qsva_exit(int code) __attribute__((noreturn));

#define INSN(body, ...)                                                     \
    do {                                                                    \
        fault_vector = -1;                                                  \
        asm volatile("movq $1f, fixup_rip\n\t"                             \
                     body "\n"                                              \
                     "1:\n\t"                                               \
                     "movq $0, fixup_rip" __VA_ARGS__);                     \
    } while (0)

#define GP 13
#define PF 14
#define UD 6

/* CPL 3: run fn on its own stack; returns the vector that ended it. */
int run_user(void (*fn)(void), void *user_stack);

void putc_dbg(char c);
void puts_dbg(const char *s);
void put_hex(uint64_t v);
void ok(bool cond, const char *name);
void ok_hex(uint64_t got, uint64_t want, const char *name);
void ok_fault(int vector, uint64_t error, const char *name);
void diag(const char *s);
int tests_done(void);

void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void qsva_setup(void);

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a,
                         uint32_t *b, uint32_t *c, uint32_t *d)
{
    asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
                 : "a"(leaf), "c"(sub));
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;

    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return lo | (uint64_t)hi << 32;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
                 "d"((uint32_t)(v >> 32)) : "memory");
}

/* WRMSR that may fault: returns the vector, or -1. */
static inline int wrmsr_fault(uint32_t msr, uint64_t v)
{
    INSN("wrmsr", : : "c"(msr), "a"((uint32_t)v),
         "d"((uint32_t)(v >> 32)) : "memory");
    return fault_vector;
}

static inline uint64_t mmio_rd(uint64_t addr)
{
    /* volatile: a device register */
    return *(volatile uint64_t *)addr;
}

static inline void mmio_wr(uint64_t addr, uint64_t v)
{
    /* volatile: a device register */
    *(volatile uint64_t *)addr = v;
}

static inline void invlpg(uint64_t addr)
{
    asm volatile("invlpg (%0)" : : "r"(addr) : "memory");
}

/* 4 KiB pages of 0x400000-0x5fffff (see boot.S) */
extern uint64_t pt_4k[512];
#define PAGE4K(n) (0x400000UL + (n) * 4096UL)

static inline void page_set(int n, uint64_t flags)
{
    pt_4k[n] = PAGE4K(n) | flags;
    invlpg(PAGE4K(n));
}

#define PTE_P 1
#define PTE_W 2
#define PTE_U 4

#endif
