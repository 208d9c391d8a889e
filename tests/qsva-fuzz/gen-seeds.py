#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Seed inputs for qemu-sva's generic-fuzz targets (generic-fuzz-qsva-*).

Each seed is a sequence of operations that drives a device the way a
driver does (configure, enable, submit, translate), so that the fuzzer
starts from inputs that reach the descriptor engines and the IOMMU's
translation paths, not only register decoding.  The same sequence is
written in two forms:

  corpus/TARGET/NAME       generic-fuzz's input format (libFuzzer corpus)
  --qtest DIR: DIR/TARGET-NAME.qtest, the equivalent qtest commands with
               the BAR and ECAM programming generic-fuzz does itself, so
               that the normal build can replay them (qemu -qtest stdio)

Usage: gen-seeds.py [--corpus DIR] [--qtest DIR] [--args DIR]
"""

import argparse
import os
import struct

SEP = b"FUZZ"
# generic_fuzz.c's enum cmds
OP_READ, OP_WRITE, OP_PCI_WRITE, OP_CLOCK_STEP = 2, 3, 5, 9
OP_WRITE_BLOCK, OP_DMWR, OP_PCIE_WRITE, OP_MEMWRITE = 10, 11, 12, 13

ECAM = 0xb0000000
IOMMU = 0xfed90000
BAR_BASE = 0xe0000000           # libqos' first PCI memory address

# The generic-fuzz-qsva-* configurations (generic_fuzz_configs.h)
IOMMU_ARGS = ("-machine q35 -nodefaults -m 512M -device intel-iommu,"
              "x-scalable-mode=on,x-flts=on,x-pasid-mode=on,"
              "device-iotlb=on,svm=on,aw-bits=48 ")
TARGETS = {
    "intel-dsa": IOMMU_ARGS + "-device intel-dsa,addr=05.0",
    "sva-testdev": IOMMU_ARGS + "-device sva-testdev,addr=05.0",
    "dmwr-testdev": "-machine q35 -nodefaults -device dmwr-testdev",
    "intel-iommu": IOMMU_ARGS + "-device sva-testdev,addr=05.0 "
                   "-device intel-dsa,addr=06.0",
}

# Fuzzable MMIO regions of each target, in generic-fuzz's index order
# (ascending address in the system memory map): (start, size)
REGIONS = {
    "intel-dsa": [(0xe0000000, 0x2000), (0xe0002000, 0x90),
                  (0xe0003000, 0x8)] +
                 [(0xe0020000 + i * 0x4000, 0x4000) for i in range(8)] +
                 [(IOMMU, 0x230)],
    "sva-testdev": [(0xe0000000, 0x1000), (IOMMU, 0x230)],
    "dmwr-testdev": [(0xfef00000, 0x800), (0xfef00800, 0x800)],
    "intel-iommu": [(IOMMU, 0x230)],
}
# PCI devices generic-fuzz maps, BARs (index, size, 64-bit) in order
PCI_DEVS = {
    "intel-dsa": [(5 << 3, [(0, 0x10000), (2, 0x20000)])],
    "sva-testdev": [(5 << 3, [(0, 0x1000)])],
    "dmwr-testdev": [],
    "intel-iommu": [],
}


class Seed:
    def __init__(self, target):
        self.target = target
        self.ops = []           # generic-fuzz commands
        self.qtest = []         # the same as qtest commands

    def _region(self, addr):
        for i, (start, size) in enumerate(REGIONS[self.target]):
            if start <= addr < start + size:
                return i, addr - start
        raise ValueError("0x%x is in no fuzzable region of %s" %
                         (addr, self.target))

    def write(self, addr, value, size=4):
        base, off = self._region(addr)
        code = {1: 0, 2: 1, 4: 2, 8: 3}[size]
        self.ops.append(bytes([OP_WRITE]) +
                        struct.pack("<BBxxIQ", code, base, off, value))
        self.qtest.append("write%s 0x%x 0x%x" % ("bwlq"[code], addr, value))

    def read(self, addr, size=4):
        base, off = self._region(addr)
        code = {1: 0, 2: 1, 4: 2, 8: 3}[size]
        self.ops.append(bytes([OP_READ]) +
                        struct.pack("<BBxxI", code, base, off))
        self.qtest.append("read%s 0x%x" % ("bwlq"[code], addr))

    def block(self, addr, data, deferrable=False):
        assert len(data) == 64 and addr % 64 == 0
        base, off = self._region(addr)
        self.ops.append(bytes([OP_DMWR if deferrable else OP_WRITE_BLOCK]) +
                        struct.pack("<BxxxI", base, off) + data)
        self.qtest.append("%s 0x%x 0x%s" %
                          ("dmwr" if deferrable else "writeblock", addr,
                           data.hex()))

    def pcie_write(self, devfn, off, value, size=2):
        devs = [d for d, _ in PCI_DEVS[self.target]]
        code = {1: 0, 2: 1, 4: 2}[size]
        self.ops.append(bytes([OP_PCIE_WRITE]) +
                        struct.pack("<BBHI", code, devs.index(devfn), off,
                                    value))
        self.qtest.append("outl 0xcf8 0x%x" % (0x80000000 | 0x60))
        self.qtest.append("outl 0xcfc 0x%x" % (ECAM | 1))
        self.qtest.append("write%s 0x%x 0x%x" %
                          ("bwl"[code], ECAM + (devfn << 12) + off, value))

    def mem(self, addr, data):
        assert addr + len(data) <= 16 << 20
        self.ops.append(bytes([OP_MEMWRITE]) + struct.pack("<I", addr) +
                        data)
        self.qtest.append("write 0x%x 0x%x 0x%s" % (addr, len(data),
                                                    data.hex()))

    def memq(self, addr, *qwords):
        self.mem(addr, b"".join(struct.pack("<Q", q) for q in qwords))

    def clock_step(self):
        self.ops.append(bytes([OP_CLOCK_STEP]))
        self.qtest.append("clock_step")

    def fuzz_input(self):
        assert not any(SEP in op for op in self.ops)
        return SEP.join(self.ops)

    def qtest_trace(self):
        """What generic-fuzz does before each input, then the input."""
        pre = []
        addr = BAR_BASE
        for devfn, bars in PCI_DEVS[self.target]:
            def cfg(off, val, w="l"):
                pre.append("outl 0xcf8 0x%x" %
                           (0x80000000 | (devfn << 8) | (off & ~3)))
                pre.append("out%s 0x%x 0x%x" % (w, 0xcfc + (off & 3), val))
            for bar, size in bars:
                addr = (addr + size - 1) & ~(size - 1)
                cfg(0x10 + bar * 4, addr)
                cfg(0x14 + bar * 4, 0)
                addr += size
            cfg(0x04, 0x7, "w")
        return "\n".join(pre + self.qtest) + "\n"


# intel-dsa (BAR0 registers, tables at their default offsets)
DSA0 = 0xe0000000
WQCFG, GRPCFG = 0x500, 0x400
DSA_DEVFN = 5 << 3


def dsa_cmd(s, code, operand=0):
    s.write(DSA0 + 0xa0, operand | (code << 20))
    s.clock_step()


def dsa_wq(s, wq, size, thresh, mode, group):
    cfg = [size, thresh, mode, 21 | (5 << 5)]
    for i, v in enumerate(cfg):
        s.write(DSA0 + WQCFG + wq * 32 + i * 4, v)
    s.write(DSA0 + GRPCFG + group * 64, 1 << wq, 8)
    s.write(DSA0 + GRPCFG + group * 64 + 32, 1 << group, 8)
    s.write(DSA0 + GRPCFG + group * 64 + 40, 96 << 20, 8)


def desc(op, flags, comp, src, dst, size, pasid_priv=0, handle=0):
    d = struct.pack("<IIQQQIH", pasid_priv, flags | (op << 24), comp, src,
                    dst, size, handle)
    return d + bytes(64 - len(d))


CRAV, RCR, RCI, BOF = 0x4, 0x8, 0x10, 0x2
PORTAL = lambda wq, page=0: 0xe0020000 + wq * 0x4000 + page * 0x1000


def vtd_scalable(s, devfn, pasid, fs_root):
    """Root, context, PASID directory and table (RID_PASID pass-through,
    @pasid first stage at @fs_root), then SRTP and TE."""
    root, ctx, pdir, ptbl = 0x100000, 0x101000, 0x102000, 0x103000
    s.memq(root, ctx | 1, 0)
    s.memq(ctx + devfn * 32, pdir | (1 << 4) | (1 << 2) | 1, 0)
    s.memq(pdir, ptbl | 1)
    s.memq(ptbl, (4 << 6) | 1, 1, 0, 0)                 # PASID 0: PT
    s.memq(ptbl + (pasid & 0x3f) * 64, (1 << 6) | 1, 1, fs_root, 0)
    s.write(IOMMU + 0x20, root | (1 << 10), 8)           # RTADDR, SMT
    s.write(IOMMU + 0x18, 1 << 30)                       # SRTP
    s.write(IOMMU + 0x18, 1 << 31)                       # TE


def fs_map(s, root, iova, pa, nxt):
    """4-level first-stage mapping of one 4 KiB page; returns the next
    free table page."""
    tables = s.__dict__.setdefault("fs_tables", {})
    table = root
    for level in (4, 3, 2):
        entry = table + ((iova >> (12 + 9 * (level - 1))) & 0x1ff) * 8
        if entry not in tables:
            tables[entry] = nxt
            s.memq(entry, nxt | 0x7)
            nxt += 0x1000
        table = tables[entry]
    s.memq(table + ((iova >> 12) & 0x1ff) * 8, pa | 0x7)
    return nxt


def seeds():
    out = []

    # Dedicated kernel WQ without PASID: MEMMOVE, FILL, NOOP, a batch
    s = Seed("intel-dsa")
    s.mem(0x200000, bytes(range(256)) * 16)
    dsa_wq(s, 0, 16, 0, 0x1 | (1 << 29) | (1 << 4), 0)
    s.write(DSA0 + 0x88, 1)                              # GENCTRL
    dsa_cmd(s, 1)
    dsa_cmd(s, 6, 0)
    s.block(PORTAL(0), desc(3, CRAV | RCR | RCI, 0x300000, 0x200000,
                            0x210000, 4096, 1 << 31))
    s.block(PORTAL(0), desc(4, CRAV | RCR, 0x300020, 0x5a5a5a5a5a5a5a5a,
                            0x220000, 512, 1 << 31))
    s.block(PORTAL(0), desc(0, CRAV | RCR, 0x300040, 0, 0, 0, 1 << 31))
    s.mem(0x230000, desc(3, CRAV | RCR, 0x300080, 0x200000, 0x240000, 64) +
          desc(5, CRAV | RCR, 0x3000a0, 0x200000, 0x240000, 64))
    s.block(PORTAL(0), desc(1, CRAV | RCR, 0x300060, 0x230000, 0, 2,
                            1 << 31))
    s.clock_step()
    s.read(DSA0 + 0xc0, 8)
    out.append(("dedicated-kernel", s))

    # Shared user WQ with PASID behind first-stage tables: ENQCMD, faults
    s = Seed("intel-dsa")
    s.pcie_write(DSA_DEVFN, 0x110 + 6, 0x5)              # PASID + priv
    s.pcie_write(DSA_DEVFN, 0x100 + 6, 0x8000)           # ATS
    s.pcie_write(DSA_DEVFN, 0x120 + 0xc, 8, 4)           # PRI alloc
    s.pcie_write(DSA_DEVFN, 0x120 + 4, 1)                # PRI enable
    fs_root = 0x400000
    nxt = fs_map(s, fs_root, 0x40000000, 0x200000, 0x401000)
    nxt = fs_map(s, fs_root, 0x40100000, 0x210000, nxt)
    nxt = fs_map(s, fs_root, 0x40200000, 0x300000, nxt)
    vtd_scalable(s, DSA_DEVFN, 0x42, fs_root)
    s.write(IOMMU + 0x90, 0x500000 | (1 << 11), 8)       # IQA, 256-bit
    s.write(IOMMU + 0x18, (1 << 31) | (1 << 26))         # TE, QIE
    s.write(IOMMU + 0xd0, 0x510000, 8)                   # PQA
    dsa_wq(s, 1, 8, 4, (1 << 4) | (1 << 29) | 0x2, 1)
    dsa_cmd(s, 1)
    dsa_cmd(s, 6, 1)
    s.block(PORTAL(1), desc(3, CRAV | RCR | BOF, 0x40200000, 0x40000000,
                            0x40100000, 8192, 0x42), deferrable=True)
    s.block(PORTAL(1, 1), desc(3, CRAV | RCR, 0x40200020, 0x40000000,
                               0x40100000, 4096, 0x42 | (1 << 31)),
            deferrable=True)
    s.clock_step()
    s.read(IOMMU + 0xc8, 8)
    out.append(("shared-svm", s))

    # sva-testdev: DMA, ATS and page requests with PASID
    s = Seed("sva-testdev")
    dev = 0xe0000000
    s.pcie_write(5 << 3, 0x100 + 6, 0x8000)              # ATS (at 0x100)
    s.pcie_write(5 << 3, 0x108 + 6, 0x7)                 # PASID
    s.pcie_write(5 << 3, 0x110 + 4, 1)                   # PRI
    fs_root = 0x400000
    fs_map(s, fs_root, 0x1000, 0x600000, 0x401000)
    vtd_scalable(s, 5 << 3, 0x33, fs_root)
    for cmd, flags, addr in ((2, 0, 0x1000), (1, 0, 0x1000), (3, 0, 0x1000),
                             (3, 0, 0xfee00000), (4, 0x38, 0x5000),
                             (1, 1, 0x2000)):
        s.write(dev + 0x08, 0x80000033)
        s.write(dev + 0x0c, flags)
        s.write(dev + 0x10, addr)
        s.write(dev + 0x14, 0)
        s.write(dev + 0x18, 64)
        s.write(dev + 0x1c, cmd)
    s.write(dev + 0x08, 0)                               # untagged ATS
    s.write(dev + 0x1c, 3)
    out.append(("pasid-dma-ats-pri", s))

    # dmwr-testdev: block and deferrable writes, Retry
    s = Seed("dmwr-testdev")
    s.block(0xfef00000, bytes(range(64)))
    s.write(0xfef00040, 1)
    s.block(0xfef00000, bytes(range(64, 128)), deferrable=True)
    s.write(0xfef00040, 2)
    s.block(0xfef00000, bytes(64), deferrable=True)
    s.read(0xfef00048, 8)
    out.append(("block-and-retry", s))

    # intel-iommu: QI with wait descriptors, the fault and PRQ registers,
    # quadword writes to 32-bit registers
    s = Seed("intel-iommu")
    s.memq(0x100000, 0x101000 | 1, 0)
    s.write(IOMMU + 0x20, 0x100000 | (1 << 10), 8)
    s.write(IOMMU + 0x18, 1 << 30)
    s.write(IOMMU + 0x90, 0x500000 | (1 << 11), 8)
    s.write(IOMMU + 0x18, 1 << 26)
    s.memq(0x500000, 0x5 | (1 << 5) | (0x1234 << 32), 0x520000, 0, 0)
    s.memq(0x500020, 0x4 | (1 << 4), 0, 0, 0)            # PASID cache
    s.memq(0x500040, 0x6 | (3 << 4) | (1 << 16), 0x1000, 0, 0)
    s.write(IOMMU + 0x88, 0x60, 8)                       # IQT
    s.write(IOMMU + 0x38, 1 << 31, 8)                    # FECTL + FEDATA
    s.write(IOMMU + 0xa0, 0, 8)                          # IECTL + IEDATA
    s.write(IOMMU + 0xe0, 0, 8)                          # PECTL + PEDATA
    s.write(IOMMU + 0xd0, 0x510000, 8)
    s.read(IOMMU + 0x34)
    out.append(("qi-and-registers", s))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--corpus", default=os.path.join(here, "corpus"))
    ap.add_argument("--qtest", help="also write qtest traces here")
    ap.add_argument("--args", help="write TARGET.args (QEMU arguments) here")
    o = ap.parse_args()
    for name, s in seeds():
        d = os.path.join(o.corpus, s.target)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "seed-" + name), "wb") as f:
            f.write(s.fuzz_input())
        if o.qtest:
            os.makedirs(o.qtest, exist_ok=True)
            with open(os.path.join(o.qtest, "%s-%s.qtest" %
                                   (s.target, name)), "w") as f:
                f.write(s.qtest_trace())
    if o.args:
        os.makedirs(o.args, exist_ok=True)
        for t, a in TARGETS.items():
            with open(os.path.join(o.args, t + ".args"), "w") as f:
                f.write(a + "\n")


if __name__ == "__main__":
    main()
