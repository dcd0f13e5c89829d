# SPDX-License-Identifier: GPL-2.0-or-later
# PXE install in QEMU for the e2e suite (source after e2e-lib.sh).
#
# e2e_pxe_install NAME WORK ANSWER DISK [HARNESS-ARGS...]
#   QEMU boots from the network (-boot n) with user networking (restrict=on):
#   QEMU's DHCP and TFTP hand out boot.ipxe, vmlinuz and initrd from the
#   pxe/ directory `forja iso build` wrote beside the ISO. A per-MAC iPXE
#   script (hosts/MAC.ipxe, the override boot.ipxe chains) points the
#   installer at http://10.0.2.100, which is http-test-server.py started per
#   connection by guestfwd cmd: (--inetd): it holds only the one answer
#   answers/MAC.toml, the node image and its manifest, and WORK/probe.sh when
#   present, and answers POSTs to /webhook with 200 (the bodies land in the
#   log). Every request reaches the server through fault paths, so the
#   answer gets two 500s first and the image a reset and a body cut in half
#   (resumed by a range request): the install only passes if forja retries.
#   The requests are logged to WORK/http.log.
E2E_PXE_MAC=52:54:00:f0:4a:01

# e2e_pxe_tftp WORK SETTINGS: WORK/tftp holds the boot files of the build's
# pxe/ and hosts/MAC.ipxe with the iPXE lines SETTINGS.
e2e_pxe_tftp() {
        local work=$1 settings=$2 pxe=$E2E_DIR/pxe tftp=$1/tftp
        [ -f "$pxe/boot.ipxe" ] && [ -f "$pxe/initrd" ] || fail "no PXE artifacts in $pxe (forja iso build writes them)"
        rm -rf "$tftp"
        mkdir -p "$tftp/hosts"
        for f in vmlinuz initrd boot.ipxe; do
                cp -l "$pxe/$f" "$tftp/$f" 2>/dev/null || cp "$pxe/$f" "$tftp/$f"
        done
        printf '#!ipxe\n%s\n' "$settings" >"$tftp/hosts/$(echo "$E2E_PXE_MAC" | tr : -).ipxe"
}

e2e_pxe_install() {
        local name=$1 work=$2 answer=$3 disk=$4
        shift 4
        local root=$work/http
        e2e_pxe_tftp "$work" 'set forja-url http://10.0.2.100/reset/1/r/cut/1/c
set forja-answer http://10.0.2.100/fail/2/a/answers/{mac}.toml'
        rm -rf "$root" "$work/state" "$work/http.log"
        mkdir -p "$root/answers" "$work/state"
        for f in node.tar.zst node.manifest.json; do
                cp -l "$E2E_DIR/pxe/$f" "$root/$f" 2>/dev/null || cp "$E2E_DIR/pxe/$f" "$root/$f"
        done
        cp "$answer" "$root/answers/$E2E_PXE_MAC.toml"
        : >"$root/webhook"      # POSTs to /webhook (the answer's webhook) are answered 200
        [ -f "$work/probe.sh" ] && cp "$work/probe.sh" "$root/probe.sh"
        e2e_boot "$name" --boot net --tftp "$work/tftp" --bootfile boot.ipxe --mac "$E2E_PXE_MAC" \
                --guestfwd "tcp:10.0.2.100:80-cmd:python3 $TESTS_LIB/http-test-server.py --inetd --root $root --state $work/state --log $work/http.log" \
                --disk "$disk" "$@"
}

# e2e_pxe_check_requests WORK: the answer was asked for by its MAC and got two
# 500s before it came; the image download was cut and resumed by a range request.
e2e_pxe_check_requests() {
        python3 - "$1/http.log" "$E2E_PXE_MAC" <<'PY'
import json, re, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
mac = sys.argv[2]
answer = [r for r in reqs if r["path"] == f"/fail/2/a/answers/{mac}.toml"]
image = [r for r in reqs if r["path"].endswith("/node.tar.zst")]
resumes = [r for r in image if re.fullmatch(r"bytes=[1-9][0-9]*-", r["headers"].get("Range", ""))]
full = [r for r in image if "Range" not in r["headers"]]
print(f"http: {len(reqs)} requests; answer {len(answer)}, image {len(image)} ({len(full)} full, "
      f"ranges {[r['headers'].get('Range') for r in image if 'Range' in r['headers']]})")
errors = []
if len(answer) < 3:
    errors.append(f"the answer was fetched {len(answer)} times: two 500s and a success expected")
if len(full) != 1:
    errors.append(f"{len(full)} full image requests, expected exactly 1 (the cut one)")
if len(resumes) < 2:
    errors.append("no resumed image download (a probe of the last byte and a resume expected)")
for e in errors:
    print("http:", e)
sys.exit(1 if errors else 0)
PY
}

