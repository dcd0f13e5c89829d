#!/bin/sh
# The forja layer of the installer environment: the forja .deb's files,
# /init and the network scripts as a second newc cpio (zstd), appended to the
# base's initramfs. The kernel unpacks the archives of an initramfs one after
# the other into the same root, so the layer lands over the base.
#   $1  the base cache entry   $2  the entry being built   $3  the forja .deb
#   $4  iso-build data dir
# Runs on the build host as root; writes $2/vmlinuz and $2/initrd.img.
set -eu
base=$1 out=$2 deb=$3 data=$4
layer=$out/layer

rm -rf "$layer"
mkdir -m 0755 "$layer"
dpkg-deb --extract "$deb" "$layer"
rm -rf "$layer/usr/share/doc" "$layer/usr/share/man"
install -m 0755 "$data/init" "$layer/init"
install -D -m 0755 "$data/net-up.sh" "$layer/usr/lib/forja/net-up"
install -D -m 0755 "$data/udhcpc.script" "$layer/usr/lib/forja/udhcpc.script"

cp -l "$base/vmlinuz" "$out/vmlinuz" 2>/dev/null || cp "$base/vmlinuz" "$out/vmlinuz"
cp "$base/initrd.img" "$out/initrd.img"
# No "." entry: the root of the base keeps its mode.
(cd "$layer" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) |
        zstd -q -T0 -15 >>"$out/initrd.img"
rm -rf "$layer"
