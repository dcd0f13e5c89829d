#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# forja iso prepare on a small ISO made here (xorriso): the answer source of
# the medium (--fetch-from iso|http with Proxmox's option names), the checks
# of its options (exit 2, nothing written), the medium's /forja-fetch.toml,
# and the warning about secrets written in plaintext onto the medium.
# (Booting prepared media is the e2e suite: e2e-discovery, e2e-discovery-off.)
. "$TESTS_LIB/testlib.sh"
require_cmd xorriso
make_tmpdir
cd "$TMPD"

mkdir root
echo "not a real installer" >root/README
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
refuse "--fetch-from takes iso or http, not 'ftp'" --fetch-from ftp --answer plain.toml
refuse '--fetch-from iso needs --answer FILE' --fetch-from iso
refuse '--answer.*not with --fetch-from http' --fetch-from http --answer plain.toml
refuse "--url takes an http:// or https:// URL" --fetch-from http --url ftp://answers.example/a
refuse '--cert-fingerprint.*SHA-256 fingerprint' --fetch-from http --cert-fingerprint 12:34
refuse '--cert-fingerprint.*plain http' --fetch-from http --url http://answers.example/a --cert-fingerprint "$FP"
refuse '--answer-auth-token.*plain http' --fetch-from http --url http://answers.example/a --answer-auth-token tok-SECRET-1234
refuse '--answer FILE or --fetch-from http' --on-first-boot plain.toml

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
echo "iso prepare: all checks passed"
