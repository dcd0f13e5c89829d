#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# installer/extract-write.c, entry by entry: every kind of entry its own disk
# writer lays down (regular, read-only and empty files, set-user-ID and
# set-group-ID files owned by others, file capabilities, user xattrs, hard
# links, symlinks, character and block devices, fifos, sticky, set-group-ID
# and read-only directories, sparse files), the entries it hands to
# libarchive's writer (POSIX ACLs), exact times (nanoseconds, directories and
# symlinks too, which treecmp.py leaves out), missing parent directories,
# duplicate entries, and zstd input in several frames or with a large
# window, gzip and plain tar.
#   test-extract-writer.sh EXTRACT_IMAGE
. "$TESTS_LIB/testlib.sh"
EXTRACT=$1

require_root
require_cmd bsdtar zstd gzip python3 stat du
make_tmpdir

src=$TMPD/src
mkdir -p "$src/usr/bin" "$src/etc/deep/er" "$src/srv/ro" "$src/var/sgid" "$src/dev"
mkdir -m 1777 "$src/tmp"
head -c 700000 /dev/urandom >"$src/usr/bin/suid"
chown 1234:4321 "$src/usr/bin/suid"
chmod 6755 "$src/usr/bin/suid"
head -c 5000 /dev/urandom >"$src/usr/bin/capped"
chown 1234:0 "$src/usr/bin/capped"
printf 'read only\n' >"$src/etc/ro-file"
chmod 0444 "$src/etc/ro-file"
: >"$src/etc/empty"
chmod 0600 "$src/etc/empty"
printf 'deep\n' >"$src/etc/deep/er/conf"
ln "$src/etc/deep/er/conf" "$src/etc/conf-hardlink"
ln -s deep/er/conf "$src/etc/conf-link"
ln -s /nonexistent/target "$src/etc/dangling"
chown -h 77:88 "$src/etc/dangling"
mknod "$src/dev/console" c 5 1
mknod "$src/dev/loop-copy" b 7 200
chown 0:6 "$src/dev/loop-copy"
chmod 0660 "$src/dev/loop-copy"
mkfifo -m 0620 "$src/etc/fifo"
# Sparse: holes inside and at the end (the writer must truncate to the size).
truncate -s 20M "$src/srv/sparse"
printf 'middle' | dd of="$src/srv/sparse" bs=1 seek=$((8 << 20)) conv=notrunc status=none
printf 'start' | dd of="$src/srv/sparse" bs=1 conv=notrunc status=none
printf 'in the read-only directory\n' >"$src/srv/ro/inside"
# 40 MiB that zstd compresses with matches reaching 1-3 MiB back: the
# extractor's 16 MiB ring goes round twice, with zstd's window across the wrap.
python3 - "$src/srv/big" <<'PY'
import random, sys
rng = random.Random(7)
out, blocks = bytearray(), []
while len(out) < 40 << 20:
    if blocks and rng.random() < 0.6:
        b = bytearray(rng.choice(blocks[-3:]))
        for _ in range(64):
            b[rng.randrange(len(b))] = rng.randrange(256)
    else:
        b = rng.randbytes(1 << 20)
    blocks.append(bytes(b))
    out += b
open(sys.argv[1], "wb").write(out)
PY
chmod 0555 "$src/srv/ro"
chmod 2775 "$src/var/sgid"
chown 0:50 "$src/var/sgid"
python3 - "$src" <<'PY'
import os, struct, sys
root = sys.argv[1]
os.setxattr(root + "/usr/bin/suid", "user.forja", b"suid-file")
os.setxattr(root + "/etc/deep", "user.dir", b"a directory's xattr")
# cap_net_raw+ep (VFS_CAP_REVISION_2), on a file owned by uid 1234: it only
# survives when it is set after the owner.
os.setxattr(root + "/usr/bin/capped", "security.capability",
            bytes.fromhex("0100000200200000000000000000000000000000"))
