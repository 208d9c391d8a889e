/*
 * vfio-type1: use a PCI device the way an unmodified VFIO user (DPDK,
 * QEMU) does, through the legacy container API: open /dev/vfio/vfio,
 * attach the device's group, select the type1 IOMMU, map and unmap a
 * buffer for DMA, get the device's file descriptor and read its config
 * space through it.  On a kernel with IOMMUFD_VFIO_CONTAINER the
 * container is iommufd's, so this exercises iommufd's VFIO compatibility.
 *
 * Usage: vfio-type1 BDF (e.g. 0000:00:05.0, bound to vfio-pci).  Prints
 * "key value" lines; exits 0 when every step succeeded.
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>

#define MAP_SIZE (2u << 20)
#define MAP_IOVA 0x10000000ull

static int fail(const char *what)
{
    printf("error %s: %s\n", what, strerror(errno));
    return 1;
}

int main(int argc, char **argv)
{
    char path[256], link[256];
    ssize_t n;
    int container, group, device, ret;
    void *buf;

    if (argc != 2) {
        fprintf(stderr, "usage: vfio-type1 BDF\n");
        return 2;
    }
    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
             argv[1]);
    n = readlink(path, link, sizeof(link) - 1);
    if (n < 0) {
        return fail("iommu_group");
    }
    link[n] = 0;
    printf("group %s\n", basename(link));

    container = open("/dev/vfio/vfio", O_RDWR);
    if (container < 0) {
        return fail("open /dev/vfio/vfio");
    }
    printf("api_version %d\n", ioctl(container, VFIO_GET_API_VERSION));
    printf("type1v2 %d\n",
           ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU));

    snprintf(path, sizeof(path), "/dev/vfio/%s", basename(link));
    group = open(path, O_RDWR);
    if (group < 0) {
        return fail("open group");
    }
    struct vfio_group_status status = { .argsz = sizeof(status) };
    if (ioctl(group, VFIO_GROUP_GET_STATUS, &status)) {
        return fail("VFIO_GROUP_GET_STATUS");
    }
    printf("group_viable %d\n", !!(status.flags & VFIO_GROUP_FLAGS_VIABLE));
    if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container)) {
        return fail("VFIO_GROUP_SET_CONTAINER");
    }
    if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
        return fail("VFIO_SET_IOMMU");
    }
    printf("set_iommu ok\n");

    struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
    if (ioctl(container, VFIO_IOMMU_GET_INFO, &info)) {
        return fail("VFIO_IOMMU_GET_INFO");
    }
    printf("iova_pgsizes 0x%llx\n", (unsigned long long)info.iova_pgsizes);

    buf = mmap(NULL, MAP_SIZE, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED) {
        return fail("mmap");
    }
    memset(buf, 0x5a, MAP_SIZE);
    struct vfio_iommu_type1_dma_map map = {
        .argsz = sizeof(map),
        .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
        .vaddr = (uintptr_t)buf,
        .iova = MAP_IOVA,
        .size = MAP_SIZE,
    };
    if (ioctl(container, VFIO_IOMMU_MAP_DMA, &map)) {
        return fail("VFIO_IOMMU_MAP_DMA");
    }
    printf("map_dma 0x%llx+0x%x\n", MAP_IOVA, MAP_SIZE);
    /* The same range again must be refused: it is mapped already. */
    ret = ioctl(container, VFIO_IOMMU_MAP_DMA, &map);
    printf("map_dma_again %s\n", ret ? strerror(errno) : "accepted");

    device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, argv[1]);
    if (device < 0) {
        return fail("VFIO_GROUP_GET_DEVICE_FD");
    }
    struct vfio_device_info dinfo = { .argsz = sizeof(dinfo) };
    if (ioctl(device, VFIO_DEVICE_GET_INFO, &dinfo)) {
        return fail("VFIO_DEVICE_GET_INFO");
    }
    printf("device_pci %d regions %u irqs %u\n",
           !!(dinfo.flags & VFIO_DEVICE_FLAGS_PCI), dinfo.num_regions,
           dinfo.num_irqs);
    struct vfio_region_info reg = {
        .argsz = sizeof(reg),
        .index = VFIO_PCI_CONFIG_REGION_INDEX,
    };
    if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &reg)) {
        return fail("VFIO_DEVICE_GET_REGION_INFO");
    }
    uint16_t id[2];
    if (pread(device, id, sizeof(id), reg.offset) != sizeof(id)) {
        return fail("config read");
    }
    printf("config_id 0x%04x 0x%04x\n", id[0], id[1]);
    close(device);

    struct vfio_iommu_type1_dma_unmap unmap = {
        .argsz = sizeof(unmap),
        .iova = MAP_IOVA,
        .size = MAP_SIZE,
    };
    if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap)) {
        return fail("VFIO_IOMMU_UNMAP_DMA");
    }
    printf("unmap_dma 0x%llx\n", (unsigned long long)unmap.size);
    close(group);
    close(container);
    printf("done\n");
    return 0;
}
