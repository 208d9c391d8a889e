/*
 * Boot code for the qemu-sva x86_64 instruction tests: entered in 32-bit
 * protected mode through a PVH ELF note (QEMU -kernel), switches to long
 * mode with the first 4 GiB identity mapped (2 MiB pages, user accessible,
 * except 0x400000-0x5fffff, mapped with 4 KiB pages in pt_4k so that tests
 * can unmap or write-protect single pages), installs an IDT whose vectors
 * all go to trap() in C, and calls main().
 *
 * Copyright (c) 2026 The qemu-sva developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#define PVH_NOTE_PHYS32_ENTRY 18
#define MSR_EFER 0xc0000080

        .section .note.qsva, "a", @note
        .balign 4
        .long 4                 /* name size */
        .long 8                 /* descriptor size */
        .long PVH_NOTE_PHYS32_ENTRY
        .asciz "Xen"
        .quad start32

        .code32
        .section .text.boot, "ax"
        .global start32
start32:
        cli
        cld
        lgdt gdt_desc32

        /* page tables: pml4[0] -> pdpt, pdpt[0..3] -> pd[0..3] */
        mov $pdpt + 7, %eax
        mov %eax, pml4
        xor %ecx, %ecx
1:      mov %ecx, %eax
        shl $12, %eax
        add $pd + 7, %eax
        mov %eax, pdpt(, %ecx, 8)
        inc %ecx
        cmp $4, %ecx
        jne 1b
        /* pd: 2048 entries of 2 MiB, present, writable, user, PS */
        xor %ecx, %ecx
2:      mov %ecx, %eax
        shl $21, %eax
        or $0x87, %eax
        mov %eax, pd(, %ecx, 8)
        cmp $2, %ecx
        jne 3f
        mov $pt_4k + 7, %eax
        mov %eax, pd(, %ecx, 8)
3:      inc %ecx
        cmp $2048, %ecx
        jne 2b
        /* pt_4k: 0x400000-0x5fffff in 4 KiB pages */
        xor %ecx, %ecx
4:      mov %ecx, %eax
        shl $12, %eax
        add $0x400007, %eax
        mov %eax, pt_4k(, %ecx, 8)
        inc %ecx
        cmp $512, %ecx
        jne 4b

        mov %cr4, %eax
        or $0x20, %eax          /* PAE */
        mov %eax, %cr4
        mov $pml4, %eax
        mov %eax, %cr3
        mov $MSR_EFER, %ecx
        rdmsr
        or $0x100, %eax         /* LME */
        wrmsr
        mov %cr0, %eax
        or $0x80010000, %eax    /* PG, WP */
        mov %eax, %cr0
        ljmp $0x08, $start64

        .code64
start64:
        mov $0x10, %eax
        mov %eax, %ds
        mov %eax, %es
        mov %eax, %ss
        mov %eax, %fs
        mov %eax, %gs
        lgdt gdt_desc64
        lea stack_top(%rip), %rsp

        /* IDT: vector n -> vec_stubs + 16 * n, DPL 3 so int $0x80 works */
        lea idt(%rip), %rdi
        lea vec_stubs(%rip), %rsi
        xor %ecx, %ecx
5:      mov %rsi, %rax
        mov %ax, (%rdi)                 /* offset 15:0 */
        movw $0x08, 2(%rdi)             /* selector */
        movw $0xee00, 4(%rdi)           /* present, DPL 3, interrupt gate */
        shr $16, %rax
        mov %ax, 6(%rdi)                /* offset 31:16 */
        shr $16, %rax
        mov %eax, 8(%rdi)               /* offset 63:32 */
        movl $0, 12(%rdi)
        add $16, %rdi
        add $16, %rsi
        inc %ecx
        cmp $256, %ecx
        jne 5b
        lidt idt_desc(%rip)

        call main
        /* main returns the exit code for isa-debug-exit */
        mov %eax, %edi
        jmp qsva_exit

        .global qsva_exit