# POSIX ACLs (the xattr form: version 2, then tag, perm, id): user 1234 r-x.
def acl(entries):
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", t, p, i) for t, p, i in entries)
U = 0xffffffff
acl_access = acl([(0x01, 7, U), (0x02, 5, 1234), (0x04, 5, U), (0x10, 5, U), (0x20, 5, U)])
os.setxattr(root + "/var/sgid", "system.posix_acl_access", acl_access)
os.setxattr(root + "/var/sgid", "system.posix_acl_default", acl_access)
os.setxattr(root + "/etc/deep/er/conf", "system.posix_acl_access", acl([(0x01, 6, U), (0x02, 4, 1234), (0x04, 4, U), (0x10, 4, U), (0x20, 4, U)]))
# Times with nanoseconds, on files, directories and symlinks, set last.
for i, rel in enumerate(["usr/bin/suid", "etc/ro-file", "etc/deep/er/conf", "srv/sparse", "srv/ro/inside",
                         "etc/fifo", "dev/console", "etc/conf-link", "etc/dangling",
                         "etc/deep/er", "etc/deep", "etc", "srv/ro", "var/sgid", "tmp", "usr/bin", "usr"]):
    t = 1500000000 + i * 86400 * 33 + 123456789 * 10**-9
    ns = (1500000000 + i * 86400 * 33) * 10**9 + 123456789 + i
    os.utime(os.path.join(root, rel), ns=(ns, ns), follow_symlinks=False)
PY
[ "$(du -k "$src/srv/sparse" | cut -f1)" -lt 1024 ] || skip "this file system does not keep sparse files"

# Exact times of everything, directories and symlinks included (not of the
# top directory: that is the target, left as it is).
times() {
        (cd "$1" && find . -mindepth 1 -printf '%p %T@\n' | sort)
}
check_tree() {
        local what=$1 target=$2
        python3 "$TESTS_LIB/treecmp.py" "$src" "$target" >"$TMPD/diff" || { cat "$TMPD/diff" >&2; fail "$what: tree differs"; }
        [ "$(times "$src")" = "$(times "$target")" ] || { diff <(times "$src") <(times "$target") >&2; fail "$what: times differ"; }
        [ "$(du -k "$target/srv/sparse" | cut -f1)" -lt 1024 ] || fail "$what: the sparse file's holes were written out"
        [ "$(stat -c %a "$target/srv/ro")" = 555 ] || fail "$what: read-only directory mode"
        [ "$(stat -c '%a %u:%g' "$target/usr/bin/suid")" = "6755 1234:4321" ] || fail "$what: set-ID bits of a file owned by another user"
}

# The ACLs must be in the archive as ACLs (libarchive's writer restores them).
# --format pax: bsdtar's default (restricted pax) drops the nanoseconds.
(cd "$src" && bsdtar --format pax --numeric-owner --xattrs --acls -cf - .) >"$TMPD/tree.tar"
bsdtar -tvf "$TMPD/tree.tar" >/dev/null
python3 - "$TMPD/tree.tar" <<'PY' || fail "bsdtar did not store the ACLs or the sparse map"
import sys, tarfile
t = tarfile.open(sys.argv[1])
h = {m.name: m.pax_headers for m in t.getmembers()}
assert any(k.startswith("SCHILY.acl.access") for k in h["./var/sgid"]), h["./var/sgid"]
assert any(k.startswith("GNU.sparse") for k in h["./srv/sparse"]), h["./srv/sparse"]
PY
zstd -q -19 -c "$TMPD/tree.tar" >"$TMPD/tree.tar.zst"

