/*
 * Intel DSA emulation: BAR0 registers, configuration tables and commands
 *
 * The registers are modelled as dwords; an 8-byte access is two dword
 * accesses, low half first.  Commands that must wait for descriptors in
 * flight (disable, drain, abort, reset) leave CMDSTS.Active set and are
 * completed from a bottom half once the engines are done with that work.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "hw/pci/msix.h"
#include "hw/dma/intel-dsa.h"
#include "trace.h"

static bool dsa_dev_enabled(IntelDSAState *s)
{
    return s->gensts == DSA_GENSTS_ENABLED;
}

static uint64_t dsa_gencap(void)
{
    return DSA_GENCAP_BOF | DSA_GENCAP_OVERLAP_COPY | DSA_GENCAP_CC_MEM |
           DSA_GENCAP_CC_CACHE | DSA_GENCAP_CMDCAP |
           ((uint64_t)DSA_MAX_XFER_SHIFT << DSA_GENCAP_MAX_XFER_SHIFT) |
           ((uint64_t)DSA_MAX_BATCH_SHIFT << DSA_GENCAP_MAX_BATCH_SHIFT) |
           DSA_GENCAP_CONFIG_EN;
}

static uint64_t dsa_wqcap(IntelDSAState *s)
{
    return s->total_wq_size |
           ((uint64_t)s->num_wqs << DSA_WQCAP_NUM_WQS_SHIFT) |
           DSA_WQCAP_SHARED | DSA_WQCAP_DEDICATED | DSA_WQCAP_PRIORITY;
}

static uint64_t dsa_grpcap(IntelDSAState *s)
{
    return s->num_groups | ((uint64_t)s->rdbufs << DSA_GRPCAP_RDBUFS_SHIFT) |
           DSA_GRPCAP_RDBUF_CTRL | DSA_GRPCAP_RDBUF_LIMIT;
}

static uint64_t dsa_table_offsets(IntelDSAState *s)
{
    return (uint64_t)(s->grpcfg_offset / DSA_TABLE_UNIT) |
           ((uint64_t)(s->wqcfg_offset / DSA_TABLE_UNIT) << 16) |
           ((uint64_t)(s->msix_perm_offset / DSA_TABLE_UNIT) << 32);
}

static void dsa_misc_interrupt(IntelDSAState *s, uint32_t cause)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    s->intcause |= cause;
    trace_intel_dsa_misc_interrupt(cause, s->intcause);
    if (msix_enabled(pdev)) {
        msix_notify(pdev, 0);
    }
}

void dsa_record_swerr(IntelDSAState *s, uint64_t info, uint16_t batch_idx,
                      uint64_t fault_addr)
{
    trace_intel_dsa_swerr(info, fault_addr);
    if (s->swerr[0] & DSA_SWERR_VALID) {
        s->swerr[0] |= DSA_SWERR_OVERFLOW;
    } else {
        s->swerr[0] = info | DSA_SWERR_VALID;
        s->swerr[1] = batch_idx;
        s->swerr[2] = fault_addr;
        s->swerr[3] = 0;
    }
    if (s->genctrl & DSA_GENCTRL_SWERR_INT_EN) {
        dsa_misc_interrupt(s, DSA_INTCAUSE_SWERR);
    }
}

static void dsa_wq_reset_state(IntelDSAWQ *wq)
{
    memset(wq->cfg, 0, sizeof(wq->cfg));
    wq->enabled = false;
}

/* Registers and tables to their reset values; the engines must be idle. */
void dsa_regs_reset(IntelDSAState *s)
{
    unsigned i;

    s->gencfg = 0;
    s->genctrl = 0;
    s->gensts = DSA_GENSTS_DISABLED;
    s->intcause = 0;
    s->cmd = 0;
    s->cmdsts = 0;
    memset(s->swerr, 0, sizeof(s->swerr));
    memset(s->grpcfg, 0, sizeof(s->grpcfg));

    qemu_mutex_lock(&s->lock);
    memset(s->msix_perm, 0, sizeof(s->msix_perm));
    memset(&s->pending_cmd, 0, sizeof(s->pending_cmd));
    for (i = 0; i < s->num_wqs; i++) {
        dsa_wq_discard_locked(&s->wqs[i], false, 0);
        s->wqs[i].accepting = false;
        dsa_wq_reset_state(&s->wqs[i]);
    }
    for (i = 0; i < s->num_engines; i++) {
        s->engines[i].group = -1;
    }
    qemu_mutex_unlock(&s->lock);
}