qsva_exit:
        mov %edi, %eax
        out %eax, $0xf4
        /* ACPI poweroff of q35, in case isa-debug-exit is missing */
        mov $0x604, %dx
        mov $0x2000, %ax
        out %ax, %dx
6:      hlt
        jmp 6b

/*
 * Exception stubs: 16 bytes each; vectors without an error code push 0.
 * Vectors 8, 10-14, 17, 21, 29, 30 push an error code.
 */
        .balign 16
vec_stubs:
        vec = 0
        .rept 256
        .balign 16
        .if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
        nop
        nop
        .else
        pushq $0
        .endif
        pushq $vec
        jmp trap_common
        vec = vec + 1
        .endr

/* struct frame in qsva.h: r15 ... rax, vector, error, rip, cs, rflags, rsp, ss */
trap_common:
        push %rax
        push %rbx
        push %rcx
        push %rdx
        push %rsi
        push %rdi
        push %rbp
        push %r8
        push %r9
        push %r10
        push %r11
        push %r12
        push %r13
        push %r14
        push %r15
        mov %rsp, %rdi
        mov %rsp, %rbx
        and $-16, %rsp
        call trap
        mov %rbx, %rsp
        pop %r15
        pop %r14
        pop %r13
        pop %r12
        pop %r11
        pop %r10
        pop %r9
        pop %r8
        pop %rbp
        pop %rdi
        pop %rsi
        pop %rdx
        pop %rcx
        pop %rbx
        pop %rax
        add $16, %rsp
        iretq

/*
 * int run_user(void (*fn)(void), void *user_stack): run fn at CPL 3 until
 * it faults or executes int $0x80; trap() then resumes here, returning
 * the vector.
 */
        .global run_user
run_user:
        push %rbx
        push %rbp
        push %r12
        push %r13
        push %r14
        push %r15
        mov %rsp, kernel_rsp(%rip)
        pushq $0x1b             /* user SS */
        pushq %rsi              /* user RSP */
        pushq $0x2              /* RFLAGS: IF clear, no timer interrupts */
        pushq $0x23             /* user CS */
        pushq %rdi              /* RIP */
        mov $0x1b, %eax
        mov %eax, %ds
        mov %eax, %es
        iretq
        .global user_return
user_return:
        /* trap() switched to CS 0x08, SS 0x10, RSP kernel_rsp, RAX vector */
        mov $0x10, %ecx
        mov %ecx, %ds
        mov %ecx, %es
        pop %r15
        pop %r14
        pop %r13
        pop %r12
        pop %rbp
        pop %rbx
        ret

        .section .data
        .balign 8
        .global kernel_rsp
kernel_rsp:
        .quad 0

        .balign 16
        .global gdt
gdt:
        .quad 0                         /* 0x00 */
        .quad 0x00af9b000000ffff        /* 0x08 code64, DPL 0 */
        .quad 0x00cf93000000ffff        /* 0x10 data, DPL 0 */
        .quad 0x00cff3000000ffff        /* 0x18 data, DPL 3 */
        .quad 0x00affb000000ffff        /* 0x20 code64, DPL 3 */
        .quad 0, 0                      /* 0x28 TSS, filled in by C */
        .quad 0x00cf9b000000ffff        /* 0x38 code32, for the boot */
gdt_end:

gdt_desc32:
        .word gdt32_end - gdt32 - 1
        .long gdt32
        .balign 8
gdt32:
        .quad 0
        .quad 0x00af9b000000ffff        /* 0x08: long mode code, used by ljmp */
        .quad 0x00cf93000000ffff        /* 0x10 data */
gdt32_end:

        .balign 8
gdt_desc64:
        .word gdt_end - gdt - 1
        .quad gdt
idt_desc:
        .word 256 * 16 - 1
        .quad idt

        .section .bss
        .balign 4096
        .global pml4, pdpt, pd, pt_4k
pml4:   .space 4096
pdpt:   .space 4096
pd:     .space 4 * 4096
pt_4k:  .space 4096
idt:    .space 256 * 16
stack:  .space 65536
stack_top:
