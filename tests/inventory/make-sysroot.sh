#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the probe fixture: a sysroot with sysfs, procfs, udev database and
# /dev entries for a made-up UEFI server, as hardware_probe() reads them.
#   make-sysroot.sh DIR
# Disks:  nvme0n1  NVMe SSD, blank, udev data
#         sda      SATA HDD (512/4096), GPT: vfat "EFI", ext4 "root", swap "swap0", unformatted; udev data
#         sdb      USB stick, dos table with ext4 "FORJA_INSTALL", mounted at /run/forja/medium; no udev data
#         sdc      SATA SSD whose /dev node is missing (contents unknown)
#         loop0    attached loop device (only with HW_PROBE_ALL_DISKS), loop1 unattached,
#         sr0, dm-0, zram0 (never listed by default)
# NICs:   eno1 (e1000e, carrier 1, udev data), enp3s0 (ixgbe, no carrier file, operstate down),
#         enp4s0 (ixgbe, no carrier file, operstate up), lo, vmbr0 (no device: virtual)
# The expected probe result is written by hand in sysroot-expected.json.
set -euo pipefail

root=${1:?usage: make-sysroot.sh DIR}
mkdir -p "$root"
cd "$root"

put() {         # put FILE CONTENT...: a one-line file
        mkdir -p "$(dirname "$1")"
        local f=$1; shift
        printf '%s\n' "$*" >"$f"
}

# block_disk NAME MAJ:MIN SECTORS LOGICAL PHYSICAL ROTATIONAL REMOVABLE DEVICEDIR
block_disk() {
        local name=$1 dev=$2 sectors=$3 lbs=$4 pbs=$5 rot=$6 rem=$7 devdir=$8
        local d=sys/devices/$devdir/block/$name
        mkdir -p "$d/queue" sys/block
        put "$d/dev" "$dev"
        put "$d/size" "$sectors"
        put "$d/removable" "$rem"
        put "$d/queue/logical_block_size" "$lbs"
        put "$d/queue/physical_block_size" "$pbs"
        put "$d/queue/rotational" "$rot"
        printf 'MAJOR=%s\nMINOR=%s\nDEVNAME=%s\nDEVTYPE=disk\n' "${dev%:*}" "${dev#*:}" "$name" >"$d/uevent"
        ln -sfnr "sys/devices/$devdir/block/$name" "sys/block/$name"
        ln -sfnr "sys/devices/$devdir" "$d/device"
}

# block_part DISK NAME PARTNO MAJ:MIN DEVICEDIR
block_part() {
        local disk=$1 name=$2 partno=$3 dev=$4 devdir=$5
        local d=sys/devices/$devdir/block/$disk/$name
        mkdir -p "$d"
        put "$d/partition" "$partno"
        put "$d/dev" "$dev"
        printf 'MAJOR=%s\nMINOR=%s\nDEVNAME=%s\nDEVTYPE=partition\nPARTN=%s\n' "${dev%:*}" "${dev#*:}" "$name" "$partno" >"$d/uevent"
}

# fs_at IMAGE START_SECTOR SIZE_SECTORS MKFS...: a filesystem made in a scratch file, copied in.
fs_at() {
        local img=$1 start=$2 size=$3; shift 3
        local part=$img.part
        rm -f "$part"
        truncate -s $((size * 512)) "$part"
        "$@" "$part" >/dev/null 2>&1 || { echo "make-sysroot: $* failed" >&2; exit 1; }
        dd if="$part" of="$img" bs=512 seek="$start" conv=notrunc status=none
        rm -f "$part"
}

mkdir -p dev proc/self run/udev/data run/forja sys/class/net sys/firmware/efi/efivars sys/class/dmi/id

