#!/usr/bin/env bash
# The cluster suite: real incusd daemons (Incus 6.0 from bookworm-backports),
# each started ONLY inside a network namespace of its own, joined by veth
# pairs to a bridge that lives in another namespace (198.18.100.0/24, the
# benchmarking range, exists only inside these namespaces: incusd looks up
# an image server at start and must not reach the outside).
#
#   n1  198.18.100.11  forja join: bootstrap (started after forja join, so the wait is tested)
#   n2  198.18.100.12  forja join: join, token from `forja cluster token`
#   n3  198.18.100.13  failure cases first (nothing may change), then join
#   n4  198.18.100.14  join while n1 is killed mid-join
#   imp 198.18.100.20  openssl s_server with another certificate (fingerprint mismatch)
#
# Then: all members Online, a tiny busybox image imported, a container
# created, started, moved between members (stopped) and evacuated.
. "$TESTS_LIB/testlib.sh"

require_root
require_cmd ip openssl incus python3 base64 sha256sum
INCUSD=$(command -v incusd || true)
[ -n "$INCUSD" ] || INCUSD=/usr/libexec/incus/incusd
[ -x "$INCUSD" ] || skip "incusd not found (scripts/install-deps installs incus from bookworm-backports)"
BUSYBOX=$(command -v busybox || true)
[ -n "$BUSYBOX" ] || skip "needs busybox (busybox-static)"

# Become a child subreaper (kept across exec), so that processes incusd
# double-forks (container monitors) are reparented to this script and reaped
# here rather than left as zombies of a PID 1 that may not reap.
if [ -z "${FORJA_CLUSTER_SUBREAPER:-}" ]; then
        export FORJA_CLUSTER_SUBREAPER=1
        exec python3 -c 'import ctypes, os, sys
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
os.execv("/bin/bash", ["bash"] + sys.argv[1:])' "$0" "$@"
fi

TMPD=$(mktemp -d /tmp/forja-cluster.XXXXXX)
chmod 755 "$TMPD"
P=fjc$$                 # prefix of every namespace and link we create
NET=198.18.100
declare -A IP=([n1]=$NET.11 [n2]=$NET.12 [n3]=$NET.13 [n4]=$NET.14 [imp]=$NET.20)
declare -A DPID=()      # incusd PIDs by node
OTHER_PIDS=()           # openssl s_server, background forja runs
NAMESPACES=()
T_START=$(date +%s.%N)

log() { echo "[$(date +%T)] $*" >&2; }
. "$(dirname "$0")/cluster-lib.sh"      # also stop_pids_and_namespaces for cleanup

cleanup() {
        local rc=$? left=()
        set +e
        trap - EXIT
        # Instances first: their monitors outlive incusd.
        for n in n1 n2 n3; do
                [ -n "${DPID[$n]:-}" ] && kill -0 "${DPID[$n]}" 2>/dev/null || continue
                INCUS_DIR=$TMPD/$n timeout 30 incus delete -f c1 >/dev/null 2>&1 && break
        done
        # Also kills anything else still running inside our namespaces
        # (started by us) and deletes them; CL_LEFT: PIDs still alive.
        stop_pids_and_namespaces "${DPID[@]}" "${OTHER_PIDS[@]}"
        grep -q " $TMPD" /proc/mounts && awk -v d="$TMPD" '$2 ~ "^"d {print $2}' /proc/mounts | sort -r | xargs -r umount -l
        left=("${CL_LEFT[@]}")
        rm -rf "$TMPD"
        if [ ${#left[@]} -gt 0 ]; then
                echo "FAIL: processes left running: ${left[*]}" >&2
                rc=1
        fi
        log "cleanup done (started PIDs: ${DPID[*]} ${OTHER_PIDS[*]}; none left running: $([ ${#left[@]} -eq 0 ] && echo yes || echo no))"
        exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- network: a bridge namespace and one namespace per node ----------------
add_bridge_ns
for n in n1 n2 n3 n4 imp; do add_node_ns "$n"; done

# fjv: the same under valgrind when it is installed (memory errors and
# definite leaks fail the test through exit status 99).
VG=()
command -v valgrind >/dev/null && VG=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 --suppressions="$TESTS_LIB/../valgrind.supp")
fjv() { local n=$1; shift; ip netns exec "$P-$n" "${VG[@]}" "$FORJA" "$@"; }
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$(now)"; }

# settings NODE MODE [extra JSON members]: the node's cluster settings file.
settings() {
        local n=$1 mode=$2 extra=${3:-}
        cat >"$TMPD/$n.json" <<EOF
{
  "mode": "$mode",
  "server_name": "$n",
  "address": "${IP[$n]}:8443",
  "token_file": "$TMPD/$n.token",
  "storage": { "pool": "local", "driver": "dir", "source": "$TMPD/pool-$n" },
  "network": { "mode": "bridge", "name": "fjbr0" }${extra:+,
  $extra}
}
EOF
        chmod 600 "$TMPD/$n.json"
}
clustered() {       # clustered NODE -> true/false from forja join --status --json
        fj "$1" join --status --json --socket "$TMPD/$1/unix.socket" --ready-file "$TMPD/$1.ready" |
                python3 -c 'import json,sys; print(str(json.load(sys.stdin)["clustered"]).lower())'
}

log "incus $(incus --version) ($INCUSD), $(dpkg-query -W -f='${Version}' incus 2>/dev/null || echo '?')"

# --- bootstrap n1: forja join starts before incusd and waits for it --------
settings n1 bootstrap
t0=$(now)
fj n1 join --settings "$TMPD/n1.json" --socket "$TMPD/n1/unix.socket" --ready-file "$TMPD/n1.ready" --timeout 60 >"$TMPD/n1.join" 2>&1 &
JOIN1=$!
OTHER_PIDS+=("$JOIN1")
sleep 1
start_daemon n1
start_daemon n2
start_daemon n3
if wait "$JOIN1"; then rc=0; else rc=$?; fi
T_BOOT=$(since "$t0")
cat "$TMPD/n1.join" >&2
[ "$rc" = 0 ] || fail "bootstrap of n1 exited $rc"
grep -q "Bootstrapped a new cluster as 'n1'" "$TMPD/n1.join" || fail "bootstrap did not report success"
[ "$(member_status n1 n1)" = Online ] || fail "n1 is not Online"
[ "$(inc n1 config get core.https_address)" = "${IP[n1]}:8443" ] || fail "core.https_address not set on n1"
inc n1 query /1.0/profiles/default | python3 -c '
import json, sys
d = json.load(sys.stdin)["devices"]
assert d["root"] == {"type": "disk", "path": "/", "pool": "local"}, d
assert d["eth0"] == {"type": "nic", "nictype": "bridged", "parent": "fjbr0"}, d' ||
        fail "default profile lacks the root disk or the bridged NIC"
log "bootstrap n1 (including incusd start): $T_BOOT s"

# Idempotent: a second run changes nothing.
expect_exit 0 fj n1 join --settings "$TMPD/n1.json" --socket "$TMPD/n1/unix.socket" --ready-file "$TMPD/n1.ready"
expect_match "Nothing to do: 'n1' is already an Online cluster member"
# the boot's ready time stays the one the first run recorded
expect_match "^FORJA-INCUS-READY ready_s=$(cat "$TMPD/n1.ready") server=n1 \(recorded earlier in this boot\)$"

wait_daemon n2
wait_daemon n3

# --- tokens: forja cluster token prints what Incus lists -------------------
expect_exit 0 fj n1 cluster token --socket "$TMPD/n1/unix.socket" n2 n3
TOKENS=$OUT
[ "$(wc -l <<<"$TOKENS")" = 2 ] || fail "expected two token lines: $TOKENS"
inc n1 cluster list-tokens -f csv | sort >"$TMPD/incus-tokens"
awk '{print $1 "," $2}' <<<"$TOKENS" | sort >"$TMPD/forja-tokens"
cut -d, -f1,2 "$TMPD/incus-tokens" | diff - "$TMPD/forja-tokens" >&2 ||
        fail "forja cluster token differs from incus cluster list-tokens"
awk '$1=="n2"{print $2}' <<<"$TOKENS" >"$TMPD/n2.token"
awk '$1=="n3"{print $2}' <<<"$TOKENS" >"$TMPD/n3.token.real"
expect_exit 0 fj n1 cluster token --json --socket "$TMPD/n1/unix.socket" n9
TOKEN_N9=$(python3 -c 'import json,sys; l=json.load(sys.stdin); assert l[0]["server_name"]=="n9"; print(l[0]["token"])' <<<"$OUT")
expect_exit 2 fj n1 cluster token --socket "$TMPD/n1/unix.socket"
expect_match "no server names given"

# --- join n2 ----------------------------------------------------------------
settings n2 join
chmod 600 "$TMPD/n2.token"
t0=$(now)
expect_exit 0 fj n2 join --settings "$TMPD/n2.json" --socket "$TMPD/n2/unix.socket" --ready-file "$TMPD/n2.ready"
T_N2=$(since "$t0")
echo "$OUT" >&2
expect_match "Joined the cluster through ${IP[n1]}:8443 as 'n2'"
[ ! -e "$TMPD/n2.token" ] || fail "the token file was not deleted after the join"
[ "$(member_status n1 n2)" = Online ] || fail "n2 is not Online"
inc n1 storage show local --target n2 | grep -q "source: $TMPD/pool-n2" ||
        fail "member_config did not set n2's pool source"
expect_exit 0 fjv n2 join --settings "$TMPD/n2.json" --socket "$TMPD/n2/unix.socket" --ready-file "$TMPD/n2.ready"
expect_match "Nothing to do: 'n2' is already an Online cluster member"
log "join n2: $T_N2 s"

# --- failure cases on n3: precise errors, exit codes, nothing changed ------
CLUSTER_FP=$(openssl x509 -in "$TMPD/n1/cluster.crt" -outform DER | sha256sum | cut -d' ' -f1)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=impostor \
        -keyout "$TMPD/imp.key" -out "$TMPD/imp.crt" 2>/dev/null
IMP_FP=$(openssl x509 -in "$TMPD/imp.crt" -outform DER | sha256sum | cut -d' ' -f1)
ip netns exec "$P-imp" openssl s_server -quiet -www -accept 8443 -cert "$TMPD/imp.crt" -key "$TMPD/imp.key" \
        >/dev/null 2>&1 </dev/null &
OTHER_PIDS+=("$!")
FUTURE=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)
ERRORS=$TMPD/errors.txt

failure_case() {   # failure_case NAME EXIT REGEX TOKEN [forja join args...]
        local name=$1 want=$2 re=$3 token=$4
        shift 4
        printf '%s\n' "$token" >"$TMPD/n3.token"
        settings n3 join
        local t0; t0=$(now)
        expect_exit "$want" fj n3 join --settings "$TMPD/n3.json" --socket "$TMPD/n3/unix.socket" --ready-file "$TMPD/n3.ready" "$@"
        local took; took=$(since "$t0")
        expect_match "$re"
        JOIN_OUT=$OUT
        printf '%s (exit %s, %s s): %s\n' "$name" "$want" "$took" "$OUT" >>"$ERRORS"
        [ -e "$TMPD/n3.token" ] || fail "$name: the token was deleted after a failed join"
        # The installer's check (forja join --verify) gives the same verdict.
        expect_exit "$want" fjv n3 join --verify --settings "$TMPD/n3.json"
        expect_match "$re"
        [ "$(clustered n3)" = false ] || fail "$name: n3 became clustered"
        [ -z "$(inc n3 config get core.https_address)" ] || fail "$name: n3's core.https_address was changed"
}

failure_case expired 2 \
        "cluster.token: the join token for 'n3' expired at 2020-01-01 00:00:00 UTC .*join tokens expire \(cluster.join_token_expiry on the cluster, 3 hours by default\)" \
        "$(mk_token n3 "$CLUSTER_FP" "[\"${IP[n1]}:8443\"]" 2020-01-01T00:00:00Z)"
failure_case other-name 2 \
        "cluster.token: the join token was made for server 'n9', but this server is named 'n3' \(cluster.server-name" \
        "$TOKEN_N9"
failure_case not-a-token 2 "cluster.token: not a join token \(not base64\)" "this is not a token"
failure_case fingerprint 1 \
        "cluster.token: the cluster in the token could not be verified, a server presented another certificate: ${IP[imp]}:8443: certificate fingerprint mismatch: expected $CLUSTER_FP, got $IMP_FP" \
        "$(mk_token n3 "$CLUSTER_FP" "[\"${IP[imp]}:8443\"]" "$FUTURE")"
# The cluster's own certificate served by something that is not Incus.
ip netns exec "$P-imp" openssl s_server -quiet -www -accept 8444 -cert "$TMPD/n1/cluster.crt" \
        -key "$TMPD/n1/cluster.key" >/dev/null 2>&1 </dev/null &
OTHER_PIDS+=("$!")
sleep 0.3
failure_case not-incus 1 \
        "cluster.token: the cluster in the token could not be verified: ${IP[imp]}:8444: right certificate, but GET /1.0 does not answer as Incus \(HTTP 200, not JSON\)" \
        "$(mk_token n3 "$CLUSTER_FP" "[\"${IP[imp]}:8444\"]" "$FUTURE")" --attempts 1
# --verify makes one pass; the join retries (here twice) since an address
# can be unreachable for a moment at boot.
failure_case unreachable 1 \
        "none of the cluster addresses in the token could be reached: $NET.99:8443: unreachable \(.+\); ${IP[imp]}:9443: unreachable \(.+\)" \
        "$(mk_token n3 "$CLUSTER_FP" "[\"$NET.99:8443\",\"${IP[imp]}:9443\"]" "$FUTURE")" --attempts 2
OUT=$JOIN_OUT
expect_match "joining the cluster failed after 2 attempts: attempt 1: cluster.token: none of the cluster addresses"

# --- join n3 with its real token, its link down at first (one retry) ---------
cp "$TMPD/n3.token.real" "$TMPD/n3.token"
settings n3 join
ip -n "$P-n3" link set eth0 down
t0=$(now)
fj n3 --log-level debug --log-file "$TMPD/n3-forja.log" join --settings "$TMPD/n3.json" \
        --socket "$TMPD/n3/unix.socket" --ready-file "$TMPD/n3.ready" >"$TMPD/n3.join" 2>&1 &
JOIN3=$!
OTHER_PIDS+=("$JOIN3")
sleep 0.5
ip -n "$P-n3" link set eth0 up
if wait "$JOIN3"; then rc=0; else rc=$?; fi
T_N3=$(since "$t0")
OUT=$(cat "$TMPD/n3.join")
echo "$OUT" >&2
[ "$rc" = 0 ] || fail "n3's join exited $rc"
expect_match "Attempt 1 failed, retrying in 1 s: cluster.token: none of the cluster addresses in the token could be reached"
expect_match "Joined the cluster through $NET.1[12]:8443 as 'n3' in [0-9.]+ s \(2 attempts\)"
# Neither the token nor its secret reaches the output or the log.
SECRET=$(base64 -d "$TMPD/n3.token.real" | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
[ ${#SECRET} -ge 32 ] || fail "could not read the secret of n3's token"
! grep -qF -e "$(cat "$TMPD/n3.token.real")" -e "$SECRET" "$TMPD/n3-forja.log" - <<<"$OUT" ||
        fail "the join token or its secret was logged"
grep -q "Joining the cluster through" "$TMPD/n3-forja.log" || fail "the log file is empty"
[ ! -e "$TMPD/n3.token" ] || fail "n3's token file was not deleted"
log "join n3 (link down at first, one retry): $T_N3 s"

for via in n1 n2 n3; do
        for m in n1 n2 n3; do
                [ "$(member_status $via $m)" = Online ] || fail "$m is not Online as seen from $via"
        done
done
expect_exit 0 fj n3 join --status --socket "$TMPD/n3/unix.socket" --ready-file "$TMPD/n3.ready"
expect_match "^Server name: +n3$"
expect_match "^Members: +3$"
expect_match "^  n1 +https://${IP[n1]}:8443 +Online"
# the join recorded when Incus became ready (Online) in seconds since the
# kernel started, once per boot: a later run keeps the first time
expect_match "^Ready: +[0-9]+\.[0-9] s after kernel start$"
grep -q '^FORJA-INCUS-READY ready_s=[0-9.]* server=n3$' "$TMPD/n3.join" || fail "n3's join printed no ready marker"
expect_exit 0 fjv n3 join --status --json --socket "$TMPD/n3/unix.socket" --ready-file "$TMPD/n3.ready"
python3 -c '
import json, sys
s = json.loads(sys.argv[1])
assert s["server_name"] == "n3" and s["clustered"] is True and s["status"] == "Online", s
assert sorted(m["server_name"] for m in s["members"]) == ["n1", "n2", "n3"], s
assert all(m["status"] == "Online" for m in s["members"]), s
assert isinstance(s["ready_s"], float) and s["ready_s"] > 0, s
assert "%.1f" % s["ready_s"] == open(sys.argv[2]).read().strip(), s' "$OUT" "$TMPD/n3.ready" || fail "--status --json is wrong"

# --- an instance from a tiny local image, moved between members ---------------
mkdir -p "$TMPD/img/rootfs/bin" "$TMPD/img/rootfs/sbin"
for d in etc proc sys dev tmp root run; do mkdir -p "$TMPD/img/rootfs/$d"; done
cp "$BUSYBOX" "$TMPD/img/rootfs/bin/busybox"
for a in sh ls cat sleep mount ip; do ln -s busybox "$TMPD/img/rootfs/bin/$a"; done
ln -s ../bin/busybox "$TMPD/img/rootfs/sbin/init"
cat >"$TMPD/img/metadata.yaml" <<EOF
architecture: $(uname -m)
creation_date: $(date +%s)
properties:
  description: forja cluster test (busybox)
  os: busybox
EOF
tar -C "$TMPD/img" -czf "$TMPD/tiny.tar.gz" metadata.yaml rootfs
inc n1 image import "$TMPD/tiny.tar.gz" --alias tiny >/dev/null
location() { inc n1 query /1.0/instances/c1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["location"])'; }
state() { inc n1 query /1.0/instances/c1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])'; }
t0=$(now)
inc n1 init tiny c1 --target n1 -q
[ "$(location)" = n1 ] || fail "c1 not created on n1"
CONTAINERS=no
if timeout 60 bash -c "INCUS_DIR=$TMPD/n1 incus start c1" 2>"$TMPD/start.err"; then
        CONTAINERS=yes
        [ "$(state)" = Running ] || fail "c1 did not run"
        [ "$(inc n1 exec c1 -- cat /proc/1/comm)" = init ] || fail "c1's PID 1 is not busybox init"
        inc n1 exec c1 -- ip link show eth0 >/dev/null || fail "c1 has no eth0 from the profile"
        inc n1 stop -f c1
else
        log "containers cannot start here: $(cat "$TMPD/start.err")"
fi
inc n1 move c1 --target n2 -q
[ "$(location)" = n2 ] || fail "c1 did not move to n2"
if [ "$CONTAINERS" = yes ]; then
        inc n1 start c1
        [ "$(state)" = Running ] || fail "c1 does not run on n2"
        inc n1 stop -f c1
fi
inc n1 move c1 --target n3 -q
[ "$(location)" = n3 ] || fail "c1 did not move to n3"
# Evacuating n3 migrates the stopped instance to another member (its pool is
# local, so "auto" would leave it in place: ask for a migration).
inc n1 config set c1 cluster.evacuate=migrate
inc n1 cluster evacuate n3 --force -q >/dev/null
loc=$(location)
[ "$loc" = n1 ] || [ "$loc" = n2 ] || fail "evacuation left c1 on $loc"
[ "$(member_status n1 n3)" = Evacuated ] || fail "n3 is not Evacuated"
inc n1 cluster restore n3 --force -q >/dev/null
[ "$(member_status n1 n3)" = Online ] || fail "n3 is not Online after restore"
inc n1 delete -f c1
T_INST=$(since "$t0")
log "instance: containers run here: $CONTAINERS; create/move/evacuate: $T_INST s"

# --- n4 joins while n1 (the member its join goes through) is killed ------------
start_daemon n4
wait_daemon n4
expect_exit 0 fj n1 cluster token --socket "$TMPD/n1/unix.socket" n4
awk '{print $2}' <<<"$OUT" >"$TMPD/n4.token"
settings n4 join
t0=$(now)
fj n4 join --settings "$TMPD/n4.json" --socket "$TMPD/n4/unix.socket" --ready-file "$TMPD/n4.ready" --attempts 3 >"$TMPD/n4.join" 2>&1 &
JOIN4=$!
OTHER_PIDS+=("$JOIN4")
for i in $(seq 500); do
        inc n4 query '/1.0/operations?recursion=1' 2>/dev/null | grep -q '"Joining cluster"' && break
        sleep 0.01
done
kill -KILL "${DPID[n1]}"
if wait "$JOIN4"; then rc=0; else rc=$?; fi
T_KILL=$(since "$t0")
OUT=$(cat "$TMPD/n4.join")
echo "$OUT" >&2
[ "$rc" = 1 ] || fail "join with n1 killed exited $rc, expected 1"
expect_match "^error: join: .*(joining through ${IP[n1]}:8443 failed|the token was used already, revoked, or held by a member that is down)"
printf 'killed-mid-join (exit 1, %s s): %s\n' "$T_KILL" "$(grep '^error' <<<"$OUT")" >>"$ERRORS"
[ "$(clustered n4)" = false ] || fail "n4 claims to be clustered"
[ -e "$TMPD/n4.token" ] || fail "n4's token was deleted after a failed join"
# The other two keep the cluster going and list n1 Offline, n4 not at all.
for i in $(seq 40); do [ "$(member_status n2 n1)" = Offline ] && break; sleep 0.5; done
[ "$(member_status n2 n1)" = Offline ] || fail "n1 is not Offline after the kill"
[ "$(member_status n2 n3)" = Online ] || fail "n3 is not Online after n1's kill"
inc n2 query /1.0/cluster/members | grep -q '/n4"' && fail "n4 is listed as a member"

# --- standalone on n4 (not clustered after the failed join), managed network ---
cat >"$TMPD/n4-standalone.json" <<EOF
{
  "mode": "standalone",
  "server_name": "n4",
  "address": "${IP[n4]}:8443",
  "storage": { "pool": "default", "driver": "dir", "source": "$TMPD/pool-n4" },
  "network": { "mode": "managed", "name": "fjnet0", "device": "eth1",
               "config": { "ipv4.address": "none", "ipv6.address": "none" } }
}
EOF
expect_exit 0 fj n4 join --settings "$TMPD/n4-standalone.json" --socket "$TMPD/n4/unix.socket" --ready-file "$TMPD/n4.ready"
expect_match "Set up 'n4' standalone"
[ "$(clustered n4)" = false ] || fail "standalone n4 is clustered"
inc n4 query /1.0/storage-pools/default | grep -q '"driver": "dir"' || fail "standalone pool missing"
inc n4 query /1.0/networks/fjnet0 | grep -q '"managed": true' || fail "managed network fjnet0 missing"
inc n4 query /1.0/profiles/default | python3 -c '
import json, sys
d = json.load(sys.stdin)["devices"]
assert d["root"] == {"type": "disk", "path": "/", "pool": "default"}, d
assert d["eth1"] == {"type": "nic", "network": "fjnet0"}, d' || fail "standalone profile devices wrong"
expect_exit 0 fj n4 join --settings "$TMPD/n4-standalone.json" --socket "$TMPD/n4/unix.socket" --ready-file "$TMPD/n4.ready"
expect_match "Nothing to do: 'n4' is already set up standalone"
# A standalone settings file on a cluster member is refused.
expect_exit 1 fj n2 join --settings "$TMPD/n4-standalone.json" --socket "$TMPD/n2/unix.socket" --ready-file "$TMPD/n2.ready"
expect_match "cluster.mode: standalone, but this server is already a member of a cluster as 'n2'"

echo "--- failure cases (error texts) ---" >&2
cat "$ERRORS" >&2
log "join times: bootstrap n1 $T_BOOT s (incl. incusd start), n2 $T_N2 s, n3 $T_N3 s (one retry, 1 s backoff); n1 killed mid-join failed in $T_KILL s"
log "cluster: all checks passed in $(since "$T_START") s"
