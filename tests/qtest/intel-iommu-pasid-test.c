/*
 * qtest for intel-iommu PASID capabilities: the pasid-bits property and
 * what ECAP reports for it.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qsva-refused.h"
#include "hw/i386/intel_iommu_internal.h"

#define SM_ARGS "-M q35 -device intel-iommu,x-scalable-mode=on,x-flts=on"

static uint64_t ecap_of(const char *iommu_opts)
{
    QTestState *s = qtest_initf(SM_ARGS "%s", iommu_opts);
    uint64_t ecap = qtest_readq(s, Q35_HOST_BRIDGE_IOMMU_ADDR +
                                DMAR_ECAP_REG);

    qtest_quit(s);
    return ecap;
}

/* The PASID width the ECAP advertises: PSS + 1, or 0 without PASID. */
static unsigned pasid_width(uint64_t ecap)
{
    if (!(ecap & VTD_ECAP_PASID)) {
        g_assert_cmphex(ecap & VTD_ECAP_PSS_MASK, ==, 0);
        return 0;
    }
    return ((ecap & VTD_ECAP_PSS_MASK) >> 35) + 1;
}

static void test_no_pasid(void)
{
    g_assert_cmpuint(pasid_width(ecap_of("")), ==, 0);
}

static void test_pasid_mode_is_20_bits(void)
{
    g_assert_cmpuint(pasid_width(ecap_of(",x-pasid-mode=on")), ==, 20);
}

static void test_pasid_bits(void)
{
    g_assert_cmpuint(pasid_width(ecap_of(",pasid-bits=20")), ==, 20);
    g_assert_cmpuint(pasid_width(ecap_of(",pasid-bits=8")), ==, 8);
    g_assert_cmpuint(pasid_width(ecap_of(",pasid-bits=1")), ==, 1);
    g_assert_cmpuint(pasid_width(ecap_of(",x-pasid-mode=on,pasid-bits=12")),
                     ==, 12);
}

static void test_bad_pasid_bits(void)
{
    qsva_expect_refused("-device intel-iommu,x-scalable-mode=on,"
                        "pasid-bits=21",
                        "pasid-bits=21: at most 20 bits are supported");
    qsva_expect_refused("-device intel-iommu,pasid-bits=20",
                        "Need to set scalable mode for PASID");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/q35/intel-iommu/pasid/none", test_no_pasid);
    qtest_add_func("/q35/intel-iommu/pasid/x-pasid-mode",
                   test_pasid_mode_is_20_bits);
    qtest_add_func("/q35/intel-iommu/pasid/pasid-bits", test_pasid_bits);
    qtest_add_func("/q35/intel-iommu/pasid/bad-pasid-bits",
                   test_bad_pasid_bits);
    return g_test_run();
}