# --- nvme0n1: blank NVMe SSD ---
nvme=pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0
block_disk nvme0n1 259:0 1953525168 512 512 0 0 "$nvme/nvme0n1"
# NVMe: block/nvme0n1/device is the controller, which carries model and serial.
ln -sfnr "sys/devices/$nvme" "sys/devices/$nvme/nvme0n1/block/nvme0n1/device"
put "sys/devices/$nvme/model" "Samsung SSD 980 PRO 1TB                 "
put "sys/devices/$nvme/serial" "S5GXNF0R123456A     "
# The kernel's disk sequence number (Linux 5.15+; the other disks have none).
put "sys/devices/$nvme/nvme0n1/block/nvme0n1/diskseq" "7"
truncate -s 4M dev/nvme0n1
cat >run/udev/data/b259:0 <<'UDEV'
S:disk/by-id/nvme-Samsung_SSD_980_PRO_1TB_S5GXNF0R123456A
S:disk/by-path/pci-0000:3d:00.0-nvme-1
I:1718000000
E:ID_SERIAL_SHORT=S5GXNF0R123456A
E:ID_WWN=eui.002538b111111111
E:ID_MODEL=Samsung_SSD_980_PRO_1TB
E:ID_SERIAL=Samsung_SSD_980_PRO_1TB_S5GXNF0R123456A
E:ID_PATH=pci-0000:3d:00.0-nvme-1
G:systemd
Q:systemd
V:1
UDEV

# --- sda: SATA HDD with a GPT ---
sata=pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0
block_disk sda 8:0 7814037168 512 4096 1 0 "$sata"
put "sys/devices/$sata/model" "ST4000NM0035-1V4 "
block_part sda sda1 1 8:1 "$sata"
block_part sda sda2 2 8:2 "$sata"
truncate -s 12M dev/sda
printf 'label: gpt\nstart=2048, size=4096, name=esp\nstart=6144, size=8192, name=root\nstart=14336, size=4096\nstart=18432, size=2048\n' |
        sfdisk -q dev/sda
fs_at dev/sda 2048 4096 mkfs.vfat -n EFI
fs_at dev/sda 6144 8192 mkfs.ext4 -q -F -L root
fs_at dev/sda 14336 4096 mkswap -L swap0
cat >run/udev/data/b8:0 <<'UDEV'
S:disk/by-id/ata-ST4000NM0035-1V4107_ZC1ABCDE
S:disk/by-path/pci-0000:00:17.0-ata-1
E:ID_ATA=1
E:ID_TYPE=disk
E:ID_BUS=ata
E:ID_MODEL=ST4000NM0035-1V4107
E:ID_SERIAL=ST4000NM0035-1V4107_ZC1ABCDE
E:ID_SERIAL_SHORT=ZC1ABCDE
E:ID_PART_TABLE_TYPE=gpt
E:ID_PATH=pci-0000:00:17.0-ata-1
UDEV

# --- sdb: the USB stick the installer booted from ---
usb=pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/host6/target6:0:0/6:0:0:0
block_disk sdb 8:16 30031872 512 512 0 1 "$usb"
put "sys/devices/$usb/model" "DataTraveler 3.0"
block_part sdb sdb1 1 8:17 "$usb"
truncate -s 8M dev/sdb
printf 'label: dos\nstart=2048, size=8192, type=83, bootable\n' | sfdisk -q dev/sdb
fs_at dev/sdb 2048 8192 mkfs.ext4 -q -F -L FORJA_INSTALL

# --- sdc: an SSD whose device node cannot be opened ---
ssd=pci0000:00/0000:00:17.0/ata2/host1/target1:0:0/1:0:0:0
block_disk sdc 8:32 937703088 512 512 0 0 "$ssd"
put "sys/devices/$ssd/model" "INTEL SSDSC2KB48"