/* The group a WQ belongs to: -1 for none, -2 for more than one. */
static int dsa_wq_group(IntelDSAState *s, unsigned wq)
{
    int group = -1;
    unsigned g;

    for (g = 0; g < s->num_groups; g++) {
        if (s->grpcfg[g][DSA_GRPCFG_WQS / 8 + wq / 64] & (1ull << (wq % 64))) {
            if (group >= 0) {
                return -2;
            }
            group = g;
        }
    }
    return group;
}

static int dsa_engine_group(IntelDSAState *s, unsigned eng)
{
    int group = -1;
    unsigned g;

    for (g = 0; g < s->num_groups; g++) {
        if (s->grpcfg[g][DSA_GRPCFG_ENGINES / 8] & (1ull << eng)) {
            if (group >= 0) {
                return -2;
            }
            group = g;
        }
    }
    return group;
}

/* The checks of Enable Device; 0 when the configuration is usable. */
static uint8_t dsa_check_config(IntelDSAState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    uint32_t size_sum = 0, rsvd_sum = 0;
    unsigned g, i;

    if (!(pci_get_word(pdev->config + PCI_COMMAND) & PCI_COMMAND_MASTER)) {
        return DSA_CMDSTS_BUSMASTER_EN;
    }
    if ((s->gencfg & DSA_GENCFG_RDBUF_LIMIT_MASK) > s->rdbufs) {
        return DSA_CMDSTS_CONFIG;
    }
    for (i = 0; i < s->num_wqs; i++) {
        uint32_t size = s->wqs[i].cfg[0] & DSA_WQCFG0_SIZE_MASK;
        int group = dsa_wq_group(s, i);

        if (group == -2) {
            return DSA_CMDSTS_GRP_CONFIG;
        }
        if (size && group < 0) {
            return DSA_CMDSTS_CONFIG;
        }
        size_sum += size;
    }
    if (size_sum > s->total_wq_size) {
        return DSA_CMDSTS_WQ_SIZE_ERANGE;
    }
    for (i = 0; i < s->num_engines; i++) {
        if (dsa_engine_group(s, i) == -2) {
            return DSA_CMDSTS_GRP_CONFIG;
        }
    }
    for (g = 0; g < s->num_groups; g++) {
        uint64_t flags = s->grpcfg[g][DSA_GRPCFG_FLAGS / 8];
        uint32_t allowed = DSA_GRPFLAGS_RDBUF_ALLOWED(flags);
        bool has_wq = false;

        for (i = 0; i < DSA_GRPCFG_ENGINES / 8; i++) {
            has_wq |= s->grpcfg[g][i] != 0;
        }
        if (has_wq && !s->grpcfg[g][DSA_GRPCFG_ENGINES / 8]) {
            return DSA_CMDSTS_GRP_CONFIG2;
        }
        rsvd_sum += DSA_GRPFLAGS_RDBUF_RSVD(flags);
        if (allowed && allowed < DSA_GRPFLAGS_RDBUF_RSVD(flags)) {
            return DSA_CMDSTS_GRP_CONFIG4;
        }
    }
    if (rsvd_sum > s->rdbufs) {
        return DSA_CMDSTS_GRP_CONFIG3;
    }
    return DSA_CMDSTS_SUCCESS;
}

