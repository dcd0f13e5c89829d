#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The canary sweep: a unique value in every secret key of the answer schema,
then a search for each value in everything forja produced.

The list of secret keys comes from the schema (build/tests/secret-keys prints
answer_secret_keys), never from this file: a key added to the schema gets a
canary here at once. What this file knows is only how a value of some keys
must look to pass validation (a join token, a crypt hash); any other key gets
a plain string. An answer that then fails validation fails the test, which is
the point: a new secret key cannot be left out of the sweep.

  canary.py make KEYS BASE.toml OUTDIR
      OUTDIR/answer-N.toml: BASE with a canary in every secret key (keys that
      exclude each other go to different answers); OUTDIR/unquoted-N.toml:
      one answer per secret with that value unquoted (a TOML syntax error);
      OUTDIR/canaries.json: what to search for.
  canary.py values KEYS ANSWER.toml OUT.json
      the secrets an existing answer sets (for the e2e serial logs).
  canary.py scan CANARIES.json [--http-log LOG]... PATH...
      prints every file (or webhook request) holding a canary; exit 1 if any.
"""

import base64
import json
import os
import re
import secrets
import string
import sys
import tomllib

# Keys that cannot be set together: each answer takes one of each group.
EXCLUSIVE = [["global.root-password", "global.root-password-hashed"]]
# Where a value may legitimately be found (a path suffix): the hash goes
# into /etc/shadow, which is what the key is for.
ALLOWED = {"global.root-password-hashed": ["etc/shadow"]}

ALNUM = string.ascii_letters + string.digits


def rand(n):
    return "".join(secrets.choice(ALNUM) for _ in range(n))


def join_token(inner):
    body = {"server_name": "node1", "fingerprint": "5e1f6b2a" * 8, "addresses": ["192.0.2.10:8443"],
            "secret": inner, "expires_at": "2099-01-01T00:00:00Z"}
    return base64.b64encode(json.dumps(body).encode()).decode()


def canaries_for(key, i):
    """(value for the answer, [(what, value to search)])."""
    if key == "cluster.token":
        inner = "CanaryJoinSecret%d%s" % (i, rand(16))
        token = join_token(inner)
        return token, [(key, token), (key + " (its secret)", inner)]
    if key == "global.root-password-hashed":
        value = "$6$CanarySalt%d$%s" % (i, "CanaryHash" + rand(76))
        return value, [(key, value)]
    value = "Canary%dx%s" % (i, rand(20))
    return value, [(key, value)]


def secret_from_token(token):
    try:
        return json.loads(base64.b64decode(token)).get("secret")
    except (ValueError, AttributeError):
        return None


def read_keys(path):
    keys = [line.strip() for line in open(path) if line.strip()]
    if not keys:
        sys.exit("canary: no secret keys in %s" % path)
    return keys


def insert(toml, key, value, quote=True):
    section, name = key.rsplit(".", 1)
    line = '%s = %s' % (name, '"%s"' % value if quote else value)
    header = re.compile(r"^\[%s\]\s*$" % re.escape(section), re.M)
    m = header.search(toml)
    if not m:
        return toml.rstrip("\n") + "\n\n[%s]\n%s\n" % (section, line)
    return toml[:m.end()] + "\n" + line + toml[m.end():]


def cmd_make(keys_path, base_path, outdir):
    keys = read_keys(keys_path)
    base = open(base_path).read()
    grouped = {k: (g, g.index(k)) for g in EXCLUSIVE for k in g if k in keys}
    n_answers = max([len(g) for g in EXCLUSIVE if any(k in keys for k in g)] + [1])
    values, search = {}, []
    for i, key in enumerate(keys):
        values[key], found = canaries_for(key, i)
        search += [{"key": what, "value": v, "allow": ALLOWED.get(key, [])} for what, v in found]
    def in_answer(key, n):
        if key not in grouped:
            return True
        group, index = grouped[key]
        return index == min(n, len(group) - 1)

    def build(n, unquoted=None):
        toml = base
        for key in keys:
            if in_answer(key, n):
                toml = insert(toml, key, values[key], quote=key != unquoted)
        return toml

    for n in range(n_answers):
        open(os.path.join(outdir, "answer-%d.toml" % n), "w").write(build(n))
    for i, key in enumerate(keys):
        n = next(n for n in range(n_answers) if in_answer(key, n))
        open(os.path.join(outdir, "unquoted-%d.toml" % i), "w").write(build(n, unquoted=key))
    json.dump(search, open(os.path.join(outdir, "canaries.json"), "w"), indent=1)
    print("canary: %d secret keys, %d values to search, %d answers" % (len(keys), len(search), n_answers))


def cmd_values(keys_path, answer_path, out):
    keys = read_keys(keys_path)
    doc = tomllib.load(open(answer_path, "rb"))
    search = []
    for key in keys:
        node = doc
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, str) or not node:
            continue
        search.append({"key": key, "value": node, "allow": ALLOWED.get(key, [])})
        if key == "cluster.token" and secret_from_token(node):
            search.append({"key": key + " (its secret)", "value": secret_from_token(node), "allow": []})
    json.dump(search, open(out, "w"), indent=1)
    print("canary: %d secrets set in %s" % (len(search), answer_path))


def forms(value):
    """The value as it may be written: raw, and with '/' escaped as json-c does."""
    f = {value.encode()}
    f.add(value.replace("/", "\\/").encode())
    return f


def cmd_scan(canaries_path, args):
    search = json.load(open(canaries_path))
    http_logs, paths = [], []
    while args:
        a = args.pop(0)
        if a == "--http-log":
            http_logs.append(args.pop(0))
        else:
            paths.append(a)
    found = []

    def check(where, data, path_for_allow=None):
        for c in search:
            if path_for_allow and any(path_for_allow.endswith(s) for s in c["allow"]):
                continue
            if any(f in data for f in forms(c["value"])):
                found.append("%s: %s" % (where, c["key"]))

    n_files = 0
    for p in paths:
        walk = [(p, [], [os.path.basename(p)])] if os.path.isfile(p) else os.walk(p)
        for root, _, files in walk:
            for name in files:
                f = os.path.join(root, name) if root != p or not os.path.isfile(p) else p
                if os.path.islink(f) or not os.path.isfile(f):
                    continue
                data = open(f, "rb").read()
                n_files += 1
                check(f, data, f)
                # A "<redacted>" in an argv log: a secret was put on a command line.
                if "argv" in name and b"<redacted>" in data:
                    found.append("%s: a secret on a command line" % f)
    n_requests = 0
    for log in http_logs:
        for line in open(log):
            r = json.loads(line)
            n_requests += 1
            headers = {k: v for k, v in r.get("headers", {}).items() if k.lower() != "authorization"}
            where = "%s: %s %s" % (log, r.get("method"), r.get("path"))
            body = r.get("body", "")
            try:
                b = json.loads(body)
            except ValueError:
                b = None
            if isinstance(b, dict) and "token" in b:
                # As Proxmox's post-hook sends it, the webhook's own auth-token
                # travels as the body's "token" (docs/proxmox.md); nothing else may.
                tok = b.pop("token")
                own = [c["value"] for c in search if c["key"] == "post-installation-webhook.auth-token"]
                if tok not in own:
                    found.append("%s (body): its \"token\" is not the webhook's auth-token" % where)
                body = json.dumps(b, ensure_ascii=False)
            check(where + " (body)", body.encode())
            check(where + " (path and headers)", (r.get("path", "") + json.dumps(headers)).encode())
    for f in found:
        print(f)
    if n_files + n_requests == 0:
        sys.exit("canary: nothing to scan")
    print("canary: %d files and %d webhook requests scanned for %d values: %s" %
          (n_files, n_requests, len(search), "LEAKS" if found else "none found"), file=sys.stderr)
    return 1 if found else 0


def main(argv):
    if len(argv) >= 5 and argv[1] == "make":
        return cmd_make(*argv[2:5])
    if len(argv) >= 5 and argv[1] == "values":
        return cmd_values(*argv[2:5])
    if len(argv) >= 4 and argv[1] == "scan":
        return cmd_scan(argv[2], argv[3:])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
