#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hw_disk_identify_fd() on loop devices: the inventory records the kernel's
# disk sequence number (forja disks --json --all), the identity read from an
# open descriptor matches it; another file attached under the same
# /dev/loopN (detach, re-attach) is another disk though name and size are the
# same; a different size is named too. Only our own loop devices.
. "$TESTS_LIB/testlib.sh"
require_root
require_cmd losetup jq truncate
IDENTIFY=${1:?disk-identify}
make_tmpdir

loop=
cleanup() {
        [ -z "$loop" ] || losetup -d "$loop" 2>/dev/null || true
        rm -rf "$TMPD"
}
trap cleanup EXIT

truncate -s 16M "$TMPD/a.img" "$TMPD/b.img"
truncate -s 32M "$TMPD/c.img"
loop=$(losetup --find --show "$TMPD/a.img") || skip "no free loop device"
name=${loop#/dev/}
[ -r "/sys/block/$name/diskseq" ] || skip "this kernel has no disk sequence numbers (before 5.15)"

# The probe records the sequence number; the descriptor says the same.
seq_a=$("$FORJA" disks --json --all 2>/dev/null | jq -r --arg n "$name" '.disks[] | select(.name == $n) | .diskseq')
[ "$seq_a" = "$(cat "/sys/block/$name/diskseq")" ] || fail "$loop: probed diskseq '$seq_a', sysfs $(cat "/sys/block/$name/diskseq")"
[ "$seq_a" -gt 0 ] || fail "$loop: diskseq $seq_a"
expect_exit 0 "$IDENTIFY" "$loop"
expect_match "^diskseq=$seq_a size=16777216 serial=- wwn=-$"
expect_exit 0 "$IDENTIFY" "$loop" "$seq_a" 16777216
expect_match '^same$'

# Detached, another file of the same size under the same name: another disk.
losetup -d "$loop"
losetup "$loop" "$TMPD/b.img" || { loop=; skip "$loop was taken by someone else meanwhile"; }
expect_exit 0 "$IDENTIFY" "$loop"
seq_b=$(sed -n 's/^diskseq=\([0-9]*\) .*/\1/p' <<<"$OUT")
[ -n "$seq_b" ] && [ "$seq_b" != "$seq_a" ] || fail "re-attached $loop kept diskseq $seq_a"
expect_exit 1 "$IDENTIFY" "$loop" "$seq_a" 16777216
expect_match "^disk sequence number $seq_a at the start, $seq_b now$"

# And one of another size, with a serial expected that it has not.
losetup -d "$loop"
losetup "$loop" "$TMPD/c.img" || { loop=; skip "$loop was taken by someone else meanwhile"; }
expect_exit 1 "$IDENTIFY" "$loop" "$seq_b" 16777216 S-OLD
expect_match '^serial S-OLD in the plan, \(none\) now; 16777216 bytes in the plan, 33554432 now; disk sequence number [0-9]+ at the start, [0-9]+ now$'

# A descriptor held open keeps the disk: detaching is deferred until it is
# closed, so no other file can take the name meanwhile.
exec 7<"$loop"
losetup -d "$loop"
if losetup "$loop" "$TMPD/a.img" 2>/dev/null; then
        exec 7<&-
        fail "$loop took another file while a descriptor held it"
fi
exec 7<&-
echo "disk identity: sequence numbers recorded, swaps under one name found"
