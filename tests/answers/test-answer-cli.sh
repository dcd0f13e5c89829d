#!/usr/bin/env bash
# forja answer validate / plan / device-match from the command line: the
# errors users hit (each must name file:line:col and the key), exit codes, and
# the plan against a saved hardware description (the Proxmox fixture machine).
. "$TESTS_LIB/testlib.sh"

require_anchors proxmox-auto-installer/tests/resources
require_cmd python3
make_tmpdir
D=$ANSWERS_TESTDATA
RES=$FORJA_ANCHORS/proxmox-auto-installer/tests/resources
HW=$TMPD/hw.json
"$FIXTURE_HARDWARE" > "$HW"
cp "$RES/parse_answer/minimal.toml" "$TMPD/minimal.toml"
cd "$TMPD"
ntests=0
ok() { ntests=$((ntests + 1)); }

# --- validate: success is one line, exit 0
expect_exit 0 "$FORJA" answer validate minimal.toml
expect_match '^minimal.toml: valid answer file$'
[ "$(wc -l <<<"$OUT")" = 1 ] || fail "success should be one line: $OUT"
expect_exit 0 "$FORJA" answer validate minimal.toml --hardware "$HW"
expect_match '^minimal.toml: valid answer file, resolved against '
ok

# --- every error is listed (not just the first), FILE:LINE:COL: key: message, exit 2
expect_exit 2 "$FORJA" answer validate "$D/many-errors.toml"
for want in \
        ':2:12: global.keyboard: keyboard layout .klingon. is not valid' \
        ':3:11: global.country: country code .AT. is not valid \(write ISO 3166-1 alpha-2 codes in lower case' \
        ':5:10: global.mailto: ' \
        ':6:12: global.timezone: timezone .Mars/Olympus_Mons. is not valid' \
        ':7:17: global.root-password: .global.root-password. must be at least 8 characters long' \
        ':8:1: global.frobnicate: unknown key in \[global\]' \
        ':12:1: network.cidr: Field .cidr. not supported for .from-dhcp. config' \
        ':15:14: disk-setup.filesystem: .ext5. is not allowed \(allowed: ext4, xfs, zfs, btrfs\)'; do
        expect_match "many-errors.toml$want"
done
[ "$(grep -c 'many-errors.toml:' <<<"$OUT")" = 8 ] || fail "expected exactly 8 findings: $OUT"
ok

# --- bad input exits 2: TOML syntax, missing file, bad usage
expect_exit 2 "$FORJA" answer validate "$D/syntax-error.toml"
expect_match 'syntax-error.toml:3:11: TOML syntax error: '
# an unquoted password is a syntax error that names the place, never the value
sed 's/^root-password = .*/root-password = S3cretPW-unquoted/' minimal.toml > unquoted.toml
expect_exit 2 "$FORJA" answer validate unquoted.toml
expect_match '^unquoted.toml:7:17: TOML syntax error: '
! grep -q 'S3cretPW' <<<"$OUT" || fail "the syntax error echoes the password: $OUT"
expect_exit 2 "$FORJA" plan --answer unquoted.toml --hardware "$HW"
! grep -q 'S3cretPW' <<<"$OUT" || fail "plan echoes the password: $OUT"
expect_exit 2 "$FORJA" answer validate "$TMPD/does-not-exist.toml"
expect_match "failed to read answer file"
expect_exit 2 "$FORJA" answer check minimal.toml
expect_exit 2 "$FORJA" plan
expect_match -- '--answer FILE is required'
expect_exit 2 "$FORJA" plan --answer minimal.toml --hardware "$TMPD/nope.json"
ok

# --- snake_case keys are accepted with a warning
sed 's/^root-password = /root_password = /; s/^disk-list = /disk_list = /' minimal.toml > snake.toml
expect_exit 0 "$FORJA" answer validate snake.toml
expect_match "snake.toml:7:1: global.root_password: warning: the snake_case spelling is accepted for compatibility; write 'root-password'"
expect_match 'snake.toml: valid answer file \(2 warnings\)'
ok

# --- a bad CIDR
expect_exit 2 "$FORJA" answer validate "$D/cidr-network-address.toml"
expect_match ":11:8: network.cidr: invalid IP address/prefix '10.0.0.0/24': is the network address of its subnet"
expect_exit 2 "$FORJA" answer validate "$D/cidr-no-prefix.toml"
expect_match ":11:8: network.cidr: invalid IP address/prefix '10.0.0.7': is not in CIDR notation"
ok

