#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `forja check` as a command: bad usage exits 2, text output is aligned,
# -q shows only what needs attention, --waive, --json shape, the live run.
. "$TESTS_LIB/testlib.sh"
require_cmd python3

here=$FORJA_SRCDIR/tests/hwcheck
make_tmpdir

# Bad usage and bad input: exit 2, one clear message.
expect_exit 2 "$FORJA" check --frobnicate
expect_match "unknown option '--frobnicate'"
expect_exit 2 "$FORJA" check --sysroot
expect_match "needs an argument"
expect_exit 2 "$FORJA" check --sysroot "$TMPD/missing"
expect_match "$TMPD/missing: No such file or directory"
touch "$TMPD/file"
expect_exit 2 "$FORJA" check --sysroot "$TMPD/file"
expect_match "Not a directory"
expect_exit 2 "$FORJA" check extra-argument
expect_match "unexpected argument 'extra-argument'"
expect_exit 2 "$FORJA" check --waive cpu-virt,no-such-check
expect_match "unknown check id 'no-such-check'"

"$here/make-sysroot.sh" intel-vtx-enabled "$TMPD/ok"
"$here/make-sysroot.sh" kvm-not-loaded "$TMPD/noload"
"$here/make-sysroot.sh" memory-1gib "$TMPD/1g"

# A malformed CPUID fixture is bad input, named with its line.
"$here/make-sysroot.sh" intel-vtx-enabled "$TMPD/bad"
printf '1 0 12 34\n' >>"$TMPD/bad/cpuid.txt"
expect_exit 2 "$FORJA" check --sysroot "$TMPD/bad"
expect_match "cpuid.txt:7: too few fields"

# Text output: one line per check, the status column aligned (like virt-host-validate).
expect_exit 0 "$FORJA" check --sysroot "$TMPD/ok"
lines=$(grep -E '^[a-z0-9-]+ +Checking ' <<<"$OUT")
[ "$(wc -l <<<"$lines")" = 28 ] || fail "expected 28 check lines, got: $lines"
cols=$(awk '{ print index($0, " : ") }' <<<"$lines" | sort -u)
[ "$(wc -l <<<"$cols")" = 1 ] || fail "status column not aligned (positions: $(echo $cols))"
expect_match '^cpu-virt +Checking for hardware virtualization +: PASS  usable: Intel VT-x present and enabled'
expect_match '^ +msr: IA32_FEATURE_CONTROL \(MSR 0x3a\) = 0x5 from .*/dev/cpu/0/msr: locked, VMX outside SMX enabled'
expect_match '^Result: this machine can host KVM virtual machines and containers'

# -q: nothing at all when everything passes; only warn/fail lines otherwise.
expect_exit 0 "$FORJA" check -q --sysroot "$TMPD/ok"
[ -z "$OUT" ] || fail "-q printed output for a passing machine: $OUT"
expect_exit 0 "$FORJA" check --quiet --sysroot "$TMPD/1g"
expect_match '^memory +Checking for enough memory +: WARN  981 MiB of memory \(MemTotal 1004524 kB\), below the recommended 1.9 GiB'
! grep -Eq ': (PASS|INFO) ' <<<"$OUT" || fail "-q printed passing checks: $OUT"
expect_exit 1 "$FORJA" check -q --sysroot "$TMPD/noload"
expect_match '^cpu-virt .*: FAIL  module-not-loaded: '
expect_match "hint: Load the module: 'modprobe kvm_intel'"
expect_match '^kvm-device .*: FAIL  /dev/kvm is missing'
expect_match '^Result: this machine cannot host .*2 checks failed \(cpu-virt, kvm-device\)'
[ "$(grep -c ': FAIL' <<<"$OUT")" = 2 ] || fail "-q should list exactly the 2 failures: $OUT"

