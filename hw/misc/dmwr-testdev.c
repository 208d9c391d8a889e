/*
 * dmwr-testdev: an MMIO target for block writes and deferrable writes
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A test device (not in any default machine) for MOVDIR64B, ENQCMD and
 * ENQCMDS and for the memory API behind them (MemoryRegionOps.write_block,
 * address_space_write_block(), address_space_write_deferrable()).  It maps
 * one page of MMIO at the "addr" property (default 0xfef00000):
 *
 *   0x000-0x03f  PORTAL: implements write_block.  A block write there is
 *                recorded (data, attributes, size); a deferrable one is
 *                answered "retry" while CTRL.RETRY is set.  Reading returns
 *                the last accepted block.  Ordinary writes are counted in
 *                PLAIN and otherwise ignored.  A block write anywhere else
 *                in the page gets MEMTX_DECODE_ERROR.
 *   0x040  CTRL      bit 0 RETRY: refuse deferrable writes;
 *                    bit 1 RESET (write 1): clear counters and data
 *   0x048  ACCEPTED  block writes accepted (deferrable or not)
 *   0x050  RETRIED   deferrable writes answered "retry"
 *   0x058  PLAIN     ordinary writes to the portal
 *   0x060  LAST      attributes of the last accepted block write: bits 19:0
 *                    PASID, 20 PASID present, 21 privileged, 24 deferrable,
 *                    bits 39:32 size
 *   0x800-0x83f  LEGACY: an MMIO window without write_block; keeps what
 *                ordinary writes store there
 *   0x840  LEGACY_WRITES  number of ordinary writes to LEGACY
 *
 * Registers are 32 or 64 bits wide, little endian.
 */

#include "qemu/osdep.h"
#include "qemu/module.h"
#include "qapi/error.h"
#include "hw/isa/isa.h"
#include "hw/qdev-properties.h"
#include "system/memory.h"
#include "qom/object.h"
#include "trace.h"

#define TYPE_DMWR_TESTDEV "dmwr-testdev"
OBJECT_DECLARE_SIMPLE_TYPE(DmwrTestdev, DMWR_TESTDEV)

#define DMWR_PORTAL         0x000
#define DMWR_BLOCK          64
#define DMWR_CTRL           0x040
#define DMWR_CTRL_RETRY     (1u << 0)
#define DMWR_CTRL_RESET     (1u << 1)
#define DMWR_ACCEPTED       0x048
#define DMWR_RETRIED        0x050
#define DMWR_PLAIN          0x058
#define DMWR_LAST           0x060
#define DMWR_LEGACY         0x800
#define DMWR_LEGACY_WRITES  0x840
#define DMWR_SIZE           0x1000

struct DmwrTestdev {
    ISADevice parent_obj;

    MemoryRegion mmio;
    MemoryRegion legacy_mmio;
    uint64_t addr;

    uint8_t block[DMWR_BLOCK];
    uint8_t legacy[DMWR_BLOCK];
    uint32_t ctrl;
    uint64_t accepted;
    uint64_t retried;
    uint64_t plain;
    uint64_t last;
    uint64_t legacy_writes;
};

static void dmwr_reset_state(DmwrTestdev *s)
{
    memset(s->block, 0, sizeof(s->block));
    memset(s->legacy, 0, sizeof(s->legacy));
    s->ctrl = 0;
    s->accepted = s->retried = s->plain = s->last = s->legacy_writes = 0;
}

static uint64_t dmwr_read(void *opaque, hwaddr addr, unsigned size)
{
    DmwrTestdev *s = opaque;
    uint64_t val = 0;

    if (addr < DMWR_PORTAL + DMWR_BLOCK) {
        return ldn_le_p(&s->block[addr], size);
    }
    if (addr >= DMWR_LEGACY && addr < DMWR_LEGACY + DMWR_BLOCK) {
        return ldn_le_p(&s->legacy[addr - DMWR_LEGACY], size);
    }
    switch (addr & ~7ULL) {
    case DMWR_CTRL:
        val = s->ctrl;
        break;
    case DMWR_ACCEPTED:
        val = s->accepted;
        break;
    case DMWR_RETRIED:
        val = s->retried;
        break;
    case DMWR_PLAIN:
        val = s->plain;
        break;
    case DMWR_LAST:
        val = s->last;
        break;
    case DMWR_LEGACY_WRITES:
        val = s->legacy_writes;
        break;
    }
    if (addr & 4) {
        val >>= 32;
    }
    return size == 8 ? val : (uint32_t)val;
}

