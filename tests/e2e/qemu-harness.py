#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Boots forja media in QEMU (TCG) and watches the serial console for markers.

The base of forja's e2e suite; documented in tests/e2e/README.md.

Python API:
    m = Machine(firmware="uefi", iso="forja.iso", disks=["8G"], workdir=d)
    with m:
        m.wait_for(r"FORJA-INSTALLER-READY", timeout=300)
        text = m.serial_text()

    # typing on the serial console (the guest's input):
    m = Machine(..., serial_input=True)
    m.respond(r"Please unlock disk", "passphrase")   # sent once, when seen
    m.send("text\n")                                  # sent now

    # a TPM 2.0 (swtpm, its state kept in a directory the test owns; the
    # same directory again is the same TPM, a new one another TPM):
    m = Machine(firmware="secureboot", disks=["node.qcow2"], tpm="/tmp/t/tpm-a")

    # the QEMU monitor (QMP): a hard reset, a disk pulled out
    m = Machine(..., disks=["8G", "4G"], hotplug=[1], qmp=True)
    m.on(r"FORJA-STAGE-END disks ok", m.reset)        # called once, when seen
    m.unplug(1)                                       # device_del of disk 1
    m.plug(1, "new.raw", "vnew1")                     # another disk on its port
    m.wait_virtio_driver("vnew1", timeout=60)         # the guest's driver took it

CLI (exit 0: every --expect seen in order; 1: failure marker, timeout or QEMU
died; 77: QEMU or the firmware is missing):
    qemu-harness.py --iso forja.iso --firmware bios --expect FORJA-INSTALLER-READY
    qemu-harness.py --disk node.qcow2 --send 'unlock disk=secret' --expect LOGIN
    qemu-harness.py --iso a.iso --disk 8G --on 'STAGE-END disks ok=reset' --expect ...
    qemu-harness.py --disk node.qcow2 --firmware secureboot --tpm DIR --expect LOGIN
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

OVMF_DIRS = ["/usr/share/OVMF", "/usr/share/ovmf", "/usr/share/qemu"]

FIRMWARES = {
    # name: (code file, vars template) or None for SeaBIOS
    "bios": None,
    "uefi": ("OVMF_CODE_4M.fd", "OVMF_VARS_4M.fd"),
    # Microsoft keys enrolled, Secure Boot on: shim (signed by Microsoft) ->
    # Debian's signed GRUB -> Debian's signed kernel.
    "secureboot": ("OVMF_CODE_4M.ms.fd", "OVMF_VARS_4M.ms.fd"),
}

# Lines that end a boot as a failure whatever the test expects.
DEFAULT_FAIL = [
    r"Kernel panic",
    r"FORJA-MEDIUM-MISSING",
    r"Attempted to kill init",
    # GRUB prints harmless "file not found" errors while it probes for its
    # configuration; only signature errors end a boot.
    r"error: .*(invalid signature|bad shim signature|verification failed)",
    r"Access Denied",
]


class HarnessSkip(Exception):
    """QEMU or a firmware file is not installed."""


class BootFailed(Exception):
    pass


def find_firmware(name):
    for d in OVMF_DIRS:
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    raise HarnessSkip(f"firmware {name} not found (install ovmf)")


