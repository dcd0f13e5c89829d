# Helpers for `forja install` runs on the host against a described machine
# (FORJA_TEST_HARDWARE_INSTALL): its disks do not exist here, so the engine
# stops at the first stage that would open one. Source after testlib.sh.

# described_machine FILE FIRMWARE DISK...: a hardware description (uefi or
# bios) with 64 GiB disks of those names and one NIC with link (eno1,
# 3c:ec:ef:aa:10:01).
described_machine() {
        local file=$1 firmware=$2 disks="" n=0 d
        shift 2
        for d in "$@"; do
                n=$((n + 1))
                disks+="${disks:+,
}    { \"name\": \"$d\", \"path\": \"/dev/$d\", \"size\": 68719476736, \"logical_sector_size\": 512, \"physical_sector_size\": 512,
      \"model\": \"TESTDISK\", \"serial\": \"T$n\", \"properties\": { \"ID_MODEL\": \"TESTDISK\" } }"
        done
        cat >"$file" <<JSON
{
  "format_version": 1,
  "firmware": { "mode": "$firmware", "secure_boot": false },
  "memory_bytes": 17179869184,
  "cpu": { "vendor": "GenuineIntel", "model": "Xeon", "threads": 8, "x86_64": true, "virt_verdict": "usable" },
  "disks": [
$disks
  ],
  "nics": [
    { "name": "eno1", "mac": "3c:ec:ef:aa:10:01", "driver": "igb", "link": true,
      "properties": { "ID_NET_NAME_MAC": "enx3cecefaa1001" } }
  ],
  "dmi": { "system_vendor": "ACME", "system_product": "Rack 1U", "system_serial": "SN-4711",
           "system_uuid": "4c4c4544-0042-3310-8057-b4c04f4d3332" }
}
JSON
}

# every_check_id: the ids of all hardware checks as a TOML array body, for
# [checks] waive, so stage check passes on any host (forja check exits 1 when
# a check fails).
every_check_id() {
        { "$FORJA" check --json || true; } |
                python3 -c 'import json, sys; print(", ".join(json.dumps(c["id"]) for c in json.load(sys.stdin)["checks"]))'
}

# described_answer_head FQDN [GLOBAL-LINES]: the [global] and [network]
# sections of an answer for the described machine (a static address on its
# NIC, matched by MAC); GLOBAL-LINES (e.g. the root password) go into [global].
described_answer_head() {
        cat <<EOT
[global]
keyboard = "en-us"
country = "de"
fqdn = "$1"
mailto = "ops@example.com"
timezone = "Europe/Berlin"
${2:-}

[network]
source = "from-answer"
cidr = "10.10.10.10/24"
dns = "10.10.10.1"
gateway = "10.10.10.1"
filter.ID_NET_NAME_MAC = "*3cecefaa1001"
EOT
}

# described_answer FILE DISK-SETUP: an answer for the described machine (the
# NIC from described_machine, every hardware check waived) whose
# [disk-setup] holds the lines DISK-SETUP.
described_answer() {
        {
                described_answer_head node7.example.com 'root-password = "described-machine-test"'
                cat <<EOT

[disk-setup]
$2

[checks]
waive = [$(every_check_id)]
EOT
        } >"$1"
}
