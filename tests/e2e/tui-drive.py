#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Drives the text-mode installer over the serial console of a QEMU machine,
like a person on a serial line: the plain ISO (no answer) boots, init starts
`forja install` on ttyS0 (TERM=vt100), and each screen is answered with
keystrokes once its text is on the console. Then the installed disk boots
alone, root logs in on its serial getty with the password typed in the
installer, and the node reports its host name and root file system.

    tui-drive.py --iso forja.iso --workdir DIR --hostname tui-serial.forja.test \
                 --password SECRET --expect-fs ext4

Exit 0: installed, booted and as expected; 1: a screen, the install or the
node was not as expected (the reason and the screen text are printed);
77: QEMU is missing. Prints the keystrokes and the durations.

newt redraws only what changed, with cursor movements between the pieces, so
the console is matched with the escape sequences removed, on words that only
one screen shows, and keys are sent once the console has been quiet for a
moment (the screen is drawn completely).
"""

import argparse
import importlib.util
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("harness", os.path.join(HERE, "qemu-harness.py"))
harness = importlib.util.module_from_spec(spec)
spec.loader.exec_module(harness)

F12, F9, TAB, ENTER, SPACE = "\x1b[24~", "\x1b[20~", "\t", "\r", " "
CLEAR = "\x01\x0b"  # Ctrl-A (start of the field), Ctrl-K (delete to its end)
# CSI sequences, charset selection (vt100 line drawing), single-character
# escapes, and the shift-in/shift-out bytes.
ESCAPES = re.compile(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|[()][0-9A-Za-z]|[@-Z\\-_=>78])|[\x0e\x0f]")


INSTALL_FAILED = ("The install failed",)


class Failed(Exception):
    pass


class Driver:
    def __init__(self, machine):
        self.m = machine
        self.offset = 0      # raw serial offset: screens are looked for after it
        self.keys = 0        # keystrokes: a special key counts 1, text 1 a character
        self.typed = 0       # of which typed characters
        self.log = []        # (seconds, what)
        self.fails = [re.compile(f, re.M) for f in harness.DEFAULT_FAIL]

    def plain(self, start=0):
        return ESCAPES.sub("", self.m.serial_text()[start:])

    def note(self, what):
        self.log.append((self.m.elapsed(), what))
        print(f"tui-drive: {self.m.elapsed():7.1f} s  {what}", flush=True)

    def wait_screen(self, text, timeout, fail_texts=()):
        """Until text is on the console after the last screen, then until the
        console has been quiet for a second; returns the screen's plain text."""
        deadline = time.monotonic() + timeout
        while True:
            raw = self.m.serial_text()
            plain = ESCAPES.sub("", raw[self.offset:])
            for f in fail_texts:
                if f in plain:
                    raise Failed(f"{f!r} on the console:\n{plain[-3000:]}")
            for f in self.fails:
                fm = f.search(raw)
                if fm:
                    raise Failed(f"failure marker {fm.group(0)!r}")
            if text in plain:
                break
            if not self.m.running():
                raise Failed(f"QEMU exited before {text!r}")
            if time.monotonic() > deadline:
                raise Failed(f"{text!r} did not appear within {timeout} s; console since the last screen:\n"
                             f"{plain[-3000:]}")
            time.sleep(0.5)
        size, still = len(raw), 0
        while still < 4 and time.monotonic() < deadline:
            time.sleep(0.25)
            n = len(self.m.serial_text())
            still = still + 1 if n == size else 0
            size = n
        start, self.offset = self.offset, size
        screen = self.plain(start)
        # A failure screen drawn while the console was settling.
        for f in fail_texts:
            if f in screen:
                raise Failed(f"{f!r} on the console:\n{screen[-3000:]}")
        self.note(f"screen: {text}")
        return screen

    def press(self, *keys):
        for k in keys:
            self.m.send(k)
            self.keys += 1
            time.sleep(0.3)  # newt reads a key at a time; TCG is slow

    def type(self, text):
        self.m.send(text)
        self.keys += len(text)
        self.typed += len(text)
        time.sleep(0.5)


