#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e: a real unattended install, then a boot of the installed disk.
#   test-install.sh SCENARIO
#   ext4-bios        ext4 on LVM, one disk, SeaBIOS (node probe-guests: runs
#                    forja check --guests); in the same installer
#                    boot a first install is killed (SIGKILL) halfway through
#                    extraction (forja.kill-first=image-mid), then the real one
#                    runs over its debris
#   xfs-secureboot   xfs on LVM, one disk, OVMF with Secure Boot on; a hard
#                    reset (QMP system_reset) as soon as the disks stage has
#                    partitioned, then the medium boots again and installs
#                    from scratch
#   pxe              ext4-bios installed over the network: QEMU boots from
#                    its TFTP, answer and image come over HTTP through fault
#                    paths (tests/e2e/pxe-lib.sh), the probe hook from-url;
#                    the post-installation webhook goes to the same server:
#                    its succeeded body is checked against the probe's facts,
#                    and a second PXE boot must refuse to reinstall and
#                    report that as a failed event
#   refuse           two refusals on a disk holding data: existing-data =
#                    "refuse", and a disk filter that matches nothing; the disk
#                    must be byte-identical afterwards
# The answer (with a fresh SSH key) and the probe hook go onto the ISO with
# `forja iso prepare`; the installer runs unattended and powers off; the disk
# then boots alone, and the probe (the answer's first-boot hook) reports the
# node's facts on the serial console, which are compared with the plan.
# ext4-bios and xfs-secureboot also carry a bystander disk holding data (not in
# the plan), byte-identical after the faults and the install: CI's fault
# injection subset (the whole chain is e2e-safety-full).
. "$TESTS_LIB/testlib.sh"
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/pxe-lib.sh"

scenario=${1:?scenario}
case $scenario in
ext4-bios) fs=ext4 firmware=bios ;;
xfs-secureboot) fs=xfs firmware=secureboot ;;
pxe) fs=ext4 firmware=bios ;;
refuse) ;;
*) fail "unknown scenario $scenario" ;;
esac

e2e_require
require_cmd ssh-keygen sfdisk mkfs.ext4 sha256sum
e2e_build_iso

if [ "$scenario" = refuse ]; then
        work=$E2E_DIR/install-refuse
        rm -rf "$work"
        mkdir -p "$work"
        # A disk holding someone's data: a GPT and an ext4 file system with a file.
        disk=$work/data.raw
        truncate -s 12G "$disk"
        printf 'label: gpt\nstart=2048, size=2097152, type=linux\n' | sfdisk -q "$disk"
        mkdir "$work/files"
        echo "the only copy" >"$work/files/precious.txt"
        mkfs.ext4 -q -F -E offset=$((2048 * 512)) -d "$work/files" "$disk" 1G
        before=$(sha256sum <"$disk")
        run_refusal() {   # NAME EXPECTED-REGEX ANSWER-TAIL
                local name=$1 expected=$2
                { printf '[global]\nkeyboard = "en-us"\ncountry = "us"\nfqdn = "refused.forja.test"\n'
                  printf 'mailto = "root@forja.test"\ntimezone = "UTC"\nroot-password = "never-installed"\n'
                  printf '[network]\nsource = "from-dhcp"\n[disk-setup]\nfilesystem = "ext4"\n%s\n' "$3"; } >"$work/$name.toml"
                expect_exit 0 "$FORJA" iso prepare --answer "$work/$name.toml" --in "$E2E_ISO" -o "$work/$name.iso"
                e2e_boot "refuse-$name" --iso "$work/$name.iso" --firmware bios --disk "$disk" --timeout 900 \
                        --expect '^FORJA-UNATTENDED ' --expect "$expected" \
                        --expect 'cannot be installed on this machine; nothing was written' \
                        --expect '^FORJA-INSTALL-END status=2' \
                        --fail '^FORJA-INSTALL-OK' --fail '^FORJA-STAGE 3/8 disks' ||
                        fail "$name: the installer did not refuse as expected (serial log $SERIAL_LOG)"
                [ "$(sha256sum <"$disk")" = "$before" ] || fail "$name: the disk changed although the install refused"
                echo "e2e refuse $name: refused, disk byte-identical"
                e2e_drop_images "$work/$name.iso"
        }
        run_refusal existing-data "disk-setup.existing-data: disk 'vda' is not empty .*existing-data = \"refuse\"" \
                'disk-list = ["vda"]