# --waive: the installer's escape hatch, by id.
expect_exit 1 "$FORJA" check -q --sysroot "$TMPD/noload" --waive cpu-virt
expect_exit 0 "$FORJA" check -q --sysroot "$TMPD/noload" --waive cpu-virt --waive kvm-device
expect_match 'FAIL  module-not-loaded: .*\(waived\)'
expect_match '2 failures waived'
"$FORJA" check --json --sysroot "$TMPD/noload" --waive cpu-virt,kvm-device >"$TMPD/w.json"
python3 - "$TMPD/w.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["version"] == 1 and r["ok"] is True, r
c = {x["id"]: x for x in r["checks"]}
assert c["cpu-virt"]["status"] == "fail" and c["cpu-virt"]["waived"] is True
assert c["memory"]["waived"] is False
assert r["summary"] == {"pass": 24, "info": 2, "warn": 0, "fail": 0, "waived": 2}, r["summary"]
assert r["cpu"]["vendor"] == "GenuineIntel" and r["cpu"]["hypervisor"] is None
assert r["cpu"]["verdict"] == "module-not-loaded" and r["cpu"]["decided_by"] == "kvm"
assert {e["source"] for e in r["cpu"]["evidence"]} == {"cpuid", "msr", "kernel-log", "kvm"}, r["cpu"]["evidence"]
assert r["sysroot"].endswith("/noload")
PY

# The live system: whatever the host is, the report is complete and the exit
# code agrees with it (the verdict itself is checked in the e2e QEMU test).
set +e
"$FORJA" check --json >"$TMPD/live.json"
code=$?
set -e
python3 - "$TMPD/live.json" "$code" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
code = int(sys.argv[2])
assert len(r["checks"]) == 28
assert r["sysroot"] is None
assert r["cpu"]["verdict"] in ("usable", "disabled-by-firmware", "module-not-loaded", "absent", "guest-without-nested")
assert code == (0 if r["ok"] else 1), (code, r["ok"])
PY

# UEFI with Secure Boot on and off: the efivarfs variable under the EFI global
# variable GUID (8be4df61-93ca-11d2-aa0d-00e098032b8c), 4 attribute bytes + value.
"$here/make-sysroot.sh" intel-vtx-enabled "$TMPD/sb"
mkdir -p "$TMPD/sb/sys/firmware/efi/efivars"
printf '\x06\x00\x00\x00\x01' >"$TMPD/sb/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
expect_exit 0 "$FORJA" check --sysroot "$TMPD/sb"
expect_match 'firmware +Checking firmware mode +: INFO  UEFI$'
expect_match 'secure-boot +Checking Secure Boot state +: INFO  enabled$'
printf '\x06\x00\x00\x00\x00' >"$TMPD/sb/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
expect_exit 0 "$FORJA" check --sysroot "$TMPD/sb"
expect_match 'secure-boot +Checking Secure Boot state +: INFO  disabled$'
# --guests: its own options, and a clear failure (exit 1) without incusd.
expect_exit 2 "$FORJA" check --guests --sysroot "$TMPD/sb"
expect_match "it takes no --sysroot"
expect_exit 2 "$FORJA" check --guests --waive cpu-virt
expect_match "it takes no --waive"
expect_exit 2 "$FORJA" check --vm-timeout 60
expect_match "vm-timeout goes with --guests"
expect_exit 2 "$FORJA" check --guests --vm-timeout 5
expect_match "vm-timeout takes seconds from 10 to 7200, got '5'"
expect_exit 2 "$FORJA" check --vm-config raw.qemu=-cpu
expect_match "vm-config goes with --guests"
for bad in novalue =x 'Raw.Qemu=x' 'raw qemu=x'; do
        expect_exit 2 "$FORJA" check --guests --vm-config "$bad"
        expect_match "vm-config takes KEY=VALUE"
done
mkdir -p "$TMPD/noincus"
INCUS_DIR=$TMPD/noincus expect_exit 1 "$FORJA" check --guests
expect_match "cannot talk to incusd at $TMPD/noincus/unix.socket"
echo "hwcheck cli: all checks passed"