# --- a filter matching no disk lists the disks and their properties
expect_exit 2 "$FORJA" plan --answer "$D/filter-nomatch.toml" --hardware "$HW"
expect_match 'filter-nomatch.toml:15:1: disk-setup.filter: filter did not match any disk \(filter-match = "any"\); disks on this machine:'
expect_match '^  sdd  223.57 GiB  SAMSUNG MZ7KM240  ID_SERIAL=SAMSUNG_MZ7KM240HAGR-00005_S2HRNX0J403419$'
expect_match '^  nvme0n1  2980.82 GiB  Micron_9300_MTFDHAL3T2TDR  ID_SERIAL=Micron_9300_MTFDHAL3T2TDR_19502596FC74$'
ok

# --- a filter matching the install medium
"$FIXTURE_HARDWARE" --medium sdc > hw-medium.json
expect_exit 2 "$FORJA" plan --answer "$D/filter-medium.toml" --hardware hw-medium.json
expect_match 'filter-medium.toml:15:1: disk-setup.filter: filter matches sdc, which holds the running installation medium'
sed 's/^disk-list = \["sda"\]/disk-list = ["sdc"]/' minimal.toml > medium-list.toml
expect_exit 2 "$FORJA" answer validate medium-list.toml --hardware hw-medium.json
expect_match "medium-list.toml:14:14: disk-setup.disk-list: disk 'sdc' holds the running installation medium"
ok

# --- too few disks for the RAID level (filter: 2 disks, ZFS RAID10 needs 4)
expect_exit 2 "$FORJA" plan --answer "$D/raid-too-few.toml" --hardware "$HW"
expect_match 'raid-too-few.toml:15:1: disk-setup.filter: ZFS RAID10 needs at least 4 disks, got 2'
ok

# --- a disk under 2 GiB is fatal; under 8 GiB an unattended install stops unless waived
"$FIXTURE_HARDWARE" --size sda=1610612736 > hw-tiny.json
expect_exit 2 "$FORJA" plan --answer minimal.toml --hardware hw-tiny.json
expect_match "minimal.toml:14:13: disk-setup.disk-list: root disk '/dev/sda' too small \(1 GB < 2 GB\)"
"$FIXTURE_HARDWARE" --size sda=6442450944 > hw-small.json
expect_exit 2 "$FORJA" plan --answer minimal.toml --hardware hw-small.json
expect_match "minimal.toml:14:13: disk-setup.disk-list: root disk space 6 GB on '/dev/sda' is below the recommended minimum of 8 GB; an unattended installation stops here"
printf 'lvm.hdsize = 5\n' | cat minimal.toml - > hdsize5.toml
expect_exit 2 "$FORJA" plan --answer hdsize5.toml --hardware "$HW"
expect_match "hdsize5.toml:15:14: disk-setup.lvm.hdsize: root disk space 5 GB on '/dev/sda' is below the recommended minimum of 8 GB"
expect_exit 0 "$FORJA" plan --answer "$D/small-disk-waived.toml" --hardware hw-small.json
expect_match 'root +[0-9.]+ GiB +ext4 on /'
ok

# --- swapsize over half of hdsize: without hardware when both are given, with hardware otherwise
expect_exit 2 "$FORJA" answer validate "$RES/parse_answer_fail/lvm_swapsize_greater_than_hdsize.toml"
expect_match ':14:16: disk-setup.lvm.swapsize: Swap size 16.01 GiB cannot be greater than 16 GiB \(hard disk size / 2\)'
expect_exit 0 "$FORJA" answer validate "$D/swap-too-big.toml"
expect_exit 2 "$FORJA" answer validate "$D/swap-too-big.toml" --hardware "$HW"
expect_match 'swap-too-big.toml:15:16: disk-setup.lvm.swapsize: Swap size 120 GiB cannot be greater than 111.78[0-9]* GiB'
ok

# --- fqdn from DHCP without a DHCP host name
"$FIXTURE_HARDWARE" --no-dhcp-hostname > hw-nohost.json
expect_exit 0 "$FORJA" answer validate "$RES/parse_answer/fqdn_from_dhcp.toml"
expect_exit 2 "$FORJA" answer validate "$RES/parse_answer/fqdn_from_dhcp.toml" --hardware hw-nohost.json
expect_match 'fqdn_from_dhcp.toml:4:1: global.fqdn: `global.fqdn.source` set to "from-dhcp", but DHCP server did not provide a hostname!'
ok

