/*
 * dsa-user.h: submitting DSA descriptors from a guest user process, for
 * the guest programs (dsa-bench, dsa-pf): the descriptor and completion
 * record layouts, MOVDIR64B and ENQCMD, and completion polling.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef QSVA_DSA_USER_H
#define QSVA_DSA_USER_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define F_BOF       0x02        /* block on fault */
#define OP_NOOP     0x00
#define OP_MEMMOVE  0x03
#define F_CRAV      0x04
#define F_RCR       0x08
#define F_CC        0x100       /* cache control: write to cache */
#define ST_SUCCESS  0x01
#define ST_PAGE_FAULT 0x03      /* partial completion */
#define ST_WRITE    0x80        /* the fault was on a write */

struct desc {
    uint32_t pasid_priv;
    uint32_t flags_opcode;
    uint64_t completion_addr;
    uint64_t src;
    uint64_t dst;
    uint32_t xfer_size;
    uint16_t int_handle;
    uint16_t rsvd1;
    uint8_t op_specific[24];
} __attribute__((aligned(64)));

struct comp {
    volatile uint8_t status;
    uint8_t result;
    uint8_t fault_info;
    uint8_t rsvd;
    uint32_t bytes_completed;
    uint64_t fault_addr;
    uint8_t op_specific[16];
} __attribute__((aligned(32)));

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void movdir64b(volatile void *portal, const void *desc)
{
    asm volatile(".byte 0x66, 0x0f, 0x38, 0xf8, 0x02"
                 : : "a"(portal), "d"(desc) : "memory");
}

/* 0: accepted, 1: retry */
static int enqcmd(volatile void *portal, const void *desc)
{
    uint8_t retry;

    asm volatile(".byte 0xf2, 0x0f, 0x38, 0xf8, 0x02\n\t"
                 "setz %0"
                 : "=r"(retry) : "a"(portal), "d"(desc) : "memory", "cc");
    return retry;
}

static volatile void *portal;
static int shared;

static void submit(const struct desc *d)
{
    if (!shared) {
        movdir64b(portal, d);
        return;
    }
    while (enqcmd(portal, d)) {
        asm volatile("pause");
    }
}

/*
 * Poll the completion record.  The clock is read only while waiting, and
 * then every 1024 polls: under TCG a clock read costs more than a NOOP
 * descriptor, and the figures are the device's, not the clock's.
 */
static int wait_comp(struct comp *c, double limit)
{
    double end = 0;
    unsigned spins = 0;

    while (c->status == 0) {
        asm volatile("pause");
        if ((++spins & 1023) == 0) {
            if (end == 0) {
                end = now() + limit;
            } else if (now() > end) {
                return -1;
            }
        }
    }
    return c->status;
}

/*
 * Open the WQ's character device and map its portal; @mode "shared"
 * submits with ENQCMD, anything else with MOVDIR64B.  Returns 0, or -1
 * with the reason on stderr.
 */
static int open_portal(const char *path, const char *mode)
{
    int fd = open(path, O_RDWR);

    shared = !strcmp(mode, "shared");
    if (fd < 0) {
        fprintf(stderr, "open %s: %s\n", path, strerror(errno));
        return -1;
    }
    portal = mmap(NULL, 4096, PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
    if (portal == MAP_FAILED) {
        fprintf(stderr, "mmap %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

#endif /* QSVA_DSA_USER_H */
