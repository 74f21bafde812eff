#!/usr/bin/env python3
"""Tessera's test runner: host unit tests (ASan + UBSan), then integration
boots on every emulated host, two emulators at a time. Ends with the line
'N passed, N failed'."""
import argparse
import concurrent.futures
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
import hosts  # noqa: E402
from integration.cases import CASES  # noqa: E402

BUILD = os.path.join(ROOT, "build")
UNIT_FLAGS = ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-g", "-O1",
              "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
              "-I" + ROOT, "-I" + os.path.join(ROOT, "include")]


def unit_modules(test_file):
    """A test names the modules it links in a '// unit-modules:' line."""
    with open(test_file) as f:
        for line in f:
            m = re.match(r"\s*//\s*unit-modules:(.*)", line)
            if m:
                return m.group(1).split()
    return []


def run_unit(results):
    unit_dir = os.path.join(ROOT, "tests", "unit")
    out_dir = os.path.join(BUILD, "unit")
    os.makedirs(out_dir, exist_ok=True)
    for name in sorted(os.listdir(unit_dir)):
        if not (name.startswith("test_") and name.endswith(".c")):
            continue
        src = os.path.join(unit_dir, name)
        exe = os.path.join(out_dir, name[:-2])
        mods = [os.path.join(ROOT, m) for m in unit_modules(src)]
        cmd = ["gcc"] + UNIT_FLAGS + [src, os.path.join(unit_dir, "unit_main.c")] + mods + ["-o", exe]
        build = subprocess.run(cmd, capture_output=True, text=True)
        if build.returncode:
            print(f"FAIL unit/{name[:-2]}: does not build\n{build.stderr}")
            results["failed"] += 1
            continue
        run = subprocess.run([exe], capture_output=True, text=True, timeout=300)
        m = re.search(r"unit: (\d+) passed, (\d+) failed", run.stdout)
        passed, failed = (int(m.group(1)), int(m.group(2))) if m else (0, 1)
        if run.returncode and not failed:
            failed = 1  # crashed (sanitizer report) after its summary
        results["passed"] += passed
        results["failed"] += failed
        status = "ok  " if not failed else "FAIL"
        print(f"{status} unit/{name[:-2]}: {passed} passed, {failed} failed")
        if failed:
            print(run.stdout[-4000:] + run.stderr[-4000:])


def run_fuzz(results, seconds, target):
    """A bounded libFuzzer run of a pure module (tests/fuzz/)."""
    run = subprocess.run(["bash", os.path.join(ROOT, "tests", "fuzz", "run.sh"), str(seconds), target],
                         capture_output=True, text=True, timeout=seconds + 600)
    summary = (run.stdout.strip().splitlines() or ["(no output)"])[-1]
    ok = run.returncode == 0
    results["passed" if ok else "failed"] += 1
    print(f"{'ok  ' if ok else 'FAIL'} fuzz/{target} ({seconds}s): {summary}")
    if not ok:
        print(run.stdout[-3000:] + run.stderr[-3000:])


def check_tool(results, args, expect_rc, expect_text, label):
    tool = os.path.join(BUILD, "tessera-check")
    run = subprocess.run([tool] + args, capture_output=True, text=True, timeout=60)
    ok = run.returncode == expect_rc and expect_text in run.stdout + run.stderr
    results["passed" if ok else "failed"] += 1
    if not ok:
        print(f"FAIL tessera-check {label}: exit {run.returncode}, wanted {expect_rc} and '{expect_text}'")
        print((run.stdout + run.stderr)[-2000:])
    return ok


