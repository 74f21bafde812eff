#!/usr/bin/env python3
"""Writes a directory tree as a gzip'd newc ("070701") cpio archive, the format
the Linux kernel unpacks as an initramfs. Standard library only, so the host
needs no cpio tool.

    mkinitramfs.py [--console] DIR OUT.cpio.gz

Every entry is owned by uid 0 / gid 0 and keeps its permission bits; entries
are sorted by path (a parent always precedes its children), symlinks are stored
as mode 0o120777 with the target as data, hard links are stored as separate
files. Timestamps are SOURCE_DATE_EPOCH (default 0), so the output is
reproducible. --console adds the character device dev/console (5, 1) so the
kernel can open the initial console before /init mounts devtmpfs; no other
device nodes are written (devtmpfs provides them).
"""

import argparse
import gzip
import os
import stat
import sys

MAGIC = b"070701"


def _pad(n):
    return (4 - n % 4) % 4


class NewcWriter:
    def __init__(self, out, mtime):
        self.out = out
        self.mtime = mtime
        self.ino = 0

    def entry(self, name, mode, data=b"", nlink=1, rdev=(0, 0)):
        self.ino += 1
        encoded = name.encode() + b"\0"
        fields = (
            self.ino,  # c_ino
            mode,  # c_mode
            0,  # c_uid
            0,  # c_gid
            nlink,  # c_nlink
            self.mtime,  # c_mtime
            len(data),  # c_filesize
            0,  # c_devmajor
            0,  # c_devminor
            rdev[0],  # c_rdevmajor
            rdev[1],  # c_rdevminor
            len(encoded),  # c_namesize (with the NUL)
            0,  # c_check
        )
        header = MAGIC + b"".join(b"%08X" % f for f in fields)
        assert len(header) == 110
        # The name is padded so that header + name ends on a 4-byte boundary,
        # the data so that it does too.
        self.out.write(header + encoded + b"\0" * _pad(len(header) + len(encoded)))
        self.out.write(data + b"\0" * _pad(len(data)))

    def trailer(self):
        self.ino = -1  # the trailer has c_ino 0
        self.entry("TRAILER!!!", 0, nlink=1)


def collect(root):
    """Relative paths of everything under root (not root itself), sorted."""
    paths = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        for name in dirnames + filenames:
            paths.append(os.path.normpath(os.path.join(rel, name)))
    return sorted(paths)


def build(root, out_path, console):
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    paths = collect(root)
    extra = {}
    if console:
        if "dev" not in paths:
            extra["dev"] = (stat.S_IFDIR | 0o755, (0, 0))
        extra["dev/console"] = (stat.S_IFCHR | 0o600, (5, 1))
    names = sorted(set(paths) | set(extra))

    tmp = out_path + ".part"
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
            w = NewcWriter(gz, mtime)
            for rel in names:
                if rel in extra and rel not in paths:
                    mode, rdev = extra[rel]
                    w.entry(rel, mode, nlink=2 if stat.S_ISDIR(mode) else 1, rdev=rdev)
                    continue
                full = os.path.join(root, rel)
                st = os.lstat(full)
                perm = stat.S_IMODE(st.st_mode)
                if stat.S_ISLNK(st.st_mode):
                    w.entry(rel, stat.S_IFLNK | 0o777, os.readlink(full).encode())
                elif stat.S_ISDIR(st.st_mode):
                    w.entry(rel, stat.S_IFDIR | perm, nlink=2)
                elif stat.S_ISREG(st.st_mode):
                    with open(full, "rb") as f:
                        w.entry(rel, stat.S_IFREG | perm, f.read())
                else:
                    print(f"mkinitramfs: skipping special file {rel}", file=sys.stderr)
            w.trailer()
    os.replace(tmp, out_path)
    return len(names)


def main():
    ap = argparse.ArgumentParser(description="Write DIR as a gzip'd newc cpio archive.")
    ap.add_argument("--console", action="store_true", help="add the device node dev/console (5, 1)")
    ap.add_argument("dir")
    ap.add_argument("out")
    args = ap.parse_args()
    if not os.path.isdir(args.dir):
        ap.error(f"{args.dir} is not a directory")
    n = build(args.dir, args.out, args.console)
    print(f"mkinitramfs: {n} entries -> {args.out} ({os.path.getsize(args.out)} bytes)")


if __name__ == "__main__":
    main()
