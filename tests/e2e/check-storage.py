#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Compares the facts the e2e probe printed on a node's serial console with
what test-install-storage.sh asked for. Exit 0 when all match, 1 otherwise.

    check-storage.py --scenario S --expect complete|degraded --hostname H
                     --key-fingerprint FP [--secret TEXT]... SERIAL-LOG
"""

import argparse
import base64
import io
import json
import re
import sys
import tarfile

ESP_FILES = {"EFI/BOOT/BOOTX64.EFI", "EFI/debian/shimx64.efi", "EFI/debian/grubx64.efi"}


def read_facts(log):
    facts = {}
    for line in open(log, errors="replace"):
        # through the journal: "[ t] hook[pid]: FORJA-PROBE key value"
        m = re.search(r"(?:^|: )FORJA-PROBE (\S+) ?(.*?)\r?$", line)
        if m:
            facts[m.group(1)] = m.group(2)
    return facts


def walk(devices, parent=None):
    """(device, parent) for every node of an lsblk tree."""
    for d in devices:
        yield d, parent
        yield from walk(d.get("children", []), d)


def walk_mounts(m):
    """Every mount of a findmnt tree."""
    yield m
    for child in m.get("children", []):
        yield from walk_mounts(child)


class Checker:
    def __init__(self, facts):
        self.facts, self.errors = facts, []

    def want(self, cond, what):
        if not cond:
            self.errors.append(what)

    def json(self, key):
        try:
            return json.loads(self.facts[key])
        except (KeyError, ValueError):
            self.errors.append(f"fact {key} missing or not JSON: {self.facts.get(key, '')[:200]!r}")
            return None

    def root_mounts(self):
        fm = self.json("findmnt")
        if not fm:
            return {}, {}
        root = fm["filesystems"][0]
        return root, {c["target"]: c for c in root.get("children", [])}

    def tree(self):
        t = self.json("lsblk-tree")
        return list(walk(t["blockdevices"])) if t else []

    def disks(self):
        return sorted(d["name"] for d, parent in self.tree() if d.get("type") == "disk")


def boot_steps(fact):
    """The probe's boot-steps fact as "unit START..END s" (seconds since the
    kernel started, "-" for a step not taken)."""
    out = []
    for item in fact.split():
        unit, _, times = item.partition("=")
        start, _, end = times.partition(",")
        sec = ["-" if not t.isdigit() or t == "0" else f"{int(t) / 1e6:.1f}" for t in (start, end)]
        out.append(f"{unit} did not run" if sec == ["-", "-"] else f"{unit} {sec[0]}..{sec[1]} s")
    return ", ".join(out)


def check_common(c, a):
    f = c.facts
    # forja-md-degraded.service: enabled where the plan has md arrays (md
    # RAID1, /boot on md under ZFS), absent from the boot elsewhere.
    md = a.scenario.startswith(("md-", "zfs-"))
    c.want(f.get("md-degraded") == ("enabled" if md else "disabled"),
           f"forja-md-degraded.service is {f.get('md-degraded')!r} (want {'enabled' if md else 'disabled'})")
    print(f"boot steps: {boot_steps(f.get('boot-steps', ''))}")
    c.want(f.get("hostname") == a.hostname, f"hostname {f.get('hostname')!r}, asked {a.hostname!r}")
    c.want(f.get("hash-prefix") == "$y$", f"root password hash prefix {f.get('hash-prefix')!r}")
    c.want(f.get("authorized-key") == a.key_fingerprint, f"authorized key {f.get('authorized-key')!r}")
    c.want(f.get("answer-mode") == "600", f"/etc/forja/answer.toml mode {f.get('answer-mode')!r}")
    # The installer's records on the node (/etc/forja, /var/log/forja,
    # /etc/crypttab) hold no secret of the answer.
    try:
        n = int(f.get("records-chunks", "0"))
        blob = base64.b64decode("".join(f[f"records-{i}"] for i in range(n)))
        with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
            files = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    except (KeyError, ValueError, tarfile.TarError) as e:
        c.errors.append(f"the node's records could not be read from the probe: {e}")
        files = {}
    c.want("etc/forja/answer.toml" in files, f"records without etc/forja/answer.toml: {sorted(files)}")
    c.want("var/log/forja/install.log" in files, f"records without var/log/forja/install.log: {sorted(files)}")
    for name, data in files.items():
        for s in a.secret:
            c.want(s.encode() not in data, f"a secret of the answer is in the node's /{name}")
    raw = open(a.log, "rb").read()
    for s in a.secret:
        c.want(s.encode() not in raw, "a secret of the answer appeared on the node's serial console")
    return files


def check_esps(c, disks):
    """Every disk has an ESP with shim as the removable path and Debian's loaders."""
    for d in disks:
        key = f"esp-{d}2"
        got = set(c.facts.get(key, "").split())
        c.want(ESP_FILES <= got, f"{key}: ESP files {sorted(got)} (want {sorted(ESP_FILES)})")


