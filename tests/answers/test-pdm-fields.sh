#!/usr/bin/env bash
# The bodies forja sends to answer servers and webhooks, checked against the
# fields Proxmox Datacenter Manager's endpoints accept
# (data/pdm-protocol.fields, derived from PDM's and proxmox-rs' sources at
# recorded commits; tests/lib/pdm-fields.py). A Proxmox API server (a URL
# under /api2/json/) gets exactly its schema's fields, the post-installation
# report only, and the token in the body; other servers also get forja's own
# fields and reports, and the token in the Authorization header as well.
. "$TESTS_LIB/testlib.sh"
. "$TESTS_LIB/http-server.sh"
require_cmd python3 openssl
make_tmpdir
trap 'http_servers_stop; rm -rf "$TMPD"' EXIT
FIELDS=$ANSWERS_TESTDATA/pdm-protocol.fields
CHECKER=$TESTS_LIB/pdm-fields.py
"$FIXTURE_HARDWARE" >"$TMPD/hw.json"

# The checker itself refuses what PDM refuses (so a pass below means something).
echo '{"$schema": {"version": "1.0"}, "product": {"fullname": "x", "product": "forja", "enable_btrfs": true},
       "iso": {"release": "1", "isorelease": "1"}, "dmi": {"baseboard": {}, "chassis": {}, "system": {}},
       "network_interfaces": [{"link": "eno1", "mac": "3c:ec:ef:aa:10:01", "carrier": true}], "extra": 1}' >"$TMPD/bad.json"
expect_exit 1 python3 "$CHECKER" "$FIELDS" fetch "$TMPD/bad.json"
expect_match 'product.product: "forja" is not of type enum:pve,pbs,pmg,pdm'
expect_match 'network_interfaces\[\].carrier: not in the schema'
expect_match 'extra: not in the schema'
echo '{"product": {"fullname": "x", "product": "pve", "enable_btrfs": true}}' >"$TMPD/short.json"
expect_exit 1 python3 "$CHECKER" "$FIELDS" fetch "$TMPD/short.json"
expect_match '\$schema: required, missing'
expect_match 'network_interfaces: required, missing'

# The answer request: for PDM's endpoint exactly its fields; for any other
# server forja's "forja" object and each NIC's "carrier" besides.
PDM_ANSWER=https://pdm.example.invalid:8443/api2/json/auto-install/answer
expect_exit 0 "$FORJA" answer fetch --hardware "$TMPD/hw.json" --system-info="$PDM_ANSWER"
echo "$OUT" >"$TMPD/fetch-pdm.json"
expect_exit 0 python3 "$CHECKER" "$FIELDS" fetch "$TMPD/fetch-pdm.json"
expect_exit 0 "$FORJA" answer fetch --hardware "$TMPD/hw.json" --system-info=https://answers.example.invalid/answer
echo "$OUT" >"$TMPD/fetch-own.json"
expect_exit 1 python3 "$CHECKER" "$FIELDS" fetch "$TMPD/fetch-own.json"
expect_exit 0 python3 "$CHECKER" "$FIELDS" fetch "$TMPD/fetch-own.json" --extra forja --extra 'network_interfaces[].carrier'

# The reports, delivered to a pinned HTTPS server on loopback.
http_make_cert
UUID=7f0c29a4-31d5-4b8e-9d0a-2f6c5a1e9b10
# The server answers a POST like a GET of the file at its path.
mkdir -p "$TMPD/www/api2/json/auto-install/installations/$UUID" "$TMPD/www/hooks"
echo '{"data": null}' >"$TMPD/www/api2/json/auto-install/installations/$UUID/post-hook"
echo '{}' >"$TMPD/www/hooks/forja"
http_server_start hooks "$TMPD/www" --tls "$TMPD/cert.pem" "$TMPD/key.pem"
TOKEN='pdm-install-T0ken'
send() { "$WEBHOOK_BODY" --send "$1" "$CERT_FP" "$TOKEN" || fail "delivering the reports to $1 failed"; }
send "https://127.0.0.1:$HTTP_PORT/api2/json/auto-install/installations/$UUID/post-hook"
send "https://127.0.0.1:$HTTP_PORT/hooks/forja"
python3 - "$TMPD/hooks.log" "$TMPD" "$TOKEN" <<'PY' || fail "the report requests are not what PDM and forja's servers expect"
import json, sys
log, tmpd, token = sys.argv[1:4]
reqs = [json.loads(l) for l in open(log)]
pdm = [r for r in reqs if r["path"].startswith("/api2/json/")]
own = [r for r in reqs if r["path"] == "/hooks/forja"]
assert len(pdm) == 1, "PDM gets the post-installation report only: %d requests" % len(pdm)
assert len(own) == 2, "forja's server gets started and succeeded: %d requests" % len(own)
r = pdm[0]
assert "Authorization" not in r["headers"], "the token goes in PDM's body only: %s" % r["headers"]
assert r["headers"]["Content-Type"] == "application/json", r["headers"]
b = json.loads(r["body"])
assert b["token"] == token, "the body token"
json.dump(b, open(tmpd + "/hook-pdm.json", "w"))
for r in own:
    assert r["headers"].get("Authorization") == "Bearer " + token, r["headers"]
    assert json.loads(r["body"])["token"] == token
json.dump(json.loads(own[1]["body"]), open(tmpd + "/hook-own.json", "w"))
PY
expect_exit 0 python3 "$CHECKER" "$FIELDS" post-hook "$TMPD/hook-pdm.json"
expect_exit 1 python3 "$CHECKER" "$FIELDS" post-hook "$TMPD/hook-own.json"
expect_match 'forja: not in the schema'
expect_exit 0 python3 "$CHECKER" "$FIELDS" post-hook "$TMPD/hook-own.json" --extra forja
echo "ok: answer request and post-installation report match PDM's fields"
