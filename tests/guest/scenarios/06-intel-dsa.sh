# The emulated Intel DSA under the stock idxd driver: the driver probes
# it, accel-config configures a dedicated kernel WQ for dmaengine, and
# the stock dmatest module (built out of tree) copies with verification
# through it; then the WQ is disabled again.
# qsva-kernels: 6.12.117
# qsva-modules: dmatest
# qsva-qemu: -device intel-iommu,intremap=on,x-scalable-mode=on,x-flts=on
# qsva-qemu: -device intel-dsa,addr=05.0
# qsva-timeout: 300
#
# idxd refuses to load on a CPU without MOVDIR64B: until the vCPU offers
# it, every check is reported as skipped.

if ! grep -qw movdir64b /proc/cpuinfo; then
    t_skip "intel-dsa under idxd, accel-config and dmatest" \
        "the vCPU has no MOVDIR64B, idxd does not load"
else
    modprobe idxd 2>/dev/null
    t_dmesg "idxd probed the device" 'idxd 0000:00:05.0: Intel\(R\) Accelerator Device \(v100\)'
    t_check "the dsa bus lists dsa0" test -d /sys/bus/dsa/devices/dsa0
    t_eq "dsa0 has 8 WQs" "$(ls -d /sys/bus/dsa/devices/dsa0/wq0.* | wc -l)" 8

    t_check "accel-config configures engine 0" \
        accel-config config-engine dsa0/engine0.0 --group-id=0
    t_check "accel-config configures a dedicated kernel WQ" \
        accel-config config-wq dsa0/wq0.0 --group-id=0 --mode=dedicated \
            --type=kernel --name=dmaengine --driver-name=dmaengine \
            --wq-size=16 --priority=10
    t_check "accel-config enables dsa0" accel-config enable-device dsa0
    t_check "accel-config enables wq0.0" accel-config enable-wq dsa0/wq0.0
    t_eq "wq0.0 is enabled" "$(cat /sys/bus/dsa/devices/wq0.0/state)" enabled
    chan=$(ls /sys/class/dma/ | head -1)
    t_check "the WQ is a dmaengine channel" test -n "$chan"

    t_check "insmod dmatest" insmod /qsva-modules/dmatest.ko iterations=200 \
        threads_per_chan=1 timeout=5000
    echo "$chan" > /sys/module/dmatest/parameters/channel
    echo 1 > /sys/module/dmatest/parameters/run
    cat /sys/module/dmatest/parameters/wait >/dev/null
    t_dmesg "dmatest: 200 verified copies, 0 failures" \
        "dmatest: $chan-copy0: summary 200 tests, 0 failures"
    rmmod dmatest
    t_check "accel-config disables wq0.0" accel-config disable-wq dsa0/wq0.0
    # Not "disable-device": 6.12.117's idxd_device_evl_free() dereferences
    # the event log of devices that have none (DSA 1.0; a stable backport
    # dropped the GENCFG.evl_en check but not its NULL check).
    t_no_dmesg "no idxd error" 'idxd .*(err|fail|Unexpected)'
fi
