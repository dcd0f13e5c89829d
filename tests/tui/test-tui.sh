#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The text-mode installer driven like a person would, under tmux at 80x24:
# `forja install --dry-run --hardware server.json` through every screen for
# several paths. Each path saves its answer file, which must equal the
# hand-written expected/NAME.toml, and `forja plan` on it must print exactly
# the plan the installer printed. Screens are compared with screens/*.txt.
. "$TESTS_LIB/testlib.sh"
. "$FORJA_SRCDIR/tests/tui/tui-lib.sh"
require_cmd tmux

make_tmpdir
trap 'tui_stop; rm -rf "$TMPD"' EXIT
HW=$FORJA_SRCDIR/tests/tui/hardware/server.json
EXPECTED=$FORJA_SRCDIR/tests/tui/expected
for f in intel-vtx-enabled intel-vtx-locked-off; do
        "$FORJA_SRCDIR/tests/hwcheck/make-sysroot.sh" "$f" "$TMPD/$f" >/dev/null
done
export TERM=screen
PASSED=0

# A path: start the dry run in its own directory (the answer is saved there).
start() {
        local name=$1 sysroot=${2:-intel-vtx-enabled}
        mkdir -p "$TMPD/$name"
        cd "$TMPD/$name"
        tui_start "$name" env FORJA_CHECK_SYSROOT="$TMPD/$sysroot" "$FORJA" install --dry-run --hardware "$HW"
        tui_wait "1 of 8: Welcome"
}

# Next (F12) until screen N is up, one screen at a time.
next_to() {
        local n=$1 cur
        cur=$(tui_screen | sed -n 's/.*|  *\([0-9]\) of 8:.*/\1/p')
        while [ "${cur:-0}" -lt "$n" ]; do
                tui_keys F12
                tui_wait "$((cur + 1)) of 8:"
                cur=$((cur + 1))
        done
}

clear_type() {
        tui_keys C-a C-k
        tui_type "$1"
}

admin() {
        next_to 5
        tui_type "correct-horse-9"; tui_keys Tab
        tui_type "correct-horse-9"; tui_keys Tab
        tui_type "ops@example.org"
}

# The summary: confirm, save as answer.toml, finish; then the checks.
finish() {
        local name=$1
        tui_wait "8 of 8: Summary"
        tui_keys Space Tab
        tui_type "answer.toml"
        tui_keys Tab Enter
        tui_wait "Saved to answer.toml"
        [ "$name" = ext4-single ] && tui_snap summary-saved
        tui_keys F12
        local code
        code=$(tui_exit_code)
        [ "$code" = 0 ] || { tui_history >&2; fail "$name: forja install --dry-run exited $code"; }
        diff -u "$EXPECTED/$name.toml" answer.toml >&2 || fail "$name: the saved answer differs from expected/$name.toml"
        # The plan the installer printed, and forja plan on the saved answer.
        tui_history | sed -n '/^Install plan for /,/^FORJA-TUI-END$/p' | sed '$d' >shown-plan.txt
        grep -q "^Install plan for answer.toml" shown-plan.txt || { tui_history >&2; fail "$name: no plan printed"; }
        "$FORJA" plan --answer answer.toml --hardware "$HW" >plan.txt
        diff -u plan.txt shown-plan.txt >&2 || fail "$name: forja plan differs from the plan the installer showed"
        tui_stop
        PASSED=$((PASSED + 1))
        echo "ok $PASSED - $name"
}

# 1. One disk, ext4, DHCP, standalone; every screen captured.
start ext4-single
tui_snap welcome
tui_keys F12
tui_wait "2 of 8: Disks"
tui_snap disks
tui_keys F12
tui_wait "root 96.00 GiB"
tui_snap sizes
tui_keys F12
tui_wait "4 of 8: Location"
clear_type "Europe/Vienna"; tui_keys Tab
clear_type "at"; tui_keys Tab Home
tui_wait "Layout: German (de)"
tui_snap locale
tui_keys F9
tui_wait "3 of 8: Disk sizes"
next_to 4
admin
tui_keys Tab
tui_type "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOpsKeyForTheInstallerTest ops@example.org"
tui_snap admin
tui_keys F12
tui_wait "6 of 8: Network"
tui_snap network
tui_keys F12
tui_wait "7 of 8: Cluster"
tui_snap cluster
tui_keys F12
tui_wait "8 of 8: Summary"
tui_snap summary
finish ext4-single

# 2. Two disks, Btrfs RAID1.
start btrfs-raid1
tui_keys F12
tui_wait "2 of 8: Disks"
tui_keys Down Space Tab Tab Tab Space Tab Tab Tab Space
tui_wait "(*) raid1"
tui_snap disks-btrfs-raid1
tui_keys F12
tui_wait "btrfs RAID1 over every disk"
tui_snap sizes-btrfs-raid1
next_to 4
admin
next_to 8
finish btrfs-raid1

# 3. A static network on the second interface, with a bad address first.
start static-network
admin
next_to 6
tui_keys Down Tab Space Tab
clear_type "node7.example.org"; tui_keys Tab
clear_type "10.0.0.300/24"; tui_keys Tab
tui_wait "10.0.0.300"
tui_keys F12
tui_wait "invalid IP address/prefix"
tui_snap network-bad-cidr
# Next put the cursor on the field with the error.
clear_type "10.0.0.7/24"; tui_keys Tab
clear_type "10.0.0.1"; tui_keys Tab
clear_type "10.0.0.2"
tui_wait "Management interface: eno2"
tui_snap network-static
next_to 8
finish static-network

# 4. Join with a token, verified on the spot (decoded, not expired, made
# for this member; no cluster to ask here, so verify is off). A token that is
# not one is refused in place first.
TOKEN=$(printf '{"server_name":"pve1","fingerprint":"%s","addresses":["127.0.0.1:1"],"secret":"s3cr3t","expires_at":"2099-01-01T00:00:00Z"}' \
        5d5e7ee1c0a0f1e2d3c4b5a697887766554433221100ffeeddccbbaa99887766 | base64 -w0)
start join intel-vtx-locked-off
tui_wait "Continue anyway"
tui_snap welcome-failing-check
admin
next_to 7
tui_keys Tab Tab Space Tab
tui_type "not-a-token"
tui_keys F12
tui_wait "did not verify"
tui_snap cluster-bad-token
clear_type "$TOKEN"
tui_keys Tab Tab Space
next_to 8
finish join

# 5. Going back and changing a choice: ext4 first, then back from the
# administrator screen to the disks to pick xfs.
start back-and-change
admin
for n in 4 3 2; do
        tui_keys F9
        tui_wait "$n of 8:"
done
tui_keys Tab Tab Space
tui_wait "(*) xfs"
next_to 8
finish back-and-change

echo "$PASSED passed, 0 failed"