# --- existing-data = "refuse" stops on a disk that holds something
expect_exit 2 "$FORJA" plan --answer "$D/refuse.toml" --hardware "$HW"
expect_match "refuse.toml:15:17: disk-setup.existing-data: disk 'sda' is not empty \(LVM2_member\)"
"$FIXTURE_HARDWARE" --blank > hw-blank.json
expect_exit 0 "$FORJA" plan --answer "$D/refuse.toml" --hardware hw-blank.json
expect_match 'existing data: refuse'
ok

# --- the plan equals what LVM and sgdisk make at their boundaries
# (docs/plan-json.md, "Sizes at the boundaries"): a 2 TiB sda, where the
# Proxmox formula asks for 16 GiB of thin-pool metadata and lvm2 makes
# 16650240 KiB (its maximum in whole 4 MiB extents) and as much again for the
# spare, so the volume group keeps 2 x 126976 KiB more free than 16 GiB would
"$FIXTURE_HARDWARE" --size sda=2199023255552 > hw-2t.json
"$FORJA" plan --answer minimal.toml --hardware hw-2t.json --json > plan-2t.json
python3 - plan-2t.json <<'PY' || fail "2 TiB plan: thin-pool metadata and free space as LVM makes them"
import json, sys
s = json.load(open(sys.argv[1]))["storage"]
os_part = s["disks"][0]["partitions"][2]
assert os_part["end-sector"] == (1 << 32) - 34, os_part
vg = s["volume-groups"][0]
lv = {x["name"]: x for x in vg["logical-volumes"]}
assert lv["data"]["metadata-size-bytes"] == 16650240 * 1024, lv["data"]
assert lv["data"]["chunk-size-bytes"] == 65536, lv["data"]
assert lv["data"]["size-bytes"] == (2020601856 - 2 * 16777216 - 4096) * 1024, lv["data"]
# (4294967296 - 33) * 512 - 1025 MiB for the PV, 1 MiB pe_start: 524031 extents
assert vg["size-bytes"] == 524031 * 4194304, vg
used = (8388608 + 100663296 + 2020601856 - 2 * 16777216 - 4096 + 2 * 16650240) * 1024
assert vg["free-bytes"] == vg["size-bytes"] - used == 17444110336, vg
PY
expect_exit 0 "$FORJA" plan --answer minimal.toml --hardware hw-2t.json
expect_match '^  data +1.85 TiB +thin pool \(metadata 15.88 GiB, 64 KiB chunks\), guest storage local-lvm'
# hdsize: the OS partition ends on the sector at hdsize (sgdisk's "-n3:1025M:NM"
# end is inclusive), on 512-byte and on 4096-byte sectors
printf 'lvm.hdsize = 100\n' | cat minimal.toml - > hdsize100.toml
"$FIXTURE_HARDWARE" --sector-size sda=4096 > hw-4kn.json
for hw in "$HW" hw-4kn.json; do
        "$FORJA" plan --answer hdsize100.toml --hardware "$hw" --json > plan-hdsize.json
        python3 - plan-hdsize.json <<'PY' || fail "hdsize plan on $hw: the last partition does not end where sgdisk ends it"
import json, sys
d = json.load(open(sys.argv[1]))["storage"]["disks"][0]
lbs = d["logical-sector-size"]
parts = {p["number"]: p for p in d["partitions"]}
assert (1 in parts) == (lbs == 512), parts.keys()
assert parts[2]["start-sector"] == (1 << 20) // lbs and parts[2]["end-sector"] == (1025 << 20) // lbs - 1, parts[2]
p3 = parts[3]
assert p3["start-sector"] == (1025 << 20) // lbs and p3["end-sector"] == (102400 << 20) // lbs, (lbs, p3)
assert p3["size-bytes"] == (102400 << 20) + lbs - (1025 << 20), p3
PY
done
ok

