#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Generates fuzz seeds at build time from files that live elsewhere: the
# Proxmox auto-installer answer files in the anchors
# (tests/resources/parse_answer{,_fail}/*.toml, not copied into the
# repository) and the answers and hardware files of forja's own tests.
#   make-anchor-seeds.sh answer ANCHORS OUTDIR    the answer files as they are
#   make-anchor-seeds.sh reply ANCHORS OUTDIR     each as a server reply for
#       fuzz-reply ("CONTENT-TYPE\nBODY") with a few Content-Types
#   make-anchor-seeds.sh hardware ANCHORS OUTDIR  tests/inventory's hardware JSON
# Without the anchors only forja's own files are used: the committed corpus
# and these still run.
set -euo pipefail

kind=$1 anchors=$2 out=$3
src=$(cd "$(dirname "$0")/../.." && pwd)
res=$anchors/proxmox-auto-installer/tests/resources
rm -rf "$out"
mkdir -p "$out"
if [ "$kind" = hardware ]; then
        for f in "$src"/tests/inventory/hardware/*.json "$src"/tests/inventory/*.json; do
                [ -f "$f" ] && cp "$f" "$out/tests-$(basename "$f")"
        done
        exit 0
fi

types=("text/plain" "application/toml; charset=utf-8" "" "application/octet-stream")
i=0
for f in "$res"/parse_answer/*.toml "$res"/parse_answer_fail/*.toml \
         "$src"/tests/answers/data/*.toml "$src"/examples/answer.toml; do
        [ -f "$f" ] || continue
        base=$(basename "$(dirname "$f")")-$(basename "$f" .toml)
        case "$kind" in
        answer)
                cp "$f" "$out/anchor-$base.toml" ;;
        reply)
                { printf '%s\n' "${types[i % ${#types[@]}]}"; cat "$f"; } >"$out/anchor-$base"
                # The parsed form Proxmox expects, as a JSON reply: objects, arrays, nulls.
                json=${f%.toml}.json
                [ -f "$json" ] && { echo "application/json"; cat "$json"; } >"$out/anchor-$base-json"
                i=$((i + 1)) ;;
        *)
                echo "make-anchor-seeds.sh: unknown kind $kind" >&2
                exit 2 ;;
        esac
done