def run_tool_tests(results):
    """build/tessera-check accepts the documented example and the configs the
    integration tests boot, and rejects every bad config with FILE:LINE."""
    configs = os.path.join(ROOT, "tests", "configs")
    before = results["failed"]
    check_tool(results, ["--skip-images", "--cpus", "4", "--memory", "1G",
                         os.path.join(configs, "example.toml")], 0, "total:", "example.toml")
    tmp = os.path.join(BUILD, "tool-check")
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.join(tmp, "g"))
    for name in os.listdir(os.path.join(BUILD, "guests")):
        if name.endswith(".bin"):
            shutil.copy(os.path.join(BUILD, "guests", name), os.path.join(tmp, "g"))
    for case in CASES:  # the kernels, initrds and modules cases put next to configs
        for dest, src in case.files.items():
            os.makedirs(os.path.dirname(os.path.join(tmp, dest)), exist_ok=True)
            if os.path.exists(os.path.join(ROOT, src)):
                shutil.copy(os.path.join(ROOT, src), os.path.join(tmp, dest))
    # Each config is checked against the CPUs of the cases that boot it.
    cpus = {}
    for case in CASES:
        cpus[case.config] = max(cpus.get(case.config, 0), case.cpus)
    for name in sorted(os.listdir(os.path.join(ROOT, "tests", "integration", "configs"))):
        src = os.path.join(ROOT, "tests", "integration", "configs", name)
        shutil.copy(src, tmp)
        broken = name == "broken.toml"
        check_tool(results, ["--cpus", str(cpus.get(name, 4)), os.path.join(tmp, name)],
                   1 if broken else 0,
                   f"{name}:7:1:" if broken else "total:", name)
    bad = sorted(n for n in os.listdir(configs) if n.startswith("bad_"))
    for name in bad:
        path = os.path.join(configs, name)
        with open(path) as f:
            m = re.match(r"#\s*expect:\s*(\d+)", f.readline())
        line = m.group(1) if m else "?"
        check_tool(results, ["--skip-images", path], 1, f"{path}:{line}:", name)
    failed = results["failed"] - before
    print(f"{'ok  ' if not failed else 'FAIL'} tessera-check: example, {len(bad)} bad configs, "
          f"integration configs ({failed} failed)")


