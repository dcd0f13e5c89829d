# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers of the e2e suite: build the ISO through the cache and boot it with
# qemu-harness.py. Source after testlib.sh.
#
#   FORJA_E2E_CACHE   build cache (default /var/cache/forja, as `forja iso build`)
#   FORJA_E2E_DIR     where the ISO and serial logs go (default $FORJA_BUILDDIR/e2e)
#   FORJA_E2E_SOURCE  the forja source tree the ISO's .deb is built from (default:
#                     the tree of the forja binary; e.g. a `git archive` of HEAD)

E2E_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HARNESS=$E2E_HERE/qemu-harness.py
E2E_DIR=${FORJA_E2E_DIR:-$FORJA_BUILDDIR/e2e}
E2E_CACHE=${FORJA_E2E_CACHE:-/var/cache/forja}
E2E_ISO=$E2E_DIR/forja.iso

e2e_require() {
        require_root
        require_cmd python3 qemu-system-x86_64 qemu-img mmdebstrap xorriso mkfs.vfat mcopy zstd cpio flock
}

# The ISO of an earlier test of this run is reused while nothing that goes
# into it changed since: not the forja binary (relinked when any C source
# changes), not iso-build/data/, not debian/. FORJA_E2E_REBUILD=1 forces a
# build. (In a shared work tree the source hash would otherwise change under a
# running suite.)
e2e_iso_is_fresh() {
        [ "${FORJA_E2E_REBUILD:-0}" != 1 ] && [ -f "$E2E_ISO" ] && [ "$E2E_ISO" -nt "$FORJA" ] &&
                [ -z "$(find "$FORJA_SRCDIR/iso-build/data" "$FORJA_SRCDIR/debian" -newer "$E2E_ISO" -print -quit)" ]
}

# Builds $E2E_ISO through the cache: the first run of the suite builds every
# part (several minutes), later runs only assemble the ISO. One build at a
# time (flock), so tests started together share it. With --with-zfs,
# $E2E_ISO is the ZFS build (forja-zfs.iso; its first build compiles the ZFS
# modules, about 5 more minutes).
e2e_build_iso() {
        local flags=() log=$E2E_DIR/iso-build.log
        if [ "${1:-}" = --with-zfs ]; then
                flags=(--with-zfs)
                E2E_ISO=$E2E_DIR/forja-zfs.iso
                log=$E2E_DIR/iso-build-zfs.log
        fi
        mkdir -p "$E2E_DIR"
        local t0=$SECONDS
        exec 9>"$E2E_DIR/.build.lock"
        flock 9
        if e2e_iso_is_fresh; then
                echo "e2e: reusing $E2E_ISO"
        else
                "$FORJA" iso build "${flags[@]}" --cache-dir "$E2E_CACHE" ${FORJA_E2E_SOURCE:+--source "$FORJA_E2E_SOURCE"} \
                        -o "$E2E_ISO" >"$log" 2>&1 || {
                        tail -n 40 "$log" >&2
                        fail "forja iso build failed (log: $log)"
                }
                echo "e2e: ISO built in $((SECONDS - t0)) s: $E2E_ISO ($(du -m "$E2E_ISO" | cut -f1) MiB)"
        fi
        flock -u 9
}

# e2e_boot NAME HARNESS-ARGS...: boots with a serial log at $E2E_DIR/NAME.serial.log
e2e_boot() {
        local name=$1; shift
        SERIAL_LOG=$E2E_DIR/$name.serial.log
        python3 "$HARNESS" --serial-log "$SERIAL_LOG" "$@"
}

# e2e_no_secrets ANSWER [--http-log LOG]... FILE...: no value of any secret
# key of ANSWER (the keys the schema marks secret, build/tests/secret-keys;
# the secret inside a join token too) is in the FILEs (serial logs) or in the
# bodies of the requests in an http LOG (webhooks); the canary sweep of
# tests/secrets/canary.py. Prints what it found.
e2e_no_secrets() {
        local answer=$1; shift
        "${FORJA_SECRET_KEYS:?the build sets FORJA_SECRET_KEYS}" >"$answer.secret-keys" &&
                python3 "$FORJA_SRCDIR/tests/secrets/canary.py" values "$answer.secret-keys" "$answer" \
                        "$answer.secrets.json" >/dev/null &&
                python3 "$FORJA_SRCDIR/tests/secrets/canary.py" scan "$answer.secrets.json" "$@"
}

# The JSON printed between FORJA-CHECK-BEGIN and FORJA-CHECK-END must parse
# as a non-empty object; prints it (shortened).
e2e_check_json() {
        python3 "$E2E_HERE/serial-json.py" "$1" FORJA-CHECK-BEGIN FORJA-CHECK-END
}
