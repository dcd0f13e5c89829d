#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e: the text-mode installer on the serial console, driven to a real
# install of one disk, then the installed disk boots.
# The plain ISO (no answer) boots on SeaBIOS with a blank 16 GiB disk; init
# starts `forja install` on ttyS0 (the kernel console). tui-drive.py answers
# each screen once its text is on the console: F12 through welcome (the KVM
# checks fail under TCG: continue anyway), disks (vda, ext4), sizes and
# location; a root password too short, then Back (F9) to the sizes screen,
# which must name the Administrator screen and global.root-password as what
# stops its plan; forward again, the root password twice and an e-mail, a
# host name on the network screen (DHCP), standalone, the summary's
# confirmation; waits for the done screen (it must name the host) and
# chooses Reboot (QEMU exits: -no-reboot).
# The disk then boots alone; root logs in on the serial getty with the
# password typed in the installer, and the node's host name, root file
# system (ext4 on /dev/mapper/pve-root) and disk (volume group pve on a
# partition of vda) must be the ones chosen. No --image is given anywhere:
# forja install takes the medium's node image by itself.
. "$TESTS_LIB/testlib.sh"
. "$(dirname "$0")/e2e-lib.sh"

e2e_require
e2e_build_iso

work=$E2E_DIR/tui-serial
rm -rf "$work"
mkdir -p "$work"
t0=$SECONDS
echo "e2e tui-serial: load at the start:$(uptime | sed 's/.*load average: */ /')"
python3 "$E2E_HERE/tui-drive.py" --iso "$E2E_ISO" --workdir "$work" --hostname tui-serial.forja.test \
        --password "tui-$RANDOM-$RANDOM-secret" --expect-fs ext4 ||
        fail "the serial installer did not install a node that boots as chosen (logs: $work/*.serial.log)"
e2e_drop_images "$work"
echo "e2e tui-serial: all checks passed in $((SECONDS - t0)) s (load at the end:$(uptime | sed 's/.*load average: */ /'))"
