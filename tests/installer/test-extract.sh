#!/usr/bin/env bash
# installer/extract.c: a node image made by bsdtar is laid onto a fresh ext4
# (a loop device) exactly: contents, owners, modes, xattrs, capabilities,
# hard links, devices. Chunk verification stops at the first bad chunk, and
# hostile archives (absolute paths, "..", writes through symlinks) are refused.
. "$TESTS_LIB/testlib.sh"
EXTRACT=$1

require_root
require_cmd bsdtar zstd mkfs.ext4 losetup python3 split sha256sum
make_tmpdir
loopdev=""
cleanup() {
        mountpoint -q "$TMPD/mnt" 2>/dev/null && umount "$TMPD/mnt"
        [ -n "$loopdev" ] && losetup -d "$loopdev"
        rm -rf "$TMPD"
}
trap cleanup EXIT

# The source tree, with every kind of entry a root filesystem has.
src=$TMPD/src
mkdir -p "$src/etc/ssl" "$src/usr/bin" "$src/var/lib/private" "$src/dev"
mkdir -m 1777 "$src/tmp"
head -c 3000000 /dev/urandom >"$src/usr/bin/big"
head -c 1500000 /dev/urandom >"$src/usr/bin/other"
echo "root:x:0:0::/root:/bin/sh" >"$src/etc/passwd"
ln "$src/usr/bin/big" "$src/usr/bin/big-hardlink"
ln -s ../usr/bin/big "$src/etc/big-link"
ln -s /etc/ssl/certs "$src/etc/abs-link"
chmod 4755 "$src/usr/bin/other"
chmod 0700 "$src/var/lib/private"
chown 1234:4321 "$src/var/lib/private"
touch "$src/var/lib/private/owned" && chown 1234:4321 "$src/var/lib/private/owned"
mknod "$src/dev/null-copy" c 1 3
mkfifo "$src/etc/fifo"
python3 - "$src" <<'PY'
import os, sys
root = sys.argv[1]
os.setxattr(root + "/usr/bin/other", "user.forja", b"test-value")
# cap_net_raw+ep, as ping carries it (VFS_CAP_REVISION_2).
os.setxattr(root + "/usr/bin/big", "security.capability",
            bytes.fromhex("0100000200200000000000000000000000000000"))
PY

image=$TMPD/node.tar.zst
(cd "$src" && bsdtar --numeric-owner --xattrs -c -f - .) | zstd -q -19 -o "$image"

# Chunk list made independently of forja: split + sha256sum, 1 MiB chunks.
chunk=1048576
size=$(stat -c %s "$image")
mkdir "$TMPD/chunks"
split -b $chunk -d -a 4 "$image" "$TMPD/chunks/c"
{ echo "$chunk $size"; sha256sum "$TMPD"/chunks/c* | cut -d' ' -f1; } >"$TMPD/chunks.txt"
nchunks=$(($(wc -l <"$TMPD/chunks.txt") - 1))
[ "$nchunks" -ge 3 ] || fail "expected at least 3 chunks, got $nchunks"

# A fresh ext4 on a loop device, as the installer's target would be.
truncate -s 64M "$TMPD/disk.img"
mkfs.ext4 -q -F "$TMPD/disk.img"
loopdev=$(losetup --find --show "$TMPD/disk.img")
mkdir "$TMPD/mnt"
mount "$loopdev" "$TMPD/mnt"

fresh_target() {
        rm -rf "$TMPD/mnt/target"
        mkdir "$TMPD/mnt/target"
}

# 1. A good image with verification: identical tree.
fresh_target
expect_exit 0 "$EXTRACT" --chunks "$TMPD/chunks.txt" "$image" "$TMPD/mnt/target"
expect_match '^entries=1[0-9] data=[0-9]+ compressed='"$size"'$'
python3 "$TESTS_LIB/treecmp.py" "$src" "$TMPD/mnt/target" || fail "extracted tree differs from the source"
[ "$(stat -c %h "$TMPD/mnt/target/usr/bin/big")" = 2 ] || fail "hard link not kept"
[ "$(stat -c '%u:%g %a' "$TMPD/mnt/target/var/lib/private")" = "1234:4321 700" ] || fail "owner/mode not kept"

[ "$(stat -c %a "$TMPD/mnt/target/tmp")" = 1777 ] || fail "sticky directory mode not kept"

