"""Integration cases: boot tessera.efi on an emulated host and read its serial
log. Each case names the host, the CPU count, the command line (written to
tessera.cmd on the boot volume), the lines that must appear, the lines that
must not, and the line that means the run is over."""
import os
import re
from dataclasses import dataclass, field


@dataclass
class Case:
    name: str
    host: str                 # qemu-svm, bochs-vmx, bochs-svm
    cpus: int
    expect: list              # regexes that must all appear
    end: str                  # regex after which the run is judged
    cmdline: str = ""
    forbid: list = field(default_factory=lambda: [r"PANIC", r"exception \d+", r"error:"])
    timeout: int = 120        # seconds of wall time
    qemu_cpu: str = "qemu64,+svm,+npt"
    qemu_smp: str = ""        # overrides -smp (e.g. "2,maxcpus=4")
    payloads: dict = field(default_factory=dict)  # payload name -> expected outcome regex
    config: str = ""          # tests/integration/configs/NAME copied as tessera.toml
    images: list = field(default_factory=list)    # payload names copied to g/ for the config
    counts: dict = field(default_factory=dict)    # regex -> exact number of matches
    settle: str = ""          # after every expect matched, wait for this after them
    files: dict = field(default_factory=dict)     # boot-dir path -> file from the repository root
    script: list = field(default_factory=list)    # (regex, text): once regex is seen, type text
    mem: str = ""             # guest-machine memory in MiB; "" = the host's default
    checks: list = field(default_factory=list)    # fn(log) -> list of problems
    qemu_extra: list = field(default_factory=list)  # more QEMU arguments (e.g. a COM2)


# Under QEMU TCG a vCPU on CPU 0 beside other CPUs is warned about
# (getting-started.md, "CPU 0 under QEMU").
QEMU_CPU0 = r"warning: tessera: svm: cpu 0 runs a vcpu under QEMU TCG"

def all_online(n, virt):
    lines = [rf"tessera: cpu {i} online apic=\d+" for i in range(n)]
    return lines + [rf"tessera: {n} cpus online, {virt} enabled",
                    r"tessera: wx check: \d+ mappings, 0 writable\+executable"]


def dump_lines(what):
    """A panic report: the message, the registers, a stack trace, all CPUs stopped."""
    return [rf"tessera: PANIC on cpu 0: {what}", r"rax=[0-9a-f]{16}", r"rip=[0-9a-f]{16}",
            r"cr2=[0-9a-f]{16}", r"stack trace", r"#0 [0-9a-f]{16}  tessera\.so\+0x",
            r"tessera: system halted"]


BOOT_END = r"tessera: boot complete"
CASES = [
    Case("qemu-svm-smp1", "qemu-svm", 1, all_online(1, "svm") + [r"nrip save: no"], BOOT_END),
    Case("qemu-svm-smp4", "qemu-svm", 4, all_online(4, "svm"), BOOT_END),
    # Hot-pluggable but absent CPUs are in the MADT as not enabled: skipped.
    Case("qemu-svm-absent-cpus", "qemu-svm", 2,
         all_online(2, "svm") + [r"acpi: rev 2, 2 cpus \(2 disabled\)"], BOOT_END,
         forbid=[r"PANIC", r"exception \d+", r"error:", r"did not start"], qemu_smp="2,maxcpus=4"),
    Case("bochs-vmx-smp2", "bochs-vmx", 2,
         all_online(2, "vmx") + [r"local apic: x2apic", r"vmx: vmcs revision 0x[0-9a-f]+, ept 4-level 2M"],
         BOOT_END, timeout=240),
    Case("bochs-svm-smp2", "bochs-svm", 2, all_online(2, "svm") + [r"nrip save: yes"], BOOT_END,
         timeout=240),
    # A CPU without SVM: a clear message naming the missing feature, no crash.
    Case("qemu-no-svm", "qemu-svm", 2,
         [r"svm: missing SVM \(CPUID Fn8000_0001 ECX\[2\]\)",
          r"hardware virtualization unavailable, no partition can run: hypervisor halted"],
         r"hypervisor halted", forbid=[r"PANIC", r"exception \d+", r"cpus online"],
         qemu_cpu="qemu64,-svm"),
    Case("qemu-no-npt", "qemu-svm", 1,
         [r"svm: missing nested paging \(CPUID Fn8000_000A EDX\[0\]\)",
          r"hardware virtualization unavailable, no partition can run: hypervisor halted"],
         r"hypervisor halted", forbid=[r"PANIC", r"exception \d+", r"cpus online"],
         qemu_cpu="qemu64,+svm,-npt"),
    # The exception path: each deliberate fault ends in a full panic report.
    Case("selftest-ud", "qemu-svm", 2, dump_lines(r"exception 6 \(#UD invalid opcode\)"),
         r"system halted", cmdline="selftest=ud", forbid=[r"did not fault"]),
    # W^X is enforced, not just counted: writing our own text faults ...
    Case("selftest-wx", "qemu-svm", 1, dump_lines(r"exception 14 \(#PF page fault\)") + [r"err=3"],
         r"system halted", cmdline="selftest=wx", forbid=[r"did not fault"]),
    # ... and so does executing data (error code: present, instruction fetch).
    Case("selftest-nx", "bochs-vmx", 1, dump_lines(r"exception 14 \(#PF page fault\)") + [r"err=11"],
         r"system halted", cmdline="selftest=nx", forbid=[r"did not fault"], timeout=240),
    Case("selftest-panic", "qemu-svm", 2, dump_lines(r"selftest requested"),
         r"system halted", cmdline="selftest=panic loglevel=3", forbid=[r"did not fault"]),
]


