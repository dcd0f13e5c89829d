#!/bin/sh
# Second mmdebstrap --customize-hook of the node image base with
# `forja iso build --with-zfs` (after node-customize.sh).
#   $1  the image root   $2  the cache entry being built   $3  iso-build data dir
# The node's generic initramfs must import a ZFS root (root=ZFS=POOL/...):
# it is made again now that the zfs modules and zfs-initramfs are both in,
# and checked to hold the module and zpool.
set -eu
root=$1

chroot "$root" update-initramfs -u -k all
for initrd in "$root"/boot/initrd.img-*; do
        listing=$(chroot "$root" lsinitramfs "/boot/${initrd##*/}")
        for want in 'zfs\.ko' 'sbin/zpool$' 'scripts/zfs$'; do
                printf '%s\n' "$listing" | grep -q "$want" || {
                        echo "node-zfs: ${initrd##*/} has no $want: the node could not import its ZFS root" >&2
                        exit 1
                }
        done
done
# the installer writes the node's own /etc/hostid; none may come from the build
rm -f "$root/etc/hostid" "$root/etc/zfs/zpool.cache"
echo "node-zfs: the node's initramfs imports ZFS roots"