existing-data = "refuse"'
        run_refusal no-match 'disk-setup.filter: filter did not match any disk' \
                'filter.ID_SERIAL = "no-such-disk-*"'
        e2e_drop_images "$work"
        echo "e2e install refuse: all checks passed"
        exit 0
fi

work=$E2E_DIR/install-$scenario
rm -rf "$work"
mkdir -p "$work"
# The node's host name; the probe runs forja check --guests on a node named
# probe-guests: ext4-bios is CI's scenario for it (tests/e2e/data/probe.sh).
host=probe-$fs
[ "$scenario" != ext4-bios ] || host=probe-guests
ssh-keygen -q -t ed25519 -N '' -C "forja-e2e" -f "$work/key"
key=$(cat "$work/key.pub")
password="e2e-$RANDOM-$RANDOM-secret"
first_boot_source='source = "from-iso"'
webhook=
hook_token="hook-$RANDOM-$RANDOM-token"
if [ "$scenario" = pxe ]; then
        # Plain http: the hook needs its sha256, and the webhook goes without
        # a token (a token never travels with http://; docs/answer-file.md).
        first_boot_source="source = \"from-url\"
url = \"http://10.0.2.100/probe.sh\"
sha256 = \"$(sha256sum <"$E2E_HERE/data/probe.sh" | cut -d' ' -f1)\""
        hook_token=
        webhook="[post-installation-webhook]
url = \"http://10.0.2.100/webhook\""
fi
cat >"$work/answer.toml" <<TOML
[global]
keyboard = "de"
country = "de"
fqdn = "$host.forja.test"
mailto = "root@forja.test"
timezone = "Europe/Berlin"
root-password = "$password"
root-ssh-keys = ["$key"]
reboot-mode = "power-off"

[network]
source = "from-dhcp"

[disk-setup]
filesystem = "$fs"
disk-list = ["vda"]

[first-boot]
$first_boot_source
ordering = "fully-up"

$webhook
TOML

# What the plan says, for the comparison (the installer sees a 16 GiB vda).
"$FORJA" answer validate "$work/answer.toml" >/dev/null || fail "the test's answer is invalid"
qemu-img create -q -f qcow2 "$work/node.qcow2" 16G
install_markers=(--expect '^FORJA-UNATTENDED ' --expect '^FORJA-INSTALL-START' --expect '^FORJA-STAGE-END bootloader ok'
                 --expect '^FORJA-INSTALL-OK' --fail '^FORJA-INSTALL-FAILED' --wait-exit)
# The fault before the real install (its markers first, then the real
# install's), and a bystander disk (vdb) with data.
fault=
case $scenario in
ext4-bios)
        # The second install runs in the same boot: no second FORJA-UNATTENDED.
        fault=kill install_markers=(--fw-cmdline forja.kill-first=image-mid
                    --expect '^FORJA-UNATTENDED ' --expect '^FORJA-INSTALL-START' --expect '^FORJA-STAGE 5/8 image'
                    --expect 'FORJA_KILL_AT=image-mid: killing the installer here'
                    --expect '^FORJA-INSTALL-END status=137 kill-at=image-mid' "${install_markers[@]:2}") ;;
xfs-secureboot)
        fault=reset install_markers=(--on '^FORJA-STAGE-END disks ok=reset'
                    --expect '^FORJA-UNATTENDED ' --expect '^FORJA-INSTALL-START' --expect '^FORJA-STAGE-END disks ok'
                    --expect 'forja-init: forja installer .* starting' "${install_markers[@]}") ;;
esac
bystander=()
if [ -n "$fault" ]; then
        truncate -s 64M "$work/bystander.raw"
        printf 'label: gpt\nstart=2048, size=100000, type=linux\n' | sfdisk -q "$work/bystander.raw"
        mkdir "$work/files"
        echo "the only copy of the bystander's data" >"$work/files/precious.txt"
        mkfs.ext4 -q -F -E offset=$((2048 * 512)) -d "$work/files" "$work/bystander.raw" 40M
        bystander_sum=$(sha256sum <"$work/bystander.raw")
        bystander=(--disk "$work/bystander.raw")
fi

t0=$SECONDS
if [ "$scenario" = pxe ]; then
        cp "$E2E_HERE/data/probe.sh" "$work/probe.sh"
        e2e_pxe_install "install-$scenario" "$work" "$work/answer.toml" "$work/node.qcow2" --firmware "$firmware" \
                --memory 1536 --timeout 1800 --expect '^FORJA-NET iface=.* source=dhcp address=10\.0\.2\.15/24' \
                --expect '^FORJA-MEDIUM-NONE' "${install_markers[@]}" || fail "the PXE install failed (serial log $SERIAL_LOG)"
        e2e_pxe_check_requests "$work" || fail "the PXE install's HTTP requests were not the expected ones"
        cp "$work/http.log" "$work/http-install.log"