# Test payloads (tests/guests/*.c), run one after another in one boot by the
# payload harness. Each outcome is reported as its own test. Well-behaved
# payloads end with "exit 0" (0 failed checks); hostile ones must be stopped,
# for the reason given, and the next payload must still run.
PAYLOADS = {
    "cpuid": r"exit 0",
    "hypercall": r"exit 0",
    "io": r"exit 0",
    "msr": r"exit 0",
    "mmio": r"exit 0",
    "cr": r"exit 0",
    "instructions": r"exit 0",
    "real_mode": r"exit 0",
    "uart": r"exit 0",
    "hostile_read": r"stopped: read outside the guest's memory at gpa 0x40000000",
    "hostile_write": r"stopped: write outside the guest's memory at gpa 0xc0000000",
    "hostile_rom": r"stopped: write of protected guest memory at gpa 0xe0000",
    "hostile_triple": r"stopped: triple fault",
    "hostile_halt": r"stopped: halted with interrupts masked",
    "hostile_mmio_exec": r"stopped: fetch outside the guest's memory at gpa 0xfeb00000",
}
PAYLOADS_END = r"tessera: payloads done: \d+ run"
PAYLOAD_LINES = [PAYLOADS_END, r"(?m)tessera: guest g/uart\.bin: hello from COM1\r?$"]
CASES += [
    Case("payloads-qemu-svm", "qemu-svm", 1, PAYLOAD_LINES, PAYLOADS_END, payloads=PAYLOADS,
         forbid=[r"PANIC", r"exception \d+ \("], timeout=180),
    Case("payloads-bochs-vmx", "bochs-vmx", 1, PAYLOAD_LINES, PAYLOADS_END, payloads=PAYLOADS,
         forbid=[r"PANIC", r"exception \d+ \("], timeout=300),
    # Bochs 2.7's SVM model does not take the SHUTDOWN intercept on a guest
    # triple fault: it panics the whole emulator. SVM triple-fault
    # containment is covered on QEMU; the rest runs here.
    Case("payloads-bochs-svm", "bochs-svm", 1, PAYLOAD_LINES, PAYLOADS_END,
         payloads={k: v for k, v in PAYLOADS.items() if k != "hostile_triple"},
         forbid=[r"PANIC", r"exception \d+ \("], timeout=300),
]


