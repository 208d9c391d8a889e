/*
 * qtest for device trust in ACPI: the DMAR SATC structure and flags of
 * intel-iommu, and the "ExternalFacingPort" _DSD of pcie-root-port.
 *
 * The firmware (SeaBIOS) installs the tables; the test reads them from
 * guest memory, checks every checksum, decodes the DMAR, and decompiles
 * the DMAR and DSDT with iasl (acpica-tools) when it is installed.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bitops.h"
#include "libqtest.h"
#include "qsva-refused.h"
#include "boot-sector.h"
#include "acpi-utils.h"

#define RSDP_ADDR_INVALID   0x100000
#define DEV_PROPS_UUID      "daffd814-6eba-4d8c-8a91-bc9bbf4aa301"
#define DMAR_STRUCTS_OFFSET 48      /* header (36) + HAW, flags, reserved */

static char disk[] = "tests/iommu-trust-acpi-test-disk-XXXXXX";

typedef struct {
    uint8_t *dmar;
    uint32_t dmar_len;
    uint8_t *dsdt;
    uint32_t dsdt_len;
} Tables;

/* Boot the firmware and fetch DMAR and DSDT, checking every checksum. */
static void fetch_tables(const char *args, Tables *t)
{
    QTestState *qts;
    uint32_t rsdp_addr, rsdt_len, len;
    uint8_t rsdp[36];
    uint8_t *rsdt, *ent;

    memset(t, 0, sizeof(*t));
    qts = qtest_initf("-machine q35 -accel tcg -nodefaults "
                      "-drive id=hd0,if=none,file=%s,format=raw "
                      "-device ide-hd,drive=hd0 %s", disk, args);
    boot_sector_test(qts);
    rsdp_addr = acpi_find_rsdp_address(qts);
    g_assert_cmphex(rsdp_addr, <, RSDP_ADDR_INVALID);
    acpi_fetch_rsdp_table(qts, rsdp_addr, rsdp);
    g_assert_cmpint(acpi_calc_checksum(rsdp, 20), ==, 0);
    if (rsdp[15] >= 2) {   /* ACPI 2.0+: extended checksum */
        g_assert_cmpint(acpi_calc_checksum(rsdp, 36), ==, 0);
    }
    acpi_fetch_table(qts, &rsdt, &rsdt_len, &rsdp[16], 4, "RSDT", true);

    ACPI_FOREACH_RSDT_ENTRY(rsdt, rsdt_len, ent, 4) {
        uint8_t *table;

        /* acpi_fetch_table() asserts that the checksum is right. */
        acpi_fetch_table(qts, &table, &len, ent, 4, NULL, true);
        if (!memcmp(table, "DMAR", 4)) {
            t->dmar = table;
            t->dmar_len = len;
        } else if (!memcmp(table, "FACP", 4)) {
            acpi_fetch_table(qts, &t->dsdt, &t->dsdt_len,
                             &table[40 /* DSDT */], 4, "DSDT", true);
            g_free(table);
        } else {
            g_free(table);
        }
    }
    g_free(rsdt);
    g_assert(t->dsdt);
    qtest_quit(qts);
}

static void free_tables(Tables *t)
{
    g_free(t->dmar);
    g_free(t->dsdt);
}

/* The first DMAR remapping structure of @type, or NULL. */
static const uint8_t *dmar_find(const Tables *t, uint16_t type,
                                uint16_t *len)
{
    uint32_t off = DMAR_STRUCTS_OFFSET;

    g_assert(t->dmar);
    while (off + 4 <= t->dmar_len) {
        uint16_t ty = lduw_le_p(t->dmar + off);
        uint16_t l = lduw_le_p(t->dmar + off + 2);

        g_assert_cmpuint(l, >=, 4);
        g_assert_cmpuint(off + l, <=, t->dmar_len);
        if (ty == type) {
            *len = l;
            return t->dmar + off;
        }
        off += l;
    }
    return NULL;
}

/*
 * Decompile @aml with iasl and return the ASL text, or NULL (and a test
 * message) when iasl is not installed.
 */
