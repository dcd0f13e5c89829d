#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs the toml-test conformance cases for TOML 1.0.0 against toml-decoder.

Usage: run-toml-test.py DECODER

Every case listed in $FORJA_ANCHORS/toml-test/tests/files-toml-1.0.0 is run:
a valid case must exit 0 and print tagged JSON equal by meaning to the
expected .json (the suite's own rules: floats compared numerically, nan equal
to nan, date-times parsed, bools case-insensitive, key order ignored, types
exact); an invalid case must exit 1 with "LINE:COL: message" on stderr.
The test fails unless every listed case (210 valid, 499 invalid) ran and
passed. Without the reference data it skips (exit 77), or fails under CI=true.
"""

import calendar
import json
import math
import os
import re
import subprocess
import sys

EXPECTED_VALID = 210
EXPECTED_INVALID = 499
TIMEOUT = 10

DATETIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})?$")
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
TIME_RE = re.compile(r"^(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$")
ERROR_RE = re.compile(r"^\d+:\d+: \S")


def skip(why):
    if os.environ.get("CI") == "true":
        print(f"FAIL (skip not allowed under CI=true): {why}", file=sys.stderr)
        sys.exit(1)
    print(f"SKIP: {why}", file=sys.stderr)
    sys.exit(77)


def nanoseconds(frac):
    # Precision past nanoseconds is implementation-defined: truncate both sides.
    return int(((frac or "") + "000000000")[:9])


def parse_datetime(kind, text):
    """A comparable form of a date/time value, or None when it does not parse."""
    if kind == "date-local":
        m = DATE_RE.match(text)
        return m and tuple(int(x) for x in m.groups())
    if kind == "time-local":
        m = TIME_RE.match(text)
        return m and (int(m[1]), int(m[2]), int(m[3]), nanoseconds(m[4]))
    m = DATETIME_RE.match(text)
    if not m:
        return None
    fields = tuple(int(x) for x in m.groups()[:6])
    ns = nanoseconds(m[7])
    if kind == "datetime-local":
        return None if m[8] else fields + (ns,)
    if not m[8]:
        return None
    offset = 0
    if m[8] not in "Zz":
        sign = -1 if m[8][0] == "-" else 1
        offset = sign * (int(m[8][1:3]) * 60 + int(m[8][4:6]))
    # Offset date-times are equal when they name the same instant.
    return (calendar.timegm(fields) - offset * 60, ns)


def is_tagged(v):
    return (isinstance(v, dict) and set(v) == {"type", "value"}
            and isinstance(v["type"], str) and isinstance(v["value"], str))


def same_scalar(want, got):
    if want["type"] != got["type"]:
        return f"type {got['type']!r}, expected {want['type']!r}"
    kind, a, b = want["type"], want["value"], got["value"]
    if kind == "float":
        try:
            fa, fb = float(a), float(b)
        except ValueError:
            return f"float {b!r}, expected {a!r}"
        if (math.isnan(fa) and math.isnan(fb)) or fa == fb:
            return None
        return f"float {b!r}, expected {a!r}"
    if kind in ("datetime", "datetime-local", "date-local", "time-local"):
        pa, pb = parse_datetime(kind, a), parse_datetime(kind, b)
        if pa is None:
            return f"cannot parse expected {kind} {a!r}"
        return None if pa == pb else f"{kind} {b!r}, expected {a!r}"
    if kind == "bool":
        return None if a.lower() == b.lower() else f"bool {b!r}, expected {a!r}"
    return None if a == b else f"{kind} {b!r}, expected {a!r}"


def compare(want, got, path="$"):
    """None when got means the same as want, else a description of the first difference."""
    if is_tagged(want):
        if not is_tagged(got):
            return f"{path}: got {json.dumps(got)[:80]}, expected a {want['type']}"
        diff = same_scalar(want, got)
        return diff and f"{path}: {diff}"
    if isinstance(want, dict):
        if not isinstance(got, dict) or is_tagged(got):
            return f"{path}: got {json.dumps(got)[:80]}, expected a table"
        if set(want) != set(got):
            missing = sorted(set(want) - set(got))
            extra = sorted(set(got) - set(want))
            return f"{path}: keys differ (missing {missing}, unexpected {extra})"
        for k in want:
            diff = compare(want[k], got[k], f"{path}.{k}")
            if diff:
                return diff
        return None
    if isinstance(want, list):
        if not isinstance(got, list):
            return f"{path}: got {json.dumps(got)[:80]}, expected an array"
        if len(want) != len(got):
            return f"{path}: {len(got)} items, expected {len(want)}"
        for i, (w, g) in enumerate(zip(want, got)):
            diff = compare(w, g, f"{path}[{i}]")
            if diff:
                return diff
        return None
    return f"{path}: unexpected value {want!r} in the expected JSON"


def run_decoder(decoder, toml_path):
    with open(toml_path, "rb") as f:
        data = f.read()
    # In a sanitizer build, undefined behaviour must stop the decoder, not scroll by.
    env = dict(os.environ)
    env["UBSAN_OPTIONS"] = "halt_on_error=1:print_stacktrace=1:" + env.get("UBSAN_OPTIONS", "")
    return subprocess.run([decoder], input=data, capture_output=True, timeout=TIMEOUT, env=env)


def check_valid(decoder, toml_path, json_path):
    try:
        proc = run_decoder(decoder, toml_path)
    except subprocess.TimeoutExpired:
        return "timed out"
    if proc.returncode != 0:
        return f"rejected (exit {proc.returncode}): {proc.stderr.decode(errors='replace').strip()[:300]}"
    if proc.stderr:
        return f"accepted, but wrote to stderr: {proc.stderr.decode(errors='replace').strip()[:300]}"
    try:
        got = json.loads(proc.stdout)
    except ValueError as e:
        return f"decoder printed invalid JSON: {e}"
    with open(json_path, "rb") as f:
        want = json.load(f)
    return compare(want, got)


def check_invalid(decoder, toml_path):
    try:
        proc = run_decoder(decoder, toml_path)
    except subprocess.TimeoutExpired:
        return "timed out"
    err = proc.stderr.decode(errors="replace")
    if proc.returncode == 0:
        return "accepted invalid TOML: " + proc.stdout.decode(errors="replace")[:200]
    if proc.returncode != 1:
        return f"exit {proc.returncode} (expected 1): {err.strip()[:300]}"
    if not ERROR_RE.match(err):
        return f"error message is not 'LINE:COL: message': {err.strip()[:200]!r}"
    return None


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    decoder = sys.argv[1]
    anchors = os.environ.get("FORJA_ANCHORS", "")
    base = os.path.join(anchors, "toml-test", "tests")
    listing = os.path.join(base, "files-toml-1.0.0")
    if not anchors or not os.path.isfile(listing):
        skip(f"toml-test reference data not found ({listing})")

    with open(listing, encoding="utf-8") as f:
        names = [line.strip() for line in f if line.strip()]
    valid = [n for n in names if n.startswith("valid/") and n.endswith(".toml")]
    invalid = [n for n in names if n.startswith("invalid/") and n.endswith(".toml")]

    failures = []
    ran = {"valid": 0, "invalid": 0}
    passed = {"valid": 0, "invalid": 0}
    for kind, name in [("valid", n) for n in valid] + [("invalid", n) for n in invalid]:
        ran[kind] += 1
        json_name = name[:-len(".toml")] + ".json"
        try:
            if kind == "invalid":
                diff = check_invalid(decoder, os.path.join(base, name))
            elif json_name not in names:
                diff = "no expected .json listed"
            else:
                diff = check_valid(decoder, os.path.join(base, name), os.path.join(base, json_name))
        except OSError as e:
            diff = f"cannot run: {e}"
        if diff:
            failures.append((name, diff))
        else:
            passed[kind] += 1
    ran_valid, ran_invalid = ran["valid"], ran["invalid"]
    passed_valid, passed_invalid = passed["valid"], passed["invalid"]

    for name, diff in failures:
        print(f"FAIL {name}: {diff}")
    print(f"toml-test 1.0.0: valid {passed_valid}/{ran_valid} passed, "
          f"invalid {passed_invalid}/{ran_invalid} passed, "
          f"{ran_valid + ran_invalid} cases ran")

    ok = not failures
    if ran_valid != EXPECTED_VALID or ran_invalid != EXPECTED_INVALID:
        print(f"FAIL: expected {EXPECTED_VALID} valid and {EXPECTED_INVALID} invalid cases "
              f"in the listing, ran {ran_valid} and {ran_invalid}")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
