#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e (b), Proxmox-style answer discovery: an ISO prepared with
# `forja iso prepare --fetch-from http` (no --url: DHCP/DNS discovery, as in
# Proxmox; nothing on the kernel command line) finds its answer through DHCP,
# counts down on the consoles (forja.fetch-countdown=3 through fw_cfg) and
# installs. (The stock ISO ignores the same offer: test-discovery-off.sh.)
#
#   198.18.102.0/24, only inside the test's network namespace $P-net:
#   br0 .1     dnsmasq (DHCP only) offering option 250, the answer URL
#              https://198.18.102.1:PORT/answer, and option 251, the SHA-256
#              fingerprint of the answer server's self-signed certificate;
#              the answer server (tests/lib/http-test-server.py --tls)
#   the node   QEMU on a tap enslaved to br0, SMBIOS serial and UUID set
#
# The installer's DHCP client keeps options 250/251 (iso-build/data/net-up.sh),
# forja POSTs the Proxmox system-info to the URL (the certificate pinned by
# 251), the server answers with the TOML answer, and the install runs
# unattended to the end; its post-installation webhook goes to the same
# server, pinned too. The test then checks the POSTed system-info (product,
# iso, dmi with the SMBIOS serial/uuid, network_interfaces with the NIC's MAC,
# forja's hardware key) and the succeeded webhook body.
. "$TESTS_LIB/testlib.sh"
. "$(dirname "$0")/e2e-lib.sh"

e2e_require
require_cmd ip dnsmasq openssl qemu-img
[ -c /dev/net/tun ] || skip "needs /dev/net/tun for the node's tap"
e2e_build_iso

work=$E2E_DIR/discovery
rm -rf "$work"
mkdir -p "$work/http"
P=fjd$$
NET=198.18.102
SRV=$NET.1
MAC=52:54:00:f0:4a:02
TAP=${P}tap
SERIAL=21-FJ-DISC-0001
UUID=5c1d7e2a-0b3f-4e8a-9d61-2f4b7c9e1a03
e2e_ns_begin

e2e_dhcp_ns "$P" "$NET"

# The answer server: https with a certificate of its own, pinned by option 251.
e2e_tls_cert "$work" "$SRV"
e2e_answer_server "$P" "$SRV" "$work" --tls "$work/cert.pem" "$work/key.pem"
URL=https://$SRV:$PORT

password="e2e-$RANDOM-$RANDOM-secret"
cat >"$work/http/answer" <<TOML
[global]
keyboard = "en-us"
country = "us"
fqdn = "discovered.forja.test"
mailto = "root@forja.test"
timezone = "UTC"
root-password = "$password"
reboot-mode = "power-off"

[network]
source = "from-dhcp"

[disk-setup]
filesystem = "ext4"
disk-list = ["vda"]

[post-installation-webhook]
url = "$URL/webhook"
cert-fingerprint = "$FP"
TOML
"$FORJA" answer validate "$work/http/answer" >/dev/null || fail "the test's answer is invalid"
: >"$work/http/webhook"         # POSTs to /webhook are answered 200

# DHCP: options 250 and 251 as text.
e2e_dnsmasq "$P" "$NET" "$work" "dhcp-option=250,\"$URL/answer\"" "dhcp-option=251,\"$FP\""

# The medium enables network discovery.
expect_exit 0 "$FORJA" iso prepare --fetch-from http --in "$E2E_ISO" -o "$work/discovery.iso"

qemu-img create -q -f qcow2 "$work/node.qcow2" 16G
t0=$SECONDS
ip netns exec "$P-net" python3 "$HARNESS" --serial-log "$E2E_DIR/discovery.serial.log" --iso "$work/discovery.iso" \
        --firmware bios --disk "$work/node.qcow2" --tap "$TAP" --mac "$MAC" --memory 1536 --timeout 1800 \
        --smbios "type=1,manufacturer=forja-e2e,product=discovery-node,serial=$SERIAL,uuid=$UUID" \
        --fw-cmdline forja.fetch-countdown=3 \
        --expect "^FORJA-NET iface=.* source=dhcp address=${NET//./\\.}\\.[0-9]+/24" \
        --expect '^FORJA-COUNTDOWN seconds=3' --expect 'Unattended install starts in 1 s' --expect '^FORJA-COUNTDOWN-END' \
        --expect "^FORJA-UNATTENDED answer=${URL//./\\.}/answer" \
        --expect '^FORJA-INSTALL-START' --expect '^FORJA-INSTALL-OK' \
        --fail '^FORJA-INSTALL-FAILED' --fail '^FORJA-INSTALLER-READY' --fail '^FORJA-ANSWER-FAILED' --fail '^FORJA-COUNTDOWN-ABORTED' --wait-exit &
