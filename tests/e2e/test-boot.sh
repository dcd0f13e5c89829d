#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e: the forja ISO boots to the installer's first step and reports the
# hardware check on the serial console.
#   test-boot.sh FIRMWARE [BOOT]   FIRMWARE: bios | uefi | secureboot
#                                  BOOT: cdrom (default) | disk (dd to a USB stick)
. "$TESTS_LIB/testlib.sh"
. "$(dirname "$0")/e2e-lib.sh"

firmware=${1:?firmware}
boot=${2:-cdrom}
e2e_require
e2e_build_iso

name=boot-$firmware-$boot
# forja.test=poweroff: the installer powers off after its markers, so QEMU
# exits and the test can also check a clean end.
e2e_boot "$name" --iso "$E2E_ISO" --firmware "$firmware" --boot "$boot" --disk 8G \
        --fw-cmdline forja.test=poweroff --timeout 600 --wait-exit \
        --expect 'forja-init: forja installer [0-9.]+ starting' \
        --expect '^FORJA-MEDIUM device=/dev/[a-z0-9]+ label=FORJA_' \
        --expect '^FORJA-DEVKVM=' \
        --expect '^FORJA-CHECK-BEGIN' \
        --expect '^FORJA-CHECK-END status=[01]\b' \
        --expect '^FORJA-INSTALLER-READY' \
        --expect '^FORJA-POWEROFF' || fail "$firmware/$boot boot failed (serial log $SERIAL_LOG)"

OUT=$(cat "$SERIAL_LOG")
# -cpu max exposes SVM under TCG, so kvm_amd loads and /dev/kvm appears.
expect_match '^FORJA-DEVKVM=yes'
# Secure Boot really was on (shim and the kernel were verified), or off.
if [ "$firmware" = secureboot ]; then
        expect_match '^FORJA-SECUREBOOT=enabled'
else
        expect_match '^FORJA-SECUREBOOT=(disabled|unsupported)'
fi
# No unattended run without an answer.
if grep -q '^FORJA-UNATTENDED' "$SERIAL_LOG"; then
        fail "the plain ISO started an unattended install"
fi
e2e_check_json "$SERIAL_LOG" || fail "the hardware check printed no JSON object"
echo "e2e boot $firmware/$boot: all checks passed"