# Partitions from a config (issue 4). Lines read here: docs/boot-log.md.
STOPPING_ATTACKS = 12
def partition_cases():
    forbid = [r"PANIC", r"exception \d+ \(", r"NOT CONTAINED", r"memory CHANGED"]
    lifecycle4 = [r"comeback: start 0: triple-faulting now", r"partition comeback fault: triple fault",
                  r"partition comeback state restarting", r"comeback: back after 1 restart",
                  r"gone: start 0: triple-faulting now", r"partition gone state failed",
                  r"victim: heartbeat \d+, memory intact"]
    lifecycle2 = [lifecycle4[i] for i in (0, 1, 2, 3, 6)]
    isolation = [rf"attacks done: (\d+) refused, {STOPPING_ATTACKS} stopped, 0 not contained",
                 r"partition attacker exited with status 0", r"victim: pattern checksum",
                 r"tessera: guest attacker: raw bytes to 0x3f8"]
    iso_counts = {r"partition attacker state restarting": STOPPING_ATTACKS,
                  r"(?m): refused\r?$": 20}
    victim_after = r"victim: heartbeat \d+, memory intact"
    return [
        Case("partitions-qemu-svm", "qemu-svm", 4, lifecycle4, BOOT_END, config="lifecycle4.toml",
             images=["triple_once", "victim"], forbid=forbid + [r"gone: back after"],
             counts={r"partition gone state restarting": 0}, settle=victim_after, timeout=180),
        Case("partitions-bochs-vmx", "bochs-vmx", 2, lifecycle2, BOOT_END, config="lifecycle2.toml",
             images=["triple_once", "victim"], forbid=forbid, settle=victim_after, timeout=300),
        Case("isolation-qemu-svm", "qemu-svm", 2, isolation + [QEMU_CPU0], BOOT_END,
             config="isolation.toml",
             images=["victim", "attacker"], forbid=forbid, counts=iso_counts, settle=victim_after,
             timeout=240),
        Case("isolation-bochs-vmx", "bochs-vmx", 2, isolation, BOOT_END, config="isolation.toml",
             images=["victim", "attacker"], forbid=forbid, counts=iso_counts, settle=victim_after,
             timeout=400),
        # Several vCPUs in one partition, each on its own CPU.
        Case("partition-smp-qemu-svm", "qemu-svm", 4,
             [r"trio: vcpu 0 of 3 on cpu 1", r"trio: vcpu 1 of 3 on cpu 2", r"trio: vcpu 2 of 3 on cpu 3",
              r"trio: all 3 vcpus checked in", r"partition trio exited with status 0",
              r"partition trio state stopped"],
             r"partition trio state stopped", config="smp.toml", images=["smp"], forbid=forbid),
        Case("partition-smp-bochs-svm", "bochs-svm", 2,
             [r"trio: vcpu 0 of 2 on cpu 0", r"trio: vcpu 1 of 2 on cpu 1",
              r"trio: all 2 vcpus checked in", r"partition trio exited with status 0"],
             r"partition trio state stopped", config="smp2.toml", images=["smp"], forbid=forbid,
             timeout=300),
        # on_fault = "halt-system": the whole machine stops, on purpose.
        Case("partition-halt-system", "qemu-svm", 2,
             [r"partition fatal fault: triple fault",
              r"tessera: partition fault with on_fault = halt-system: system halted"],
             r"system halted", config="halt.toml", images=["triple_once", "victim"],
             forbid=[r"PANIC", r"partition fatal state restarting"]),
        # No isolation-bochs-svm: the attacker's triple-fault attack panics
        # Bochs 2.7's SVM model (it ignores the SHUTDOWN intercept), which
        # would end the run. SVM isolation runs on QEMU; Bochs ryzen runs the
        # payload suite.
        # A broken config: the error names file:line:column, nothing starts,
        # the hypervisor stays up.
        Case("config-error", "qemu-svm", 1,
             [r"tessera: config tessera\.toml:7:1: .*unknown key 'colour'",
              r"no partition started: the configuration is invalid", r"tessera: boot complete"],
             BOOT_END, config="broken.toml", images=["victim"],
             forbid=[r"PANIC", r"partition broken state"]),
    ]


CASES += partition_cases()