def install(d, a):
    short = a.hostname.split(".")[0]
    # 1. Welcome. Under TCG the KVM checks fail: "Continue anyway" (F12)
    # waives them in the answer.
    d.wait_screen("Hardware check", 1200)
    d.press(F12)
    # 2. Disks: vda, the only disk, selected; ext4 is the default.
    screen = d.wait_screen("Holds now", 300)
    if "vda" not in screen:
        raise Failed(f"the disks screen does not list vda:\n{screen}")
    d.press(F12)
    d.wait_screen("Resulting sizes", 300)
    d.press(F12)
    d.wait_screen("Keyboard layout", 300)
    d.press(F12)
    # 5. Administrator: first a password that is too short, then back to
    # the sizes screen: it has no plan to show and must say why and where
    # (the Administrator screen, global.root-password), not point at errors
    # it does not show. Then forward again: password twice, e-mail.
    d.wait_screen("Root password again", 300)
    d.type("short")
    d.press(F9)
    d.wait_screen("Keyboard layout", 300)
    d.press(F9)
    screen = d.wait_screen("see the Administrator screen", 300)
    if "global.root-password" not in screen or "see the errors" in screen:
        raise Failed(f"the sizes screen does not point at the password on the Administrator screen:\n{screen}")
    d.press(F12)
    d.wait_screen("Keyboard layout", 300)
    d.press(F12)
    d.wait_screen("Root password again", 300)
    d.press(CLEAR)
    d.keys += 1  # CLEAR is two keys
    d.type(a.password)
    d.press(TAB)
    d.type(a.password)
    d.press(TAB)
    d.type("root@forja.test")
    d.press(F12)
    # 6. Network: the DHCP lease; the host name is the third field (after
    # the interface list and the DHCP box).
    d.wait_screen("Management interface", 300)
    d.press(TAB, TAB, CLEAR)
    d.keys += 1  # CLEAR is two keys
    d.type(a.hostname)
    d.press(F12)
    d.wait_screen("Standalone node", 300)
    d.press(F12)
    # 8. Summary: vda is to be erased; confirm, install.
    screen = d.wait_screen("I have checked the disks", 300)
    if "/dev/vda" not in screen:
        raise Failed(f"the summary does not name /dev/vda as erased:\n{screen}")
    d.press(SPACE, F12)
    t0 = d.m.elapsed()
    d.wait_screen("Do not switch", 300, fail_texts=INSTALL_FAILED)
    screen = d.wait_screen("forja is installed", a.install_timeout, fail_texts=INSTALL_FAILED)
    minutes = (d.m.elapsed() - t0) / 60
    d.note(f"install (progress screen to done screen): {minutes:.1f} min")
    if a.hostname not in screen:
        raise Failed(f"the done screen does not name {a.hostname}:\n{screen}")
    # Reboot is the focused button; QEMU runs with -no-reboot, so it exits.
    d.press(ENTER)
    rc = d.m.wait_exit(300)
    d.note(f"QEMU exited ({rc}) after Reboot")
    raw = d.m.serial_text()
    if a.password in raw:
        raise Failed("the root password appeared on the serial console")
    return short


def login(d, a, short):
    """Logs root in on the serial getty. Before each prompt, systemd resets
    the terminal and asks its size (ESC[6n, never answered here: it gives up
    by itself); keys are typed only once the prompt is on a quiet console.
    A prompt that comes back instead of "Password:" (the getty restarted)
    gets the name again, at most three times."""
    for attempt in range(3):
        d.wait_screen(f"{short} login:", 1500 if attempt == 0 else 120)
        d.m.send("root\r")
        d.keys += 5
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            text = d.plain(d.offset)
            if "Password:" in text or f"{short} login:" in text or not d.m.running():
                break
            time.sleep(0.5)
        if "Password:" in d.plain(d.offset):
            break
        d.note(f"no password prompt after the login name (attempt {attempt + 1})")
    else:
        raise Failed(f"no password prompt after three login names:\n{d.plain(d.offset)[-2000:]}")
    d.wait_screen("Password:", 120)
    d.m.send(a.password + "\r")
    d.keys += len(a.password) + 1
    d.wait_screen(f"root@{short}", 300, fail_texts=("Login incorrect",))


