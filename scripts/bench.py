#!/usr/bin/env python3
"""make bench: exit round-trip costs on both vendors, as emulated instructions.

Boots tessera.efi with the bench payload (tests/guests/bench.c) on
  - Bochs corei7_skylake_x (VMX + EPT), ips=100M, TSC = instruction count;
  - Bochs ryzen (SVM + NPT, NRIP save), same clock;
  - QEMU TCG (SVM + NPT) with -icount shift=0: one instruction per virtual ns.
Each figure is the median of 101 single round trips (guest RDTSC around one
exiting instruction, minus RDTSC's own cost). The bare CPUID is measured the
same way on the host CPU by the hypervisor before the guest runs, in the same
boot, so every ratio compares figures from one run on one emulator."""
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

BUILD = os.path.join(ROOT, "build")
HOSTS = [
    # name, start function, instructions per second of emulated time
    ("vmx/bochs", lambda w, e, s: hosts.bochs(w, e + ".img", s, 1, "corei7_skylake_x"), 100e6),
    ("svm/bochs", lambda w, e, s: hosts.bochs(w, e + ".img", s, 1, "ryzen"), 100e6),
    ("svm/qemu", lambda w, e, s: hosts.qemu(w, e, s, 1, extra=["-icount", "shift=0"]), 1e9),
]
OPS = ["cpuid", "hypercall", "pio-in", "pio-out", "mmio-read", "mmio-write", "msr-read", "msr-write"]


def boot(name, start):
    workdir = os.path.join(BUILD, "bench", name.replace("/", "-"))
    shutil.rmtree(workdir, ignore_errors=True)
    esp = os.path.join(workdir, "esp")
    os.makedirs(os.path.join(esp, "EFI", "BOOT", "g"))
    shutil.copy(os.path.join(BUILD, "guests", "bench.bin"), os.path.join(esp, "EFI", "BOOT", "g"))
    subprocess.run([os.path.join(ROOT, "scripts", "mkesp.sh"), esp, os.path.join(BUILD, "tessera.efi"),
                    "run=g/bench.bin"], check=True)
    serial = os.path.join(workdir, "serial.log")
    proc = start(workdir, esp, serial)
    deadline = time.monotonic() + 600
    log = ""
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            log = open(serial, errors="replace").read() if os.path.exists(serial) else ""
            if "payloads done" in log:
                break
            time.sleep(1)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    return log


def parse(log, ips):
    host = re.search(r"bench host cpuid (\d+) \(tsc (\d+) kHz\)", log)
    if not host:
        return None
    per_tick = ips / (int(host.group(2)) * 1000.0)  # instructions per TSC tick
    figures = {"bare cpuid (host)": int(host.group(1)) * per_tick}
    for op, ticks in re.findall(r"bench (\S+) (\d+)$", log, re.M):
        if op in OPS:
            figures[op] = int(ticks) * per_tick
    return figures


def main():
    results = {}
    only = os.environ.get("BENCH_HOSTS")  # e.g. BENCH_HOSTS=vmx/bochs
    for name, start, ips in HOSTS:
        if only and name not in only.split(","):
            continue
        print(f"bench: booting {name} ...", flush=True)
        results[name] = parse(boot(name, start), ips)
        if results[name] is None:
            print(f"bench: {name}: no figures (see build/bench/{name.replace('/', '-')}/serial.log)")
    rows = ["bare cpuid (host)"] + OPS
    names = [n for n, _, _ in HOSTS if n in results]
    print("\nExit round trips in emulated instructions (median of 101); x = ratio to bare CPUID")
    print(f"{'operation':<20}" + "".join(f"{n:>22}" for n in names))
    for row in rows:
        cells = []
        for n in names:
            r = results.get(n)
            if not r or row not in r:
                cells.append(f"{'-':>22}")
                continue
            ratio = r[row] / r["bare cpuid (host)"] if r["bare cpuid (host)"] else 0
            cells.append(f"{r[row]:>12.0f} ({ratio:>5.1f}x)")
        print(f"{row:<20}" + "".join(cells))
    status = 0 if all(results.values()) else 1
    if os.environ.get("BENCH_LINUX", "1") != "0":  # BENCH_LINUX=0 skips the Linux figures
        import bench_linux
        status |= bench_linux.main()
    if os.environ.get("BENCH_SCHED", "1") != "0":  # BENCH_SCHED=0 skips the scheduler figures
        import bench_sched
        status |= bench_sched.main()
    return status


if __name__ == "__main__":
    sys.exit(main())
