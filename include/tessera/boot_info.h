/*
 * struct boot_info: the one hand-over record from the UEFI stage (boot/) to the
 * hypervisor proper (kernel/). Versioned so that a boot stage and a kernel built
 * from different trees refuse each other instead of misreading fields.
 *
 * Everything here is plain data with physical addresses; after ExitBootServices
 * the hypervisor identity-maps memory, so a physical address is also a pointer.
 */
#ifndef TESSERA_BOOT_INFO_H
#define TESSERA_BOOT_INFO_H

#include <stdint.h>

#define BOOT_INFO_MAGIC   0x4f464e4953534554ull /* "TESSINFO" */
#define BOOT_INFO_VERSION 1

/* Memory kinds, reduced from the UEFI types (UEFI 2.10 section 7.2, EFI_MEMORY_TYPE). */
enum boot_mem_kind {
	BOOT_MEM_USABLE = 1,        /* EfiConventionalMemory: free now                   */
	BOOT_MEM_BOOT_SERVICES = 2, /* EfiBootServicesCode/Data: free after the hand-over */
	BOOT_MEM_LOADER = 3,        /* EfiLoaderCode/Data: our image, files, boot_info    */
	BOOT_MEM_RUNTIME = 4,       /* EfiRuntimeServicesCode/Data: firmware keeps it      */
	BOOT_MEM_ACPI_RECLAIM = 5,  /* EfiACPIReclaimMemory: tables we still read         */
	BOOT_MEM_ACPI_NVS = 6,      /* EfiACPIMemoryNVS                                   */
	BOOT_MEM_MMIO = 7,          /* EfiMemoryMappedIO / IOPortSpace                    */
	BOOT_MEM_RESERVED = 8,      /* reserved, unusable, PAL code, unaccepted, unknown  */
	BOOT_MEM_PERSISTENT = 9,    /* EfiPersistentMemory: never ours to hand out        */
};

struct boot_mem_range {
	uint64_t base;   /* physical, 4 KiB aligned */
	uint64_t pages;  /* 4 KiB pages             */
	uint32_t kind;   /* enum boot_mem_kind      */
	uint32_t reserved;
};

struct boot_framebuffer {
	uint64_t base;        /* physical; 0 when the firmware had no GOP */
	uint64_t size;
	uint32_t width, height;
	uint32_t pixels_per_line;
	uint32_t format;      /* EFI_GRAPHICS_PIXEL_FORMAT, UEFI 2.10 section 12.9 */
};

/* A file read from the boot volume before the hand-over (config, guest images). */
struct boot_file {
	char name[64];       /* path on the volume, ASCII, '/' separated */
	uint64_t base;       /* physical address of the contents         */
	uint64_t size;       /* bytes                                    */
};

#define BOOT_MAX_MEM_RANGES 512
#define BOOT_MAX_FILES      32
#define BOOT_CMDLINE_MAX    1024
#define BOOT_MAX_CPUS       256
#define BSP_STACK_PAGES     16  /* boot CPU stack; the lowest page becomes a guard */

struct boot_info {
	uint64_t magic;                 /* BOOT_INFO_MAGIC   */
	uint32_t version;               /* BOOT_INFO_VERSION */
	uint32_t size;                  /* sizeof(struct boot_info) as built */

	uint64_t image_base;            /* where the firmware loaded tessera.efi */
	uint64_t image_size;

	uint64_t acpi_rsdp;             /* physical address of the RSDP, 0 if none */
	uint32_t acpi_rsdp_version;     /* 1 (ACPI 1.0 GUID) or 2 (ACPI 2.0+ GUID) */
	uint32_t mem_range_count;
	uint32_t mem_ranges_dropped;    /* firmware ranges that did not fit in mem[] */
	uint32_t reserved0;
	struct boot_mem_range mem[BOOT_MAX_MEM_RANGES];

	struct boot_framebuffer fb;

	char cmdline[BOOT_CMDLINE_MAX]; /* load options or tessera.cmd, ASCII, NUL terminated */

	uint32_t file_count;
	uint32_t pci_dma_stopped;       /* functions whose bus mastering was cleared */
	struct boot_file files[BOOT_MAX_FILES];

	uint64_t bsp_stack_top;         /* stack the kernel starts on (loader memory) */

	/* Enabled processors as the firmware's MP Services protocol lists them
	 * (PI 1.8 Vol. 2 13.4): used when there is no ACPI MADT (OVMF on Bochs). */
	uint32_t fw_cpu_count;
	uint32_t fw_cpu_apic_ids[BOOT_MAX_CPUS];
};

#endif
