#!/usr/bin/env python3
"""make bench, Linux part: the demo kernel (make demo) booted in a Tessera
partition against the same kernel booted directly, in the same emulator
(QEMU TCG, qemu64 CPU, one vCPU, the same command line), and the exits per
second of the partition once it idles at its shell prompt.

Boot time is the guest's own uptime when /init starts (tests/linux/init
prints it): kernel entry to userspace in guest time, which both setups keep
in step with the wall clock, so firmware and emulator start-up do not count.
The idle exit rate comes from two Ctrl-A s reports 10 s apart."""
import os
import re
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
import hosts  # noqa: E402
from run import Console  # noqa: E402

BUILD = os.path.join(ROOT, "build")
CMDLINE = "console=ttyS0 quiet panic=-1"
IDLE_SECONDS = 10
INIT = r"tessera-demo: init started \(uptime ([\d.]+) s\)"
REPORT = r"vcpu 0 on cpu 1: \w+, (\d+) exits, [^;]*;(.*)"


def direct():
    out = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "boot-demo-direct.py"),
                          "--smp", "1", "--mem", "256", "--append", CMDLINE],
                         capture_output=True, text=True, timeout=600)
    m = re.search(r"direct boot: init at uptime ([\d.]+) s", out.stdout)
    return float(m.group(1)) if m else None


def partition():
    workdir = os.path.join(BUILD, "bench", "linux")
    shutil.rmtree(workdir, ignore_errors=True)
    boot = os.path.join(workdir, "esp", "EFI", "BOOT")
    os.makedirs(os.path.join(boot, "linux"))
    with open(os.path.join(boot, "tessera.toml"), "w") as f:
        f.write(f'[[partition]]\nname = "tux"\ncpus = [1]\nmemory = "256M"\n'
                f'image = "linux/bzImage"\nformat = "linux"\n'
                f'initrd = "linux/initramfs.cpio.gz"\ncmdline = "{CMDLINE}"\n')
    for name in ("bzImage", "initramfs.cpio.gz"):
        shutil.copy(os.path.join(BUILD, "demo", name), os.path.join(boot, "linux"))
    esp = os.path.join(workdir, "esp")
    subprocess.run([os.path.join(ROOT, "scripts", "mkesp.sh"), esp,
                    os.path.join(BUILD, "tessera.efi")], check=True)
    serial, sock = os.path.join(workdir, "serial.log"), os.path.join(workdir, "com1.sock")
    proc = hosts.qemu(workdir, esp, serial, 2, mem="1024", serial_socket=sock)
    console = Console(sock, serial, [(r"guest tux: tessera-demo# ", "\x01s", "any", 3),
                                     (REPORT, "\x01s", "after", IDLE_SECONDS)])
    console.start()
    deadline = time.monotonic() + 600
    log = ""
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            log = open(serial, errors="replace").read() if os.path.exists(serial) else ""
            if len(re.findall(REPORT, log)) >= 2:
                break
            time.sleep(1)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        console.stop = True
    return log


def idle_rates(log):
    reports = re.findall(REPORT, log)
    if len(reports) < 2:
        return None
    counts = [dict((k, int(n)) for k, n in re.findall(r"(\S+)=(\d+)", r[1])) for r in reports[:2]]
    return {k: (counts[1].get(k, 0) - counts[0].get(k, 0)) / IDLE_SECONDS
            for k in sorted(set(counts[0]) | set(counts[1]))}


def main():
    print("bench: Linux boot, direct in QEMU TCG ...", flush=True)
    base = direct()
    print("bench: Linux boot, in a Tessera partition on QEMU TCG ...", flush=True)
    log = partition()
    m = re.search(INIT, log)
    inside = float(m.group(1)) if m else None
    print("\nLinux (Debian 12 stock kernel, busybox initramfs, 1 vCPU, QEMU TCG): kernel entry to /init")
    print(f"  direct boot        {base if base is not None else '-':>8} s")
    print(f"  Tessera partition  {inside if inside is not None else '-':>8} s")
    if base and inside:
        print(f"  ratio              {inside / base:>8.2f}x")
    rates = idle_rates(log)
    if rates is None:
        print("bench: no idle exit reports (see build/bench/linux/serial.log)")
        return 1
    total = sum(rates.values())
    print(f"\nIdle Linux partition at its prompt: exits per second by reason ({IDLE_SECONDS} s)")
    for kind, rate in sorted(rates.items(), key=lambda kv: -kv[1]):
        if rate:
            print(f"  {kind:<14}{rate:>10.1f}")
    print(f"  {'total':<14}{total:>10.1f}")
    return 0 if base and inside else 1


if __name__ == "__main__":
    sys.exit(main())