else
        expect_exit 0 "$FORJA" iso prepare --answer "$work/answer.toml" --on-first-boot "$E2E_HERE/data/probe.sh" \
                --in "$E2E_ISO" -o "$work/auto.iso"
        e2e_boot "install-$scenario" --iso "$work/auto.iso" --firmware "$firmware" --disk "$work/node.qcow2" \
                "${bystander[@]}" --memory 1536 --timeout 1800 "${install_markers[@]}" ||
                fail "the install failed (serial log $SERIAL_LOG)"
fi
install_log=$SERIAL_LOG
echo "e2e: installed in $((SECONDS - t0)) s (QEMU wall time, boot included${fault:+, the fault included})"
if [ "$scenario" = ext4-bios ]; then
        # The SIGKILL came while the image was half laid down: its progress
        # before the kill between 40 and 60 %, the image stage never ended.
        awk '/^FORJA-INSTALL-END status=137/ { exit } /^FORJA-STAGE-END image/ { ended = 1 }
             /^FORJA-PROGRESS image/ { p = $3 + 0 } END { printf "%d %d\n", p, ended }' "$install_log" >"$work/kill.txt"
        read -r pct ended <"$work/kill.txt"
        [ "$pct" -ge 40 ] && [ "$pct" -le 60 ] && [ "$ended" = 0 ] ||
                fail "the first install was not killed mid-extraction (image at $pct %, stage ended: $ended)"
        echo "e2e: the first install was killed at image $pct %; the second one installed over its debris"
fi
if [ "$scenario" = xfs-secureboot ]; then
        [ "$(grep -c '^FORJA-INSTALL-START' "$install_log")" = 2 ] || fail "expected two installs around the hard reset"
        echo "e2e: hard reset after the disks stage; the medium booted again and installed from scratch"
