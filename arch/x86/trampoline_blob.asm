; The assembled AP trampoline (ap_trampoline.nasm), embedded read-only.
section .rodata
global ap_trampoline_start:data hidden
global ap_trampoline_end:data hidden
ap_trampoline_start:
	incbin "ap_trampoline.bin"
ap_trampoline_end:
