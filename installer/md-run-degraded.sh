#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# forja-md-degraded.service: starts the node's md arrays left inactive
# because a member is missing. Only the arrays /etc/mdadm/mdadm.conf lists
# (by UUID): an array on disks plugged into the node from elsewhere stays as
# udev left it. Without an ARRAY line it does nothing, not even wait for
# udev. Otherwise it waits for udev to have handled every disk, then up to
# 20 s more while one of the node's arrays is inactive (an array whose
# members are all there starts by itself in that time), then runs each of
# the node's arrays that is still inactive with the members it has.
# FORJA_MD_ROOT: a tree standing in for / (tests only; empty on nodes).
root=${FORJA_MD_ROOT:-}
conf=$root/etc/mdadm/mdadm.conf

# The UUIDs of mdadm.conf's ARRAY lines (also on their continuation lines,
# which start with blanks), as 32 lower-case hex digits.
uuids() {
        [ -r "$conf" ] || return 0
        awk '/^[ \t]*#/ { next }
             /^[^ \t]/ { in_array = ($1 == "ARRAY") }
             in_array { for (i = 1; i <= NF; i++) if (toupper(substr($i, 1, 5)) == "UUID=") print substr($i, 6) }' "$conf" |
                tr -cd '0-9a-fA-F\n' | tr A-F a-f
}
own=$(uuids)
[ -n "$own" ] || exit 0

# array_uuid NAME: the array's UUID from the superblock of one of its members.
array_uuid() {
        for link in "$root/sys/block/$1/md"/dev-*/block; do
                [ -e "$link" ] || continue
                member=$(readlink "$link")
                uuid=$(mdadm --examine --export "/dev/${member##*/}" 2>/dev/null | sed -n 's/^MD_UUID=//p')
                [ -n "$uuid" ] || continue
                echo "$uuid" | tr -cd '0-9a-fA-F' | tr A-F a-f
                return 0
        done
        return 1
}

# The node's inactive arrays (/dev/mdN). With "report", the others that are
# inactive are named on stderr.
inactive() {
        for state in "$root"/sys/block/md*/md/array_state; do
                [ "$(cat "$state" 2>/dev/null)" = inactive ] || continue
                name=${state#"$root"/sys/block/}
                name=${name%%/*}
                uuid=$(array_uuid "$name") || uuid=
                if [ -n "$uuid" ] && echo "$own" | grep -qx "$uuid"; then
                        echo "/dev/$name"
                elif [ "${1:-}" = report ]; then
                        echo "forja: /dev/$name is inactive but not in /etc/mdadm/mdadm.conf (UUID ${uuid:-unknown}): left alone" >&2
                fi
        done
}

udevadm settle --timeout=60 || :
i=0
while [ -n "$(inactive)" ] && [ $i -lt 10 ]; do
        sleep 2
        i=$((i + 1))
done
for dev in $(inactive report); do
        echo "forja: $dev misses a member; starting it degraded"
        mdadm --run "$dev" || echo "forja: mdadm --run $dev failed" >&2
done
exit 0
