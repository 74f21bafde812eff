; Payload entry: 64-bit mode, paging on (identity map of 4 GiB), stack set by
; the hypervisor. Sets up the IDT, runs test_main, ends with HC_EXIT(result).
bits 64
section .text.start
extern payload_main
global _start
_start:
	cld
	call payload_main
	mov edi, eax
	mov eax, 2              ; HC_EXIT
	call hypercall_raw
.hang:
	hlt
	jmp .hang

section .text
; uint64_t hypercall_raw(nr=rax, rdi, rsi, rdx): picks VMCALL or VMMCALL.
global hypercall_raw
extern use_vmmcall
hypercall_raw:
	cmp byte [rel use_vmmcall], 0
	jne .amd
	vmcall
	ret
.amd:
	vmmcall
	ret

; Exception entry: every vector pushes (error code or 0) and its number, then
; exc_common hands a frame to exception_handler (lib.c), which may change RIP.
extern exception_handler
%macro EXC 1
global exc%1
exc%1:
%if %1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17
	push qword %1
%else
	push qword 0
	push qword %1
%endif
	jmp exc_common
%endmacro
%assign v 0
%rep 32
	EXC v
%assign v v+1
%endrep

exc_common:
	push rax
	push rcx
	push rdx
	push rsi
	push rdi
	push r8
	push r9
	push r10
	push r11
	mov rdi, rsp
	call exception_handler
	pop r11
	pop r10
	pop r9
	pop r8
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rax
	add rsp, 16
	iretq

section .data
global exc_table
exc_table:
%assign v 0
%rep 32
	dq exc %+ v
%assign v v+1
%endrep