# Guests with the virtual PC platform (issue 5): Debian's stock kernel with
# the busybox initramfs (make demo), and a Multiboot kernel. Linux lines
# arrive as "tessera: guest NAME: TEXT"; the harness types at the prompt.
DEMO_FILES = {"linux/bzImage": "build/demo/bzImage",
              "linux/initramfs.cpio.gz": "build/demo/initramfs.cpio.gz"}
PROMPT = r"guest {}: tessera-demo# "
# Kernel complaints about the platform: any such line fails the case.
# busybox dmesg -r keeps the <level> prefix: 0-4 are emergency .. warning.
DMESG_CHECK = ("dmesg -r | grep -E '^<[0-4]>' | grep -iE 'apic|acpi|timer|tsc|clock|irq|hpet|pit' "
               "| sed 's/^/DMESG-B''AD: /'; echo dmesg-check-$((1+1))\n")


def sleep_accuracy(name, seconds=5, tolerance=0.02):
    """The guest slept `seconds` between two lines; the hypervisor's
    timestamps on them (its TSC, calibrated against the machine's timers)
    must agree within tolerance."""
    def check(log):
        t = [float(m.group(1)) for m in
             re.finditer(rf"\[\s*([\d.]+) c\d+\] tessera: guest {name}: sleep-(?:start|end)-\d+", log)]
        if len(t) < 2:
            return [f"no sleep-start/sleep-end lines from {name}"]
        took = t[1] - t[0]
        if abs(took - seconds) > seconds * tolerance:
            return [f"'sleep {seconds}' took {took:.3f} s by the hypervisor's clock"]
        return []
    return check


def rtc_matches(name):
    """The guest's RTC year is the machine's (as the hypervisor read it)."""
    def check(log):
        host = re.search(r"tessera: wall clock (\d{4})-", log)
        guest = re.search(rf"guest {name}: rtc-year-(\d+)", log)
        if not host or not guest:
            return ["no wall clock line or no rtc-year line"]
        return [] if host.group(1) == guest.group(1) else [
            f"guest RTC year {guest.group(1)}, machine RTC year {host.group(1)}"]
    return check


def linux_cases():
    forbid = [r"PANIC", r"exception \d+ \(", r"DMESG-BAD", r"Kernel panic", r"vcpu \d+ stopped",
              r"partition \w+ fault"]
    one = [r"guest tux: tessera-demo: init started",
           r"guest tux: tessera-demo: nproc=1 memtotal_kb=1\d{5}\b",
           r"guest tux: typed-42", r"guest tux: dmesg-check-2",
           r"tessera: guest tux vcpu 0: powered off \(ACPI S5\)",
           r"partition tux exited with status 0"]
    one_script = [(PROMPT.format("tux"), "echo typed-$((6*7))\n"),
                  (r"guest tux: typed-42", DMESG_CHECK),
                  (r"guest tux: dmesg-check-2",
                   "echo rtc-year-$(date -u +%Y); echo sleep-start-$((1)); sleep 5; echo sleep-end-$((2))\n"),
                  (r"guest tux: sleep-end-2", "poweroff -f\n")]
    # Two Linux partitions, tux (2 vCPUs) and pen, and the payload scan. tux
    # fills memory with a pattern; pen looks for it through /dev/mem beyond
    # its own RAM (Debian's kernel allows no reads there) and scan searches
    # all of its RAM for it, round after round; then tux reboots and powers
    # off while pen keeps answering. Ctrl-A 2 / Ctrl-A 1 move the typing.
    pattern = "TESSERA-ISOLATION-PATTERN-5f3a"
    two = [r"guest tux: tessera-demo: nproc=2 memtotal_kb=1\d{5}\b",
           r"guest pen: tessera-demo: nproc=1 memtotal_kb=1\d{5}\b",
           r"guest tux: typed-42", r"guest tux: dmesg-check-2", r"guest tux: memfill: done",
           r"tessera: console input to partition pen", r"guest pen: pen-alive-7",
           r"guest pen: memscan: not found", r"guest scan: scanner: round \d+: 0 found in 8 MiB",
           r"partition tux state restarting",
           r"tessera: guest tux vcpu 1 on cpu 2: (running|halted|wait-for-sipi|stopped), \d+ exits",
           r"guest pen: pen-still-alive-9",
           r"tessera: guest tux vcpu \d: powered off \(ACPI S5\)",
           r"partition tux exited with status 0"]
    two_script = [(PROMPT.format("tux"), "echo typed-$((6*7))\n", "any"),
                  (r"guest tux: typed-42", DMESG_CHECK),
                  (r"guest tux: dmesg-check-2", f"memfill {pattern} 8\n"),
                  (r"guest tux: memfill: done", "\x012"),
                  (PROMPT.format("pen"), "echo pen-alive-$((3+4))\n", "any"),
                  (r"guest pen: pen-alive-7", f"memscan {pattern} 0xa000000 0x400000\n"),
                  (r"guest pen: memscan: ", ""),
                  (r"guest scan: scanner: round \d+: 0 found", "\x011reboot -f\n"),
                  (r"guest tux: .*reboot: Restarting system", "\x01s"),
                  (r"partition tux state restarting", "\x012echo pen-still-alive-$((4+5))\n"),
                  (r"guest pen: pen-still-alive-9", "\x011"),
                  (PROMPT.format("tux"), "poweroff -f\n")]
    return [
        Case("linux-1vcpu-qemu-svm", "qemu-svm", 2, one, r"partition tux state stopped",
             config="linux1.toml", files=DEMO_FILES, script=one_script, forbid=forbid,
             mem="1024", timeout=240, checks=[sleep_accuracy("tux"), rtc_matches("tux")]),
        Case("linux-1vcpu-bochs-vmx", "bochs-vmx", 2, one, r"partition tux state stopped",
             config="linux1.toml", files=DEMO_FILES, script=one_script, forbid=forbid,
             mem="512", timeout=900, checks=[sleep_accuracy("tux"), rtc_matches("tux")]),
        Case("linux-2part-qemu-svm", "qemu-svm", 5, two, r"partition tux state stopped",
             config="linux2.toml", files=DEMO_FILES, images=["scanner"], script=two_script,
             forbid=forbid + [r"memscan: found", r"scanner: round \d+: [1-9]", QEMU_CPU0], mem="1024",
             timeout=400),
    ]


