#!/bin/sh
# The forja layer of the node image: unpacks the cached base (node-base.tar,
# made by mmdebstrap), installs the forja .deb into it with dpkg, and packs
# the result as node.tar.zst the way mmdebstrap packs a root: pax, names
# sorted, numeric owners, xattrs, no "./" entry.
#   $1  the base cache entry   $2  the entry being built   $3  the forja .deb
#   $4  zstd level (-9)
#   $5  the container guest image's cache entry, or "-"
#   $6  the VM guest image's cache entry, or "-"
# Runs on the build host as root; writes $2/node.tar.zst, $2/node-packages.tsv
# and $2/boot (the base's boot files, hard-linked).
set -eu
base=$1 out=$2 deb=$3 level=$4 guest_ct=${5:--} guest_vm=${6:--}
root=$out/root

rm -rf "$root"
mkdir -m 0755 "$root"
tar --extract --file="$base/node-base.tar" --directory="$root" \
        --numeric-owner --same-owner --preserve-permissions --xattrs --xattrs-include='*' --acls

cp "$deb" "$root/tmp/forja.deb"
chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 \
        dpkg --install /tmp/forja.deb
# The built-in guest images, imported by forja join at first boot and then
# removed: already compressed, they cost the node image their own size.
guests=$root/var/lib/forja/guest-images
if [ "$guest_ct" != - ] || [ "$guest_vm" != - ]; then
        mkdir -p "$guests"
        [ "$guest_ct" = - ] || cp "$guest_ct/forja-trixie.tar.zst" "$guests/"
        [ "$guest_vm" = - ] || cp "$guest_vm/forja-trixie-vm.qcow2" "$guest_vm/forja-trixie-vm.meta.tar.xz" "$guests/"
fi
rm -f "$root/tmp/forja.deb" "$root/var/log/dpkg.log" "$root/var/log/alternatives.log"
rm -rf "$root"/var/log/apt/*

dpkg-query --admindir="$root/var/lib/dpkg" -W \
        -f='${Package}\t${Version}\t${Installed-Size}\n' >"$out/node-packages.tsv"
cp -al "$base/boot" "$out/boot" 2>/dev/null || cp -a "$base/boot" "$out/boot"

# The top-level names, sorted, as ./NAME: tar then recurses in name order.
names=$(cd "$root" && LC_ALL=C ls -A | LC_ALL=C sort | sed 's|^|./|')
# shellcheck disable=SC2086 # the names are single words made by ls above
tar --create --file=- --directory="$root" --sort=name --numeric-owner --format=pax \
        --pax-option='exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime' \
        --xattrs --xattrs-include='*' --acls $names |
        zstd -q -T0 "$level" -o "$out/node.tar.zst"
rm -rf "$root"
