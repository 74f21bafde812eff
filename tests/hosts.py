"""Emulated test hosts (recipes as in docs/getting-started.md): how to boot a prepared
boot volume on each, with the serial console captured to a file."""
import os
import shutil
import subprocess

OVMF_CODE = "/usr/share/OVMF/OVMF_CODE.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS.fd"
OVMF_BOCHS = "/usr/share/ovmf/OVMF.fd"

BOCHSRC = """\
megs: {megs}
romimage: file={rom}
vgaromimage: file=/usr/share/vgabios/vgabios.bin
cpu: model={model}, count={cpus}, ips=100000000, reset_on_triple_fault=0
pci: enabled=1, chipset=i440fx
display_library: rfb, options="timeout=0"
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=disk, path={image}, mode=flat, cylinders=64, heads=16, spt=63
boot: disk
com1: enabled=1, {com1}
port_e9_hack: enabled=1
speaker: enabled=0
sound: driver=dummy
clock: sync=none, time0=946681200
log: {log}
panic: action=fatal
error: action=report
info: action=report
debug: action=ignore
"""


def qemu(workdir, esp_dir, serial, cpus, cpu_model="qemu64,+svm,+npt", smp="", extra=(),
         mem="512", serial_socket=None):
    """QEMU TCG: AMD SVM with NPT (no NRIP save), q35, OVMF. With serial_socket
    COM1 is a Unix socket QEMU waits on (the harness both reads and types)."""
    serial_arg = ["-chardev", f"socket,id=com1,path={serial_socket},server=on,wait=on",
                  "-serial", "chardev:com1"] if serial_socket else ["-serial", f"file:{serial}"]
    vars_fd = os.path.join(workdir, "vars.fd")
    shutil.copy(OVMF_VARS, vars_fd)
    cmd = [
        os.environ.get("TESSERA_QEMU", "qemu-system-x86_64"), "-machine", "q35", "-accel", "tcg", "-cpu", cpu_model,
        "-m", mem, "-smp", smp or str(cpus), "-net", "none",
        "-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}",
        "-drive", f"if=pflash,format=raw,unit=1,file={vars_fd}",
        "-drive", f"file=fat:rw:{esp_dir},format=raw,media=disk",
        "-display", "none", "-monitor", "none", "-no-reboot",
    ] + serial_arg + list(extra)
    # Another QEMU build and extra arguments, for debugging the emulator
    # (getting-started.md, "CPU 0 under QEMU").
    cmd += os.environ.get("TESSERA_QEMU_ARGS", "").split()
    return subprocess.Popen(cmd, cwd=workdir, stdin=subprocess.DEVNULL,
                            stdout=open(os.path.join(workdir, "qemu.out"), "w"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def bochs(workdir, esp_image, serial, cpus, model, serial_port=None, megs=256):
    """Bochs 2.7 booting OVMF: corei7_skylake_x (VMX+EPT) or ryzen (SVM+NPT, NRIP).
    With serial_port COM1 is a TCP server Bochs waits on (the harness reads
    and types)."""
    com1 = (f"mode=socket-server, dev=localhost:{serial_port}" if serial_port
            else f"mode=file, dev={serial}")
    image = os.path.join(workdir, "esp.img")
    if os.path.abspath(esp_image) != image:
        shutil.copy(esp_image, image)  # Bochs locks its image: one copy per run
    rc = os.path.join(workdir, "bochsrc")
    with open(rc, "w") as f:
        f.write(BOCHSRC.format(rom=OVMF_BOCHS, model=model, cpus=cpus, image=image, com1=com1,
                               megs=megs, log=os.path.join(workdir, "bochs.log")))
    cont = os.path.join(workdir, "continue")
    with open(cont, "w") as f:
        f.write("c\n")
    return subprocess.Popen(["bochs", "-q", "-f", rc, "-rc", cont], cwd=workdir,
                            stdin=subprocess.DEVNULL,
                            stdout=open(os.path.join(workdir, "bochs.out"), "w"),
                            stderr=subprocess.STDOUT, start_new_session=True)