fi
if [ ${#bystander[@]} -gt 0 ]; then
        [ "$(sha256sum <"$work/bystander.raw")" = "$bystander_sum" ] || fail "the bystander disk vdb changed"
        echo "e2e: the bystander disk (vdb, not in the plan) is byte-identical"
fi
grep -E '^  (check|verify|disks|storage|image|configure|bootloader|finish|total) ' "$install_log" || true
# Stage storage read every logical volume back with lvs: lvm2 made the
# plan's sizes, the thin pool's metadata and chunk size included, and the
# volume group has the plan's size and free space
# (docs/plan-json.md, "Sizes at the boundaries").
for lv in swap root data; do
        grep -aqE "^[a-z0-9-]+/$lv: [0-9]+ bytes( and its metadata)? as planned\." "$install_log" ||
                fail "stage storage did not find $lv as the plan has it (serial log $install_log)"
done
grep -aqE "^volume group [a-z0-9-]+: [0-9]+ bytes, [0-9]+ free, as planned\." "$install_log" ||
        fail "stage storage did not find the volume group as the plan has it (serial log $install_log)"
# No secret on the console: the value of every secret key of the answer.
! grep -q "$password" "$install_log" || fail "the root password appeared on the serial console"
e2e_no_secrets "$work/answer.toml" "$install_log" || fail "a secret of the answer appeared on the serial console"

t0=$SECONDS
e2e_boot "node-$scenario" --firmware "$firmware" --disk "$work/node.qcow2" --memory 1536 --timeout 1500 \
        --expect 'FORJA-PROBE-BEGIN' --expect 'FORJA-PROBE-END' --wait-exit ||
        fail "the installed node did not boot to its probe (serial log $SERIAL_LOG)"
echo "e2e: the installed node booted and probed in $((SECONDS - t0)) s"

python3 - "$SERIAL_LOG" "$fs" "$host" "$(ssh-keygen -lf "$work/key.pub" | awk '{print $2}')" "$E2E_HERE/check-storage.py" <<'PY' || fail "the installed node does not match the plan"
import json, os, re, sys
log, fs, host, key_fp = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
facts = {}
for line in open(log, errors="replace"):
    # The hook's output reaches the console through the journal: "[ t] hook[pid]: FORJA-PROBE ..."
    m = re.search(r"(?:^|: )FORJA-PROBE (\S+) ?(.*?)\r?$", line)
    if m:
        facts[m.group(1)] = m.group(2)
errors = []
def want(cond, what):
    if not cond:
        errors.append(what)

want(facts.get("hostname") == host, f"hostname {facts.get('hostname')!r}")
mounts = json.loads(facts["findmnt"])["filesystems"][0]
want(mounts["target"] == "/" and mounts["fstype"] == fs and mounts["source"] in (f"/dev/mapper/pve-root",),
     f"root file system {mounts}")
children = {c["target"]: c for c in mounts.get("children", [])}
blk = json.loads(facts["lsblk"])["blockdevices"]
vda = [d for d in blk if d["name"] == "vda"][0]
parts = {p["name"]: p for p in vda.get("children", [])}
want(set(parts) == {"vda1", "vda2", "vda3"}, f"partitions {sorted(parts)}")
want(parts.get("vda1", {}).get("parttype", "").lower() == "21686148-6449-6e6f-744e-656564454649", "vda1 is not a BIOS boot partition")
want(parts.get("vda2", {}).get("fstype") == "vfat", "vda2 is not the vfat ESP")
want(parts.get("vda3", {}).get("fstype") == "LVM2_member", "vda3 is not the LVM PV")
lvs = {c["name"]: c for c in parts.get("vda3", {}).get("children", [])}
want({"pve-root", "pve-swap"} <= set(lvs), f"logical volumes {sorted(lvs)}")
want("/dev/dm-" in facts.get("swaps", "") or "pve" in facts.get("swaps", ""), f"swap not active: {facts.get('swaps')!r}")
addr = json.loads(facts["addr"])
# The installer's DHCP lease from QEMU's user network (from-dhcp).
want(addr and any(a.get("local") == "10.0.2.15" and a.get("prefixlen") == 24 for a in addr[0].get("addr_info", [])),
     f"vmbr0 address {facts.get('addr')[:200]}")
want(facts.get("bridge-ports", "").strip() != "", "vmbr0 has no port")
want(facts.get("hash-prefix") == "$y$", f"root password hash prefix {facts.get('hash-prefix')!r}")
want(facts.get("authorized-key") == key_fp, f"authorized key {facts.get('authorized-key')!r} != {key_fp}")
want(facts.get("answer-mode") == "600", f"/etc/forja/answer.toml mode {facts.get('answer-mode')}")
want(re.fullmatch(r"[0-9a-f]{32}", facts.get("machine-id", "")) is not None, "no machine-id generated")
want(facts.get("timezone", "").endswith("Europe/Berlin"), f"timezone {facts.get('timezone')}")
want(facts.get("forja-join") == "active", f"forja-join.service is {facts.get('forja-join')}")
# No md array: forja-md-degraded.service (its udevadm settle) is not in the boot.
want(facts.get("md-degraded") == "disabled", f"forja-md-degraded.service is {facts.get('md-degraded')!r} on a node without md")
sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[5])))
print("boot steps:", __import__("check-storage").boot_steps(facts.get("boot-steps", "")))
try:
    # `incus` may greet a first-time user before the JSON.
    incus = json.loads(facts["incus"][facts["incus"].index("{"):])
    want(incus.get("api_status") == "stable" and incus["environment"]["server_version"].startswith("6.0"),
         f"incus /1.0: {facts['incus'][:200]}")
except (ValueError, KeyError) as e:
    errors.append(f"incus query /1.0 failed: {facts.get('incus', '')[:300]}")
# Boot to ready without waiting on any timeout (issue 16): wait-online
# succeeded, no unit ended in a timeout, the journal names none, and the
# node recorded when Incus became ready.
want(facts.get("wait-online") == "success", f"systemd-networkd-wait-online.service result {facts.get('wait-online')!r}")
want(facts.get("timeout-units", "x").strip() == "", f"units that timed out: {facts.get('timeout-units')!r}")
want(facts.get("journal-timeouts", "x").strip() == "", f"the journal reports a timeout: {facts.get('journal-timeouts')!r}")
times = dict(kv.split("=", 1) for kv in facts.get("unit-times", "").split() if "=" in kv)
print("probe: active since kernel start: " + ", ".join(f"{u} {int(t) / 1e6:.1f} s" for u, t in times.items() if t.isdigit()))
try:
    js = json.loads(facts["join-status"])
    want(isinstance(js.get("ready_s"), float) and js["ready_s"] > 0, f"forja join --status --json has no ready_s: {js}")
    print(f"probe: Incus ready {js.get('ready_s')} s after kernel start")