def check_btrfs(c, expect):
    f = c.facts
    root, children = c.root_mounts()
    c.want(root.get("fstype") == "btrfs", f"root file system {root}")
    df = f.get("btrfs-df", "")
    c.want(re.search(r"Data, RAID1:", df) and re.search(r"Metadata, RAID1:", df),
           f"btrfs profiles are not raid1: {df!r}")
    show = f.get("btrfs-show", "")
    c.want("Total devices 2" in show, f"btrfs device count: {show!r}")
    paths = re.findall(r"path (/dev/\S+)", show)
    c.want("rootflags=degraded" in f.get("cmdline", ""), f"kernel command line {f.get('cmdline')!r}")
    disks = c.disks()
    if expect == "complete":
        c.want(disks == ["vda", "vdb"], f"disks {disks}")
        c.want(sorted(re.sub(r"\d+$", "", p) for p in paths) == ["/dev/vda", "/dev/vdb"],
               f"btrfs members {paths} (want a partition of vda and of vdb)")
        c.want("missing" not in show, f"btrfs reports a missing device with both disks: {show!r}")
        c.want("/boot/efi" in children and children["/boot/efi"]["fstype"] == "vfat", f"/boot/efi: {children.get('/boot/efi')}")
    else:
        c.want(disks == ["vda"], f"disks {disks} (the first disk was removed)")
        c.want(len(paths) == 1 and paths[0].startswith("/dev/vda") and "missing" in show.lower(),
               f"degraded btrfs: {show!r}")
    check_esps(c, disks)


def check_md(c, expect):
    f = c.facts
    root, children = c.root_mounts()
    c.want(root.get("fstype") == "ext4" and root.get("source") == "/dev/mapper/pve-root", f"root file system {root}")
    mdstat = f.get("mdstat", "")
    m = re.search(r"(md\d+) : active raid1 ((?:\S+\[\d+\] ?)+).*?\[(\d+)/(\d+)\] \[([U_]+)\]", mdstat)
    disks = c.disks()
    if not m:
        c.errors.append(f"no active raid1 in /proc/mdstat: {mdstat!r}")
    else:
        members = sorted(re.sub(r"\d+\[\d+\]$", "", x) for x in m.group(2).split())
        c.want(m.group(3) == "2", f"{m.group(1)} has {m.group(3)} raid devices (want 2)")
        if expect == "complete":
            c.want(members == ["vda", "vdb"] and m.group(4) == "2" and m.group(5) == "UU",
                   f"{m.group(1)}: members {members}, {m.group(4)}/{m.group(3)} [{m.group(5)}]")
        else:
            c.want(members == ["vda"] and m.group(4) == "1" and m.group(5).count("U") == 1,
                   f"degraded {m.group(1)}: members {members}, {m.group(4)}/{m.group(3)} [{m.group(5)}]")
        # root: an LV whose parent is the array
        parents = {d["name"]: (p or {}).get("name") for d, p in c.tree()}
        c.want(parents.get("pve-root") == m.group(1), f"pve-root sits on {parents.get('pve-root')}, not {m.group(1)}")
    c.want(disks == (["vda", "vdb"] if expect == "complete" else ["vda"]), f"disks {disks}")
    for d in disks:
        c.want(f.get(f"mbr-{d}") == "grub", f"no GRUB boot code on {d}: {f.get(f'mbr-{d}')!r}")


