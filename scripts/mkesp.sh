#!/bin/sh
# Lays out a boot volume: DIR/EFI/BOOT/BOOTX64.EFI plus the config and guest
# files, and DIR.img, a FAT16 "superfloppy" image of the same content for
# hosts that need a disk image (Bochs). OVMF accepts both.
#
#   mkesp.sh DIR IMAGE.efi [CMDLINE]
# CMDLINE, if given, is written to tessera.cmd (options when the firmware
# passes none). Files already in DIR (test payloads, configs) are kept and go
# into the image too.
set -eu
dir=$1
efi=$2
cmdline=${3-}

mkdir -p "$dir/EFI/BOOT"
cp "$efi" "$dir/EFI/BOOT/BOOTX64.EFI"
if [ -n "$cmdline" ]; then
	printf '%s\n' "$cmdline" > "$dir/EFI/BOOT/tessera.cmd"
fi

# FAT16 with Bochs-friendly geometry: 64 cylinders x 16 heads x 63 sectors.
img="$(cd "$(dirname "$dir")" && pwd)/$(basename "$dir").img"
rm -f "$img"
dd if=/dev/zero of="$img" bs=516096 count=64 status=none
mformat -i "$img" -t 64 -h 16 -s 63 ::
(cd "$dir" && find . -type d ! -name . | sed 's|^\./||' | sort | while read -r d; do
	mmd -i "$img" "::/$d"
done)
(cd "$dir" && find . -type f | sed 's|^\./||' | sort | while read -r f; do
	mcopy -i "$img" "$f" "::/$f"
done)
