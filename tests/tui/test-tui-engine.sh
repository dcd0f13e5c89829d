#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The screens' real install (not a dry run) reaches the engine with the same
# node image defaults as the unattended `forja install`: without --image,
# the install medium's node/node.tar.zst and the manifest beside it; with
# --image, the manifest beside that one. A described machine whose disks do
# not exist here (FORJA_TEST_HARDWARE_INSTALL) and an image that does not
# exist: stage verify fails before anything is written, and the failure
# screen names the file the engine looked for. Exit leaves with status 1.
. "$TESTS_LIB/testlib.sh"
. "$FORJA_SRCDIR/tests/tui/tui-lib.sh"
require_cmd tmux python3
[ -e /run/forja/medium ] && skip "/run/forja/medium exists here (an installer environment?)"

make_tmpdir
# The screens log to /run/forja/installer.log when they can: leave no trace here.
[ -e /run/forja ] && RUN_FORJA_WAS_THERE=1 || RUN_FORJA_WAS_THERE=
trap 'tui_stop; rm -rf "$TMPD"; [ -n "$RUN_FORJA_WAS_THERE" ] || rm -rf /run/forja' EXIT
export TERM=screen
cd "$TMPD"
# server.json with disks that are not on this machine (forja refuses the test mode otherwise).
python3 - "$FORJA_SRCDIR/tests/tui/hardware/server.json" >hw.json <<'PY'
import json, sys
hw = json.load(open(sys.argv[1]))
for d, name in zip(hw["disks"], ["vdx", "vdy", "vdz"]):
    d["name"], d["path"] = name, "/dev/" + name
    d.get("properties", {}).pop("DEVLINKS", None)
json.dump(hw, sys.stdout)
PY

# Every screen with its defaults (the first disk, ext4, DHCP), the
# administrator filled in, the summary confirmed: the install starts.
install_through_screens() {
        tui_start "$1" env FORJA_TEST_HARDWARE_INSTALL=1 "$FORJA" install --hardware hw.json \
                --target "$TMPD/target" "${@:2}"
        tui_wait "1 of 8: Welcome"
        tui_keys F12; tui_wait "2 of 8: Disks"
        tui_keys F12; tui_wait "3 of 8: Disk sizes"
        tui_keys F12; tui_wait "4 of 8: Location"
        tui_keys F12; tui_wait "5 of 8: Administrator"
        tui_type "correct-horse-9"; tui_keys Tab
        tui_type "correct-horse-9"; tui_keys Tab
        tui_type "ops@example.org"
        tui_keys F12; tui_wait "6 of 8: Network"
        tui_keys F12; tui_wait "7 of 8: Cluster"
        tui_keys F12; tui_wait "8 of 8: Summary"
        tui_keys Space F12
        tui_wait "The install failed in stage verify"
}

leave() {
        tui_keys Tab Tab Tab Enter
        local code
        code=$(tui_exit_code)
        [ "$code" = 1 ] || fail "$1: Exit on the failure screen gave status $code, expected 1"
        tui_stop
}

install_through_screens medium
tui_screen | grep -Fq "/run/forja/medium/node/node." ||
        { tui_screen >&2; fail "medium: the engine did not look for the medium's node image"; }
leave medium
echo "ok 1 - without --image: the medium's node image"

mkdir img
install_through_screens given --image "$TMPD/img/node.tar.zst"
tui_screen | grep -Fq "$TMPD/img/node." ||
        { tui_screen >&2; fail "given: the engine did not look for $TMPD/img/node.*"; }
tui_screen | grep -Fq "/run/forja/medium" &&
        { tui_screen >&2; fail "given: the engine looked on the medium although --image was given"; }
leave given
echo "ok 2 - --image: that image and the manifest beside it"
echo "2 passed, 0 failed"