def check_tpm2(c, files, pcr7):
    """encrypt-tpm2: the keyscript in crypttab, three keyslots (passphrase,
    recovery key, clevis) and a clevis token, PCR 7 as the installer saw it."""
    f = c.facts
    crypttab = files.get("etc/crypttab", b"").decode(errors="replace")
    c.want(re.search(r"^cryptroot UUID=\S+ none luks,\S*keyscript=/usr/lib/forja/luks-tpm2-key", crypttab, re.M)
           is not None, f"/etc/crypttab {crypttab!r} (want forja's TPM keyscript)")
    slots = [v for k, v in f.items() if k.startswith("luks-slots-")]
    c.want(len(slots) == 1, f"LUKS containers {slots}")
    if slots:
        words = slots[0].split()
        c.want(len([w for w in words if w.startswith("slot")]) == 3 and "token:clevis" in words,
               f"keyslots and tokens {slots[0]!r} (want 3 slots and a clevis token)")
    c.want(f.get("pcr7", "").upper() == pcr7.upper(), f"PCR 7 at boot {f.get('pcr7')!r}, at install {pcr7!r}")


def check_luks(c, files):
    f = c.facts
    root, children = c.root_mounts()
    c.want(root.get("fstype") == "ext4" and root.get("source") == "/dev/mapper/pve-root", f"root file system {root}")
    nodes = {d["name"]: (d, p) for d, p in c.tree()}
    lv, crypt = nodes.get("pve-root", ({}, None))
    c.want(lv.get("type") == "lvm" and lv.get("mountpoint") == "/", f"pve-root {lv}")
    c.want(crypt is not None and crypt.get("type") == "crypt", f"pve-root's parent is not dm-crypt: {crypt}")
    if crypt:
        part = nodes.get(crypt["name"], ({}, None))[1] or {}
        c.want(part.get("type") == "part" and part.get("fstype") == "crypto_LUKS",
               f"the dm-crypt device sits on {part}")
    c.want("cryptroot:" in f.get("crypt", ""), f"dm-crypt mappings {f.get('crypt')!r}")
    boot = children.get("/boot", {})
    c.want(boot.get("fstype") == "ext4" and re.fullmatch(r"/dev/vda\d+", boot.get("source", "")) is not None,
           f"/boot is not a plain partition: {boot}")
    bpart = nodes.get(boot.get("source", "").removeprefix("/dev/"), ({}, None))[0]
    c.want(bpart.get("type") == "part", f"/boot's device {bpart}")
    # the stored answer keeps the key, its value redacted
    answer = files.get("etc/forja/answer.toml", b"").decode(errors="replace")
    c.want(re.search(r'^encrypt-passphrase = "<redacted>"$', answer, re.M) is not None,
           "/etc/forja/answer.toml has no redacted encrypt-passphrase")
    crypttab = files.get("etc/crypttab", b"").decode(errors="replace")
    c.want(re.search(r"^cryptroot UUID=\S+ none luks", crypttab, re.M) is not None,
           f"/etc/crypttab {crypttab!r} (want cryptroot by UUID, passphrase typed at boot)")


