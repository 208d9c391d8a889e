# Migration with DMA in flight: dmatest copies on a dedicated and a shared
# kernel WQ (two threads each, 1 MiB buffers), dsa_test memory moves on a
# user WQ with block on fault (fresh buffers, so the device waits for
# page requests), and dsa-pf's page faults, all running when the guest
# asks the harness to migrate the VM to a file (QSVA-MIGRATE); a second
# QEMU restored from the file (-incoming) runs the rest.  Every dmatest
# copy is verified by dmatest, every dsa_test and dsa-pf run checks its
# own data and completion records.  The harness adds its checks: the
# migration happened, and the device had descriptors in flight when the
# VM stopped (from the device's own trace).
# qsva-kernels: 7.3.4
# qsva-modules: dmatest
# qsva-programs: dsa-pf
# qsva-qemu: -device intel-iommu,intremap=on,x-scalable-mode=on,x-flts=on,x-pasid-mode=on,device-iotlb=on,svm=on
# qsva-qemu: -device intel-dsa,addr=05.0
# qsva-migrate: file
# qsva-timeout: 900

T=/usr/libexec/accel-config/test

dmatest_done() { # the dmatest summaries so far
    dmesg | grep -c 'dmatest: .*summary' || true
}

if ! grep -qw movdir64b /proc/cpuinfo || ! grep -qw enqcmd /proc/cpuinfo; then
    t_skip "intel-dsa migration with DMA in flight" \
        "the vCPU has no MOVDIR64B or ENQCMD"
else
    modprobe idxd 2>/dev/null
    t_check "idxd enabled PASID on dsa0" \
        grep -qx 1 /sys/bus/dsa/devices/dsa0/pasid_enabled
    for e in 0 1 2 3; do
        accel-config config-engine dsa0/engine0.$e --group-id=$((e / 2))
    done
    t_check "accel-config configures a dedicated kernel WQ" \
        accel-config config-wq dsa0/wq0.0 --group-id=0 --mode=dedicated \
            --type=kernel --name=mig-dwq --driver-name=dmaengine \
            --wq-size=32 --priority=10
    t_check "accel-config configures a shared kernel WQ" \
        accel-config config-wq dsa0/wq0.1 --group-id=0 --mode=shared \
            --type=kernel --name=mig-swq --driver-name=dmaengine \
            --wq-size=32 --threshold=32 --priority=10
    t_check "accel-config configures a dedicated user WQ with block on fault" \
        accel-config config-wq dsa0/wq0.2 --group-id=1 --mode=dedicated \
            --type=user --name=mig-uwq --driver-name=user --wq-size=16 \
            --priority=10 --block-on-fault=1
    t_check "accel-config configures a shared user WQ with block on fault" \
        accel-config config-wq dsa0/wq0.3 --group-id=1 --mode=shared \
            --type=user --name=mig-pf --driver-name=user --wq-size=16 \
            --threshold=16 --priority=10 --block-on-fault=1
    t_check "accel-config enables dsa0" accel-config enable-device dsa0
    for w in 0 1 2 3; do
        t_check "accel-config enables wq0.$w" accel-config enable-wq dsa0/wq0.$w
    done
    chans=$(ls /sys/class/dma/ | head -n 2 | tr '\n' ' ')
    t_eq "two dmaengine channels" "$(echo $chans | wc -w)" 2

    t_check "insmod dmatest" insmod /qsva-modules/dmatest.ko timeout=60000
    # dmatest starts the threads of every channel named before "run"
    echo 1048576 > /sys/module/dmatest/parameters/test_buf_size
    echo 400 > /sys/module/dmatest/parameters/iterations
    echo 2 > /sys/module/dmatest/parameters/threads_per_chan
    for c in $chans; do
        echo "$c" > /sys/module/dmatest/parameters/channel
    done
    echo 1 > /sys/module/dmatest/parameters/run

    # User space: dsa_test memory moves with block on fault, and dsa-pf
    ( i=0 f=0
      while [ $i -lt 20 ]; do
          $T/dsa_test -w 0 -l 1048576 -f 0x1 -o 3 > /tmp/dsa_test.$i 2>&1 ||
              f=$((f + 1))
          i=$((i + 1))
      done
      echo "$i $f" > /tmp/dsa_test.result ) &
    ( i=0 f=0
      while [ $i -lt 20 ]; do
          /qsva-programs/dsa-pf /dev/dsa/wq0.3 shared > /tmp/pf.$i 2>&1 ||
              f=$((f + 1))
          i=$((i + 1))
      done
      echo "$i $f" > /tmp/pf.result ) &

    # Migrate once everything is under way
    sleep 3
    before=$(dmatest_done)
    echo "QSVA-MIGRATE dmatest summaries so far: $before"
    wait
    cat /sys/module/dmatest/parameters/wait > /dev/null
    echo "QSVA-DIAG after the restore: $(dmesg | grep -c 'dmatest: .*summary') dmatest summaries"
    t_eq "dmatest was still running when the VM was migrated" "$before" 0
    for c in $chans; do
        for t in 0 1; do
            re="dmatest: $c-copy$t: summary 400 tests, 0 failures"
            if dmesg | grep -Eq -- "$re"; then
                t_ok "dmatest on $c thread $t: 400 verified 1 MiB copies, 0 failures"
            else
                t_fail "dmatest on $c thread $t: 400 verified 1 MiB copies, 0 failures" \
                    "no dmesg line matches /$re/" "$(dmesg | grep dmatest | tail -n 5)"
            fi
        done
    done
    read -r n f < /tmp/dsa_test.result
    t_eq "dsa_test: 20 memory moves of 1 MiB with block on fault, 0 failed" "$n $f" "20 0"
    [ "$f" = 0 ] || echo "QSVA-DIAG $(grep -h -i 'fail\|error' /tmp/dsa_test.* | head -n 5)"
    read -r n f < /tmp/pf.result
    t_eq "dsa-pf: 20 runs with page requests, 0 failed" "$n $f" "20 0"
    [ "$f" = 0 ] || echo "QSVA-DIAG $(grep -h -v ' ok$' /tmp/pf.* | head -n 5)"
    rmmod dmatest
    t_no_dmesg "no idxd error" 'idxd .*(err|fail|Unexpected|Invalid)'
    # q35's SATA controller (00:1f.2) DMAs once after a restore (see
    # docs/devel/qemu-sva-intel-dsa.rst): any other DMAR fault is ours.
    t_no_dmesg "no DMAR fault but the SATA controller's after the restore" \
        'DMAR: \[(DMA|INTR)[^]]*\] Request device \[00:0[^1]|DMAR: \[(DMA|INTR)[^]]*\] Request device \[00:1[^f]'
    echo "QSVA-DIAG DMAR faults: $(dmesg | grep -c 'DMAR: \[')"
fi
