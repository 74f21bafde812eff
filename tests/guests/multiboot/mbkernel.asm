; Multiboot 1 test kernel for the integration tests: a 32-bit ELF loaded at
; 1 MiB physical (mbkernel.ld). Build (from the repository root):
;
;   nasm -f elf32 -o build/guests/multiboot/mbkernel.o tests/guests/multiboot/mbkernel.asm
;   ld -m elf_i386 -nostdlib -static -z noexecstack -z max-page-size=0x1000 \
;      --no-warn-rwx-segments -T tests/guests/multiboot/mbkernel.ld \
;      -o build/guests/multiboot/mbkernel.elf build/guests/multiboot/mbkernel.o
;
; It starts as the Multiboot Specification 0.6.96 (3.2) says: 32-bit protected
; mode, paging off, flat 4 GiB code and data segments, EFLAGS.IF clear,
; EAX = 0x2BADB002, EBX = physical address of the multiboot_info, ESP
; undefined. It prints over the 16550 at 0x3F8 (polling LSR bit 5, THRE),
; one line each, "\n"-terminated:
;   mbkernel: magic ok
;   mbkernel: cmdline=<command line>
;   mbkernel: mods=<count, decimal>
;   mbkernel: module <i> string=<string> size=<mod_end - mod_start, decimal> sum=<8 lowercase hex digits>
;   mbkernel: mem_upper=<KiB, decimal>
; (one module line per module, i from 0; sum is the 32-bit sum of the
; module's bytes, e.g. "sum=0000a3f1"; an absent string prints as empty), then
; builds an identity map of the first 1 GiB (2 MiB pages) in its own bss,
; enables PAE, EFER.LME and paging, far-jumps to the 64-bit code segment of its
; own GDT, prints
;   mbkernel: long mode ok
; and ends with the Tessera HC_EXIT(0) hypercall (docs/hypercalls.md): CPUID
; 0x40000000 must say "TesseraHV", and CPUID 0's vendor picks VMCALL
; ("GenuineIntel") or VMMCALL (anything else), as tests/guests/lib does.
; On any failure it prints "mbkernel: FAIL <why>" and stops with cli; hlt.
; Besides the magic it checks: CR0.PE set and CR0.PG clear, EFLAGS.IF and VM
; clear, info flags bits 0, 2 and 3 present, modules 4 KiB aligned (header
; flags bit 0), and its bss (page tables) zeroed by the loader.

MB_HEADER_MAGIC equ 0x1BADB002
MB_FLAGS        equ 0x00000003          ; bit 0 page-align modules, bit 1 memory info
MB_LOADER_MAGIC equ 0x2BADB002

MBI_FLAGS       equ 0
MBI_MEM_UPPER   equ 8
MBI_CMDLINE     equ 16
MBI_MODS_COUNT  equ 20
MBI_MODS_ADDR   equ 24

COM1            equ 0x3F8
LSR             equ COM1 + 5
LSR_THRE        equ 0x20

HC_EXIT         equ 2
CPUID_TESSERA   equ 0x40000000

section .multiboot progbits alloc noexec nowrite align=4
	dd MB_HEADER_MAGIC
	dd MB_FLAGS
	dd -(MB_HEADER_MAGIC + MB_FLAGS)

; ---------------------------------------------------------------------------
section .text progbits alloc exec nowrite align=16
bits 32
global _start
_start:
	mov esp, stack_top              ; ESP is undefined at entry
	pushfd
	pop ecx                         ; EFLAGS as we got it
	cli
	cld
	cmp eax, MB_LOADER_MAGIC
	jne .bad_magic
	mov [info], ebx
	test ecx, (1 << 9) | (1 << 17)  ; IF, VM
	jnz .bad_eflags
	mov eax, cr0
	test eax, 1                     ; PE
	jz .bad_cr0
	test eax, 0x80000000            ; PG
	jnz .bad_cr0

	mov esi, msg_magic_ok
	call puts

	mov ebx, [info]
	mov eax, [ebx + MBI_FLAGS]
	test eax, 1 << 2
	jz .no_cmdline
	test eax, 1 << 3
	jz .no_mods
	test eax, 1 << 0
	jz .no_mem

	; cmdline
	mov esi, msg_cmdline
	call puts
	mov esi, [ebx + MBI_CMDLINE]
	call puts
	call newline

	; modules
	mov esi, msg_mods
	call puts
	mov eax, [ebx + MBI_MODS_COUNT]
	call putdec
	call newline

	mov edi, [ebx + MBI_MODS_ADDR]  ; current module entry
	xor ebp, ebp                    ; index
.mod_loop:
	cmp ebp, [ebx + MBI_MODS_COUNT]
	jae .mods_done
	mov eax, [edi]                  ; mod_start
	test eax, 0xfff
	jnz .mod_unaligned
	mov edx, [edi + 4]              ; mod_end
	cmp edx, eax
	jb .mod_backwards
	mov esi, msg_module
	call puts
	mov eax, ebp
	call putdec
	mov esi, msg_string
	call puts
	mov esi, [edi + 8]              ; string, 0 if none
	test esi, esi
	jz .no_string
	call puts
.no_string:
	mov esi, msg_size
	call puts
	mov eax, [edi + 4]
	sub eax, [edi]
	call putdec
	mov esi, msg_sum
	call puts
	mov esi, [edi]                  ; sum the bytes [mod_start, mod_end)
	mov ecx, [edi + 4]
	xor eax, eax
	xor edx, edx
.sum_loop:
	cmp esi, ecx
	jae .sum_done
	mov dl, [esi]
	add eax, edx
	inc esi
	jmp .sum_loop
.sum_done:
	call puthex8
	call newline
	add edi, 16
	inc ebp
	jmp .mod_loop
.mods_done:

	; memory
	mov esi, msg_mem_upper
	call puts
	mov eax, [ebx + MBI_MEM_UPPER]
	call putdec
	call newline

	; --- long mode: the loader must have zeroed our bss (the tables) ---
	mov esi, bss_check_start
.bss_loop:
	cmp esi, bss_check_end
	jae .bss_ok
	cmp dword [esi], 0
	jne .bss_dirty
	add esi, 4
	jmp .bss_loop
.bss_ok:
	mov eax, pdpt
	or eax, 3                       ; present, writable
	mov [pml4], eax
	mov eax, pd
	or eax, 3
	mov [pdpt], eax
	mov edi, pd                     ; 512 x 2 MiB: identity map of 1 GiB
	mov eax, 0x83                   ; present, writable, PS
	mov ecx, 512
.pd_loop:
	mov [edi], eax
	mov dword [edi + 4], 0
	add eax, 0x200000
	add edi, 8
	loop .pd_loop

	lgdt [gdtr]
	mov eax, cr4
	or eax, 1 << 5                  ; PAE
	mov cr4, eax
	mov eax, pml4
	mov cr3, eax
	mov ecx, 0xC0000080             ; EFER
	rdmsr
	or eax, 1 << 8                  ; LME
	wrmsr
	mov eax, cr0
	or eax, 0x80000001              ; PG (PE already set)
	mov cr0, eax
	jmp dword 0x08:long_entry

.bad_magic:
	mov esi, why_magic
	jmp fail32
.bad_eflags:
	mov esi, why_eflags
	jmp fail32
.bad_cr0:
	mov esi, why_cr0
	jmp fail32
.no_cmdline:
	mov esi, why_no_cmdline
	jmp fail32
.no_mods:
	mov esi, why_no_mods
	jmp fail32
.no_mem:
	mov esi, why_no_mem
	jmp fail32
.mod_unaligned:
	mov esi, why_mod_unaligned
	jmp fail32
.mod_backwards:
	mov esi, why_mod_backwards
	jmp fail32
.bss_dirty:
	mov esi, why_bss
	jmp fail32

; "mbkernel: FAIL <esi>\n", then stop.
fail32:
	push esi
	mov esi, msg_fail
	call puts
	pop esi
	call puts
	call newline
.stop:
	cli
	hlt
	jmp .stop

; al -> COM1. Preserves every register but the flags.
putc:
	push edx
	push eax
	mov dx, LSR
.wait:
	in al, dx
	test al, LSR_THRE
	jz .wait
	pop eax
	mov dx, COM1
	out dx, al
	pop edx
	ret

; NUL-terminated string at esi. Preserves every register.
puts:
	push esi
	push eax
.next:
	mov al, [esi]
	test al, al
	jz .done
	call putc
	inc esi
	jmp .next
.done:
	pop eax
	pop esi
	ret

newline:
	push eax
	mov al, 10
	call putc
	pop eax
	ret

; eax as unsigned decimal. Preserves every register.
putdec:
	pushad
	mov ecx, 10
	xor ebx, ebx                    ; digits pushed
.div:
	xor edx, edx
	div ecx
	push edx
	inc ebx
	test eax, eax
	jnz .div
.out:
	pop eax
	add al, '0'
	call putc
	dec ebx
	jnz .out
	popad
	ret

; eax as 8 lowercase hex digits. Preserves every register.
puthex8:
	pushad
	mov edx, eax
	mov ecx, 8
.digit:
	rol edx, 4
	mov eax, edx
	and eax, 0xf
	mov al, [hexdigits + eax]
	call putc
	loop .digit
	popad
	ret

; ---------------------------------------------------------------------------
bits 64
long_entry:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	mov esp, stack_top              ; zero-extends into rsp

	mov esi, msg_long_ok
	call puts64

	; Tessera? CPUID 0x40000000: EBX ECX EDX = "TesseraHV\0\0\0"
	mov eax, CPUID_TESSERA
	xor ecx, ecx
	cpuid
	cmp ebx, 0x73736554
	jne .not_tessera
	cmp ecx, 0x48617265
	jne .not_tessera
	cmp edx, 0x00000056
	jne .not_tessera

	; VMCALL on Intel ("Genu"ineIntel), VMMCALL otherwise
	xor eax, eax
	xor ecx, ecx
	cpuid
	mov eax, HC_EXIT
	xor edi, edi                    ; status 0
	xor esi, esi
	xor edx, edx
	cmp ebx, 0x756e6547
	jne .amd
	vmcall
	jmp .returned
.amd:
	vmmcall
.returned:
	mov esi, why_exit_returned
	jmp fail64
.not_tessera:
	mov esi, why_not_tessera
	jmp fail64

fail64:
	push rsi
	mov esi, msg_fail
	call puts64
	pop rsi
	call puts64
	mov esi, msg_nl
	call puts64
.stop:
	cli
	hlt
	jmp .stop

; NUL-terminated string at rsi -> COM1. Clobbers rax, rdx, rsi.
puts64:
	mov dx, LSR
.wait:
	in al, dx
	test al, LSR_THRE
	jz .wait
	mov al, [rsi]
	test al, al
	jz .done
	mov dx, COM1
	out dx, al
	inc rsi
	jmp puts64
.done:
	ret

; ---------------------------------------------------------------------------
section .rodata progbits alloc noexec nowrite align=8
gdt:
	dq 0
	dq 0x00af9a000000ffff           ; 0x08: 64-bit code, present, DPL 0
	dq 0x00cf92000000ffff           ; 0x10: flat data
gdt_end:
gdtr:
	dw gdt_end - gdt - 1
	dd gdt

hexdigits:         db "0123456789abcdef"
msg_magic_ok:      db "mbkernel: magic ok", 10, 0
msg_cmdline:       db "mbkernel: cmdline=", 0
msg_mods:          db "mbkernel: mods=", 0
msg_module:        db "mbkernel: module ", 0
msg_string:        db " string=", 0
msg_size:          db " size=", 0
msg_sum:           db " sum=", 0
msg_mem_upper:     db "mbkernel: mem_upper=", 0
msg_long_ok:       db "mbkernel: long mode ok", 10, 0
msg_fail:          db "mbkernel: FAIL ", 0
msg_nl:            db 10, 0
why_magic:         db "bad magic in EAX", 0
why_eflags:        db "EFLAGS.IF or VM set at entry", 0
why_cr0:           db "CR0 is not protected mode with paging off", 0
why_no_cmdline:    db "no command line (info flags bit 2)", 0
why_no_mods:       db "no module information (info flags bit 3)", 0
why_no_mem:        db "no memory information (info flags bit 0)", 0
why_mod_unaligned: db "module not 4 KiB aligned", 0
why_mod_backwards: db "module ends before it starts", 0
why_bss:           db "bss not zeroed by the loader", 0
why_not_tessera:   db "CPUID 0x40000000 is not TesseraHV", 0
why_exit_returned: db "exit hypercall returned", 0

; ---------------------------------------------------------------------------
section .bss nobits alloc noexec write align=4096
bss_check_start:
pml4:   resb 4096
pdpt:   resb 4096
pd:     resb 4096
bss_check_end:
info:   resd 1
	alignb 16
stack:  resb 16384
stack_top:

section .note.GNU-stack noalloc noexec nowrite progbits
