#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks a JSON body against the field list of Proxmox Datacenter Manager's
endpoints (tests/answers/data/pdm-protocol.fields).

  pdm-fields.py FIELDS BODY-KIND FILE [--extra PATH ...]

FILE holds one JSON body. Every required field must be there with its type,
every field present must be listed (inside "object" entries), except the
paths given with --extra (a body meant for forja's own servers carries them).
Prints each finding and exits 1 when there is one."""
import json, re, sys

fields_file, kind, body_file = sys.argv[1:4]
extra = set()
args = sys.argv[4:]
while args:
    if args[0] != "--extra" or len(args) < 2:
        sys.exit("usage: pdm-fields.py FIELDS BODY-KIND FILE [--extra PATH ...]")
    extra.add(args[1])
    args = args[2:]

spec = {}
for line in open(fields_file):
    if not line.strip() or line.startswith("#"):
        continue
    body, path, typ, req = line.split()
    if body == kind:
        spec[path] = (typ, req == "req")
if not spec:
    sys.exit(f"no fields for body kind {kind!r} in {fields_file}")

findings = []


def child(path, name):
    return name if path == "$" else f"{path}.{name}"


def check(path, value):
    typ, _ = spec[path]
    ok = {
        "object": isinstance(value, dict), "map": isinstance(value, dict),
        "array": isinstance(value, list), "string": isinstance(value, str),
        "bool": isinstance(value, bool), "int": isinstance(value, int) and not isinstance(value, bool),
        "mac": isinstance(value, str) and re.fullmatch(r"([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}", value or ""),
    }.get(typ)
    if typ.startswith("enum:"):
        ok = value in typ[5:].split(",")
    if not ok:
        findings.append(f"{path}: {json.dumps(value)[:80]} is not of type {typ}")
        return
    if typ == "map":
        for k, v in value.items():
            if not isinstance(v, str):
                findings.append(f"{path}.{k}: a map holds strings, not {json.dumps(v)[:40]}")
    elif typ == "object":
        for k, v in value.items():
            p = child(path, k)
            if p in extra:
                continue
            if p not in spec:
                findings.append(f"{p}: not in the schema (the server refuses additional properties)")
                continue
            check(p, v)
        for p, (_, required) in spec.items():
            if p == "$":
                continue
            parent, _, name = p.rpartition(".")
            parent = parent or "$"
            if parent == path and required and "[]" not in name and name not in value:
                findings.append(f"{p}: required, missing")
    elif typ == "array":
        item = path + "[]"
        for v in value:
            if item in spec:
                check(item, v)


body = json.load(open(body_file))
check("$", body)
for f in findings:
    print(f"{body_file}: {kind}: {f}")
sys.exit(1 if findings else 0)
