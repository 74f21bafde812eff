#!/bin/sh
# make run: the demo appliance (scripts/demo/tessera.toml) in QEMU with TCG,
# SVM and nested paging. Two Linux partitions and a bare-metal one share this
# terminal: their lines carry their names; Ctrl-A then 1/2/3 sends what you
# type to one of them, Ctrl-A then ? lists them. Ctrl-T then X quits QEMU
# (QEMU's own escape moves from Ctrl-A to Ctrl-T so Tessera gets Ctrl-A).
# Five CPUs, CPU 0 without partitions: see "CPU 0 under QEMU" in
# docs/getting-started.md.
set -eu
build=${BUILD:-build}
esp=$build/esp-demo
rm -rf "$esp"
mkdir -p "$esp/EFI/BOOT/linux"
cp scripts/demo/tessera.toml "$esp/EFI/BOOT/tessera.toml"
cp "$build/demo/bzImage" "$build/demo/initramfs.cpio.gz" "$esp/EFI/BOOT/linux/"
cp "$build/guests/echo.bin" "$esp/EFI/BOOT/"
scripts/mkesp.sh "$esp" "$build/tessera.efi" ""
exec scripts/run-qemu.sh "$esp" -m 1024 -smp 5 -echr 0x14