static uint8_t dsa_cmd_enable_device(IntelDSAState *s)
{
    uint8_t err;
    unsigned i;

    if (dsa_dev_enabled(s)) {
        return DSA_CMDSTS_DEV_ENABLED;
    }
    err = dsa_check_config(s);
    if (err) {
        return err;
    }
    qemu_mutex_lock(&s->lock);
    for (i = 0; i < s->num_engines; i++) {
        s->engines[i].group = dsa_engine_group(s, i);
    }
    qemu_mutex_unlock(&s->lock);
    s->gensts = DSA_GENSTS_ENABLED;
    return DSA_CMDSTS_SUCCESS;
}

/* The checks of Enable WQ. */
static uint8_t dsa_cmd_enable_wq(IntelDSAState *s, uint32_t idx)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    IntelDSAWQ *wq;
    uint32_t size, thresh, mode, xfer, batch;
    uint16_t pasid_ctrl = 0;

    if (idx >= s->num_wqs) {
        return DSA_CMDSTS_INVAL_WQIDX;
    }
    if (!dsa_dev_enabled(s)) {
        return DSA_CMDSTS_DEV_NOT_ENABLED;
    }
    wq = &s->wqs[idx];
    if (wq->enabled) {
        return DSA_CMDSTS_WQ_ENABLED;
    }
    size = wq->cfg[0] & DSA_WQCFG0_SIZE_MASK;
    thresh = wq->cfg[1] & DSA_WQCFG1_THRESH_MASK;
    mode = wq->cfg[2];
    xfer = wq->cfg[3] & DSA_WQCFG3_XFER_SHIFT_MASK;
    batch = (wq->cfg[3] & DSA_WQCFG3_BATCH_SHIFT_MASK) >>
            DSA_WQCFG3_BATCH_SHIFT_SHIFT;
    if (pcie_pasid_enabled(pdev)) {
        pasid_ctrl = pci_get_word(pdev->config + DSA_CFG_PASID_OFFSET +
                                  PCI_PASID_CTRL);
    }

    if (!size || dsa_wq_group(s, idx) < 0) {
        return DSA_CMDSTS_WQ_SIZE;
    }
    if (!(mode & DSA_WQCFG2_DEDICATED)) {
        /* Shared: PASIDs come with each request. */
        if (thresh > size) {
            return DSA_CMDSTS_WQ_SIZE;
        }
        if (!(pasid_ctrl & PCI_PASID_CTRL_ENABLE)) {
            return DSA_CMDSTS_PASID_EN;
        }
    } else if (mode & DSA_WQCFG2_PASID_EN) {
        if (!(pasid_ctrl & PCI_PASID_CTRL_ENABLE)) {
            return DSA_CMDSTS_PASID_EN;
        }
        if ((mode & DSA_WQCFG2_PRIV) && !(pasid_ctrl & PCI_PASID_CTRL_PRIV)) {
            return DSA_CMDSTS_PASID_EN;
        }
    }
    if (batch > DSA_MAX_BATCH_SHIFT) {
        return DSA_CMDSTS_MAX_BATCH_SIZE;
    }
    if (xfer > DSA_MAX_XFER_SHIFT) {
        return DSA_CMDSTS_MAX_XFER_SIZE;
    }

    wq->enabled = true;
    qemu_mutex_lock(&s->lock);
    dsa_wq_enable_locked(wq, dsa_wq_group(s, idx));
    qemu_mutex_unlock(&s->lock);
    return DSA_CMDSTS_SUCCESS;
}

static void dsa_cmd_finish(IntelDSAState *s, uint8_t status)
{
    uint32_t cmd = s->cmd;

    s->cmdsts = status;
    trace_intel_dsa_cmd_done((cmd >> DSA_CMD_CODE_SHIFT) & DSA_CMD_CODE_MASK,
                             cmd & DSA_CMD_OPERAND_MASK, status);
    if (status) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: command 0x%x failed: 0x%x\n",
                      TYPE_INTEL_DSA, cmd, status);
    }
    if (cmd & DSA_CMD_INT_REQ) {
        dsa_misc_interrupt(s, DSA_INTCAUSE_CMD);
    }
}

