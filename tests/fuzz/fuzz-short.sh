#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The CI fuzz run of one target (suite fuzz, build-fuzz): libFuzzer for
# FORJA_FUZZ_SECONDS (default 60) over the committed corpus and the generated
# seeds. New inputs go to a scratch folder that is thrown away (the committed
# corpus never changes under CI); a crash is kept in
# $FORJA_BUILDDIR/fuzz-NAME-artifacts/ and fails the test.
#   fuzz-short.sh NAME FUZZER CORPUS_DIR...
set -euo pipefail

name=$1 fuzzer=$2
shift 2
seconds=${FORJA_FUZZ_SECONDS:-60}
artifacts=${FORJA_BUILDDIR:?}/fuzz-$name-artifacts
dict=()
[ -f "${FORJA_SRCDIR:?}/tests/fuzz/$name.dict" ] && dict=(-dict="$FORJA_SRCDIR/tests/fuzz/$name.dict")
corpus=()
for d in "$@"; do
        [ -d "$d" ] && corpus+=("$d")
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"
rc=0
"$fuzzer" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$artifacts/" "${dict[@]}" "$work" "${corpus[@]}" 2>"$work.log" || rc=$?
grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)' "$work.log" || true
if [ "$rc" != 0 ]; then
        tail -n 60 "$work.log"
        echo "fuzz-$name: libFuzzer exited $rc; the input is in $artifacts/"
fi
rm -f "$work.log"
# libFuzzer's crash status is 77, which meson would count as a skip.
[ "$rc" = 0 ] || exit 1
