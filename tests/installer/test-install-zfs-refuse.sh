#!/usr/bin/env bash
# ZFS answers on media without ZFS: `forja install` refuses them before any
# write, naming `forja iso build --with-zfs`, in the stage that can tell:
#   1. an installer without zpool (or without the zfs module): stage check;
#   2. an installer with ZFS but a node image whose manifest lists no
#      zfsutils-linux and zfs-initramfs: stage verify;
#   3. both with ZFS: verify passes and the install goes on to stage disks
#      (where this test's described disks, which do not exist here, stop it).
# The machine is a description (FORJA_TEST_HARDWARE_INSTALL) whose disks do
# not exist on this host; "an installer with ZFS" is a zpool and a modprobe
# on PATH that answer as the real ones do when ZFS is there.
. "$TESTS_LIB/testlib.sh"
. "$TESTS_LIB/described-machine.sh"
require_root
require_cmd python3 bsdtar zstd
make_tmpdir

described_machine "$TMPD/hw.json" bios vdy vdz
WAIVE=$(every_check_id)
{
        described_answer_head zfs1.example.com 'root-password = "zfs-test-password"'
        cat <<EOT

[disk-setup]
filesystem = "zfs"
zfs.raid = "raid1"
disk-list = ["vdy", "vdz"]

[checks]
waive = [$WAIVE]
EOT
} >"$TMPD/answer.toml"

# A node image, with a manifest without and one with the ZFS packages.
mkdir -p "$TMPD/tree/etc" "$TMPD/with" "$TMPD/without"
echo zfs1 >"$TMPD/tree/etc/hostname"
(cd "$TMPD/tree" && bsdtar --numeric-owner -cf - etc) | zstd -q -3 >"$TMPD/node.tar.zst"
cp "$TMPD/node.tar.zst" "$TMPD/with/"
cp "$TMPD/node.tar.zst" "$TMPD/without/"
printf 'systemd\t257-1\t100\n' >"$TMPD/plain.tsv"
printf 'systemd\t257-1\t100\nzfsutils-linux\t2.3.9-0+deb13u1\t1891\nzfs-initramfs\t2.3.9-0+deb13u1\t118\n' >"$TMPD/zfs.tsv"
"$FORJA" iso manifest "$TMPD/node.tar.zst" --packages "$TMPD/plain.tsv" >"$TMPD/without/node.manifest.json" ||
        fail "forja iso manifest failed"
"$FORJA" iso manifest "$TMPD/node.tar.zst" --packages "$TMPD/zfs.tsv" >"$TMPD/with/node.manifest.json" ||
        fail "forja iso manifest failed"

# The two kinds of installer: tools that fail, and tools that answer as with ZFS.
mkdir -p "$TMPD/no-zfs" "$TMPD/zfs"
printf '#!/bin/sh\necho "zpool: not here" >&2\nexit 127\n' >"$TMPD/no-zfs/zpool"
printf '#!/bin/sh\n[ "$1" = version ] && { echo zfs-2.3.9-1; echo zfs-kmod-2.3.9-1; exit 0; }\nexit 1\n' >"$TMPD/zfs/zpool"
printf '#!/bin/sh\nexit 0\n' >"$TMPD/zfs/modprobe"
chmod +x "$TMPD"/no-zfs/* "$TMPD"/zfs/*

install_as() { # EXPECTED-EXIT PATH-DIR IMAGE-DIR
        expect_exit "$1" env PATH="$2:$PATH" FORJA_TEST_HARDWARE_INSTALL=1 "$FORJA" install --answer "$TMPD/answer.toml" \
                --hardware "$TMPD/hw.json" --target "$TMPD/target" --image "$3/node.tar.zst"
}

# 1. no zpool: stage check
install_as 1 "$TMPD/no-zfs" "$TMPD/with"
expect_match '^FORJA-INSTALL-FAILED stage=check$'
expect_match 'the answer asks for ZFS, and this installer was built without ZFS support \(this installer has no zpool command; build the ISO with `forja iso build --with-zfs`\); nothing was written'
expect_match 'nothing was written to any disk'

# 2. ZFS in the installer, none in the image: stage verify
install_as 1 "$TMPD/zfs" "$TMPD/without"
expect_match '^FORJA-INSTALL-FAILED stage=verify$'
expect_match 'the node image of .*/without/node.manifest.json has no ZFS \(zfsutils-linux and zfs-initramfs; build it with `forja iso build --with-zfs`\)'
expect_match 'nothing was written to any disk'

# 3. ZFS in both: verify accepts, the install reaches the disks (which are
# not on this host)
install_as 1 "$TMPD/zfs" "$TMPD/with"
expect_match 'Stage verify done in'
expect_match '^FORJA-INSTALL-FAILED stage=disks$'
expect_match 'disk /dev/vdy of the plan cannot be opened any more: No such file or directory; nothing was written'
! grep -q 'has no ZFS' <<<"$OUT" || fail "a manifest with the ZFS packages was refused"
[ ! -e "$TMPD/target" ] || [ -z "$(ls -A "$TMPD/target")" ] || fail "something was written under the target"
echo "zfs refusals: 3 cases passed"
