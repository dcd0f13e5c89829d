#!/usr/bin/env bash
# installer/image-http.c: a node image streamed from an HTTP(S) server on
# loopback lands exactly; faults (500, reset, a body cut in the middle) are
# retried and a cut transfer resumes with a range request from where it
# stopped; a tampered chunk, a missing image and a certificate that does not
# match the pin stop it with the URL and the reason.
. "$TESTS_LIB/testlib.sh"
. "$TESTS_LIB/http-server.sh"
GET=$1

require_root
require_cmd python3 openssl bsdtar zstd cmp
make_tmpdir
trap 'http_servers_stop; rm -rf "$TMPD"' EXIT

# An image of 3 files, ~600 kB compressed, in 4 KiB chunks (~150 chunks).
src=$TMPD/src
mkdir -p "$src/etc" "$src/usr/bin" "$TMPD/root" "$TMPD/bad"
head -c 400000 /dev/urandom >"$src/usr/bin/big"
head -c 200000 /dev/urandom >"$src/usr/bin/other"
echo "node" >"$src/etc/hostname"
(cd "$src" && bsdtar --numeric-owner -cf - etc usr) | zstd -q -3 >"$TMPD/root/node.tar.zst"
"$FORJA" iso manifest "$TMPD/root/node.tar.zst" --chunk-size 4096 >"$TMPD/root/node.manifest.json" ||
        fail "forja iso manifest failed"
size=$(stat -c %s "$TMPD/root/node.tar.zst")
# The same image with one byte changed in its middle chunk, beside the good manifest.
cp "$TMPD/root/node.tar.zst" "$TMPD/root/node.manifest.json" "$TMPD/bad/"
flip_byte "$TMPD/bad/node.tar.zst" $((size / 2))
ln -s "$TMPD/bad" "$TMPD/root/bad"

http_server_start plain "$TMPD/root"
P=http://127.0.0.1:$HTTP_PORT

check_tree() {          # check_tree DIR: the three files, byte for byte
        for f in usr/bin/big usr/bin/other etc/hostname; do
                cmp -s "$src/$f" "$1/$f" || fail "$1/$f differs from the image's source"
        done
}

mkdir "$TMPD/t1"
expect_exit 0 "$GET" "$P/node.tar.zst" "$TMPD/t1"
expect_match "entries=[0-9]+ compressed=$size"
check_tree "$TMPD/t1"

# 500 twice (manifest and image each), then a reset, and the image body cut
# at half on its first full request: retried, then resumed by a range request.
mkdir "$TMPD/t2"
: >"$TMPD/plain.log"
expect_exit 0 "$GET" "$P/fail/2/a/reset/1/b/cut/1/c/node.tar.zst" "$TMPD/t2"
check_tree "$TMPD/t2"
expect_match 'Image download, attempt 1 of 5 failed after [1-9][0-9]* bytes: .*resuming from there'
python3 - "$TMPD/plain.log" "$size" <<'PY' || fail "the requests were not the expected retries and resume"
import json, re, sys
log, size = sys.argv[1], int(sys.argv[2])
reqs = [json.loads(l) for l in open(log)]
img = [r for r in reqs if r["path"].endswith("node.tar.zst")]
ranges = [r["headers"].get("Range") for r in img]
print("image requests:", ranges)
starts = [int(m.group(1)) for m in (re.fullmatch(r"bytes=(\d+)-", x or "") for x in ranges) if m]
# The probe asks for the last byte; the resume for a start inside the file.
assert size - 1 in starts, "no probe of the last byte"
assert any(0 < s < size - 1 for s in starts), "no resumed range request"
# 500, 500 and the reset fall on the probe (retried), then one good probe;
# the one full request is cut, the rest comes by the resume.
assert ranges.count(f"bytes={size - 1}-") == 4, "probe: 2x 500, 1 reset, 1 good expected"
assert ranges.count(None) == 1 and len(ranges) == 6, "one full request, one resume expected"
man = [r for r in reqs if r["path"].endswith("node.manifest.json")]
# The manifest (its own counters) gets all three faults: 500, 500, reset, cut, good.
assert len(man) == 5, f"manifest: 2x 500, reset, cut, good expected, got {len(man)}"
PY

# A chunk that does not match: stopped, named.
mkdir "$TMPD/t3"
expect_exit 3 "$GET" "$P/bad/node.tar.zst" "$TMPD/t3"
expect_match 'chunk [0-9]+ \(bytes [0-9]+-[0-9]+\) does not match its SHA-256'

# A missing image: the URL and the status, not retried.
mkdir "$TMPD/t4"
expect_exit 1 "$GET" "$P/nothing/node.tar.zst" "$TMPD/t4"
expect_match "$P/nothing/node.manifest.json: HTTP status 404"

# HTTPS with a pinned fingerprint: the right pin works, another one refuses
# before a byte is extracted.
http_make_cert
http_server_start tls "$TMPD/root" --tls "$TMPD/cert.pem" "$TMPD/key.pem"
S=https://127.0.0.1:$HTTP_PORT
mkdir "$TMPD/t5" "$TMPD/t6"
expect_exit 0 "$GET" --fingerprint "$CERT_FP" "$S/node.tar.zst" "$TMPD/t5"
check_tree "$TMPD/t5"
expect_exit 1 "$GET" --fingerprint "$CERT_BAD_FP" "$S/node.tar.zst" "$TMPD/t6"
expect_match 'server certificate fingerprint .* does not match the pinned'
[ -z "$(ls -A "$TMPD/t6")" ] || fail "a refused image left files in the target"
echo "image-http: all checks passed"
