#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The exe_wrapper of `meson test --setup valgrind` (tests/meson.build): a test
# program runs under valgrind memcheck; a test script runs as it is, but every
# `$FORJA` it starts runs under valgrind (tests/lib/forja-valgrind). Any
# memcheck error or definitely lost block in any of them fails the test, with
# valgrind's report on stderr. Suppressions: tests/valgrind.supp.
set -u
here=$(cd "$(dirname "$0")" && pwd)
logdir=$(mktemp -d "${TMPDIR:-/tmp}/forja-valgrind.XXXXXX")
export FORJA_VALGRIND_LOGDIR=$logdir

if [ "$(head -c 4 "$1" 2>/dev/null | tr -d '\177')" = ELF ]; then
        FORJA_VALGRIND_REAL=$1 "$here/forja-valgrind" "${@:2}"
        rc=$?
else
        export FORJA_VALGRIND_REAL=${FORJA:?FORJA is not set}
        export FORJA=$here/forja-valgrind
        "$@"
        rc=$?
fi

bad=0
for f in "$logdir"/vg.*; do
        grep -q 'ERROR SUMMARY: [1-9]' "$f" 2>/dev/null || continue
        echo "--- valgrind: $(basename "$f")" >&2
        cat "$f" >&2
        bad=1
done
rm -rf "$logdir"
[ "$rc" = 77 ] && exit 77
[ "$bad" = 0 ] || { echo "valgrind found errors (above)" >&2; exit 1; }
exit "$rc"
