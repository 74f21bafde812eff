#!/usr/bin/env python3
"""make bench, scheduler part (docs/scheduling.md).

1. A dedicated-CPU Linux partition's exits per second in steady state: the
   demo kernel with two vCPUs (tests/integration/configs/linux_dedicated.toml),
   vCPU 1 alone on CPU 2 and tickless (nohz_full), vCPU 0 keeping Linux's
   housekeeping on shared CPU 1. Four Ctrl-A s reports give the exits by reason of
   both vCPUs over SECONDS idle at the prompt, then over SECONDS with a busy
   loop pinned to vCPU 1. QEMU TCG (SVM).
2. The cost of sharing a CPU for a busy loop: in one boot, the busy payload
   (tests/guests/busy.c) alone on a dedicated CPU beside two copies of it
   sharing another CPU with equal weights. Over the same TSC seconds it
   compares the work done per second of run time and, for the pair, their
   work together against the dedicated one's. Bochs VMX (preemption timer,
   TSC = instructions) and Bochs SVM (local APIC timer)."""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
import run  # noqa: E402
from integration.cases import Case, DEMO_FILES  # noqa: E402
from integration.sched_cases import dedicated_linux_script  # noqa: E402

SECONDS = 10
PROMPT = r"guest rt: tessera-demo# "
VCPU_LINE = r"tessera: guest rt vcpu (\d) on cpu \d+: \w+, (\d+) exits, [^;]*;(.*)"


def dedicated_case():
    return Case("bench-dedicated-linux", "qemu-svm", 3, [r"busy-done-8"], r"partition rt state stopped",
                config="linux_dedicated.toml", files=DEMO_FILES,
                script=dedicated_linux_script(PROMPT, SECONDS), mem="1024", timeout=400, forbid=[])


def reports(log):
    """Each Ctrl-A s gives one line per vCPU: [{vcpu: {kind: count, 'total': n}}]."""
    out, cur = [], {}
    for m in re.finditer(VCPU_LINE, log):
        vcpu = int(m.group(1))
        counts = {k: int(n) for k, n in re.findall(r"(\S+)=(\d+)", m.group(3))}
        counts["total"] = int(m.group(2))
        if vcpu in cur:
            out.append(cur)
            cur = {}
        cur[vcpu] = counts
    if cur:
        out.append(cur)
    return out


def rates(a, b, vcpu):
    kinds = set(a[vcpu]) | set(b[vcpu])
    return {k: (b[vcpu].get(k, 0) - a[vcpu].get(k, 0)) / SECONDS for k in kinds}


def dedicated():
    print("bench: dedicated-CPU Linux partition on QEMU TCG ...", flush=True)
    _, problems, _, log = run.run_case(dedicated_case())
    r = reports(log)
    if problems or len(r) < 4:
        print(f"bench: dedicated Linux: no figures ({problems[:2]}; build/hosts/bench-dedicated-linux)")
        return 1
    print(f"\nDedicated-CPU Linux partition (Debian 12 kernel, 2 vCPUs, QEMU TCG): exits per second"
          f" over {SECONDS} s")
    print(f"{'':<38}{'idle':>10}{'busy loop':>12}")
    for vcpu, what in ((1, "vcpu 1 (cpu 2, nohz_full)"), (0, "vcpu 0 (shared cpu 1, housekeeping)")):
        idle, busy = rates(r[0], r[1], vcpu), rates(r[2], r[3], vcpu)
        print(f"{what:<38}{idle['total']:>10.1f}{busy['total']:>12.1f}")
        for k in sorted(set(idle) | set(busy)):
            if k != "total" and (idle.get(k) or busy.get(k)):
                print(f"  {k:<36}{idle.get(k, 0):>10.1f}{busy.get(k, 0):>12.1f}")
    return 0


MARK = r"guest {}: busy: mark (\d+) units (\d+) run_us (\d+) switches (\d+)"


def overhead_case(host, extra):
    return Case(f"bench-share-{host}", host, 2, [r"partition (solo|pair-a|pair-b) exited"],
                r"partition pair-b state stopped", config="bench_share.toml",
                images=["busy"], qemu_extra=extra, timeout=600, forbid=[])


def overhead(host, extra):
    print(f"bench: busy loop, dedicated against shared CPU, {host} ...", flush=True)
    _, problems, _, log = run.run_case(overhead_case(host, extra))
    marks = {n: {int(m[0]): tuple(map(int, m[1:])) for m in re.findall(MARK.format(n), log)}
             for n in ("solo", "pair-a", "pair-b")}
    common = sorted(set.intersection(*(set(v) for v in marks.values())))
    if len(common) < 3:
        print(f"bench: {host}: too few marks ({problems[:2]}; build/hosts/bench-share-{host})")
        return None
    a, b = common[1], common[-1]
    d = {n: tuple(y - x for x, y in zip(marks[n][a], marks[n][b])) for n in marks}
    per_run = {n: d[n][0] / d[n][1] for n in d}  # units per microsecond run
    between = re.findall(r"tessera: sched: cpu 0 shared at \d+ us: .*between slices (\d+) times, "
                         r"avg (\d+) ns", log)
    return {"seconds": b - a, "solo": per_run["solo"],
            "between": int(between[-1][1]) if between else None,
            "shared": (d["pair-a"][0] + d["pair-b"][0]) / (d["pair-a"][1] + d["pair-b"][1]),
            "together": (d["pair-a"][0] + d["pair-b"][0]) / d["solo"][0],
            "switches": (d["pair-a"][2] + d["pair-b"][2]) / (b - a)}


def main():
    status = dedicated()
    results = {}
    # Bochs only: it runs its CPUs in lockstep, so a second of TSC is the
    # same work on both. QEMU under -icount runs them round robin on one
    # clock (a CPU that exits often loses its turn) and without it the host
    # schedules them: neither compares two CPUs fairly.
    for host, extra in (("bochs-vmx", []), ("bochs-svm", [])):
        results[host] = overhead(host, extra)
    if not all(results.values()):
        status = 1
    print("\nBusy loop: dedicated CPU against a CPU shared by two (weights equal, 5 ms slices),"
          " one boot each")
    print(f"{'':<44}" + "".join(f"{h:>14}" for h in results))
    rows = [("work per run time, shared / dedicated", lambda r: f"{r['shared'] / r['solo']:.4f}"),
            ("work of the pair together / dedicated", lambda r: f"{r['together']:.4f}"),
            ("switches per second on the shared CPU", lambda r: f"{r['switches']:.0f}"),
            ("hypervisor time between slices (ns)", lambda r: f"{r['between']}"),
            ("seconds measured (TSC)", lambda r: f"{r['seconds']}")]
    for label, fn in rows:
        print(f"{label:<44}" + "".join(f"{fn(r) if r else '-':>14}" for r in results.values()))
    return status


if __name__ == "__main__":
    sys.exit(main())