/* The state change of a waiting command, once its work is done. */
static void dsa_cmd_finalize(IntelDSAState *s)
{
    DSAPendingCmd *p = &s->pending_cmd;
    uint32_t cmd = p->cmd;
    uint32_t code = (cmd >> DSA_CMD_CODE_SHIFT) & DSA_CMD_CODE_MASK;
    unsigned i;

    switch (code) {
    case DSA_CMD_DISABLE_DEVICE:
        for (i = 0; i < s->num_wqs; i++) {
            s->wqs[i].enabled = false;
        }
        s->gensts = DSA_GENSTS_DISABLED;
        break;
    case DSA_CMD_RESET_DEVICE:
        dsa_regs_reset(s);
        s->cmd = cmd;
        break;
    case DSA_CMD_DISABLE_WQ:
    case DSA_CMD_RESET_WQ:
        for (i = 0; i < s->num_wqs; i++) {
            if (p->wait_mask & (1ull << i)) {
                s->wqs[i].enabled = false;
                if (code == DSA_CMD_RESET_WQ) {
                    /*
                     * The WQ Size cannot be written while the device is
                     * enabled, so Reset WQ keeps it: the driver rewrites
                     * the rest and enables the WQ again (Linux 6.13+
                     * disables a WQ with Drain WQ + Reset WQ).
                     */
                    uint32_t size = s->wqs[i].cfg[0] & DSA_WQCFG0_SIZE_MASK;

                    dsa_wq_reset_state(&s->wqs[i]);
                    s->wqs[i].cfg[0] = size;
                }
            }
        }
        break;
    default:
        break;
    }
    dsa_cmd_finish(s, DSA_CMDSTS_SUCCESS);
}

/* Start waiting for work in flight; completes at once when there is none. */
static void dsa_cmd_wait(IntelDSAState *s, uint64_t mask, bool all_epochs)
{
    bool done;

    s->cmdsts = DSA_CMDSTS_ACTIVE;
    qemu_mutex_lock(&s->lock);
    s->pending_cmd.cmd = s->cmd;
    s->pending_cmd.wait_mask = mask;
    s->pending_cmd.wait_all_epochs = all_epochs;
    /* Engines blocked on a page fault stop waiting for the page. */
    dsa_pri_abort_locked(s, mask);
    done = dsa_wq_cmd_done_locked(s);
    s->pending_cmd.active = !done;
    qemu_mutex_unlock(&s->lock);
    if (done) {
        dsa_cmd_finalize(s);
    } else {
        trace_intel_dsa_cmd_wait(s->cmd, mask);
    }
}

void dsa_cmd_complete_bh(void *opaque)
{
    IntelDSAState *s = opaque;
    bool done;

    qemu_mutex_lock(&s->lock);
    /* while the VM is stopped, completed when it runs again */
    done = !s->paused && s->pending_cmd.active && dsa_wq_cmd_done_locked(s);
    if (done) {
        s->pending_cmd.active = false;
    }
    qemu_mutex_unlock(&s->lock);
    if (done) {
        dsa_cmd_finalize(s);
    }
}

/*
 * The WQs named by the operand of Disable/Drain/Abort/Reset WQ: a bit per
 * WQ in bits 15:0, the set of 16 WQs in bits 19:16.  Returns false when
 * a bit names a WQ the device does not have.
 */
static bool dsa_wq_mask(IntelDSAState *s, uint32_t operand, uint64_t *mask)
{
    unsigned set = (operand >> 16) & 0xf;
    uint64_t bits = operand & 0xffff;

    if (!bits) {
        *mask = 0;
        return true;
    }
    if (set * 16 >= s->num_wqs ||
        (bits >> MIN(16, s->num_wqs - set * 16))) {
        return false;
    }
    *mask = bits << (set * 16);
    return true;
}

