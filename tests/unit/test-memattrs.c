/*
 * Unit tests for MemTxAttrs: the PCI PASID attributes fit in the
 * structure's 8 bytes without truncating the 20-bit PASID.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "exec/memattrs.h"

static void test_size(void)
{
    /* Passed by value everywhere: it must stay within 64 bits. */
    g_assert_cmpuint(sizeof(MemTxAttrs), <=, 8);
}

static void test_pasid_width(void)
{
    MemTxAttrs attrs = { .pid = 0xfffff, .pasid = 1 };
    unsigned int too_wide = 0x100000;

    g_assert_cmphex(attrs.pid, ==, 0xfffff);
    attrs.pid = 0x12345;
    g_assert_cmphex(attrs.pid, ==, 0x12345);
    /* 20 bits: a 21st bit does not survive (the PCIe PASID is 20 bits) */
    attrs.pid = too_wide;
    g_assert_cmphex(attrs.pid, ==, 0);
}

static void test_unspecified(void)
{
    MemTxAttrs attrs = MEMTXATTRS_UNSPECIFIED;

    g_assert_true(attrs.unspecified);
    g_assert_false(attrs.pasid);
    g_assert_cmphex(attrs.pid, ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/memattrs/size", test_size);
    g_test_add_func("/memattrs/pasid-width", test_pasid_width);
    g_test_add_func("/memattrs/unspecified", test_unspecified);
    return g_test_run();
}
