#!/usr/bin/env bash
# Node image manifests are untrusted JSON (an image URL's manifest comes over
# the network): 'size' and 'chunk_size' must be JSON integers in range, and
# 'chunks' must have exactly ceil(size / chunk_size) entries, computed without
# overflow. Both readers refuse a bad one as a manifest, naming the key,
# before any byte of the image is read or written:
#   1. `forja image extract --manifest` (forja/verb-image.c), exit 2;
#   2. the install's stage verify (installer/image.c), on a described machine.
. "$TESTS_LIB/testlib.sh"
. "$TESTS_LIB/described-machine.sh"
require_root
require_cmd python3 bsdtar zstd sha256sum
make_tmpdir

mkdir -p "$TMPD/tree/etc" "$TMPD/img"
echo node1 >"$TMPD/tree/etc/hostname"
(cd "$TMPD/tree" && bsdtar --numeric-owner -cf - etc) | zstd -q -3 >"$TMPD/img/node.tar.zst"
H=$(sha256sum <"$TMPD/img/node.tar.zst" | cut -d' ' -f1)
S=$(stat -c %s "$TMPD/img/node.tar.zst")
"$FORJA" iso manifest "$TMPD/img/node.tar.zst" >"$TMPD/good.json" || fail "forja iso manifest failed"

# manifest SIZE CHUNK_SIZE CHUNKS: the good manifest with these three values (JSON text).
manifest() {
        python3 - "$TMPD/good.json" "$@" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
m = json.loads(text)
for k in ("size", "chunk_size", "chunks"):
    m[k] = "@" + k + "@"
out = json.dumps(m)
for k, v in zip(("size", "chunk_size", "chunks"), sys.argv[2:5]):
    out = out.replace('"@' + k + '@"', v)
print(out)
PY
}

I64_MAX=9223372036854775807
U64_MAX=18446744073709551615
ONE="[\"$H\"]"
# size chunk_size chunks | the key named in the refusal
cases=(
        "$I64_MAX $I64_MAX [] | chunk_size"
        "$I64_MAX 4194304 $ONE | chunks"
        "$((I64_MAX - 1)) 2 $ONE | chunks"
        "$S $I64_MAX $ONE | chunk_size"
        "$U64_MAX $U64_MAX [] | size"
        "$S $U64_MAX $ONE | chunk_size"
        "-1 4194304 [] | size"
        "-$I64_MAX 4194304 [] | size"
        "$S -4194304 [] | chunk_size"
        "$S 0 [] | chunk_size"
        "0 4194304 [] | size"
        "1e300 4194304 $ONE | size"
        "\"$S\" 4194304 $ONE | size"
        "$S \"4194304\" $ONE | chunk_size"
        "$S 4194304.5 $ONE | chunk_size"
        "$S 4194304 [\"$H\",\"$H\"] | chunks"
        "$S 4194304 {} | chunks"
)

# 1. forja image extract
n=0
for c in "${cases[@]}"; do
        read -r size chunk chunks _ key <<<"$c"
        manifest "$size" "$chunk" "$chunks" >"$TMPD/m.json"
        rm -rf "$TMPD/out" && mkdir "$TMPD/out"
        expect_exit 2 "$FORJA" image extract --manifest "$TMPD/m.json" "$TMPD/img/node.tar.zst" "$TMPD/out"
        expect_match "m\.json: key '$key' "
        [ -z "$(ls -A "$TMPD/out")" ] || fail "image extract wrote into the target with manifest [$c]"
        n=$((n + 1))
done
# The good manifest still extracts.
manifest "$S" 4194304 "$ONE" >"$TMPD/m.json"
rm -rf "$TMPD/out" && mkdir "$TMPD/out"
expect_exit 0 "$FORJA" image extract --manifest "$TMPD/m.json" "$TMPD/img/node.tar.zst" "$TMPD/out"
[ "$(cat "$TMPD/out/etc/hostname")" = node1 ] || fail "the good manifest did not extract"

# 2. forja install, stage verify (the disks are described, not on this host).
described_machine "$TMPD/hw.json" bios vdy
WAIVE=$(every_check_id)
{
        described_answer_head node1.example.com 'root-password = "manifest-test-password"'
        cat <<EOT

[disk-setup]
filesystem = "ext4"
disk-list = ["vdy"]

[checks]
waive = [$WAIVE]
EOT
} >"$TMPD/answer.toml"
for c in "${cases[@]}"; do
        read -r size chunk chunks _ key <<<"$c"
        manifest "$size" "$chunk" "$chunks" >"$TMPD/img/node.manifest.json"
        expect_exit 1 env FORJA_TEST_HARDWARE_INSTALL=1 "$FORJA" install --answer "$TMPD/answer.toml" \
                --hardware "$TMPD/hw.json" --target "$TMPD/target" --image "$TMPD/img/node.tar.zst"
        expect_match '^FORJA-INSTALL-FAILED stage=verify$'
        expect_match "image manifest .*node\.manifest\.json: key '$key' "
        [ ! -e "$TMPD/target" ] || [ -z "$(ls -A "$TMPD/target")" ] || fail "something was written under the target"
        n=$((n + 1))
done
echo "manifest refusals: $n cases passed"
