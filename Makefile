# SPDX-License-Identifier: GPL-2.0-or-later
# qemu-sva: QEMU for Linux IOMMU, PASID, SVA and Intel DSA (idxd) work.
# See README.md and docs/devel/qemu-sva-workflow.rst.

TOP := $(CURDIR)
S := $(TOP)/scripts

.PHONY: all build setup tree patches patch-status checkpatch check check-qemu check-slow kernel \
        check-guest bench run shell clean distclean help fuzz-build fuzz fuzz-replay

all: build

help:
	@sed -n 's/^## //p' $(TOP)/docs/devel/qemu-sva-workflow.rst 2>/dev/null || true
	@echo "targets: all (build) tree patches patch-status checkpatch check bench run shell clean distclean"

## setup: install missing host build packages (apt-get, as root or via sudo)
setup:
	@$(S)/setup-host.sh

## tree: prepare build/qemu (Debian source + patches/ + our files linked in)
tree: setup
	@$(S)/tree.sh

## all/build: build build/qemu-system-x86_64
build: tree
	@$(S)/build.sh

## patches: export the commits on top of the base in build/qemu to patches/
patches:
	@$(S)/patches.sh

## patch-status: fail, naming files, if build/qemu holds work not in patches/
patch-status:
	@$(S)/patch-status.sh

## checkpatch: QEMU's checkpatch.pl over patches/ and our own files
checkpatch: tree
	@$(S)/checkpatch.sh

## check: QEMU unit tests and qtests for what we change, then guest scenarios
check: build
	@$(S)/check.sh

## check-slow: the slow guest scenarios (tests/guest/scenarios-slow/), on
##             kernels built by scripts/kernel.sh (about 22 CPU-minutes each
##             to build, 11 minutes on 2 idle cores)
##             and DPDK's dmadev tests (13-dsa-vfio-dpdk) on the IOMMUFD kernel
check-slow: build
	@rc=0; $(TOP)/tests/guest/run.sh $(TOP)/tests/guest/scenarios-slow/*.sh || rc=1; \
	KERNELS=6.12-iommufd $(TOP)/tests/guest/run.sh \
	    $(TOP)/tests/guest/scenarios/13-dsa-vfio-dpdk.sh || rc=1; exit $$rc

check-qemu: build
	@$(S)/check.sh --qemu-only

check-guest: build
	@$(S)/check.sh --guest-only

## fuzz-build: build build/fuzz/qemu-fuzz-x86_64 (clang, libFuzzer, ASan, UBSan)
fuzz-build: tree
	@$(S)/fuzz-build.sh

## fuzz: fuzz one target (TARGET=intel-dsa|sva-testdev|dmwr-testdev|intel-iommu,
##       SECONDS=600, JOBS=1); findings in build/fuzz-artifacts/TARGET
fuzz: fuzz-build
	@$(S)/fuzz.sh "$(TARGET)" "$(or $(SECONDS),600)" "$(or $(JOBS),1)"

## fuzz-replay: replay the fuzz seeds and reproducers (part of make check)
fuzz-replay: build
	@$(S)/fuzz-replay.sh

## bench: DSA MEMMOVE/NOOP throughput from a guest beside host and guest
##        memcpy (a benchmark, not a test; BENCH_KERNEL=6.12.57 or 7.3.4)
bench: build
	@BENCH_KERNEL="$(BENCH_KERNEL)" BENCH_DSA_OPTS="$(BENCH_DSA_OPTS)" $(S)/bench.sh

## run: boot the default stock kernel on the fork and print what it found
##      (KERNEL=bzImage INITRD=… APPEND=… QEMU_ARGS=… override the defaults)
run: build
	@KERNEL="$(KERNEL)" INITRD="$(INITRD)" APPEND="$(APPEND)" QEMU_ARGS="$(QEMU_ARGS)" $(S)/run.sh

## shell: like run, but stop at a guest shell
shell: build
	@KERNEL="$(KERNEL)" INITRD="$(INITRD)" APPEND="$(APPEND)" QEMU_ARGS="$(QEMU_ARGS)" $(S)/run.sh --shell

## kernel: build a guest kernel (SRC=linux-source-X.Y or SRC=/path/to/linux,
##         PATCHES=dir of *.patch, CONFIG=extra fragment) and boot it
kernel: build
	@k=$$(SRC="$(SRC)" PATCHES="$(PATCHES)" NAME="$(NAME)" CONFIG="$(CONFIG)" $(S)/kernel.sh) && \
	 KERNEL="$$k" APPEND="$(APPEND)" QEMU_ARGS="$(QEMU_ARGS)" $(S)/run.sh

## clean: remove the QEMU build output (keeps build/qemu and the cache)
clean:
	rm -rf build/obj build/qemu-system-x86_64 build/guest

## distclean: remove build/ entirely, unless build/qemu holds unexported work
distclean:
	@$(S)/patch-status.sh
	rm -rf build
