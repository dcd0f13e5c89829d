#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# forja iso prepare on a small ISO made here (xorriso): the answer source of
# the medium (--fetch-from iso|http|partition with Proxmox's option names),
# the checks of its options (exit 2, nothing written), the medium's
# /forja-fetch.toml, the warning about secrets written in plaintext onto the
# medium, and forja iso inspect of the results (secrets never printed).
# (Booting prepared media is the e2e suite: e2e-discovery, e2e-discovery-off.)
. "$TESTS_LIB/testlib.sh"
require_cmd xorriso
make_tmpdir
cd "$TMPD"

mkdir -p root/.disk root/node
echo "not a real installer" >root/README
echo "forja 9.8.7 trixie amd64" >root/.disk/info
# a manifest's summary fields (docs/iso-build.md); inspect counts the packages
cat >root/node/node.manifest.json <<'JSON'
{ "format": "forja-node-image/1", "suite": "trixie", "architecture": "amd64", "forja_version": "9.8.7",
  "file": "node.tar.zst", "size": 1234567, "installed_size": 7654321, "entries": 42,
  "packages": [ { "name": "a", "version": "1", "installed_size_kib": 1 },
                { "name": "b", "version": "2", "installed_size_kib": 2 },
                { "name": "c", "version": "3", "installed_size_kib": 3 } ] }
JSON
xorriso -outdev in.iso -volid FORJA_TEST -map root / -commit >/dev/null 2>&1 || fail "xorriso could not make the input ISO"

cat >plain.toml <<'TOML'
[global]
keyboard = "en-us"
country = "us"
fqdn = "node1.example.com"
mailto = "root@example.com"
timezone = "UTC"
root-password = "PlainPW-4711"

[network]
source = "from-dhcp"

[disk-setup]
filesystem = "ext4"
disk-list = ["sda"]
encrypt = true
encrypt-passphrase = "LuksPass-0815"

[cluster]
mode = "join"
token = "JoinToken-42"
address = "10.0.0.1"
TOML
cat >hashed.toml <<'TOML'
[global]
keyboard = "en-us"
country = "us"
fqdn = "node1.example.com"
mailto = "root@example.com"
timezone = "UTC"
root-password-hashed = "$y$j9T$Gd2ZxmQ1oX8X0Z5rF6Bq4/$U2cJ1bqjY2wOa4hKxg9sT4p7lqkV8mXh3Cz4jD5yF0B"

[network]
source = "from-dhcp"

[disk-setup]
filesystem = "ext4"
disk-list = ["sda"]
TOML
"$FORJA" answer validate plain.toml >/dev/null || fail "plain.toml is not a valid answer"
"$FORJA" answer validate hashed.toml >/dev/null || fail "hashed.toml is not a valid answer"

FP=AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89
PREP=("$FORJA" iso prepare --in in.iso -o out.iso)

# extract ISO PATH: the file's text on stdout (empty, status 1 when absent).
extract() {
        rm -f extracted
        xorriso -osirrox on -indev "$1" -extract "$2" extracted >/dev/null 2>&1 && cat extracted
}

# refuse REGEX ARGS...: exit 2, the message matches, and no ISO was written.
refuse() {
        local want=$1; shift
        expect_exit 2 "${PREP[@]}" "$@"
        expect_match "$want"
        [ ! -e out.iso ] || fail "a refused prepare ($*) wrote out.iso"
        ! ls out.iso.* >/dev/null 2>&1 || fail "a refused prepare ($*) left $(ls out.iso.*)"
}

