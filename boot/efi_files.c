/* Reading files from the volume tessera.efi was loaded from (UEFI 2.10 13.4/13.5). */
#include "efi_boot.h"

#include <kernel/string.h>

static EFI_GUID loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
static EFI_GUID simple_fs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
static EFI_GUID file_info_guid = EFI_FILE_INFO_ID;

static EFI_FILE_HANDLE root;
static CHAR16 image_dir[256]; /* "\EFI\BOOT\" : directory of our image */

/* The image's own path is the MEDIA_FILEPATH_DP node(s) of FilePath (UEFI 2.10
 * 10.3.5.4); keep everything up to the last backslash. */
static void remember_image_dir(EFI_DEVICE_PATH *dp)
{
	size_t n = 0;
	for (; dp && !IsDevicePathEnd(dp); dp = NextDevicePathNode(dp)) {
		if (DevicePathType(dp) != MEDIA_DEVICE_PATH || DevicePathSubType(dp) != MEDIA_FILEPATH_DP)
			continue;
		CHAR16 *name = ((FILEPATH_DEVICE_PATH *)dp)->PathName;
		size_t max = (DevicePathNodeLength(dp) - 4) / sizeof(CHAR16);
		for (size_t i = 0; i < max && name[i] && n + 2 < 256; i++)
			image_dir[n++] = name[i];
	}
	while (n && image_dir[n - 1] != L'\\')
		n--;
	image_dir[n] = 0;
}

EFI_STATUS efi_files_open(EFI_HANDLE image, EFI_LOADED_IMAGE **loaded)
{
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
	EFI_STATUS st = efi_bs->HandleProtocol(image, &loaded_image_guid, (void **)loaded);
	if (st != EFI_SUCCESS)
		return st;
	remember_image_dir((*loaded)->FilePath);
	st = efi_bs->HandleProtocol((*loaded)->DeviceHandle, &simple_fs_guid, (void **)&fs);
	if (st != EFI_SUCCESS)
		return st;
	return fs->OpenVolume(fs, &root);
}

void efi_files_close(void)
{
	if (root)
		root->Close(root);
	root = NULL;
}

/* "\dir\" + name with '/' turned into '\'. */
static void full_path(const char *name, CHAR16 *out, size_t max)
{
	size_t n = 0;
	if (name[0] != '/')
		for (; image_dir[n] && n + 1 < max; n++)
			out[n] = image_dir[n];
	for (; *name && n + 1 < max; name++)
		out[n++] = *name == '/' ? L'\\' : (CHAR16)(unsigned char)*name;
	out[n] = 0;
}

static EFI_STATUS file_size(EFI_FILE_HANDLE f, UINT64 *size)
{
	UINT8 buf[sizeof(EFI_FILE_INFO) + 512];
	UINTN len = sizeof buf;
	EFI_STATUS st = f->GetInfo(f, &file_info_guid, &len, buf);
	if (st == EFI_SUCCESS)
		*size = ((EFI_FILE_INFO *)buf)->FileSize;
	return st;
}

static EFI_STATUS read_all(EFI_FILE_HANDLE f, UINT64 size, EFI_PHYSICAL_ADDRESS *pa)
{
	UINTN pages = (size + EFI_PAGE_SIZE) / EFI_PAGE_SIZE; /* +1 byte for a NUL */
	EFI_STATUS st = efi_bs->AllocatePages(AllocateAnyPages, EfiLoaderData, pages, pa);
	if (st != EFI_SUCCESS)
		return st;
	memset((void *)*pa, 0, pages * EFI_PAGE_SIZE);
	UINTN len = size;
	st = f->Read(f, &len, (void *)*pa);
	if (st == EFI_SUCCESS && len != size)
		st = EFI_END_OF_FILE;
	if (st != EFI_SUCCESS)
		efi_bs->FreePages(*pa, pages);
	return st;
}

EFI_STATUS efi_files_load(struct boot_info *bi, const char *name)
{
	CHAR16 path[384];
	EFI_FILE_HANDLE f;
	UINT64 size = 0;
	EFI_PHYSICAL_ADDRESS pa = 0;

	if (!root)
		return EFI_NOT_READY;
	if (bi->file_count == BOOT_MAX_FILES || strlen(name) >= sizeof bi->files[0].name)
		return EFI_BUFFER_TOO_SMALL;
	full_path(name, path, 384);
	EFI_STATUS st = root->Open(root, &f, path, EFI_FILE_MODE_READ, 0);
	if (st != EFI_SUCCESS)
		return st;
	st = file_size(f, &size);
	if (st == EFI_SUCCESS)
		st = read_all(f, size, &pa);
	f->Close(f);
	if (st != EFI_SUCCESS)
		return st;
	struct boot_file *bf = &bi->files[bi->file_count++];
	strlcpy(bf->name, name, sizeof bf->name);
	bf->base = pa;
	bf->size = size;
	return EFI_SUCCESS;
}