class Console(threading.Thread):
    """COM1 of an interactive case: QEMU serves it on a Unix socket; this
    reads it into serial.log and plays the case's script, one step at a
    time: when the step's regex appears after the previous step's match (or
    anywhere, for a step (regex, text, "any")), its text is typed."""

    def __init__(self, path, serial, script):
        super().__init__(daemon=True)
        self.path, self.serial, self.script = path, serial, list(script)
        self.stop = False

    def connect(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not self.stop:
            try:
                if isinstance(self.path, int):  # Bochs: a TCP port on localhost
                    s = socket.create_connection(("127.0.0.1", self.path), timeout=1)
                else:
                    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    s.connect(self.path)
                s.settimeout(0.2)
                return s
            except OSError:
                time.sleep(0.1)
        return None

    def run(self):
        sock = self.connect()
        if not sock:
            return
        text, pos, step = "", 0, 0
        with open(self.serial, "w") as out:
            while not self.stop:
                try:
                    data = sock.recv(65536)
                    if not data:
                        break
                except socket.timeout:
                    data = b""
                except OSError:
                    break
                chunk = data.decode(errors="replace")
                out.write(chunk)
                out.flush()
                text += chunk
                while step < len(self.script):
                    anywhere = len(self.script[step]) > 2 and self.script[step][2] == "any"
                    m = re.compile(self.script[step][0]).search(text, 0 if anywhere else pos)
                    if not m:
                        break
                    pos = m.end()
                    if len(self.script[step]) > 3:
                        time.sleep(self.script[step][3])  # (regex, text, where, delay)
                    sock.sendall(self.script[step][1].encode())
                    step += 1


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_esp(case, workdir):
    esp = os.path.join(workdir, "esp")
    shutil.rmtree(esp, ignore_errors=True)
    cmdline = case.cmdline
    if case.payloads:
        gdir = os.path.join(esp, "EFI", "BOOT", "g")
        os.makedirs(gdir)
        for name in case.payloads:
            shutil.copy(os.path.join(BUILD, "guests", name + ".bin"), gdir)
        cmdline = (cmdline + " run=" + ",".join(f"g/{n}.bin" for n in case.payloads)).strip()
    if case.config:
        boot_dir = os.path.join(esp, "EFI", "BOOT")
        os.makedirs(os.path.join(boot_dir, "g"), exist_ok=True)
        shutil.copy(os.path.join(ROOT, "tests", "integration", "configs", case.config),
                    os.path.join(boot_dir, "tessera.toml"))
        for name in case.images:
            shutil.copy(os.path.join(BUILD, "guests", name + ".bin"), os.path.join(boot_dir, "g"))
        for dest, src in case.files.items():
            os.makedirs(os.path.dirname(os.path.join(boot_dir, dest)), exist_ok=True)
            shutil.copy(os.path.join(ROOT, src), os.path.join(boot_dir, dest))
    subprocess.run([os.path.join(ROOT, "scripts", "mkesp.sh"), esp,
                    os.path.join(BUILD, "tessera.efi"), cmdline], check=True)
    return esp


def start_host(case, workdir, esp, serial, sock=None):
    if case.host == "qemu-svm":
        return hosts.qemu(workdir, esp, serial, case.cpus, cpu_model=case.qemu_cpu,
                          smp=case.qemu_smp, mem=case.mem or "512", serial_socket=sock,
                          extra=case.qemu_extra)
    port = sock if isinstance(sock, int) else None
    megs = int(case.mem) if case.mem else 256
    if case.host == "bochs-vmx":
        return hosts.bochs(workdir, esp + ".img", serial, case.cpus, "corei7_skylake_x", port, megs)
    if case.host == "bochs-svm":
        return hosts.bochs(workdir, esp + ".img", serial, case.cpus, "ryzen", port, megs)
    raise ValueError(case.host)


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def judge(case, log):
    problems = [f"missing: {e}" for e in case.expect if not re.search(e, log)]
    problems += [f"unexpected: {f}" for f in case.forbid if re.search(f, log)]
    for regex, want in case.counts.items():
        got = len(re.findall(regex, log))
        if got != want:
            problems.append(f"'{regex}' seen {got} times, expected {want}")
    if case.settle and not settled(case, log):
        problems.append(f"no '{case.settle}' after all expected lines")
    for check in case.checks:
        problems += check(log)
    return problems


def settled(case, log):
    """Every expected line has appeared, and the settle line appears again
    after the latest of their first appearances."""
    last = 0
    for e in case.expect:
        m = re.search(e, log)
        if not m:
            return False
        last = max(last, m.end())
    return re.search(case.settle, log[last:]) is not None


def finished(case, log):
    if case.settle:
        return settled(case, log)
    return re.search(case.end, log) is not None


def run_case(case):
    workdir = os.path.join(BUILD, "hosts", case.name)
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    serial = os.path.join(workdir, "serial.log")
    esp = prepare_esp(case, workdir)
    start = time.monotonic()
    console = None
    if case.script:
        sock = free_port() if case.host.startswith("bochs") else os.path.join(workdir, "com1.sock")
        proc = start_host(case, workdir, esp, serial, sock)
        console = Console(sock, serial, case.script)
        console.start()
    else:
        proc = start_host(case, workdir, esp, serial)
    ended = False
    try:
        while time.monotonic() - start < case.timeout and proc.poll() is None:
            if finished(case, read(serial)):
                time.sleep(1)  # let other CPUs' last lines land
                ended = True
                break
            time.sleep(0.5)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        if console:
            console.stop = True
            console.join(5)
    log = read(serial)
    problems = judge(case, log)
    if not ended:
        what = case.settle or case.end
        problems.insert(0, f"no '{what}' within {case.timeout}s" if proc.returncode is None
                        or proc.returncode < 0 else f"emulator exited ({proc.returncode})")
    return case, problems, time.monotonic() - start, log


def run_case_safely(case):
    try:
        return run_case(case)
    except Exception as e:  # a broken harness must fail the case, not the run
        return case, [f"harness error: {e!r}"], 0.0, ""


def judge_payloads(case, log):
    """One result per payload: (name, problem or None)."""
    outcomes = dict(re.findall(r"tessera: payload g/(\w+)\.bin: (exit -?\d+|stopped: .*)", log))
    for name, expected in case.payloads.items():
        got = outcomes.get(name)
        if got is None:
            yield name, "no outcome logged"
        elif not re.match(expected, got):
            yield name, f"expected '{expected}', got '{got.strip()}'"
        else:
            yield name, None


def run_integration(results, only):
    cases = [c for c in CASES if not only or re.search(only, c.name)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for case, problems, secs, log in pool.map(run_case_safely, cases):
            if problems:
                results["failed"] += 1
                print(f"FAIL {case.name} ({case.host}, {case.cpus} cpus, {secs:.0f}s)")
                for p in problems:
                    print(f"     {p}")
                tail = "\n".join(log.splitlines()[-30:])
                print(f"     --- serial log tail (build/hosts/{case.name}/serial.log) ---\n{tail}")
            else:
                results["passed"] += 1
                print(f"ok   {case.name} ({case.host}, {case.cpus} cpus, {secs:.0f}s)")
            for name, problem in judge_payloads(case, log):
                results["failed" if problem else "passed"] += 1
                print(f"{'FAIL' if problem else 'ok  '} {case.name}/{name}" + (f": {problem}" if problem else ""))
            sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--unit-only", action="store_true")
    ap.add_argument("--integration-only", action="store_true")
    ap.add_argument("--only", help="regex: run only integration cases whose name matches")
    args = ap.parse_args()
    results = {"passed": 0, "failed": 0}
    if not args.integration_only:
        run_unit(results)
        run_fuzz(results, 20, "insn")
        run_fuzz(results, 20, "config")
        if os.path.exists(os.path.join(BUILD, "tessera-check")):
            run_tool_tests(results)
        else:
            print("FAIL tessera-check: build/tessera-check was not built (make check-tool)")
            results["failed"] += 1
    if not args.unit_only:
        run_integration(results, args.only)
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] or not results["passed"] else 0


if __name__ == "__main__":
    sys.exit(main())
