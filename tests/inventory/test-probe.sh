#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hardware_probe() against a fixture sysroot built by make-sysroot.sh, compared
# with the hand-written sysroot-expected.json (and variants, see the C side).
. "$TESTS_LIB/testlib.sh"
require_cmd sfdisk mkfs.ext4 mkfs.vfat mkswap
make_tmpdir
here=$FORJA_SRCDIR/tests/inventory
"$here/make-sysroot.sh" "$TMPD/root"
"$1" "$TMPD/root" "$here/sysroot-expected.json"
