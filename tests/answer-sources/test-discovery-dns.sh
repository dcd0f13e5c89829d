#!/usr/bin/env bash
# answers/source-network.c, DNS TXT discovery against a real resolver: a
# network namespace made by this test holds dnsmasq (answering TXT
# proxmox-auto-installer.DOMAIN and ...-cert-fingerprint.DOMAIN) and the
# answer server, both on the namespace's own loopback; forja runs inside it
# with a fake net dir naming 127.0.0.1 as the DHCP-offered name server.
. "$TESTS_LIB/testlib.sh"
. "$TESTS_LIB/http-server.sh"
require_root
require_cmd ip dnsmasq python3 openssl
make_tmpdir
NS=forja-dns-$$
dnsmasq_pid=
cleanup() {
        http_servers_stop
        [ -n "$dnsmasq_pid" ] && { kill "$dnsmasq_pid" 2>/dev/null; wait "$dnsmasq_pid" 2>/dev/null; }
        ip netns del "$NS" 2>/dev/null || true
        rm -rf "$TMPD"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
in_ns() { ip netns exec "$NS" "$@"; }

mkdir -p "$TMPD/www/proxmox" "$TMPD/net"
echo '# answer found through DNS' >"$TMPD/www/proxmox/answer"
# ip netns exec execs: the PIDs kept are the daemons'.
HTTP_SERVER_WRAP=(ip netns exec "$NS")
http_server_start plain "$TMPD/www"
P=http://127.0.0.1:$HTTP_PORT
http_make_cert
fp=$CERT_FP bad_fp=$CERT_BAD_FP
http_server_start tls "$TMPD/www" --tls "$TMPD/cert.pem" "$TMPD/key.pem"
S=https://127.0.0.1:$HTTP_PORT

# lab.example: a plain URL; tls.example: https with the right fingerprint;
# bad.example: https with a wrong one; empty.example: nothing.
ip netns exec "$NS" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
        --listen-address=127.0.0.1 --port=53 --user=root --pid-file="$TMPD/dnsmasq.pid" \
        --local=/example/ --log-queries --log-facility="$TMPD/dnsmasq.log" \
        --txt-record="proxmox-auto-installer.lab.example,$P/proxmox/answer" \
        --txt-record="proxmox-auto-installer.tls.example,$S/proxmox/answer" \
        --txt-record="proxmox-auto-installer-cert-fingerprint.tls.example,$fp" \
        --txt-record="proxmox-auto-installer.bad.example,$S/proxmox/answer" \
        --txt-record="proxmox-auto-installer-cert-fingerprint.bad.example,$bad_fp" &
dnsmasq_pid=$!
for _ in $(seq 50); do grep -q 'started' "$TMPD/dnsmasq.log" 2>/dev/null && break; sleep 0.1; done

cat >"$TMPD/hw.json" <<'JSON'
{ "format_version": 1,
  "nics": [ { "name": "eno1", "mac": "3c:ec:ef:aa:10:01", "link": true } ],
  "dmi": { "system_serial": "SN-4711", "system_uuid": "4c4c4544-0042-3310-8057-b4c04f4d3332" } }
JSON
net() { # SEARCH [DOMAIN]
        printf 'IFACE=eno1\nSOURCE=dhcp\nADDRESS=10.1.2.3/24\nDNS=127.0.0.1\nSEARCH=%s\n' "$1" >"$TMPD/net/eno1.env"
        [ -n "${2:-}" ] && printf 'DOMAIN=%s\n' "$2" >>"$TMPD/net/eno1.env"
        return 0
}
FETCH=(in_ns env FORJA_NET_DIR="$TMPD/net" "$FORJA" answer fetch --medium "$TMPD/none" --cmdline "quiet forja.fetch-from=http"
       --hardware "$TMPD/hw.json")

# The first search domain has no record, the second has: both are asked, in order.
net "empty.example lab.example"
expect_exit 0 "${FETCH[@]}"
expect_match "^Answer source: DNS TXT proxmox-auto-installer.lab.example: $P/proxmox/answer$"
expect_match '^# answer found through DNS$'
grep -q 'query\[TXT\] proxmox-auto-installer.empty.example' "$TMPD/dnsmasq.log" || fail "empty.example was not asked"
python3 - "$TMPD/plain.log" <<'PY'
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert len(reqs) == 1 and reqs[0]["method"] == "POST", reqs
b = json.loads(reqs[0]["body"])
assert b["dmi"]["system"]["serial"] == "SN-4711", b
PY

# DOMAIN counts when there is no search list.
net "" "lab.example"
expect_exit 0 "${FETCH[@]}" --dry-run
expect_match "^Answer source: DNS TXT proxmox-auto-installer.lab.example: $P/proxmox/answer$"

# The fingerprint TXT of the same domain pins the certificate.
net "tls.example"
expect_exit 0 "${FETCH[@]}"
expect_match "^Answer source: DNS TXT proxmox-auto-installer.tls.example: $S/proxmox/answer \(certificate pinned by TXT proxmox-auto-installer-cert-fingerprint.tls.example\)$"
expect_match '^# answer found through DNS$'
: >"$TMPD/tls.log"
net "bad.example"
expect_exit 1 "${FETCH[@]}"
expect_match "fingerprint $fp does not match the pinned $bad_fp"
[ ! -s "$TMPD/tls.log" ] || fail "a request reached the server despite the wrong pin"

# Issue 18 item 3: a token from the kernel command line goes to a URL found in
# DNS only with the owner's pin (the command line's), never with the TXT one,
# and never over plain http; refused before any request.
TFETCH=(in_ns env FORJA_NET_DIR="$TMPD/net" "$FORJA" answer fetch --medium "$TMPD/none" --hardware "$TMPD/hw.json")
: >"$TMPD/tls.log"; : >"$TMPD/plain.log"
net "tls.example"
expect_exit 2 "${TFETCH[@]}" --cmdline "forja.fetch-from=http forja.answer-token=tok-Dns-77"
expect_match "forja.answer-token=.*DNS TXT proxmox-auto-installer.tls.example: $S/proxmox/answer"
[ ! -s "$TMPD/tls.log" ] || fail "the server got a request: $(cat "$TMPD/tls.log")"
expect_exit 0 "${TFETCH[@]}" --cmdline "forja.fetch-from=http forja.answer-fingerprint=$fp forja.answer-token=tok-Dns-77"
expect_match "\(certificate pinned by the kernel command line: forja.answer-fingerprint=\)$"
grep -q '"Authorization": "Bearer tok-Dns-77"' "$TMPD/tls.log" || fail "the token did not reach the pinned server"
net "lab.example"
expect_exit 2 "${TFETCH[@]}" --cmdline "forja.fetch-from=http forja.answer-token=tok-Dns-77"
expect_match "forja.answer-token=: a token is never sent over plain http://"
[ ! -s "$TMPD/plain.log" ] || fail "the server got a request: $(cat "$TMPD/plain.log")"

# No record anywhere: what was asked is listed.
net "empty.example"
expect_exit 1 "${FETCH[@]}"
expect_match 'no answer found: .*no DHCP option 250, no DNS TXT proxmox-auto-installer.empty.example'
echo "discovery-dns: all checks passed"
