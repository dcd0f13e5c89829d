#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `forja install --target`: the root directory (or a path that is it) and a
# relative path are refused, exit 2, naming the option, before anything is
# probed or planned; a plain directory is accepted (a dry run).
. "$TESTS_LIB/testlib.sh"
. "$TESTS_LIB/described-machine.sh"
make_tmpdir
trap 'rm -rf "$TMPD"' EXIT

described_machine "$TMPD/hw.json" uefi vdz
described_answer "$TMPD/a.toml" 'filesystem = "ext4"
disk-list = ["vdz"]'
for bad in / // /./ /.. /tmp/.. target; do
        expect_exit 2 "$FORJA" install --dry-run --answer "$TMPD/a.toml" --hardware "$TMPD/hw.json" --target "$bad"
        expect_match "install: --target '$(sed 's/[.]/[.]/g' <<<"$bad")': "
done
expect_exit 0 "$FORJA" install --dry-run --answer "$TMPD/a.toml" --hardware "$TMPD/hw.json" --target "$TMPD/target"
echo "install --target: the root directory and relative paths refused"
