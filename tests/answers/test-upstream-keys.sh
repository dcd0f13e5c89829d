#!/usr/bin/env bash
# Every key of the Proxmox VE automated installer's answer types
# (data/proxmox-installer-types.keys, derived from the upstream crate at a
# recorded commit) is accepted with each of its allowed values, and an answer
# that leaves out a required key is refused (exit 2) with the key named.
# A key added upstream and added to the list fails here until forja has it.
. "$TESTS_LIB/testlib.sh"

require_cmd python3
make_tmpdir
KEYS=$ANSWERS_TESTDATA/proxmox-installer-types.keys
python3 "$(dirname "$0")/upstream-keys.py" "$KEYS" "$TMPD/answers"
cd "$TMPD/answers"

# About 130 validations: under `meson test --setup valgrind` they run without
# it (the same parser runs under valgrind in answer-cli and below).
VALIDATE=${FORJA_VALGRIND_REAL:-$FORJA}
accepted=0 refused=0 failures=0
while IFS=$'\t' read -r file key value; do
        rc=0
        out=$("$VALIDATE" answer validate "$file" 2>&1) || rc=$?
        case $file in
        accept-*)
                if [ "$rc" = 0 ]; then
                        accepted=$((accepted + 1))
                else
                        echo "FAIL: $key = $value refused (exit $rc):"; sed 's/^/    /' "$file"; echo "$out"
                        failures=$((failures + 1))
                fi ;;
        refuse-*)
                # The finding names the key, or its table and its own name.
                if [ "$rc" = 2 ] && { grep -qF "$key" <<<"$out" ||
                        { grep -qF "${key%.*}" <<<"$out" && grep -qF "${key##*.}" <<<"$out"; }; }; then
                        refused=$((refused + 1))
                else
                        echo "FAIL: an answer without $key gave exit $rc, not a refusal naming it:"; echo "$out"
                        failures=$((failures + 1))
                fi ;;
        esac
done <index.tsv

nkeys=$(grep -cv '^\(#\|$\)' "$KEYS")
echo "$nkeys upstream keys: $accepted values accepted, $refused missing required keys refused, $failures failures"
[ "$failures" = 0 ] || fail "$failures upstream answer cases were not handled as Proxmox handles them"
[ "$accepted" -gt "$nkeys" ] || fail "expected more accepted values than keys (the generator made too few files)"

# The subscription key is accepted, ignored with a warning, and never echoed.
grep -l 'subscription-key' accept-*.toml | head -n 1 >"$TMPD/one"
f=$(cat "$TMPD/one")
expect_exit 0 "$FORJA" answer validate "$f"
expect_match 'global.subscription-key: warning: is accepted for Proxmox answer files and ignored'
key=$(sed -n 's/^subscription-key = "\(.*\)"$/\1/p' "$f")
[ -n "$key" ] || fail "no subscription key in $f"
"$FIXTURE_HARDWARE" >"$TMPD/hw.json"
expect_exit 0 "$FORJA" plan --answer "$f" --hardware "$TMPD/hw.json" --json
! grep -qF "$key" <<<"$OUT" || fail "the subscription key appears in the plan"
echo "ok"