QUERY = ("echo FORJA-TUI-NODE fs=$(findmnt -no FSTYPE /) source=$(findmnt -no SOURCE /) "
         "host=$(hostname) pv=$(pvs --noheadings -o pv_name -S vg_name=pve | tr -d ' ') end\r")
# The typed command is echoed too; only its output has no space inside a value.
FACTS = re.compile(r"FORJA-TUI-NODE fs=(\S+) source=(\S+) host=(\S+) pv=(\S*) end")


def node(d, a, short):
    """The installed disk alone: the serial getty, a root login with the
    password typed in the installer, then the node's facts against what the
    screens were given: host name, root file system, the disk (the LVM
    physical volume of pve on a partition of vda)."""
    login(d, a, short)
    d.m.send(QUERY)
    deadline = time.monotonic() + 120
    while not (mt := FACTS.search(d.plain(d.offset))):
        if time.monotonic() > deadline:
            raise Failed(f"the node did not answer the query:\n{d.plain(d.offset)[-2000:]}")
        time.sleep(0.5)
    fs, source, host, pv = mt.groups()
    d.note(f"node: fs={fs} source={source} host={host} pv={pv}")
    errors = []
    if fs != a.expect_fs:
        errors.append(f"root file system {fs}, expected {a.expect_fs}")
    if source != "/dev/mapper/pve-root":
        errors.append(f"root source {source}, expected /dev/mapper/pve-root")
    if host != short:
        errors.append(f"host name {host}, expected {short}")
    if not re.fullmatch(rf"/dev/{a.disk}[0-9]+", pv):
        errors.append(f"volume group pve on {pv!r}, expected a partition of /dev/{a.disk}")
    d.m.send("poweroff\r")
    rc = d.m.wait_exit(300)
    d.note(f"node powered off ({rc})")
    if a.password in d.m.serial_text():
        errors.append("the root password appeared on the node's serial console")
    if errors:
        raise Failed("; ".join(errors))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--iso", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--hostname", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--expect-fs", default="ext4")
    p.add_argument("--disk", default="vda", help="the disk chosen (the only one, selected by default)")
    p.add_argument("--disk-size", default="16G")
    p.add_argument("--install-timeout", type=float, default=2400)
    a = p.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    disk = os.path.join(a.workdir, "node.qcow2")
    t_start = time.monotonic()
    try:
        import subprocess
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, a.disk_size], check=True)
        m = harness.Machine(firmware="bios", iso=a.iso, disks=[disk], memory=1536, workdir=a.workdir,
                            serial_log=os.path.join(a.workdir, "install.serial.log"), serial_input=True)
        d = Driver(m)
        with m:
            short = install(d, a)
        t_install = time.monotonic() - t_start
        print(f"tui-drive: keystrokes {d.keys} ({d.keys - d.typed} keys, {d.typed} typed characters); "
              f"install boot {t_install / 60:.1f} min", flush=True)
        m2 = harness.Machine(firmware="bios", disks=[disk], boot="disk", memory=1536, workdir=a.workdir,
                             serial_log=os.path.join(a.workdir, "node.serial.log"), serial_input=True)
        d2 = Driver(m2)
        with m2:
            node(d2, a, short)
        print(f"tui-drive: node boot, login and checks {(time.monotonic() - t_start - t_install) / 60:.1f} min; "
              f"login keystrokes {d2.keys}", flush=True)
    except harness.HarnessSkip as e:
        print(f"tui-drive: SKIP: {e}", file=sys.stderr)
        return 77
    except (Failed, harness.BootFailed) as e:
        print(f"tui-drive: FAIL: {e}", file=sys.stderr)
        return 1
    print(f"tui-drive: OK in {(time.monotonic() - t_start) / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
