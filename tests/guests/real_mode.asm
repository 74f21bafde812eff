; Real-mode payload: the harness starts it like a SIPI with vector 0x10, at
; 1000:0000 in real mode (paging and protection off). It checks port I/O and
; a hypercall from real mode, then switches itself to 32-bit protected mode
; (unrestricted guest on VMX; plain real mode under SVM) and exits with the
; number of failed checks. Loaded at guest-physical 0x10000.
bits 16
org 0
%define BASE 0x10000
%define TESTDEV 0x510
%define HC_CONSOLE_WRITE 1
%define HC_EXIT 2

start:
	cli
	mov ax, cs
	mov ds, ax
	mov ss, ax
	mov sp, 0xfff0
	xor ebx, ebx
	xor eax, eax
	cpuid
	cmp ebx, 0x756e6547          ; "Genu": Intel uses VMCALL
	setne [is_amd]
	mov dx, TESTDEV
	mov al, 0xa5
	out dx, al
	xor al, al
	in al, dx
	cmp al, 0xa5
	je .io_ok
	inc byte [failures]
.io_ok:
	mov eax, HC_CONSOLE_WRITE
	mov edi, BASE + msg_real
	mov esi, msg_real_len
	call hypercall16
	cmp eax, msg_real_len
	je .hc_ok
	inc byte [failures]
.hc_ok:
	lgdt [gdtr]
	mov eax, cr0
	or al, 1                     ; PE
	mov cr0, eax
	jmp dword 0x08:(BASE + pm32)

hypercall16:
	cmp byte [is_amd], 0
	jne .amd
	vmcall
	ret
.amd:
	vmmcall
	ret

bits 32
pm32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov esp, BASE + 0xfff0
	mov eax, cr0
	test al, 1
	jnz .pe_ok
	inc byte [BASE + failures]
.pe_ok:
	mov eax, HC_CONSOLE_WRITE
	mov edi, BASE + msg_prot
	mov esi, msg_prot_len
	call hypercall32
	movzx edi, byte [BASE + failures]
	mov eax, HC_EXIT
	call hypercall32
.hang:
	hlt
	jmp .hang

hypercall32:
	cmp byte [BASE + is_amd], 0
	jne .amd
	vmcall
	ret
.amd:
	vmmcall
	ret

align 8
gdt:
	dq 0
	dq 0x00cf9b000000ffff        ; 0x08 code32 flat
	dq 0x00cf93000000ffff        ; 0x10 data32 flat
gdtr:
	dw 23
	dd BASE + gdt
is_amd:   db 0
failures: db 0
msg_real: db "hello from real mode", 10
msg_real_len equ $ - msg_real
msg_prot: db "now in 32-bit protected mode", 10
msg_prot_len equ $ - msg_prot
