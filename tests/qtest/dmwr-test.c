/*
 * qtest for block writes and deferrable memory writes (the memory API
 * behind MOVDIR64B, ENQCMD and ENQCMDS) with dmwr-testdev as the target.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "libqtest.h"

#define DEV_BASE        0xfef00000ULL
#define PORTAL          (DEV_BASE + 0x000)
#define CTRL            (DEV_BASE + 0x040)
#define CTRL_RETRY      1
#define CTRL_RESET      2
#define ACCEPTED        (DEV_BASE + 0x048)
#define RETRIED         (DEV_BASE + 0x050)
#define PLAIN           (DEV_BASE + 0x058)
#define LAST            (DEV_BASE + 0x060)
#define LAST_PASID      (1ULL << 20)
#define LAST_PRIV       (1ULL << 21)
#define LAST_DEFERRABLE (1ULL << 24)
#define LEGACY          (DEV_BASE + 0x800)
#define LEGACY_WRITES   (DEV_BASE + 0x840)
#define RAM_ADDR        0x100000ULL

static QTestState *start(void)
{
    QTestState *s = qtest_init("-M q35 -device dmwr-testdev");

    /* reset state, so that each test starts from zero counters */
    qtest_writel(s, CTRL, CTRL_RESET);
    return s;
}

/* A 64-byte payload whose first dword is @dw0 and whose rest is @seed. */
static void payload(uint8_t *buf, uint32_t dw0, uint8_t seed)
{
    int i;

    for (i = 0; i < 64; i++) {
        buf[i] = seed + i * 3;
    }
    stl_le_p(buf, dw0);
}

static void read_block(QTestState *s, uint64_t addr, uint8_t *buf)
{
    int i;

    for (i = 0; i < 64; i += 8) {
        stq_le_p(buf + i, qtest_readq(s, addr + i));
    }
}

static void test_block_write(void)
{
    QTestState *s = start();
    uint8_t in[64], out[64];

    payload(in, 0x12345678, 0x40);
    qtest_write_block(s, PORTAL, in, sizeof(in));
    read_block(s, PORTAL, out);
    g_assert(!memcmp(in, out, 64));
    g_assert_cmpuint(qtest_readq(s, ACCEPTED), ==, 1);
    g_assert_cmpuint(qtest_readq(s, PLAIN), ==, 0);
    /* no PASID, not deferrable, 64 bytes */
    g_assert_cmphex(qtest_readq(s, LAST), ==, 64ULL << 32);

    /* a direct store is not deferrable: RETRY does not refuse it */
    qtest_writel(s, CTRL, CTRL_RETRY);
    payload(in, 0xcafe, 0x80);
    qtest_write_block(s, PORTAL, in, sizeof(in));
    read_block(s, PORTAL, out);
    g_assert(!memcmp(in, out, 64));
    g_assert_cmpuint(qtest_readq(s, ACCEPTED), ==, 2);
    g_assert_cmpuint(qtest_readq(s, RETRIED), ==, 0);
    qtest_quit(s);
}

