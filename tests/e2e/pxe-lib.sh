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
#   present. Every request reaches the server through fault paths, so the
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
