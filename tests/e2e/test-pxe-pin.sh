#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e: a PXE boot whose answer server presents a certificate that does not
# match forja.answer-fingerprint= refuses: /init sees an answer URL, forja
# install fetches it, the handshake fails on the pin, no install starts, the
# disk stays byte-identical, and the console names the mismatch. The https server (its own self-signed certificate) runs on
# loopback and is reached through guestfwd; QEMU boots from its TFTP as in
# e2e-install-pxe. forja.test=poweroff ends the boot.
. "$TESTS_LIB/testlib.sh"
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/pxe-lib.sh"

e2e_require
require_cmd openssl sha256sum
e2e_build_iso

work=$E2E_DIR/pxe-pin
rm -rf "$work"
mkdir -p "$work/http/answers"
server_pid=
cleanup() {
        # wait reports the server's SIGTERM (143): under set -e (testlib.sh)
        # that would become the test's exit status after every check passed.
        if [ -n "$server_pid" ]; then
                kill "$server_pid" 2>/dev/null || true
                wait "$server_pid" 2>/dev/null || true
        fi
}
trap cleanup EXIT

printf '[global]\nkeyboard = "en-us"\ncountry = "us"\nfqdn = "pinned.forja.test"\nmailto = "root@forja.test"\n' \
        >"$work/http/answers/$E2E_PXE_MAC.toml"
printf 'timezone = "UTC"\nroot-password = "never-installed"\n[network]\nsource = "from-dhcp"\n' \
        >>"$work/http/answers/$E2E_PXE_MAC.toml"
printf '[disk-setup]\nfilesystem = "ext4"\ndisk-list = ["vda"]\nexisting-data = "wipe"\n' \
        >>"$work/http/answers/$E2E_PXE_MAC.toml"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 \
        -subj /CN=10.0.2.100 2>/dev/null || fail "openssl req failed"
real_fp=$(openssl x509 -in "$work/cert.pem" -noout -fingerprint -sha256 | cut -d= -f2)
# A pin that is a valid fingerprint, just not this certificate's.
wrong_fp=$(echo "$real_fp" | tr '0-9A-F' '1-9A-F0')
python3 "$TESTS_LIB/http-test-server.py" --root "$work/http" --tls "$work/cert.pem" "$work/key.pem" \
        --port-file "$work/port" --log "$work/http.log" 2>"$work/server.stderr" &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || fail "the https server did not start: $(cat "$work/server.stderr")"

# A disk holding data the install would wipe.
disk=$work/disk.raw
truncate -s 1G "$disk"
head -c 4M /dev/urandom | dd of="$disk" conv=notrunc status=none
before=$(sha256sum <"$disk")

e2e_pxe_tftp "$work" "set forja-answer https://10.0.2.100/answers/{mac}.toml
set forja-args forja.answer-fingerprint=$wrong_fp forja.test=poweroff"
t0=$SECONDS
e2e_boot pxe-pin --boot net --tftp "$work/tftp" --bootfile boot.ipxe --mac "$E2E_PXE_MAC" \
        --guestfwd "tcp:10.0.2.100:443-tcp:127.0.0.1:$(cat "$work/port")" --disk "$disk" \
        --memory 1536 --timeout 900 \
        --expect '^FORJA-NET iface=' --expect '^FORJA-UNATTENDED answer=https://10\.0\.2\.100/' \
        --expect "server certificate fingerprint .* does not match the pinned" \
        --expect '^FORJA-INSTALL-END status=1' --expect '^FORJA-POWEROFF' \
        --fail '^FORJA-INSTALL-START' --fail '^FORJA-STAGE ' --wait-exit ||
        fail "the pinned answer was not refused as expected (serial log $SERIAL_LOG)"
echo "e2e pxe-pin: refused in $((SECONDS - t0)) s (QEMU wall time, PXE boot included)"
[ "$(sha256sum <"$disk")" = "$before" ] || fail "the disk changed although the answer was refused"
# The handshake failed, so no request ever reached the server.
! grep -q '"path"' "$work/http.log" 2>/dev/null || fail "the server answered a request despite the pin"
e2e_drop_images "$work"
echo "e2e pxe-pin: refused, no request served, disk byte-identical"
