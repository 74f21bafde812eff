"""Scheduler cases (issue 6, docs/scheduling.md): weighted sharing of one
CPU, a cyclic table checked against the payloads' own timestamps, and two
Linux partitions time-sharing two CPUs. Lines read here are documented in
docs/boot-log.md (tessera: sched: ...) and come from the payloads
tests/guests/busy.c and tests/guests/cyclic.c."""
import re


def shares(names, weights, tolerance=5.0):
    """busy.c prints 'busy: mark M units U run_us R' at whole seconds of
    the TSC. Over the marks every partition printed (the first one left
    out: start-up), each partition's share of the work done and of the run
    time the scheduler charged must be weight / sum(weights) within
    `tolerance` percentage points."""
    def check(log):
        marks = {}
        for n in names:
            marks[n] = {int(m.group(1)): (int(m.group(2)), int(m.group(3))) for m in re.finditer(
                rf"guest {n}: busy: mark (\d+) units (\d+) run_us (\d+)", log)}
        common = sorted(set.intersection(*(set(m) for m in marks.values())))
        if len(common) < 3:
            return [f"only {len(common)} marks printed by all of {', '.join(names)}"]
        a, b = common[1], common[-1]
        total = sum(weights)
        problems = []
        for what, idx in (("work", 0), ("run time", 1)):
            done = [marks[n][b][idx] - marks[n][a][idx] for n in names]
            if min(done) <= 0:
                return [f"no {what} between marks {a} and {b}: {done}"]
            got = [100.0 * d / sum(done) for d in done]
            print(f"     {what} over {b - a} s: " + ", ".join(
                f"{n} {g:.1f}% (want {100.0 * w / total:.1f})" for n, g, w in zip(names, got, weights)))
            for n, g, w in zip(names, got, weights):
                if abs(g - 100.0 * w / total) > tolerance:
                    problems.append(f"{n} got {g:.1f}% of the {what}, weight says {100.0 * w / total:.1f}%")
        return problems
    return check


def _merge(intervals, frame):
    """Owned windows of one vCPU as intervals on the circle, merged where
    they touch (across the frame's end too), unwrapped past frame."""
    iv = sorted(intervals)
    merged = []
    for s, e in iv:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    if len(merged) > 1 and merged[0][0] == 0 and merged[-1][1] == frame:
        first = merged.pop(0)
        merged[-1][1] = frame + first[1]
    return merged


def cyclic(windows, frame_us, tolerance_us, min_runs=20, start_window_us=1000):
    """cyclic.c prints 'cyclic: vcpu V cpu C run S E us frame F': a stretch
    of running from S to E microseconds into the major frame. Every stretch
    of partition P's vCPU V must lie inside P/V's windows (tolerance_us
    either side: the exit that ends a window takes time). How late the
    stretches that begin within start_window_us of a window's start begin
    (the jitter of window starts) is printed."""
    def check(log):
        problems = []
        for (name, vcpu), owned in windows.items():
            merged = _merge(owned, frame_us)
            runs = [tuple(int(x) for x in m.groups()) for m in re.finditer(
                rf"guest {name}: cyclic: vcpu {vcpu} cpu \d+ run (\d+) (\d+) us", log)]
            if len(runs) < min_runs:
                problems.append(f"{name}/{vcpu}: {len(runs)} runs recorded, want {min_runs}")
                continue
            late = []
            for s, e in runs:
                if e < s:
                    e += frame_us
                inside = None
                for ws, we in merged:
                    for shift in (-frame_us, 0, frame_us):
                        if ws + shift - tolerance_us <= s and e <= we + shift + tolerance_us:
                            inside = (ws + shift, we + shift)
                            break
                if not inside:
                    problems.append(f"{name}/{vcpu} ran {s}-{e % frame_us} us into the frame, "
                                    f"outside its windows {merged}")
                elif s - inside[0] <= start_window_us:
                    late.append(max(0, s - inside[0]))
            if late:
                print(f"     {name}/{vcpu}: {len(runs)} runs inside its windows; window start "
                      f"jitter avg {sum(late) / len(late):.0f} us, max {max(late)} us "
                      f"over {len(late)} starts")
        return problems
    return check


