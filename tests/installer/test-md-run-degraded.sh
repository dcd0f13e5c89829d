#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# installer/md-run-degraded.sh (forja-md-degraded.service) on a fake node:
# /sys/block/md*/md and /etc/mdadm/mdadm.conf under FORJA_MD_ROOT, and
# mdadm, udevadm and sleep on PATH that log their calls (mdadm --examine
# answers with the MD_UUID of a member from a table, mdadm --run marks the
# array active). md cannot be loaded on the build host, so no real array.
#   1. inactive arrays listed in mdadm.conf (by UUID, also on a continuation
#      line, any case or separator) start degraded; an inactive array of a
#      foreign disk, one whose member has no readable superblock and one with
#      no member are left alone; an active array is not touched;
#   2. the wait for members is cut short when the node's array starts by
#      itself, and a foreign inactive array alone does not make it wait;
#   3. mdadm.conf without ARRAY lines (the mdadm package's own file on a node
#      without md) or no mdadm.conf: nothing runs, not even udevadm settle.
. "$TESTS_LIB/testlib.sh"
make_tmpdir
SCRIPT=$FORJA_SRCDIR/installer/md-run-degraded.sh
BIN=$TMPD/bin CALLS=$TMPD/calls UUIDS=$TMPD/uuids
mkdir -p "$BIN"

# The tools the script runs. $ROOT is the fake node of the current case.
cat >"$BIN/mdadm" <<'EOF'
#!/bin/sh
echo "mdadm $*" >>"$CALLS"
case "$1 $2" in
"--examine --export")
        uuid=$(awk -v d="${3#/dev/}" '$1 == d { print $2 }' "$UUIDS")
        [ -n "$uuid" ] || { echo "mdadm: No md superblock detected on $3." >&2; exit 1; }
        printf 'MD_LEVEL=raid1\nMD_DEVICES=2\nMD_UUID=%s\nMD_NAME=any:0\n' "$uuid" ;;
"--run /dev/"*)
        echo clean >"$ROOT/sys/block/${2#/dev/}/md/array_state" ;;
*)      echo "unexpected mdadm call: $*" >&2; exit 2 ;;
esac
EOF
cat >"$BIN/udevadm" <<'EOF'
#!/bin/sh
echo "udevadm $*" >>"$CALLS"
EOF
# sleep: a member that turns up late (STARTS_AFTER_SLEEP=mdN) starts its
# array by itself after the first sleep.
cat >"$BIN/sleep" <<'EOF'
#!/bin/sh
echo "sleep $*" >>"$CALLS"
if [ -n "${STARTS_AFTER_SLEEP:-}" ]; then
        echo active >"$ROOT/sys/block/$STARTS_AFTER_SLEEP/md/array_state"
fi
EOF
chmod +x "$BIN"/*

# array NAME STATE MEMBER...: /sys/block/NAME/md as the kernel shows it.
array() {
        local name=$1 state=$2 m; shift 2
        mkdir -p "$ROOT/sys/block/$name/md"
        echo "$state" >"$ROOT/sys/block/$name/md/array_state"
        for m in "$@"; do
                mkdir -p "$ROOT/sys/block/${m%%[0-9]*}/$m" "$ROOT/sys/block/$name/md/dev-$m"
                ln -s "../../../${m%%[0-9]*}/$m" "$ROOT/sys/block/$name/md/dev-$m/block"
        done
}

# run_case NAME: the script on $ROOT; its output in $OUT, the calls in $GOT.
run_case() {
        : >"$CALLS"
        expect_exit 0 env -i PATH="$BIN:/usr/bin:/bin" FORJA_MD_ROOT="$ROOT" CALLS="$CALLS" UUIDS="$UUIDS" \
                ROOT="$ROOT" STARTS_AFTER_SLEEP="${STARTS_AFTER_SLEEP:-}" sh "$SCRIPT"
        GOT=$({ grep -v -e '--examine' "$CALLS" || :; } | sort | uniq -c | sed 's/^ *//' | tr '\n' ';')
        echo "$1: $GOT"
}

