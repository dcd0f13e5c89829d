#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e: the installer's disk safety and fault tolerance, in QEMU (safety.py).
# CI's fault injection subset runs inside test-install.sh (ext4-bios,
# xfs-secureboot).
#   test-safety.sh matrix   every refusal path in one installer boot (the ISO
#                           as a USB disk), each attached disk SHA-256'd before
#                           and after; then a disk too small for the image,
#                           and a disk pulled out (QMP device_del) mid-install
#   test-safety.sh full     the matrix, a tampered ISO, and a SIGKILL at every
#                           stage boundary and a hard reset after every stage,
#                           each followed by an install that must succeed
. "$TESTS_LIB/testlib.sh"
. "$(dirname "$0")/e2e-lib.sh"

part=${1:?matrix or full}
case $part in matrix|full) ;; *) fail "unknown part $part" ;; esac

e2e_require
require_cmd sfdisk mkfs.ext4 mkfs.vfat mcopy xorriso truncate
e2e_build_iso

rc=0
python3 "$E2E_HERE/safety.py" --part "$part" --iso "$E2E_ISO" --forja "$FORJA" --work "$E2E_DIR/safety-$part" || rc=$?
[ "$rc" = 77 ] && skip "QEMU or its firmware is missing"
[ "$rc" = 0 ] || fail "safety $part failed (serial logs in $E2E_DIR/safety-$part)"
e2e_drop_images "$E2E_DIR/safety-$part"
echo "e2e safety $part: all checks passed"