# --- option checks: each misuse is exit 2 naming the option, nothing written
refuse '--url.*only with --fetch-from http' --answer plain.toml --url https://answers.example/a
refuse '--cert-fingerprint.*only with --fetch-from http' --answer plain.toml --cert-fingerprint "$FP"
refuse '--answer-auth-token.*only with --fetch-from http' --answer plain.toml --answer-auth-token tok-SECRET-1234
refuse '--url.*only with --fetch-from http' --fetch-from iso --answer plain.toml --url https://answers.example/a
refuse "--fetch-from takes iso, http or partition, not 'ftp'" --fetch-from ftp --answer plain.toml
refuse '--fetch-from iso needs --answer FILE' --fetch-from iso
refuse '--answer.*not with --fetch-from http' --fetch-from http --answer plain.toml
refuse "--url takes an http:// or https:// URL" --fetch-from http --url ftp://answers.example/a
refuse '--cert-fingerprint.*SHA-256 fingerprint' --fetch-from http --cert-fingerprint 12:34
refuse '--cert-fingerprint.*plain http' --fetch-from http --url http://answers.example/a --cert-fingerprint "$FP"
refuse '--answer-auth-token.*plain http' --fetch-from http --url http://answers.example/a --answer-auth-token tok-SECRET-1234
refuse '--answer FILE, --fetch-from http or --fetch-from partition' --on-first-boot plain.toml
# --fetch-from partition (Proxmox's checks: --partition-label only there)
refuse '--partition-label goes only with --fetch-from partition' --answer plain.toml --partition-label proxmox-ais
refuse '--partition-label goes only with --fetch-from partition' --fetch-from http --partition-label proxmox-ais
refuse '--partition-label goes only with --fetch-from partition' --fetch-from iso --answer plain.toml --partition-label X
refuse '--partition-label goes only with --fetch-from partition' --partition-label proxmox-ais
refuse '--url goes only with --fetch-from http' --fetch-from partition --url https://answers.example/a
refuse '--cert-fingerprint goes only with --fetch-from http' --fetch-from partition --cert-fingerprint "$FP"
refuse '--answer-auth-token goes only with --fetch-from http' --fetch-from partition --answer-auth-token tok-SECRET-1234
refuse '--answer FILE is not with --fetch-from partition' --fetch-from partition --answer plain.toml
refuse "--partition-label takes 1 to 255 printable characters without '/'" --fetch-from partition --partition-label 'a/b'
refuse "--partition-label takes 1 to 255 printable characters without '/'" --fetch-from partition --partition-label ''
refuse '--json goes only with iso inspect' --fetch-from partition --json

# --- --fetch-from iso (the default with --answer): the answer and the mode on the medium
expect_exit 0 "${PREP[@]}" --answer hashed.toml
[ "$(extract out.iso /answer.toml)" = "$(cat hashed.toml)" ] || fail "the answer on the medium differs"
extract out.iso /forja-fetch.toml | grep -qx 'fetch-from = "iso"' || fail "no fetch-from = \"iso\" on the medium"
# A hashed root password only: no warning.
! grep -q 'plaintext' <<<"$OUT" || fail "a warning without a plaintext secret: $OUT"
rm out.iso

# --- item 11: the secrets written in plaintext are named on stderr
expect_exit 0 "${PREP[@]}" --fetch-from iso --answer plain.toml
expect_match 'warning:.*plaintext'
expect_match 'global\.root-password'
expect_match 'disk-setup\.encrypt-passphrase'
expect_match 'cluster\.token'
! grep -qE 'PlainPW-4711|LuksPass-0815|JoinToken-42' <<<"$OUT" || fail "a secret value was printed: $OUT"
rm out.iso

# --- --fetch-from http without --url: DHCP/DNS discovery, nothing else on the medium
expect_exit 0 "${PREP[@]}" --fetch-from http
mode=$(extract out.iso /forja-fetch.toml) || fail "no /forja-fetch.toml on the medium"
[ "$mode" = 'fetch-from = "http"' ] || fail "unexpected /forja-fetch.toml: $mode"
! extract out.iso /answer.toml >/dev/null || fail "an http medium carries /answer.toml"
! grep -q 'plaintext' <<<"$OUT" || fail "a warning without a secret: $OUT"

# ... re-preparing that medium for http with URL, pin and token; an embedded
# answer of an earlier prepare is dropped.
expect_exit 0 "$FORJA" iso prepare --answer hashed.toml --in out.iso -o iso-mode.iso
expect_exit 0 "$FORJA" iso prepare --in iso-mode.iso -o out2.iso --fetch-from http \
        --url 'https://answers.example:8443/answer?mac={mac}' --cert-fingerprint "$FP" --answer-auth-token 'id:s3cr"et'
