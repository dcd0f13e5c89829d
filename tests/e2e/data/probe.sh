#!/bin/sh
# The e2e probe: the installed node's [first-boot] hook (ordering fully-up).
# It prints facts about the node on the console, one "FORJA-PROBE key value"
# line each (values are single-line JSON or plain words), then powers off.
# The test on the host compares them with the plan it asked for.
probe() { printf 'FORJA-PROBE %s %s\n' "$1" "$2"; }
oneline() { tr -d '\n' | tr -s ' '; }

echo FORJA-PROBE-BEGIN
probe hostname "$(hostname)"
probe fqdn "$(hostname -f 2>/dev/null || echo none)"
probe lsblk "$(lsblk -J -b -o NAME,TYPE,SIZE,FSTYPE,MOUNTPOINT,PARTTYPE 2>&1 | oneline)"
probe findmnt "$(findmnt -J -o TARGET,SOURCE,FSTYPE -R / 2>&1 | oneline)"
probe swaps "$(tail -n +2 /proc/swaps | awk '{print $1}' | tr '\n' ' ')"
probe addr "$(ip -j addr show dev vmbr0 2>&1 | oneline)"
probe bridge-ports "$(ls /sys/class/net/vmbr0/brif 2>/dev/null | tr '\n' ' ')"
probe hash-prefix "$(awk -F: '$1 == "root" { print substr($2, 1, 3) }' /etc/shadow)"
probe authorized-key "$(ssh-keygen -lf /root/.ssh/authorized_keys 2>&1 | awk '{print $2}')"
probe answer-mode "$(stat -c %a /etc/forja/answer.toml 2>&1)"
probe machine-id "$(cat /etc/machine-id)"
probe timezone "$(readlink /etc/localtime)"
# Incus comes up through forja-join.service (standalone): wait for it, bounded.
i=0
while [ $i -lt 120 ] && ! systemctl is-active -q forja-join.service; do sleep 2; i=$((i + 1)); done
probe forja-join "$(systemctl is-active forja-join.service)"
probe incus "$(incus query /1.0 2>&1 | oneline)"
probe incus-pools "$(incus query /1.0/storage-pools?recursion=1 2>&1 | oneline)"
probe check "$(forja check --json 2>&1 | oneline)"
echo FORJA-PROBE-END
systemctl poweroff --no-block
