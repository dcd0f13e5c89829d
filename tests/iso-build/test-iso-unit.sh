#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# forja iso: command line, mirror resolution, manifest, cache cleaning.
# (Building and booting the ISO is the e2e suite.)
. "$TESTS_LIB/testlib.sh"
require_cmd python3 zstd sha256sum
make_tmpdir
data=$(dirname "$0")/data

# --- usage errors: exit 2, one clear line
expect_exit 2 "$FORJA" iso
expect_match 'a subcommand is needed'
expect_exit 2 "$FORJA" iso frobnicate
expect_match "unknown subcommand 'frobnicate'"
expect_exit 2 "$FORJA" iso build
expect_match 'output ISO is missing'
expect_exit 2 "$FORJA" iso build --suite 'Bad!' -o x.iso
expect_match "invalid --suite 'Bad!'"
expect_exit 2 "$FORJA" iso build --source a --forja-deb b -o x.iso
expect_exit 2 "$FORJA" iso prepare --answer a.toml -o x.iso
expect_match '--in ISO'
expect_exit 2 "$FORJA" iso build --frobnicate
expect_exit 2 "$FORJA" iso build --no-guest-images
expect_match "the output ISO is missing"
expect_exit 2 "$FORJA" iso manifest --chunk-size 12 x
expect_match 'chunk-size'
# more than the installer reads (16 MiB per chunk) is refused too
expect_exit 2 "$FORJA" iso manifest --chunk-size 16777217 x
expect_match 'chunk-size must be a byte count from 4096 to 16777216'

