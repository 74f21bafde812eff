; AP start-up code, assembled as a flat blob and copied by smp.c to a page P
; below 1 MiB; a STARTUP IPI with vector P>>12 starts an AP here in real mode
; at CS = P>>4, IP = 0 (SDM Vol. 3A 8.4.4). The page after it (P + 0x1000)
; holds the parameters below, written by the BSP before each start, and a
; temporary GDT. The code page is mapped read+execute once paging is on; all
; writes go to the parameter page.
;
; Real mode -> protected mode -> long mode with the hypervisor's CR3
; (SDM Vol. 3A 9.9.1 "Switching to protected mode", 9.8.5 "Initializing IA-32e mode").

%define P_CR3     0x00   ; dd  PML4 (below 4 GiB)
%define P_STACK   0x08   ; dq  stack top
%define P_ENTRY   0x10   ; dq  64-bit C entry: void ap_entry(struct percpu *)
%define P_ARG     0x18   ; dq  its argument
%define P_EFER    0x20   ; dd  EFER value (LME | NXE)
%define P_CR4     0x28   ; dd  CR4 value (PAE at least)
%define P_GDTR    0x30   ; 6 bytes, filled in by the AP
%define P_FAR32   0x38   ; far pointer to pm32 (dd offset, dw selector)
%define P_FAR64   0x40   ; far pointer to lm64
%define P_ALIVE   0x48   ; dd  set to 1 by the AP on arrival
%define P_GDT     0x60   ; 4 descriptors, written by the BSP

%define SEL_CODE32 0x08
%define SEL_DATA   0x10
%define SEL_CODE64 0x18

bits 16
start:
	cli
	cld
	mov ax, cs
	add ax, 0x100           ; parameter page = next 4 KiB
	mov ds, ax
	mov dword [P_ALIVE], 1
	xor ebx, ebx
	mov bx, cs
	shl ebx, 4              ; ebx = linear address of this page
	mov word [P_GDTR], 31
	lea eax, [ebx + 0x1000 + P_GDT]
	mov [P_GDTR + 2], eax
	lea eax, [ebx + pm32]
	mov [P_FAR32], eax
	mov word [P_FAR32 + 4], SEL_CODE32
	lgdt [P_GDTR]
	mov eax, cr0
	or eax, 1               ; PE
	mov cr0, eax
	jmp dword far [P_FAR32]

bits 32
pm32:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	lea esi, [ebx + 0x1000] ; parameter page, flat
	mov eax, [esi + P_CR4]
	mov cr4, eax
	mov eax, [esi + P_CR3]
	mov cr3, eax
	mov ecx, 0xc0000080     ; EFER
	mov eax, [esi + P_EFER]
	xor edx, edx
	wrmsr
	lea eax, [ebx + lm64]
	mov [esi + P_FAR64], eax
	mov word [esi + P_FAR64 + 4], SEL_CODE64
	mov eax, cr0
	or eax, 0x80010001      ; PG | WP | PE
	mov cr0, eax
	jmp dword far [esi + P_FAR64]

bits 64
lm64:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov esi, esi            ; upper halves are undefined after the mode switch
	mov rsp, [rsi + P_STACK]
	mov rdi, [rsi + P_ARG]
	mov rax, [rsi + P_ENTRY]
	xor ebp, ebp
	call rax
.dead:
	cli
	hlt
	jmp .dead