class Machine:
    def __init__(self, firmware="bios", iso=None, boot="cdrom", kernel=None, initrd=None,
                 append="", disks=(), memory=1024, smp=1, fw_cmdline=None, workdir=None,
                 serial_log=None, accel="tcg", net=True, extra_args=(), mac=None, guestfwd=(),
                 tap=None, tftp=None, bootfile=None, serial_input=False, qmp=False, hotplug=(), tpm=None,
                 no_serial=()):
        if firmware not in FIRMWARES:
            raise ValueError(f"unknown firmware {firmware!r} (bios, uefi, secureboot)")
        if not iso and not kernel and not disks and boot != "net":
            raise ValueError("an ISO, a kernel or a disk to boot from is needed")
        if boot not in ("cdrom", "disk", "net"):
            raise ValueError("boot is cdrom, disk or net")
        if boot == "net" and not (tftp or tap):
            raise ValueError("a network boot needs tftp (user networking) or a tap")
        self.firmware, self.iso, self.boot = firmware, iso, boot
        self.kernel, self.initrd, self.append = kernel, initrd, append
        self.disks, self.memory, self.smp = list(disks), memory, smp
        self.fw_cmdline, self.accel, self.net = fw_cmdline, accel, net
        self.extra_args = list(extra_args)
        # Networking: user mode with restrict=on (nothing leaves the host;
        # guestfwd rules "tcp:10.0.2.100:80-cmd:COMMAND" reach loopback
        # services, tftp/bootfile serve a PXE boot), or a tap device the test
        # created in its own network namespace.
        self.mac, self.guestfwd, self.tap = mac, list(guestfwd), tap
        self.tftp, self.bootfile = tftp, bootfile
        self._own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="forja-qemu-")
        os.makedirs(self.workdir, exist_ok=True)
        self.serial_log = serial_log or os.path.join(self.workdir, "serial.log")
        # Serial input: the console is a UNIX socket (QEMU the server); the
        # harness connects, writes what the guest prints to serial_log (read
        # back from the file like the plain log) and writes what send() and
        # the responses type. Not QEMU's chardev logfile: under TCG it
        # doubled or dropped characters whenever the socket was busy (18 of
        # 1000 lines damaged, while the socket itself carried them intact).
        self.serial_input = serial_input
        self.serial_socket = os.path.join(self.workdir, "serial.sock")
        self._sock = None
        self._drain = None
        self.responses = []  # [regex, action, done]: actions run once, when regex is seen
        # QMP: a monitor socket in the work directory (reset(), unplug());
        # hotplug: indexes of disks that sit on their own PCIe root port, so
        # that device_del can take them away while the guest runs.
        self.qmp_enabled = qmp or bool(hotplug)
        self.qmp_socket = os.path.join(self.workdir, "qmp.sock")
        if len(self.qmp_socket) > 100:  # sun_path holds 108 bytes
            self.qmp_socket = os.path.join(tempfile.mkdtemp(prefix="forja-qmp-"), "qmp.sock")
        self._qmp = None
        self._qmp_buf = b""
        self.qmp_events = []
        self.hotplug = set(hotplug)
        # TPM 2.0: swtpm with its state in this directory, on a CRB
        # interface (what the TPM 2.0 drivers of the kernel and OVMF use).
        self.tpm = tpm
        self.tpm_proc = None
        # indexes of disks without serial= (QEMU's default: no serial at all)
        self.no_serial = set(no_serial)
        self.proc = None
        self.started = None
        self.marks = []  # (seconds since start, pattern)

    # -- setup -------------------------------------------------------------
    def _qemu(self):
        q = shutil.which("qemu-system-x86_64")
        if not q:
            raise HarnessSkip("qemu-system-x86_64 not found (install qemu-system-x86)")
        return q

    def _disk_args(self):
        args = []
        qemu_img = shutil.which("qemu-img")
        for i, spec in enumerate(self.disks):
            if os.path.isfile(str(spec)):
                # An existing image (e.g. the disk a previous run installed to).
                path = str(spec)
                fmt = "qcow2" if path.endswith(".qcow2") else "raw"
            else:
                path = os.path.join(self.workdir, f"disk{i}.qcow2")
                fmt = "qcow2"
                if not qemu_img:
                    raise HarnessSkip("qemu-img not found (install qemu-utils)")
                subprocess.run([qemu_img, "create", "-q", "-f", "qcow2", path, str(spec)], check=True)
            args += ["-drive", f"file={path},if=none,id=disk{i},format={fmt},cache=unsafe"]
            dev = f"virtio-blk-pci,drive=disk{i},id=vdisk{i}"
            if i not in self.no_serial:
                dev += f",serial=forja-disk{i}"
            if i in self.hotplug:
                # A q35 root port is a hotplug slot (disks on pcie.0 are not).
                args += ["-device", f"pcie-root-port,id=hotplug{i},bus=pcie.0,chassis={16 + i}"]
                dev += f",bus=hotplug{i}"
            args += ["-device", dev]
        return args

    def _tpm_socket(self):
        s = os.path.join(self.tpm, "swtpm.sock")
        if len(s) > 100:  # sun_path holds 108 bytes
            raise ValueError(f"TPM state directory path too long for a socket: {self.tpm}")
        return s

    def _start_tpm(self):
        swtpm = shutil.which("swtpm")
        if not swtpm:
            raise HarnessSkip("swtpm not found (install swtpm swtpm-tools)")
        os.makedirs(self.tpm, exist_ok=True)
        sock = self._tpm_socket()
        if os.path.exists(sock):
            os.unlink(sock)
        self.tpm_proc = subprocess.Popen(
            [swtpm, "socket", "--tpm2", "--tpmstate", f"dir={self.tpm}", "--ctrl", f"type=unixio,path={sock}",
             "--flags", "startup-clear", "--terminate", "--log", f"file={os.path.join(self.tpm, 'swtpm.log')}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 10
        while not os.path.exists(sock):
            if self.tpm_proc.poll() is not None or time.monotonic() > deadline:
                raise BootFailed(f"swtpm did not start (state {self.tpm})")
            time.sleep(0.05)

    def _tpm_args(self):
        if not self.tpm:
            return []
        return ["-chardev", f"socket,id=chrtpm,path={self._tpm_socket()}",
                "-tpmdev", "emulator,id=tpm0,chardev=chrtpm", "-device", "tpm-crb,tpmdev=tpm0"]

    def command(self):
        args = [self._qemu(), "-name", "forja-e2e", "-nodefaults", "-no-user-config",
                "-accel", self.accel, "-cpu", "max", "-smp", str(self.smp), "-m", str(self.memory),
                "-display", "none", "-vga", "std", *self._serial_args(),
                "-monitor", "none", "-no-reboot"]
        if self.qmp_enabled:
            args += ["-qmp", f"unix:{self.qmp_socket},server=on,wait=off"]
        fw = FIRMWARES[self.firmware]
        if fw is None:
            args += ["-machine", "q35"]
        else:
            code = find_firmware(fw[0])
            vars_copy = os.path.join(self.workdir, "OVMF_VARS.fd")
            shutil.copyfile(find_firmware(fw[1]), vars_copy)  # fresh variables every run
            machine = "q35,smm=on" if self.firmware == "secureboot" else "q35"
            args += ["-machine", machine,
                     "-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={code}",
                     "-drive", f"if=pflash,format=raw,unit=1,file={vars_copy}"]
            if self.firmware == "secureboot":
                args += ["-global", "driver=cfi.pflash01,property=secure,value=on"]
        if self.iso:
            if self.boot == "cdrom":
                args += ["-drive", f"file={self.iso},if=none,id=medium,media=cdrom,readonly=on",
                         "-device", "ide-cd,bus=ide.0,drive=medium,bootindex=1"]
            else:  # the ISO written to a USB stick with dd: a plain disk
                args += ["-drive", f"file={self.iso},if=none,id=medium,format=raw,readonly=on",
                         "-device", "virtio-blk-pci,drive=medium,bootindex=1"]
        if self.kernel:
            args += ["-kernel", self.kernel]
            if self.initrd:
                args += ["-initrd", self.initrd]
            if self.append:
                args += ["-append", self.append]
        if self.fw_cmdline:
            args += ["-fw_cfg", f"name=opt/org.forja/cmdline,string={self.fw_cmdline}"]
        if self.net:
            args += ["-nic", self._nic_spec()]
            if self.boot == "net":
                args += ["-boot", "order=n"]
        return args + self._disk_args() + self._tpm_args() + self.extra_args

    def _serial_args(self):
        if not self.serial_input:
            return ["-serial", f"file:{self.serial_log}"]
        return ["-chardev", f"socket,id=serial0,path={self.serial_socket},server=on,wait=off",
                "-serial", "chardev:serial0"]

    def _connect_serial(self):
        deadline = time.monotonic() + 30
        while True:
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(self.serial_socket)
                break
            except OSError:
                s.close()
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise BootFailed(f"cannot connect to the serial socket {self.serial_socket}")
                time.sleep(0.1)
        self._sock = s

        def drain():
            with open(self.serial_log, "ab", buffering=0) as log:
                try:
                    while True:
                        data = s.recv(65536)
                        if not data:
                            break
                        log.write(data)
                except OSError:
                    pass
        self._drain = threading.Thread(target=drain, daemon=True)
        self._drain.start()

    def send(self, text):
        """Types text on the serial console (needs serial_input=True)."""
        if not self._sock:
            raise ValueError("the machine was not started with serial_input=True")
        self._sock.sendall(text.encode())

    def respond(self, pattern, text):
        """Types text plus a newline once pattern (a regex) appears on the
        console; checked while wait_for() polls."""
        self.on(pattern, lambda: self.send(text + "\n"), f"sent a response to {pattern}")

    def on(self, pattern, action, what=None):
        """Calls action() once, the first time pattern (a regex) appears on
        the console; checked while wait_for() and wait_exit() poll."""
        self.responses.append([re.compile(pattern, re.M), action, False, what or f"{pattern}: {action}"])

    def _answer(self, text):
        for r in self.responses:
            if not r[2] and r[0].search(text):
                r[2] = True
                r[1]()
                self.marks.append((self.elapsed(), r[3]))

    # -- QMP ---------------------------------------------------------------
    def _qmp_read(self, deadline):
        while b"\n" not in self._qmp_buf:
            self._qmp.settimeout(max(0.1, deadline - time.monotonic()))
            chunk = self._qmp.recv(65536)
            if not chunk:
                raise BootFailed("QMP: QEMU closed the monitor")
            self._qmp_buf += chunk
        line, self._qmp_buf = self._qmp_buf.split(b"\n", 1)
        return json.loads(line)

    def qmp(self, command, timeout=30, **arguments):
        """Runs a QMP command; returns its "return" value (BootFailed on an
        error). Asynchronous events are kept in qmp_events."""
        if not self.qmp_enabled:
            raise ValueError("the machine was not started with qmp=True")
        deadline = time.monotonic() + timeout
        try:
            if not self._qmp:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(self.qmp_socket)
                self._qmp = s
                self._qmp_read(deadline)  # the greeting
                self._qmp.sendall(b'{"execute": "qmp_capabilities"}\n')
                while "return" not in self._qmp_read(deadline):
                    pass
            msg = {"execute": command}
            if arguments:
                msg["arguments"] = arguments
            self._qmp.sendall(json.dumps(msg).encode() + b"\n")
            while True:
                reply = self._qmp_read(deadline)
                if "event" in reply:
                    self.qmp_events.append(reply)
                elif "error" in reply:
                    raise BootFailed(f"QMP {command}: {reply['error'].get('desc', reply['error'])}")
                elif "return" in reply:
                    return reply["return"]
        except (OSError, ValueError) as e:
            raise BootFailed(f"QMP {command}: {e}")

    def reset(self):
        """A hard reset (the reset button): the guest loses everything it had
        not written, then the firmware boots again. -no-reboot would turn it
        into an exit: the reboot action is 'reset' for this one request."""
        self.qmp("set-action", reboot="reset")
        self.qmp("system_reset")
        self.qmp("set-action", reboot="shutdown")
        self.marks.append((self.elapsed(), "hard reset (QMP system_reset)"))

    def send_key(self, qcode):
        """Presses one key on the guest's keyboard (the VGA console, tty1),
        e.g. "ret"; a QEMU qcode."""
        self.qmp("send-key", keys=[{"type": "qcode", "data": qcode}])
        self.marks.append((self.elapsed(), f"key {qcode} (QMP send-key)"))

    def unplug(self, index):
        """Takes disk INDEX (one of hotplug) away: device_del on its root port;
        the guest's hotplug driver acknowledges the removal."""
        if index not in self.hotplug:
            raise ValueError(f"disk {index} is not on a hotplug port")
        self.qmp("device_del", id=f"vdisk{index}")
        self.marks.append((self.elapsed(), f"device_del vdisk{index}"))

    def plug(self, index, path, dev_id, serial=None):
        """Plugs the raw image PATH as a new virtio disk DEV_ID into the
        hotplug port of disk INDEX (free after unplug(INDEX)); without
        serial the disk has none. The guest's kernel gives it the lowest free
        name, so after unplug(0) it is vda again."""
        if index not in self.hotplug:
            raise ValueError(f"disk {index} has no hotplug port")
        fmt = "qcow2" if path.endswith(".qcow2") else "raw"
        self.qmp("blockdev-add", driver=fmt, **{"node-name": f"node-{dev_id}"},
                 file={"driver": "file", "filename": path, "cache": {"direct": False, "no-flush": True}})
        args = {"driver": "virtio-blk-pci", "drive": f"node-{dev_id}", "id": dev_id, "bus": f"hotplug{index}"}
        if serial:
            args["serial"] = serial
        self.qmp("device_add", **args)
        self.marks.append((self.elapsed(), f"device_add {dev_id} on hotplug{index}"))

    def wait_virtio_driver(self, dev_id, timeout):
        """Waits until the guest's driver has set up virtio device DEV_ID
        (DRIVER_OK in its status: the block device exists in the guest)."""
        deadline = time.monotonic() + timeout
        path = f"/machine/peripheral/{dev_id}/virtio-backend"
        while True:
            st = self.qmp("x-query-virtio-status", path=path)
            if "VIRTIO_CONFIG_S_DRIVER_OK" in json.dumps(st.get("status", st)):
                self.marks.append((self.elapsed(), f"{dev_id}: driver ready"))
                return
            if time.monotonic() > deadline:
                raise BootFailed(f"the guest did not take {dev_id} within {timeout} s: {st.get('status')}")
            time.sleep(0.5)

    def wait_qmp_event(self, name, timeout):
        """Waits for a QMP event (e.g. DEVICE_DELETED); returns it."""
        deadline = time.monotonic() + timeout
        while True:
            for ev in self.qmp_events:
                if ev.get("event") == name:
                    self.qmp_events.remove(ev)
                    return ev
            if time.monotonic() > deadline:
                raise BootFailed(f"no QMP event {name} within {timeout} s")
            try:
                ev = self._qmp_read(min(deadline, time.monotonic() + 1))
                if "event" in ev:
                    self.qmp_events.append(ev)
            except (socket.timeout, TimeoutError):
                pass

    def _nic_spec(self):
        mac = f",mac={self.mac}" if self.mac else ""
        if self.tap:
            return f"tap,ifname={self.tap},script=no,downscript=no,model=virtio-net-pci{mac}"
        spec = "user,model=virtio-net-pci,restrict=on" + mac
        if self.tftp:
            spec += f",tftp={self.tftp}"
        if self.bootfile:
            spec += f",bootfile={self.bootfile}"
        for rule in self.guestfwd:
            # QEMU's option parser splits on commas; a comma inside the
            # command is written doubled.
            spec += ",guestfwd=" + rule.replace(",", ",,")
        return spec

    # -- running -----------------------------------------------------------
    def start(self):
        cmd = self.command()
        open(self.serial_log, "w").close()
        if self.tpm:
            self._start_tpm()
        self.cmdline = cmd
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.started = time.monotonic()
        if self.serial_input:
            self._connect_serial()
        return self

    def elapsed(self):
        return time.monotonic() - self.started

    def serial_text(self):
        with open(self.serial_log, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_for(self, pattern, timeout, fail=DEFAULT_FAIL, start=0):
        """Waits until pattern (a regex) appears in the serial log after offset
        start; returns the match. Raises BootFailed on a fail pattern, a
        timeout, or QEMU exiting first."""
        rx = re.compile(pattern, re.M)
        fails = [re.compile(f, re.M) for f in fail]
        deadline = time.monotonic() + timeout
        while True:
            text = self.serial_text()
            if self.responses:
                self._answer(text)
            m = rx.search(text, start)
            if m:
                self.marks.append((self.elapsed(), pattern))
                return m
            for f in fails:
                fm = f.search(text)
                if fm:
                    raise BootFailed(f"failure marker {fm.group(0)!r} after {self.elapsed():.0f} s")
            if not self.running():
                out = self.proc.stdout.read().decode("utf-8", "replace") if self.proc else ""
                raise BootFailed(f"QEMU exited ({self.proc.returncode}) before {pattern!r}: {out.strip()}")
            if time.monotonic() > deadline:
                raise BootFailed(f"timeout after {timeout} s waiting for {pattern!r}")
            time.sleep(0.2)

    def wait_exit(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            if self.responses:
                self._answer(self.serial_text())
            try:
                self.proc.wait(min(1.0, max(0.0, deadline - time.monotonic())))
                self._drain_done()
                return self.proc.returncode
            except subprocess.TimeoutExpired:
                if time.monotonic() >= deadline:
                    raise BootFailed(f"QEMU still running {timeout} s later")

    def _drain_done(self):
        """QEMU has exited: the socket ends, the last output reaches the log."""
        if self._drain:
            self._drain.join(10)

    def stop(self):
        if self.running():
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(10)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        if self.tpm_proc:
            # --terminate ends swtpm when QEMU goes; a QEMU that never
            # connected leaves it waiting
            try:
                self.tpm_proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.tpm_proc.pid, signal.SIGTERM)
                self.tpm_proc.wait()
            self.tpm_proc = None
        self._drain_done()
        if self._sock:
            self._sock.close()
            self._sock = None
        if self._qmp:
            self._qmp.close()
            self._qmp = None
        if self.qmp_enabled and not self.qmp_socket.startswith(self.workdir + os.sep):
            shutil.rmtree(os.path.dirname(self.qmp_socket), ignore_errors=True)

    def cleanup(self):
        self.stop()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def main(argv=None):
    p = argparse.ArgumentParser(description="Boot forja media in QEMU and watch serial markers.")
    p.add_argument("--iso")
    p.add_argument("--boot", choices=["cdrom", "disk", "net"], default="cdrom",
                   help="attach the ISO as a CD (default) or as a raw disk, like a USB stick")
    p.add_argument("--kernel")
    p.add_argument("--initrd")
    p.add_argument("--append", default="")
    p.add_argument("--firmware", choices=sorted(FIRMWARES), default="bios")
    p.add_argument("--disk", action="append", default=[], metavar="SIZE|FILE",
                   help="a blank virtio disk of SIZE (e.g. 8G), or an existing image FILE")
    p.add_argument("--memory", type=int, default=1024, metavar="MIB")
    p.add_argument("--smp", type=int, default=1)
    p.add_argument("--fw-cmdline", help="extra installer settings passed through fw_cfg")
    p.add_argument("--accel", default="tcg")
    p.add_argument("--mac", help="the NIC's MAC address")
    p.add_argument("--guestfwd", action="append", default=[], metavar="RULE",
                   help="user networking: tcp:GUEST-ADDR:PORT-cmd:COMMAND (repeatable)")
    p.add_argument("--tap", metavar="IFNAME", help="use this tap device (created by the test) instead of user networking")
    p.add_argument("--tftp", metavar="DIR", help="user networking: serve DIR over TFTP (PXE)")
    p.add_argument("--bootfile", help="user networking: the DHCP boot file name (PXE)")
    p.add_argument("--smbios", action="append", default=[], metavar="SPEC",
                   help="an -smbios argument, e.g. type=1,serial=S,uuid=U (repeatable)")
    p.add_argument("--tpm", metavar="DIR",
                   help="a TPM 2.0 (swtpm) whose state lives in DIR: the same DIR again is the same TPM")
    p.add_argument("--workdir")
    p.add_argument("--serial-log")
    p.add_argument("--timeout", type=float, default=600, help="hard limit for the whole boot (s)")
    p.add_argument("--expect", action="append", default=[], metavar="REGEX",
                   help="markers that must appear, in this order")
    p.add_argument("--fail", action="append", default=[], metavar="REGEX",
                   help="markers that fail the boot (added to the defaults)")
    p.add_argument("--wait-exit", action="store_true", help="after the markers, wait for QEMU to exit")
    p.add_argument("--send", action="append", default=[], metavar="REGEX=TEXT",
                   help="type TEXT and a newline on the serial console once REGEX appears (split at the "
                        "first '='; write a '=' in REGEX as \\x3d); repeatable")
    p.add_argument("--on", action="append", default=[], metavar="REGEX=ACTION",
                   help="once REGEX appears: 'reset' (a hard reset through QMP, the medium boots again), "
                        "'unplug:N' (device_del of disk N, which then sits on a hotplug port) or 'key:QCODE' "
                        "(a key pressed on the keyboard of the VGA console, e.g. key:ret); repeatable")
    p.add_argument("--print-command", action="store_true")
    a = p.parse_args(argv)
    sends = []
    for spec in a.send:
        if "=" not in spec:
            p.error(f"--send {spec!r}: expected REGEX=TEXT")
        sends.append(spec.split("=", 1))
    actions, hotplug = [], []
    for spec in a.on:
        pattern, _, action = spec.rpartition("=")
        if not pattern or not (action == "reset" or re.fullmatch(r"unplug:\d+", action)
                               or re.fullmatch(r"key:[a-z0-9_]+", action)):
            p.error(f"--on {spec!r}: expected REGEX=reset, REGEX=unplug:N or REGEX=key:QCODE")
        if action.startswith("unplug:"):
            hotplug.append(int(action[7:]))
        actions.append((pattern, action))

    try:
        m = Machine(firmware=a.firmware, iso=a.iso, boot=a.boot, kernel=a.kernel, initrd=a.initrd,
                    append=a.append, disks=a.disk, memory=a.memory, smp=a.smp, fw_cmdline=a.fw_cmdline,
                    workdir=a.workdir, serial_log=a.serial_log, accel=a.accel, mac=a.mac,
                    guestfwd=a.guestfwd, tap=a.tap, tftp=a.tftp, bootfile=a.bootfile,
                    serial_input=bool(sends), qmp=bool(actions), hotplug=hotplug, tpm=a.tpm,
                    extra_args=[arg for spec in a.smbios for arg in ("-smbios", spec)])
        for pattern, text in sends:
            m.respond(pattern, text)
        for pattern, action in actions:
            if action == "reset":
                m.on(pattern, m.reset, f"hard reset at {pattern}")
            elif action.startswith("key:"):
                m.on(pattern, lambda k=action[4:]: m.send_key(k), f"{action} at {pattern}")
            else:
                m.on(pattern, lambda n=int(action[7:]): m.unplug(n), f"{action} at {pattern}")
        if a.print_command:
            print(" ".join(m.command()))
            return 0
        deadline = time.monotonic() + a.timeout
        with m:
            offset = 0
            for marker in a.expect:
                left = max(1.0, deadline - time.monotonic())
                mt = m.wait_for(marker, left, fail=DEFAULT_FAIL + a.fail, start=offset)
                offset = mt.end()
                print(f"harness: {m.elapsed():6.1f} s  {marker}", flush=True)
            if a.wait_exit:
                rc = m.wait_exit(max(1.0, deadline - time.monotonic()))
                print(f"harness: {m.elapsed():6.1f} s  QEMU exited ({rc})", flush=True)
        print(f"harness: OK ({a.firmware}, {a.boot}); serial log {m.serial_log}")
        if a.serial_log and not a.workdir:
            m.cleanup()  # the log lives elsewhere: the scratch disks can go
        return 0
    except HarnessSkip as e:
        print(f"harness: SKIP: {e}", file=sys.stderr)
        return 77
    except BootFailed as e:
        print(f"harness: FAIL: {e}; serial log {m.serial_log}", file=sys.stderr)
        try:
            tail = m.serial_text().splitlines()[-30:]
            print("--- last serial lines:\n" + "\n".join(tail), file=sys.stderr)
        except OSError:
            pass
        return 1


if __name__ == "__main__":
    sys.exit(main())
