#!/usr/bin/env bash
# forja image extract: usage errors exit 2, a verified extraction reports the
# entries and bytes written (known by construction), a missing manifest is
# refused, a corrupted chunk stops with exit 1 and nothing after it is written.
. "$TESTS_LIB/testlib.sh"

require_root
require_cmd bsdtar python3
make_tmpdir

expect_exit 2 "$FORJA" image
expect_exit 2 "$FORJA" image frobnicate
expect_exit 2 "$FORJA" image extract only-one
expect_exit 2 "$FORJA" image extract --bogus a b
expect_exit 0 "$FORJA" image extract --help
expect_match '^Usage: forja image extract'

# 3 regular files (one with a hard link), 2 directories, 1 symlink: 7 entries,
# 3 * 300000 bytes of file data (the hard link's data is written once).
src=$TMPD/src
mkdir -p "$src/a/b"
for f in one two three; do head -c 300000 /dev/urandom >"$src/a/$f"; done
ln "$src/a/one" "$src/a/b/one-again"
ln -s ../two "$src/a/b/two-link"
image=$TMPD/node.tar.zst
bsdtar --zstd --numeric-owner -cf "$image" -C "$src" a
# The manifest, written here independently of forja: 256 KiB chunks.
python3 - "$image" "$TMPD/node.manifest.json" <<'PY'
import hashlib, json, sys
data = open(sys.argv[1], "rb").read()
cs = 262144
json.dump({"format": "forja-node-image/1", "size": len(data), "chunk_size": cs,
           "sha256": hashlib.sha256(data).hexdigest(),
           "chunks": [hashlib.sha256(data[i:i + cs]).hexdigest() for i in range(0, len(data), cs)]},
          open(sys.argv[2], "w"))
PY

mkdir "$TMPD/t1"
expect_exit 2 "$FORJA" image extract "$image" "$TMPD/missing-dir"
expect_exit 0 "$FORJA" image extract --json "$image" "$TMPD/t1"
expect_match '"entries": 7,'
expect_match '"data_bytes": 900000,'
expect_match '"verified": true'
expect_match '"synced": true'
python3 "$TESTS_LIB/treecmp.py" "$src" "$TMPD/t1" >/dev/null || fail "extracted tree differs"

# Without a manifest beside the image: refused unless --no-verify.
cp "$image" "$TMPD/lonely.tar.zst"
mkdir "$TMPD/t2"
expect_exit 2 "$FORJA" image extract "$TMPD/lonely.tar.zst" "$TMPD/t2"
expect_match 'no manifest'
expect_exit 0 "$FORJA" image extract --no-verify --no-sync "$TMPD/lonely.tar.zst" "$TMPD/t2"
expect_match 'NOT verified'
expect_exit 2 "$FORJA" image extract --no-verify --manifest "$TMPD/node.manifest.json" "$image" "$TMPD/t2"

# One byte flipped in the third chunk: exit 1, the chunk named.
python3 - "$image" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(2 * 262144 + 100)
    b = f.read(1)
    f.seek(2 * 262144 + 100)
    f.write(bytes([b[0] ^ 0xff]))
PY
mkdir "$TMPD/t3"
expect_exit 1 "$FORJA" image extract --manifest "$TMPD/node.manifest.json" "$image" "$TMPD/t3"
expect_match 'chunk 2 .* does not match'
echo "ok"
