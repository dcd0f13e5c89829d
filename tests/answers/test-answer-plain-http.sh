#!/usr/bin/env bash
# A pin or a token never travels with a plain http:// URL (issue 18, item 1),
# refused where the answer is validated, so `forja answer validate`,
# `forja plan` and `forja install` (and the screens, which build their plan
# the same way) all stop before any write, exit 2, FILE:LINE:COL and the key:
#   [post-installation-webhook] url = "http://..." with cert-fingerprint or auth-token;
#   [first-boot] url = "http://..." with cert-fingerprint;
#   [first-boot] url = "http://..." without sha256 and without the opt-in
#   allow-unverified-http = true (fixtures first-boot-plain-http*.toml).
. "$TESTS_LIB/testlib.sh"
. "$TESTS_LIB/described-machine.sh"
require_cmd python3
make_tmpdir
D=$ANSWERS_TESTDATA
cd "$TMPD"
described_machine hw.json uefi sda
FP=9A:4E:2F:15:6C:61:8B:2D:4A:C9:5E:0B:9E:42:7E:9F:6C:2A:5D:CD:2E:8F:5B:A1:15:DB:61:93:0C:39:B4:66
TOKEN=tok-Plain-9f8e7d6c

# The first-boot hook over plain http with no integrity value: refused by every verb.
cp "$D/first-boot-plain-http.toml" refused.toml
expect_exit 2 "$FORJA" answer validate refused.toml
expect_match '^refused.toml:22:7: first-boot.url: .*plain http.*(sha256|allow-unverified-http)'
expect_exit 2 "$FORJA" plan --answer refused.toml --hardware hw.json
expect_match '^refused.toml:22:7: first-boot.url: '
expect_exit 2 "$FORJA" install --dry-run --answer refused.toml --hardware hw.json
expect_match '^refused.toml:22:7: first-boot.url: '
expect_match 'nothing was written'

# ... accepted with the explicit opt-in (a warning says what it means) ...
cp "$D/first-boot-plain-http-allowed.toml" allowed.toml
expect_exit 0 "$FORJA" answer validate allowed.toml
expect_match '^allowed.toml:23:25: first-boot.allow-unverified-http: warning: .*without an integrity check'
expect_exit 0 "$FORJA" plan --answer allowed.toml --hardware hw.json --json
python3 -c 'import json,sys; f=json.load(sys.stdin)["first-boot"]; assert f["allow-unverified-http"] is True and "sha256" not in f, f' <<<"$OUT" ||
        fail "the plan does not carry the opt-in: $OUT"

# ... or with the hook's sha256 (verified after the download), without a warning.
sum=$(printf 'echo hook\n' | sha256sum | cut -d' ' -f1)
sed "s/^ordering = .*/&\nsha256 = \"$sum\"/" refused.toml >pinned-sum.toml
expect_exit 0 "$FORJA" answer validate pinned-sum.toml
expect_match '^pinned-sum.toml: valid answer file$'
expect_exit 0 "$FORJA" plan --answer pinned-sum.toml --hardware hw.json --json
python3 -c 'import json,sys; f=json.load(sys.stdin)["first-boot"]; assert f["sha256"] == sys.argv[1], f' "$sum" <<<"$OUT" ||
        fail "the plan does not carry the hook's sha256: $OUT"
sed "s/^ordering = .*/&\nsha256 = \"abc\"/" refused.toml >bad-sum.toml
expect_exit 2 "$FORJA" answer validate bad-sum.toml
expect_match '^bad-sum.toml:24:10: first-boot.sha256: .*64 hex digits'

# A pinned certificate on a plain http hook cannot be checked: an error, not a warning.
sed "s/^ordering = .*/&\ncert-fingerprint = \"$FP\"\nallow-unverified-http = true/" refused.toml >fb-pin.toml
expect_exit 2 "$FORJA" answer validate fb-pin.toml
expect_match '^fb-pin.toml:24:20: first-boot.cert-fingerprint: .*plain http://'

# The webhook: a pin or a token with an http:// URL.
webhook() { # FILE URL EXTRA-LINES
        { cat "$D/first-boot-plain-http-allowed.toml"; printf '\n[post-installation-webhook]\nurl = "%s"\n%s\n' "$2" "$3"; } >"$1"
}
webhook wh-pin.toml http://hooks.example.com/done "cert-fingerprint = \"$FP\""
expect_exit 2 "$FORJA" answer validate wh-pin.toml
expect_match '^wh-pin.toml:27:20: post-installation-webhook.cert-fingerprint: .*plain http://'
webhook wh-token.toml http://hooks.example.com/done "auth-token = \"$TOKEN\""
expect_exit 2 "$FORJA" answer validate wh-token.toml
expect_match '^wh-token.toml:27:14: post-installation-webhook.auth-token: .*plain http://'
! grep -q "$TOKEN" <<<"$OUT" || fail "the token was printed: $OUT"
expect_exit 2 "$FORJA" plan --answer wh-token.toml --hardware hw.json
expect_match 'post-installation-webhook.auth-token: '
expect_exit 2 "$FORJA" install --dry-run --answer wh-token.toml --hardware hw.json
expect_match 'post-installation-webhook.auth-token: '
# The same over https is fine, pinned or not.
webhook wh-https.toml https://hooks.example.com/done "auth-token = \"$TOKEN\""$'\n'"cert-fingerprint = \"$FP\""
expect_exit 0 "$FORJA" answer validate wh-https.toml
# A plain http webhook without pin or token stays allowed (Proxmox's behaviour).
webhook wh-plain.toml http://hooks.example.com/done ""
expect_exit 0 "$FORJA" answer validate wh-plain.toml
echo "answer-plain-http: all checks passed"