static gchar *iasl_decompile(const uint8_t *aml, uint32_t len)
{
    g_autofree gchar *iasl = g_find_program_in_path("iasl");
    g_autofree gchar *dir = NULL;
    g_autofree gchar *amlf = NULL;
    g_autofree gchar *dslf = NULL;
    g_autoptr(GError) err = NULL;
    gchar *out = NULL, *text = NULL;
    gint status;

    if (!iasl) {
        g_test_message("iasl (acpica-tools) is not installed: "
                       "not decompiling");
        return NULL;
    }
    dir = g_dir_make_tmp("iommu-trust-XXXXXX", &err);
    g_assert_no_error(err);
    amlf = g_build_filename(dir, "table.dat", NULL);
    dslf = g_build_filename(dir, "table.dsl", NULL);
    g_assert(g_file_set_contents(amlf, (const gchar *)aml, len, &err));
    {
        const gchar *argv[] = { iasl, "-d", amlf, NULL };

        g_assert(g_spawn_sync(dir, (gchar **)argv, NULL,
                              G_SPAWN_STDOUT_TO_DEV_NULL |
                              G_SPAWN_STDERR_TO_DEV_NULL,
                              NULL, NULL, NULL, NULL, &status, &err));
    }
    g_assert_no_error(err);
    g_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_assert(g_file_get_contents(dslf, &text, NULL, &err));
    unlink(amlf);
    unlink(dslf);
    rmdir(dir);
    out = text;
    return out;
}

#define SATC_ARGS \
    "-device intel-iommu,intremap=on,x-scalable-mode=on,device-iotlb=on," \
    "satc=on "

static void test_satc_lists_integrated_ats_devices(void)
{
    Tables t;
    const uint8_t *satc, *drhd, *atsr;
    uint16_t len;
    g_autofree gchar *asl = NULL;

    /*
     * 00:05.0 is an ATS-capable integrated device, 00:06.0 an integrated
     * device without ATS, and the device behind root port 00:07.0 is not
     * integrated: only 00:05.0 belongs in the SATC.
     */
    fetch_tables(SATC_ARGS
                 "-device sva-testdev,addr=05.0 "
                 "-device sva-testdev,addr=06.0,ats=off,pri=off "
                 "-device pcie-root-port,id=rp0,addr=07.0,chassis=1 "
                 "-device sva-testdev,bus=rp0", &t);
    satc = dmar_find(&t, 5, &len);
    g_assert(satc);
    g_assert_cmpuint(len, ==, 8 + 8);
    g_assert_cmpuint(satc[4] & 1, ==, 1);           /* ATC_REQUIRED */
    g_assert_cmpuint(satc[5], ==, 0);               /* reserved */
    g_assert_cmpuint(lduw_le_p(satc + 6), ==, 0);   /* segment */
    /* one PCI endpoint scope: bus 0, path 05.0 */
    g_assert_cmpuint(satc[8], ==, 1);               /* type: endpoint */
    g_assert_cmpuint(satc[9], ==, 8);               /* length */
    g_assert_cmpuint(satc[12], ==, 0);              /* enumeration ID */
    g_assert_cmpuint(satc[13], ==, 0);              /* start bus */
    g_assert_cmpuint(satc[14], ==, 5);              /* device */
    g_assert_cmpuint(satc[15], ==, 0);              /* function */
    /* SATC comes after the DRHD and the ATSR (structure type order). */
    drhd = dmar_find(&t, 0, &len);
    atsr = dmar_find(&t, 2, &len);
    g_assert(drhd && drhd < satc);
    g_assert(atsr && atsr < satc);

    asl = iasl_decompile(t.dmar, t.dmar_len);
    if (asl) {
        /* Every iasl lists the DRHD; a 2021+ one also decodes the SATC. */
        g_assert(strstr(asl, "Hardware Unit Definition"));
        if (strstr(asl, "SoC Integrated Address Translation Cache")) {
            g_assert(strstr(asl, "ATC_REQUIRED") || strstr(asl, "Flags : 01"));
        } else {
            g_test_message("this iasl does not decode SATC structures");
        }
    }
    free_tables(&t);
}

static void test_satc_multiple_devices(void)
{
    Tables t;
    const uint8_t *satc;
    uint16_t len;

    fetch_tables(SATC_ARGS
                 "-device sva-testdev,addr=04.0 "
                 "-device sva-testdev,addr=09.0", &t);
    satc = dmar_find(&t, 5, &len);
    g_assert(satc);
    g_assert_cmpuint(len, ==, 8 + 2 * 8);
    g_assert_cmpuint(satc[8 + 6], ==, 4);
    g_assert_cmpuint(satc[16 + 6], ==, 9);
    free_tables(&t);
}

static void test_no_satc_by_default(void)
{
    Tables t;
    uint16_t len;

    fetch_tables("-device intel-iommu,intremap=on,x-scalable-mode=on,"
                 "device-iotlb=on -device sva-testdev,addr=05.0", &t);
    g_assert_null(dmar_find(&t, 5, &len));
    g_assert(dmar_find(&t, 0, &len));
    free_tables(&t);
}

