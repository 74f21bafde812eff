#!/bin/sh
# gnu-efi's self-relocation (crt0 -> _relocate) applies only R_X86_64_RELATIVE.
# Any other dynamic relocation would be silently left unapplied at run time, so
# refuse to produce such an image.
set -eu
bad=$(readelf -rW "$1" | awk '/R_X86_64_/ && $3 != "R_X86_64_RELATIVE" && $3 != "R_X86_64_NONE"')
if [ -n "$bad" ]; then
	echo "check-relocs: $1 has relocations the EFI loader will not apply:" >&2
	echo "$bad" >&2
	exit 1
fi