def multiboot_cases():
    expect = [r"guest mb: mbkernel: magic ok", r"guest mb: mbkernel: cmdline=mbkernel verbose=1",
              r"guest mb: mbkernel: mods=1",
              r"guest mb: mbkernel: module 0 string=mb/module\.txt size=242 sum=00005519",
              r"guest mb: mbkernel: mem_upper=\d+", r"guest mb: mbkernel: long mode ok",
              r"partition mb exited with status 0"]
    files = {"mb/mbkernel.elf": "build/guests/multiboot/mbkernel.elf",
             "mb/module.txt": "tests/guests/multiboot/module.txt"}
    forbid = [r"PANIC", r"exception \d+ \(", r"mbkernel: FAIL"]
    def com2_has(lines):
        def check(log):
            path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build",
                                "hosts", "multiboot-own-uart-qemu-svm", "com2.log")
            text = open(path, errors="replace").read() if os.path.exists(path) else ""
            return [f"COM2 lacks: {x}" for x in lines if not re.search(x, text)]
        return check
    own = [x.replace("guest mb: ", "(?m)^") for x in expect[:-1]]
    return [
        Case("multiboot-qemu-svm", "qemu-svm", 2, expect, r"partition mb state stopped",
             config="multiboot.toml", files=files, forbid=forbid),
        Case("multiboot-own-uart-qemu-svm", "qemu-svm", 2, [expect[-1]], r"partition mb state stopped",
             config="multiboot_com2.toml", files=files, forbid=forbid + [r"guest mb: mbkernel"],
             qemu_extra=["-serial", "file:com2.log"], checks=[com2_has(own)]),
        Case("multiboot-bochs-vmx", "bochs-vmx", 2, expect, r"partition mb state stopped",
             config="multiboot.toml", files=files, forbid=forbid, timeout=300),
    ]


CASES += linux_cases() + multiboot_cases()

from integration.sched_cases import sched_cases  # noqa: E402
CASES += sched_cases(Case, DEMO_FILES, PROMPT, QEMU_CPU0)
