#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds a `forja check --sysroot` tree from a fixture in tests/hwcheck/fixtures/
# (format: docs/hwcheck-fixtures.md):
#   make-sysroot.sh NAME OUTDIR
# base/ first, then the fixture's parent chain (a `parent` file names the
# fixture it extends), each one copied over the last with the paths in its
# `remove` file deleted. The sparse MSR file dev/cpu/0/msr is written from the
# last `msr.in` of the chain (lines "INDEX VALUE" in hex; none: no MSR file).
set -euo pipefail

[ $# = 2 ] || { echo "usage: $0 NAME OUTDIR" >&2; exit 2; }
fixtures=$(cd "$(dirname "$0")/fixtures" && pwd)
name=$1
out=$2
recipe_files=(README remove parent msr.in)

[ -d "$fixtures/$name" ] || { echo "$0: no fixture '$name' in $fixtures" >&2; exit 2; }
mkdir -p "$out"

msr_in=
apply() {
        local n=$1 dir=$fixtures/$1
        if [ -f "$dir/parent" ]; then
                apply "$(tr -d '[:space:]' <"$dir/parent")"
        elif [ "$n" != base ]; then
                apply base
        fi
        cp -a "$dir/." "$out/"
        if [ -f "$dir/remove" ]; then
                local p
                while IFS= read -r p; do
                        [ -n "$p" ] || continue
                        case $p in /* | *..*) echo "$0: bad path '$p' in $dir/remove" >&2; exit 2 ;; esac
                        rm -rf "${out:?}/$p"
                done <"$dir/remove"
        fi
        [ -f "$dir/msr.in" ] && msr_in=$dir/msr.in
        return 0
}

# write_msr FILE INDEX VALUE: 8 bytes little endian at offset INDEX (sparse).
write_msr() {
        local i b bytes=
        for i in 0 1 2 3 4 5 6 7; do
                b=$(( ($3 >> (8 * i)) & 0xff ))
                bytes+=$(printf '\\x%02x' "$b")
        done
        # shellcheck disable=SC2059
        printf "$bytes" | dd of="$1" bs=1 seek=$(($2)) conv=notrunc status=none
}

apply "$name"
for f in "${recipe_files[@]}"; do
        rm -f "${out:?}/$f"
done

rm -f "$out/dev/cpu/0/msr"
if [ -n "$msr_in" ]; then
        while read -r index value _; do
                case $index in '' | '#'*) continue ;; esac
                mkdir -p "$out/dev/cpu/0"
                write_msr "$out/dev/cpu/0/msr" "0x$index" "0x$value"
        done <"$msr_in"
fi
