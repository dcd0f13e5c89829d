#!/usr/bin/env bash
# installer/engine.c: the FORJA_PAUSE_AT=STAGE test hook (forja.pause-at= in
# the installer ISO). A failing install on the host against a described
# machine (FORJA_TEST_HARDWARE_INSTALL; it stops in stage verify at the
# missing image): paused before verify, it waits for a line on standard
# input, no timer; standard input ending first stops it with a clear error.
. "$TESTS_LIB/testlib.sh"
. "$TESTS_LIB/described-machine.sh"
require_root
require_cmd python3 mkfifo
make_tmpdir
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$TMPD"' EXIT

described_machine "$TMPD/hw.json" uefi vdz
described_answer "$TMPD/a.toml" 'filesystem = "ext4"
disk-list = ["vdz"]'
install() {
        env FORJA_TEST_HARDWARE_INSTALL=1 FORJA_PAUSE_AT=verify "$FORJA" install --answer "$TMPD/a.toml" \
                --hardware "$TMPD/hw.json" --target "$TMPD/target" --image "$TMPD/no-such-image.tar.zst"
}

# 1. Standard input ends before the line: the install stops there.
expect_exit 1 install </dev/null
expect_match '^FORJA-PAUSED stage=verify$'
expect_match '^FORJA-INSTALL-FAILED stage=verify$'
expect_match 'FORJA_PAUSE_AT=verify: standard input ended before a line asked the paused install to go on; nothing was written'
if grep -q 'FORJA-RESUMED' <<<"$OUT"; then fail "resumed without a line"; fi

# 2. It waits (however long) until the line comes; then stage verify runs.
mkfifo "$TMPD/in"
install <"$TMPD/in" >"$TMPD/out" 2>&1 &
pid=$!
exec 8>"$TMPD/in"
for _ in $(seq 100); do grep -q '^FORJA-PAUSED stage=verify$' "$TMPD/out" && break; sleep 0.1; done
grep -q '^FORJA-PAUSED stage=verify$' "$TMPD/out" || { cat "$TMPD/out" >&2; fail "no FORJA-PAUSED marker"; }
# Still paused a while later, nothing of stage verify yet.
sleep 2
kill -0 "$pid" 2>/dev/null || { cat "$TMPD/out" >&2; fail "the install did not wait for the line"; }
if grep -q 'FORJA-STAGE 2/8 verify\|FORJA-RESUMED' "$TMPD/out"; then cat "$TMPD/out" >&2; fail "went on without the line"; fi
echo >&8
exec 8>&-
set +e
wait "$pid"
rc=$?
set -e
pid=
OUT=$(cat "$TMPD/out")
[ "$rc" = 1 ] || { echo "$OUT" >&2; fail "exit $rc after the line, expected 1 (stage verify fails)"; }
expect_match '^FORJA-RESUMED stage=verify$'
expect_match '^FORJA-STAGE 2/8 verify$'
expect_match '^FORJA-INSTALL-FAILED stage=verify$'
# The marker comes before the stage, the stage after the resume.
python3 - "$TMPD/out" <<'PY' || fail "markers out of order"
import sys
t = open(sys.argv[1]).read()
a, b, c = t.index("FORJA-PAUSED stage=verify"), t.index("FORJA-RESUMED stage=verify"), t.index("FORJA-STAGE 2/8 verify")
sys.exit(0 if a < b < c else 1)
PY
echo "pause hook: waits for its line, stops when standard input ends"
