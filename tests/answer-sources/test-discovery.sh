#!/usr/bin/env bash
# answers/source-network.c: the Proxmox-compatible sources after the kernel
# command line, the medium and FORJA-AIS: the URL of DHCP option 250 read from
# the installer environment's net files (a fake FORJA_NET_DIR), POSTed the
# system info, pinned by option 251; JSON replies; {hostname} from the net
# files; the documented order; what `forja answer fetch` says. Network
# discovery only where it was enabled: forja.fetch-from=http on the kernel
# command line or a medium prepared with --fetch-from http (/forja-fetch.toml).
. "$TESTS_LIB/testlib.sh"
. "$TESTS_LIB/http-server.sh"
require_cmd python3 openssl
make_tmpdir
trap 'http_servers_stop; rm -rf "$TMPD"' EXIT

cat >"$TMPD/hw.json" <<'JSON'
{
  "format_version": 1,
  "nics": [
    { "name": "eno1", "mac": "3c:ec:ef:aa:10:01", "driver": "igb", "link": false },
    { "name": "eno2", "mac": "3c:ec:ef:aa:10:02", "driver": "igb", "link": true }
  ],
  "dmi": { "system_vendor": "ACME", "system_product": "Rack 1U", "system_serial": "SN-4711",
           "system_uuid": "4c4c4544-0042-3310-8057-b4c04f4d3332" }
}
JSON
H=(--hardware "$TMPD/hw.json")
mkdir -p "$TMPD/www/proxmox" "$TMPD/www/by-host" "$TMPD/net" "$TMPD/medium"
echo '# answer for the fleet' >"$TMPD/www/proxmox/answer"
echo '# node7 by host name' >"$TMPD/www/by-host/node7.toml"
cat >"$TMPD/www/proxmox/answer.json" <<'JSON'
{ "global": { "keyboard": "de", "country": "at", "fqdn": "node7.example.com", "mailto": "ops@example.com",
              "timezone": "Europe/Vienna", "root-password": "123456789" },
  "network": { "source": "from-dhcp" },
  "disk-setup": { "filesystem": "ext4", "disk-list": ["sda"], "lvm": { "swapsize": 2 } } }
JSON

http_server_start plain "$TMPD/www"
P=http://127.0.0.1:$HTTP_PORT
export FORJA_NET_DIR=$TMPD/net
# eno1 came up without options; eno2's DHCP server offered option 250 and a host name.
printf 'IFACE=eno1\nMAC=3c:ec:ef:aa:10:01\nSOURCE=static\nADDRESS=192.0.2.9/24\n' >"$TMPD/net/eno1.env"
write_eno2() { # OPT250 [OPT251]
        { printf 'IFACE=eno2\nMAC=3c:ec:ef:aa:10:02\nSOURCE=dhcp\nADDRESS=10.1.2.3/24\nGATEWAY=10.1.2.1\n'
          printf 'DNS=127.0.0.1\nDOMAIN=lab.example\nSEARCH=lab.example\nHOSTNAME=node7\n'
          [ -n "$1" ] && printf 'OPT250=%s\n' "$1"
          [ -n "${2:-}" ] && printf 'OPT251=%s\n' "$2"; } >"$TMPD/net/eno2.env"
        return 0
}