# The node's arrays: A (md0, /), C (md3, /boot, named on a continuation
# line, upper case with dashes); F is a foreign disk's array.
A=3f3a1c2e:5d7b9e04:a1b2c3d4:e5f60718
C=0badc0de:1234abcd:5678ef01:23456789
F=feedface:0000aaaa:1111bbbb:2222cccc
cat >"$UUIDS" <<EOF
vda1 $A
vdb1 $A
vda2 $C
sdx1 $F
sdy1 $F
EOF

# --- 1. the node's inactive arrays start, the foreign one does not ------
ROOT=$TMPD/node
mkdir -p "$ROOT/etc/mdadm"
cat >"$ROOT/etc/mdadm/mdadm.conf" <<EOF
# Written by the forja installer.
HOMEHOST <system>
MAILADDR root
ARRAY /dev/md/0 metadata=1.2 UUID=$A name=pve:0
ARRAY /dev/md/boot metadata=1.2
   name=pve:boot UUID=$(echo "$C" | tr a-f: A-F-)
#ARRAY /dev/md/9 metadata=1.2 UUID=$F name=old:9
EOF
array md0 inactive vda1
array md1 inactive sdx1          # a foreign disk plugged in, its mirror missing
array md2 active vdb1            # (a node array already running)
array md3 inactive vda2
array md4 inactive sdz1          # no superblock readable
array md5 inactive               # no member at all
run_case "own and foreign"
[ "$GOT" = "1 mdadm --run /dev/md0;1 mdadm --run /dev/md3;10 sleep 2;1 udevadm settle --timeout=60;" ] ||
        fail "expected md0 and md3 started after the whole wait, got: $GOT"
for md in md1 md4 md5; do
        [ "$(cat "$ROOT/sys/block/$md/md/array_state")" = inactive ] || fail "$md was touched"
        expect_match "/dev/$md .*not in .*mdadm.conf"
done
expect_match "/dev/md0 misses a member; starting it degraded"
expect_match "/dev/md3 misses a member; starting it degraded"

# --- 2. the node's array starts by itself during the wait ---------------
ROOT=$TMPD/late
mkdir -p "$ROOT/etc/mdadm"
printf 'ARRAY /dev/md/0 metadata=1.2 UUID=%s\n' "$A" >"$ROOT/etc/mdadm/mdadm.conf"
array md0 inactive vda1
array md1 inactive sdx1 sdy1
STARTS_AFTER_SLEEP=md0 run_case "own array completes"
[ "$GOT" = "1 sleep 2;1 udevadm settle --timeout=60;" ] || fail "expected one sleep and no mdadm --run, got: $GOT"
[ "$(cat "$ROOT/sys/block/md1/md/array_state")" = inactive ] || fail "the foreign md1 was touched"
# only the foreign array is inactive: no wait at all
run_case "foreign only"
[ "$GOT" = "1 udevadm settle --timeout=60;" ] || fail "a foreign array alone made the script wait or run: $GOT"

# --- 3. no array in mdadm.conf, no mdadm.conf: nothing at all ------------
ROOT=$TMPD/plain
mkdir -p "$ROOT/etc/mdadm"
printf '# mdadm.conf\n#\n# by default, scan all partitions\nHOMEHOST <system>\nMAILADDR root\n' >"$ROOT/etc/mdadm/mdadm.conf"
array md127 inactive sdx1
run_case "no ARRAY line"
[ -z "$GOT" ] || fail "mdadm.conf without ARRAY lines still ran: $GOT"
rm "$ROOT/etc/mdadm/mdadm.conf"
run_case "no mdadm.conf"
[ -z "$GOT" ] || fail "a node without mdadm.conf still ran: $GOT"
[ "$(cat "$ROOT/sys/block/md127/md/array_state")" = inactive ] || fail "md127 was touched"
echo "md-run-degraded: only the node's own arrays start degraded"
