#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""serial-json.py LOG BEGIN END: the JSON object printed between two marker
lines of a serial log; exits 1 when it is missing or not a JSON object."""
import json
import sys


def between(text, begin, end):
    out, inside = [], False
    for line in text.splitlines():
        line = line.rstrip("\r")
        if line.startswith(begin):
            inside, out = True, []
        elif inside and line.startswith(end):
            return "\n".join(out)
        elif inside:
            out.append(line)
    return None


def main():
    log, begin, end = sys.argv[1:4]
    with open(log, errors="replace") as f:
        body = between(f.read(), begin, end)
    if body is None:
        sys.exit(f"no {begin}/{end} block in {log}")
    start, stop = body.find("{"), body.rfind("}")
    if start < 0 or stop < start:
        sys.exit(f"no JSON object between {begin} and {end}:\n{body}")
    obj = json.loads(body[start:stop + 1])
    if not isinstance(obj, dict) or not obj:
        sys.exit("the block is not a non-empty JSON object")
    print(json.dumps(obj, sort_keys=True)[:600])


if __name__ == "__main__":
    main()