def check_zfs(c, scenario, expect):
    """ZFS pool rpool (a mirror, or RAID-Z1) over partition 4 of each disk, root rpool/ROOT/pve-1
    (root=ZFS= on the command line), /boot ext4 on an md RAID1 of partition 3,
    the answer's zstd compression and ARC maximum, Incus on rpool/data."""
    f = c.facts
    root, children = c.root_mounts()
    c.want(root.get("fstype") == "zfs" and root.get("source") == "rpool/ROOT/pve-1", f"root file system {root}")
    c.want("root=ZFS=rpool/ROOT/pve-1" in f.get("cmdline", ""), f"kernel command line {f.get('cmdline')!r}")
    c.want(f.get("zpool-bootfs") == "rpool/ROOT/pve-1", f"bootfs {f.get('zpool-bootfs')!r}")
    props = f.get("zfs-props", "")
    for want in ("compression=zstd", "checksum=on", "copies=1", "acltype=posix"):
        c.want(want in props, f"pool property {want} not in {props!r}")
    # xattr=sa as created; OpenZFS 2.2 and later report it as "on" (their "on" is sa)
    c.want(re.search(r"\bxattr=(sa|on)\b", props) is not None, f"pool property xattr is not sa: {props!r}")
    c.want(f.get("zfs-arc-max") == str(128 << 20), f"zfs_arc_max {f.get('zfs-arc-max')!r} (answer: 128 MiB)")
    hid = f.get("hostid", "").split()
    c.want(len(hid) == 2 and hid[0] == hid[1] and hid[0] != "00000000",
           f"hostid {f.get('hostid')!r}: the kernel's must be /etc/hostid's, not zero")
    listing = f.get("zfs-list", "")
    # (Incus may have set rpool/data's properties by now: its name only)
    for ds in ("rpool/ROOT,none,off", "rpool/ROOT/pve-1,/,on", "rpool/data,"):
        c.want(ds in listing, f"dataset {ds} not in {listing!r}")
    status = f.get("zpool-status", "")
    members = re.findall(r"/dev/(vd[a-z])4 +(ONLINE|UNAVAIL|REMOVED|FAULTED)", status)
    disks = c.disks()
    boot = children.get("/boot", {})
    c.want(boot.get("fstype") == "ext4" and re.fullmatch(r"/dev/md\d+", boot.get("source", "")) is not None,
           f"/boot is not ext4 on md: {boot}")
    mdstat = f.get("mdstat", "")
    # zfs-raid1-*: a mirror of two disks; zfs-raidz1-*: RAID-Z1 over three
    n, vdev = (3, "raidz1-0") if "raidz1" in scenario else (2, "mirror-0")
    every = [f"vd{chr(ord('a') + i)}" for i in range(n)]
    if expect == "complete":
        c.want(disks == every, f"disks {disks}")
        c.want(vdev in status and "state: ONLINE" in status, f"pool not an ONLINE {vdev}: {status[:300]!r}")
        c.want(sorted(members) == [(d, "ONLINE") for d in every], f"pool members {members}")
        c.want(re.search(rf"active raid1 .*\[{n}/{n}\] \[{'U' * n}\]", mdstat) is not None, f"/boot array: {mdstat!r}")
    else:
        # the first disk was removed: the others moved up one letter
        left = every[:-1]
        c.want(disks == left, f"disks {disks} (the first disk was removed)")
        c.want("state: DEGRADED" in status and all((d, "ONLINE") in members for d in left),
               f"degraded pool: {status[:400]!r}")
        c.want(re.search(rf"active raid1 .*\[{n}/{n - 1}\]", mdstat) is not None, f"degraded /boot array: {mdstat!r}")
    if scenario.endswith("-uefi"):
        # the first disk's ESP, mounted under /boot (not under / as on the other layouts)
        efi = next((m for m in walk_mounts(root) if m.get("target") == "/boot/efi"), None)
        c.want(efi is not None and efi.get("fstype") == "vfat" or expect != "complete", f"/boot/efi: {efi}")
        check_esps(c, disks)
    else:
        for d in disks:
            c.want(f.get(f"mbr-{d}") == "grub", f"no GRUB boot code on {d}: {f.get(f'mbr-{d}')!r}")
    c.want('"driver":"zfs"' in f.get("incus-pools", "").replace(" ", ""), f"incus pools {f.get('incus-pools', '')[:300]!r}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--scenario", required=True)
    p.add_argument("--expect", choices=["complete", "degraded"], default="complete")
    p.add_argument("--hostname", required=True)
    p.add_argument("--key-fingerprint", required=True)
    p.add_argument("--secret", action="append", default=[])
    p.add_argument("--pcr7", help="PCR 7 (sha256, hex) the installer sealed to (TPM scenarios)")
    p.add_argument("log")
    a = p.parse_args()
    c = Checker(read_facts(a.log))
    files = check_common(c, a)
    if a.scenario.startswith("btrfs-raid1"):
        check_btrfs(c, a.expect)
    elif a.scenario.startswith("md-raid1"):
        check_md(c, a.expect)
    elif a.scenario.startswith("zfs-"):
        check_zfs(c, a.scenario, a.expect)
    elif a.scenario.startswith("luks-lvm"):
        check_luks(c, files)
        if "tpm2" in a.scenario:
            check_tpm2(c, files, a.pcr7 or "")
    else:
        c.errors.append(f"unknown scenario {a.scenario}")
    for e in c.errors:
        print("mismatch:", e)
    print(f"probe ({a.scenario}, {a.expect}): {len(c.facts)} facts, {len(c.errors)} mismatches")
    return 1 if c.errors else 0


if __name__ == "__main__":
    sys.exit(main())