static uint64_t dsa_all_wqs(IntelDSAState *s)
{
    return s->num_wqs == 64 ? ~0ull : (1ull << s->num_wqs) - 1;
}

static void dsa_cmd_exec(IntelDSAState *s, uint32_t val)
{
    uint32_t code = (val >> DSA_CMD_CODE_SHIFT) & DSA_CMD_CODE_MASK;
    uint32_t operand = val & DSA_CMD_OPERAND_MASK;
    uint64_t mask = 0;
    uint8_t err = DSA_CMDSTS_SUCCESS;
    unsigned i;

    if (s->cmdsts & DSA_CMDSTS_ACTIVE) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: command 0x%x while another is "
                      "active: ignored\n", TYPE_INTEL_DSA, val);
        trace_intel_dsa_cmd_busy(val);
        return;
    }
    s->cmd = val;
    trace_intel_dsa_cmd(code, operand, !!(val & DSA_CMD_INT_REQ));

    switch (code) {
    case DSA_CMD_ENABLE_DEVICE:
        err = dsa_cmd_enable_device(s);
        break;
    case DSA_CMD_DISABLE_DEVICE:
        if (!dsa_dev_enabled(s)) {
            err = DSA_CMDSTS_DIS_DEV_NOT_ENABLED;
            break;
        }
        qemu_mutex_lock(&s->lock);
        for (i = 0; i < s->num_wqs; i++) {
            s->wqs[i].accepting = false;
        }
        qemu_mutex_unlock(&s->lock);
        dsa_cmd_wait(s, dsa_all_wqs(s), true);
        return;
    case DSA_CMD_DRAIN_ALL:
    case DSA_CMD_DRAIN_PASID:
    case DSA_CMD_ABORT_ALL:
    case DSA_CMD_ABORT_PASID:
        qemu_mutex_lock(&s->lock);
        for (i = 0; i < s->num_wqs; i++) {
            if (code == DSA_CMD_ABORT_ALL) {
                dsa_wq_discard_locked(&s->wqs[i], false, 0);
            } else if (code == DSA_CMD_ABORT_PASID) {
                dsa_wq_discard_locked(&s->wqs[i], true, operand);
            }
            dsa_wq_flip_epoch_locked(&s->wqs[i]);
        }
        qemu_mutex_unlock(&s->lock);
        dsa_cmd_wait(s, dsa_all_wqs(s), false);
        return;
    case DSA_CMD_RESET_DEVICE:
        qemu_mutex_lock(&s->lock);
        for (i = 0; i < s->num_wqs; i++) {
            s->wqs[i].accepting = false;
            dsa_wq_discard_locked(&s->wqs[i], false, 0);
        }
        qemu_mutex_unlock(&s->lock);
        dsa_cmd_wait(s, dsa_all_wqs(s), true);
        return;
    case DSA_CMD_ENABLE_WQ:
        err = dsa_cmd_enable_wq(s, operand);
        break;
    case DSA_CMD_DISABLE_WQ:
    case DSA_CMD_DRAIN_WQ:
    case DSA_CMD_ABORT_WQ:
    case DSA_CMD_RESET_WQ:
        if (!dsa_wq_mask(s, operand, &mask)) {
            err = DSA_CMDSTS_INVAL_WQIDX;
            break;
        }
        for (i = 0; i < s->num_wqs; i++) {
            if ((mask & (1ull << i)) && !s->wqs[i].enabled &&
                code != DSA_CMD_RESET_WQ) {
                err = DSA_CMDSTS_WQ_NOT_ENABLED;
            }
        }
        if (err) {
            break;
        }
        qemu_mutex_lock(&s->lock);
        for (i = 0; i < s->num_wqs; i++) {
            IntelDSAWQ *wq = &s->wqs[i];

            if (!(mask & (1ull << i))) {
                continue;
            }
            if (code == DSA_CMD_DISABLE_WQ || code == DSA_CMD_RESET_WQ) {
                wq->accepting = false;
            }
            if (code == DSA_CMD_ABORT_WQ || code == DSA_CMD_RESET_WQ) {
                dsa_wq_discard_locked(wq, false, 0);
            }
            dsa_wq_flip_epoch_locked(wq);
        }
        qemu_mutex_unlock(&s->lock);
        dsa_cmd_wait(s, mask, code != DSA_CMD_DRAIN_WQ);
        return;
    default:
        /* Including Request/Release Interrupt Handle: not in CMDCAP. */
        qemu_log_mask(LOG_GUEST_ERROR, "%s: unsupported command %u\n",
                      TYPE_INTEL_DSA, code);
        trace_intel_dsa_cmd_invalid(code);
        err = DSA_CMDSTS_INVAL_CMD;
        break;
    }
    dsa_cmd_finish(s, err);
}

