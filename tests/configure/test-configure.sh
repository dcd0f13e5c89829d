#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Stage 6 (installer/configure.h) on fake target trees: plans made by the real
# `forja plan --json` from the answers in answers/, the files written compared
# with expected/ (written by hand; only the yescrypt salt+hash is scrubbed,
# SSH host keys are checked by type, mode and comment), modes and owners, the
# hash verified with crypt(), no secret in any file, the redacted answer still
# TOML, and the error cases. Root: chown, and ssh-keygen runs chrooted.
#   test-configure.sh DRIVER TOML_DECODER
. "$TESTS_LIB/testlib.sh"
require_root
require_cmd ssh-keygen ldd diff
DRIVER=$1 DECODER=$2
HERE=$FORJA_SRCDIR/tests/configure
MACHINE_IDS=()          # the machine-id of each install (check_common)
HW=$FORJA_SRCDIR/tests/inventory/hardware
[ -f /usr/share/zoneinfo/Europe/Vienna ] || skip "needs tzdata"
make_tmpdir

# A target tree shaped like the trixie node image where configure looks.
make_tree() {
        local t=$1
        mkdir -p "$t"/etc/ssh "$t"/etc/default "$t"/usr/share/zoneinfo/Europe "$t"/usr/lib/systemd/system \
                "$t"/var/lib/dbus "$t"/root "$t"/usr/bin
        printf 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n' >"$t/etc/passwd"
        printf 'root:*:20783:0:99999:7:::\ndaemon:*:20783:0:99999:7:::\nadmin:!:20783:0:99999:7:::\n' >"$t/etc/shadow"
        chown 0:42 "$t/etc/shadow"
        chmod 640 "$t/etc/shadow"
        cp /usr/share/zoneinfo/Europe/Vienna "$t/usr/share/zoneinfo/Europe/"
        ln -s ../locale.conf "$t/etc/default/locale"
        ln -s default/keyboard "$t/etc/vconsole.conf"
        ln -s /usr/share/zoneinfo/Etc/UTC "$t/etc/localtime"
        echo 0123456789abcdef0123456789abcdef >"$t/etc/machine-id"
        cp "$t/etc/machine-id" "$t/var/lib/dbus/machine-id"
        echo "nameserver 10.255.255.53" >"$t/etc/resolv.conf"
        echo "stale key" >"$t/etc/ssh/ssh_host_ed25519_key"
        echo "stale key" >"$t/etc/ssh/ssh_host_dsa_key"
        cp "$HERE"/units/* "$t/usr/lib/systemd/system/"
        # the forja package ships this one on every node, not enabled
        cp "$FORJA_SRCDIR/installer/forja-md-degraded.service" "$t/usr/lib/systemd/system/"
        # the target's own ssh-keygen runs chrooted: give the tree one with its libraries
        mkdir -p "$t/dev"
        mknod -m 666 "$t/dev/null" c 1 3   # the image carries /dev nodes (mmdebstrap)
        cp /usr/bin/ssh-keygen "$t/usr/bin/"
        for lib in $(ldd /usr/bin/ssh-keygen | grep -o '/[^ ]*'); do
                mkdir -p "$t$(dirname "$lib")"
                cp -L "$lib" "$t$lib"
        done
}

make_plan() { # ANSWER HARDWARE OUT
        "$FORJA" plan --answer "$HERE/answers/$1.toml" --hardware "$HW/$2.json" --json >"$3" ||
                fail "forja plan failed for $1"
}

# compare SCENARIO TREE: every file under expected/SCENARIO equals the tree's.
compare() {
        local exp=$HERE/expected/$1 t=$2 f n=0
        while IFS= read -r f; do
                if [ "$f" = etc/shadow ] && grep -q '<HASH>' "$exp/$f"; then
                        sed -E 's/^root:\$y\$[^:]+:/root:<HASH>:/' "$t/$f" | diff -u "$exp/$f" - ||
                                fail "$1: $f differs"
                else
                        diff -u "$exp/$f" "$t/$f" || fail "$1: $f differs"
                fi
                n=$((n + 1))
        done < <(cd "$exp" && find . -type f | sed 's|^\./||' | sort)
        echo "$1: $n files as expected"
}

expect_mode() { # PATH "MODE UID:GID"
        local got
        got=$(stat -c '%a %u:%g' "$1")
        [ "$got" = "$2" ] || fail "$1: mode/owner $got, expected $2"
}

expect_link() { # PATH DEST
        [ -L "$1" ] || fail "$1 is not a symlink"
        [ "$(readlink "$1")" = "$2" ] || fail "$1 -> $(readlink "$1"), expected $2"
}

no_secret() { # TREE STRING...
        local t=$1; shift
        for s in "$@"; do
                if grep -rlF -- "$s" "$t"; then
                        fail "secret '$s' found in the files above"
                fi
        done
}

check_common() { # TREE HOSTNAME [md]: md when the plan has md arrays
        local t=$1 host=$2 md=${3:-} k
        # identity
        # A new random ID (v4 UUID bits), not the image's
        grep -qxE '[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}' "$t/etc/machine-id" &&
                [ "$(wc -l <"$t/etc/machine-id")" = 1 ] ||
                fail "machine-id is not one line of 32 hex digits of a random UUID: $(cat "$t/etc/machine-id")"
        [ "$(cat "$t/etc/machine-id")" != 0123456789abcdef0123456789abcdef ] || fail "the image's machine-id was kept"
        MACHINE_IDS+=("$(cat "$t/etc/machine-id")")
        expect_mode "$t/etc/machine-id" "444 0:0"
        [ ! -e "$t/var/lib/dbus/machine-id" ] || fail "the stale D-Bus machine-id is still there"
        [ ! -e "$t/etc/ssh/ssh_host_dsa_key" ] || fail "a stale host key was kept"
        for k in rsa ecdsa ed25519; do
                expect_mode "$t/etc/ssh/ssh_host_${k}_key" "600 0:0"
                expect_mode "$t/etc/ssh/ssh_host_${k}_key.pub" "644 0:0"
                head -1 "$t/etc/ssh/ssh_host_${k}_key" | grep -q 'BEGIN OPENSSH PRIVATE KEY' ||
                        fail "ssh_host_${k}_key is not a new private key"
                OUT=$(ssh-keygen -l -f "$t/etc/ssh/ssh_host_${k}_key.pub") || fail "ssh-keygen -l: $k"
                expect_match " root@$host \\($(echo $k | tr a-z A-Z)\\)\$"
        done
        # files and modes
        expect_mode "$t/etc/shadow" "640 0:42"
        expect_mode "$t/etc/forja/answer.toml" "600 0:0"
        expect_mode "$t/etc/fstab" "644 0:0"
        expect_mode "$t/etc/hostname" "644 0:0"
        expect_mode "$t/etc/forja/node.json" "644 0:0"
        expect_link "$t/etc/localtime" ../usr/share/zoneinfo/Europe/Vienna
        expect_link "$t/etc/default/locale" ../locale.conf
        expect_link "$t/etc/vconsole.conf" default/keyboard
        # systemd-networkd enabled as `systemctl enable` would
        local u=/usr/lib/systemd/system
        expect_link "$t/etc/systemd/system/multi-user.target.wants/systemd-networkd.service" $u/systemd-networkd.service
        expect_link "$t/etc/systemd/system/dbus-org.freedesktop.network1.service" $u/systemd-networkd.service
        expect_link "$t/etc/systemd/system/sockets.target.wants/systemd-networkd.socket" $u/systemd-networkd.socket
        expect_link "$t/etc/systemd/system/network-online.target.wants/systemd-networkd-wait-online.service" \
                $u/systemd-networkd-wait-online.service
        # forja-md-degraded.service only where the plan has md arrays
        local md_link=$t/etc/systemd/system/sysinit.target.wants/forja-md-degraded.service links=4
        if [ "$md" = md ]; then
                expect_link "$md_link" $u/forja-md-degraded.service
                links=5
        else
                [ ! -e "$md_link" ] && [ ! -L "$md_link" ] || fail "forja-md-degraded.service enabled on a node without md arrays"
        fi
        [ "$(find "$t/etc/systemd/system" -type l | wc -l)" = $links ] || fail "unexpected unit links: $(find "$t/etc/systemd/system" -type l)"
        # the redacted answer is still TOML; nothing temporary left behind
        "$DECODER" <"$t/etc/forja/answer.toml" >/dev/null || fail "the redacted answer does not parse"
        ! find "$t" -name '*.forja-tmp' | grep . || fail "temporary files left"
}

# expect_exit, and no sanitizer report in the output (the dev build runs this
# too, and an error case exits 1 whether or not ASan found something).
run_driver() {
        expect_exit "$@"
        if grep -qE 'Sanitizer|runtime error:' <<<"$OUT"; then
                echo "$OUT" >&2
                fail "sanitizer report from: $*"
        fi
}

network_files() { (cd "$1/etc/systemd/network" && ls | tr '\n' ' '); }

# --- 1. ext4, plain password, two ssh keys, install log ----------------------
T=$TMPD/plain; make_tree "$T"; make_plan plain-keys bios-vm-minimal "$TMPD/plain.json"
printf 'forja install: stage 6/8 configure\na line that should never exist: password Plain-Pass-7431 leaked\ndone\n' >"$TMPD/install.log"
start=$(date +%s%N)
run_driver 0 "$DRIVER" --root "$T" --plan "$TMPD/plain.json" --answer "$HERE/answers/plain-keys.toml" \
        --mount none:swap:5c2e8f3a-7a1b-4c1e-9d3e-0f1a2b3c4d5e::0 \
        --mount /:ext4:1b4e28ba-2fa1-11d2-883f-0016d3cca427:errors=remount-ro:1 \
        --log "$TMPD/install.log"
echo "plain: configure_target took $(( ($(date +%s%N) - start) / 1000000 )) ms"
compare plain-keys "$T"
check_common "$T" pveauto
run_driver 0 "$DRIVER" --verify-shadow "$T/etc/shadow" Plain-Pass-7431
run_driver 1 "$DRIVER" --verify-shadow "$T/etc/shadow" Plain-Pass-7432
expect_mode "$T/root/.ssh" "700 0:0"
expect_mode "$T/root/.ssh/authorized_keys" "600 0:0"
expect_mode "$T/var/log/forja/install.log" "600 0:0"
[ "$(network_files "$T")" = "10-forja-vmbr0.netdev 20-forja-ens18.network 30-forja-vmbr0.network " ] ||
        fail "network files: $(network_files "$T")"
no_secret "$T" Plain-Pass-7431
"$FORJA" answer validate "$T/etc/forja/answer.toml" >/dev/null || fail "the redacted answer is not a valid answer"
# a second run over the configured tree gives the same files (new salt and keys)
old_key=$(cat "$T/etc/ssh/ssh_host_ed25519_key.pub")
run_driver 0 "$DRIVER" --root "$T" --plan "$TMPD/plain.json" --answer "$HERE/answers/plain-keys.toml" \
        --mount none:swap:5c2e8f3a-7a1b-4c1e-9d3e-0f1a2b3c4d5e::0 \
        --mount /:ext4:1b4e28ba-2fa1-11d2-883f-0016d3cca427:errors=remount-ro:1 \
        --log "$TMPD/install.log"
compare plain-keys "$T"
check_common "$T" pveauto
[ "$(cat "$T/etc/ssh/ssh_host_ed25519_key.pub")" != "$old_key" ] || fail "the second run kept the host key"
run_driver 0 "$DRIVER" --verify-shadow "$T/etc/shadow" Plain-Pass-7431

# --- 2. hashed password, no keys --------------------------------------------
T=$TMPD/hashed; make_tree "$T"; make_plan hashed bios-vm-minimal "$TMPD/hashed.json"
run_driver 0 "$DRIVER" --root "$T" --plan "$TMPD/hashed.json" --answer "$HERE/answers/hashed.toml" \
        --mount /:ext4:1b4e28ba-2fa1-11d2-883f-0016d3cca427::1
compare hashed "$T"
check_common "$T" hashed
[ ! -e "$T/root/.ssh" ] || fail "/root/.ssh made without keys"
[ ! -e "$T/var/log/forja" ] || fail "an install log without --log"
no_secret "$T" Hashed-Pass-2207
"$FORJA" answer validate "$T/etc/forja/answer.toml" >/dev/null 2>&1 || fail "the redacted answer is not a valid answer"
# kept exactly as given; the hash was made with python3 -c 'import crypt;
# print(crypt.crypt("Hashed-Pass-2207", "$y$j9T$F0rjaTestSalt0123456$"))'
run_driver 0 "$DRIVER" --verify-shadow "$T/etc/shadow" Hashed-Pass-2207

# --- 3. interface name pinning, address from the DHCP lease, UEFI mounts ----
T=$TMPD/pinning; make_tree "$T"; make_plan pinning uefi-2disk-server "$TMPD/pinning.json"
run_driver 0 "$DRIVER" --root "$T" --plan "$TMPD/pinning.json" --answer "$HERE/answers/pinning.toml" \
        --mount none:swap:0e8f5d2b-6c3a-4b19-a7d4-91e2f3c4b5a6::0 \
        --mount /boot/efi:vfat:3F2A-91C4:umask=0077:2 \
        --mount /:xfs:7d3b9c1e-52a4-4f0b-8e61-2c9d0a4b7e13::1
compare pinning "$T"
check_common "$T" node1
[ "$(network_files "$T")" = "10-forja-vmbr0.netdev 20-forja-mgmt0.network 30-forja-vmbr0.network 50-forja-mgmt0.link 50-forja-nic1.link " ] ||
        fail "network files: $(network_files "$T")"
run_driver 0 "$DRIVER" --verify-shadow "$T/etc/shadow" Pinned-Pass-5520
no_secret "$T" Pinned-Pass-5520

# --- 4. static network from the answer, every kind of secret ---------------
T=$TMPD/static; make_tree "$T"; make_plan static uefi-2disk-server "$TMPD/static.json"
run_driver 0 "$DRIVER" --root "$T" --plan "$TMPD/static.json" --answer "$HERE/answers/static.toml" \
        --mount /:ext4:1b4e28ba-2fa1-11d2-883f-0016d3cca427:errors=remount-ro:1
compare static "$T"
check_common "$T" static-node
run_driver 0 "$DRIVER" --verify-shadow "$T/etc/shadow" Static-Pass-9902
no_secret "$T" Static-Pass-9902 'Luks-' Phrase Webhook-Token-6671 Cluster-Token
"$FORJA" answer validate "$T/etc/forja/answer.toml" >/dev/null 2>&1 || fail "the redacted answer is not a valid answer"
# Every install made its own machine ID.
[ "$(printf '%s\n' "${MACHINE_IDS[@]}" | sort -u | wc -l)" = "${#MACHINE_IDS[@]}" ] ||
        fail "two installs got the same machine-id: ${MACHINE_IDS[*]}"

# --- 5. a gateway outside the subnet: its route is onlink -------------------
T=$TMPD/onlink; make_tree "$T"; make_plan onlink uefi-2disk-server "$TMPD/onlink.json"
run_driver 0 "$DRIVER" --root "$T" --plan "$TMPD/onlink.json" --answer "$HERE/answers/onlink.toml" \
        --mount /:ext4:1b4e28ba-2fa1-11d2-883f-0016d3cca427::1
compare onlink "$T"

# --- 6. serial console ------------------------------------------------------
T=$TMPD/serial; make_tree "$T"
run_driver 0 "$DRIVER" --root "$T" --plan "$TMPD/plain.json" --answer "$HERE/answers/plain-keys.toml" \
        --mount /:ext4:1b4e28ba-2fa1-11d2-883f-0016d3cca427::1 --serial ttyS1,57600
compare serial "$T"

# --- 6. md RAID1 over two disks: forja-md-degraded.service enabled --------
T=$TMPD/md; make_tree "$T"; make_plan md uefi-2disk-server "$TMPD/md.json"
run_driver 0 "$DRIVER" --root "$T" --plan "$TMPD/md.json" --answer "$HERE/answers/md.toml" \
        --mount none:swap:5c2e8f3a-7a1b-4c1e-9d3e-0f1a2b3c4d5e::0 \
        --mount /boot/efi:vfat:3F2A-91C4:umask=0077:2 \
        --mount /:ext4:1b4e28ba-2fa1-11d2-883f-0016d3cca427:errors=remount-ro:1
compare md "$T"
check_common "$T" mirror md
no_secret "$T" Mirror-Pass-3318
# the unit is still in the image of the other nodes, only not enabled
[ -f "$TMPD/plain/usr/lib/systemd/system/forja-md-degraded.service" ] || fail "the plain tree lacks the unit file"

# --- redaction of every TOML spelling --------------------------------------
run_driver 0 "$DRIVER" --redact "$HERE/redact/tricky.toml"
diff -u "$HERE/redact/tricky.redacted.toml" <(printf '%s\n' "$OUT") || fail "redaction differs"
"$DECODER" <"$HERE/redact/tricky.redacted.toml" >/dev/null || fail "the redacted fixture does not parse"
echo "redaction: as expected"

# --- errors: each names the file and the reason -----------------------------
run_plain() { # TREE [extra args]
        local t=$1; shift
        run_driver 1 "$DRIVER" --root "$t" --plan "$TMPD/plain.json" --answer "$HERE/answers/plain-keys.toml" \
                --mount /:ext4:1b4e28ba-2fa1-11d2-883f-0016d3cca427::1 "$@"
}
T=$TMPD/no-shadow; make_tree "$T"; rm "$T/etc/shadow"
run_plain "$T"
expect_match "$T/etc/shadow: No such file or directory"

T=$TMPD/no-root-line; make_tree "$T"; sed -i '/^root:/d' "$T/etc/shadow"
run_plain "$T"
expect_match "$T/etc/shadow: no line for root"

T=$TMPD/no-zone; make_tree "$T"; rm "$T/usr/share/zoneinfo/Europe/Vienna"
run_plain "$T"
expect_match "$T/usr/share/zoneinfo/Europe/Vienna: unknown time zone 'Europe/Vienna'"

T=$TMPD/no-keygen; make_tree "$T"; rm "$T/usr/bin/ssh-keygen"
run_plain "$T"
expect_match "$T/usr/bin/ssh-keygen: cannot make the SSH host keys"

T=$TMPD/no-networkd; make_tree "$T"; rm "$T/usr/lib/systemd/system/systemd-networkd.service"
run_plain "$T"
expect_match "systemd-networkd.service is not in the image"

T=$TMPD/bad-serial; make_tree "$T"
run_plain "$T" --serial 'ttyS0;reboot'
expect_match "forja.cfg: bad serial console 'ttyS0;reboot'"

T=$TMPD/no-rootfs; make_tree "$T"
run_driver 1 "$DRIVER" --root "$T" --plan "$TMPD/plain.json" --answer "$HERE/answers/plain-keys.toml" \
        --mount none:swap:5c2e8f3a-7a1b-4c1e-9d3e-0f1a2b3c4d5e::0
expect_match "$T/etc/fstab: no file system is mounted on /"

run_driver 1 "$DRIVER" --root "$TMPD/absent" --plan "$TMPD/plain.json" --answer "$HERE/answers/plain-keys.toml" \
        --mount /:ext4:1b4e28ba-2fa1-11d2-883f-0016d3cca427::1
expect_match "$TMPD/absent: No such file or directory"

# a read-only target: a tmpfs holding a complete tree, remounted read-only
T=$TMPD/ro; mkdir "$T"
mount -t tmpfs -o size=64m forja-test-configure "$T" || fail "cannot mount a tmpfs"
trap 'umount "$TMPD/ro" 2>/dev/null || true; rm -rf "$TMPD"' EXIT
make_tree "$T"
mount -o remount,ro "$T" || fail "cannot remount read-only"
run_plain "$T"
expect_match "$T/etc/fstab: Read-only file system"
umount "$T"
echo "errors: as expected"
