/* The memory map and ExitBootServices (UEFI 2.10 7.2.3 GetMemoryMap, 7.4.6). */
#include "boot_info_build.h"
#include "efi_boot.h"

#include <drivers/pci.h>

/* Copy the firmware map into boot_info. Runs after ExitBootServices, so it
 * only touches memory; dropped ranges are reported by the kernel. */
static void convert_map(struct boot_info *bi, const UINT8 *map, UINTN size, UINTN desc_size)
{
	for (UINTN off = 0; off + desc_size <= size; off += desc_size) {
		const EFI_MEMORY_DESCRIPTOR *d = (const void *)(map + off);
		boot_add_mem_range(bi, d->PhysicalStart, d->NumberOfPages, boot_mem_kind(d->Type));
	}
}

EFI_STATUS efi_exit_boot_services(EFI_HANDLE image, struct boot_info *bi)
{
	UINTN size = 0, key, desc_size;
	UINT32 desc_version;
	EFI_PHYSICAL_ADDRESS buf;

	/* Ask for the size, then allocate with room to spare: the allocation itself
	 * may split a range and grow the map. */
	efi_bs->GetMemoryMap(&size, NULL, &key, &desc_size, &desc_version);
	UINTN cap = size + 16 * (desc_size ? desc_size : 48);
	EFI_STATUS st = efi_bs->AllocatePages(AllocateAnyPages, EfiLoaderData,
					      (cap + EFI_PAGE_SIZE - 1) / EFI_PAGE_SIZE, &buf);
	if (st != EFI_SUCCESS)
		return st;
	efi_print("tessera: leaving boot services\n");
	/* UEFI 2.10 7.4.6: if the key is stale, only GetMemoryMap may be called
	 * before trying again, so nothing between the two calls may allocate. */
	for (int tries = 0; tries < 4; tries++) {
		size = cap;
		st = efi_bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)buf, &key, &desc_size, &desc_version);
		if (st != EFI_SUCCESS)
			return st;
		st = efi_bs->ExitBootServices(image, key);
		if (st == EFI_SUCCESS)
			break;
	}
	if (st != EFI_SUCCESS)
		return st;
	convert_map(bi, (const UINT8 *)buf, size, desc_size);
	/* Firmware drivers are gone, but their devices may still be writing into
	 * boot-services memory that is about to become ours. */
	bi->pci_dma_stopped = pci_stop_bus_mastering();
	return EFI_SUCCESS;
}
