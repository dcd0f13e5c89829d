#!/usr/bin/env bash
# Where a pin and a token may be sent when the answer is fetched (issue 18):
# a certificate pin or a bearer token never goes with a plain http:// URL
# (forja.answer=, DHCP options 250+251, forja.image=): exit 2 naming the
# kernel argument or the DHCP option, and the server gets no request at all.
# Real HTTP(S) servers on loopback, net files in a fake FORJA_NET_DIR.
. "$TESTS_LIB/testlib.sh"
. "$TESTS_LIB/http-server.sh"
. "$TESTS_LIB/described-machine.sh"
require_cmd python3 openssl
make_tmpdir
trap 'http_servers_stop; rm -rf "$TMPD"' EXIT

described_machine "$TMPD/hw.json" uefi sda
H=(--hardware "$TMPD/hw.json")
mkdir -p "$TMPD/www/answers" "$TMPD/net" "$TMPD/medium"
echo '# the answer' >"$TMPD/www/answers/default.toml"
TOKEN=tok-Pin-4711-secret
http_make_cert
fp=$CERT_FP
http_server_start plain "$TMPD/www"
P=http://127.0.0.1:$HTTP_PORT
http_server_start tls "$TMPD/www" --tls "$TMPD/cert.pem" "$TMPD/key.pem"
S=https://127.0.0.1:$HTTP_PORT
export FORJA_NET_DIR=$TMPD/net
# Network discovery is enabled on the command line (the gate of issue 18 item 2).
DISCOVER=forja.fetch-from=http
write_net() { # OPT250 [OPT251]
        { printf 'IFACE=eno1\nMAC=3c:ec:ef:aa:10:01\nSOURCE=dhcp\nADDRESS=10.1.2.3/24\n'
          [ -n "$1" ] && printf 'OPT250=%s\n' "$1"
          [ -n "${2:-}" ] && printf 'OPT251=%s\n' "$2"; } >"$TMPD/net/eno1.env"
        return 0
}
write_net ""
no_requests() { # what the servers got since the last call: nothing
        [ ! -s "$TMPD/plain.log" ] && [ ! -s "$TMPD/tls.log" ] ||
                fail "a server got a request: $(cat "$TMPD/plain.log" "$TMPD/tls.log")"
}
no_token_sent() {
        ! grep -q "$TOKEN" "$TMPD/plain.log" "$TMPD/tls.log" || fail "the token was sent: $(cat "$TMPD/plain.log" "$TMPD/tls.log")"
        ! grep -q "$TOKEN" <<<"$OUT" || fail "the token was printed: $OUT"
}
fetch() { "$FORJA" answer fetch --medium "$TMPD/medium" "${H[@]}" "$@"; }

# --- item 1: forja.answer=http://... with a pin or a token, also in a dry run.
expect_exit 2 fetch --cmdline "forja.answer=$P/answers/default.toml forja.answer-fingerprint=$fp"
expect_match "forja.answer-fingerprint=.*plain http://.*forja.answer=$P/answers/default.toml"
expect_exit 2 fetch --cmdline "forja.answer=$P/answers/default.toml forja.answer-token=$TOKEN"
expect_match "forja.answer-token=.*plain http://"
no_token_sent
expect_exit 2 fetch --dry-run --cmdline "forja.answer=$P/answers/default.toml forja.answer-token=$TOKEN"
expect_match "forja.answer-token=.*plain http://"
no_requests
# The same over https is fine.
expect_exit 0 fetch --cmdline "forja.answer=$S/answers/default.toml forja.answer-fingerprint=$fp forja.answer-token=$TOKEN"
expect_match '^# the answer$'
: >"$TMPD/tls.log"

# --- item 1: DHCP option 250 with an http:// URL and a pin in option 251.
write_net "$P/answers/default.toml" "$fp"
expect_exit 2 fetch --cmdline "$DISCOVER"
expect_match "DHCP option 251 on eno1 pins a certificate, .*plain http://"
no_requests
write_net ""

# --- item 1: forja.image=http://... with forja.image-fingerprint= (kernel
# command line of the described machine) or --image-fingerprint.
cat >"$TMPD/answer.toml" <<'TOML'
[global]
keyboard = "en-us"
country = "de"
fqdn = "node7.example.com"
mailto = "ops@example.com"
timezone = "Europe/Berlin"
root-password = "correct-horse-battery"
[network]
source = "from-dhcp"
[disk-setup]
filesystem = "ext4"
disk-list = ["sda"]
TOML
python3 - "$TMPD/hw.json" "$P/node.tar.zst" "$fp" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
h["kernel_cmdline"] = f"console=ttyS0 forja.image={sys.argv[2]} forja.image-fingerprint={sys.argv[3]}"
json.dump(h, open(sys.argv[1][:-5] + "-image.json", "w"))
PY
expect_exit 2 "$FORJA" install --dry-run --hardware "$TMPD/hw-image.json" --answer "$TMPD/answer.toml"
expect_match "forja.image-fingerprint=.*plain http://.*$P/node.tar.zst"
expect_exit 2 "$FORJA" install --dry-run "${H[@]}" --answer "$TMPD/answer.toml" --image "$P/node.tar.zst" --image-fingerprint "$fp"
expect_match -- "--image-fingerprint.*plain http://"
expect_exit 2 "$FORJA" install --dry-run "${H[@]}" --answer "$TMPD/answer.toml" --image "$S/node.tar.zst" \
        --manifest "$P/node.manifest.json" --image-fingerprint "$fp"
expect_match -- "--image-fingerprint.*plain http://.*$P/node.manifest.json"
no_requests
echo "pin-rules: all checks passed"
