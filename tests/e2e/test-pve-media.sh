#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e, full tier: the two answer media of Proxmox's prepare-iso that forja
# completes (issue 21), two installs in two boots:
#
# (a) an ISO prepared with `forja iso prepare --fetch-from http` without --url,
#     with a token and a certificate pin baked in, finds its answer server by
#     DHCP option 250 (dnsmasq in the test's namespace, no option 251: the pin
#     is the medium's) and talks to it as to Proxmox Datacenter Manager: POST
#     /api2/json/auto-install/answer with "Authorization: Bearer ID:SECRET" and
#     a body with exactly PDM's fields (tests/lib/pdm-fields.py against
#     tests/answers/data/pdm-protocol.fields); the answer's
#     post-installation-webhook is PDM's
#     /api2/json/auto-install/installations/UUID/post-hook with an auth-token,
#     and the post-hook arrives with that token in its body (PDM's fields, no
#     Authorization header). A second disk labelled proxmox-ais with another
#     answer is attached too: this medium was not prepared --fetch-from
#     partition, so it must not be read (the installed host name tells).
# (b) an ISO prepared with `--fetch-from partition` (default label
#     proxmox-ais) installs from that second disk, whose GPT partition holds
#     an ext4 labelled proxmox-ais with answer.toml; no network at all.
#
#   198.18.103.0/24, only inside the namespace $P-net: br0 .1 runs dnsmasq and
#   the answer server (tests/lib/http-test-server.py --tls, which logs every
#   request with its headers; the checks are made on that log); the node is
#   QEMU on a tap on br0.
. "$TESTS_LIB/testlib.sh"
. "$(dirname "$0")/e2e-lib.sh"

e2e_require
require_cmd ip dnsmasq openssl qemu-img sfdisk mkfs.ext4
[ -c /dev/net/tun ] || skip "needs /dev/net/tun for the node's tap"
e2e_build_iso

work=$E2E_DIR/pve-media
rm -rf "$work"
mkdir -p "$work/ais"
P=fjm$$
NET=198.18.103
SRV=$NET.1
MAC=52:54:00:f0:4a:21
TAP=${P}tap
INSTALL_UUID=7f0c2b1e-5d4a-4c3b-9e8f-21a0b0c0d0e1
HOOK=/api2/json/auto-install/installations/$INSTALL_UUID/post-hook
mkdir -p "$work/http/api2/json/auto-install/installations/$INSTALL_UUID"
e2e_ns_begin

e2e_dhcp_ns "$P" "$NET"
e2e_tls_cert "$work" "$SRV"
e2e_answer_server "$P" "$SRV" "$work" --tls "$work/cert.pem" "$work/key.pem"
URL=https://$SRV:$PORT
TOKEN_ID='forja-e2e@pdm!installer'
TOKEN_SECRET="tok-$RANDOM$RANDOM-secret"
HOOK_TOKEN="hook-$RANDOM$RANDOM-token"
password="e2e-$RANDOM-$RANDOM-secret"

answer() {      # answer FQDN [WEBHOOK-LINES]
        cat <<TOML
[global]
keyboard = "en-us"
country = "us"
fqdn = "$1"
mailto = "root@forja.test"
timezone = "UTC"
root-password = "$password"
reboot-mode = "power-off"

[network]
source = "from-dhcp"

[disk-setup]
filesystem = "ext4"
disk-list = ["vda"]
${2:-}
TOML
}
answer pdm.forja.test "$(printf '[post-installation-webhook]\nurl = "%s"\ncert-fingerprint = "%s"\nauth-token = "%s"' \
        "$URL$HOOK" "$FP" "$HOOK_TOKEN")" >"$work/http/api2/json/auto-install/answer"
: >"$work/http$HOOK"
answer stick.forja.test >"$work/ais/answer.toml"
for f in "$work/http/api2/json/auto-install/answer" "$work/ais/answer.toml"; do
        "$FORJA" answer validate "$f" >/dev/null || fail "the test's answer $f is invalid"
done

# The stick: GPT, one partition with ext4 labelled proxmox-ais (mkfs at the
# partition's offset, no loop device).
truncate -s 64M "$work/ais.raw"
printf 'label: gpt\nstart=2048, size=100000, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n' | sfdisk -q "$work/ais.raw" ||
        fail "sfdisk failed"
mkfs.ext4 -q -F -L proxmox-ais -d "$work/ais" -E offset=$((2048 * 512)) "$work/ais.raw" 48M || fail "mkfs.ext4 failed"

e2e_dnsmasq "$P" "$NET" "$work" "dhcp-option=250,\"$URL/api2/json/auto-install/answer\""

expect_exit 0 "$FORJA" iso prepare --fetch-from http --cert-fingerprint "$FP" \
        --answer-auth-token "$TOKEN_ID:$TOKEN_SECRET" --in "$E2E_ISO" -o "$work/http.iso"
expect_exit 0 "$FORJA" iso prepare --fetch-from partition --in "$E2E_ISO" -o "$work/partition.iso"
expect_exit 0 "$FORJA" iso inspect "$work/partition.iso"
expect_match '^ +partition-label = proxmox-ais$'

