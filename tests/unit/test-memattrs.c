/*
 * Unit tests for MemTxAttrs: the PCI PASID attributes fit beside the
 * others without truncation or overlap.
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

/* Setting every other field to all ones leaves the PASID fields alone. */
static void test_independent(void)
{
    MemTxAttrs attrs = {
        .secure = 1, .space = 3, .user = 1, .memory = 1, .debug = 1,
        .requester_id = 0xffff, .address_type = 1, .unspecified = true,
    };

    g_assert_cmphex(attrs.pid, ==, 0);
    g_assert_false(attrs.pasid);
    g_assert_false(attrs.priv);
    g_assert_false(attrs.exec);

    attrs = (MemTxAttrs) { .pid = 0xfffff, .pasid = 1, .priv = 1,
                           .exec = 1 };
    g_assert_cmphex(attrs.requester_id, ==, 0);
    g_assert_false(attrs.secure || attrs.space || attrs.user ||
                   attrs.memory || attrs.debug || attrs.address_type ||
                   attrs.unspecified);
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
    g_test_add_func("/memattrs/independent-fields", test_independent);
    g_test_add_func("/memattrs/unspecified", test_unspecified);
    return g_test_run();
}
