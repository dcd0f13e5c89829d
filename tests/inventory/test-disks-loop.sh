#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# forja disks on a real loop device: a GPT written with sfdisk and an ext4
# inside partition 1, found by libblkid from the whole device (the host
# kernel does not scan partitions). Then a whole-device ext4 labelled FORJA*
# that is mounted: the install medium. Only our own loop devices are touched.
. "$TESTS_LIB/testlib.sh"
require_root
require_cmd losetup sfdisk mkfs.ext4 jq mount umount
make_tmpdir

loops=()
mounted=
cleanup() {
        [ -z "$mounted" ] || umount "$mounted" || true
        for l in "${loops[@]}"; do losetup -d "$l" || true; done
        rm -rf "$TMPD"
}
trap cleanup EXIT

img=$TMPD/disk.img
truncate -s 64M "$img"
printf 'label: gpt\nstart=2048, size=65536, name=root\nstart=67584, size=32768, name=spare\n' | sfdisk -q "$img"
truncate -s $((65536 * 512)) "$TMPD/p1.img"
mkfs.ext4 -q -F -L looproot "$TMPD/p1.img"
dd if="$TMPD/p1.img" of="$img" bs=512 seek=2048 conv=notrunc status=none

loop=$(losetup --find --show "$img") || skip "no free loop device"
loops+=("$loop")
name=${loop#/dev/}

"$FORJA" disks --json --all >"$TMPD/all.json" 2>"$TMPD/err"
entry=$(jq -c --arg n "$name" '.disks[] | select(.name == $n)' "$TMPD/all.json")
[ -n "$entry" ] || fail "$loop not in 'forja disks --json --all'"
[ "$(jq -r .pttype <<<"$entry")" = gpt ] || fail "$loop: pttype $(jq -r .pttype <<<"$entry"), expected gpt"
[ "$(jq -c .contents <<<"$entry")" = "[\"${name}p1: ext4 \\\"looproot\\\"\",\"${name}p2: (no signature)\"]" ] ||
        fail "$loop: contents $(jq -c .contents <<<"$entry")"
[ "$(jq -r .size <<<"$entry")" = $((64 * 1024 * 1024)) ] || fail "$loop: size"
[ "$(jq -r .install_medium <<<"$entry")" = false ] || fail "$loop: not the install medium"
[ "$(jq -r .properties.DEVNAME <<<"$entry")" = "$loop" ] || fail "$loop: DEVNAME"

# Without --all, loop devices are not listed.
"$FORJA" disks --json 2>/dev/null | jq -e --arg n "$name" '[.disks[] | select(.name == $n)] | length == 0' >/dev/null ||
        fail "$loop listed without --all"

# The table says the same.
expect_exit 0 "$FORJA" disks --all
expect_match "^$loop +64\.0 MiB +- +- +(hdd|ssd) +gpt, ${name}p1: ext4 \"looproot\", ${name}p2: \(no signature\)$"

# A mounted FORJA* filesystem marks its disk as the install medium.
med=$TMPD/medium.img
truncate -s 16M "$med"
mkfs.ext4 -q -F -L FORJA_TEST "$med"
mloop=$(losetup --find --show "$med") || skip "no second free loop device"
loops+=("$mloop")
mkdir "$TMPD/mnt"
mount -o ro "$mloop" "$TMPD/mnt" || skip "cannot mount ext4 here"
mounted=$TMPD/mnt
"$FORJA" disks --json --all 2>/dev/null >"$TMPD/all2.json"
[ "$(jq -r --arg n "${mloop#/dev/}" '.disks[] | select(.name == $n) | .install_medium' "$TMPD/all2.json")" = true ] ||
        fail "$mloop (mounted, FORJA_TEST) is not marked as the install medium"
[ "$(jq -r --arg n "$name" '.disks[] | select(.name == $n) | .install_medium' "$TMPD/all2.json")" = false ] ||
        fail "$loop marked as the install medium"
expect_exit 0 "$FORJA" disks --all
expect_match "^$mloop +16\.0 MiB .*\[install medium\] ext4 \"FORJA_TEST\"$"

echo "inventory-loop: all checks passed"
