#!/usr/bin/env bash
# The answer partition (FORJA-AIS) is read without changing one byte of it,
# also when its journal needs replay: ext4, XFS and Btrfs all replay their
# journal (log tree) on a plain read-only mount. Each filesystem is left with
# committed but unreplayed changes (a copy of the device taken while it is
# mounted), a control mount shows that a plain `mount -o ro` changes that
# copy, and then `forja answer fetch` must leave it byte-identical and give
# the device's read-only flag back as it found it.
. "$TESTS_LIB/testlib.sh"
require_root
require_cmd python3 losetup sha256sum blockdev mkfs.ext4 mkfs.xfs mkfs.btrfs
make_tmpdir
loops=()
mnt=""
cleanup() {
        [ -n "$mnt" ] && mountpoint -q "$mnt" && umount "$mnt"
        for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null || true; done
        rm -rf "$TMPD"
}
trap cleanup EXIT

cat >"$TMPD/hw.json" <<'JSON'
{ "format_version": 1, "nics": [], "dmi": {}, "dhcp": null }
JSON
FETCH=("$FORJA" answer fetch --hardware "$TMPD/hw.json" --cmdline "forja.answer=partition:FORJA-AIS")

attach() { # attach IMG [losetup options]: the loop device in $dev
        dev=$(losetup --find --show "${@:2}" "$1")
        loops+=("$dev")
}
detach() {
        losetup -d "$1"
        local keep=()
        for l in "${loops[@]}"; do [ "$l" = "$1" ] || keep+=("$l"); done
        loops=("${keep[@]}")
}
mount_at() { # mount_at DEV [mount options]
        mnt=$TMPD/mnt
        mkdir -p "$mnt"
        mount "$@" "$mnt"
}
unmount() {
        umount "$mnt"
        mnt=""
}

dirty_image() { # dirty_image FS: $TMPD/FS.img with an answer and a journal that needs replay
        local fs=$1 img=$TMPD/$1.img
        rm -f "$img"
        case $fs in
        ext4)  truncate -s 32M "$img"; mkfs.ext4 -q -F -L forja-ais "$img" ;;
        xfs)   truncate -s 320M "$img"; mkfs.xfs -q -f -L forja-ais "$img" ;;
        btrfs) truncate -s 128M "$img"; mkfs.btrfs -q -f -L forja-ais "$img" >/dev/null ;;
        esac
        attach "$img"
        # The answer itself is written and unmounted cleanly ...
        mount_at "$dev"
        echo "# answer on $fs" >"$mnt/answer.toml"
        unmount
        # ... then changes are committed to the journal (Btrfs: the fsync log
        # tree) and the device is copied while still mounted, as after a crash.
        mount_at "$dev"
        for i in 1 2 3; do head -c 65536 /dev/urandom >"$mnt/later-$i"; done
        python3 -c 'import os, sys
for p in sys.argv[1:]:
    fd = os.open(p, os.O_RDONLY); os.fsync(fd); os.close(fd)' "$mnt"/later-*
        [ "$fs" = btrfs ] || sync -f "$mnt/answer.toml"
        dd if="$dev" of="$TMPD/$fs.dirty" bs=1M iflag=direct conv=sparse status=none
        unmount
        detach "$dev"
        mv "$TMPD/$fs.dirty" "$img"
}

ntests=0
for fs in ext4 xfs btrfs; do
        dirty_image "$fs"
        img=$TMPD/$fs.img
        before=$(sha256sum <"$img")

        # Control: a plain read-only mount of a copy replays the journal.
        cp --sparse=always "$img" "$TMPD/control.img"
        attach "$TMPD/control.img"
        mount_at "$dev" -o ro
        unmount
        detach "$dev"
        [ "$(sha256sum <"$TMPD/control.img")" != "$before" ] ||
                fail "$fs: test setup: a plain read-only mount did not replay anything (journal not dirty)"
        rm -f "$TMPD/control.img"

        attach "$img"
        expect_exit 0 "${FETCH[@]}" --device "$dev"
        expect_match "^# answer on $fs$"
        [ "$(blockdev --getro "$dev")" = 0 ] || fail "$fs: forja left $dev read-only"
        detach "$dev"
        [ "$(sha256sum <"$img")" = "$before" ] || fail "$fs: reading the answer partition changed it"

        # A device that was read-only already stays so.
        attach "$img" --read-only
        expect_exit 0 "${FETCH[@]}" --device "$dev"
        expect_match "^# answer on $fs$"
        [ "$(blockdev --getro "$dev")" = 1 ] || fail "$fs: the read-only flag of $dev was cleared"
        detach "$dev"
        [ "$(sha256sum <"$img")" = "$before" ] || fail "$fs: reading the read-only answer partition changed it"
        rm -f "$img"
        ntests=$((ntests + 1))
done
echo "ok: $ntests filesystems with a dirty journal read without a changed byte"
