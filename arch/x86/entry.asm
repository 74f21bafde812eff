; Low-level entry points: stack switch into the kernel, exception stubs, and
; register capture for panic(). The frame layout matches struct exc_frame
; (arch/x86/include/arch/regs.h); panic.c asserts the offsets.
bits 64
default rel

extern exception_dispatch

section .text

; void arch_switch_stack(uint64_t top, void (*fn)(void *), void *arg)  -- no return
global arch_switch_stack:function hidden
arch_switch_stack:
	mov rsp, rdi
	xor ebp, ebp            ; ends the stack trace here
	mov rdi, rdx
	call rsi
	ud2

; void arch_reload_segments(void): CS via a far return, data segments flat.
global arch_reload_segments:function hidden
arch_reload_segments:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax              ; GS base is written afterwards through the MSR
	pop rdi                 ; return address
	push qword 0x08
	push rdi
	retfq

; Exceptions that push an error code (SDM 6.3.1 Table 6-1): 8, 10-14, 17, 21, 29, 30
%macro STUB_NOERR 1
isr%1:
	push qword 0
	push qword %1
	jmp isr_common
%endmacro
%macro STUB_ERR 1
isr%1:
	push qword %1
	jmp isr_common
%endmacro

%assign v 0
%rep 32
%if v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30
	STUB_ERR v
%else
	STUB_NOERR v
%endif
%assign v v+1
%endrep

; Vectors 32-254: interrupts the host did not ask for (it masks every
; source it knows); they are acknowledged and counted, never fatal.
%assign v 32
%rep 223
	STUB_NOERR v
%assign v v+1
%endrep

isr_common:
	cld
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	mov rdi, rsp
	call exception_dispatch
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	add rsp, 16
	iretq

; Spurious-interrupt vector of the local APIC: no EOI (SDM 10.9).
global isr_spurious:function hidden
isr_spurious:
	iretq

; void arch_capture_regs(struct exc_frame *f)
global arch_capture_regs:function hidden
arch_capture_regs:
	mov [rdi + 0*8], r15
	mov [rdi + 1*8], r14
	mov [rdi + 2*8], r13
	mov [rdi + 3*8], r12
	mov [rdi + 4*8], r11
	mov [rdi + 5*8], r10
	mov [rdi + 6*8], r9
	mov [rdi + 7*8], r8
	mov [rdi + 8*8], rbp
	mov [rdi + 9*8], rdi
	mov [rdi + 10*8], rsi
	mov [rdi + 11*8], rdx
	mov [rdi + 12*8], rcx
	mov [rdi + 13*8], rbx
	mov [rdi + 14*8], rax
	mov qword [rdi + 15*8], -1
	mov qword [rdi + 16*8], 0
	mov rax, [rsp]
	mov [rdi + 17*8], rax   ; rip: the caller
	xor eax, eax
	mov ax, cs
	mov [rdi + 18*8], rax   ; selectors zero-extended: a 16-bit store would leave junk
	pushfq
	pop qword [rdi + 19*8]
	lea rax, [rsp + 8]
	mov [rdi + 20*8], rax   ; rsp as the caller sees it
	xor eax, eax
	mov ax, ss
	mov [rdi + 21*8], rax
	mov rax, [rdi + 14*8]
	ret

section .data
; Entry addresses of the stubs for vectors 0-254, for descriptors.c.
global isr_table:data hidden
isr_table:
%assign v 0
%rep 255
	dq isr %+ v
%assign v v+1
%endrep
