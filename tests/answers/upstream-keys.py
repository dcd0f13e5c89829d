#!/usr/bin/env python3
# Makes one answer file per value of every key in proxmox-installer-types.keys
# (and one per required key left out), for tests/answers/test-upstream-keys.sh.
# Usage: upstream-keys.py KEYS-FILE OUT-DIR
# Writes OUT-DIR/accept-N.toml (must validate) and OUT-DIR/refuse-N.toml (a
# required key missing: must be refused naming it), and OUT-DIR/index.tsv with
# "FILE<TAB>KEY<TAB>VALUE-or-missing" per file.
import os
import sys

keys_file, out = sys.argv[1], sys.argv[2]
rows = []
for line in open(keys_file):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    key, req, ctx, rest = line.split(None, 3)
    rows.append((key, req, ctx, [v.strip() for v in rest.split(" | ")]))

group_of = {k: r[4:] for k, r, _, _ in rows if r.startswith("one:")}
groups = {}
for k, g in group_of.items():
    groups.setdefault(g, []).append(k)

DISKS = '["sda", "sdb", "sdc", "sdd", "sde", "sdf"]'


def base(ctx):
    """The smallest answer that is valid for CONTEXT, as {table: {key: literal}}."""
    t = {
        "global": {
            "keyboard": '"de"', "country": '"at"', "fqdn": '"pve-1.example.invalid"',
            "mailto": '"root@example.invalid"', "timezone": '"Europe/Vienna"',
            "root-password": '"correct-horse-battery"',
        },
        "network": {"source": '"from-dhcp"'},
        "disk-setup": {"filesystem": '"ext4"', "disk-list": '["sda"]'},
    }
    if ctx in ("zfs", "btrfs", "ext4", "xfs"):
        t["disk-setup"]["filesystem"] = f'"{ctx}"'
        if ctx in ("zfs", "btrfs"):
            t["disk-setup"]["disk-list"] = DISKS
            t["disk-setup"][ctx + ".raid"] = '"raid1"'
    if ctx == "from-answer":
        t["network"] = {"source": '"from-answer"', "cidr": '"192.0.2.10/24"',
                        "dns": '"192.0.2.1"', "gateway": '"192.0.2.1"',
                        "filter": '{ID_NET_NAME_MAC = "*"}'}
    return t


def drop(t, key):
    parts = key.split(".")
    if len(parts) > 2:
        t.get(parts[0], {}).pop(".".join(parts[1:]), None)
    else:
        t.get(parts[0], {}).pop(parts[1], None)


def place(t, key, value):
    """Puts KEY=VALUE into the table tree, with what that key needs beside it."""
    parts = key.split(".")
    if key.startswith("global.fqdn."):
        # fqdn as a table instead of a string
        fq = t["global"].get("fqdn")
        if not isinstance(fq, dict):
            t["global"]["fqdn"] = {"source": '"from-dhcp"'}
        t["global"]["fqdn"][parts[2]] = value
        return
    if key.startswith("network.interface-name-pinning."):
        pin = t["network"].setdefault("interface-name-pinning", {"enabled": "true"})
        pin[parts[2]] = value
        return
    if key == "network.source" and value == '"from-answer"':
        t["network"] = base("from-answer")["network"]
        return
    if key == "disk-setup.filter":
        t["disk-setup"].pop("disk-list", None)
    if key == "disk-setup.filter-match":
        t["disk-setup"].pop("disk-list", None)
        t["disk-setup"]["filter"] = '{ID_SERIAL = "*"}'
    if key == "disk-setup.filesystem" and value in ('"zfs"', '"btrfs"'):
        t["disk-setup"]["disk-list"] = DISKS
        t["disk-setup"][value.strip('"') + ".raid"] = '"raid1"'
    for other in groups.get(group_of.get(key), ()):
        if other != key:  # one:GROUP: the others of the group leave
            drop(t, other)
    if key.startswith("post-installation-webhook.") and parts[1] != "url":
        t.setdefault("post-installation-webhook", {})["url"] = '"https://hooks.example.invalid/done"'
    if key.startswith("first-boot."):
        fb = t.setdefault("first-boot", {})
        if parts[1] != "source":
            fb.setdefault("source", '"from-url"')
            fb.setdefault("url", '"https://hooks.example.invalid/first-boot.sh"')
        elif value == '"from-url"':
            fb["url"] = '"https://hooks.example.invalid/first-boot.sh"'
    table = ".".join(parts[:-1]) if len(parts) > 2 else parts[0]
    if len(parts) > 2:  # disk-setup.zfs.raid -> [disk-setup] zfs.raid = ...
        t.setdefault(parts[0], {})[".".join(parts[1:])] = value
    else:
        t.setdefault(table, {})[parts[-1]] = value


def render(t):
    lines = []
    for table, kv in t.items():
        lines.append(f"[{table}]")
        for k, v in kv.items():
            if isinstance(v, dict):
                continue
            lines.append(f"{k} = {v}")
        for k, v in kv.items():
            if isinstance(v, dict):
                lines.append(f"[{table}.{k}]")
                lines.extend(f"{kk} = {vv}" for kk, vv in v.items())
        lines.append("")
    return "\n".join(lines)


os.makedirs(out, exist_ok=True)
index = []
n = 0


def write_case(kind, t, key, value):
    global n
    n += 1
    name = f"{kind}-{n}.toml"
    with open(os.path.join(out, name), "w") as f:
        f.write(render(t))
    index.append((name, key, value))

for key, req, ctx, values in rows:
    for v in values:
        t = base(ctx)
        place(t, key, v)
        write_case("accept", t, key, v)
    if req.startswith("one:") and groups[req[4:]][0] == key:
        # every key of the group left out, then two of them at once
        t = base(ctx)
        for k in groups[req[4:]]:
            drop(t, k)
        write_case("refuse", t, key, "missing")
    if req == "req":
        # The key's table present (with every other required key), the key left out.
        t = base(ctx)
        place(t, key, values[0])
        parts = key.split(".")
        if key.startswith("network.interface-name-pinning."):
            del t["network"]["interface-name-pinning"][parts[2]]
            t["network"]["interface-name-pinning"]["mapping"] = "{}"
        else:
            drop(t, key)
        write_case("refuse", t, key, "missing")

with open(os.path.join(out, "index.tsv"), "w") as f:
    for row in index:
        f.write("\t".join(row) + "\n")
