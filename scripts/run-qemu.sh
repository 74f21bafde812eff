#!/bin/sh
# Boots a boot volume in QEMU with TCG: AMD SVM with nested paging under OVMF
# (the only virtualization TCG emulates), serial console on this terminal.
#   run-qemu.sh ESPDIR [extra qemu args...]
# Quit with Ctrl-A then X.
set -eu
esp=$1
shift
vars=$(dirname "$esp")/ovmf-vars.fd
[ -f "$vars" ] || cp /usr/share/OVMF/OVMF_VARS.fd "$vars"
exec qemu-system-x86_64 -machine q35 -accel tcg -cpu qemu64,+svm,+npt -m 512 -smp 4 -net none \
	-drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd \
	-drive if=pflash,format=raw,unit=1,file="$vars" \
	-drive file=fat:rw:"$esp",format=raw,media=disk \
	-display none -serial mon:stdio -no-reboot "$@"