static void test_dmwr_accept_retry(void)
{
    QTestState *s = start();
    uint8_t in[64], out[64], refused[64];

    /* PASID 0xabcde, privileged */
    payload(in, 0x800abcde, 0x11);
    g_assert_true(qtest_dmwr(s, PORTAL, in, sizeof(in)));
    read_block(s, PORTAL, out);
    g_assert(!memcmp(in, out, 64));
    g_assert_cmpuint(qtest_readq(s, ACCEPTED), ==, 1);
    g_assert_cmphex(qtest_readq(s, LAST), ==,
                    (64ULL << 32) | LAST_DEFERRABLE | LAST_PRIV | LAST_PASID |
                    0xabcde);

    /* the device answers retry; nothing of the refused write lands */
    qtest_writel(s, CTRL, CTRL_RETRY);
    payload(refused, 0x00000001, 0x22);
    g_assert_false(qtest_dmwr(s, PORTAL, refused, sizeof(refused)));
    g_assert_false(qtest_dmwr(s, PORTAL, refused, sizeof(refused)));
    g_assert_cmpuint(qtest_readq(s, RETRIED), ==, 2);
    g_assert_cmpuint(qtest_readq(s, ACCEPTED), ==, 1);
    read_block(s, PORTAL, out);
    g_assert(!memcmp(in, out, 64));

    /* accepted again once the device has room; user PASID 1 */
    qtest_writel(s, CTRL, 0);
    g_assert_true(qtest_dmwr(s, PORTAL, refused, sizeof(refused)));
    read_block(s, PORTAL, out);
    g_assert(!memcmp(refused, out, 64));
    g_assert_cmphex(qtest_readq(s, LAST), ==,
                    (64ULL << 32) | LAST_DEFERRABLE | LAST_PASID | 1);
    g_assert_cmpuint(qtest_readq(s, PLAIN), ==, 0);
    qtest_quit(s);
}

/* The device refuses block writes outside its portal (decode error). */
static void test_outside_portal(void)
{
    QTestState *s = start();
    uint8_t in[64];

    payload(in, 5, 0x33);
    g_assert_false(qtest_dmwr(s, DEV_BASE + 0x400, in, sizeof(in)));
    qtest_write_block(s, DEV_BASE + 0x400, in, sizeof(in));
    g_assert_cmpuint(qtest_readq(s, ACCEPTED), ==, 0);
    g_assert_cmpuint(qtest_readq(s, RETRIED), ==, 0);
    qtest_quit(s);
}

/*
 * MMIO without write_block: a block write arrives as ordinary writes of the
 * largest size the region takes (8 bytes here), a deferrable one is not
 * accepted and writes nothing.
 */
static void test_legacy_mmio(void)
{
    QTestState *s = start();
    uint8_t in[64], out[64], other[64];

    payload(in, 0x01020304, 0x55);
    qtest_write_block(s, LEGACY, in, sizeof(in));
    read_block(s, LEGACY, out);
    g_assert(!memcmp(in, out, 64));
    g_assert_cmpuint(qtest_readq(s, LEGACY_WRITES), ==, 8);

    payload(other, 0x1, 0x66);
    g_assert_false(qtest_dmwr(s, LEGACY, other, sizeof(other)));
    g_assert_cmpuint(qtest_readq(s, LEGACY_WRITES), ==, 8);
    read_block(s, LEGACY, out);
    g_assert(!memcmp(in, out, 64));
    qtest_quit(s);
}

/* RAM: a block write is a plain 64-byte store, a deferrable one retries. */
static void test_ram(void)
{
    QTestState *s = start();
    uint8_t in[64], out[64], zero[64] = { 0 };

    qtest_memwrite(s, RAM_ADDR, zero, sizeof(zero));
    payload(in, 0x0badf00d, 0x77);
    g_assert_false(qtest_dmwr(s, RAM_ADDR, in, sizeof(in)));
    qtest_memread(s, RAM_ADDR, out, sizeof(out));
    g_assert(!memcmp(zero, out, 64));

    qtest_write_block(s, RAM_ADDR, in, sizeof(in));
    qtest_memread(s, RAM_ADDR, out, sizeof(out));
    g_assert(!memcmp(in, out, 64));

    /* nothing mapped there: not accepted */
    g_assert_false(qtest_dmwr(s, 0xfef10000ULL, in, sizeof(in)));
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (!qtest_has_device("dmwr-testdev")) {
        g_test_skip("dmwr-testdev is not built");
        return g_test_run();
    }
    qtest_add_func("/dmwr/block-write", test_block_write);
    qtest_add_func("/dmwr/accept-retry", test_dmwr_accept_retry);
    qtest_add_func("/dmwr/outside-portal", test_outside_portal);
    qtest_add_func("/dmwr/legacy-mmio", test_legacy_mmio);
    qtest_add_func("/dmwr/ram", test_ram);
    return g_test_run();
}
