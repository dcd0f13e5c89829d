#!/bin/sh
# Sourced by guest-container.sh and guest-vm.sh: what both guest images share.
#   guest_prepare ROOT IFACE_GLOB  the root for a first start by Incus: DHCP
#                                  on IFACE_GLOB with systemd-networkd, an
#                                  empty machine-id, no apt lists or caches
#   guest_metadata DIR TYPE DESC   DIR/metadata.yaml and DIR/templates/ in
#                                  Incus's image format

guest_prepare() {
        r=$1
        mkdir -p "$r/etc/systemd/network"
        cat >"$r/etc/systemd/network/20-forja-dhcp.network" <<NET
[Match]
Name=$2

[Network]
DHCP=yes
NET
        chroot "$r" systemctl enable systemd-networkd.service >/dev/null 2>&1
        # systemd-resolved is not installed: the lease's DNS servers are
        # not written anywhere, and an offline node has none to offer.
        : >"$r/etc/machine-id"
        rm -f "$r/var/lib/dbus/machine-id"
        rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin "$r"/var/cache/apt/archives/*.deb
        rm -f "$r/var/log/dpkg.log" "$r/var/log/alternatives.log"
        rm -rf "$r"/var/log/apt/*
        echo localhost >"$r/etc/hostname"
}

guest_metadata() {
        d=$1
        mkdir -p "$d/templates"
        cat >"$d/metadata.yaml" <<META
architecture: x86_64
creation_date: ${SOURCE_DATE_EPOCH:-$(date +%s)}
properties:
  architecture: amd64
  description: Debian trixie ($2, forja built-in)
  os: Debian
  release: trixie
  type: $2
  variant: forja
  serial: "$(date -u +%Y%m%d)"
templates:
  /etc/hostname:
    when:
      - create
      - copy
    template: hostname.tpl
META
        echo '{{ instance.name }}' >"$d/templates/hostname.tpl"
}