uint32_t dsa_wqcfg_read(IntelDSAState *s, unsigned idx, unsigned dword)
{
    IntelDSAWQ *wq = &s->wqs[idx];
    uint32_t val;

    if (dword != 6) {
        return wq->cfg[dword];
    }
    qemu_mutex_lock(&s->lock);
    val = MIN(wq->count, DSA_WQCFG6_OCCUPANCY_MASK);
    qemu_mutex_unlock(&s->lock);
    if (wq->enabled) {
        val |= DSA_WQ_STATE_ENABLED << DSA_WQCFG6_STATE_SHIFT;
    }
    return val;
}

static void dsa_wqcfg_write(IntelDSAState *s, unsigned idx, unsigned dword,
                            uint32_t val)
{
    IntelDSAWQ *wq = &s->wqs[idx];
    static const uint32_t masks[DSA_WQCFG_DWORDS] = {
        [0] = DSA_WQCFG0_SIZE_MASK,
        [1] = DSA_WQCFG1_THRESH_MASK,
        [2] = DSA_WQCFG2_MASK,
        [3] = DSA_WQCFG3_MASK,
    };

    if (!masks[dword]) {
        /* Read-only occupancy and state, reserved dwords. */
        if (val != dsa_wqcfg_read(s, idx, dword)) {
            trace_intel_dsa_wqcfg_ro(idx, dword, val);
        }
        return;
    }
    if (wq->enabled) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: WQCFG of enabled WQ %u written: "
                      "ignored\n", TYPE_INTEL_DSA, idx);
        trace_intel_dsa_wqcfg_locked(idx, dword, val, "WQ enabled");
        return;
    }
    if (dword == 0 && dsa_dev_enabled(s)) {
        trace_intel_dsa_wqcfg_locked(idx, dword, val, "device enabled");
        return;
    }
    if (val & ~masks[dword]) {
        trace_intel_dsa_reserved_bits(s->wqcfg_offset + idx * DSA_WQCFG_SIZE +
                                      dword * 4, val & ~masks[dword]);
    }
    wq->cfg[dword] = val & masks[dword];
    trace_intel_dsa_wqcfg_write(idx, dword, wq->cfg[dword]);
}

static uint64_t dsa_grpcfg_mask(IntelDSAState *s, unsigned qword)
{
    if (qword < DSA_GRPCFG_ENGINES / 8) {
        unsigned first = qword * 64;

        if (first >= s->num_wqs) {
            return 0;
        }
        return s->num_wqs - first >= 64 ? ~0ull :
               (1ull << (s->num_wqs - first)) - 1;
    }
    if (qword == DSA_GRPCFG_ENGINES / 8) {
        return (1ull << s->num_engines) - 1;
    }
    if (qword == DSA_GRPCFG_FLAGS / 8) {
        return DSA_GRPFLAGS_MASK;
    }
    return 0;
}