def quiet_vcpu(name, vcpu, seconds, most=2):
    """Four Ctrl-A s reports bracket an idle and a busy interval; vCPU
    `vcpu` of partition `name` may exit at most `most` times in each (the
    bench prints the exact rates)."""
    def check(log):
        totals = [int(m.group(1)) for m in re.finditer(
            rf"tessera: guest {name} vcpu {vcpu} on cpu \d+: \w+, (\d+) exits", log)]
        if len(totals) < 4:
            return [f"{len(totals)} reports of {name} vcpu {vcpu}, want 4"]
        problems = []
        for what, a, b in (("idle", totals[0], totals[1]), ("busy", totals[2], totals[3])):
            print(f"     {name}/{vcpu} {what}: {b - a} exits in {seconds} s")
            if b - a > most:
                problems.append(f"{name} vcpu {vcpu} exited {b - a} times in {seconds} s {what}")
        return problems
    return check


DEDICATED_REPORT = r"tessera: guest rt vcpu 1 on cpu 2"


def dedicated_linux_script(prompt, seconds):
    """linux_dedicated.toml, typed: settle, then Ctrl-A s reports around
    `seconds` idle at the prompt and `seconds` with a busy loop pinned to
    vCPU 1 (quiet_vcpu reads them; so does scripts/bench_sched.py)."""
    return [(prompt, "sleep 5; echo settled-$((1+1))\n", "any"),
            (r"guest rt: settled-2", "\x01s"),
            (DEDICATED_REPORT, f"sleep {seconds}; echo idle-done-$((2+2))\n"),
            (r"guest rt: idle-done-4", "\x01s"),
            (DEDICATED_REPORT, "taskset -c 1 sh -c 'while :; do :; done' & sleep 5; "
                               "echo busy-start-$((3+3))\n"),
            (r"guest rt: busy-start-6", "\x01s"),
            (DEDICATED_REPORT, f"sleep {seconds}; echo busy-done-$((4+4))\n"),
            (r"guest rt: busy-done-8", "\x01s"),
            (DEDICATED_REPORT, "poweroff -f\n")]


# cyclic.toml: frame 10 ms; cpu 0: alpha/0 0-2, beta/0 2-5, alpha/0 5-10;
# cpu 1: beta/1 0-2, alpha/1 2-5, idle 5-10 (all in microseconds).
CYCLIC_WINDOWS = {("alpha", 0): [(0, 2000), (5000, 10000)], ("beta", 0): [(2000, 5000)],
                  ("beta", 1): [(0, 2000)], ("alpha", 1): [(2000, 5000)]}


