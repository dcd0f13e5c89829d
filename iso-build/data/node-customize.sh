#!/bin/sh
# mmdebstrap --customize-hook for the forja node image.
#   $1  the image root   $2  the cache entry being built   $3  iso-build data dir
# Runs on the build host as root, after every package is installed and before
# mmdebstrap packs the tarball. It
#  - records the installed packages for the manifest (node-packages.tsv),
#  - exports the boot files of the ISO from the image's own packages, so the
#    ISO boots with exactly the GRUB and shim the node gets,
#  - removes what must be unique per node (the engine makes them anew).
set -eu
root=$1 out=$2 data=$3

dpkg-query --admindir="$root/var/lib/dpkg" -W \
        -f='${Package}\t${Version}\t${Installed-Size}\n' >"$out/node-packages.tsv"

# Boot files for the ISO. shim (signed by Microsoft) loads grubx64.efi from
# its own directory: Debian's signed GRUB for CD/USB media (gcdx64), which
# finds the medium by /.disk/info and reads /boot/grub/grub.cfg.
boot=$out/boot
mkdir -p "$boot"
cp "$root/usr/lib/shim/shimx64.efi.signed" "$boot/bootx64.efi"
cp "$root/usr/lib/shim/mmx64.efi.signed" "$boot/mmx64.efi"
cp "$root/usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed" "$boot/grubx64.efi"
# UEFI network boot (PXE artifacts): Debian's signed GRUB for TFTP/HTTP boot,
# which reads grub/grub.cfg from the server it was loaded from.
cp "$root/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed" "$boot/grubnetx64.efi"
cp "$root/usr/lib/grub/i386-pc/boot_hybrid.img" "$boot/boot_hybrid.img"
# BIOS: an El Torito core image with every module the menu needs built in.
cp "$data/grub-bios-early.cfg" "$root/tmp/forja-early.cfg"
chroot "$root" grub-mkimage -O i386-pc-eltorito -p /boot/grub -c /tmp/forja-early.cfg \
        -o /tmp/forja-eltorito.img \
        biosdisk iso9660 part_msdos part_gpt search search_fs_file configfile normal \
        linux echo test serial terminal sleep ls cat halt reboot minicmd gzio
mv "$root/tmp/forja-eltorito.img" "$boot/eltorito.img"
rm -f "$root/tmp/forja-early.cfg"

# grub-pc and grub-efi-amd64 conflict, so neither is installed; their .debs
# (metapackages: the -bin packages they need are installed) wait in
# /var/lib/forja/debs for the engine to dpkg -i the one for the target's
# firmware, so the loader is kept up to date by later upgrades. Downloaded
# while mmdebstrap's package lists are still there.
mkdir -p "$root/var/lib/forja/debs"
chroot "$root" sh -c 'cd /var/lib/forja/debs && apt-get download -q grub-pc grub-efi-amd64' >/dev/null

# Per-node identity: regenerated on the target (docs/iso-build.md).
rm -f "$root"/etc/ssh/ssh_host_*
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
rm -rf "$root"/var/cache/apt/*.bin "$root"/var/log/apt/* "$root"/var/log/dpkg.log "$root"/var/log/alternatives.log