# --- mirror: the Debian archive and security URIs of a sources file
expect_exit 0 "$FORJA" iso mirror --mirror "$data/debian.sources"
[ "$OUT" = "deb http://mirror.invalid/debian trixie main non-free-firmware
deb http://mirror.invalid/debian trixie-updates main non-free-firmware
deb http://security.invalid/debian-security trixie-security main non-free-firmware" ] || fail "deb822: got $OUT"

expect_exit 0 "$FORJA" iso mirror --mirror "$data/disabled.sources"
expect_match '^deb http://second.invalid/debian trixie main'
[ "$(wc -l <<<"$OUT")" = 2 ] || fail "no security source expected: $OUT"

expect_exit 0 "$FORJA" iso mirror --mirror "$data/sources.list" --suite forky
[ "$OUT" = "deb http://oneline.invalid/debian forky main non-free-firmware
deb http://oneline.invalid/debian forky-updates main non-free-firmware
deb http://security.invalid/debian-security forky-security main non-free-firmware" ] || fail "one-line: got $OUT"

expect_exit 0 "$FORJA" iso mirror --mirror http://url.invalid/debian/
expect_match '^deb http://url.invalid/debian trixie main non-free-firmware$'
expect_exit 2 "$FORJA" iso mirror --mirror "$data/no-archive.sources"
expect_exit 2 "$FORJA" iso mirror --mirror 'http://bad host/debian'
expect_exit 2 "$FORJA" iso mirror --mirror "$TMPD/missing.sources"

# --- manifest of a tarball with a file capability and a hard link
files_size=$(python3 "$(dirname "$0")/make-tarball.py" "$TMPD/node.tar")
[ "$files_size" = 10018 ] || fail "fixture size changed: $files_size"
zstd -q -19 "$TMPD/node.tar" -o "$TMPD/node.tar.zst"
printf 'base-files\t13.8\t400\nforja\t0.1.0\t24\n' >"$TMPD/packages.tsv"
expect_exit 0 "$FORJA" iso manifest "$TMPD/node.tar.zst" --packages "$TMPD/packages.tsv" --chunk-size 4096
echo "$OUT" >"$TMPD/manifest.json"
size=$(stat -c %s "$TMPD/node.tar.zst")
sum=$(sha256sum "$TMPD/node.tar.zst" | cut -d' ' -f1)
python3 - "$TMPD/manifest.json" "$TMPD/node.tar.zst" "$size" "$sum" <<'PY' || fail "manifest check failed"
import hashlib, json, sys
m = json.load(open(sys.argv[1]))
data = open(sys.argv[2], "rb").read()
size, whole = int(sys.argv[3]), sys.argv[4]
want = {
    "format": "forja-node-image/1", "suite": "trixie", "architecture": "amd64",
    "file": "node.tar.zst", "compression": "zstd", "size": size, "sha256": whole,
    "chunk_size": 4096, "installed_size": 10018, "entries": 5, "hardlinks": 1,
    "xattr_entries": 1, "file_capabilities": 1, "packages_installed_size_kib": 424,
}
for k, v in want.items():
    assert m[k] == v, f"{k}: {m[k]!r} != {v!r}"
chunks = [hashlib.sha256(data[i:i + 4096]).hexdigest() for i in range(0, len(data), 4096)]
assert len(chunks) == (size + 4095) // 4096
assert m["chunks"] == chunks, "chunk hashes differ"
assert m["packages"] == [
    {"name": "base-files", "version": "13.8", "installed_size_kib": 400},
    {"name": "forja", "version": "0.1.0", "installed_size_kib": 24},
], m["packages"]
PY
# A file capability as the node image's tarball carries it: GNU tar with
# mmdebstrap's options (pax, --xattrs) keeps security.capability, and
# libarchive (forja, bsdtar) reads it back.
if [ "$(id -u)" = 0 ] && command -v setcap >/dev/null && command -v tar >/dev/null; then
        mkdir -p "$TMPD/caproot/usr/bin"
        cp /bin/true "$TMPD/caproot/usr/bin/ping"
        setcap cap_net_raw+p "$TMPD/caproot/usr/bin/ping"
        tar --numeric-owner --xattrs --format=pax -C "$TMPD/caproot" -cf "$TMPD/cap.tar" .
        zstd -q "$TMPD/cap.tar" -o "$TMPD/cap.tar.zst"
        expect_exit 0 "$FORJA" iso manifest "$TMPD/cap.tar.zst"
        expect_match '"file_capabilities": 1,?$'
        expect_match '"xattr_entries": 1,?$'
else
        echo "note: no root or no setcap: the GNU tar capability check did not run"
fi

# Not an archive: bad input.
head -c 5000 /dev/urandom >"$TMPD/junk.tar.zst"
expect_exit 2 "$FORJA" iso manifest "$TMPD/junk.tar.zst"
# A truncated archive is refused too.
head -c $((size / 2)) "$TMPD/node.tar.zst" >"$TMPD/cut.tar.zst"
expect_exit 2 "$FORJA" iso manifest "$TMPD/cut.tar.zst"

# --- clean-cache removes forja's entries only
mkdir -p "$TMPD/cache/deb-abc" "$TMPD/cache/node-def/boot" "$TMPD/cache/installer-123" \
        "$TMPD/cache/.tmp-node-x-1" "$TMPD/cache/guestct-a" "$TMPD/cache/guestvm-b" "$TMPD/cache/somebody-else"
touch "$TMPD/cache/node-def/boot/x" "$TMPD/cache/somebody-else/keep"
expect_exit 0 "$FORJA" iso clean-cache --cache-dir "$TMPD/cache"
expect_match 'Removed 6 cache entries'
[ "$(ls -A "$TMPD/cache")" = somebody-else ] || fail "clean-cache left: $(ls -A "$TMPD/cache")"
expect_exit 0 "$FORJA" iso clean-cache --cache-dir "$TMPD/nonexistent"

# --- the container guest image's hook refuses a root without udevd: networkd
# there would wait for udev for ever and eth0 never take a lease (issue 16)
mkdir -p "$TMPD/guest-root/usr/lib/systemd" "$TMPD/guest-out"
expect_exit 1 sh "$FORJA_SRCDIR/iso-build/data/guest-container.sh" "$TMPD/guest-root" "$TMPD/guest-out" \
        "$FORJA_SRCDIR/iso-build/data"
expect_match 'no systemd-udevd \(package udev\)'
[ -z "$(ls -A "$TMPD/guest-out")" ] || fail "the hook wrote $(ls -A "$TMPD/guest-out") for a root without udevd"

echo "iso unit: all checks passed"
