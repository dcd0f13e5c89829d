#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds a libFuzzer target with clang, ASan and UBSan in its own build
# directory and runs it for a while on one core.
#   tests/fuzz/run-fuzz.sh [TARGET [SECONDS]]      (defaults: toml 600)
# Environment: FUZZ_BUILDDIR (default build-fuzz beside the sources).
# New interesting inputs go to $FUZZ_BUILDDIR/fuzz-TARGET-corpus, crashes to
# $FUZZ_BUILDDIR/fuzz-TARGET-artifacts/; copy a crash into
# tests/fuzz/corpus/TARGET/ as regress-NAME once it is fixed.
set -euo pipefail

target=${1:-toml}
seconds=${2:-600}
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILDDIR:-$src/build-fuzz}

if [ ! -f "$build/build.ninja" ]; then
        CC=clang meson setup "$build" "$src" -Dfuzzing=true
fi
ninja -C "$build" "tests/fuzz/fuzz-$target"

work=$build/fuzz-$target-corpus
artifacts=$build/fuzz-$target-artifacts
mkdir -p "$work" "$artifacts"
dict=()
[ -f "$src/tests/fuzz/$target.dict" ] && dict=(-dict="$src/tests/fuzz/$target.dict")

exec "$build/tests/fuzz/fuzz-$target" \
        -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "${dict[@]}" \
        "$work" "$src/tests/fuzz/corpus/$target"
