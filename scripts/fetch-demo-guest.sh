#!/usr/bin/env bash
# Builds the demo Linux guest from Debian 12 packages without installing them
# into the host:
#   build/demo/bzImage             stock Debian kernel (linux-image-6.1.0-NN-amd64)
#   build/demo/kernel-version      its version, e.g. 6.1.0-56-amd64
#   build/demo/initramfs.cpio.gz   busybox-static + tests/linux/{init,profile,memscan,memfill}
# Intermediate files: build/demo/debs/ (the .deb files), build/demo/extract/
# (dpkg -x of both), build/demo/rootfs/ (the initramfs tree).
#
# Usage: scripts/fetch-demo-guest.sh [--force]
# Idempotent: a step is skipped when its output exists and is newer than this
# script (and than its other inputs); --force redoes every step.
# Check the result with: scripts/boot-demo-direct.py
set -euo pipefail

force=0
for arg in "$@"; do
	case "$arg" in
	--force) force=1 ;;
	-h | --help)
		sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "fetch-demo-guest: unknown argument: $arg" >&2
		exit 2
		;;
	esac
done

script=$(readlink -f "$0")
top=$(cd "$(dirname "$script")/.." && pwd)
demo=$top/build/demo
debs=$demo/debs
extract=$demo/extract
rootfs=$demo/rootfs
linux_src=$top/tests/linux
mkinitramfs=$top/scripts/mkinitramfs.py

log() { echo "fetch-demo-guest: $*"; }
die() {
	echo "fetch-demo-guest: error: $*" >&2
	exit 1
}

# as_root CMD...: runs CMD as root, through sudo when not root.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		die "'$*' needs root and sudo is not available"
	fi
}

# fresh OUTPUT [INPUT...]: true when OUTPUT exists and is newer than this
# script and every INPUT, and --force was not given.
fresh() {
	local out=$1 in
	shift
	[ "$force" -eq 0 ] || return 1
	[ -e "$out" ] && [ "$out" -nt "$script" ] || return 1
	for in in "$@"; do
		[ "$out" -nt "$in" ] || return 1
	done
	return 0
}

for tool in apt-get apt-cache dpkg-deb python3; do
	command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found (this script expects a Debian 12 host)"
done

mkdir -p "$debs" "$extract"

# --- 1. resolve and download the .debs -------------------------------------
# The stamp holds the concrete kernel package name; mtimes of downloaded .debs
# come from the archive, so they cannot be compared with the script.
dl_stamp=$debs/.downloaded

resolve_kernel() {
	# The plain flavour only: linux-image-6.1.0-NN-amd64 (not -rt-, -cloud-).
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9][0-9.]*-[0-9]+-amd64$/ { print $2; exit }'
}

shopt -s nullglob
# find_debs: sets kdeb and bbdeb to the downloaded .debs of $kpkg (or "").
find_debs() {
	local found
	found=("$debs/${kpkg}"_*.deb)
	kdeb=${found[0]:-}
	found=("$debs"/busybox-static_*.deb)
	bbdeb=${found[0]:-}
}

kpkg=
if fresh "$dl_stamp"; then
	kpkg=$(cat "$dl_stamp")
	find_debs
fi
if [ -n "$kpkg" ] && [ -n "$kdeb" ] && [ -n "$bbdeb" ]; then
	log "using cached packages ($kpkg, busybox-static)"
