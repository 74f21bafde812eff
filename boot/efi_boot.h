/* Internal interface of the UEFI boot stage (boot/). Only boot/ sees efi.h. */
#ifndef BOOT_EFI_BOOT_H
#define BOOT_EFI_BOOT_H

#include <efi.h>
#include <tessera/boot_info.h>

extern EFI_SYSTEM_TABLE *efi_st;
extern EFI_BOOT_SERVICES *efi_bs;

void efi_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Files on the volume tessera.efi was loaded from, relative to its directory. */
EFI_STATUS efi_files_open(EFI_HANDLE image, EFI_LOADED_IMAGE **loaded);
/* Reads `name` into loader memory and records it in bi->files. Returns
 * EFI_NOT_FOUND quietly when it does not exist. */
EFI_STATUS efi_files_load(struct boot_info *bi, const char *name);
void efi_files_close(void);

/* Memory map, then ExitBootServices with the map-key retry (UEFI 2.10 7.4). */
EFI_STATUS efi_exit_boot_services(EFI_HANDLE image, struct boot_info *bi);

void efi_collect_platform(struct boot_info *bi);
void efi_collect_cmdline(struct boot_info *bi, EFI_LOADED_IMAGE *loaded);

#endif
