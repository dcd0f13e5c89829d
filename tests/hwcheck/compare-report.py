#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# compare-report.py EXPECTED FIXTURE REPORT.json EXIT: compares one
# `forja check --json` report and its exit code with the fixture's line in the
# hand-written table. Prints every difference; exits 1 on any.
import json
import sys

expected_path, fixture, report_path, exit_code = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
ids, line = None, None
with open(expected_path) as f:
    for raw in f:
        words = raw.split("#", 1)[0].split()
        if not words:
            continue
        if words[0] == "ids":
            ids = words[1:]
        elif words[0] == fixture:
            line = words
if ids is None or line is None:
    sys.exit(f"{expected_path}: no 'ids' line or no line for fixture '{fixture}'")

want_exit, want_verdict, want_decided_by = int(line[1]), line[2], line[3]
want_status = {i: "pass" for i in ids}
for token in line[4:]:
    cid, _, status = token.partition("=")
    if cid not in want_status or status not in ("pass", "info", "warn", "fail"):
        sys.exit(f"{expected_path}: bad entry '{token}' for {fixture}")
    want_status[cid] = status

with open(report_path) as f:
    report = json.load(f)
errors = []
got_ids = [c["id"] for c in report["checks"]]
if got_ids != ids:
    errors.append(f"check ids {got_ids} != expected {ids}")
if exit_code != want_exit:
    errors.append(f"exit code {exit_code} != expected {want_exit}")
if report["ok"] != (want_exit == 0):
    errors.append(f"\"ok\" is {report['ok']} with expected exit {want_exit}")
if report["cpu"]["verdict"] != want_verdict:
    errors.append(f"CPU verdict {report['cpu']['verdict']} != expected {want_verdict}")
for c in report["checks"]:
    want = want_status.get(c["id"])
    if want is not None and c["status"] != want:
        errors.append(f"{c['id']}: {c['status']} != expected {want} ({c['message']})")
    if not c["message"]:
        errors.append(f"{c['id']}: empty message")
    if c["status"] in ("warn", "fail") and not c["hint"]:
        errors.append(f"{c['id']}: {c['status']} without a hint")
if report["cpu"]["decided_by"] != want_decided_by:
    errors.append(f"verdict decided by {report['cpu']['decided_by']} != expected {want_decided_by}")
if not report["cpu"]["evidence"]:
    errors.append("the CPU verdict names no evidence")
for e in errors:
    print(f"{fixture}: {e}")
sys.exit(1 if errors else 0)
