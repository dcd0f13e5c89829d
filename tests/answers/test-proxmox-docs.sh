#!/usr/bin/env bash
# Answer files written in the forms of Proxmox's "Automated Installation"
# documentation (data/proxmox-docs, README there) validate unchanged, and
# their plans against the fixture hardware say what the file asks for.
# Each file's header says what is expected:
#   # expect: valid | refused TEXT
#   # expect-warning: TEXT
#   # expect-plan: DOTTED.PATH = JSON   (a value in `forja plan --json`)
. "$TESTS_LIB/testlib.sh"

require_cmd python3
make_tmpdir
DOCS=$ANSWERS_TESTDATA/proxmox-docs
"$FIXTURE_HARDWARE" >"$TMPD/hw.json"
# About 50 runs of forja: under `meson test --setup valgrind` they run without
# it (the same parser and planner run under valgrind in answer-cli).
F=${FORJA_VALGRIND_REAL:-$FORJA}

checked=0
for f in "$DOCS"/*.toml; do
        name=${f##*/}
        expect=$(sed -n 's/^# expect: //p' "$f")
        [ -n "$expect" ] || fail "$name has no '# expect:' line"
        case $expect in
        valid)
                expect_exit 0 "$F" answer validate "$f"
                nwarn=0
                while IFS= read -r w; do
                        expect_match "$w"
                        nwarn=$((nwarn + 1))
                done < <(sed -n 's/^# expect-warning: //p' "$f")
                # No warning the file does not announce.
                got=$(grep -c ': warning: ' <<<"$OUT" || true)
                [ "$got" = "$nwarn" ] || fail "$name: $got warnings, $nwarn expected:"$'\n'"$OUT"
                "$F" plan --answer "$f" --hardware "$TMPD/hw.json" --json >"$TMPD/plan.json" 2>"$TMPD/plan.err" ||
                        { cat "$TMPD/plan.err" >&2; fail "$name: forja plan refused it"; }
                sed -n 's/^# expect-plan: //p' "$f" >"$TMPD/want"
                python3 - "$TMPD/plan.json" "$TMPD/want" "$name" <<'PY' || fail "$name: the plan differs"
import json, sys
plan = json.load(open(sys.argv[1]))
bad = 0
for line in open(sys.argv[2]):
    path, _, want = line.partition(" = ")
    node = plan
    for part in path.strip().split("."):
        node = node[int(part)] if isinstance(node, list) else node.get(part)
    if node != json.loads(want):
        print(f"{sys.argv[3]}: plan {path.strip()} is {json.dumps(node)}, expected {want.strip()}")
        bad += 1
sys.exit(1 if bad else 0)
PY
                ;;
        refused\ *)
                expect_exit 2 "$F" answer validate "$f"
                expect_match "${expect#refused }"
                expect_exit 2 "$F" plan --answer "$f" --hardware "$TMPD/hw.json" --json
                expect_match "${expect#refused }"
                ;;
        *) fail "$name: unknown expectation '$expect'" ;;
        esac
        checked=$((checked + 1))
done
[ "$checked" -ge 10 ] || fail "only $checked documented answer files were found in $DOCS"
echo "ok: $checked answer files in the documentation's forms"
