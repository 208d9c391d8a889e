/*
 * dsa-bench: DSA throughput from user space, for 'make bench'
 *
 * Runs in a guest (static, busybox userland) on a user work queue that
 * accel-config set up, or on the host with --memcpy-only:
 *
 *   dsa-bench --memcpy-only
 *       the CPU's own memcpy bandwidth at 4 KiB, 64 KiB and 1 MiB
 *   dsa-bench /dev/dsa/wq0.0 dedicated|shared
 *       MEMMOVE throughput at 4 KiB, 64 KiB and 1 MiB through the WQ
 *       (MOVDIR64B for a dedicated WQ, ENQCMD for a shared one, both
 *       translated with the process's PASID), the NOOP submission rate,
 *       and the CPU's memcpy bandwidth beside them.
 *   dsa-bench /dev/dsa/wq0.0 dedicated|shared noop|SIZE
 *       only the NOOP submission rate, or only MEMMOVE at SIZE (4096,
 *       65536 or 1048576), to profile one path.
 *
 * MEMMOVE is measured as memcpy is, over 256 MiB with one pair of
 * buffers; the first descriptor's time on fresh buffers (the device
 * translates their pages then) is reported apart.  Every MEMMOVE result
 * is checked; every figure is the best of three runs.  Output lines are "bench KEY VALUE" for the harness to collect.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/param.h>
#include <time.h>
#include <unistd.h>

#include "dsa-user.h"

static double memcpy_gbs(size_t size)
{
    size_t total = 256u << 20;
    char *a = aligned_alloc(4096, size), *b = aligned_alloc(4096, size);
    double t0, t;
    size_t n;

    memset(a, 1, size);
    memset(b, 2, size);
    t0 = now();
    for (n = 0; n < total; n += size) {
        memcpy(b, a, size);
        asm volatile("" : : "r"(b) : "memory");
    }
    t = now() - t0;
    free(a);
    free(b);
    return total / t / 1e9;
}

/*
 * MEMMOVE throughput at @size: the same protocol as memcpy_gbs(), one
 * pair of buffers and 256 MiB moved.  *@first_us is the first
 * descriptor's time, on buffers the device has not seen (its
 * device-TLB translates every page then).
 */
static int memmove_gbs(size_t size, double *gbs, double *first_us)
{
    size_t total = 256u << 20;
    unsigned count = total / size, i;
    char *src = aligned_alloc(4096, size), *dst = aligned_alloc(4096, size);
    struct comp *c = aligned_alloc(32, sizeof(*c));
    struct desc d;
    double t0, t;
    int st;

    memset(src, 0x5a, size);
    memset(dst, 0, size);
    memset(&d, 0, sizeof(d));
    d.flags_opcode = (OP_MEMMOVE << 24) | F_CRAV | F_RCR;
    d.completion_addr = (uintptr_t)c;
    d.src = (uintptr_t)src;
    d.dst = (uintptr_t)dst;
    d.xfer_size = size;

    t0 = now();
    for (i = 0; i < count; i++) {
        c->status = 0;
        src[(i * 4093) % size] = (char)i;
        submit(&d);
        st = wait_comp(c, 10.0);
        if (st != ST_SUCCESS) {
            fprintf(stderr, "memmove %zu: status 0x%x (bytes %u, fault "
                    "0x%llx)\n", size, st, c->bytes_completed,
                    (unsigned long long)c->fault_addr);
            return -1;
        }
        if (i == 0) {
            *first_us = (now() - t0) * 1e6;
        }
    }
    t = now() - t0;
    if (memcmp(src, dst, size)) {
        fprintf(stderr, "memmove %zu: destination differs\n", size);
        return -1;
    }
    *gbs = (double)count * size / t / 1e9;
    free(src);
    free(dst);
    free(c);
    return 0;
}

/* NOOPs in flight up to @depth at a time; returns descriptors/s */
static int noop_rate(unsigned depth, double *rate)
{
    unsigned total = 200000, i, done = 0;
    struct comp *c = aligned_alloc(32, depth * sizeof(*c));
    struct desc d;
    double t0;

    memset(&d, 0, sizeof(d));
    d.flags_opcode = (OP_NOOP << 24) | F_CRAV | F_RCR;
    for (i = 0; i < depth; i++) {
        c[i].status = ST_SUCCESS;
    }
    t0 = now();
    for (i = 0; i < total; i++) {
        struct comp *slot = &c[i % depth];

        if (wait_comp(slot, 10.0) != ST_SUCCESS) {
            fprintf(stderr, "noop %u: status 0x%x\n", i, slot->status);
            return -1;
        }
        slot->status = 0;
        d.completion_addr = (uintptr_t)slot;
        submit(&d);
    }
    for (i = 0; i < depth; i++) {
        if (wait_comp(&c[i], 10.0) != ST_SUCCESS) {
            return -1;
        }
        done++;
    }
    *rate = total / (now() - t0);
    free(c);
    return 0;
}

/*
 * Every figure is the best of REPEAT runs: on a shared host, another
 * process taking the CPU from the vCPU or the device's engine thread for a
 * moment only ever lowers one, and the best run is the one it spared.
 */
#define REPEAT 3

static double best_memcpy_gbs(size_t size)
{
    double best = 0;

    for (unsigned r = 0; r < REPEAT; r++) {
        best = MAX(best, memcpy_gbs(size));
    }
    return best;
}

int main(int argc, char **argv)
{
    static const size_t sizes[] = { 4096, 65536, 1 << 20 };
    double v, best, first;
    unsigned long only;

    if (argc == 2 && !strcmp(argv[1], "--memcpy-only")) {
        for (unsigned i = 0; i < 3; i++) {
            printf("bench memcpy_%zu_GBps %.3f\n", sizes[i],
                   best_memcpy_gbs(sizes[i]));
        }
        return 0;
    }
    only = argc == 4 ? strtoul(argv[3], NULL, 0) : 0;
    if (argc != 3 && !(argc == 4 && (!strcmp(argv[3], "noop") || only))) {
        fprintf(stderr, "usage: dsa-bench --memcpy-only | WQ-DEVICE "
                "dedicated|shared [noop|SIZE]\n");
        return 2;
    }
    if (open_portal(argv[1], argv[2])) {
        return 1;
    }
    for (unsigned i = 0; i < 3 && (argc == 3 || only); i++) {
        if (only && sizes[i] != only) {
            continue;
        }
        best = 0;
        first = 0;
        for (unsigned r = 0; r < REPEAT; r++) {
            double us = 0;

            if (memmove_gbs(sizes[i], &v, &us)) {
                return 1;
            }
            best = MAX(best, v);
            first = first ? MIN(first, us) : us;
        }
        printf("bench %s_memmove_%zu_GBps %.3f\n", argv[2], sizes[i], best);
        printf("bench %s_memmove_%zu_first_us %.1f\n", argv[2], sizes[i],
               first);
        printf("bench memcpy_%zu_GBps %.3f\n", sizes[i],
               best_memcpy_gbs(sizes[i]));
    }
    if (only) {
        return 0;
    }
    best = 0;
    for (unsigned r = 0; r < REPEAT; r++) {
        if (noop_rate(shared ? 32 : 8, &v)) {
            return 1;
        }
        best = MAX(best, v);
    }
    printf("bench %s_noop_per_s %.0f\n", argv[2], best);
    return 0;
}