else
	kpkg=$(resolve_kernel || true)
	if [ -z "$kpkg" ]; then
		log "apt lists missing or stale: running apt-get update"
		as_root apt-get update -qq
		kpkg=$(resolve_kernel || true)
	fi
	[ -n "$kpkg" ] || die "could not resolve the package linux-image-amd64 depends on"
	log "downloading $kpkg and busybox-static into ${debs#"$top"/}"
	rm -f "$debs"/*.deb "$dl_stamp"
	# Run as root, apt would try to drop to the _apt user, which cannot write
	# into build/; downloading as root is fine for a plain download.
	sandbox=()
	[ "$(id -u)" -ne 0 ] || sandbox=(-o APT::Sandbox::User=root)
	(cd "$debs" && apt-get download -q "${sandbox[@]}" "$kpkg" busybox-static)
	find_debs
	if [ -z "$kdeb" ] || [ -z "$bbdeb" ]; then
		die "apt-get download did not produce the expected .debs in $debs"
	fi
	echo "$kpkg" >"$dl_stamp"
fi

# --- 2. extract ---------------------------------------------------------------
ex_stamp=$extract/.extracted
if fresh "$ex_stamp" "$dl_stamp"; then
	log "using cached extraction"
else
	log "extracting $(basename "$kdeb") and $(basename "$bbdeb")"
	rm -rf "$extract"
	mkdir -p "$extract"
	dpkg-deb -x "$kdeb" "$extract"
	dpkg-deb -x "$bbdeb" "$extract"
	touch "$ex_stamp"
fi

# --- 3. kernel ----------------------------------------------------------------
found=("$extract"/boot/vmlinuz-*)
vmlinuz=${found[0]:-}
[ -n "$vmlinuz" ] || die "no boot/vmlinuz-* in $extract"
kver=${vmlinuz##*/vmlinuz-}
if fresh "$demo/bzImage" "$ex_stamp" && fresh "$demo/kernel-version" "$ex_stamp" &&
	[ "$(cat "$demo/kernel-version")" = "$kver" ]; then
	log "using cached bzImage ($kver)"
else
	cp "$vmlinuz" "$demo/bzImage.tmp"
	mv "$demo/bzImage.tmp" "$demo/bzImage"
	echo "$kver" >"$demo/kernel-version"
	log "kernel $kver -> ${demo#"$top"/}/bzImage"
fi

# --- 4. initramfs -------------------------------------------------------------
busybox=$extract/bin/busybox
[ -x "$busybox" ] || die "no executable bin/busybox in $extract"
inputs=("$ex_stamp" "$mkinitramfs" "$linux_src/init" "$linux_src/profile"
	"$linux_src/memscan" "$linux_src/memfill")
for f in "${inputs[@]}"; do
	[ -e "$f" ] || die "missing input $f"
done

if fresh "$demo/initramfs.cpio.gz" "${inputs[@]}"; then
	log "using cached initramfs.cpio.gz"
else
	log "building the initramfs tree in ${rootfs#"$top"/}"
	rm -rf "$rootfs"
	mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,root,etc}
	chmod 1777 "$rootfs/tmp"
	chmod 0700 "$rootfs/root"
	install -m 0755 "$busybox" "$rootfs/bin/busybox"

	# Applet links where busybox itself would install them (bin/sh,
	# sbin/poweroff, usr/bin/...); a plain --list goes to bin/.
	if applets=$("$busybox" --list-full 2>/dev/null) && [ -n "$applets" ]; then
		:
	else
		applets=$("$busybox" --list | sed 's|^|bin/|')
	fi
	n=0
	while IFS= read -r path; do
		[ -n "$path" ] || continue
		path=${path#/}
		[ "$path" != bin/busybox ] || continue
		if [ -e "$rootfs/$path" ] || [ -L "$rootfs/$path" ]; then
			continue
		fi
		mkdir -p "$rootfs/$(dirname "$path")"
		ln -s /bin/busybox "$rootfs/$path"
		n=$((n + 1))
	done <<<"$applets"
	for a in sh setsid cttyhack mount dd poweroff; do
		[ -L "$rootfs/bin/$a" ] || [ -L "$rootfs/sbin/$a" ] ||
			[ -L "$rootfs/usr/bin/$a" ] || [ -L "$rootfs/usr/sbin/$a" ] ||
			die "busybox has no '$a' applet"
	done
	log "$n busybox applet links"

	install -m 0755 "$linux_src/init" "$rootfs/init"
	install -m 0644 "$linux_src/profile" "$rootfs/etc/profile"
	install -m 0755 "$linux_src/memscan" "$rootfs/bin/memscan"
	install -m 0755 "$linux_src/memfill" "$rootfs/bin/memfill"
	echo "root:x:0:0:root:/root:/bin/sh" >"$rootfs/etc/passwd"
	echo "root:x:0:" >"$rootfs/etc/group"

	# (mkinitramfs.py writes a .part file and renames it into place.)
	python3 "$mkinitramfs" --console "$rootfs" "$demo/initramfs.cpio.gz"
	log "initramfs -> ${demo#"$top"/}/initramfs.cpio.gz ($(stat -c %s "$demo/initramfs.cpio.gz") bytes)"
fi

log "ready: kernel $(cat "$demo/kernel-version"), $(stat -c %s "$demo/bzImage") byte bzImage, $(stat -c %s "$demo/initramfs.cpio.gz") byte initramfs"
