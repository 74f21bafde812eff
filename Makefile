# Tessera: build, run, test. See README.md.
#
#   make          build/tessera.efi
#   make esp      boot volume in build/esp/ and build/esp.img
#   make run      boot in QEMU (TCG, AMD SVM + NPT) with the serial console here
#   make test     host unit tests, then integration boots on every emulated host
#   make unit     host unit tests only
#   make bench    exit round-trip costs on both vendors (emulated instructions)
#   make fuzz     the instruction-decoder fuzzer (SECONDS=120)

BUILD   := build
CC      := gcc
LD      := ld
NASM    := nasm
OBJCOPY := objcopy
EFIINC  := /usr/include/efi
EFILIB  := /usr/lib
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

# Every entry point first makes sure the Debian packages are there (fast when
# they are): a fresh Debian 12 machine needs nothing but make.
SETUP := deps

# Hypervisor code: freestanding, no red zone (interrupts land on the same
# stack), no SSE (the guest owns the FPU state), frame pointers for stack traces.
KCFLAGS := -std=gnu11 -Wall -Wextra -Werror -O2 -g \
	-ffreestanding -fno-builtin -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-fpic -fvisibility=hidden -fno-stack-protector -fno-strict-aliasing \
	-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-mno-red-zone -mgeneral-regs-only -mno-mmx -mno-sse -mno-sse2 \
	-fshort-wchar -DGNU_EFI_USE_MS_ABI -DTESSERA_VERSION='"$(VERSION)"' \
	-I. -Iinclude -Iarch/x86/include -I$(EFIINC) -I$(EFIINC)/x86_64

