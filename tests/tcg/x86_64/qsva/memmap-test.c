/*
 * A CPU access through a TLB entry filled before a memory map change that
 * the same instruction made: it must reach the region the entry was filled
 * for (the CPU's old view of the map), never another region of the new map
 * and never an assertion in QEMU.
 *
 * One REP MOVSL does, with no TB boundary in between:
 *   1. read a RAM dword (the new BAR0 address of sva-testdev);
 *   2. write it to sva-testdev's BAR0 (ECAM): the BAR moves from above the
 *      HPET to below it, so QEMU commits a new memory map in which the
 *      HPET's section index has changed (in QEMU 10.2's map, its old
 *      index is then sva-testdev's);
 *   3. read the HPET's capabilities register through a TLB entry filled
 *      before step 2 (virtual page 101 of pt_4k, mapped to the HPET);
 *   4. write that value to the upper half of BAR0, where the test reads it
 *      back.
 * A second REP MOVSL unmaps the AHCI controller's ABAR and then reads
 * sva-testdev, moved to 4 GiB, the last region of the map: an index past
 * the end of the new map (QEMU 10.2 aborted: "iotlb_to_section: Assertion
 * `section_index < d->map.sections_nb' failed").
 * qsva-qemu: -device sva-testdev,addr=04.0
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qsva.h"

#define HPET_BASE       0xfed00000UL
#define HIGH_BAR        0xfef80000UL        /* free: above dmwr-testdev */
#define LOW_BAR         0xfec80000UL        /* free: above the IO-APIC */
#define DEV_FN          (4 << 3)            /* sva-testdev at 00:04.0 */
#define AHCI_FN         (0x1f << 3 | 2)     /* q35's ich9-ahci */
#define SVA_MAGIC       0x31415653          /* sva-testdev register 0 */
#define ABOVE_4G        0x100000000UL
#define SRC_PAGE        100                 /* RAM, then page 101: HPET */

static inline void outl(uint16_t port, uint32_t v)
{
    asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
    uint32_t v;

    asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static uint32_t cf8_read(int devfn, int reg)
{
    outl(0xcf8, 0x80000000u | devfn << 8 | reg);
    return inl(0xcfc);
}

static inline uint32_t rd32(uint64_t addr)
{
    /* volatile: a device register */
    return *(volatile uint32_t *)addr;
}

static inline void wr32(uint64_t addr, uint32_t v)
{
    /* volatile: a device register */
    *(volatile uint32_t *)addr = v;
}

static void rep_movsl(uint64_t dst, uint64_t src, uint64_t n)
{
    asm volatile("cld\n\trep movsl"
                 : "+c"(n), "+S"(src), "+D"(dst) : : "memory");
}

/*
 * The second case: remove a region below the last one of the map while
 * a TLB entry for the last one is live.
 */
static void test_past_the_end(uint64_t ecam, uint64_t cfg, uint32_t old_bar)
{
    uint64_t ahci = ecam + ((uint64_t)AHCI_FN << 12);
    uint64_t src = PAGE4K(SRC_PAGE + 1) - 4;
    uint32_t abar;

    ok_hex(rd32(ahci) & 0xffff, 0x8086, "ich9-ahci at 00:1f.2");
    abar = rd32(ahci + 0x24);
    ok(abar != 0, "its ABAR (BAR5) assigned");
    wr32(ahci + 4, rd32(ahci + 4) | 2);     /* memory decode on */

    /* sva-testdev's BAR0 at 4 GiB, page 101 mapped to it */
    wr32(cfg + 0x14, ABOVE_4G >> 32);
    wr32(cfg + 0x10, 0);
    pt_4k[SRC_PAGE + 1] = ABOVE_4G | PTE_P | PTE_W;
    invlpg(PAGE4K(SRC_PAGE + 1));
    wr32(src, 0);
    ok_hex(rd32(PAGE4K(SRC_PAGE + 1)), SVA_MAGIC,
           "sva-testdev at 4 GiB through page 101");

    /* ABAR := 0 (unmapped), then sva-testdev into PCI_CARDBUS_CIS (RO) */
    rep_movsl(ahci + 0x24, src, 2);
    ok_hex(rd32(ahci + 0x24), 0, "the first iteration unmapped the ABAR");
    ok_hex(rd32(PAGE4K(SRC_PAGE + 1)), SVA_MAGIC,
           "sva-testdev after the second iteration and the TLB flush");

    wr32(ahci + 0x24, abar);
    ok_hex(rd32(ahci + 0x24), abar, "ABAR restored");
    wr32(cfg + 0x14, 0);
    wr32(cfg + 0x10, old_bar);
}

int main(void)
{
    uint64_t ecam, cfg, src, bar_lo, bar_hi;
    uint32_t hpet_id, old_bar;

    qsva_setup();
    diag("a TLB entry filled before a memory map change in the same insn");

    /* q35 MCH PCIEXBAR (00:00.0 0x60), as SeaBIOS set it */
    ecam = cf8_read(0, 0x60) | (uint64_t)cf8_read(0, 0x64) << 32;
    ok(ecam & 1, "ECAM enabled by the firmware");
    ecam &= 0xfffffff0000000UL;
    cfg = ecam + ((uint64_t)DEV_FN << 12);
    ok_hex(rd32(cfg), 0x53561234, "sva-testdev at 00:04.0");
    ok_hex(rd32(cfg + 0x10) & 0xf, 4, "its BAR0: 64-bit memory");
    bar_lo = cfg + 0x10;
    bar_hi = cfg + 0x14;

    old_bar = rd32(bar_lo) & ~0xfu;
    ok(old_bar != 0 && rd32(bar_hi) == 0, "sva-testdev BAR0 assigned");
    wr32(cfg + 4, rd32(cfg + 4) | 2);       /* memory decode on */
    wr32(bar_lo, HIGH_BAR);
    ok_hex(rd32(bar_lo) & ~0xfu, HIGH_BAR, "BAR0 moved above the HPET");

    hpet_id = rd32(HPET_BASE);
    ok_hex(hpet_id >> 16, 0x8086, "HPET capabilities: vendor 8086");

    /* src: the last dword of page 100 (RAM), then page 101 -> HPET */
    pt_4k[SRC_PAGE + 1] = HPET_BASE | PTE_P | PTE_W;
    invlpg(PAGE4K(SRC_PAGE + 1));
    src = PAGE4K(SRC_PAGE + 1) - 4;
    wr32(src, LOW_BAR);
    /* fill the TLB entry for page 101 under the current map */
    ok_hex(rd32(PAGE4K(SRC_PAGE + 1)), hpet_id, "HPET through page 101");

    rep_movsl(bar_lo, src, 2);

    ok_hex(rd32(bar_lo) & ~0xfu, LOW_BAR,
           "the first iteration moved BAR0 below the HPET");
    ok_hex(rd32(bar_hi), hpet_id,
           "the second iteration read the HPET through the old TLB entry");
    ok_hex(rd32(PAGE4K(SRC_PAGE + 1)), hpet_id, "HPET after the TLB flush");

    /* put BAR0 back */
    wr32(bar_hi, 0);
    wr32(bar_lo, old_bar);
    ok_hex(rd32(bar_lo) & ~0xfu, old_bar, "BAR0 restored");

    test_past_the_end(ecam, cfg, old_bar);
    page_set(SRC_PAGE + 1, PTE_P | PTE_W | PTE_U);
    return tests_done();
}