# 2. Without verification, from a pipe, run from a directory that has a tmp/
# of its own: directory modes land in the target, never in the working directory.
fresh_target
mkdir -p -m 0750 "$TMPD/cwd/tmp"
(cd "$TMPD/cwd" && "$EXTRACT" - "$TMPD/mnt/target" <"$image" >/dev/null) || fail "extraction from a pipe failed"
python3 "$TESTS_LIB/treecmp.py" "$src" "$TMPD/mnt/target" >/dev/null || fail "tree from a pipe differs"
[ "$(stat -c %a "$TMPD/cwd/tmp")" = 750 ] || fail "a directory mode was applied to the working directory"

# 3. One flipped byte in chunk 2: refused with the chunk named.
cp "$image" "$TMPD/bad.tar.zst"
flip_byte "$TMPD/bad.tar.zst" $((2 * chunk + 100))
cmp -s "$image" "$TMPD/bad.tar.zst" && fail "corruption did not change the image"
fresh_target
expect_exit 3 "$EXTRACT" --chunks "$TMPD/chunks.txt" "$TMPD/bad.tar.zst" "$TMPD/mnt/target"
expect_match 'chunk 2 \(bytes 2097152-3145727\) does not match its SHA-256'

# 4. Truncated and extended images.
head -c $((size - 10)) "$image" >"$TMPD/short.tar.zst"
fresh_target
expect_exit 3 "$EXTRACT" --chunks "$TMPD/chunks.txt" "$TMPD/short.tar.zst" "$TMPD/mnt/target"
expect_match "chunk $((nchunks - 1)) .*does not match"
cat "$image" - <<<"tail" >"$TMPD/long.tar.zst"
fresh_target
expect_exit 3 "$EXTRACT" --chunks "$TMPD/chunks.txt" "$TMPD/long.tar.zst" "$TMPD/mnt/target"
expect_match "longer than its manifest"

# 5. Hostile archives: nothing may appear outside the target.
mkdir "$TMPD/outside"
python3 - "$TMPD" <<'PY'
import io, sys, tarfile
d = sys.argv[1]
def make(name, members):
    with tarfile.open(f"{d}/{name}.tar", "w", format=tarfile.PAX_FORMAT) as t:
        for m in members:
            ti = tarfile.TarInfo(m["name"])
            if m.get("symlink"):
                ti.type, ti.linkname = tarfile.SYMTYPE, m["symlink"]
                t.addfile(ti)
            elif m.get("hardlink"):
                ti.type, ti.linkname = tarfile.LNKTYPE, m["hardlink"]
                t.addfile(ti)
            else:
                data = b"owned\n"
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
make("absolute", [{"name": f"{d}/outside/abs"}])
make("dotdot", [{"name": "etc/../../outside/dotdot"}])
make("symlink", [{"name": "escape", "symlink": f"{d}/outside"}, {"name": "escape/through-link"}])
make("hardlink", [{"name": "hl", "hardlink": "../outside/victim"}])
PY
echo victim >"$TMPD/outside/victim"
for kind in absolute dotdot symlink hardlink; do
        fresh_target
        expect_exit 4 "$EXTRACT" "$TMPD/$kind.tar" "$TMPD/mnt/target"
        expect_match "Refusing unsafe path|Failed to create"
        [ "$(ls "$TMPD/outside")" = victim ] || fail "$kind archive wrote outside the target: $(ls "$TMPD/outside")"
done

# 6. Not an archive at all.
head -c 4096 /dev/urandom >"$TMPD/noise"
fresh_target
expect_exit 4 "$EXTRACT" "$TMPD/noise" "$TMPD/mnt/target"
expect_match "Damaged image"

# 7. The same without threads (what a one-CPU machine runs): identical tree,
# bad chunk and hostile archive refused.
fresh_target
expect_exit 0 env FORJA_EXTRACT_SERIAL=1 "$EXTRACT" --chunks "$TMPD/chunks.txt" "$image" "$TMPD/mnt/target"
python3 "$TESTS_LIB/treecmp.py" "$src" "$TMPD/mnt/target" >/dev/null || fail "serial extraction differs from the source"
fresh_target
expect_exit 3 env FORJA_EXTRACT_SERIAL=1 "$EXTRACT" --chunks "$TMPD/chunks.txt" "$TMPD/bad.tar.zst" "$TMPD/mnt/target"
expect_match 'chunk 2 \(bytes 2097152-3145727\) does not match its SHA-256'
fresh_target
expect_exit 4 env FORJA_EXTRACT_SERIAL=1 "$EXTRACT" "$TMPD/symlink.tar" "$TMPD/mnt/target"
[ "$(ls "$TMPD/outside")" = victim ] || fail "serial: symlink archive wrote outside the target"

echo "extract: all checks passed"