except (ValueError, KeyError):
    errors.append(f"forja join --status --json: {facts.get('join-status', '')[:300]}")
want(any(re.search(r"FORJA-INCUS-READY ready_s=[0-9.]+ server=", line) for line in open(log, errors="replace")),
     "no FORJA-INCUS-READY marker on the console")
try:
    check = json.loads(facts["check"])
    want(check["cpu"]["verdict"] == "usable", f"forja check verdict {check['cpu']['verdict']}")
except (ValueError, KeyError):
    errors.append(f"forja check --json: {facts.get('check', '')[:300]}")
if fs == "ext4":
    aliases = facts.get("guest-aliases", "").replace("%2F", "/")   # the API escapes the slash in the alias URL
    want("/forja/trixie-vm\"" in aliases and "/forja/trixie\"" in aliases,
         f"built-in guest images: {facts.get('guest-aliases', '')[:200]}")
if "guests" in facts:
    # forja check --guests on the node (a node named probe-guests: CI's
    # ext4-bios): the container path must pass (start and exec, a DHCP lease
    # on the managed bridge, snapshot/restore); the VM passes or fails with a
    # reason, never skipped (no nested KVM under TCG: docs/nested-vms.md).
    try:
        g = json.loads(facts["guests"])
        st = {c["id"]: c for c in g["checks"]}
        for i in ("ct-start", "ct-dhcp", "ct-snapshot"):
            want(st.get(i, {}).get("status") == "pass", f"check --guests {i}: {st.get(i)}")
        print("guests: " + ", ".join(f"{c['id']} {c['status']} {c['seconds']} s" for c in g["checks"]))
        vm = st.get("vm-start", {})
        want(vm.get("status") in ("pass", "fail") and vm.get("message"), f"check --guests vm-start: {vm}")
        want(facts.get("guests-exit") == ("0" if g["ok"] else "1"), f"check --guests exit {facts.get('guests-exit')} (ok {g['ok']})")
        print(f"guests: container started in {g['container_start_s']} s; VM: {vm.get('status')} "
              f"({g['vm_start_s']} s): {vm.get('message', '')[:300]}")
    except (ValueError, KeyError) as e:
        errors.append(f"forja check --guests --json: {facts.get('guests', '')[:300]} ({facts.get('guests-log', '')[:300]})")
for e in errors:
    print("mismatch:", e)
print(f"probe: {len(facts)} facts, {len(errors)} mismatches")
sys.exit(1 if errors else 0)
PY
# ... nor on the installed node's console, nor in the install's webhook bodies.
hooks=()
[ "$scenario" = pxe ] && hooks=(--http-log "$work/http-install.log")
e2e_no_secrets "$work/answer.toml" "${hooks[@]}" "$SERIAL_LOG" ||
        fail "a secret of the answer appeared on the node's console or in a webhook body"
if [ "$scenario" = pxe ]; then
        # The install's webhook against what the installed node says of itself.
        e2e_pxe_check_webhook "$work/http-install.log" succeeded "$work" "$hook_token" "$password" "$SERIAL_LOG" ||
                fail "the install's succeeded webhook does not match the installed node"
        # No reinstall loop: the machine boots from the network again with the
        # same answer; the installed disk must be recognised and left alone.
        before=$(sha256sum <"$work/node.qcow2")
        t0=$SECONDS
        e2e_pxe_install "reinstall-$scenario" "$work" "$work/answer.toml" "$work/node.qcow2" --firmware "$firmware" \
                --fw-cmdline forja.test=poweroff --memory 1536 --timeout 1200 \
                --expect '^FORJA-UNATTENDED ' --expect 'already holds a forja node installed from this same answer' \
                --expect '^FORJA-INSTALL-END status=1' --expect '^FORJA-POWEROFF' \
                --fail '^FORJA-STAGE 3/8 disks' --wait-exit ||
                fail "the second PXE boot did not refuse to reinstall (serial log $SERIAL_LOG)"
        [ "$(sha256sum <"$work/node.qcow2")" = "$before" ] || fail "the installed disk changed on the second PXE boot"
        echo "e2e: the second PXE boot refused to reinstall in $((SECONDS - t0)) s; the disk is unchanged"
        e2e_pxe_check_webhook "$work/http.log" failed "$work" "$hook_token" "$password" ||
                fail "the refused reinstall's webhook report is not the expected one"
fi
e2e_drop_images "$work"
echo "e2e install $scenario: all checks passed"