# --- the plan for the minimal fixture: sizes of the Proxmox installer
expect_exit 0 "$FORJA" plan --answer minimal.toml --hardware "$HW"
expect_match '^  /dev/sda +SAMSUNG MZ7KM240, serial S2HRNX0J403550, 223.57 GiB \(240057409536 bytes\)'
expect_match '^  1 +sector 34 +1 MiB +1007.00 KiB +bios-boot'
expect_match '^  2 +1 MiB +1025 MiB +1.00 GiB +esp +vfat on /boot/efi'
expect_match '^  3 +1025 MiB +sector 468862094 +222.57 GiB +lvm-pv'
expect_match '^  swap +8.00 GiB +swap'
expect_match 'Network: eno1 \(b4:2e:99:ac:ad:b4, igb\)'
expect_match 'address 192.168.1.114/24, gateway 192.168.1.1, DNS 192.168.1.254 \(from the DHCP lease\)'
# A lease without a router option: no gateway, not a made-up one outside the
# lease's subnet (networkd could never add its route: the boot would wait
# for wait-online's timeout)
"$FIXTURE_HARDWARE" --no-router > hw-norouter.json
expect_exit 0 "$FORJA" plan --answer minimal.toml --hardware hw-norouter.json
expect_match 'address 192.168.1.114/24, gateway none, DNS 192.168.1.254 \(from the DHCP lease\)'
"$FORJA" plan --answer minimal.toml --hardware hw-norouter.json --json > plan-norouter.json
python3 -c 'import json, sys; n = json.load(open(sys.argv[1]))["network"]; assert n.get("gateway") is None and n["cidr"] == "192.168.1.114/24", n' \
        plan-norouter.json || fail "the plan of a lease without a router has a gateway"
"$FORJA" plan --answer minimal.toml --hardware "$HW" --json > plan.json
python3 - plan.json <<'PY' || fail "plan JSON checks"
import json, sys
p = json.load(open(sys.argv[1]))
assert p["format"] == "forja-plan" and p["version"] == 1
s = p["storage"]
d = s["disks"][0]
assert d["path"] == "/dev/sda" and d["size-bytes"] == 468862128 * 512
parts = d["partitions"]
assert [x["number"] for x in parts] == [1, 2, 3]
assert (parts[0]["start-sector"], parts[0]["end-sector"]) == (34, 2047)
# ESP from 1 MiB: 1 GiB on a disk over 100 GiB
assert parts[1]["start-bytes"] == 1 << 20 and parts[1]["size-bytes"] == 1 << 30
assert parts[2]["start-bytes"] == 1025 << 20 and parts[2]["end-sector"] == 468862128 - 34
assert parts[2]["content"] == {"kind": "lvm-pv", "volume-group": "vg:pve"}
vg = s["volume-groups"][0]
assert vg["physical-volumes"] == ["part:sda3"]
lv = {x["name"]: x for x in vg["logical-volumes"]}
# hand-computed from the Proxmox formulas: os_size = 234431064 - 1025*1024 KiB, RAM 257597 MiB
assert lv["swap"]["size-bytes"] == 8388608 * 1024
assert lv["root"]["size-bytes"] == 68829184 * 1024
assert lv["data"]["size-bytes"] == 136593408 * 1024 and lv["data"]["metadata-size-bytes"] == 1392640 * 1024
assert lv["root"]["content"] == {"kind": "filesystem", "fstype": "ext4", "mountpoint": "/", "mount-options": "errors=remount-ro"}
assert p["network"]["interface"] == "eno1" and p["network"]["cidr"] == "192.168.1.114/24"
assert p["system"]["fqdn"] == "pveauto.testinstall" and p["system"]["root-password"] == {"kind": "plain"}
assert "12345678" not in open(sys.argv[1]).read(), "a secret in the plan"
assert p["first-boot"] == {"enabled": False} and p["webhooks"] == [] and p["cluster"] == {"mode": "standalone"}
assert p["checks-waived"] == []
PY
ok

# --- md RAID1 + LUKS2 + cluster join: the storage tree and no secret in the output
expect_exit 0 "$FORJA" plan --answer "$D/md-luks-join.toml" --hardware "$HW" --json
grep -q 'a long enough secret\|eyJzZWNyZXQtdG9rZW4i\|correct horse' <<<"$OUT" && fail "a secret in the plan"
"$FORJA" plan --answer "$D/md-luks-join.toml" --hardware "$HW" --json > md.json
python3 - md.json <<'PY' || fail "md/luks plan checks"
import json, sys
s = json.load(open(sys.argv[1]))["storage"]
assert [d["name"] for d in s["disks"]] == ["sda", "sdb"]
md = {m["name"]: m for m in s["md-arrays"]}
assert md["md0"]["members"] == ["part:sda4", "part:sdb4"] and md["md0"]["content"]["luks"] == "luks:cryptroot"
assert md["md1"]["content"]["mountpoint"] == "/boot" and md["md1"]["metadata"] == "1.0"
assert s["luks"][0]["device"] == "md:md0" and s["luks"][0]["content"]["volume-group"] == "vg:pve"
assert s["volume-groups"][0]["physical-volumes"] == ["luks:cryptroot"]
assert s["volume-groups"][0]["free-bytes"] >= 0
PY
expect_exit 0 "$FORJA" plan --answer "$D/md-luks-join.toml" --hardware "$HW"
expect_match 'Cluster: join as member node1'
ok

