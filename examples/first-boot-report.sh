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
forja check --guests --vm-timeout 600 >/run/forja-guests.txt 2>/dev/null
rc=$?
sed 's/^/guests: /' /run/forja-guests.txt
echo "forja check --guests: exit $rc"
echo "FORJA-REPORT-END"
systemctl poweroff --no-block
