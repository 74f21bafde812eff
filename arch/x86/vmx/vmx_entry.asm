; VM entry and exit for VMX (SDM Vol. 3C 26 "VM Entries", 28 "VM Exits").
; Guest general registers live in struct guest_regs (arch/x86/include/arch/vcpu.h):
; rax 0, rcx 8, rdx 16, rbx 24, (rsp 32 unused: in the VMCS), rbp 40, rsi 48,
; rdi 56, r8..r15 64..120.
bits 64
default rel

%define VMCS_HOST_RSP 0x6c14

section .text

; int vmx_enter(struct guest_regs *regs, int launched)
global vmx_enter:function hidden
vmx_enter:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	push rdi                  ; regs, found again at [rsp] after the exit
	mov rax, VMCS_HOST_RSP
	vmwrite rax, rsp          ; the exit lands on this very stack
	test esi, esi
	mov rax, [rdi + 0]
	mov rcx, [rdi + 8]
	mov rdx, [rdi + 16]
	mov rbx, [rdi + 24]
	mov rbp, [rdi + 40]
	mov rsi, [rdi + 48]
	mov r8,  [rdi + 64]
	mov r9,  [rdi + 72]
	mov r10, [rdi + 80]
	mov r11, [rdi + 88]
	mov r12, [rdi + 96]
	mov r13, [rdi + 104]
	mov r14, [rdi + 112]
	mov r15, [rdi + 120]
	mov rdi, [rdi + 56]       ; flags from "test" above survive the movs
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
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret

; HOST_RIP: the processor arrives here on every VM exit, RSP = HOST_RSP.
global vmx_exit_stub:function hidden
vmx_exit_stub:
	xchg rdi, [rsp]           ; rdi = regs, [rsp] = guest rdi
	mov [rdi + 0], rax
	mov [rdi + 8], rcx
	mov [rdi + 16], rdx
	mov [rdi + 24], rbx
	mov [rdi + 40], rbp
	mov [rdi + 48], rsi
	mov [rdi + 64], r8
	mov [rdi + 72], r9
	mov [rdi + 80], r10
	mov [rdi + 88], r11
	mov [rdi + 96], r12
	mov [rdi + 104], r13
	mov [rdi + 112], r14
	mov [rdi + 120], r15
	pop qword [rdi + 56]
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	xor eax, eax
	ret
