#!/bin/sh
# A first-boot hook for the quick start: once the node is fully up, it prints
# its hardware check verdict, the state of Incus and the verdict of
# `forja check --guests` (a container and a VM from the built-in images, with
# their start times) on the console, then powers the node off. Use with [first-boot] source = "from-iso" and
# `forja iso prepare --on-first-boot examples/first-boot-report.sh`.
i=0
while [ $i -lt 120 ] && ! systemctl is-active -q forja-join.service; do sleep 2; i=$((i + 1)); done
echo "FORJA-REPORT-BEGIN"
echo "node: $(hostname -f) ($(ip -4 -br addr show dev vmbr0 | awk '{print $3}'))"
forja check -q
echo "forja check: exit $?"
echo "incus: $(incus query /1.0 2>/dev/null | sed -n 's/.*"server_version": "\([^"]*\)".*/version \1/p' | head -n1), forja-join.service $(systemctl is-active forja-join.service)"
incus storage list -f csv 2>/dev/null | sed 's/^/incus storage: /'
# Last, the guests (the check's progress lines on stderr stay off the report).
# A node that QEMU emulates without KVM (systemd-detect-virt says "qemu", not
# "kvm") sees an emulated AMD-V: a VM there with Incus's UEFI firmware makes
# the outer QEMU abort (docs/nested-vms.md), so its test VM runs under TCG
# inside the node, which boots far too slowly to answer in time: the verdict
# then says the VM did not answer, and why.
set --
if [ "$(systemd-detect-virt 2>/dev/null)" = qemu ]; then
        echo "guests: this node runs in QEMU without KVM: its VMs run emulated (TCG), too slow to boot to their agent here"
        set -- --vm-timeout 120 --vm-config 'raw.qemu.conf=[machine]
accel = "tcg"' --vm-config 'raw.qemu=-cpu max'
fi
forja check --guests "$@" >/run/forja-guests.txt 2>/dev/null
rc=$?
sed 's/^/guests: /' /run/forja-guests.txt
echo "forja check --guests: exit $rc"
echo "FORJA-REPORT-END"
systemctl poweroff --no-block