static uint32_t dsa_read32(IntelDSAState *s, hwaddr addr)
{
    unsigned hi = (addr & 4) ? 32 : 0;
    hwaddr q = addr & ~7ull;

    if (addr >= s->grpcfg_offset &&
        addr < s->grpcfg_offset + s->num_groups * DSA_GRPCFG_SIZE) {
        hwaddr off = addr - s->grpcfg_offset;

        return s->grpcfg[off / DSA_GRPCFG_SIZE][(off % DSA_GRPCFG_SIZE) / 8]
               >> hi;
    }
    if (addr >= s->wqcfg_offset &&
        addr < s->wqcfg_offset + s->num_wqs * DSA_WQCFG_SIZE) {
        hwaddr off = addr - s->wqcfg_offset;

        return dsa_wqcfg_read(s, off / DSA_WQCFG_SIZE,
                              (off % DSA_WQCFG_SIZE) / 4);
    }
    if (addr >= s->msix_perm_offset &&
        addr < s->msix_perm_offset + s->num_vectors * DSA_MSIXPERM_SIZE) {
        hwaddr off = addr - s->msix_perm_offset;

        return hi ? 0 : s->msix_perm[off / DSA_MSIXPERM_SIZE];
    }

    switch (q) {
    case DSA_REG_VERSION:
        return hi ? 0 : DSA_VERSION_1_0;
    case DSA_REG_GENCAP:
        return dsa_gencap() >> hi;
    case DSA_REG_WQCAP:
        return dsa_wqcap(s) >> hi;
    case DSA_REG_GRPCAP:
        return dsa_grpcap(s) >> hi;
    case DSA_REG_ENGCAP:
        return hi ? 0 : s->num_engines;
    case DSA_REG_OPCAP ... DSA_REG_OPCAP + 24:
        return s->opcap[(q - DSA_REG_OPCAP) / 8] >> hi;
    case DSA_REG_TABLE_OFFSET:
        return dsa_table_offsets(s) >> hi;
    case DSA_REG_TABLE_OFFSET + 8:
        return 0;       /* no performance monitoring */
    case DSA_REG_GENCFG:
        return hi ? 0 : s->gencfg;
    case DSA_REG_GENCTRL:
        return hi ? 0 : s->genctrl;
    case DSA_REG_GENSTS:
        return hi ? 0 : s->gensts;
    case DSA_REG_INTCAUSE:
        return hi ? 0 : s->intcause;
    case DSA_REG_CMD:
        return hi ? 0 : s->cmd;
    case DSA_REG_CMDSTS:
        return hi ? 0 : s->cmdsts;
    case DSA_REG_CMDCAP:
        return hi ? 0 : DSA_CMDCAP_VALUE;
    case DSA_REG_SWERR ... DSA_REG_SWERR + 24:
        return s->swerr[(q - DSA_REG_SWERR) / 8] >> hi;
    default:
        trace_intel_dsa_bad_access("read", addr);
        return 0;
    }
}

