#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e, security review item 2: an answer URL that a DHCP server offers does
# not turn an interactive boot into an unattended install.
#
#   198.18.103.0/24, only inside the test's network namespace $P-net:
#   br0 .1     dnsmasq (DHCP only) offering option 250, the URL of a plain
#              http answer server (tests/lib/http-test-server.py) whose
#              answer is valid and selects vda: followed, it would wipe it
#   the node   QEMU on a tap enslaved to br0, one raw disk with data on it
#
# 1. The stock ISO: the installer's DHCP client gets option 250, forja
#    ignores it (FORJA-DISCOVERY-OFF), and the boot ends in the interactive
#    installer (FORJA-INSTALLER-READY; forja.test=poweroff then powers off).
# 2. An ISO prepared --fetch-from http (discovery enabled): the discovered
#    answer is announced with a countdown; a key on the serial console stops
#    it (FORJA-COUNTDOWN-ABORTED) and the boot ends in the interactive
#    installer as well.
# The answer server gets no request in boot 1, and the disk is byte-identical
# after both boots.
. "$TESTS_LIB/testlib.sh"
. "$(dirname "$0")/e2e-lib.sh"

e2e_require
require_cmd ip dnsmasq qemu-img
[ -c /dev/net/tun ] || skip "needs /dev/net/tun for the node's tap"
e2e_build_iso

work=$E2E_DIR/discovery-off
rm -rf "$work"
mkdir -p "$work/http"
P=fjo$$
NET=198.18.103
SRV=$NET.1
MAC=52:54:00:f0:4a:03
e2e_ns_begin

e2e_dhcp_ns "$P" "$NET"
e2e_answer_server "$P" "$SRV" "$work"
URL=http://$SRV:$PORT/answer
cat >"$work/http/answer" <<'TOML'
[global]
keyboard = "en-us"
country = "us"
fqdn = "rogue.forja.test"
mailto = "root@forja.test"
timezone = "UTC"
root-password = "rogue-dhcp-answer"
reboot-mode = "power-off"

[network]
source = "from-dhcp"

[disk-setup]
filesystem = "ext4"
disk-list = ["vda"]
TOML
"$FORJA" answer validate "$work/http/answer" >/dev/null || fail "the test's answer is invalid"
: >"$work/http.log"
e2e_dnsmasq "$P" "$NET" "$work" "dhcp-option=250,\"$URL\""

# A disk with data where an install would write: the partition table area,
# the middle and the end.
truncate -s 8G "$work/disk.raw"
for off in 0 4096 8191; do
        head -c 1048576 /dev/urandom | dd of="$work/disk.raw" bs=1M seek="$off" conv=notrunc status=none
done
before=$(python3 "$E2E_HERE/disk-digest.py" "$work/disk.raw" | cut -d' ' -f1)

boot() {   # NAME ISO HARNESS-ARGS...
        local name=$1 iso=$2
        shift 2
        SERIAL_LOG=$E2E_DIR/$name.serial.log
        local t0=$SECONDS rc
        ip netns exec "$P-net" python3 "$HARNESS" --serial-log "$SERIAL_LOG" --iso "$iso" --firmware bios \
                --disk "$work/disk.raw" --tap "${P}tap" --mac "$MAC" --memory 1024 --timeout 900 \
                --expect "^FORJA-NET iface=.* source=dhcp address=${NET//./\\.}\\.[0-9]+/24" \
                --fail '^FORJA-UNATTENDED' --fail '^FORJA-INSTALL-START' --fail '^FORJA-STAGE' "$@" --wait-exit &
        HPID=$!
        if wait "$HPID"; then rc=0; else rc=$?; fi
        HPID=
        [ "$rc" = 0 ] || fail "$name: the boot did not end in the interactive installer (serial log $SERIAL_LOG)"
        echo "e2e discovery-off: $name took $((SECONDS - t0)) s (QEMU wall time, TCG)"
}

# 1. The stock ISO ignores option 250.
boot discovery-off-stock "$E2E_ISO" --fw-cmdline forja.test=poweroff \
        --expect '^FORJA-DISCOVERY-OFF DHCP option 250 on [a-z0-9]+ ignored' \
        --expect '^FORJA-INSTALLER-READY' --expect '^FORJA-POWEROFF' --fail '^FORJA-COUNTDOWN'
[ ! -s "$work/http.log" ] || fail "the stock ISO asked the DHCP-offered answer server: $(cat "$work/http.log")"

# 2. A medium prepared for discovery: a key stops the countdown.
expect_exit 0 "$FORJA" iso prepare --fetch-from http --in "$E2E_ISO" -o "$work/discovery.iso"
boot discovery-off-key "$work/discovery.iso" --fw-cmdline "forja.test=poweroff forja.fetch-countdown=120" \
        --expect '^FORJA-COUNTDOWN seconds=120' \
        --send 'Press any key for the interactive installer=x' \
        --expect '^FORJA-COUNTDOWN-ABORTED' \
        --expect '^FORJA-INSTALLER-READY' --expect '^FORJA-POWEROFF'

after=$(python3 "$E2E_HERE/disk-digest.py" "$work/disk.raw" | cut -d' ' -f1)
[ "$before" = "$after" ] || fail "the disk changed: $before before, $after after"
! grep -qaF rogue-dhcp-answer "$E2E_DIR"/discovery-off-*.serial.log || fail "the answer's root password reached the console"
e2e_drop_images "$work"
echo "e2e discovery-off: all checks passed"