# --- TPM2-bound LUKS unlock: refused at plan time on a BIOS boot and without
# a TPM 2.0 (exit 2, file:line:col and the key); planned with clevis on PCR 7
"$FIXTURE_HARDWARE" --bios --tpm 2 > hw-bios-tpm.json
expect_exit 2 "$FORJA" plan --answer "$D/luks-tpm2.toml" --hardware hw-bios-tpm.json
expect_match 'luks-tpm2.toml:17:16: disk-setup.encrypt-tpm2: TPM2 unlock binds to PCR 7 .*legacy BIOS mode'
expect_exit 2 "$FORJA" answer validate "$D/luks-tpm2.toml" --hardware hw-bios-tpm.json
expect_match 'luks-tpm2.toml:17:16: disk-setup.encrypt-tpm2: '
expect_exit 2 "$FORJA" plan --answer "$D/luks-tpm2.toml" --hardware "$HW"
expect_match 'luks-tpm2.toml:17:16: disk-setup.encrypt-tpm2: this machine has no TPM 2.0 \(no /sys/class/tpm/tpm0\)'
"$FIXTURE_HARDWARE" --tpm 1 > hw-tpm12.json
expect_exit 2 "$FORJA" plan --answer "$D/luks-tpm2.toml" --hardware hw-tpm12.json
expect_match 'disk-setup.encrypt-tpm2: this machine has no TPM 2.0 \(TPM 1.2 found\)'
"$FIXTURE_HARDWARE" --tpm 2 > hw-tpm2.json
expect_exit 0 "$FORJA" plan --answer "$D/luks-tpm2.toml" --hardware hw-tpm2.json
expect_match 'unlocked at boot by the TPM, PCR 7, with clevis; a recovery key in its own keyslot'
expect_exit 0 "$FORJA" plan --answer "$D/luks-tpm2.toml" --hardware hw-tpm2.json --json
grep -q 'a long enough secret\|correct horse' <<<"$OUT" && fail "a secret in the plan"
python3 -c 'import json, sys; t = json.loads(sys.argv[1])["storage"]["luks"][0]["tpm2"]
assert t == {"pin": "clevis-tpm2", "pcr-bank": "sha256", "pcrs": [7], "recovery-key": ["webhook", "tty1"]}, t' "$OUT" ||
        fail "the plan's tpm2 node"
# the recovery key only to a pinned https webhook
sed -e 's|^cert-fingerprint = .*||' "$D/luks-tpm2.toml" > tpm2-unpinned.toml
expect_exit 2 "$FORJA" answer validate tpm2-unpinned.toml
expect_match 'tpm2-unpinned.toml:18:24: disk-setup.encrypt-recovery-key: "webhook" needs \[post-installation-webhook\] with an https:// url and a cert-fingerprint'
sed -e '/^encrypt-recovery-key/d' "$D/luks-tpm2.toml" > tpm2-nokey.toml
expect_exit 2 "$FORJA" answer validate tpm2-nokey.toml
expect_match 'tpm2-nokey.toml:17:16: disk-setup.encrypt-recovery-key: is required with encrypt-tpm2 = true'
ok

