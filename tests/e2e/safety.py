#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Disk-safety matrix and fault injection for the forja installer, in QEMU.
Run by test-safety.sh (which builds the ISO); documented in tests/e2e/README.md.

    safety.py --part matrix|faults|full --iso ISO --forja FORJA --work DIR

matrix  one installer boot (the ISO as a USB disk) runs every refusal, one
        `forja install` each, through forja.test-runs (iso-build/data/init);
        every attached disk is SHA-256'd before and after: byte-identical.
        Then an install onto a disk too small for the image: a clear error;
        last, an install whose disk is pulled out (QMP device_del) during
        extraction: a clear error naming the stage and the disk, no hang.
        (CI's fault injection subset is in test-install.sh: a SIGKILL
        mid-extraction in ext4-bios, a hard reset after partitioning in
        xfs-secureboot.)
full    the matrix with a tampered ISO besides, then a SIGKILL at every
        stage boundary and a hard reset after every stage, each followed (in
        the next boot) by an install that must succeed; the last one boots.
"""

import argparse
import base64
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def _load(name, file):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, file))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


harness = _load("harness", "qemu-harness.py")
digest = _load("digest", "disk-digest.py")

RUNS_LABEL = "FORJA-RUNS"
# The installer environment's boot (to the end of the hardware check) plus
# one run; each run gets its own limit, generous for a machine shared by
# several TCG guests.
BOOT_TIMEOUT = 600
RUN_TIMEOUT = 900
# From pulling a disk out to the end of that install: a failure, not a hang.
VANISH_TIMEOUT = 300


class TestFailed(Exception):
    pass


def log(msg):
    print(msg, flush=True)


def run(*argv, **kw):
    return subprocess.run(list(argv), check=True, **kw)


# -- disks -----------------------------------------------------------------
def make_data_disk(path, size, work):
    """A disk holding someone's data: GPT, one ext4 partition with a file."""
    run("truncate", "-s", size, path)
    run("sfdisk", "-q", path, input=b"label: gpt\nstart=2048, size=1048576, type=linux\n")
    files = os.path.join(work, "files-" + os.path.basename(path))
    os.makedirs(files, exist_ok=True)
    with open(os.path.join(files, "precious.txt"), "w") as f:
        f.write("the only copy of " + os.path.basename(path) + "\n")
    run("mkfs.ext4", "-q", "-F", "-E", f"offset={2048 * 512}", "-d", files, path, "512M")


def make_runs_disk(path, files, runs):
    """A FAT file system labelled FORJA-RUNS with the answers and `runs`."""
    if os.path.exists(path):
        os.unlink(path)
    run("truncate", "-s", "64M", path)
    run("mkfs.vfat", "-n", RUNS_LABEL, path, stdout=subprocess.DEVNULL)
    write_runs(path, files, runs)


def write_runs(path, files, runs):
    stage = path + ".d"
    shutil.rmtree(stage, ignore_errors=True)
    os.makedirs(stage)
    files = dict(files, runs="".join(f"{r[0]} {r[1]} {r[2]}\n" for r in runs))
    for name, content in files.items():
        with open(os.path.join(stage, name), "w") as f:
            f.write(content)
        run("mcopy", "-o", "-i", path, os.path.join(stage, name), "::" + name)


def digests(paths):
    return {p: digest.sha256_file(p) for p in paths}


def compare_digests(before, what):
    after = digests(before)
    changed = [p for p in before if before[p] != after[p]]
    for p in before:
        log(f"  sha256 {os.path.basename(p):<16} {'CHANGED' if p in changed else 'identical'} {after[p][:16]}")
    if changed:
        raise TestFailed(f"{what}: disks changed: {', '.join(changed)}")


# -- answers ---------------------------------------------------------------
def answer(fqdn, disk_setup, extra="", waive=True):
    text = ('[global]\nkeyboard = "en-us"\ncountry = "us"\n'
            f'fqdn = "{fqdn}"\nmailto = "root@forja.test"\ntimezone = "UTC"\n'
            'root-password = "never-installed"\nreboot-mode = "power-off"\n'
            '[network]\nsource = "from-dhcp"\n')
    if waive:
        # Small disks keep the hashing short: no 8 GiB disk (the hardware
        # check "disk") and a root under 8 GiB are accepted.
        text += '[checks]\nwaive = ["root-disk-size", "disk"]\n'
    return text + "[disk-setup]\n" + disk_setup + extra


