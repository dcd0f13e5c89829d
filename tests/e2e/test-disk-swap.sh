#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e: disks swapped under their names while the install waits before its
# first write (forja.pause-at=disks; disk-swap.py): the install re-identifies
# every disk (disk sequence number, serial/WWN, size) and stops, nothing
# written to the old or the new disks. One disk with a QEMU serial, one
# without.
. "$TESTS_LIB/testlib.sh"
. "$(dirname "$0")/e2e-lib.sh"

e2e_require
require_cmd sfdisk mkfs.ext4 truncate
e2e_build_iso

rc=0
python3 "$E2E_HERE/disk-swap.py" --iso "$E2E_ISO" --forja "$FORJA" --work "$E2E_DIR/disk-swap" || rc=$?
[ "$rc" = 77 ] && skip "QEMU or its firmware is missing"
[ "$rc" = 0 ] || fail "disk swap failed (serial log in $E2E_DIR/disk-swap)"
e2e_drop_images "$E2E_DIR/disk-swap"
echo "e2e disk swap: passed"