# --- every section: ZFS RAID-Z1 (with /boot on md RAID1) by filter-match all, pinning, first boot, webhook
expect_exit 0 "$FORJA" plan --answer "$D/full.toml" --hardware "$HW" --json
python3 -c '
import json, sys
p = json.loads(sys.stdin.read())
z = p["storage"]["zfs-pools"][0]
assert z["vdevs"] == [{"type": "raidz1", "members": ["part:sda4", "part:sdb4", "part:sdc4", "part:sdd4"]}], z["vdevs"]
# /boot: ext4 on an md RAID1 (metadata 1.0) of partition 3 of every disk
m = p["storage"]["md-arrays"]
assert len(m) == 1 and m[0]["metadata"] == "1.0" and m[0]["members"] == ["part:sda3", "part:sdb3", "part:sdc3", "part:sdd3"], m
assert m[0]["content"]["fstype"] == "ext4" and m[0]["content"]["mountpoint"] == "/boot", m[0]
assert [d["name"] for d in z["datasets"]] == ["rpool/ROOT", "rpool/ROOT/pve-1", "rpool/data"], z["datasets"]
assert [d["content"] for d in z["datasets"]] == [None, None, {"kind": "guest-storage", "storage-id": "local-zfs"}], z["datasets"]
assert z["properties"]["compression"] == "zstd" and z["arc-max-mib"] == 4096
n = p["network"]
assert n["interface"] == "enp65s0f0" and n["interface-on-target"] == "mgmt0", n
assert n["interface-name-pinning"]["mapping"]["a0:36:9f:0a:b3:82"] == "mgmt0"
assert n["interface-name-pinning"]["mapping"]["b4:2e:99:ac:ad:b4"] == "nic0"
assert p["first-boot"]["systemd-target"] == "network-online"
assert p["webhooks"][0]["auth-token-set"] is True
assert p["cluster"]["mode"] == "bootstrap" and p["checks-waived"] == ["iommu-kernel", "root-disk-size"]
assert p["system"]["reboot-mode"] == "power-off"
' <<<"$OUT" || fail "full plan checks"
grep -q 's3cr3t-webhook-token' <<<"$OUT" && fail "webhook token in the plan"
expect_exit 0 "$FORJA" plan --answer "$D/full.toml" --hardware "$HW"
expect_match '^  datasets: rpool/ROOT \(not mounted\), rpool/ROOT/pve-1 on /, rpool/data \(guest storage local-zfs\)$'
ok

# --- [checks] waive must name known check ids
sed 's/^waive = .*/waive = ["iommu-kernel", "iommu"]/' "$D/full.toml" > waive-typo.toml
expect_exit 2 "$FORJA" answer validate waive-typo.toml
expect_match "waive-typo.toml:49:26: checks.waive: 'iommu' is not a check id \\(known: root-disk-size, cpu-64bit, "
ok

# --- device-match
expect_exit 0 "$FORJA" device-match disk 'ID_SERIAL=*MZ7KM240HAGR*' --hardware "$HW"
expect_match '^4 of 10 disks match \(filter-match = any\):'
expect_match '^\* /dev/sdd '
expect_exit 0 "$FORJA" device-match disk 'ID_SERIAL=*MZ7KM240HAGR*' ID_SERIAL_SHORT=S2HRNX0J403419 --filter-match all --hardware "$HW"
expect_match '^1 of 10 disks match \(filter-match = all\):'
expect_exit 1 "$FORJA" device-match network 'ID_NET_DRIVER=e1000*' --hardware "$HW"
expect_match '^0 of 9 network interfaces match'
expect_exit 2 "$FORJA" device-match disk 'ID_SERIAL=[abc' --hardware "$HW"
expect_match "invalid glob"
expect_exit 2 "$FORJA" device-match tape X=1
ok

# --- what /etc/shadow and authorized_keys cannot hold is refused when the plan
#     is built (validate and plan alike), not in stage configure after the wipe
sed 's/^root-password = .*/root-password-hashed = "$y$j9T$abc:def"/' minimal.toml > colon-hash.toml
sed 's/^root-password = .*/root-password-hashed = "not-a-hash"/' minimal.toml > odd-hash.toml
sed 's/^root-password = .*/&\nroot-ssh-keys = ["ssh-ed25519 AAAA a@b\\nssh-rsa AAAA c@d"]/' minimal.toml > two-line-key.toml
for f in colon-hash two-line-key; do
        expect_exit 2 "$FORJA" answer validate $f.toml
        expect_exit 2 "$FORJA" plan --answer $f.toml --hardware "$HW"
done
expect_match 'two-line-key.toml:8:18: global.root-ssh-keys: entry 0 spans lines'
expect_exit 2 "$FORJA" answer validate colon-hash.toml
expect_match "colon-hash.toml:7:24: global.root-password-hashed: cannot stand in /etc/shadow"
! grep -q 'abc:def' <<<"$OUT" || fail "the hash was echoed: $OUT"
# Any other value is used as given, as Proxmox does (root then has no password login).
expect_exit 0 "$FORJA" plan --answer odd-hash.toml --hardware "$HW"
expect_match "global.root-password-hashed: warning: does not look like a crypt"
ok

echo "answer-cli: $ntests groups of checks passed"