# (a) DHCP discovery, PDM's protocol; the proxmox-ais stick is attached and ignored.
qemu-img create -q -f qcow2 "$work/node-a.qcow2" 16G
cp "$work/ais.raw" "$work/ais-a.raw"
t0=$SECONDS
ip netns exec "$P-net" python3 "$HARNESS" --serial-log "$E2E_DIR/pve-media-a.serial.log" --iso "$work/http.iso" \
        --firmware bios --disk "$work/node-a.qcow2" --disk "$work/ais-a.raw" --tap "$TAP" --mac "$MAC" --memory 1536 \
        --timeout 2400 --fw-cmdline forja.fetch-countdown=1 \
        --expect "^FORJA-UNATTENDED answer=${URL//./\\.}/api2/json/auto-install/answer" \
        --expect '^FORJA-INSTALL-START' --expect '^FORJA-INSTALL-OK' \
        --fail '^FORJA-INSTALL-FAILED' --fail '^FORJA-INSTALLER-READY' --fail '^FORJA-ANSWER-FAILED' --wait-exit &
HPID=$!
if wait "$HPID"; then rc=0; else rc=$?; fi
HPID=
[ "$rc" = 0 ] || fail "(a) the discovered install failed (serial log $E2E_DIR/pve-media-a.serial.log)"
echo "e2e pve-media (a): installed in $((SECONDS - t0)) s (QEMU TCG, 1 vCPU, 1536 MiB, ISO boot included)"
cmp -s "$work/ais.raw" "$work/ais-a.raw" || fail "(a) the proxmox-ais stick was changed"
grep -qa 'stick\.forja\.test' "$E2E_DIR/pve-media-a.serial.log" && fail "(a) the stock-label stick's answer was used"
for s in "$password" "$TOKEN_SECRET" "$HOOK_TOKEN"; do
        ! grep -qaF "$s" "$E2E_DIR/pve-media-a.serial.log" || fail "(a) a secret appeared on the serial console"
done

python3 - "$work" "$TOKEN_ID:$TOKEN_SECRET" "$HOOK_TOKEN" "$HOOK" "$FORJA_SRCDIR" "$password" <<'PY' ||
import json, os, subprocess, sys
work, token, hook_token, hook, src, password = sys.argv[1:]
reqs = [json.loads(l) for l in open(os.path.join(work, "http.log"))]
print("answer server: " + ", ".join(f"{r['method']} {r['path']}" for r in reqs))
errors = []
def want(cond, what):
    if not cond:
        errors.append(what)
def header(r, name):
    return next((v for k, v in r["headers"].items() if k.lower() == name), None)
def pdm_check(kind, body):
    path = os.path.join(work, kind + ".json")
    open(path, "w").write(body)
    p = subprocess.run([sys.executable, os.path.join(src, "tests/lib/pdm-fields.py"),
                        os.path.join(src, "tests/answers/data/pdm-protocol.fields"), kind, path],
                       capture_output=True, text=True)
    print(f"pdm-fields {kind}: {p.stdout.strip() or 'ok'}")
    want(p.returncode == 0, f"the {kind} body is not what PDM accepts: {p.stdout.strip()}")
for r in reqs:
    want(password not in json.dumps(r), f"the root password was sent in {r['method']} {r['path']}")
posts = [r for r in reqs if r["method"] == "POST" and r["path"] == "/api2/json/auto-install/answer"]
want(len(posts) == 1, f"{len(posts)} answer requests, expected 1")
if posts:
    want(header(posts[0], "authorization") == "Bearer " + token, "the answer request lacks Authorization: Bearer ID:SECRET")
    pdm_check("fetch", posts[0]["body"])
hooks = [r for r in reqs if r["method"] == "POST" and r["path"] == hook]
want(len(hooks) == 1, f"{len(hooks)} post-hooks at {hook}, expected 1 (PDM gets the report only)")
if hooks:
    want(header(hooks[0], "authorization") is None, "the post-hook carries an Authorization header")
    body = json.loads(hooks[0]["body"])
    want(body.get("token") == hook_token, "the post-hook body lacks the auth-token as token")
    want(body.get("fqdn") == "pdm.forja.test", f"post-hook fqdn {body.get('fqdn')}")
    pdm_check("post-hook", hooks[0]["body"])
for e in errors:
    print("mismatch:", e)
sys.exit(1 if errors else 0)
PY
        fail "(a) the PDM protocol checks failed"
echo "e2e pve-media (a): PDM protocol checks passed"

# (b) --fetch-from partition: no network, the answer from the proxmox-ais stick.
qemu-img create -q -f qcow2 "$work/node-b.qcow2" 16G
cp "$work/ais.raw" "$work/ais-b.raw"
t0=$SECONDS
python3 "$HARNESS" --serial-log "$E2E_DIR/pve-media-b.serial.log" --iso "$work/partition.iso" \
        --firmware bios --disk "$work/node-b.qcow2" --disk "$work/ais-b.raw" --memory 1536 --timeout 2400 \
        --expect '^FORJA-UNATTENDED answer=/dev/vdb1:/answer\.toml' \
        --expect '^FORJA-INSTALL-START' --expect '^FORJA-INSTALL-OK' \
        --fail '^FORJA-INSTALL-FAILED' --fail '^FORJA-INSTALLER-READY' --fail '^FORJA-ANSWER-FAILED' --wait-exit &
HPID=$!
if wait "$HPID"; then rc=0; else rc=$?; fi
HPID=
[ "$rc" = 0 ] || fail "(b) the install from the proxmox-ais partition failed (serial log $E2E_DIR/pve-media-b.serial.log)"
echo "e2e pve-media (b): installed in $((SECONDS - t0)) s (QEMU TCG, 1 vCPU, 1536 MiB, ISO boot included)"
cmp -s "$work/ais.raw" "$work/ais-b.raw" || fail "(b) the proxmox-ais stick was changed"
! grep -qaF "$password" "$E2E_DIR/pve-media-b.serial.log" || fail "(b) the root password appeared on the serial console"
e2e_drop_images "$work"
echo "e2e pve-media: all checks passed"