expect_match 'warning:.*plaintext.*answer-auth-token'
! grep -q 's3cr"et' <<<"$OUT" || fail "the token was printed"
! extract out2.iso /answer.toml >/dev/null || fail "the earlier /answer.toml is still on the medium"
extract out2.iso /forja-fetch.toml >mode.toml
cat >mode.want <<EOF
fetch-from = "http"
url = "https://answers.example:8443/answer?mac={mac}"
cert-fingerprint = "$FP"
answer-auth-token = "id:s3cr\\"et"
EOF
diff -u mode.want mode.toml || fail "unexpected /forja-fetch.toml"
[ "$(extract out2.iso /README)" = "not a real installer" ] || fail "the input's files are gone"

# --- --fetch-from partition: the label on the medium (Proxmox's default proxmox-ais)
rm -f out.iso
expect_exit 0 "${PREP[@]}" --fetch-from partition
[ "$(extract out.iso /forja-fetch.toml)" = "$(printf 'fetch-from = "partition"\npartition-label = "proxmox-ais"')" ] ||
        fail "unexpected /forja-fetch.toml: $(extract out.iso /forja-fetch.toml)"
rm out.iso
printf '#!/bin/sh\necho first boot\n' >hook.sh
expect_exit 0 "$FORJA" iso prepare --in iso-mode.iso -o out.iso --fetch-from partition --partition-label 'My AIS' --on-first-boot hook.sh
[ "$(extract out.iso /forja-fetch.toml)" = "$(printf 'fetch-from = "partition"\npartition-label = "My AIS"')" ] ||
        fail "unexpected /forja-fetch.toml: $(extract out.iso /forja-fetch.toml)"
! extract out.iso /answer.toml >/dev/null || fail "a partition medium carries the earlier /answer.toml"
[ "$(extract out.iso /forja-first-boot)" = "$(cat hook.sh)" ] || fail "the first-boot hook is not on the medium"

# --- forja iso inspect: source, answer (secrets masked), hook, image, versions
expect_exit 0 "$FORJA" iso inspect out.iso
expect_match '^Answer source: +fetch-from = partition$'
expect_match '^ +partition-label = My AIS$'
expect_match '^First-boot hook: /forja-first-boot$'
expect_match '^Node image: +forja 9\.8\.7, trixie amd64, 3 packages, 1234567 bytes \(7654321 installed\)$'
expect_match '^Medium: +forja 9\.8\.7 trixie amd64$'
expect_match '^Answer: +none$'
expect_exit 0 "$FORJA" iso inspect out2.iso --json
json=$OUT
python3 - "$json" <<'PY' || fail "inspect --json of the http medium: $json"
import json, sys
o = json.loads(sys.argv[1])
s = o["answer_source"]
assert s["fetch-from"] == "http" and s["url"].startswith("https://answers.example:8443/"), s
assert s["answer-auth-token"] == "<redacted>", s
assert o["node_image"]["packages"] == 3 and o["node_image"]["forja_version"] == "9.8.7", o
assert "answer" not in o and o["first_boot_hook"] is False, o
PY
! grep -q 's3cr' <<<"$json" || fail "inspect printed the token"
rm -f emb.iso
expect_exit 0 "$FORJA" iso prepare --in in.iso -o emb.iso --answer plain.toml
for mode in "" --json; do
        expect_exit 0 "$FORJA" iso inspect emb.iso $mode
        ! grep -qE 'PlainPW-4711|LuksPass-0815|JoinToken-42' <<<"$OUT" || fail "inspect $mode printed a secret: $OUT"
        expect_match 'fqdn = .*node1\.example\.com'
        expect_match 'root-password = .*<redacted>'
        expect_match 'encrypt-passphrase = .*<redacted>'
        expect_match 'token = .*<redacted>'
done
expect_match '"fetch-from": "iso"'
# not an ISO, unreadable, not a forja ISO, misuse: exit 2
expect_exit 2 "$FORJA" iso inspect plain.toml
expect_match "plain.toml: not an ISO 9660 image"
expect_exit 2 "$FORJA" iso inspect missing.iso
expect_match "missing.iso: No such file or directory"
mkdir bare && echo x >bare/x && xorriso -outdev bare.iso -map bare / -commit >/dev/null 2>&1
expect_exit 2 "$FORJA" iso inspect bare.iso
expect_match "not a forja medium"
expect_exit 2 "$FORJA" iso inspect
expect_match "exactly one ISO"
expect_exit 2 "$FORJA" iso inspect out.iso --answer plain.toml
expect_match "only --json goes with it"
echo "iso prepare: all checks passed"