def sched_cases(Case, demo_files, prompt, qemu_cpu0):
    forbid = [r"PANIC", r"exception \d+ \(", r"vcpu \d+ stopped", r"partition \w+ fault", r"FAIL"]
    three = ["left", "middle", "right"]
    shared_expect = [rf"guest {n}: busy: started on cpu 1, policy 1" for n in three] + \
        [rf"partition {n} exited with status 0" for n in three] + \
        [r"tessera: sched: cpu 1 shared at \d+ us: idle", r"tessera: sched: cpu 1 middle/0: run \d+ us"]
    shared_end = r"partition (left|middle|right) state stopped"
    cyc_expect = [rf"guest {n}: cyclic: vcpu {v} done, frame 10000 us" for n in ("alpha", "beta")
                  for v in (0, 1)] + [r"tessera: sched: cpu 0 cyclic, 2 vcpus",
                                      r"tessera: sched: cpu 1 windows \d+, start late avg \d+ us",
                                      r"partition (alpha|beta) exited with status 0"]
    cyc_end = r"partition (alpha|beta) state stopped"
    # Two Linux partitions with two vCPUs each on shared CPUs 1 and 2: both
    # reach their shells; while tux keeps both its vCPUs busy, pen still
    # answers, and so does tux.
    linux_expect = [r"guest tux: tessera-demo: nproc=2 ", r"guest pen: tessera-demo: nproc=2 ",
                    r"guest tux: tux-up-42", r"guest pen: pen-up-7", r"guest tux: spinning-6",
                    r"guest pen: pen-busy-ok-9", r"tessera: sched: cpu 1 tux/0: run",
                    r"tessera: sched: cpu 2 pen/1: run", r"guest tux: tux-busy-ok-12",
                    r"partition tux exited with status 0", r"partition pen exited with status 0"]
    spin = "for i in 1 2; do (while :; do :; done) & done; echo spinning-$((2*3))\n"
    linux_script = [(prompt.format("tux"), "echo tux-up-$((6*7))\n", "any"),
                    (r"guest tux: tux-up-42", "\x012"),
                    (prompt.format("pen"), "echo pen-up-$((3+4))\n", "any"),
                    (r"guest pen: pen-up-7", "\x011" + spin),
                    (r"guest tux: spinning-6", "\x012echo pen-busy-ok-$((4+5))\n", "after", 3),
                    (r"guest pen: pen-busy-ok-9", "\x01s"),
                    (r"tessera: sched: cpu 2 pen/1: run", "\x011echo tux-busy-ok-$((5+7))\n"),
                    (r"guest tux: tux-busy-ok-12", "poweroff -f\n"),
                    (r"partition tux exited", "\x012poweroff -f\n")]
    # A dedicated, tickless vCPU (linux_dedicated.toml): no exits while the
    # partition idles at its prompt, none while a busy loop runs there.
    dedicated_script = dedicated_linux_script(prompt.format("rt"), 5)
    dedicated_expect = [r"guest rt: tessera-demo: nproc=1 ", r"guest rt: busy-done-8",
                        r"tessera: guest rt vcpu 1 on cpu 2: halted",
                        r"tessera: guest rt vcpu 1 on cpu 2: running, \d+ exits, last \S+ at rip 0x[0-9a-f]+;",
                        r"tessera: sched: cpu 2 dedicated, 1 vcpus", r"partition rt exited with status 0"]
    return [
        Case("sched-linux-dedicated-qemu-svm", "qemu-svm", 3, dedicated_expect,
             r"partition rt state stopped", config="linux_dedicated.toml", files=demo_files,
             script=dedicated_script, forbid=forbid + [r"Kernel panic"], mem="1024", timeout=400,
             checks=[quiet_vcpu("rt", 1, 5)]),
        Case("sched-shared-qemu-svm", "qemu-svm", 2, shared_expect, shared_end, config="shared3.toml",
             images=["busy"], forbid=forbid, checks=[shares(three, [1, 2, 1])], timeout=180),
        Case("sched-shared-bochs-vmx", "bochs-vmx", 2, shared_expect, shared_end, config="shared3.toml",
             images=["busy"], forbid=forbid, checks=[shares(three, [1, 2, 1])], timeout=400),
        Case("sched-shared-bochs-svm", "bochs-svm", 2, shared_expect, shared_end, config="shared3.toml",
             images=["busy"], forbid=forbid, checks=[shares(three, [1, 2, 1])], timeout=400),
        # -icount: QEMU's clock follows the instructions executed, so the
        # windows are measured on the emulated machine's time even when the
        # host deschedules QEMU (two emulators share two cores in CI).
        Case("sched-cyclic-qemu-svm", "qemu-svm", 2, cyc_expect, cyc_end, config="cyclic.toml",
             images=["cyclic"], forbid=forbid, checks=[cyclic(CYCLIC_WINDOWS, 10000, 200)],
             qemu_extra=["-icount", "shift=6,sleep=off"], timeout=240),
        Case("sched-cyclic-bochs-vmx", "bochs-vmx", 2, cyc_expect, cyc_end, config="cyclic.toml",
             images=["cyclic"], forbid=forbid, checks=[cyclic(CYCLIC_WINDOWS, 10000, 200)],
             timeout=400),
        Case("sched-cyclic-bochs-svm", "bochs-svm", 2, cyc_expect, cyc_end, config="cyclic.toml",
             images=["cyclic"], forbid=forbid + [qemu_cpu0],
             checks=[cyclic(CYCLIC_WINDOWS, 10000, 200)],
             timeout=400),
        # Linux runs on QEMU SVM only: on Bochs two Linux partitions sharing
        # CPUs would take well over ten minutes to reach their shells.
        Case("sched-linux-shared-qemu-svm", "qemu-svm", 3, linux_expect,
             r"partition pen state stopped", config="linux_shared.toml", files=demo_files,
             script=linux_script, forbid=forbid + [r"Kernel panic"], mem="1024", timeout=400),
    ]
