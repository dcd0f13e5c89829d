#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Regenerates the seed part of the TOML fuzz corpus from the toml-test valid
# cases for TOML 1.0.0 (MIT licensed data in ../shared/anchors/toml-test).
# Seeds are named seed-<path>.toml; the other inputs (hand-*, cov-*, regress-*)
# are kept in the same folder and never touched here.
#   tests/fuzz/make-toml-corpus.sh [ANCHORS_DIR]
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
anchors=${1:-${FORJA_ANCHORS:-$src/../shared/anchors}}
tests=$anchors/toml-test/tests
out=$src/tests/fuzz/corpus/toml

[ -f "$tests/files-toml-1.0.0" ] || { echo "no toml-test data in $anchors" >&2; exit 1; }
mkdir -p "$out"
rm -f "$out"/seed-*
n=0
while read -r f; do
        case "$f" in valid/*.toml) ;; *) continue ;; esac
        name=${f#valid/}
        cp "$tests/$f" "$out/seed-${name//\//-}"
        n=$((n + 1))
done < "$tests/files-toml-1.0.0"
echo "$n seeds in $out ($(du -sb "$out" | cut -f1) bytes)"