static void dsa_write32(IntelDSAState *s, hwaddr addr, uint32_t val)
{
    hwaddr q = addr & ~7ull;

    if (addr >= s->grpcfg_offset &&
        addr < s->grpcfg_offset + s->num_groups * DSA_GRPCFG_SIZE) {
        hwaddr off = addr - s->grpcfg_offset;
        unsigned g = off / DSA_GRPCFG_SIZE;
        unsigned qw = (off % DSA_GRPCFG_SIZE) / 8;
        unsigned shift = (addr & 4) ? 32 : 0;
        uint64_t m = dsa_grpcfg_mask(s, qw) & (0xffffffffull << shift);
        uint64_t v = (uint64_t)val << shift;

        if (dsa_dev_enabled(s)) {
            trace_intel_dsa_grpcfg_locked(g, off % DSA_GRPCFG_SIZE, val);
            return;
        }
        if (v & ~m & (0xffffffffull << shift)) {
            trace_intel_dsa_reserved_bits(addr, val);
        }
        s->grpcfg[g][qw] = (s->grpcfg[g][qw] & ~m) | (v & m);
        return;
    }
    if (addr >= s->wqcfg_offset &&
        addr < s->wqcfg_offset + s->num_wqs * DSA_WQCFG_SIZE) {
        hwaddr off = addr - s->wqcfg_offset;

        dsa_wqcfg_write(s, off / DSA_WQCFG_SIZE, (off % DSA_WQCFG_SIZE) / 4,
                        val);
        return;
    }
    if (addr >= s->msix_perm_offset &&
        addr < s->msix_perm_offset + s->num_vectors * DSA_MSIXPERM_SIZE) {
        hwaddr off = addr - s->msix_perm_offset;

        if (addr & 4) {
            if (val) {
                trace_intel_dsa_reserved_bits(addr, val);
            }
            return;
        }
        if (val & ~DSA_MSIXPERM_MASK) {
            trace_intel_dsa_reserved_bits(addr, val & ~DSA_MSIXPERM_MASK);
        }
        qemu_mutex_lock(&s->lock);
        s->msix_perm[off / DSA_MSIXPERM_SIZE] = val & DSA_MSIXPERM_MASK;
        qemu_mutex_unlock(&s->lock);
        return;
    }

    switch (addr) {
    case DSA_REG_GENCFG:
        if (dsa_dev_enabled(s)) {
            qemu_log_mask(LOG_GUEST_ERROR, "%s: GENCFG written while the "
                          "device is enabled: ignored\n", TYPE_INTEL_DSA);
            trace_intel_dsa_gencfg_locked(val);
            return;
        }
        if (val & ~DSA_GENCFG_MASK) {
            trace_intel_dsa_reserved_bits(addr, val & ~DSA_GENCFG_MASK);
        }
        s->gencfg = val & DSA_GENCFG_MASK;
        return;
    case DSA_REG_GENCTRL:
        if (val & ~DSA_GENCTRL_MASK) {
            trace_intel_dsa_reserved_bits(addr, val & ~DSA_GENCTRL_MASK);
        }
        s->genctrl = val & DSA_GENCTRL_MASK;
        return;
    case DSA_REG_INTCAUSE:
        s->intcause &= ~(val & DSA_INTCAUSE_MASK);
        return;
    case DSA_REG_CMD:
        dsa_cmd_exec(s, val);
        return;
    case DSA_REG_SWERR:
        /* Valid and Overflow are write-1-to-clear. */
        s->swerr[0] &= ~(val & (DSA_SWERR_VALID | DSA_SWERR_OVERFLOW));
        return;
    default:
        break;
    }
    if (q == DSA_REG_SWERR || (addr & 4)) {
        if (val) {
            trace_intel_dsa_bad_access("write", addr);
        }
        return;
    }
    qemu_log_mask(LOG_GUEST_ERROR, "%s: write to read-only or unknown "
                  "register 0x%" HWADDR_PRIx "\n", TYPE_INTEL_DSA, addr);
    trace_intel_dsa_bad_access("write", addr);
}

uint64_t dsa_regs_read(void *opaque, hwaddr addr, unsigned size)
{
    IntelDSAState *s = opaque;
    uint64_t val;

    if (size == 8) {
        val = dsa_read32(s, addr) |
              ((uint64_t)dsa_read32(s, addr + 4) << 32);
    } else {
        val = dsa_read32(s, addr);
    }
    trace_intel_dsa_reg_read(addr, size, val);
    return val;
}

void dsa_regs_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    IntelDSAState *s = opaque;

    trace_intel_dsa_reg_write(addr, size, val);
    dsa_write32(s, addr, val);
    if (size == 8) {
        dsa_write32(s, addr + 4, val >> 32);
    }
}
