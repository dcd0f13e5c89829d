#!/bin/sh
# The first-boot hook (ordering fully-up) of the nodes of test-node-move.sh,
# installed with [cluster] mode = "join". It waits for forja-join.service,
# prints what the host test needs as "FORJA-PROBE key value" lines; on the
# node named fjmove1 it first imports the node's built-in guest images
# (forja join imports them only on a standalone or bootstrap member; these
# nodes join the host's cluster). Then it keeps the node up until the host
# sets the cluster-wide key user.forja-e2e-off-<this node>, and powers off.
probe() { printf 'FORJA-PROBE %s %s\n' "$1" "$2"; }
oneline() { tr -d '\n' | tr -s ' '; }
name=$(hostname)

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
probe kvm "$(test -c /dev/kvm && echo present || echo absent)"
if [ "$name" = fjmove1 ]; then
        d=/var/lib/forja/guest-images
        t0=$(date +%s)
        incus image import "$d/forja-trixie.tar.zst" --alias forja/trixie >/run/move-import.log 2>&1 &&
                incus image import "$d/forja-trixie-vm.meta.tar.xz" "$d/forja-trixie-vm.qcow2" --alias forja/trixie-vm \
                        >>/run/move-import.log 2>&1
        probe images-import "$? $(($(date +%s) - t0)) s $(tail -n 3 /run/move-import.log | oneline)"
        probe images "$(incus image list -f csv -c lt 2>&1 | tr '\n' '|')"
fi
echo FORJA-PROBE-END

i=0
while [ $i -lt 2700 ] && [ "$(incus config get "user.forja-e2e-off-$name" 2>/dev/null)" != true ]; do
        sleep 2
        i=$((i + 1))
done
probe power-off "$(incus config get "user.forja-e2e-off-$name" 2>/dev/null)"
systemctl poweroff --no-block
