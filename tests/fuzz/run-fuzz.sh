#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds a libFuzzer target with clang, ASan and UBSan in its own build
# directory and runs it for a while on one core.
#   tests/fuzz/run-fuzz.sh [TARGET [SECONDS [LIBFUZZER_OPTION...]]]   (defaults: toml 600)
# Targets: toml answer hardware token reply (tests/fuzz/fuzz-TARGET.c).
# Environment: FUZZ_BUILDDIR (default build-fuzz beside the sources).
# New interesting inputs go to $FUZZ_BUILDDIR/fuzz-TARGET-corpus, crashes to
# $FUZZ_BUILDDIR/fuzz-TARGET-artifacts/; copy a crash into
# tests/fuzz/corpus/TARGET/ as regress-NAME once it is fixed.
# Long runs that go on after a crash (each one saved as an artifact):
#   tests/fuzz/run-fuzz.sh answer 1800 -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1
set -euo pipefail

target=${1:-toml}
seconds=${2:-600}
shift $(($# > 2 ? 2 : $#))
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILDDIR:-$src/build-fuzz}

if [ ! -f "$build/build.ninja" ]; then
        CC=clang meson setup "$build" "$src" -Dfuzzing=true
fi
ninja -C "$build" "tests/fuzz/fuzz-$target"
# Seeds generated at build time (answer, reply, hardware: make-anchor-seeds.sh).
seeds=()
if ninja -C "$build" -t targets all | grep -q "^tests/fuzz/seeds-$target:"; then
        ninja -C "$build" "tests/fuzz/seeds-$target"
        seeds=("$build/tests/fuzz/seeds-$target")
fi

work=$build/fuzz-$target-corpus
artifacts=$build/fuzz-$target-artifacts
mkdir -p "$work" "$artifacts"
dict=()
[ -f "$src/tests/fuzz/$target.dict" ] && dict=(-dict="$src/tests/fuzz/$target.dict")

exec "$build/tests/fuzz/fuzz-$target" \
        -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$artifacts/" "${dict[@]}" "$@" \
        "$work" "$src/tests/fuzz/corpus/$target" "${seeds[@]}"