n=0
extract_and_check() {
        local what=$1 image=$2
        shift 2
        n=$((n + 1))
        local target=$TMPD/t$n
        mkdir "$target"
        expect_exit 0 env "$@" "$EXTRACT" "$image" "$target"
        check_tree "$what" "$target"
}
extract_and_check "zstd" "$TMPD/tree.tar.zst"
extract_and_check "zstd, serial" "$TMPD/tree.tar.zst" FORJA_EXTRACT_SERIAL=1
extract_and_check "plain tar" "$TMPD/tree.tar"
gzip -c "$TMPD/tree.tar" >"$TMPD/tree.tar.gz"
extract_and_check "gzip" "$TMPD/tree.tar.gz"
# Several zstd frames (pzstd makes them; so does cat of two .zst files).
size=$(stat -c %s "$TMPD/tree.tar")
head -c $((size / 3)) "$TMPD/tree.tar" | zstd -q -3 >"$TMPD/frames.tar.zst"
tail -c +$((size / 3 + 1)) "$TMPD/tree.tar" | zstd -q -3 >>"$TMPD/frames.tar.zst"
[ "$(zstd -lv "$TMPD/frames.tar.zst" 2>/dev/null | sed -n 's/^# Zstandard Frames: //p')" = 2 ] || fail "expected 2 zstd frames"
extract_and_check "two zstd frames" "$TMPD/frames.tar.zst"
# A window larger than the ring can keep (no content size, --long=25: 32 MiB):
# left to libarchive's zstd filter.
zstd -q -3 --long=25 <"$TMPD/tree.tar" >"$TMPD/long.tar.zst"
zstd -lv "$TMPD/long.tar.zst" 2>/dev/null | grep -q 'Window Size: 32.0 MiB' || fail "expected a 32 MiB zstd window"
extract_and_check "zstd with a 32 MiB window" "$TMPD/long.tar.zst"

# A zstd image cut short, without a manifest: refused, not taken as complete.
head -c $(($(stat -c %s "$TMPD/tree.tar.zst") - 64)) "$TMPD/tree.tar.zst" >"$TMPD/cut.tar.zst"
mkdir "$TMPD/cut"
expect_exit 4 "$EXTRACT" "$TMPD/cut.tar.zst" "$TMPD/cut"
expect_match "Damaged image"

# Missing parent directories, duplicate names (the later entry wins: a file
# over a file, a symlink over a file, a file over an empty directory and over
# a symlink), and a directory listed twice (its last mode counts).
python3 - "$TMPD/odd.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    def add(name, kind="f", data=b"", mode=0o644, link=None, mtime=1600000000):
        ti = tarfile.TarInfo(name)
        ti.mode, ti.mtime = mode, mtime
        if kind == "d":
            ti.type = tarfile.DIRTYPE
            t.addfile(ti)
        elif kind == "s":
            ti.type, ti.linkname = tarfile.SYMTYPE, link
            t.addfile(ti)
        else:
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
    add("no/parents/here/file", data=b"deep\n")
    add("twice", data=b"first\n")
    add("twice", data=b"second\n", mode=0o600)
    add("was-file", data=b"file\n")
    add("was-file", "s", link="twice")
    add("was-dir", "d")
    add("was-dir", data=b"now a file\n")
    add("was-link", "s", link="no")
    add("was-link", data=b"not through the link\n")
    add("listed-twice", "d", mode=0o755)
    add("listed-twice/child", data=b"child\n")
    add("listed-twice", "d", mode=0o710, mtime=1600000123)
PY
mkdir "$TMPD/odd"
expect_exit 0 "$EXTRACT" "$TMPD/odd.tar" "$TMPD/odd"
[ "$(cat "$TMPD/odd/no/parents/here/file")" = deep ] || fail "missing parents: file not written"
[ -d "$TMPD/odd/no/parents" ] && [ ! -L "$TMPD/odd/no" ] || fail "missing parents: not made as directories"
[ "$(cat "$TMPD/odd/twice")" = second ] || fail "duplicate file: the later entry must win"
[ "$(stat -c %a "$TMPD/odd/twice")" = 600 ] || fail "duplicate file: the later mode must win"
[ "$(readlink "$TMPD/odd/was-file")" = twice ] || fail "a symlink did not replace a file"
[ -f "$TMPD/odd/was-dir" ] && [ "$(cat "$TMPD/odd/was-dir")" = "now a file" ] || fail "a file did not replace an empty directory"
[ -f "$TMPD/odd/was-link" ] && [ ! -L "$TMPD/odd/was-link" ] || fail "a file did not replace a symlink"
[ ! -e "$TMPD/odd/no/was-link" ] || fail "a file was written through a symlink"
[ "$(stat -c '%a %Y' "$TMPD/odd/listed-twice")" = "710 1600000123" ] || fail "a directory listed twice: the last entry's mode and time"

echo "extract-writer: $n extractions identical to the source (times to the nanosecond), odd archives handled"
