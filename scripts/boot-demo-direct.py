#!/usr/bin/env python3
"""Boots the demo Linux guest (scripts/fetch-demo-guest.sh) directly in QEMU,
without Tessera, and checks that it reaches its shell and runs a command:

  1. waits for "tessera-demo: init started" on the serial console,
  2. waits for the prompt "tessera-demo# ",
  3. types `echo hello-$((6*7))` and expects "hello-42",
  4. optionally types `dmesg` and saves the kernel log (--dmesg FILE),
  5. types `poweroff -f` and waits for QEMU to exit.

Prints "direct boot: N.NN s to shell" (wall seconds from starting QEMU to the
first prompt) and exits 0 when every step passed, 1 otherwise. The figure is
the baseline the benchmark compares a boot inside the hypervisor with.

    boot-demo-direct.py [--smp N] [--mem MB] [--accel tcg] [--timeout S]
                        [--log FILE] [--dmesg FILE] [--kernel F] [--initrd F]

Standard library only: QEMU runs with its serial console on pipes, read by a
thread.
"""

import argparse
import os
import re
import subprocess
import sys
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO = os.path.join(TOP, "build", "demo")
INIT_LINE = "tessera-demo: init started"
PROMPT = "tessera-demo# "


class Console:
    """Collects QEMU's stdout in a thread; expect() waits for a pattern."""

    def __init__(self, proc, log=None):
        self.proc = proc
        self.log = log
        self.buf = ""
        self.pos = 0  # expect() only looks past what the last match consumed
        self.eof = False
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._reader, daemon=True)
        self.thread.start()

    def _reader(self):
        fd = self.proc.stdout.fileno()
        while True:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            if self.log:
                self.log.write(data)
                self.log.flush()
            with self.cond:
                if not data:
                    self.eof = True
                    self.cond.notify_all()
                    return
                self.buf += data.decode("utf-8", "replace").replace("\r", "")
                self.cond.notify_all()

    def expect(self, pattern, timeout):
        """Waits for the regex pattern after the last match; returns the match or None."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                m = rx.search(self.buf, self.pos)
                if m:
                    self.pos = m.end()
                    return m
                left = deadline - time.monotonic()
                if self.eof or left <= 0:
                    return None
                self.cond.wait(min(left, 0.5))

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def tail(self, n=2000):
        with self.cond:
            return self.buf[-n:]


def qemu_command(args):
    return [
        args.qemu,
        "-accel", args.accel,
        "-m", str(args.mem),
        "-smp", str(args.smp),
        "-nographic",
        "-no-reboot",
        "-kernel", args.kernel,
        "-initrd", args.initrd,
        "-append", args.append,
    ]


def main():
    ap = argparse.ArgumentParser(description="Boot the demo guest directly in QEMU and time boot-to-shell.")
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--accel", default="tcg")
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--mem", type=int, default=512, help="MiB")
    ap.add_argument("--kernel", default=os.path.join(DEMO, "bzImage"))
    ap.add_argument("--initrd", default=os.path.join(DEMO, "initramfs.cpio.gz"))
    ap.add_argument("--append", default="console=ttyS0 panic=-1")
    ap.add_argument("--timeout", type=float, default=300, help="seconds allowed to reach the shell")
    ap.add_argument("--log", help="write the whole console transcript here")
    ap.add_argument("--dmesg", help="run dmesg in the guest and write its output here")
    ap.add_argument("-v", "--verbose", action="store_true", help="echo the console to stderr at the end")
    args = ap.parse_args()

    for f in (args.kernel, args.initrd):
        if not os.path.isfile(f):
            print(f"boot-demo-direct: {f} missing; run scripts/fetch-demo-guest.sh", file=sys.stderr)
            return 1

    cmd = qemu_command(args)
    log = open(args.log, "wb") if args.log else None
    t0 = time.monotonic()
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except OSError as e:
        print(f"boot-demo-direct: cannot start {args.qemu}: {e}", file=sys.stderr)
        return 1
    con = Console(proc, log)
    ok = False
    boot_s = None
    step = "init line"
    try:
        m = con.expect(re.escape(INIT_LINE) + r" \(uptime ([\d.]+) s\)", args.timeout)
        if not m:
            raise RuntimeError(f"no '{INIT_LINE}'")
        t_init = time.monotonic() - t0
        if m.group(1):
            print(f"direct boot: init at uptime {m.group(1)} s")
        m = con.expect(r"tessera-demo: nproc=(\d+) memtotal_kb=(\d+)", 30)
        if m:
            print(f"boot-demo-direct: guest nproc={m.group(1)} memtotal_kb={m.group(2)}")
        step = "prompt"
        if not con.expect(re.escape(PROMPT), max(args.timeout - t_init, 30)):
            raise RuntimeError("no shell prompt")
        boot_s = time.monotonic() - t0
        if "job control turned off" in con.tail(4000):
            print("boot-demo-direct: warning: the shell has no job control", file=sys.stderr)

        step = "command"
        con.send("echo hello-$((6*7))\n")
        if not con.expect(r"(?m)^hello-42$", 60):
            raise RuntimeError("no 'hello-42' from `echo hello-$((6*7))`")
        if not con.expect(re.escape(PROMPT), 30):
            raise RuntimeError("no prompt after the command")

        if args.dmesg:
            step = "dmesg"
            con.send("echo @@dmesg-$((1+1))-begin; dmesg; echo @@dmesg-$((1+1))-end\n")
            m = con.expect(r"(?s)@@dmesg-2-begin\n(.*?)@@dmesg-2-end\n", 60)
            if not m:
                raise RuntimeError("no dmesg output")
            with open(args.dmesg, "w") as f:
                f.write(m.group(1))
            con.expect(re.escape(PROMPT), 30)

        step = "poweroff"
        con.send("poweroff -f\n")
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            raise RuntimeError("QEMU did not exit after `poweroff -f`")
        ok = True
    except RuntimeError as e:
        print(f"boot-demo-direct: FAIL at {step}: {e}", file=sys.stderr)
        print("---- last console output ----", file=sys.stderr)
        print(con.tail(), file=sys.stderr)
        print("-----------------------------", file=sys.stderr)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        con.thread.join(5)
        if log:
            log.close()
        if args.verbose:
            sys.stderr.write(con.tail(1 << 20))

    if boot_s is not None:
        print(f"direct boot: {boot_s:.2f} s to shell")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