# e2e_pxe_check_webhook LOG EVENT WORK TOKEN PASSWORD [NODE-SERIAL-LOG]: the
# webhook POSTs in the http log: a "started" event first, then one EVENT
# (succeeded or failed), each with the bearer token in its Authorization
# header (none when TOKEN is empty) and no secret (token, root password) in
# its body. succeeded: the
# Proxmox post-hook fields, compared with the install's facts (the PXE
# answer of test-install.sh: fqdn, ext4, BIOS, the 16 GiB vda, the NIC's MAC
# and DHCP address) and with the installed node's machine-id from the probe
# in NODE-SERIAL-LOG. failed: the reinstall guard's refusal at stage check,
# nothing written, a log tail. The body is kept as WORK/webhook-EVENT.json.
e2e_pxe_check_webhook() {
        python3 - "$@" "$E2E_PXE_MAC" <<'PY'
import json, re, sys
log, event, work, token, password = sys.argv[1:6]
node_log = sys.argv[6] if len(sys.argv) > 7 else None
mac = sys.argv[-1]
posts = [r for r in map(json.loads, open(log)) if r["method"] == "POST" and r["path"] == "/webhook"]
errors = []
def want(cond, what):
    if not cond:
        errors.append(what)
events = []
for r in posts:
    try:
        events.append((json.loads(r["body"]).get("forja", {}).get("event"), r))
    except ValueError:
        errors.append(f"a webhook body is not JSON: {r['body'][:200]}")
print(f"webhook: {len(posts)} POSTs, events {[e for e, _ in events]}")
want([e for e, _ in events][:1] == ["started"], "the first webhook event is not 'started'")
mine = [r for e, r in events if e == event]
want(len(mine) == 1, f"{len(mine)} '{event}' events, expected 1")
for e, r in events:
    want(r["headers"].get("Authorization") == (f"Bearer {token}" if token else None),
         f"{e}: Authorization header {r['headers'].get('Authorization')!r}")
    want(r["headers"].get("Content-Type", "").startswith("application/json"), f"{e}: Content-Type {r['headers'].get('Content-Type')!r}")
    # The webhook's own token may stand in the body as "token" (Proxmox's post-hook does so), nowhere else.
    body_token = json.loads(r["body"]).get("token") if r["body"].startswith("{") else None
    want((not token or (body_token == token and r["body"].count(token) == 1)) and password not in r["body"],
         f"{e}: a secret is in the body")
if mine:
    body = json.loads(mine[0]["body"])
    with open(f"{work}/webhook-{event}.json", "w") as f:
        json.dump(body, f, indent=1)
    forja = body.get("forja", {})
    want(body.get("fqdn") == "probe-ext4.forja.test", f"fqdn {body.get('fqdn')!r}")
    want(body.get("product", {}).get("short") == "pve" and body["product"].get("fullname", "").startswith("forja ") and "release" in body.get("iso", {}), "product/iso")
    want("uuid" in body.get("dmi", {}).get("system", {}), f"dmi {body.get('dmi')}")
    if event == "succeeded":
        want(set(body) >= {"$schema", "product", "iso", "kernel-version", "boot-info", "cpu-info", "dmi", "filesystem",
                           "fqdn", "machine-id", "disks", "network-interfaces", "ssh-public-host-keys"},
             f"Proxmox post-hook fields missing: keys {sorted(body)}")
        want(body.get("filesystem") == "ext4", f"filesystem {body.get('filesystem')!r}")
        want(body.get("boot-info", {}).get("mode") == "bios", f"boot-info {body.get('boot-info')}")
        want(body.get("kernel-version", {}).get("release", "").endswith("-amd64"), f"kernel-version {body.get('kernel-version')}")
        want(body.get("cpu-info", {}).get("cpus", 0) >= 1, f"cpu-info cpus {body.get('cpu-info', {}).get('cpus')}")
        boot = [d for d in body.get("disks", []) if d.get("is-bootdisk")]
        want(len(boot) == 1 and boot[0].get("size") == 16 << 30 and
             boot[0].get("udev-properties", {}).get("DEVNAME") == "/dev/vda",
             f"boot disks {[(d.get('size'), d.get('udev-properties', {}).get('DEVNAME')) for d in boot]}")
        mgmt = [n for n in body.get("network-interfaces", []) if n.get("is-management")]
        want(len(mgmt) == 1 and mgmt[0].get("mac") == mac and mgmt[0].get("address") == "10.0.2.15/24",
             f"management NIC {mgmt}")
        want(body.get("ssh-public-host-keys", {}).get("ed25519", "").startswith("ssh-ed25519 "),
             f"ssh-public-host-keys {list(body.get('ssh-public-host-keys', {}))}")
        want(forja.get("os-release", {}).get("VERSION_CODENAME") == "trixie", f"forja.os-release {forja.get('os-release')}")
        probe = None
        for line in open(node_log, errors="replace") if node_log else []:
            m = re.search(r"FORJA-PROBE machine-id (\S+)", line)
            if m:
                probe = m.group(1)
        want(probe is not None and body.get("machine-id") == probe,
             f"machine-id {body.get('machine-id')!r}, the node's probe says {probe!r}")
    else:
        want(forja.get("stage") == "check", f"failed stage {forja.get('stage')!r}")
        want("already holds a forja node installed from this same answer" in forja.get("error", ""),
             f"failed error {forja.get('error')!r}")
        want(forja.get("disks-written") is False, f"disks-written {forja.get('disks-written')!r}")
        tail = forja.get("log-tail", [])
        want(0 < len(tail) <= 200, f"log-tail has {len(tail)} lines")
    short = json.dumps(body)
    print(f"webhook {event} body ({len(short)} bytes): {short[:600]}...")
for e in errors:
    print("webhook mismatch:", e)
sys.exit(1 if errors else 0)
PY
}
