/*
 * Support code for the qemu-sva x86_64 instruction tests.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qsva.h"

/* volatile: written by trap(), behind the compiler's back */
volatile uint64_t fixup_rip;
/* volatile: written by trap() */
volatile int fault_vector = -1;
/* volatile: written by trap() */
volatile uint64_t fault_error, fault_cr2;

static int test_num, test_fail;

void *memset(void *s, int c, size_t n)
{
    uint8_t *p = s;

    while (n--) {
        *p++ = c;
    }
    return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *dp = d;
    const uint8_t *sp = s;

    while (n--) {
        *dp++ = *sp++;
    }
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *ap = a, *bp = b;

    for (; n; n--, ap++, bp++) {
        if (*ap != *bp) {
            return *ap < *bp ? -1 : 1;
        }
    }
    return 0;
}

void putc_dbg(char c)
{
    asm volatile("outb %0, $0xe9" : : "a"(c));
}

void puts_dbg(const char *s)
{
    while (*s) {
        putc_dbg(*s++);
    }
}

void put_hex(uint64_t v)
{
    int i;

    puts_dbg("0x");
    for (i = 60; i >= 0; i -= 4) {
        if ((v >> i) || i == 0) {
            putc_dbg("0123456789abcdef"[(v >> i) & 15]);
        }
    }
}

static void put_dec(int v)
{
    char buf[12];
    int i = 0;

    do {
        buf[i++] = '0' + v % 10;
        v /= 10;
    } while (v);
    while (i) {
        putc_dbg(buf[--i]);
    }
}

void diag(const char *s)
{
    puts_dbg("# ");
    puts_dbg(s);
    putc_dbg('\n');
}

void ok(bool cond, const char *name)
{
    test_num++;
    if (!cond) {
        test_fail++;
        puts_dbg("not ");
    }
    puts_dbg("ok ");
    put_dec(test_num);
    puts_dbg(" - ");
    puts_dbg(name);
    putc_dbg('\n');
}

void ok_hex(uint64_t got, uint64_t want, const char *name)
{
    ok(got == want, name);
    if (got != want) {
        puts_dbg("#   got ");
        put_hex(got);
        puts_dbg(", want ");
        put_hex(want);
        putc_dbg('\n');
    }
}

void ok_fault(int vector, uint64_t error, const char *name)
{
    bool good = fault_vector == vector && fault_error == error;

    ok(good, name);
    if (!good) {
        puts_dbg("#   fault ");
        put_hex((uint64_t)(long)fault_vector);
        puts_dbg(" error ");
        put_hex(fault_error);
        puts_dbg(", want ");
        put_hex(vector);
        puts_dbg(" error ");
        put_hex(error);
        putc_dbg('\n');
    }
}

int tests_done(void)
{
    puts_dbg("1..");
    put_dec(test_num);
    putc_dbg('\n');
    return test_fail ? 1 : 0;
}

static inline uint64_t read_cr2(void)
{
    uint64_t v;

    asm volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

void trap(struct frame *f)
{
    if ((f->cs & 3) == 3) {
        /* back to run_user()'s caller, at CPL 0 */
        fault_vector = f->vector;
        fault_error = f->error;
        fault_cr2 = read_cr2();
        f->rip = (uint64_t)user_return;
        f->cs = 0x08;
        f->ss = 0x10;
        f->rsp = kernel_rsp;
        f->rflags = 0x2;
        f->rax = f->vector;
        return;
    }
    if (fixup_rip) {
        fault_vector = f->vector;
        fault_error = f->error;
        fault_cr2 = read_cr2();
        f->rip = fixup_rip;
        fixup_rip = 0;
        return;
    }
    puts_dbg("Bail out! unexpected exception ");
    put_hex(f->vector);
    puts_dbg(" error ");
    put_hex(f->error);
    puts_dbg(" at ");
    put_hex(f->rip);
    puts_dbg(" cr2 ");
    put_hex(read_cr2());
    putc_dbg('\n');
    qsva_exit(2);
}

/* 64-bit TSS: only RSP0 matters (the stack for traps from CPL 3). */
static struct {
    uint32_t reserved0;
    uint64_t rsp0, rsp1, rsp2;
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3, iomap;
} __attribute__((packed, aligned(16))) tss;
static uint8_t trap_stack[16384] __attribute__((aligned(16)));

void qsva_setup(void)
{
    uint64_t base = (uint64_t)&tss;
    uint64_t limit = sizeof(tss) - 1;

    tss.rsp0 = (uint64_t)(trap_stack + sizeof(trap_stack));
    tss.iomap = sizeof(tss);
    gdt[5] = (limit & 0xffff) | (base & 0xffffff) << 16 |
             0x89UL << 40 | ((limit >> 16) & 0xf) << 48 |
             ((base >> 24) & 0xff) << 56;
    gdt[6] = base >> 32;
    asm volatile("ltr %w0" : : "r"(0x28));
}