# --- devices that are not installation targets ---
block_disk loop0 7:0 16384 512 512 0 0 virtual
truncate -s 8M dev/loop0
block_disk loop1 7:1 0 512 512 0 0 virtual
block_disk sr0 11:0 1000000 2048 2048 0 1 "pci0000:00/0000:00:17.0/ata3/host2/target2:0:0/2:0:0:0"
block_disk dm-0 253:0 20971520 512 512 0 0 virtual
block_disk zram0 252:0 8388608 4096 4096 0 0 virtual
# Virtual block devices have no device/ link.
rm sys/devices/virtual/block/*/device

# --- NICs ---
# net_if NAME IFINDEX MAC DEVICEDIR|- DRIVER|- CARRIER|- OPERSTATE
net_if() {
        local name=$1 idx=$2 mac=$3 devdir=$4 driver=$5 carrier=$6 oper=$7
        local base
        if [ "$devdir" = - ]; then base=sys/devices/virtual/net/$name; else base=sys/devices/$devdir/net/$name; fi
        mkdir -p "$base"
        put "$base/ifindex" "$idx"
        put "$base/address" "$mac"
        put "$base/operstate" "$oper"
        [ "$carrier" = - ] || put "$base/carrier" "$carrier"
        printf 'INTERFACE=%s\nIFINDEX=%s\n' "$name" "$idx" >"$base/uevent"
        ln -sfnr "$base" "sys/class/net/$name"
        if [ "$devdir" != - ]; then
                ln -sfnr "sys/devices/$devdir" "$base/device"
                mkdir -p "sys/bus/pci/drivers/$driver"
                ln -sfnr "sys/bus/pci/drivers/$driver" "sys/devices/$devdir/driver"
        fi
}
net_if lo 1 00:00:00:00:00:00 - - - unknown
net_if eno1 2 3C:EC:EF:12:34:56 pci0000:00/0000:00:1f.6 e1000e 1 up
net_if enp3s0 3 a0:36:9f:00:00:10 pci0000:00/0000:00:01.0/0000:03:00.0 ixgbe - down
net_if enp4s0 4 a0:36:9f:00:00:11 pci0000:00/0000:00:01.1/0000:04:00.0 ixgbe - up
net_if vmbr0 5 3c:ec:ef:12:34:56 - - 1 up
cat >run/udev/data/n2 <<'UDEV'
I:1718000000
E:ID_NET_NAMING_SCHEME=v252
E:ID_NET_NAME_MAC=enx3cecef123456
E:ID_NET_NAME_ONBOARD=eno1
E:ID_NET_NAME_PATH=enp0s31f6
E:ID_NET_DRIVER=e1000e
E:ID_VENDOR_FROM_DATABASE=Intel Corporation
G:systemd
V:1
UDEV

# --- firmware, memory, CPU, DMI, command line, mounts, DHCP ---
mkdir -p sys/firmware/efi/efivars
printf '\x06\x00\x00\x00\x01' >sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c
# a TPM 2.0 (tpm_crb)
mkdir -p sys/class/tpm/tpm0
echo 2 >sys/class/tpm/tpm0/tpm_version_major
cat >proc/meminfo <<'EOF2'
MemTotal:       65536000 kB
MemFree:        60000000 kB
MemAvailable:   62000000 kB
EOF2
for i in 0 1 2 3; do
        cat <<EOF2
processor	: $i
vendor_id	: AuthenticAMD
cpu family	: 25
model		: 33
model name	: AMD Ryzen 7 5800X 8-Core Processor
flags		: fpu vme de pse tsc msr pae mce cx8 apic sep syscall nx lm constant_tsc svm

EOF2
done >proc/cpuinfo
put proc/cmdline "BOOT_IMAGE=/boot/vmlinuz forja.mode=install quiet"
cat >proc/self/mountinfo <<'EOF2'
21 1 0:20 / / rw,relatime - overlay overlay rw,lowerdir=/run/live/rootfs
22 21 0:5 / /dev rw,nosuid - devtmpfs udev rw
30 21 8:17 / /run/forja/medium ro,relatime - ext4 /dev/sdb1 ro
31 21 8:2 / /mnt/with\040space rw,relatime - ext4 /dev/sda2 rw
EOF2
put sys/class/dmi/id/sys_vendor "Supermicro"
put sys/class/dmi/id/product_name "SYS-5019C-M"
put sys/class/dmi/id/product_serial "S123456X9"
put sys/class/dmi/id/product_uuid "00000000-0000-0000-0000-3cecef123456"
cat >run/forja/dhcp.json <<'EOF2'
{
  "nic": "eno1",
  "address": "192.168.10.23/24",
  "gateway": "192.168.10.1",
  "dns": ["192.168.10.1", "9.9.9.9"],
  "hostname": "pve-23",
  "domain": "lab.example"
}
EOF2
