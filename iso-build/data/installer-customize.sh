#!/bin/sh
# mmdebstrap --customize-hook that turns the installer userland into a kernel
# and an initramfs.
#   $1  the userland root   $2  the cache entry being built   $3  iso-build data dir
# Writes $2/vmlinuz and $2/initrd.img (newc cpio, zstd): the base of the
# installer environment, everything but forja. Runs on the build host
# as root. The tree is thrown away afterwards (mmdebstrap target /dev/null).
set -eu
root=$1 out=$2 data=$3

kver=$(ls "$root/usr/lib/modules" | head -n 1)
[ -n "$kver" ] || { echo "installer-customize: no kernel modules in the image" >&2; exit 1; }
cp "$root/boot/vmlinuz-$kver" "$out/vmlinuz"
rm -rf "$root"/boot/*

# Kernel modules an installer never loads (sound, graphics beyond the
# firmware framebuffer, cameras, radios, industrial I/O...). Everything for
# disks, file systems, USB, input and wired Ethernet stays.
k=$root/usr/lib/modules/$kver/kernel
for d in sound drivers/gpu drivers/media drivers/net/wireless drivers/bluetooth \
         drivers/staging drivers/infiniband drivers/iio drivers/isdn drivers/input/touchscreen \
         drivers/input/joystick drivers/input/tablet drivers/input/misc drivers/hwmon \
         drivers/net/can drivers/mtd drivers/w1 drivers/nfc drivers/gnss drivers/comedi \
         drivers/net/usb drivers/net/ieee802154 drivers/usb/serial drivers/usb/gadget \
         drivers/platform/x86 drivers/watchdog drivers/spi drivers/leds \
         net/bluetooth net/mac80211 net/wireless net/can net/nfc net/ieee802154 net/sunrpc \
         fs/ocfs2 fs/gfs2 fs/nfs fs/nfsd fs/ceph fs/smb fs/afs fs/coda fs/orangefs fs/ubifs fs/jffs2; do
        rm -rf "${k:?}/$d"
done
chroot "$root" depmod -a "$kver"

# xfsprogs depends on Python (xfs_scrub_all) and ICU (xfs_scrub): ~70 MB that
# mkfs.xfs does not use. Their files are deleted without running maintainer
# scripts (which need Python); the initramfs is never upgraded, so the stale
# dpkg records are harmless.
for p in python3-dbus python3 python3-minimal python3.13 python3.13-minimal \
         libpython3.13-minimal libpython3.13-stdlib libicu76; do
        dpkg-query --admindir="$root/var/lib/dpkg" -L "$p" 2>/dev/null || true
done | while read -r f; do
        if [ -L "$root$f" ] || [ -f "$root$f" ]; then
                rm -f "$root$f"
        fi
done
rm -f "$root"/usr/sbin/xfs_scrub "$root"/usr/sbin/xfs_scrub_all
# udev reads the compiled hwdb.bin; its sources are not needed.
rm -rf "$root/usr/lib/udev/hwdb.d"

# /init, the network scripts and forja itself come in the forja layer
# (data/installer-layer.sh), a second cpio appended to this one.

rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/log/* \
       "$root"/usr/share/doc "$root"/usr/share/man "$root"/usr/share/locale \
       "$root"/usr/share/i18n "$root"/usr/share/zoneinfo "$root"/usr/lib/firmware
mkdir -p "$root/run" "$root/tmp" "$root/proc" "$root/sys" "$root/dev"

# The cpio: mount points are kept empty (mmdebstrap has proc, sys and dev
# mounted while hooks run).
cd "$root"
find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev \) -prune -print -o -print |
        LC_ALL=C sort |
        cpio --quiet -o -H newc |
        zstd -q -T0 -15 >"$out/initrd.img"
