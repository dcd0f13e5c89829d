#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A disk swapped under its name between the plan and the wipe, in QEMU.
Run by test-disk-swap.sh (which builds the ISO); documented in
tests/e2e/README.md.

    disk-swap.py --iso ISO --forja FORJA --work DIR

One boot of an ISO prepared with an answer for ext4 on md RAID1 over vda
and vdb; vda has a serial (serial=), vdb none (QEMU's default). With
forja.pause-at=disks the install stops before its first write; the test
pulls both disks out (QMP device_del) and plugs two other disks of the same
size into the same ports: the guest names them vda and vdb again, the new
vda with another serial, the new vdb again without one. Then it lets the
install go on. Expected: stage disks fails before any write, naming each
disk and what changed (serial, disk sequence number); all four disks are
byte-identical before and after.
"""

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("safety", os.path.join(HERE, "safety.py"))
safety = importlib.util.module_from_spec(spec)
spec.loader.exec_module(safety)
harness, log, TestFailed = safety.harness, safety.log, safety.TestFailed

DISK_SIZE = "4G"
# Boot, hardware check, and the whole image verified (stage verify) under TCG.
PAUSE_TIMEOUT = 900
# From the line that ends the pause to the end of the install: a refusal.
END_TIMEOUT = 300


def prepare_iso(a, work):
    good = safety.answer("swap.forja.test", 'filesystem = "ext4"\nraid = "raid1"\ndisk-list = ["vda", "vdb"]\n')
    answer_file = os.path.join(work, "swap.toml")
    open(answer_file, "w").write(good)
    iso = os.path.join(work, "swap.iso")
    p = subprocess.run([a.forja, "iso", "prepare", "--answer", answer_file, "--in", a.iso, "-o", iso],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise TestFailed(f"forja iso prepare failed: {p.stdout[-2000:]}{p.stderr[-2000:]}")
    return iso


def wait_deleted(m, ids, timeout):
    """DEVICE_DELETED for each of ids (the guest let go of the disk)."""
    left = set(ids)
    deadline = time.monotonic() + timeout
    while left:
        ev = m.wait_qmp_event("DEVICE_DELETED", max(1, deadline - time.monotonic()))
        left.discard(ev.get("data", {}).get("device"))


def run(a, work):
    iso = prepare_iso(a, work)
    disks = {name: os.path.join(work, name + ".raw") for name in ("old-vda", "old-vdb", "new-vda", "new-vdb")}
    for path in disks.values():
        safety.make_data_disk(path, DISK_SIZE, work)  # a wipe would show
    before = safety.digests(disks.values())

    never = [r"^FORJA-STAGE-END disks ok", r"^FORJA-INSTALL-OK", r"^FORJA-STAGE \d+/\d+ storage"]
    with safety.Boot("swap", work, firmware="bios", iso=iso, disks=[disks["old-vda"], disks["old-vdb"]],
                     hotplug=[0, 1], no_serial=[1], serial_input=True,
                     fw_cmdline="forja.test=poweroff forja.pause-at=disks") as b:
        b.wait(r"^FORJA-UNATTENDED ", PAUSE_TIMEOUT)
        b.wait(r"^FORJA-PAUSED stage=disks", PAUSE_TIMEOUT, fail=never)
        t = b.m.elapsed()
        b.m.unplug(0)
        b.m.unplug(1)
        wait_deleted(b.m, ["vdisk0", "vdisk1"], 120)
        log(f"  {b.m.elapsed():6.1f} s  vda and vdb pulled out ({b.m.elapsed() - t:.1f} s)")
        b.m.plug(0, disks["new-vda"], "vnew0", serial="forja-new0")
        b.m.wait_virtio_driver("vnew0", 120)
        b.m.plug(1, disks["new-vdb"], "vnew1")
        b.m.wait_virtio_driver("vnew1", 120)
        log(f"  {b.m.elapsed():6.1f} s  two other disks plugged into their ports ({b.m.elapsed() - t:.1f} s)")
        b.m.send("\n")
        b.wait(r"^FORJA-RESUMED stage=disks", 120, fail=never)
        b.wait(r"^FORJA-INSTALL-FAILED stage=disks", END_TIMEOUT, fail=never)
        b.wait(r"^FORJA-INSTALL-END status=1", 120, fail=never)
        b.wait(r"^FORJA-POWEROFF", 120)
        wall = b.wait_exit(120)
        text = b.text()

    errors = []
    err = next((l for l in text.splitlines() if l.startswith("error: install")), "")
    log(f"  {err.strip()[:400]}")
    for rx in [r"disks changed since the plan was made",
               r"/dev/vda: serial forja-disk0 in the plan, forja-new0 now; disk sequence number \d+ at the start, \d+ now",
               r"/dev/vdb: disk sequence number \d+ at the start, \d+ now",
               r"nothing was written"]:
        if not re.search(rx, err):
            errors.append(f"no /{rx}/ in the error line")
    if re.search(r"/dev/vdb: serial", err):
        errors.append("vdb has no serial, yet the error names one")
    safety.compare_digests(before, "disk swap")
    if errors:
        raise TestFailed("disk swap:\n  " + "\n  ".join(errors))
    log(f"disk swap: the install stopped before writing, both pairs of disks byte-identical; boot {wall:.0f} s")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--iso", required=True)
    p.add_argument("--forja", required=True)
    p.add_argument("--work", required=True)
    a = p.parse_args()
    work = os.path.abspath(a.work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    t0 = time.monotonic()
    try:
        run(a, work)
    except harness.HarnessSkip as e:
        print(f"SKIP: {e}", file=sys.stderr)
        return 77
    except (TestFailed, harness.BootFailed) as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    log(f"disk swap: passed in {time.monotonic() - t0:.0f} s (work dir {work})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
