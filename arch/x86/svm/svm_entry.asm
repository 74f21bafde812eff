; VMRUN round trip (AMD APM Vol. 2 15.5 "VMRUN Instruction", 15.5.2 VMLOAD/VMSAVE).
; VMRUN switches only part of the state; FS, GS, TR, LDTR and the SYSCALL/
; SYSENTER MSRs are moved with VMLOAD/VMSAVE: guest's in, guest's out, then
; this CPU's own back from its host save area.
; struct guest_regs offsets: rax 0 (in the VMCB instead), rcx 8, rdx 16,
; rbx 24, rbp 40, rsi 48, rdi 56, r8..r15 64..120.
bits 64
default rel

section .text

; void svm_enter(struct guest_regs *regs, uint64_t vmcb_pa, uint64_t host_save_pa)
global svm_enter:function hidden
svm_enter:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	push rdx                  ; host save area
	push rdi                  ; regs
	mov rax, rsi
	clgi                      ; no NMI/SMI while the state is half switched
	vmload
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
	mov rdi, [rdi + 56]
	vmrun                 ; back here at #VMEXIT with host RSP and RAX
	push rdi
	mov rdi, [rsp + 8]
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
	vmsave
	pop rdi
	pop rax                   ; host save area
	vmload
	stgi                      ; pending NMIs reach the host here
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret

; void svm_vmsave(uint64_t pa): capture this CPU's own FS/GS/TR/LDTR/MSRs.
global svm_vmsave:function hidden
svm_vmsave:
	mov rax, rdi
	vmsave
	ret
