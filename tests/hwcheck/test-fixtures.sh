#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The fixture matrix: every fixture in fixtures/ runs through
# `forja check --json --sysroot` and its ids, statuses, CPU verdict and exit
# code are compared with the hand-written table expected.txt.
. "$TESTS_LIB/testlib.sh"
require_cmd python3

here=$FORJA_SRCDIR/tests/hwcheck
make_tmpdir

# Every fixture has a line in the table and every line a fixture.
table=$(awk '!/^#/ && NF && $1 != "ids" {print $1}' "$here/expected.txt" | sort)
dirs=$(cd "$here/fixtures" && ls -d */ | tr -d / | grep -vx base | sort)
[ "$table" = "$dirs" ] || fail "fixtures and expected.txt differ: $(diff <(echo "$table") <(echo "$dirs") | grep '^[<>]' | tr '\n' ' ')"

n=0
failed=0
for fixture in $table; do
        root=$TMPD/$fixture
        "$here/make-sysroot.sh" "$fixture" "$root"
        set +e
        "$FORJA" check --json --sysroot "$root" >"$TMPD/$fixture.json" 2>"$TMPD/$fixture.err"
        code=$?
        set -e
        if ! python3 "$here/compare-report.py" "$here/expected.txt" "$fixture" "$TMPD/$fixture.json" "$code"; then
                cat "$TMPD/$fixture.err" >&2
                failed=$((failed + 1))
        fi
        n=$((n + 1))
done
[ "$n" -ge 15 ] || fail "only $n fixtures ran"
[ "$failed" = 0 ] || fail "$failed of $n fixtures differ from expected.txt"
echo "hwcheck fixtures: $n fixtures match expected.txt"
