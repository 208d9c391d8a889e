/*
 * movdir-tear: MOVDIR64B stores with 64-byte write atomicity, seen from
 * another CPU.  One thread (on CPU 0) writes a 64-byte line again and
 * again with MOVDIR64B, all eight quadwords holding the same counter,
 * incremented each time; another (on CPU 1) reads the first and the last
 * quadword in both orders.  On x86 loads are not reordered with older
 * loads, so with atomic stores the quadword read second is never older
 * than the one read first; a torn store (the line written in pieces)
 * shows up as one that is.
 *
 * Usage: movdir-tear [STORES]; prints the stores, the reads, how often
 * the reader saw the line change and the torn observations, and exits 0
 * when there was none and the threads did overlap.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static volatile uint64_t line[8] __attribute__((aligned(4096)));
static volatile int writer_started, writer_done;
static unsigned long stores = 2000000;

static void pin(int cpu)
{
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set)) {
        perror("sched_setaffinity");
        exit(2);
    }
}

static void *writer(void *arg)
{
    uint64_t src[8] __attribute__((aligned(64)));
    unsigned long k;
    int i;

    pin(0);
    writer_started = 1;
    for (k = 1; k <= stores; k++) {
        for (i = 0; i < 8; i++) {
            src[i] = k;
        }
        asm volatile("movdir64b (%0), %1"
                     : : "r"(src), "r"(line) : "memory");
    }
    writer_done = 1;
    return NULL;
}

int main(int argc, char **argv)
{
    unsigned long reads = 0, changes = 0, torn = 0;
    uint64_t last = 0;
    pthread_t t;

    if (argc > 1) {
        stores = strtoul(argv[1], NULL, 0);
    }
    pin(1);
    if (pthread_create(&t, NULL, writer, NULL)) {
        perror("pthread_create");
        return 2;
    }
    while (!writer_started) {
        ;
    }
    while (!writer_done) {
        uint64_t a = line[0], b = line[7];
        uint64_t c = line[7], d = line[0];

        torn += (b < a) + (d < c);
        if (d != last) {
            changes++;
            last = d;
        }
        reads++;
    }
    pthread_join(t, NULL);
    printf("%lu stores, %lu reads, %lu changes seen, %lu torn\n",
           stores, reads, changes, torn);
    if (line[0] != stores || line[7] != stores) {
        printf("final line holds %lu..%lu, not %lu\n",
               (unsigned long)line[0], (unsigned long)line[7], stores);
        return 1;
    }
    if (changes < 100) {
        printf("the reader saw the line change %lu times: no overlap\n",
               changes);
        return 1;
    }
    return torn ? 1 : 0;
}