# Discovery is off unless enabled: a stock medium ignores option 250, says so,
# and sends nothing.
write_eno2 "$P/proxmox/answer"
expect_exit 1 "$FORJA" answer fetch --medium "$TMPD/medium" --cmdline "quiet console=ttyS0" "${H[@]}"
expect_match 'no answer found: .*DHCP option 250 on eno2 ignored: network discovery is off'
[ ! -s "$TMPD/plain.log" ] || fail "a stock medium asked the DHCP-offered URL: $(cat "$TMPD/plain.log")"
expect_exit 1 "$FORJA" answer fetch --medium "$TMPD/medium" --cmdline "quiet" "${H[@]}" --dry-run
expect_match 'network discovery is off'
# ... a token on the command line does not enable it either.
expect_exit 1 "$FORJA" answer fetch --medium "$TMPD/medium" --cmdline "forja.answer-token=tok-123456" "${H[@]}"
[ ! -s "$TMPD/plain.log" ] || fail "a token alone enabled discovery: $(cat "$TMPD/plain.log")"
# A bad forja.fetch-from= is bad input, naming the argument.
expect_exit 2 "$FORJA" answer fetch --medium "$TMPD/medium" --cmdline "forja.fetch-from=dhcp" "${H[@]}"
expect_match 'forja\.fetch-from=dhcp'
# A medium prepared --fetch-from iso does not enable it.
echo 'fetch-from = "iso"' >"$TMPD/medium/forja-fetch.toml"
expect_exit 1 "$FORJA" answer fetch --medium "$TMPD/medium" --cmdline "quiet" "${H[@]}"
expect_match 'network discovery is off'
# A medium prepared --fetch-from http (no --url) enables it.
echo 'fetch-from = "http"' >"$TMPD/medium/forja-fetch.toml"
expect_exit 0 "$FORJA" answer fetch --medium "$TMPD/medium" --cmdline "quiet" "${H[@]}" --dry-run
expect_match "^Answer source: DHCP option 250 on eno2: $P/proxmox/answer$"
expect_match '^Discovered: yes$'
# A broken medium file is bad input, naming the file and the key.
echo 'fetch-from = "tftp"' >"$TMPD/medium/forja-fetch.toml"
expect_exit 2 "$FORJA" answer fetch --medium "$TMPD/medium" --cmdline "quiet" "${H[@]}" --dry-run
expect_match 'forja-fetch\.toml:1:14: fetch-from'
rm "$TMPD/medium/forja-fetch.toml"
[ ! -s "$TMPD/plain.log" ] || fail "a dry run sent a request: $(cat "$TMPD/plain.log")"

# From here on the kernel command line enables discovery.
FETCH=("$FORJA" answer fetch --medium "$TMPD/medium" --cmdline "quiet forja.fetch-from=http console=ttyS0")

# Option 250: the system info is POSTed, the reply is the answer.
expect_exit 0 "${FETCH[@]}" "${H[@]}"
expect_match "^Answer source: DHCP option 250 on eno2: $P/proxmox/answer$"
expect_match "^Location: $P/proxmox/answer$"
expect_match '^# answer for the fleet$'
python3 - "$TMPD/plain.log" <<'PY'
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert len(reqs) == 1, reqs
r = reqs[0]
assert r["method"] == "POST" and r["path"] == "/proxmox/answer", r
assert r["headers"]["Content-Type"] == "application/json", r["headers"]
assert "Authorization" not in r["headers"], r["headers"]
b = json.loads(r["body"])
assert b["$schema"] == {"version": "1.0"}, b
assert b["product"]["product"] == "pve" and b["product"]["fullname"].startswith("forja "), b["product"]
assert b["dmi"]["system"]["serial"] == "SN-4711" and b["dmi"]["system"]["uuid"] == "4c4c4544-0042-3310-8057-b4c04f4d3332", b["dmi"]
assert [(n["link"], n["mac"]) for n in b["network_interfaces"]] == [("eno1", "3c:ec:ef:aa:10:01"), ("eno2", "3c:ec:ef:aa:10:02")], b
assert b["forja"]["dmi"]["system_serial"] == "SN-4711", b["forja"]
PY
: >"$TMPD/plain.log"

# --dry-run says where, and sends nothing.
expect_exit 0 "${FETCH[@]}" "${H[@]}" --dry-run
expect_match "^Answer source: DHCP option 250 on eno2: $P/proxmox/answer$"
[ ! -s "$TMPD/plain.log" ] || fail "--dry-run sent a request: $(cat "$TMPD/plain.log")"

# A forja.answer-token from the command line never goes to a plain http URL
# (the rules: tests/answer-sources/test-pin-rules.sh).
expect_exit 2 "$FORJA" answer fetch --medium "$TMPD/medium" --cmdline "forja.fetch-from=http forja.answer-token=tok-123456" "${H[@]}"
expect_match 'forja.answer-token=: a token is never sent over plain http://'
[ ! -s "$TMPD/plain.log" ] || fail "a request was sent: $(cat "$TMPD/plain.log")"

# A JSON reply becomes the equivalent TOML, which validates.
write_eno2 "$P/proxmox/answer.json"
expect_exit 0 "${FETCH[@]}" "${H[@]}" -o "$TMPD/from-json.toml"
expect_match '^Format: JSON, rewritten as TOML$'
grep -qx '"keyboard" = "de"' "$TMPD/from-json.toml" || fail "JSON answer not converted: $(cat "$TMPD/from-json.toml")"
grep -qx '"lvm" = { "swapsize" = 2 }' "$TMPD/from-json.toml" || fail "nested table not converted"
expect_exit 0 "$FORJA" answer validate "$TMPD/from-json.toml"

