; VMRUN round trip (AMD APM Vol. 2 15.5 "VMRUN Instruction", 15.5.2 VMLOAD/VMSAVE).
; VMRUN switches only part of the state; FS, GS, TR, LDTR and the SYSCALL/
; SYSENTER MSRs are moved with VMLOAD/VMSAVE: guest's in, guest's out, then
; this CPU's own back from its host save area.
; struct guest_regs: guest_regs.inc (RAX travels in the VMCB instead).
bits 64
default rel
%include "guest_regs.inc"

section .text

; void svm_enter(struct guest_regs *regs, uint64_t vmcb_pa, uint64_t host_save_pa)
global svm_enter:function hidden
svm_enter:
	PUSH_CALLEE_SAVED
	push rdx                  ; host save area
	push rdi                  ; regs
	mov rax, rsi
	clgi                      ; no NMI/SMI while the state is half switched
	vmload
	LOAD_GUEST_GPRS rdi
	mov rdi, [rdi + GR_RDI]
	; APM 15.21.1: with V_INTR_MASKING, physical interrupts reach the host
	; (INTR intercept) only if the host's IF was set at VMRUN. GIF=0 holds
	; them back until then and again after the exit.
	sti
	vmrun                 ; back here at #VMEXIT with host RSP and RAX
	cli
	push rdi
	mov rdi, [rsp + 8]
	SAVE_GUEST_GPRS rdi
	pop qword [rdi + GR_RDI]
	vmsave
	pop rdi
	pop rax                   ; host save area
	vmload
	stgi                      ; pending NMIs reach the host here
	POP_CALLEE_SAVED
	ret

; void svm_vmsave(uint64_t pa): capture this CPU's own FS/GS/TR/LDTR/MSRs.
global svm_vmsave:function hidden
svm_vmsave:
	mov rax, rdi
	vmsave
	ret