def join_token(address):
    """A well-formed Incus join token for a cluster at an unreachable address."""
    t = {"server_name": "refused", "fingerprint": "ab" * 32, "addresses": [address],
         "secret": "e2e-token-secret-never-sent", "expires_at": "2099-01-01T00:00:00Z"}
    return base64.b64encode(json.dumps(t).encode()).decode()


def tampered_manifest(iso, work):
    """The ISO's node image manifest with another whole-image SHA-256."""
    out = os.path.join(work, "node.manifest.json")
    if os.path.exists(out):
        os.unlink(out)
    run("xorriso", "-osirrox", "on", "-indev", iso, "-extract", "/node/node.manifest.json", out,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    m = json.load(open(out))
    good = m["sha256"]
    m["sha256"] = ("0" if good[0] != "0" else "1") + good[1:]
    os.chmod(out, 0o644)
    with open(out, "w") as f:
        json.dump(m, f, indent=2)
    return out, good, m["sha256"]


# -- boots -----------------------------------------------------------------
class Boot:
    """One installer boot driven through the harness; reports per marker."""

    def __init__(self, name, work, **machine):
        self.name = name
        self.serial = os.path.join(work, name + ".serial.log")
        self.m = harness.Machine(workdir=os.path.join(work, "qemu-" + name), serial_log=self.serial, **machine)
        self.offset = 0

    def __enter__(self):
        self.t0 = time.monotonic()
        self.m.start()
        log(f"boot {self.name}: QEMU pid {self.m.proc.pid}, serial log {self.serial}")
        return self

    def __exit__(self, *exc):
        self.m.stop()
        return False

    def wait(self, pattern, timeout, fail=()):
        try:
            mt = self.m.wait_for(pattern, timeout, fail=harness.DEFAULT_FAIL + list(fail), start=self.offset)
        except harness.BootFailed as e:
            tail = "\n".join(self.m.serial_text().splitlines()[-25:])
            raise TestFailed(f"boot {self.name}: {e}\n--- last serial lines:\n{tail}")
        self.offset = mt.end()
        log(f"  {self.m.elapsed():6.1f} s  {pattern}")
        return mt

    def text(self):
        return self.m.serial_text()

    def hard_reset(self):
        """Power cut: SIGKILL to QEMU (by its PID), nothing is flushed."""
        os.kill(self.m.proc.pid, signal.SIGKILL)
        self.m.proc.wait()
        log(f"  {self.m.elapsed():6.1f} s  QEMU killed (hard reset)")

    def wait_exit(self, timeout):
        try:
            rc = self.m.wait_exit(timeout)
        except harness.BootFailed as e:
            raise TestFailed(f"boot {self.name}: {e}")
        log(f"  {self.m.elapsed():6.1f} s  QEMU exited ({rc})")
        return time.monotonic() - self.t0


def run_segments(text):
    """{run name: its serial text} between FORJA-TEST-RUN and its FORJA-INSTALL-END."""
    segs = {}
    for m in re.finditer(r"^FORJA-TEST-RUN name=(\S+) .*?^FORJA-INSTALL-END status=(\d+) run=\1\r?$",
                         text, re.M | re.S):
        segs[m.group(1)] = (m.group(0), int(m.group(2)))
    return segs


# -- the matrix ------------------------------------------------------------
def matrix_cases(manifest_file, good_sha, bad_sha):
    """(name, forja install args, expected status, regexes that must appear,
    whether the run must refuse before the first write)."""
    d0 = 'filesystem = "ext4"\nfilter.ID_SERIAL = "forja-disk0"\n'
    answers = {
        "schema.toml": answer("refused.forja.test", 'filesystem = "ext5"\nfilter.ID_SERIAL = "forja-disk0"\n'),
        "no-match.toml": answer("refused.forja.test", 'filesystem = "ext4"\nfilter.ID_SERIAL = "no-such-disk-*"\n'),
        "medium.toml": answer("refused.forja.test", 'filesystem = "ext4"\nfilter.ID_FS_TYPE = "iso9660"\n'),
        "raid-few.toml": answer("refused.forja.test", 'filesystem = "ext4"\nraid = "raid1"\nfilter.ID_SERIAL = "forja-disk0"\n'),
        "too-small.toml": answer("refused.forja.test", 'filesystem = "ext4"\nfilter.ID_SERIAL = "forja-disk1"\n'),
        "existing-data.toml": answer("refused.forja.test", d0 + 'existing-data = "refuse"\n'),
        "wipe-disk0.toml": answer("refused.forja.test", d0),
        "cluster.toml": answer("refused.forja.test", d0,
                               f'[cluster]\nmode = "join"\ntoken = "{join_token("10.0.2.99:8443")}"\n'),
        "disk-full.toml": answer("full.forja.test", 'filesystem = "ext4"\nfilter.ID_SERIAL = "forja-disk3"\nlvm.swapsize = 1\n'),
        "vanish.toml": answer("vanish.forja.test", 'filesystem = "ext4"\nfilter.ID_SERIAL = "forja-disk4"\n'),
        "tampered.manifest.json": open(manifest_file).read(),
    }
    plan_refusal = r"error: install: the answer cannot be installed on this machine; nothing was written\."
    cases = [
        ("schema", "--answer schema.toml", 2,
         [r"schema\.toml:\d+:\d+: disk-setup\.filesystem: 'ext5' is not allowed", plan_refusal], True),
        ("no-match", "--answer no-match.toml", 2,
         [r"disk-setup\.filter: filter did not match any disk", plan_refusal], True),
        ("install-medium", "--answer medium.toml", 2,
         [r"disk-setup\.filter: filter matches vda, which holds the running installation medium", plan_refusal], True),
        ("raid-too-few-disks", "--answer raid-few.toml", 2,
         [r"disk-setup\.filter: Linux software RAID1 needs at least 2 disks, got 1", plan_refusal], True),
        ("disk-too-small", "--answer too-small.toml", 2,
         [r"disk-setup\.filter: root disk '/dev/vdc' too small \(1 GB < 2 GB\)", plan_refusal], True),
        ("existing-data", "--answer existing-data.toml", 2,
         [r"disk-setup\.existing-data: disk 'vdb' is not empty \(gpt partition table, vdb1: ext4\) and existing-data = \"refuse\"",
          plan_refusal], True),
        ("image-checksum", "--answer wipe-disk0.toml --manifest tampered.manifest.json", 1,
         [rf"SHA-256 {good_sha} does not match the manifest's {bad_sha}: nothing was written",
          r"^FORJA-INSTALL-FAILED stage=verify"], True),
        ("cluster-verify", "--answer cluster.toml", 1,
         [r"cluster\.token: none of the cluster addresses in the token could be reached: 10\.0\.2\.99:8443: unreachable",
          r"^FORJA-INSTALL-FAILED stage=disks", r"^error: install: nothing was written to any disk\."], True),
        ("answer-server", "--answer http://10.0.2.100/answer.toml", 1,
         [r"^warning: Attempt 4 of 5 failed: http://10\.0\.2\.100/answer\.toml: ",
          r"^error: install: http://10\.0\.2\.100/answer\.toml: Connection timed out after \d+ milliseconds"], True),
    ]
    return answers, cases


def run_matrix(a, work, iso, boot_mode, extra_cases=(), disk_full=True):
    manifest, good_sha, bad_sha = tampered_manifest(a.iso, work)
    answers, cases = matrix_cases(manifest, good_sha, bad_sha)
    cases = list(cases) + list(extra_cases)
    runs = [(c[0], "-", c[1]) for c in cases]
    if disk_full:
        runs.append(("disk-full", "-", "--answer disk-full.toml"))
    runs.append(("vanish", "-", "--answer vanish.toml"))

    data = os.path.join(work, "data.raw")      # vdb: someone's data
    small = os.path.join(work, "small.raw")    # vdc: 1 GiB
    runs_disk = os.path.join(work, "runs.raw")  # vdd: the answers
    full = os.path.join(work, "full.raw")      # vde: 2 GiB, written by disk-full
    # vdf: 4 GiB on a PCIe root port (QEMU's q35 hotplug slot), pulled out
    # with QMP device_del while the vanish run extracts the image.
    make_data_disk(data, "4G", work)
    run("truncate", "-s", "1G", small)
    make_runs_disk(runs_disk, answers, runs)
    run("truncate", "-s", "2G", full)
    watched = [iso, data, small, runs_disk] + ([] if disk_full else [full])
    t = time.monotonic()
    before = digests(watched)
    log(f"matrix: {len(cases)} refusals{' + disk full' if disk_full else ''} + vanished disk in one boot; "
        f"{len(watched)} disks hashed in {time.monotonic() - t:.1f} s")

    results = []
    with Boot("matrix", work, firmware="bios", iso=iso, boot=boot_mode, disks=[data, small, runs_disk, full, "4G"],
              hotplug=[4], fw_cmdline=f"forja.test=poweroff forja.test-runs={RUNS_LABEL}") as b:
        b.wait(r"^FORJA-CHECK-END status=", BOOT_TIMEOUT)
        for name, _, _ in runs:
            b.wait(rf"^FORJA-TEST-RUN name={re.escape(name)} ", RUN_TIMEOUT)
            t_run = b.m.elapsed()
            end_timeout = RUN_TIMEOUT
            if name == "vanish":
                b.wait(r"^FORJA-PROGRESS image [2-9]\d%", RUN_TIMEOUT, fail=[r"^FORJA-INSTALL-END status=\d+ run=vanish"])
                t_pull = b.m.elapsed()
                b.m.unplug(4)
                b.m.wait_qmp_event("DEVICE_DELETED", 120)
                log(f"  {b.m.elapsed():6.1f} s  vdf pulled out (device_del, the guest let go of it "
                    f"{b.m.elapsed() - t_pull:.1f} s later)")
                end_timeout = VANISH_TIMEOUT  # an error, not a hang
            b.wait(rf"^FORJA-INSTALL-END status=\d+ run={re.escape(name)}\r?$", end_timeout)
            results.append((name, b.m.elapsed() - t_run))
            if name == "vanish":
                log(f"  the install ended {b.m.elapsed() - t_pull:.1f} s after the disk was pulled")
        b.wait(r"^FORJA-TEST-RUNS-END", 60)
        b.wait(r"^FORJA-POWEROFF", 120)
        wall = b.wait_exit(120)
        text = b.text()

    segs = run_segments(text)
    errors = []
    times = dict(results)
    for name, _, status, expect, before_write in cases:
        seg, got = segs.get(name, ("", None))
        bad = []
        if got != status:
            bad.append(f"status {got}, expected {status}")
        for rx in expect:
            if not re.search(rx, seg, re.M):
                bad.append(f"no /{rx}/")
        if before_write and re.search(r"^FORJA-STAGE 3/8 disks|^FORJA-INSTALL-OK", seg, re.M):
            bad.append("it reached the disks stage")
        msg = next((l for l in seg.splitlines() if re.search(r"error: |FORJA-INSTALL-FAILED", l)), "")
        log(f"  case {name:<20} {'ok  ' if not bad else 'FAIL'} status {got} {times.get(name, 0):5.1f} s  {msg.strip()[:150]}")
        errors += [f"{name}: {x}" for x in bad]
    if disk_full:
        seg, got = segs.get("disk-full", ("", None))
        bad = []
        if got != 1:
            bad.append(f"status {got}, expected 1")
        for rx in [r"^FORJA-STAGE-END image failed", r"^FORJA-INSTALL-FAILED stage=image",
                   r"Failed to write '[^']+': (Write failed: )?No space left on device: the target file systems of the plan "
                   r"are too small for the node image"]:
            if not re.search(rx, seg, re.M):
                bad.append(f"no /{rx}/")
        msg = next((l for l in seg.splitlines() if l.startswith("error: ")), "")
        log(f"  case {'disk-full':<20} {'ok  ' if not bad else 'FAIL'} status {got} {times.get('disk-full', 0):5.1f} s  {msg.strip()[:200]}")
        errors += [f"disk-full: {x}" for x in bad]
    seg, got = segs.get("vanish", ("", None))
    bad = [f"status {got}, expected 1"] if got != 1 else []
    for rx in [r"^FORJA-STAGE-END image failed", r"^FORJA-INSTALL-FAILED stage=image",
               r"^error: install: stage image failed: disk /dev/vdf \(serial forja-disk4\) disappeared from the "
               r"machine during stage image: extracting "]:
        if not re.search(rx, seg, re.M):
            bad.append(f"no /{rx}/")
    msg = next((l for l in seg.splitlines() if l.startswith("error: install")), "")
    log(f"  case {'vanish':<20} {'ok  ' if not bad else 'FAIL'} status {got} {times.get('vanish', 0):5.1f} s  {msg.strip()[:300]}")
    errors += [f"vanish: {x}" for x in bad]
    compare_digests(before, "matrix")
    if errors:
        raise TestFailed("matrix:\n  " + "\n  ".join(errors))
    log(f"matrix: {len(cases)} refusals{', the full disk' if disk_full else ''} and the vanished disk as expected, "
        f"every other disk byte-identical; boot {wall:.0f} s")
    return wall


def run_tampered_iso(a, work):
    """A medium whose node.manifest.json does not match node.tar.zst."""
    manifest, good_sha, bad_sha = tampered_manifest(a.iso, work)
    tampered = os.path.join(work, "tampered.iso")
    if os.path.exists(tampered):
        os.unlink(tampered)
    run("xorriso", "-abort_on", "FAILURE", "-indev", a.iso, "-outdev", tampered, "-boot_image", "any", "replay",
        "-map", manifest, "/node/node.manifest.json", "-commit", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    disk = os.path.join(work, "tampered-target.raw")
    runs_disk = os.path.join(work, "tampered-runs.raw")
    make_data_disk(disk, "4G", work)
    make_runs_disk(runs_disk, {"wipe.toml": answer("refused.forja.test",
                                                   'filesystem = "ext4"\nfilter.ID_SERIAL = "forja-disk0"\n')},
                   [("tampered-iso", "-", "--answer wipe.toml")])
    before = digests([disk, runs_disk, tampered])
    with Boot("tampered-iso", work, firmware="bios", iso=tampered, disks=[disk, runs_disk],
              fw_cmdline=f"forja.test=poweroff forja.test-runs={RUNS_LABEL}") as b:
        b.wait(r"^FORJA-TEST-RUN name=tampered-iso ", BOOT_TIMEOUT)
        # The error line follows FORJA-INSTALL-FAILED: both checked once the run ended.
        b.wait(r"^FORJA-INSTALL-END status=1 run=tampered-iso", RUN_TIMEOUT, fail=[r"^FORJA-STAGE 3/8 disks"])
        wall = b.wait_exit(180)
        for rx in [rf"image /run/forja/medium/node/node\.tar\.zst: SHA-256 {good_sha} does not match the manifest's "
                   rf"{bad_sha}: nothing was written", r"^FORJA-INSTALL-FAILED stage=verify"]:
            if not re.search(rx, b.text(), re.M):
                raise TestFailed(f"tampered ISO: no /{rx}/ on the console")
    compare_digests(before, "tampered ISO")
    log(f"tampered ISO: refused at verify, disks byte-identical; boot {wall:.0f} s")
    return wall


# -- faults ----------------------------------------------------------------
PROBE = os.path.join(HERE, "data", "probe.sh")


def fault_setup(a, work, reinstall=False):
    """The node's answer (first-boot probe from the ISO), a target disk and a
    bystander disk with data that no install may touch."""
    disk_setup = 'filesystem = "ext4"\nfilter.ID_SERIAL = "forja-disk0"\n'
    first_boot = '[first-boot]\nsource = "from-iso"\nordering = "fully-up"\n'
    good_file = os.path.join(work, "good.toml")
    # The full tier installs the same answer again and again onto one disk:
    # that is no reinstall loop (where this forja has that guard).
    good = answer("fault-node.forja.test", disk_setup + ("reinstall = true\n" if reinstall else ""), first_boot,
                  waive=False)
    open(good_file, "w").write(good)
    iso = os.path.join(work, "fault.iso")
    if os.path.exists(iso):
        os.unlink(iso)
    p = subprocess.run([a.forja, "iso", "prepare", "--answer", good_file, "--on-first-boot", PROBE, "--in", a.iso,
                        "-o", iso], capture_output=True, text=True)
    if p.returncode != 0:
        raise TestFailed(f"forja iso prepare failed: {p.stdout[-2000:]}{p.stderr[-2000:]}")
    target = os.path.join(work, "target.raw")
    bystander = os.path.join(work, "bystander.raw")
    if os.path.exists(target):
        os.unlink(target)
    run("truncate", "-s", "12G", target)
    make_data_disk(bystander, "1G", work)
    return good, iso, target, bystander



def node_boot(name, work, disks, fqdn_host):
    with Boot(name, work, firmware="bios", disks=disks, memory=1536) as b:
        b.wait(r"FORJA-PROBE-BEGIN", 1500)
        b.wait(r"FORJA-PROBE-END", 600)
        wall = b.wait_exit(300)
        text = b.text()
    facts = {}
    for line in text.splitlines():
        m = re.search(r"(?:^|: )FORJA-PROBE (\S+) ?(.*?)\r?$", line)
        if m:
            facts[m.group(1)] = m.group(2)
    errors = []
    if facts.get("hostname") != fqdn_host:
        errors.append(f"hostname {facts.get('hostname')!r}, expected {fqdn_host!r}")
    try:
        root = json.loads(facts["findmnt"])["filesystems"][0]
        if (root["target"], root["fstype"], root["source"]) != ("/", "ext4", "/dev/mapper/pve-root"):
            errors.append(f"root file system {root}")
    except (KeyError, ValueError, IndexError):
        errors.append(f"findmnt: {facts.get('findmnt', '')[:200]!r}")
    if errors:
        raise TestFailed("the installed node: " + "; ".join(errors))
    log(f"node: booted, hostname {facts['hostname']}, / ext4 on /dev/mapper/pve-root ({wall:.0f} s)")
    return wall


def check_killed_mid_extraction(text):
    """The SIGKILL came while the image was half laid down."""
    pct = [int(p) for p in re.findall(r"^FORJA-PROGRESS image (\d+)%", text, re.M)]
    if not pct or max(pct) < 40 or max(pct) > 60 or re.search(r"^FORJA-STAGE-END image", text, re.M):
        raise TestFailed(f"the kill was not in the middle of extraction (image progress {pct})")


KILL_POINTS = ["disks", "storage", "image", "image-mid", "configure", "bootloader", "finish"]
RESET_AFTER = [("disks", r"^FORJA-STAGE-END disks ok"), ("storage", r"^FORJA-STAGE-END storage ok"),
               ("image-mid", r"^FORJA-PROGRESS image 5\d%"), ("image", r"^FORJA-STAGE-END image ok"),
               ("configure", r"^FORJA-STAGE-END configure ok"), ("bootloader", r"^FORJA-STAGE-END bootloader ok")]


def run_faults_full(a, work):
    """Each fault, then a boot whose install must succeed from scratch; the
    recovery install and the next fault share a boot (forja.test-runs)."""
    good, iso, target, bystander = fault_setup(a, work, reinstall=True)
    runs_disk = os.path.join(work, "fault-runs.raw")
    make_runs_disk(runs_disk, {"good.toml": good}, [])
    disks = [target, bystander, runs_disk]
    before = digests([bystander])
    faults = [("kill", k, None) for k in KILL_POINTS] + [("reset", n, rx) for n, rx in RESET_AFTER]
    results, total = [], 0.0
    for i, (kind, point, rx) in enumerate(faults):
        name = f"{kind}-{point}"
        runs = ([("recover", "-", "--answer good.toml")] if i > 0 else []) + \
               [(name, point if kind == "kill" else "-", "--answer good.toml")]
        write_runs(runs_disk, {}, runs)
        log(f"full fault {i + 1}/{len(faults)}: {name}" + (" (after recovering from the previous one)" if i else ""))
        with Boot("full-" + name, work, firmware="bios", iso=iso, disks=disks, memory=1536,
                  fw_cmdline=f"forja.test=poweroff forja.test-runs={RUNS_LABEL}") as b:
            if i > 0:
                b.wait(r"^FORJA-TEST-RUN name=recover ", BOOT_TIMEOUT)
                b.wait(r"^FORJA-INSTALL-OK", RUN_TIMEOUT, fail=[r"^FORJA-INSTALL-FAILED"])
                b.wait(r"^FORJA-INSTALL-END status=0 run=recover", 120)
                results.append((faults[i - 1][0] + "-" + faults[i - 1][1], "next install ok"))
            b.wait(rf"^FORJA-TEST-RUN name={re.escape(name)} ", BOOT_TIMEOUT)
            # Failure markers are searched in the whole console, where the
            # recovery install of this boot printed its own: name this run.
            if kind == "kill":
                b.wait(rf"FORJA_KILL_AT={re.escape(point)}: killing the installer here", RUN_TIMEOUT,
                       fail=[rf"^FORJA-INSTALL-END status=\d+ run={re.escape(name)}"])
                b.wait(rf"^FORJA-INSTALL-END status=137 run={re.escape(name)}", 60)
                if point == "image-mid":
                    check_killed_mid_extraction(b.text()[b.text().index(f"FORJA-TEST-RUN name={name} "):])
                b.wait(r"^FORJA-POWEROFF", 120)
                total += b.wait_exit(120)
            else:
                b.wait(rx, RUN_TIMEOUT, fail=[r"^FORJA-INSTALL-FAILED"])
                b.hard_reset()
                total += time.monotonic() - b.t0
    log("full: the last recovery install, then the node boots")
    write_runs(runs_disk, {}, [("recover", "-", "--answer good.toml")])
    with Boot("full-recover-last", work, firmware="bios", iso=iso, disks=disks, memory=1536,
              fw_cmdline=f"forja.test=poweroff forja.test-runs={RUNS_LABEL}") as b:
        b.wait(r"^FORJA-TEST-RUN name=recover ", BOOT_TIMEOUT)
        b.wait(r"^FORJA-INSTALL-OK", RUN_TIMEOUT, fail=[r"^FORJA-INSTALL-FAILED"])
        b.wait(r"^FORJA-INSTALL-END status=0 run=recover", 120)
        total += b.wait_exit(180)
    results.append((faults[-1][0] + "-" + faults[-1][1], "next install ok"))
    compare_digests(before, "bystander disk after every fault and install")
    total += node_boot("full-node", work, [target], "fault-node")
    for name, res in results:
        log(f"  fault {name:<20} {res}")
    log(f"full faults: {len(faults)} faults, each followed by a good install; the last boots; {total:.0f} s of boots")
    return total


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--part", choices=["matrix", "full"], required=True)
    p.add_argument("--iso", required=True)
    p.add_argument("--forja", required=True)
    p.add_argument("--work", required=True)
    a = p.parse_args()
    work = os.path.abspath(a.work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    t0 = time.monotonic()
    try:
        if a.part == "matrix":
            run_matrix(a, work, a.iso, "disk")
        else:
            run_matrix(a, work, a.iso, "disk")
            run_tampered_iso(a, work)
            run_faults_full(a, work)
    except harness.HarnessSkip as e:
        print(f"SKIP: {e}", file=sys.stderr)
        return 77
    except TestFailed as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    log(f"safety {a.part}: all checks passed in {time.monotonic() - t0:.0f} s (work dir {work})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
