#!/usr/bin/env bash
# Where a pin and a token may be sent when the answer is fetched (issue 18):
# item 1: a certificate pin or a bearer token never goes with a plain http://
# URL (forja.answer=, DHCP options 250+251, forja.image=);
# item 3: a token from the kernel command line (or the medium) goes to a URL
# found by DHCP or DNS only when the pin also comes from the command line (or
# the medium), never with option 251's pin or none.
# A refusal exits 2 naming the kernel argument or the DHCP option, and the
# server gets no request at all (so never the token).
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
# --- item 3: a command-line token and a URL from DHCP option 250 (https).
# Option 251's pin is not the owner's: the token is not sent, even in a dry run.
: >"$TMPD/plain.log"; : >"$TMPD/tls.log"
write_net "$S/answers/default.toml" "$fp"
expect_exit 2 fetch --cmdline "$DISCOVER forja.answer-token=$TOKEN"
expect_match "forja.answer-token=.*DHCP option 250 on eno1: $S/answers/default.toml.*forja.answer-fingerprint="
no_token_sent
expect_exit 2 fetch --dry-run --cmdline "$DISCOVER forja.answer-token=$TOKEN"
no_requests
# ... nor with no pin at all (CA verification alone does not name the server the owner meant).
write_net "$S/answers/default.toml"
expect_exit 2 fetch --cmdline "$DISCOVER forja.answer-token=$TOKEN"
expect_match "forja.answer-token=.*DHCP option 250 on eno1"
no_requests
# The pin from the command line (PDM's setup: token and pin from the owner,
# URL from DHCP): the token goes to that server, option 251 is not used.
write_net "$S/answers/default.toml" "$CERT_BAD_FP"
expect_exit 0 fetch --cmdline "$DISCOVER forja.answer-fingerprint=$fp forja.answer-token=$TOKEN"
expect_match "^Answer source: DHCP option 250 on eno1: $S/answers/default.toml \(certificate pinned by the kernel command line: forja.answer-fingerprint=\)$"
expect_match '^# the answer$'
grep -q "\"Authorization\": \"Bearer $TOKEN\"" "$TMPD/tls.log" || fail "the token did not reach the pinned server"
python3 - "$TMPD/tls.log" <<'PY'
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert len(reqs) == 1 and reqs[0]["method"] == "POST", reqs
assert json.loads(reqs[0]["body"])["dmi"]["system"]["serial"] == "SN-4711", reqs[0]["body"]
PY
: >"$TMPD/tls.log"
# A command-line pin that does not match: nothing delivered, the token never sent.
write_net "$S/answers/default.toml" "$fp"
expect_exit 1 fetch --cmdline "$DISCOVER forja.answer-fingerprint=$CERT_BAD_FP forja.answer-token=$TOKEN"
expect_match "does not match the pinned $CERT_BAD_FP"
no_requests
no_token_sent
# The command-line pin with a plain http URL from DHCP: item 1's rule.
write_net "$P/answers/default.toml"
expect_exit 2 fetch --cmdline "$DISCOVER forja.answer-fingerprint=$fp"
expect_match "forja.answer-fingerprint= pins a certificate, .*plain http://.*DHCP option 250 on eno1: $P/answers/default.toml"
no_requests
# Without a token, the Proxmox behaviour stays: option 251 pins the server.
write_net "$S/answers/default.toml" "$fp"
expect_exit 0 fetch --cmdline "$DISCOVER"
expect_match "\(certificate pinned by option 251\)$"
echo "pin-rules: all checks passed"
