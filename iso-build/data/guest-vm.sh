#!/bin/sh
# mmdebstrap customize hook of the VM guest image (forja/trixie-vm): a GPT
# disk made without mounting anything (sfdisk on a file, mkfs.ext4 -d for the
# root, mtools for the ESP), compressed with qemu-img, plus the metadata
# tarball: Incus's split image format.
#   $1  the root   $2  the cache entry being built   $3  the data directory
# Writes $2/forja-trixie-vm.qcow2 and $2/forja-trixie-vm.meta.tar.xz.
#
# Boot chain (Secure Boot on, as Incus starts VMs by default): OVMF loads
# \EFI\BOOT\BOOTX64.EFI = shim signed by Microsoft, which loads grubx64.efi
# beside it = Debian's signed GRUB, whose built-in prefix is \EFI\debian: it
# reads grub.cfg there and loads Debian's signed kernel from the root.
set -eu
root=$1 out=$2 data=$3
. "$data/guest-common.sh"

guest_prepare "$root" 'en*'
# The initramfs of an Incus VM needs the virtio drivers for its root disk,
# not MODULES=most (27 MB): list them, udev loads them by modalias.
echo MODULES=list >"$root/etc/initramfs-tools/conf.d/forja-guest.conf"
cat >"$root/etc/initramfs-tools/hooks/forja-guest" <<'HOOK'
#!/bin/sh
[ "$1" = prereqs ] && exit 0
. /usr/share/initramfs-tools/hook-functions
manual_add_modules virtio_pci virtio_scsi virtio_blk sd_mod ext4 crc32c_generic
HOOK
chmod 0755 "$root/etc/initramfs-tools/hooks/forja-guest"
chroot "$root" update-initramfs -u -k all >/dev/null
kver=$(cd "$root/boot" && ls vmlinuz-* | sed 's/^vmlinuz-//' | sort -V | tail -n 1)
[ -n "$kver" ] && [ -e "$root/boot/initrd.img-$kver" ] || { echo "guest-vm.sh: no kernel or initrd in the root" >&2; exit 1; }
uuid=$(cat /proc/sys/kernel/random/uuid)
cat >"$root/etc/fstab" <<FSTAB
UUID=$uuid / ext4 errors=remount-ro 0 1
FSTAB
# GRUB is not managed inside the guest (no grub-efi-amd64 package): a kernel
# update there needs its own grub.cfg; this image is for checks and as a seed.
rm -rf "$root/boot/grub"

work=$out/vm
rm -rf "$work"
mkdir -p "$work/rootfs"
cat >"$work/grub.cfg" <<GRUB
set timeout=0
search --no-floppy --fs-uuid --set=root $uuid
linux /boot/vmlinuz-$kver root=UUID=$uuid ro console=tty0 console=ttyS0,115200n8 quiet
initrd /boot/initrd.img-$kver
boot
GRUB

# The root: its content plus 512 MiB free, in whole MiB. mkfs.ext4 -d copies
# a tree whole, so it gets a copy without the /proc and /sys mmdebstrap
# mounted for its hooks.
cp -ax "$root/." "$work/rootfs"
used=$(du -s -m "$work/rootfs" | cut -f1)
root_mib=$((used + used / 4 + 512))
esp_mib=63
truncate -s "${root_mib}M" "$work/root.img"
mkfs.ext4 -q -F -d "$work/rootfs" -U "$uuid" -L rootfs -E root_owner=0:0 "$work/root.img"

mkfs.vfat -n EFI -C "$work/esp.img" $((esp_mib * 1024)) >/dev/null
mmd -i "$work/esp.img" ::/EFI ::/EFI/BOOT ::/EFI/debian
mcopy -i "$work/esp.img" "$root/usr/lib/shim/shimx64.efi.signed" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$work/esp.img" "$root/usr/lib/shim/mmx64.efi.signed" ::/EFI/BOOT/mmx64.efi
mcopy -i "$work/esp.img" "$root/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed" ::/EFI/BOOT/grubx64.efi
mcopy -i "$work/esp.img" "$work/grub.cfg" ::/EFI/debian/grub.cfg

# 1 MiB for the GPT, the ESP, the root, 1 MiB for the backup GPT.
truncate -s $((1 + esp_mib + root_mib + 1))M "$work/disk.img"
sfdisk --quiet "$work/disk.img" <<PARTS
label: gpt
start=1MiB, size=${esp_mib}MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="EFI"
start=$((1 + esp_mib))MiB, size=${root_mib}MiB, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name="root"
PARTS
dd if="$work/esp.img" of="$work/disk.img" bs=1M seek=1 conv=notrunc,sparse status=none
dd if="$work/root.img" of="$work/disk.img" bs=1M seek=$((1 + esp_mib)) conv=notrunc,sparse status=none
qemu-img convert -c -O qcow2 "$work/disk.img" "$out/forja-trixie-vm.qcow2"

guest_metadata "$work/meta" virtual-machine
tar --create --file=- --numeric-owner --sort=name -C "$work/meta" metadata.yaml templates |
        xz -q -9 >"$out/forja-trixie-vm.meta.tar.xz"
rm -rf "$work"
