#!/usr/bin/env bash
# bench/run --quick: one round of every tool on a small synthetic image, on
# ext4 (and xfs when mkfs.xfs is there): every tool's tree equals the
# reference, the table and ratio are printed, nothing is left mounted or
# attached; and a tree that differs from the reference is caught.
. "$TESTS_LIB/testlib.sh"

require_root
require_cmd bsdtar tar zstd mksquashfs unsquashfs mkfs.ext4 losetup python3 /usr/bin/time
make_tmpdir
work=$TMPD/work
bench=$FORJA_SRCDIR/bench/run

left_behind() {
        losetup -j "$work/disk.img" | grep -q . && fail "a loop device was left attached"
        grep -q " $work/mnt " /proc/mounts && fail "a mount was left behind"
        return 0
}

expect_exit 0 "$bench" --quick --fs ext4 --work "$work" --output "$TMPD/summary.txt"
for t in forja bsdtar tar unsquashfs; do
        expect_match "ext4 round 1 $t +wall +[0-9.]+ s .* same tree"
done
expect_match 'forja / fastest alternative \((bsdtar|tar|unsquashfs)\): [0-9.]+'
grep -Eq '^  forja +[0-9.]+ \[' "$TMPD/summary.txt" || fail "summary file has no forja row"
grep -q 'compression ratio' "$TMPD/summary.txt" || fail "summary file has no compression ratio"
left_behind

# The comparison can fail: change one mode in the cached reference.
ref=$(echo "$work"/cache/*/reference.mtree)
[ -f "$ref" ] || fail "no cached reference tree description"
sed -i '0,/ mode=0644 /s// mode=0600 /' "$ref"
expect_exit 1 "$bench" --quick --fs ext4 --tools bsdtar --work "$work" --output - \
        --image "$work/synthetic.tar.zst" --manifest "$work/synthetic.manifest.json"
expect_match 'bsdtar on ext4 produced a different tree than the reference'
left_behind
echo "ok"
