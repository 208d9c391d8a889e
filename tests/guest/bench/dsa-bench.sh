# make bench (scripts/bench.sh), not a test: 'make check' never runs it.
# A shared user WQ (ENQCMD) and a dedicated user WQ (MOVDIR64B) of the
# emulated Intel DSA, both translated with the process's PASID through
# first-stage tables (svm=on), set up with accel-config; dsa-bench runs
# on each and prints "bench KEY VALUE" lines that scripts/bench.sh turns
# into a table.  Needs a guest kernel with user SVA on x86 (6.12.57 or
# 7.3.4; 6.12.117 has it disabled).
# qsva-kernels: 6.12.57 7.3.4
# qsva-programs: dsa-bench
# qsva-qemu: -device intel-iommu,intremap=on,x-scalable-mode=on,x-flts=on,x-pasid-mode=on,device-iotlb=on,svm=on
# qsva-qemu: -device intel-dsa,addr=05.0 -name bench,debug-threads=on
# qsva-timeout: 900

bench() { echo "bench $*"; }

run_wq() { # WQ MODE
    if [ ! -c /dev/dsa/$1 ]; then
        bench "${2}_error no /dev/dsa/$1"
        return
    fi
    /qsva-programs/dsa-bench /dev/dsa/$1 $2 > /tmp/out.$2 2> /tmp/err.$2
    rc=$?
    cat /tmp/out.$2
    if [ $rc != 0 ]; then
        bench "${2}_error dsa-bench exited $rc: $(tr '\n' ' ' < /tmp/err.$2)"
        t_fail "dsa-bench on the $2 WQ $1" "$(cat /tmp/err.$2)"
    else
        t_ok "dsa-bench on the $2 WQ $1"
    fi
}

bench "kernel $(uname -r)"
bench "vcpus $(grep -c ^processor /proc/cpuinfo)"
modprobe idxd 2>/dev/null
if [ ! -d /sys/bus/dsa/devices/dsa0 ]; then
    t_fail "idxd probed dsa0" "$(dmesg | grep -i -e idxd -e dmar | tail -n 10)"
    bench "error idxd did not probe dsa0"
    exit 0
fi
# One group, two engines (one per WQ), a shared and a dedicated user WQ.
accel-config config-engine dsa0/engine0.0 --group-id=0
accel-config config-engine dsa0/engine0.1 --group-id=0
accel-config config-wq dsa0/wq0.0 --group-id=0 --mode=shared --type=user \
    --name=bench-swq --driver-name=user --wq-size=64 --threshold=64 \
    --priority=10
accel-config config-wq dsa0/wq0.1 --group-id=0 --mode=dedicated --type=user \
    --name=bench-dwq --driver-name=user --wq-size=32 --priority=10
t_check "accel-config enables dsa0" accel-config enable-device dsa0
t_check "accel-config enables the shared WQ wq0.0" accel-config enable-wq dsa0/wq0.0
t_check "accel-config enables the dedicated WQ wq0.1" accel-config enable-wq dsa0/wq0.1
ls -l /dev/dsa/ 2>&1 | sed 's/^/QSVA-DIAG /'

run_wq wq0.0 shared
run_wq wq0.1 dedicated
dmesg | grep -i -e idxd -e dmar -e iommu | tail -n 20 | sed 's/^/QSVA-DIAG /'