# Order: the medium comes before option 250 (no request made).
echo '# from the medium' >"$TMPD/medium/answer.toml"
: >"$TMPD/plain.log"
expect_exit 0 "${FETCH[@]}" "${H[@]}"
expect_match '^Answer source: install medium$'
expect_match '^# from the medium$'
[ ! -s "$TMPD/plain.log" ] || fail "option 250 was asked although the medium has an answer"
rm "$TMPD/medium/answer.toml"
# ... and the kernel command line before both; {hostname} comes from the net files
# (the hardware description has no DHCP lease).
expect_exit 0 "$FORJA" answer fetch --medium "$TMPD/medium" --cmdline "forja.answer=$P/by-host/{hostname}.toml" "${H[@]}"
expect_match "^Answer source: kernel command line: $P/by-host/node7.toml$"
expect_match '^# node7 by host name$'

# A found URL is final: a 404 there does not fall through.
write_eno2 "$P/proxmox/missing"
expect_exit 1 "${FETCH[@]}" "${H[@]}"
expect_match 'missing'
# Only http(s) URLs; a malformed fingerprint is bad input.
write_eno2 "ftp://127.0.0.1/answer"
expect_exit 2 "${FETCH[@]}" "${H[@]}"
expect_match "DHCP option 250 on eno2: 'ftp://127.0.0.1/answer' is not an http:// or https:// URL"
write_eno2 "$P/proxmox/answer" "12:34"
expect_exit 2 "${FETCH[@]}" "${H[@]}"
expect_match "DHCP option 251 on eno2: '12:34' is not a SHA-256 fingerprint"

# Option 251 pins the server certificate.
http_make_cert
fp=$CERT_FP bad_fp=$CERT_BAD_FP
http_server_start tls "$TMPD/www" --tls "$TMPD/cert.pem" "$TMPD/key.pem"
S=https://127.0.0.1:$HTTP_PORT
write_eno2 "$S/proxmox/answer" "$fp"
expect_exit 0 "${FETCH[@]}" "${H[@]}"
expect_match "^Answer source: DHCP option 250 on eno2: $S/proxmox/answer \(certificate pinned by option 251\)$"
expect_match '^# answer for the fleet$'
: >"$TMPD/tls.log"
write_eno2 "$S/proxmox/answer" "$bad_fp"
expect_exit 1 "${FETCH[@]}" "${H[@]}"
expect_match "fingerprint $fp does not match the pinned $bad_fp"
[ ! -s "$TMPD/tls.log" ] || fail "the answer server got a request despite the wrong pin"
# Without a pin, TLS verification is on: the self-signed server is refused.
write_eno2 "$S/proxmox/answer"
expect_exit 1 "${FETCH[@]}" "${H[@]}"

# A medium prepared --fetch-from http --url names its server: fetched like
# forja.answer= (placeholders, pin, token), before any discovery, no countdown.
cat >"$TMPD/medium/forja-fetch.toml" <<EOF
fetch-from = "http"
url = "$S/by-host/{hostname}.toml"
cert-fingerprint = "$fp"
answer-auth-token = "medium-tok-77"
EOF
: >"$TMPD/tls.log"
expect_exit 0 "$FORJA" answer fetch --medium "$TMPD/medium" --cmdline "quiet" "${H[@]}"
expect_match "^Answer source: install medium \\(fetch-from http\\): $S/by-host/node7.toml$"
expect_match '^# node7 by host name$'
! grep -q '^Discovered:' <<<"$OUT" || fail "a medium URL counted as discovered"
grep -q '"Authorization": "Bearer medium-tok-77"' "$TMPD/tls.log" || fail "the medium's token was not sent"
rm "$TMPD/medium/forja-fetch.toml"

# Nothing anywhere: the message lists what was tried.
write_eno2 ""
printf 'IFACE=eno2\n' >"$TMPD/net/eno2.env"
expect_exit 1 "${FETCH[@]}" "${H[@]}"
expect_match 'no answer found: .*no DHCP option 250'
echo "discovery: all checks passed"
