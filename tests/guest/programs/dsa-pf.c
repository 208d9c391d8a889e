/*
 * dsa-pf: DSA page faults from user space, for the guest scenarios
 *
 *   dsa-pf /dev/dsa/wq0.0 dedicated|shared
 *
 * Moves data from and to freshly mapped memory that the process has not
 * touched, so that the device meets pages that are not present:
 * - with the descriptor's Block On Fault flag (the WQ must allow it): the
 *   device asks for the pages (PRI page requests), the kernel faults them
 *   in and answers, and the descriptor completes: a write fault (fresh
 *   destination), then a read fault (fresh source, which reads as zeros);
 * - without it: the descriptor completes with a page fault status, the
 *   bytes completed and the faulting address; the process touches that
 *   page and submits the rest, until all is moved, as software is
 *   expected to.
 * Every result is checked.  Output lines are "pf KEY VALUE"; the exit
 * status is 0 only when every check passed.
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
#include <unistd.h>

#include "dsa-user.h"

#define PAGES   4
#define SIZE    (PAGES * 4096)

static int failures;

static void check(int ok, const char *what)
{
    printf("pf %s %s\n", what, ok ? "ok" : "FAILED");
    failures += !ok;
}

static uint8_t *fresh(void)
{
    void *p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (p == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    return p;
}

static int memmove_desc(struct comp *c, const void *src, void *dst,
                        uint32_t size, uint32_t flags)
{
    struct desc d;

    memset(&d, 0, sizeof(d));
    d.flags_opcode = (OP_MEMMOVE << 24) | F_CRAV | F_RCR | flags;
    d.completion_addr = (uintptr_t)c;
    d.src = (uintptr_t)src;
    d.dst = (uintptr_t)dst;
    d.xfer_size = size;
    memset((void *)c, 0, sizeof(*c));
    submit(&d);
    return wait_comp(c, 20.0);
}

int main(int argc, char **argv)
{
    struct comp *c = aligned_alloc(32, sizeof(*c));
    uint8_t *pattern = malloc(SIZE), *src, *dst;
    unsigned i, partial = 0, rounds = 0;
    uint32_t done = 0;
    int st;

    if (argc != 3) {
        fprintf(stderr, "usage: dsa-pf WQ-DEVICE dedicated|shared\n");
        return 2;
    }
    if (open_portal(argv[1], argv[2])) {
        return 1;
    }
    for (i = 0; i < SIZE; i++) {
        pattern[i] = i * 7 + 3;
    }
    memset((void *)c, 0, sizeof(*c));

    /* Block on fault, write faults: an untouched destination */
    dst = fresh();
    st = memmove_desc(c, pattern, dst, SIZE, F_BOF);
    printf("pf bof_write_status 0x%02x\n", st);
    check(st == ST_SUCCESS, "bof_write_completed");
    check(!memcmp(dst, pattern, SIZE), "bof_write_data");

    /* Block on fault, read faults: an untouched source (zeros) */
    src = fresh();
    st = memmove_desc(c, src, dst, SIZE, F_BOF);
    printf("pf bof_read_status 0x%02x\n", st);
    check(st == ST_SUCCESS, "bof_read_completed");
    for (i = 0; i < SIZE && dst[i] == 0; i++) {
    }
    check(i == SIZE, "bof_read_data");

    /* No block on fault: partial completions, software resolves them */
    dst = fresh();
    while (done < SIZE && rounds++ < 2 * PAGES + 2) {
        st = memmove_desc(c, pattern + done, dst + done, SIZE - done, 0);
        if (st == ST_SUCCESS) {
            done = SIZE;
            break;
        }
        printf("pf partial status 0x%02x bytes %u fault_addr_offset 0x%lx\n",
               st, c->bytes_completed,
               (unsigned long)(c->fault_addr - (uintptr_t)dst));
        if ((st & 0x3f) != ST_PAGE_FAULT || !(st & ST_WRITE) ||
            c->fault_addr != (uintptr_t)dst + done + c->bytes_completed) {
            break;
        }
        partial++;
        done += c->bytes_completed;
        dst[c->fault_addr - (uintptr_t)dst] = 0;   /* fault the page in */
    }
    printf("pf partial_completions %u\n", partial);
    check(done == SIZE && partial >= 1, "nobof_partial_then_completed");
    check(!memcmp(dst, pattern, SIZE), "nobof_data");
    return failures ? 1 : 0;
}
