#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The answer partition of a medium prepared `forja iso prepare --fetch-from
# partition [--partition-label LABEL]` (its /forja-fetch.toml), looked up as
# Proxmox's installer does: the label as given, then in upper case, then in
# lower case, each compared exactly; on our own loop devices (ext4 and vfat),
# which stay unchanged. A stock medium reads no partition, whatever its label.
# The lookup is checked with --dry-run (the Location line names the device,
# blkid only); answers are read from ext4, and from vfat where the kernel has
# it (this machine's kernel has no vfat).
. "$TESTS_LIB/testlib.sh"
require_root
require_cmd mkfs.ext4 mkfs.vfat mcopy losetup sha256sum
make_tmpdir
loops=()
cleanup() {
        for l in "${loops[@]}"; do losetup -d "$l"; done
        rm -rf "$TMPD"
}
trap cleanup EXIT
cd "$TMPD"
cat >hw.json <<'JSON'
{ "format_version": 1, "nics": [ { "name": "eno1", "mac": "3c:ec:ef:aa:10:01", "driver": "igb", "link": true } ],
  "dmi": { "system_serial": "SN1", "system_uuid": "4c4c4544-0042-3310-8057-b4c04f4d3332" } }
JSON

# loop FSTYPE LABEL TEXT: a loop device holding an answer.toml with TEXT.
loop() {
        local img=$TMPD/$(( ${#loops[@]} )).img
        mkdir -p "$img.d"
        echo "# $3" >"$img.d/answer.toml"
        truncate -s 32M "$img"
        case $1 in
        ext4) mkfs.ext4 -q -F -L "$2" -d "$img.d" "$img" ;;
        vfat) mkfs.vfat -n "$2" "$img" >/dev/null && mcopy -i "$img" "$img.d/answer.toml" ::answer.toml ;;
        esac || fail "mkfs.$1 failed"
        LOOP=$(losetup --find --show "$img") || fail "losetup failed"
        loops+=("$LOOP")
}
loop ext4 proxmox-ais "ext4 as given";  EXACT=$LOOP
loop vfat PROXMOX-AIS "vfat upper";     UPPER=$LOOP
loop ext4 proxmox-ais-2 "ext4 lower";   LOWER=$LOOP
loop ext4 PROXMOX-ais-2 "ext4 mixed";   MIXED=$LOOP
before=$(cat "${loops[@]}" | sha256sum)

mkdir stock prepared
medium() {      # medium LABEL: the prepared medium's /forja-fetch.toml
        printf 'fetch-from = "partition"\npartition-label = "%s"\n' "$1" >prepared/forja-fetch.toml
}
# fetch DEVICE...: forja answer fetch on the prepared medium, probing only these.
fetch() {
        local args=()
        for d in "$@"; do [ "$d" = --dry-run ] && args+=("$d") || args+=(--device "$d"); done
        expect_exit "$WANT" "$FORJA" answer fetch --hardware hw.json --cmdline "" --medium prepared "${args[@]}"
}
# lookup WANT-DEVICE DEVICE...: the dry run names WANT-DEVICE.
lookup() {
        local want=$1; shift
        WANT=0 fetch --dry-run "$@"
        expect_match "^Location: $want:/answer.toml$"
}
VFAT=false
grep -qw vfat /proc/filesystems && VFAT=true

WANT=0
medium proxmox-ais
fetch "$MIXED" "$UPPER" "$EXACT"
expect_match '^Answer source: install medium \(fetch-from partition\): partition labelled proxmox-ais$'
expect_match "^Location: $EXACT:/answer.toml$"
expect_match '^# ext4 as given$'
lookup "$EXACT" "$MIXED" "$UPPER" "$EXACT"
lookup "$UPPER" "$UPPER"
if $VFAT; then
        fetch "$UPPER"
        expect_match '^# vfat upper$'
fi
medium Proxmox-Ais
lookup "$UPPER" "$EXACT" "$UPPER"
lookup "$EXACT" "$EXACT"
fetch "$EXACT"
expect_match '^# ext4 as given$'
medium Proxmox-Ais-2
lookup "$LOWER" "$MIXED" "$LOWER"
fetch "$MIXED" "$LOWER"
expect_match '^# ext4 lower$'
# Only exact comparisons: PROXMOX-ais-2 is none of Proxmox-Ais-2, PROXMOX-AIS-2, proxmox-ais-2.
WANT=1
fetch "$MIXED"
expect_match 'no partition labelled Proxmox-Ais-2 \(tried as given, upper and lower case\)'
# A named partition is final: the missing stick does not fall through to the medium's answer.toml.
echo '# medium' >prepared/answer.toml
fetch "$MIXED"
! grep -q '^# medium$' <<<"$OUT" || fail "the missing partition fell through to the medium's answer.toml"
rm prepared/answer.toml
# The default label when the file names none (a hand-written file).
WANT=0
printf 'fetch-from = "partition"\n' >prepared/forja-fetch.toml
fetch "$EXACT"
expect_match 'partition labelled proxmox-ais$'
# Misuse in the file: exit 2 naming file:line:col and the key.
WANT=2
printf 'fetch-from = "http"\npartition-label = "x"\n' >prepared/forja-fetch.toml
fetch "$EXACT"
expect_match 'prepared/forja-fetch.toml:2:1: partition-label: only goes with fetch-from = "partition"'
printf 'fetch-from = "partition"\npartition-label = "a/b"\n' >prepared/forja-fetch.toml
fetch "$EXACT"
expect_match 'prepared/forja-fetch.toml:2:19: partition-label: expected 1 to 255 printable characters'

# A stock medium (no /forja-fetch.toml): no partition is read, proxmox-ais or FORJA-AIS.
loop ext4 FORJA-AIS "forja-ais"
expect_exit 1 "$FORJA" answer fetch --hardware hw.json --cmdline "" --medium stock --device "$EXACT" --device "$LOOP"
expect_match 'no answer found'
! grep -q '^# ' <<<"$OUT" || fail "a stock medium read an answer partition"
# ... unless the command line names it.
expect_exit 0 "$FORJA" answer fetch --hardware hw.json --cmdline "forja.answer=partition:FORJA-AIS" --medium stock --device "$LOOP"
expect_match '^# forja-ais$'

[ "$(cat "${loops[@]:0:4}" | sha256sum)" = "$before" ] || fail "reading the answer partitions changed them"
echo "partition label: all checks passed"
