#!/bin/sh
# The e2e join probe: the [first-boot] hook (ordering fully-up) of a node
# installed with [cluster] mode = "join". It waits for forja-join.service to
# finish, prints what the host test needs as "FORJA-PROBE key value" lines,
# then keeps the node up until the host has seen it Online: the host sets the
# cluster-wide server key user.forja-e2e-done, which reaching this node also
# shows the cluster database is shared. Then it powers off.
probe() { printf 'FORJA-PROBE %s %s\n' "$1" "$2"; }
oneline() { tr -d '\n' | tr -s ' '; }

echo FORJA-PROBE-BEGIN
i=0
while [ $i -lt 450 ]; do
        case $(systemctl is-active forja-join.service) in
        active | failed) break ;;
        esac
        sleep 2
        i=$((i + 1))
done
probe forja-join "$(systemctl is-active forja-join.service)"
probe join-log "$(journalctl -u forja-join.service -o cat --no-pager 2>&1 | tail -n 12 | tr '\n' '|')"
probe incus-deb "$(dpkg-query -W -f='${Version}' incus 2>&1)"
probe incus-api "$(incus query /1.0 2>&1 | oneline)"
probe status "$(forja join --status --json 2>&1 | oneline)"
probe members "$(incus cluster list -f csv 2>&1 | tr '\n' '|')"
probe pools "$(incus query /1.0/storage-pools?recursion=1 2>&1 | oneline)"
probe vmbr0 "$(ip -br addr show dev vmbr0 2>&1 | oneline)"
probe settings "$(stat -c %a /etc/forja/cluster.json 2>&1) tokens=$(grep -c '"token"' /etc/forja/cluster.json 2>&1)"
probe webhook-file "$(test -e /etc/forja/cluster-webhook.json && echo present || echo absent)"
echo FORJA-PROBE-END

i=0
while [ $i -lt 450 ] && [ "$(incus config get user.forja-e2e-done 2>/dev/null)" != true ]; do
        sleep 2
        i=$((i + 1))
done
probe host-done "$(incus config get user.forja-e2e-done 2>/dev/null)"
systemctl poweroff --no-block
