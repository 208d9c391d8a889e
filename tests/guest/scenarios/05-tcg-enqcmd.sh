# TCG's -cpu max offers MOVDIRI, MOVDIR64B, ENQCMD and XSAVES: the stock
# kernels list them in /proc/cpuinfo, enable the PASID supervisor state in
# XSAVES, load idxd (which refuses to load without MOVDIR64B), and several
# processes keep their SSE/AVX registers across context switches (the
# kernel saves them with XSAVES) while the scenario runs.  A MOVDIR64B
# store is seen whole by the other vCPU (64-byte write atomicity).
# qsva-kernels: 6.12.117 7.3.4
# qsva-qemu: -device intel-iommu,intremap=on,x-scalable-mode=on,x-flts=on,x-pasid-mode=on
# qsva-programs: xstress movdir-tear
# qsva-timeout: 240

flags=$(grep -m1 '^flags' /proc/cpuinfo)
for f in movdiri movdir64b enqcmd xsaves xsavec; do
    case " ${flags#*:} " in
        *" $f "*) t_ok "/proc/cpuinfo lists $f" ;;
        *) t_fail "/proc/cpuinfo lists $f" "$flags" ;;
    esac
done
t_dmesg "the kernel saves state with XSAVES (compacted format)" \
    'x86/fpu: Enabled xstate features .* using .compacted. format'
t_dmesg "the kernel knows the PASID state component" \
    "x86/fpu: Supporting XSAVE feature 0x400: 'PASID state'"
t_no_dmesg "no XSAVE consistency complaint" 'x86/fpu:.*(mismatch|inconsistent|problem|WARN)|XSAVE consistency'

t_check "modprobe idxd" modprobe idxd
t_check "the kernel lists idxd" test -d /sys/module/idxd
t_no_dmesg "idxd did not refuse to load" 'idxd.*failed to load'

# The stress: 4 processes (2 vCPUs) with their own values in the vector
# registers, each checking them after every few context switches.
t_check "xstress: 4 processes keep their SSE/AVX registers" \
    /qsva-programs/xstress 4 5000
t_check "xstress again with 8 processes while idxd is loaded" \
    /qsva-programs/xstress 8 2000
t_no_dmesg "no FPU fault or warning in the kernel log" \
    'general protection fault|Bad FPU state|WARNING:.*fpu|x86/fpu:.*(mismatch|problem)'

# MTTCG: one vCPU stores a 64-byte line with MOVDIR64B, the other never
# sees it half written.
t_check "MOVDIR64B: the other vCPU sees no torn store" \
    /qsva-programs/movdir-tear 1000000
