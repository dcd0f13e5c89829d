#!/bin/sh
# mmdebstrap --customize-hook of `forja iso build --with-zfs`: packs the ZFS
# modules that zfs-dkms built in the chroot for the image kernel as a binary
# .deb, so the node image and the installer get them without a compiler.
#   $1  the chroot   $2  the cache entry being built   $3  iso-build data dir
# Writes $2/zfs-modules.deb: package forja-zfs-modules-KVER, providing
# zfs-modules (what zfs-initramfs depends on), with the modules in
# /usr/lib/modules/KVER/updates/zfs; and $2/zfs-modules.txt (kernel and zfs
# versions). The chroot itself is thrown away (mmdebstrap target /dev/null).
set -eu
root=$1 out=$2

kver=$(ls "$root/usr/lib/modules" | head -n 1)
[ -n "$kver" ] || { echo "zfs-modules: no kernel in the chroot" >&2; exit 1; }
built=$root/usr/lib/modules/$kver/updates/dkms
if ! ls "$built"/zfs.ko* >/dev/null 2>&1; then
        echo "zfs-modules: zfs-dkms built no zfs module for $kver; its build log:" >&2
        tail -n 40 "$root"/var/lib/dkms/zfs/*/build/make.log >&2 2>/dev/null || true
        exit 1
fi
zver=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Version}' zfs-dkms)
kpkg=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Version}' "linux-image-$kver")

pkg=$out/pkg
mkdir -p "$pkg/DEBIAN" "$pkg/usr/lib/modules/$kver/updates/zfs"
cp "$built"/*.ko* "$pkg/usr/lib/modules/$kver/updates/zfs/"
cat >"$pkg/DEBIAN/control" <<CONTROL
Package: forja-zfs-modules-$kver
Version: $zver
Architecture: amd64
Maintainer: forja developers <forja@localhost>
Depends: linux-image-$kver (= $kpkg) | linux-image-$kver-unsigned (= $kpkg)
Provides: zfs-modules (= ${zver%%-*})
Section: contrib/kernel
Priority: optional
Description: ZFS kernel modules for Linux $kver
 Built by forja iso build --with-zfs with zfs-dkms $zver from Debian's
 contrib for the kernel of forja's node image and installer.
CONTROL
cat >"$pkg/DEBIAN/postinst" <<POSTINST
#!/bin/sh
set -e
if [ "\$1" = configure ] && command -v depmod >/dev/null; then
        depmod -a $kver
fi
POSTINST
chmod 0755 "$pkg/DEBIAN/postinst"
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$out/zfs-modules.deb" >/dev/null
rm -rf "$pkg"
printf 'kernel %s\nlinux-image %s\nzfs-dkms %s\n' "$kver" "$kpkg" "$zver" >"$out/zfs-modules.txt"
echo "zfs-modules: built forja-zfs-modules-$kver $zver ($(du -k "$out/zfs-modules.deb" | cut -f1) KiB)"