KSRC := $(wildcard boot/*.c kernel/*.c kernel/vdev/*.c kernel/sched/*.c arch/x86/*.c arch/x86/exits/*.c \
	arch/x86/vmx/*.c arch/x86/svm/*.c drivers/*.c)
KASM := $(wildcard arch/x86/*.asm arch/x86/vmx/*.asm arch/x86/svm/*.asm)
KOBJ := $(KSRC:%.c=$(BUILD)/obj/%.o) $(KASM:%.asm=$(BUILD)/obj/%.o)

all: $(BUILD)/tessera.efi

deps:
	@scripts/setup-deps.sh

$(BUILD)/obj/%.o: %.c | $(SETUP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KCFLAGS) -MMD -MP -c $< -o $@

# The AP trampoline is a flat 16/32/64-bit blob, embedded by trampoline_blob.asm.
$(BUILD)/obj/arch/x86/ap_trampoline.bin: arch/x86/ap_trampoline.nasm | $(SETUP)
	@mkdir -p $(dir $@)
	$(NASM) -f bin $< -o $@

$(BUILD)/obj/arch/x86/trampoline_blob.o: $(BUILD)/obj/arch/x86/ap_trampoline.bin

$(BUILD)/obj/%.o: %.asm | $(SETUP)
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@$(NASM) -f elf64 -I$(BUILD)/obj/arch/x86/ -Iarch/x86/ -MD $(@:.o=.d) $< -o $@

$(BUILD)/tessera.so: $(KOBJ) boot/tessera.lds
	$(LD) -nostdlib -znocombreloc -shared -Bsymbolic --no-undefined -z noexecstack \
		-T boot/tessera.lds $(EFILIB)/crt0-efi-x86_64.o $(KOBJ) \
		$(EFILIB)/libgnuefi.a -o $@
	@scripts/check-relocs.sh $@

$(BUILD)/tessera.efi: $(BUILD)/tessera.so
	$(OBJCOPY) -j .text -j .reloc -j .rodata -j .data -j .dynamic -j .rela -j .dynsym \
		--target efi-app-x86_64 --subsystem=10 $< $@

# Test payloads (tests/guests/): flat 64-bit binaries run by the payload
# harness (arch/x86/payload.c). Freestanding like the hypervisor; the
# formatter is shared so payloads can print.
GCFLAGS := -std=gnu11 -Wall -Wextra -Werror -O2 -g -ffreestanding -fno-builtin -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) -fno-pic -fno-pie -mno-red-zone \
	-mgeneral-regs-only -fno-stack-protector -fno-asynchronous-unwind-tables -Iinclude
GUEST_SRC := $(wildcard tests/guests/*.c)
GUEST_ASM := $(wildcard tests/guests/*.asm)
GUEST_BIN := $(GUEST_SRC:tests/guests/%.c=$(BUILD)/guests/%.bin) \
	$(GUEST_ASM:tests/guests/%.asm=$(BUILD)/guests/%.bin)
GUEST_LIB := $(BUILD)/guests/lib/start.o $(BUILD)/guests/lib/lib.o $(BUILD)/guests/lib/format.o

$(BUILD)/guests/lib/format.o: kernel/format.c | $(SETUP)
	@mkdir -p $(dir $@)
	@$(CC) $(GCFLAGS) -c $< -o $@
$(BUILD)/guests/lib/start.o: tests/guests/lib/start.asm | $(SETUP)
	@mkdir -p $(dir $@)
	@$(NASM) -f elf64 $< -o $@
$(BUILD)/guests/%.o: tests/guests/%.c tests/guests/lib/guest.h | $(SETUP)
	@mkdir -p $(dir $@)
	@echo "  GUEST   $<"
	@$(CC) $(GCFLAGS) -c $< -o $@
$(BUILD)/guests/%.elf: $(BUILD)/guests/%.o $(GUEST_LIB) tests/guests/lib/guest.ld
	@$(LD) -nostdlib -static -z noexecstack --no-warn-rwx-segments -T tests/guests/lib/guest.ld -o $@ $(GUEST_LIB) $<
$(BUILD)/guests/%.bin: $(BUILD)/guests/%.elf
	@$(OBJCOPY) -O binary $< $@
# nasm payloads are flat binaries already (real-mode starts, see payload.c)
$(BUILD)/guests/%.bin: tests/guests/%.asm | $(SETUP)
	@mkdir -p $(dir $@)
	@echo "  GUEST   $<"
	@$(NASM) -f bin $< -o $@

# The Multiboot test kernel: a 32-bit ELF that goes to long mode itself.
MBKERNEL := $(BUILD)/guests/multiboot/mbkernel.elf
$(BUILD)/guests/multiboot/mbkernel.o: tests/guests/multiboot/mbkernel.asm | $(SETUP)
	@mkdir -p $(dir $@)
	@echo "  GUEST   $<"
	@$(NASM) -f elf32 -o $@ $<
$(MBKERNEL): $(BUILD)/guests/multiboot/mbkernel.o tests/guests/multiboot/mbkernel.ld
	@$(LD) -m elf_i386 -nostdlib -static -z noexecstack -z max-page-size=0x1000 \
		--no-warn-rwx-segments -T tests/guests/multiboot/mbkernel.ld -o $@ $<

payloads: $(GUEST_BIN) $(MBKERNEL)

# The demo Linux guest: Debian's stock kernel and a busybox initramfs,
# fetched as Debian packages (never installed on this machine).
DEMO := $(BUILD)/demo/bzImage $(BUILD)/demo/initramfs.cpio.gz
$(DEMO) &: scripts/fetch-demo-guest.sh scripts/mkinitramfs.py tests/linux/init tests/linux/profile \
		tests/linux/memscan tests/linux/memfill | $(SETUP)
	scripts/fetch-demo-guest.sh
demo: $(DEMO)

# The configuration checker (docs/config.md): the hypervisor's own parser,
# built for the host.
CHECK_SRC := scripts/tessera-check.c kernel/config.c kernel/config_plan.c kernel/format.c
$(BUILD)/tessera-check: $(CHECK_SRC) kernel/config.h kernel/format.h include/tessera/config.h | $(SETUP)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 -I. -Iinclude $(CHECK_SRC) -o $@

check-tool: $(BUILD)/tessera-check
.PHONY: check-tool

esp: $(BUILD)/tessera.efi
	@scripts/mkesp.sh $(BUILD)/esp $(BUILD)/tessera.efi

run: $(BUILD)/tessera.efi payloads $(DEMO) | $(SETUP)
	scripts/run-demo.sh

fuzz: | $(SETUP)
	bash tests/fuzz/run.sh $(or $(SECONDS),120)

bench: $(BUILD)/tessera.efi payloads $(DEMO) | $(SETUP)
	python3 scripts/bench.py

unit: $(BUILD)/tessera-check payloads | $(SETUP)
	python3 tests/run.py --unit-only

test: $(BUILD)/tessera.efi payloads $(BUILD)/tessera-check $(DEMO) | $(SETUP)
	python3 tests/run.py $(if $(ONLY),--integration-only --only '$(ONLY)')

clean:
	rm -rf $(BUILD)/obj $(BUILD)/tessera.* $(BUILD)/unit $(BUILD)/esp* $(BUILD)/hosts $(BUILD)/guests

.PHONY: all deps esp run unit test bench fuzz clean payloads demo
-include $(KOBJ:.o=.d)

# Keep payload objects and ELF files between runs (they are intermediates of the .bin rule).
.SECONDARY:
