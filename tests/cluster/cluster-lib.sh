# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the cluster suite (test-cluster.sh) and the e2e join test
# (tests/e2e/test-join.sh): network namespaces joined by veth pairs to a bridge
# that lives in a namespace of its own, and incusd daemons started ONLY inside
# those namespaces. Source after testlib.sh; the caller sets:
#   P            prefix of every namespace and link (short: link names <= 15)
#   TMPD         scratch directory (one INCUS_DIR per node below it)
#   INCUSD       the incusd binary
#   IP           associative array: node -> its address on the bridge (/24)
#   DPID         associative array: node -> incusd PID (filled here)
#   NAMESPACES   array of the namespaces made (filled here)
#   CL_HOST_BRIDGE  the bridge made inside each node's namespace for instances
#                   (default fjbr0)

add_ns() {
        ip netns add "$1"
        NAMESPACES+=("$1")
        ip -n "$1" link set lo up
}

# The bridge namespace $P-br with br0.
add_bridge_ns() {
        add_ns "$P-br"
        ip -n "$P-br" link add br0 type bridge
        ip -n "$P-br" link set br0 up
}

add_node_ns() {
        local n=$1 ns=$P-$1
        add_ns "$ns"
        ip link add "$P${n}a" type veth peer name "$P${n}b"
        ip link set "$P${n}a" netns "$ns"
        ip link set "$P${n}b" netns "$P-br"
        ip -n "$ns" link set "$P${n}a" name eth0
        ip -n "$ns" addr add "${IP[$n]}/24" dev eth0
        ip -n "$ns" link set eth0 up
        ip -n "$P-br" link set "$P${n}b" master br0
        ip -n "$P-br" link set "$P${n}b" up
        # The host bridge instances are bridged onto (network mode "bridge").
        ip -n "$ns" link add "${CL_HOST_BRIDGE:-fjbr0}" type bridge
        ip -n "$ns" link set "${CL_HOST_BRIDGE:-fjbr0}" up
}

start_daemon() {
        local n=$1
        mkdir -p "$TMPD/$n" "$TMPD/pool-$n"
        INCUS_DIR=$TMPD/$n ip netns exec "$P-$n" "$INCUSD" --group root --logfile "$TMPD/$n.log" \
                >"$TMPD/$n.out" 2>&1 &
        DPID[$n]=$!
}
wait_daemon() {
        local n=$1
        for i in $(seq 150); do
                INCUS_DIR=$TMPD/$n incus query /1.0 >/dev/null 2>&1 && return 0
                kill -0 "${DPID[$n]}" 2>/dev/null || { cat "$TMPD/$n.out" >&2; fail "incusd $n died at start"; }
                sleep 0.2
        done
        fail "incusd $n did not answer within 30 s"
}
inc() { local n=$1; shift; INCUS_DIR=$TMPD/$n incus "$@"; }
fj() { local n=$1; shift; ip netns exec "$P-$n" "$FORJA" "$@"; }
# mk_token NAME FINGERPRINT ADDRESSES_JSON EXPIRES_AT: a hand-made token.
mk_token() {
        printf '{"server_name":"%s","fingerprint":"%s","addresses":%s,"secret":"%s","expires_at":"%s"}' \
                "$1" "$2" "$3" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" "$4" | base64 -w0
}
member_status() {   # member_status VIA NAME
        inc "$1" query "/1.0/cluster/members/$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])'
}

# Stops PIDS... (TERM, then KILL after 20 s), then anything still running in
# our namespaces (started by us), and deletes the namespaces. CL_LEFT gets
# the PIDS still alive (not zombies) afterwards: empty when all are gone.
stop_pids_and_namespaces() {
        local pid ns left=()
        for pid in "$@"; do kill -TERM "$pid" 2>/dev/null; done
        for i in $(seq 100); do
                left=()
                for pid in "$@"; do kill -0 "$pid" 2>/dev/null && left+=("$pid"); done
                [ ${#left[@]} -eq 0 ] && break
                sleep 0.2
        done
        for pid in "${left[@]}"; do kill -KILL "$pid" 2>/dev/null; done
        for ns in "${NAMESPACES[@]}"; do
                for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
        done
        sleep 0.5
        wait 2>/dev/null
        for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
        CL_LEFT=()
        for pid in "$@"; do
                [ -d /proc/$pid ] && [ "$(awk '{print $3}' /proc/$pid/stat 2>/dev/null)" != Z ] && CL_LEFT+=("$pid")
        done
        return 0
}
