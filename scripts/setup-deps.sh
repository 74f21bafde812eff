#!/bin/sh
# Installs the Debian packages Tessera's build, run and tests need.
# As root it installs what is missing without asking; otherwise it prints the
# exact apt-get line and fails, so nothing half-works.
set -eu

PACKAGES="gcc make binutils gnu-efi nasm mtools dosfstools python3 \
qemu-system-x86 ovmf bochs bochsbios vgabios cpio clang libclang-rt-14-dev"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "tessera setup: missing Debian packages:$missing" >&2
	echo "tessera setup: run as root:  apt-get update && $cmd" >&2
	exit 1
fi
echo "tessera setup: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
