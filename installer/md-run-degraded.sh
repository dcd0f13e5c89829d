#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# forja-md-degraded.service: starts md arrays left inactive because a member
# is missing. Waits for udev to have handled every disk, then up to 20 s more
# (an array whose members are all there starts by itself in that time), then
# runs each array that is still inactive with the members it has.
udevadm settle --timeout=60 || :

inactive() {
        for state in /sys/block/md*/md/array_state; do
                [ "$(cat "$state" 2>/dev/null)" = inactive ] || continue
                dev=${state#/sys/block/}
                echo "/dev/${dev%%/*}"
        done
}

i=0
while [ -n "$(inactive)" ] && [ $i -lt 10 ]; do
        sleep 2
        i=$((i + 1))
done
for dev in $(inactive); do
        echo "forja: $dev misses a member; starting it degraded"
        mdadm --run "$dev" || echo "forja: mdadm --run $dev failed" >&2
done
exit 0
