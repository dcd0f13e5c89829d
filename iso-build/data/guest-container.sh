#!/bin/sh
# mmdebstrap customize hook of the container guest image (forja/trixie):
# makes the root start under Incus with a DHCP lease on eth0 and packs it as
# Incus's unified image tarball (metadata.yaml, templates/, rootfs/).
#   $1  the root   $2  the cache entry being built   $3  the data directory
# Writes $2/forja-trixie.tar.zst.
set -eu
root=$1 out=$2 data=$3
. "$data/guest-common.sh"

# networkd in the image waits for udev to initialise eth0 (Incus mounts /sys
# read-write): an image without udevd would never take a lease.
[ -x "$root/usr/lib/systemd/systemd-udevd" ] || {
        echo "guest-container.sh: the image has systemd-networkd but no systemd-udevd (package udev)" >&2
        exit 1
}

guest_prepare "$root" 'eth*'
meta=$out/meta
rm -rf "$meta"
guest_metadata "$meta" container

# rootfs/ is the root itself, renamed on the way into the tarball; the
# /proc and /sys mmdebstrap mounted for its hooks stay out (empty dirs).
tar --create --file=- --one-file-system --numeric-owner --sort=name --format=pax \
        --pax-option='exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime' \
        --xattrs --xattrs-include='*' \
        -C "$meta" metadata.yaml templates \
        -C "$root" --transform='s,^\./,rootfs/,S;s,^\.$,rootfs,S' . |
        zstd -q -T0 -19 -o "$out/forja-trixie.tar.zst"
rm -rf "$meta"