static void test_platform_opt_in_flag(void)
{
    Tables t;

    fetch_tables("-device intel-iommu,intremap=on,platform-opt-in=on", &t);
    g_assert_cmpuint(t.dmar[37] & 0x4, ==, 0x4);    /* DMA_CTRL_OPT_IN */
    g_assert_cmpuint(t.dmar[37] & 0x1, ==, 0x1);    /* INTR_REMAP */
    free_tables(&t);

    fetch_tables("-device intel-iommu,intremap=on", &t);
    g_assert_cmpuint(t.dmar[37] & 0x4, ==, 0);
    free_tables(&t);
}

static void test_external_facing_dsd(void)
{
    Tables t;
    g_autofree gchar *asl = NULL;
    const char *port, *next, *dsd;

    fetch_tables("-device pcie-root-port,id=rp0,addr=07.0,chassis=1,"
                 "external-facing=on "
                 "-device pcie-root-port,id=rp1,addr=08.0,chassis=2 "
                 "-device sva-testdev,bus=rp0", &t);
    /* The raw AML has the property name. */
    g_assert(memmem(t.dsdt, t.dsdt_len, "ExternalFacingPort", 18));
    asl = iasl_decompile(t.dsdt, t.dsdt_len);
    if (asl) {
        /* Device S38 (00:07.0) holds the _DSD; S40 (00:08.0) does not. */
        port = strstr(asl, "Device (S38)");
        g_assert(port);
        next = strstr(port + 1, "Device (");
        dsd = strstr(port, "Name (_DSD, Package (0x02)");
        g_assert(dsd && (!next || dsd < next));
        g_assert(strstr(dsd, "ToUUID (\"" DEV_PROPS_UUID "\")"));
        g_assert(strstr(dsd, "\"ExternalFacingPort\","));
        port = strstr(asl, "Device (S40)");
        g_assert(port);
        next = strstr(port + 1, "Device (");
        dsd = strstr(port, "_DSD");
        g_assert(!dsd || (next && next < dsd));
        g_assert(g_strstr_len(asl, -1, "ExternalFacingPort") ==
                 g_strrstr(asl, "ExternalFacingPort"));
    }
    free_tables(&t);

    fetch_tables("-device pcie-root-port,id=rp0,addr=07.0,chassis=1", &t);
    g_assert_null(memmem(t.dsdt, t.dsdt_len, "ExternalFacingPort", 18));
    free_tables(&t);
}

/* Bad configurations are refused at start-up, naming the property. */
static void test_bad_configurations(void)
{
    qsva_expect_refused("-device intel-iommu,device-iotlb=on,satc=on",
                        "satc=on requires x-scalable-mode=on");
    qsva_expect_refused("-device intel-iommu,x-scalable-mode=on,satc=on",
                        "satc=on requires device-iotlb=on");
    qsva_expect_refused("-device pxb-pcie,id=pxb,bus_nr=0x80 "
                        "-device pcie-root-port,id=rp9,bus=pxb,chassis=9,"
                        "external-facing=on",
                        "rp9: external-facing=on needs a root port that is "
                        "cold-plugged on the main PCI Express root bus");
    qsva_expect_refused("-device sva-testdev,pasid-width=21",
                        "pasid-width must be 1 to 20");
    qsva_expect_refused("-device sva-testdev,pri=on,ats=off",
                        "pri=on needs ats=on");
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    if (!qtest_has_device("intel-iommu") || !qtest_has_device("sva-testdev")) {
        return 0;
    }
    ret = boot_sector_init(disk);
    if (ret) {
        return ret;
    }
    qtest_add_func("/iommu-trust/satc/integrated-ats-devices",
                   test_satc_lists_integrated_ats_devices);
    qtest_add_func("/iommu-trust/satc/multiple-devices",
                   test_satc_multiple_devices);
    qtest_add_func("/iommu-trust/satc/off-by-default",
                   test_no_satc_by_default);
    qtest_add_func("/iommu-trust/dmar/platform-opt-in",
                   test_platform_opt_in_flag);
    qtest_add_func("/iommu-trust/root-port/external-facing-dsd",
                   test_external_facing_dsd);
    qtest_add_func("/iommu-trust/bad-configurations",
                   test_bad_configurations);
    ret = g_test_run();
    boot_sector_cleanup(disk);
    return ret;
}
