/*
 * qemu-sva x86_64 instruction tests on a named CPU model without the
 * features: the model is unchanged, and the instructions are #UD.
 * qsva-cpu: Skylake-Server
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qsva.h"

#define MSR_IA32_PASID 0xd93

static uint8_t buf[128] __attribute__((aligned(64)));

int main(void)
{
    uint32_t a, b, c, d;

    qsva_setup();
    diag("named CPU model: no MOVDIRI, MOVDIR64B, ENQCMD");
    cpuid(7, 0, &a, &b, &c, &d);
    ok_hex(c & (7u << 27), 0, "CPUID.7.0:ECX bits 27-29 clear");

    INSN("movdiri %1, (%0)", : : "r"(buf), "r"(1UL) : "memory");
    ok_fault(UD, 0, "MOVDIRI: #UD");
    INSN("movdir64b (%0), %1", : : "r"(buf), "r"(buf + 64) : "memory");
    ok_fault(UD, 0, "MOVDIR64B: #UD");
    INSN("enqcmd (%0), %1", : : "r"(buf), "r"(buf + 64) : "memory", "cc");
    ok_fault(UD, 0, "ENQCMD: #UD");
    INSN("enqcmds (%0), %1", : : "r"(buf), "r"(buf + 64) : "memory", "cc");
    ok_fault(UD, 0, "ENQCMDS: #UD");
    INSN("rdmsr", : : "c"(MSR_IA32_PASID) : "rax", "rdx");
    ok_fault(GP, 0, "RDMSR IA32_PASID: #GP(0)");
    return tests_done();
}
