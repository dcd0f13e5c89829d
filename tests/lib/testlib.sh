# SPDX-License-Identifier: GPL-2.0-or-later
# Shared shell helpers for forja tests. Source it: . "$TESTS_LIB/testlib.sh"

set -euo pipefail

# skip REASON: exit 77, or fail when CI=true (a skip must not hide a failure in CI).
skip() {
        if [ "${CI:-}" = "true" ]; then
                echo "FAIL (skip not allowed under CI=true): $*" >&2
                exit 1
        fi
        echo "SKIP: $*" >&2
        exit 77
}

fail() {
        echo "FAIL: $*" >&2
        exit 1
}

require_root() {
        [ "$(id -u)" = 0 ] || skip "needs root"
}

require_cmd() {
        for c in "$@"; do
                command -v "$c" >/dev/null 2>&1 || skip "needs $c"
        done
}

require_anchors() {
        [ -d "${FORJA_ANCHORS:-}/$1" ] || skip "reference data ${FORJA_ANCHORS:-?}/$1 not found"
}

# expect_exit CODE CMD...: run CMD, require exit status CODE; stdout+stderr in $OUT.
expect_exit() {
        local want=$1; shift
        set +e
        OUT=$("$@" 2>&1)
        local got=$?
        set -e
        if [ "$got" != "$want" ]; then
                echo "$OUT" >&2
                fail "'$*' exited $got, expected $want"
        fi
}

# expect_match REGEX: $OUT must match the extended regex.
expect_match() {
        if ! grep -Eq -- "$1" <<<"$OUT"; then
                echo "--- output was:" >&2
                echo "$OUT" >&2
                fail "output does not match /$1/"
        fi
}

# A scratch directory removed on exit.
make_tmpdir() {
        TMPD=$(mktemp -d "${TMPDIR:-/tmp}/forja-test.XXXXXX")
        trap 'rm -rf "$TMPD"' EXIT
}

# flip_byte FILE OFFSET: invert every bit of one byte, so the file changes
# whatever the byte held (writing a fixed value leaves it unchanged when the
# byte already had that value).
flip_byte() {
        local old
        old=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
        [ -n "$old" ] || fail "flip_byte: offset $2 is beyond the end of $1"
        printf "\\$(printf '%03o' $((old ^ 255)))" |
                dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
