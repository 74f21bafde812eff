; VM entry and exit for VMX (SDM Vol. 3C 26 "VM Entries", 28 "VM Exits").
; Guest general registers live in struct guest_regs (guest_regs.inc).
bits 64
default rel
%include "guest_regs.inc"

%define VMCS_HOST_RSP 0x6c14

section .text

; int vmx_enter(struct guest_regs *regs, int launched)
global vmx_enter:function hidden
vmx_enter:
	PUSH_CALLEE_SAVED
	push rdi                  ; regs, found again at [rsp] after the exit
	mov rax, VMCS_HOST_RSP
	vmwrite rax, rsp          ; the exit lands on this very stack
	test esi, esi
	mov rax, [rdi + GR_RAX]
	LOAD_GUEST_GPRS rdi
	mov rdi, [rdi + GR_RDI]   ; flags from "test" above survive the movs
	jnz .resume
	vmlaunch
	jmp .failed
.resume:
	vmresume
.failed:                          ; CF=1: VMfailInvalid, ZF=1: VMfailValid
	mov eax, 1
	jc .out
	mov eax, 2
.out:
	pop rdi
	POP_CALLEE_SAVED
	ret

; HOST_RIP: the processor arrives here on every VM exit, RSP = HOST_RSP.
global vmx_exit_stub:function hidden
vmx_exit_stub:
	xchg rdi, [rsp]           ; rdi = regs, [rsp] = guest rdi
	mov [rdi + GR_RAX], rax
	SAVE_GUEST_GPRS rdi
	pop qword [rdi + GR_RDI]
	POP_CALLEE_SAVED
	xor eax, eax
	ret
