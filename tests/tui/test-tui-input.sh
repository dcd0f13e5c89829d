#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad input on every field of the text-mode installer: each one gets the
# answer schema's message in place (under the field) and the installer keeps
# running; then the terminal sizes: smaller than 80x24 is refused with a
# clear message and exit 2, a terminal reporting 0x0 (serial) is 80x24.
. "$TESTS_LIB/testlib.sh"
. "$FORJA_SRCDIR/tests/tui/tui-lib.sh"
require_cmd tmux

make_tmpdir
trap 'tui_stop; rm -rf "$TMPD"' EXIT
HW=$FORJA_SRCDIR/tests/tui/hardware/server.json
"$FORJA_SRCDIR/tests/hwcheck/make-sysroot.sh" intel-vtx-enabled "$TMPD/sysroot" >/dev/null
export TERM=screen
CHECKED=0

clear_type() {
        tui_keys C-a C-k
        tui_type "$1"
}

# bad TEXT MESSAGE: type TEXT into the focused entry, the message must show.
bad() {
        clear_type "$1"
        tui_wait "$2"
        LAST_ERROR=$2
        CHECKED=$((CHECKED + 1))
}

# good TEXT SHOWN: a value that is fine: the last error goes, SHOWN is there.
good() {
        clear_type "$1"
        tui_wait_gone "$LAST_ERROR"
        tui_wait "$2"
}

on() {
        tui_wait "$1"
}

cd "$TMPD"
tui_start input env FORJA_CHECK_SYSROOT="$TMPD/sysroot" "$FORJA" install --dry-run --hardware "$HW"
on "1 of 8: Welcome"
tui_keys F12
on "2 of 8: Disks"
# No disk.
tui_keys Space
on "Need either 'disk-list' or 'filter' set"; CHECKED=$((CHECKED + 1))
tui_keys Up
on "sda holds: gpt"
tui_keys Space
on "sdb holds: nothing found"
# Btrfs without a RAID level, then encryption with Btrfs.
tui_keys Tab Tab Tab Space
on "Btrfs raid level 'btrfs.raid' must be set"; CHECKED=$((CHECKED + 1))
tui_keys F12
on "2 of 8: Disks"
# Next put the cursor on the RAID level; back to ext4.
tui_keys BTab BTab BTab Space
on "(*) ext4"
tui_keys Tab Tab Tab Tab Tab Tab Tab Space
tui_keys F12
on "must be at least 8 characters long"; CHECKED=$((CHECKED + 1))
LAST_ERROR="must be at least 8 characters long"
tui_snap disks-bad-passphrase
good "correct-horse-9" "Sizes (hdsize"
tui_keys F12
on "3 of 8: Disk sizes"
bad "abc" "TOML syntax error"
good "" "root 96.00 GiB"
tui_keys Tab
bad "-1" "must be a number of at least 0"
tui_snap sizes-bad-swapsize
good "" "swap 8.00 GiB"
tui_keys Tab
bad "1" "must be a number of at least 2"
good "" "root 96.00 GiB"
tui_keys Tab
bad "x" "TOML syntax error"
good "" "left free 16.00 GiB"
tui_keys Tab
bad "y" "TOML syntax error"
good "" "data 318.61 GiB"
tui_keys F12
on "4 of 8: Location"
bad "Mars/Olympus" "timezone 'Mars/Olympus' is not valid"
good "UTC" "Time zone"
tui_keys Tab
bad "zz" "country code 'zz' is not valid"
tui_snap locale-bad
good "us" "Country"
tui_keys F12
on "5 of 8: Administrator"
tui_type "short"
# The short password stops the plan. Back on the sizes screen the preview
# names the screen and the key to fix, never a generic "see the errors"
# that this screen does not show.
tui_keys F9
on "4 of 8: Location"
tui_keys F9
on "3 of 8: Disk sizes"
on "see the Administrator screen"
on "global.root-password"
tui_snap sizes-password-elsewhere
if tui_screen | grep -q "see the errors"; then
        tui_screen >&2
        fail "the sizes screen points at errors it does not show"
fi
CHECKED=$((CHECKED + 1))
tui_keys F12
on "4 of 8: Location"
tui_keys F12
on "5 of 8: Administrator"
tui_keys F12
on "must be at least 8 characters long"; CHECKED=$((CHECKED + 1))
clear_type "correct-horse-9"; tui_keys Tab
tui_type "correct-horse-8"; tui_keys Tab
bad "not-an-email" "does not look like a valid address"
tui_snap admin-bad
tui_keys F12
on "5 of 8: Administrator"
good "ops@example.org" "E-mail"
tui_keys F12
on "The two passwords differ"; CHECKED=$((CHECKED + 1))
# Next put the cursor on the second password.
clear_type "correct-horse-9"
tui_keys F12
on "6 of 8: Network"
tui_keys Tab Space Tab
bad "bad_name" "must only consist of labels"
good "pve1.example.org" "Host name"
tui_keys Tab
bad "10.0.0.300/24" "invalid IP address/prefix"
good "10.0.0.7/24" "Address/CIDR"
tui_keys Tab
bad "x" "'x' is not a valid IPv4 or IPv6 address"
good "10.0.0.1" "Gateway"
tui_keys Tab
bad "y" "'y' is not a valid IPv4 or IPv6 address"
good "10.0.0.2" "DNS server"
tui_keys F12
on "7 of 8: Cluster"
tui_keys Tab Tab Space Tab
tui_type "not-a-token"
tui_keys F12
on "did not verify"; CHECKED=$((CHECKED + 1))
tui_keys Tab
bad "bad name!" "must be a single host name label"
tui_keys BTab BTab BTab BTab Space
on "(*) Standalone"
tui_keys Tab Tab Tab Tab
clear_type ""
tui_keys F12
on "8 of 8: Summary"
# No confirmation, then a path that cannot be written.
tui_keys F12
on "Tick the confirmation first"; CHECKED=$((CHECKED + 1))
tui_keys Tab
tui_type "$TMPD/no/such/dir/answer.toml"
tui_keys Tab Enter
on "Cannot save the answer file"; CHECKED=$((CHECKED + 1))
tui_keys BTab BTab Space F12
[ "$(tui_exit_code)" = 0 ] || fail "the installer did not finish after the bad input"
echo "ok 1 - $CHECKED bad inputs shown in place"
tui_stop

# A terminal smaller than 80x24.
TUI_COLS=60 TUI_ROWS=20 tui_start small env FORJA_CHECK_SYSROOT="$TMPD/sysroot" "$FORJA" install --dry-run --hardware "$HW"
[ "$(tui_exit_code)" = 2 ] || fail "a 60x20 terminal: exit status is not 2"
tui_history | grep -q "needs a terminal of at least 80x24; this one is 60x20" || { tui_history >&2; fail "no size message"; }
echo "ok 2 - 60x20 refused"
tui_stop

# A serial line that reports 0x0.
tui_start serial sh -c 'stty rows 0 cols 0 && stty size >"$0" && exec "$@"' "$TMPD/size" env FORJA_CHECK_SYSROOT="$TMPD/sysroot" "$FORJA" install --dry-run --hardware "$HW"
on "1 of 8: Welcome"
[ "$(cat "$TMPD/size")" = "0 0" ] || fail "stty did not set 0x0"
tui_screen | grep -q "│  <Stop>" || fail "0x0: the window is not drawn at 80x24"
echo "ok 3 - 0x0 is 80x24"
tui_stop

echo "3 passed, 0 failed"
