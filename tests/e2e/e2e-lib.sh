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

# e2e_drop_images PATH...: once a test has passed, removes the disk images
# and prepared ISOs it made under PATH (files or folders; logs, answers and
# serial logs stay), so a whole run holds the images of the running tests
# only: each install leaves 1.5 to 2.5 GB otherwise, and CI machines can be
# short of disk. The shared $E2E_ISO stays. FORJA_E2E_KEEP=1 keeps them.
e2e_drop_images() {
        [ "${FORJA_E2E_KEEP:-0}" = 1 ] && return 0
        local kib
        kib=$(find "$@" -type f \( -name '*.qcow2' -o -name '*.raw' -o -name '*.img' -o -name '*.iso' \
                                   -o -name '*.orig' -o -name 'node.tar*' \) \
                   ! -path "$E2E_ISO" -printf '%k\n' -delete 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
        echo "e2e: removed this test's disk images and ISOs ($((kib / 1024)) MiB); FORJA_E2E_KEEP=1 keeps them"
}

# The JSON printed between FORJA-CHECK-BEGIN and FORJA-CHECK-END must parse
# as a non-empty object; prints it (shortened).
e2e_check_json() {
        python3 "$E2E_HERE/serial-json.py" "$1" FORJA-CHECK-BEGIN FORJA-CHECK-END
}

# e2e_ns_begin: the bookkeeping of a test that makes namespaces
# (NAMESPACES, PIDS and HPID, tests/cluster/cluster-lib.sh's helpers) and
# e2e_ns_cleanup on every exit. Call it at the top level of the test.
e2e_ns_begin() {
        NAMESPACES=()
        PIDS=()
        HPID=
        . "$FORJA_SRCDIR/tests/cluster/cluster-lib.sh"
        trap e2e_ns_cleanup EXIT
        trap 'exit 130' INT TERM
}

# e2e_tls_cert DIR ADDRESS: a throw-away self-signed certificate for an
# answer server on ADDRESS (DIR/cert.pem, DIR/key.pem); its SHA-256
# fingerprint in FP.
e2e_tls_cert() {
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$1/key.pem" \
                -out "$1/cert.pem" -days 1 -subj "/CN=$2" -addext "subjectAltName=IP:$2" 2>/dev/null ||
                fail "openssl req failed"
        FP=$(openssl x509 -in "$1/cert.pem" -noout -fingerprint -sha256 | cut -d= -f2)
}

# The discovery tests' cleanup on every exit: the harness ($HPID), PIDS and
# NAMESPACES (tests/cluster/cluster-lib.sh); a process left running fails.
e2e_ns_cleanup() {
        local rc=$?
        set +e
        trap - EXIT
        stop_pids_and_namespaces ${HPID:+"$HPID"} "${PIDS[@]}"
        if [ ${#CL_LEFT[@]} -gt 0 ]; then
                echo "FAIL: processes left running: ${CL_LEFT[*]}" >&2
                rc=1
        fi
        exit $rc
}

# An answer server (tests/lib/http-test-server.py) in $P-net on ADDR serving
# WORKDIR/http, requests logged to WORKDIR/http.log; extra arguments go to the
# server (--tls CERT KEY). Sets PORT; appends its PID to PIDS.
#   e2e_answer_server P ADDR WORKDIR [ARG...]
e2e_answer_server() {
        local p=$1 addr=$2 work=$3
        shift 3
        ip netns exec "$p-net" python3 "$TESTS_LIB/http-test-server.py" --root "$work/http" --bind "$addr" \
                --port-file "$work/port" --log "$work/http.log" "$@" 2>"$work/server.stderr" &
        PIDS+=($!)
        for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
        [ -s "$work/port" ] || fail "the answer server did not start: $(cat "$work/server.stderr")"
        PORT=$(cat "$work/port")
}

# The network of the discovery tests, only inside the namespace $P-net (the
# caller sources tests/cluster/cluster-lib.sh and cleans up NAMESPACES and
# PIDS): bridge br0 at NET.1/24 and the node's tap ${P}tap on it.
#   e2e_dhcp_ns P NET
e2e_dhcp_ns() {
        local p=$1 net=$2
        add_ns "$p-net"
        ip -n "$p-net" link add br0 type bridge
        ip -n "$p-net" addr add "$net.1/24" dev br0
        ip -n "$p-net" link set br0 up
        ip -n "$p-net" tuntap add dev "${p}tap" mode tap
        ip -n "$p-net" link set "${p}tap" master br0
        ip -n "$p-net" link set "${p}tap" up
}

# dnsmasq on that br0, DHCP only (port=0: no DNS), router and DNS server
# NET.1, with the extra dnsmasq.conf lines given, e.g. 'dhcp-option=250,"URL"'
# (quoted: dnsmasq reads a bare colon-separated fingerprint as hex bytes).
# Appends its PID to PIDS; its log is WORKDIR/dnsmasq.log.
#   e2e_dnsmasq P NET WORKDIR [CONF-LINE...]
e2e_dnsmasq() {
        local p=$1 net=$2 work=$3
        shift 3
        {
                printf '%s\n' port=0 interface=br0 bind-interfaces "dhcp-range=$net.50,$net.99,255.255.255.0,1h" \
                        "dhcp-option=option:router,$net.1" "dhcp-option=option:dns-server,$net.1" \
                        "dhcp-leasefile=$work/leases" dhcp-authoritative log-dhcp
                printf '%s\n' "$@"
        } >"$work/dnsmasq.conf"
        ip netns exec "$p-net" dnsmasq --keep-in-foreground --conf-file="$work/dnsmasq.conf" --user=root \
                --pid-file="$work/dnsmasq.pid" --log-facility="$work/dnsmasq.log" 2>"$work/dnsmasq.stderr" &
        PIDS+=($!)
        sleep 1
        kill -0 "${PIDS[-1]}" 2>/dev/null ||
                fail "dnsmasq did not start: $(cat "$work/dnsmasq.stderr" "$work/dnsmasq.log" 2>/dev/null)"
}