static void dmwr_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    DmwrTestdev *s = opaque;

    if (addr < DMWR_PORTAL + DMWR_BLOCK) {
        s->plain++;
        return;
    }
    if (addr >= DMWR_LEGACY && addr < DMWR_LEGACY + DMWR_BLOCK) {
        stn_le_p(&s->legacy[addr - DMWR_LEGACY], size, val);
        s->legacy_writes++;
        return;
    }
    if (addr == DMWR_CTRL) {
        if (val & DMWR_CTRL_RESET) {
            dmwr_reset_state(s);
        }
        s->ctrl = val & DMWR_CTRL_RETRY;
    }
}

static MemTxResult dmwr_write_block(void *opaque, hwaddr addr,
                                    const void *buf, unsigned size,
                                    bool deferrable, MemTxAttrs attrs)
{
    DmwrTestdev *s = opaque;

    if (addr != DMWR_PORTAL || size != DMWR_BLOCK) {
        trace_dmwr_testdev_refused(addr, size);
        return MEMTX_DECODE_ERROR;
    }
    if (deferrable && (s->ctrl & DMWR_CTRL_RETRY)) {
        s->retried++;
        trace_dmwr_testdev_block(size, deferrable, attrs.pid, false);
        return MEMTX_RETRY;
    }
    memcpy(s->block, buf, size);
    s->accepted++;
    s->last = attrs.pid | (uint64_t)attrs.pasid << 20 |
              (uint64_t)attrs.priv << 21 | (uint64_t)deferrable << 24 |
              (uint64_t)size << 32;
    trace_dmwr_testdev_block(size, deferrable, attrs.pid, true);
    return MEMTX_OK;
}

static const MemoryRegionOps dmwr_ops = {
    .read = dmwr_read,
    .write = dmwr_write,
    .write_block = dmwr_write_block,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid.min_access_size = 4,
    .valid.max_access_size = 8,
    .impl.min_access_size = 4,
    .impl.max_access_size = 8,
};

static void dmwr_legacy_write(void *opaque, hwaddr addr, uint64_t val,
                              unsigned size)
{
    dmwr_write(opaque, addr + DMWR_LEGACY, val, size);
}

static uint64_t dmwr_legacy_read(void *opaque, hwaddr addr, unsigned size)
{
    return dmwr_read(opaque, addr + DMWR_LEGACY, size);
}

/* The second half of the page: no write_block. */
static const MemoryRegionOps dmwr_legacy_ops = {
    .read = dmwr_legacy_read,
    .write = dmwr_legacy_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid.min_access_size = 4,
    .valid.max_access_size = 8,
    .impl.min_access_size = 4,
    .impl.max_access_size = 8,
};

static void dmwr_realize(DeviceState *dev, Error **errp)
{
    DmwrTestdev *s = DMWR_TESTDEV(dev);
    MemoryRegion *space = isa_address_space(ISA_DEVICE(dev));

    if (s->addr & (DMWR_SIZE - 1)) {
        error_setg(errp, "dmwr-testdev: addr must be 4 KiB aligned");
        return;
    }
    memory_region_init_io(&s->mmio, OBJECT(dev), &dmwr_ops, s,
                          "dmwr-testdev", DMWR_LEGACY);
    memory_region_init_io(&s->legacy_mmio, OBJECT(dev), &dmwr_legacy_ops, s,
                          "dmwr-testdev-legacy", DMWR_SIZE - DMWR_LEGACY);
    memory_region_add_subregion_overlap(space, s->addr, &s->mmio, 1);
    memory_region_add_subregion_overlap(space, s->addr + DMWR_LEGACY,
                                        &s->legacy_mmio, 1);
}

static void dmwr_reset(DeviceState *dev)
{
    dmwr_reset_state(DMWR_TESTDEV(dev));
}

static const Property dmwr_properties[] = {
    DEFINE_PROP_UINT64("addr", DmwrTestdev, addr, 0xfef00000),
};

static void dmwr_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->realize = dmwr_realize;
    device_class_set_legacy_reset(dc, dmwr_reset);
    device_class_set_props(dc, dmwr_properties);
    dc->desc = "MMIO target for block and deferrable writes (test)";
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo dmwr_info = {
    .name          = TYPE_DMWR_TESTDEV,
    .parent        = TYPE_ISA_DEVICE,
    .instance_size = sizeof(DmwrTestdev),
    .class_init    = dmwr_class_init,
};

static void dmwr_register_types(void)
{
    type_register_static(&dmwr_info);
}

type_init(dmwr_register_types)