HPID=$!
if wait "$HPID"; then rc=0; else rc=$?; fi
HPID=
[ "$rc" = 0 ] || fail "the discovered install failed (serial log $E2E_DIR/discovery.serial.log)"
echo "e2e discovery: installed in $((SECONDS - t0)) s (QEMU wall time, ISO boot included)"
! grep -qaF "$password" "$E2E_DIR/discovery.serial.log" || fail "the root password appeared on the serial console"
grep -a 'DHCP\(OFFER\|ACK\)\|vendor class\|requested options' "$work/dnsmasq.log" | head -n 4 || true

python3 - "$work/http.log" "$MAC" "$SERIAL" "$UUID" "$NET" "$password" <<'PY' || fail "the answer server's requests are not the expected ones"
import json, sys
log, mac, serial, uuid, net, password = sys.argv[1:]
reqs = [json.loads(l) for l in open(log)]
errors = []
def want(cond, what):
    if not cond:
        errors.append(what)

posts = [r for r in reqs if r["method"] == "POST" and r["path"] == "/answer"]
print(f"answer server: {len(reqs)} requests: " + ", ".join(f"{r['method']} {r['path']}" for r in reqs))
want(len(posts) >= 1, "no POST of the system info to /answer")
for r in reqs:
    want(password not in json.dumps(r), f"the root password was sent in {r['method']} {r['path']}")
if posts:
    info = json.loads(posts[0]["body"])
    print(f"system-info POST ({len(posts[0]['body'])} bytes), keys {sorted(info)}: {posts[0]['body'][:400]}...")
    want(len(posts) == 1, f"{len(posts)} POSTs of the system info, expected 1")
    # Proxmox's system-info fields, as proxmox-fetch-answer sends them.
    want(info.get("product", {}).get("product") == "pve" and info["product"].get("fullname", "").startswith("forja "), f"product {info.get('product')}")
    want({"release", "isorelease"} <= set(info.get("iso", {})), f"iso {info.get('iso')}")
    system = info.get("dmi", {}).get("system", {})
    want(system.get("serial") == serial, f"dmi.system.serial {system.get('serial')!r}, SMBIOS gave {serial!r}")
    want(system.get("uuid", "").lower() == uuid, f"dmi.system.uuid {system.get('uuid')!r}, SMBIOS gave {uuid!r}")
    want(system.get("name") == "discovery-node", f"dmi.system.name {system.get('name')!r}")
    nics = info.get("network_interfaces", [])
    want(any(n.get("mac") == mac and n.get("link") and n.get("carrier") is True for n in nics),
         f"network_interfaces {nics} has no {mac} with a link name and carrier")
    # forja's hardware JSON under its own key.
    hw = info.get("forja", {})
    want(any(n.get("mac") == mac for n in hw.get("nics", [])), f"forja.nics {hw.get('nics')}")
    want(any(d.get("name") == "vda" and d.get("size") == 16 << 30 for d in hw.get("disks", [])),
         f"forja.disks {[(d.get('name'), d.get('size')) for d in hw.get('disks', [])]}")
    want(hw.get("dmi", {}).get("system_serial") == serial, f"forja.dmi {hw.get('dmi')}")
    want((hw.get("dhcp") or {}).get("address", "").startswith(net + "."), f"forja.dhcp {hw.get('dhcp')}")

hooks = {}
for r in reqs:
    if r["method"] == "POST" and r["path"] == "/webhook":
        body = json.loads(r["body"])
        hooks.setdefault(body.get("forja", {}).get("event"), body)
print("webhook events:", sorted(hooks))
ok = hooks.get("succeeded")
want(ok is not None, "no succeeded webhook")
if ok:
    print(f"webhook succeeded: {json.dumps(ok)[:300]}...")
    want(ok.get("fqdn") == "discovered.forja.test", f"webhook fqdn {ok.get('fqdn')}")
    want(ok.get("dmi", {}).get("system", {}).get("serial") == serial, f"webhook dmi {ok.get('dmi')}")
    want(any(n.get("mac") == mac and n.get("is-management") for n in ok.get("network-interfaces", [])),
         f"webhook network-interfaces {ok.get('network-interfaces')}")
for e in errors:
    print("mismatch:", e)
sys.exit(1 if errors else 0)
PY
e2e_drop_images "$work"
echo "e2e discovery: all checks passed"
