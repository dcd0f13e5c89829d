#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# forja join's report to the post-install webhook, against real incusd
# daemons (Incus 6.0 from bookworm-backports), each started ONLY inside a
# network namespace of its own (tests/cluster/cluster-lib.sh), and an HTTPS
# test server (tests/lib/http-test-server.py) inside another, its certificate
# pinned by fingerprint, capturing every body.
#
#   n1   198.18.102.11  bootstrap: reports cluster-joined (n1 Online); at the
#                       end a rerun with check_guests reports the guests' verdict
#   n2   198.18.102.12  first two failed joins (a token for another name, a
#                       wrong certificate): cluster-join-failed with the
#                       precise error; then the join, whose report gets a 500
#                       first and is retried: cluster-joined (n1, n2 Online)
#   hook 198.18.102.40  the webhook (HTTPS, port chosen by the server) and an
#                       openssl s_server on :8443 with another certificate
#
# Also: a node that reported is not reported again (the webhook file is gone);
# a report that cannot be delivered (wrong pin) is logged, changes no exit
# status, keeps the file (0600), and a later run reports the joined node.
# No secret (join token, its secret, the webhook's auth token) is in any
# body or log.
. "$TESTS_LIB/testlib.sh"
. "$TESTS_LIB/http-server.sh"

require_root
require_cmd ip openssl incus python3 base64 sha256sum
INCUSD=$(command -v incusd || true)
[ -n "$INCUSD" ] || INCUSD=/usr/libexec/incus/incusd
[ -x "$INCUSD" ] || skip "incusd not found (scripts/install-deps installs incus from bookworm-backports)"

TMPD=$(mktemp -d /tmp/forja-join-webhook.XXXXXX)
chmod 755 "$TMPD"
P=fjw$$
NET=198.18.102
declare -A IP=([n1]=$NET.11 [n2]=$NET.12 [hook]=$NET.40)
declare -A DPID=()
OTHER_PIDS=()
NAMESPACES=()
T_START=$(date +%s.%N)
log() { echo "[$(date +%T)] $*" >&2; }
. "$(dirname "$0")/cluster-lib.sh"

cleanup() {
        local rc=$?
        set +e
        trap - EXIT
        http_servers_stop
        stop_pids_and_namespaces "${DPID[@]}" "${OTHER_PIDS[@]}"
        rm -rf "$TMPD"
        if [ ${#CL_LEFT[@]} -gt 0 ]; then
                echo "FAIL: processes left running: ${CL_LEFT[*]}" >&2
                rc=1
        fi
        exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

add_bridge_ns
for n in n1 n2 hook; do add_node_ns "$n"; done
start_daemon n1
start_daemon n2

# The webhook: HTTPS inside the hook namespace, pinned; every path answers
# with the file "ok" below it (the fault paths of the test server included).
http_make_cert
mkdir -p "$TMPD/www"
for f in n1 n1-again n2-other n2-fp n2-join n1-guests; do echo ok >"$TMPD/www/$f"; done
HTTP_SERVER_WRAP=(ip netns exec "$P-hook")
http_server_start hook "$TMPD/www" --tls "$TMPD/cert.pem" "$TMPD/key.pem" --bind "${IP[hook]}"
HOOK=https://${IP[hook]}:$HTTP_PORT
REQS=$TMPD/hook.log
AUTH="hook-Auth/T0ken\"$RANDOM$RANDOM"    # '/' and '"' are escaped in JSON: masked all the same
ip netns exec "$P-hook" openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
        -subj /CN=impostor -keyout "$TMPD/imp.key" -out "$TMPD/imp.crt" 2>/dev/null
ip netns exec "$P-hook" openssl s_server -quiet -www -accept 8443 -cert "$TMPD/imp.crt" -key "$TMPD/imp.key" \
        >/dev/null 2>&1 </dev/null &
OTHER_PIDS+=("$!")
IMP_FP=$(openssl x509 -in "$TMPD/imp.crt" -outform DER | sha256sum | cut -d' ' -f1)

# settings NODE MODE: the node's cluster settings, naming its webhook file.
settings() {
        cat >"$TMPD/$1.json" <<EOF
{
  "mode": "$2",
  "server_name": "$1",
  "address": "${IP[$1]}:8443",
  "token_file": "$TMPD/$1.token",
  "webhook_file": "$TMPD/$1-webhook.json",
  "storage": { "pool": "local", "driver": "dir", "source": "$TMPD/pool-$1" }
}
EOF
        chmod 600 "$TMPD/$1.json"
}
# webhook NODE PATH [FINGERPRINT]: the node's webhook file, as the installer writes it.
webhook() {
        python3 - "$TMPD/$1-webhook.json" "$HOOK/$2" "${3:-$CERT_FP}" "$AUTH" "$1.forja.test" <<'PY'
import json, os, sys
path, url, fp, auth, fqdn = sys.argv[1:]
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, json.dumps({"url": url, "cert_fingerprint": fp, "auth_token": auth, "fqdn": fqdn}).encode())
os.close(fd)
PY
}
# join NODE EXIT [ARGS...]: forja join on NODE with its settings, logging at
# debug level; under valgrind when VG=(...) is set and valgrind is installed
# (memory errors and definite leaks: exit 99).
VG=()
join() {
        local n=$1 want=$2
        shift 2
        expect_exit "$want" ip netns exec "$P-$n" "${VG[@]}" "$FORJA" --log-level debug --log-file "$TMPD/forja.log" \
                join --settings "$TMPD/$n.json" --socket "$TMPD/$n/unix.socket" --ready-file "$TMPD/$n.ready" "$@"
        echo "$OUT" >&2
}
nreqs() { [ -s "$REQS" ] && wc -l <"$REQS" || echo 0; }
# check_body N PYTHON-EXPRESSION...: asserts about the Nth captured request
# (1-based; r) and its body (b); $EXPECT_ERROR is os.environ["EXPECT_ERROR"].
check_body() {
        local n=$1
        shift
        python3 - "$REQS" "$n" "$AUTH" "$@" <<'PY' || fail "webhook request $n: see above"
import json, os, sys
log, n, auth = sys.argv[1], int(sys.argv[2]), sys.argv[3]
reqs = [json.loads(l) for l in open(log)]
if len(reqs) < n:
    sys.exit(f"only {len(reqs)} requests captured")
r = reqs[n - 1]
b = json.loads(r["body"])
assert r["method"] == "POST", r["method"]
assert r["headers"].get("Authorization") == "Bearer " + auth, "no bearer token"
assert r["headers"].get("Content-Type") == "application/json", "content type"
for expr in sys.argv[4:]:
    if not eval(expr):
        sys.exit(f"FAILED: {expr}\n{json.dumps(b, indent=1)}")
PY
}
machine_id=$(tr -d ' \n' </etc/machine-id 2>/dev/null || true)

wait_daemon n1
wait_daemon n2

# --- bootstrap n1: cluster-joined, n1 Online ----------------------------------
settings n1 bootstrap
webhook n1 n1
t0=$(date +%s.%N)
join n1 0
T_N1=$(python3 -c "import sys,time; print(f'{time.time() - float(sys.argv[1]):.1f}')" "$t0")
expect_match "Bootstrapped a new cluster as 'n1'"
expect_match "Webhook: cluster-joined report delivered to $HOOK/n1\."
[ "$(nreqs)" = 1 ] || fail "bootstrap: expected one webhook request, got $(nreqs)"
check_body 1 'r["path"] == "/n1"' \
        'b["forja"]["event"] == "cluster-joined"' 'b["forja"]["mode"] == "bootstrap"' \
        'b["forja"]["server-name"] == "n1"' 'b["forja"]["cluster-address"] == "198.18.102.11:8443"' \
        '"joined-through" not in b["forja"] and "error" not in b["forja"]' \
        'b["forja"]["members"] == [{"name": "n1", "status": "Online"}]' \
        'b["forja"]["ready-s"] > 0' \
        'b["forja"]["version"] != ""' 'b["fqdn"] == "n1.forja.test"' \
        'b["product"] == {"fullname": "forja %s (a Proxmox VE compatible installer)" % b["forja"]["version"], "short": "pve", "version": b["forja"]["version"]}' \
        'set(b["dmi"]) == {"system", "baseboard", "chassis"}' \
        "b.get('machine-id', '') == '$machine_id'"
[ ! -e "$TMPD/n1-webhook.json" ] || fail "n1's webhook file was not deleted after its report was delivered"

# Reported already (no webhook file): an idempotent rerun sends nothing.
join n1 0
expect_match "Nothing to do: 'n1' is already an Online cluster member"
expect_match "Webhook: $TMPD/n1-webhook.json does not exist: nothing to report"
! grep -q "report delivered\|not delivered" <<<"$OUT" || fail "a rerun after a delivered report reported again: $OUT"
[ "$(nreqs)" = 1 ] || fail "a rerun after a delivered report sent another request"

# A report that cannot be delivered (a pin that does not match the webhook's
# certificate): logged, exit status unchanged, the file kept (0600)...
webhook n1 n1-again "$CERT_BAD_FP"
join n1 0
expect_match "Webhook: the cluster-joined report was not delivered \(the result of forja join stands\): .*$HOOK/n1-again"
[ "$(nreqs)" = 1 ] || fail "a report with a wrong pin reached the server"
[ "$(stat -c %a "$TMPD/n1-webhook.json")" = 600 ] || fail "n1's webhook file is gone or not 0600 after an undelivered report"
# ... and the next run, with the right pin, reports the joined node (under valgrind).
webhook n1 n1-again
command -v valgrind >/dev/null && VG=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite
        --error-exitcode=99 --suppressions="$TESTS_LIB/../valgrind.supp")
join n1 0
VG=()
expect_match "Webhook: cluster-joined report delivered to $HOOK/n1-again\."
check_body 2 'r["path"] == "/n1-again"' 'b["forja"]["event"] == "cluster-joined"' \
        'b["forja"]["members"] == [{"name": "n1", "status": "Online"}]'
[ ! -e "$TMPD/n1-webhook.json" ] || fail "n1's webhook file was not deleted after the late report"

# --- tokens -------------------------------------------------------------------------
expect_exit 0 fj n1 cluster token --socket "$TMPD/n1/unix.socket" n2 n9
TOKEN_N2=$(awk '$1 == "n2" {print $2}' <<<"$OUT")
TOKEN_N9=$(awk '$1 == "n9" {print $2}' <<<"$OUT")
secret_of() { base64 -d <<<"$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])'; }
SECRET_N2=$(secret_of "$TOKEN_N2")
SECRET_N9=$(secret_of "$TOKEN_N9")
[ ${#SECRET_N2} -ge 32 ] && [ ${#SECRET_N9} -ge 32 ] || fail "could not read the tokens' secrets"
CLUSTER_FP=$(openssl x509 -in "$TMPD/n1/cluster.crt" -outform DER | sha256sum | cut -d' ' -f1)

# --- failed joins on n2: cluster-join-failed with the precise error ---------------------
# failed_join PATH EXIT ERROR-REGEX TOKEN: the error in the body is the one
# forja join printed, whole; the webhook file and the token stay (0600).
failed_join() {
        local path=$1 want=$2 re=$3 token=$4 n
        printf '%s\n' "$token" >"$TMPD/n2.token"
        chmod 600 "$TMPD/n2.token"
        settings n2 join
        webhook n2 "$path"
        n=$(( $(nreqs) + 1 ))
        join n2 "$want"
        expect_match "^error: join: $re"
        expect_match "Webhook: cluster-join-failed report delivered to $HOOK/$path\."
        local printed; printed=$(grep '^error: join: ' <<<"$OUT" | head -n 1 | sed 's/^error: join: //')
        [ "$(nreqs)" = "$n" ] || fail "$path: expected request $n, have $(nreqs)"
        EXPECT_ERROR=$printed check_body "$n" "r['path'] == '/$path'" \
                'b["forja"]["event"] == "cluster-join-failed"' 'b["forja"]["mode"] == "join"' \
                'b["forja"]["server-name"] == "n2"' '"members" not in b["forja"]' 'b["fqdn"] == "n2.forja.test"' \
                'b["forja"]["error"] == os.environ["EXPECT_ERROR"]'
        [ "$(stat -c %a "$TMPD/n2-webhook.json")" = 600 ] || fail "$path: the webhook file is gone or not 0600"
        [ -e "$TMPD/n2.token" ] || fail "$path: the token was deleted after a failed join"
        printf '%s (exit %s): %s\n' "$path" "$want" "$printed" >>"$TMPD/errors.txt"
}
failed_join n2-other 2 \
        "cluster.token: the join token was made for server 'n9', but this server is named 'n2' \(cluster.server-name, default the hostname\); a token only works for the name it was made for: make one with 'forja cluster token n2' on a cluster member\.$" \
        "$TOKEN_N9"
failed_join n2-fp 1 \
        "cluster.token: the cluster in the token could not be verified, a server presented another certificate: ${IP[hook]}:8443: certificate fingerprint mismatch: expected $CLUSTER_FP, got $IMP_FP$" \
        "$(mk_token n2 "$CLUSTER_FP" "[\"${IP[hook]}:8443\"]" "$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)")"

# --- join n2: the webhook answers 500 first, the report is retried -------------------
printf '%s\n' "$TOKEN_N2" >"$TMPD/n2.token"
chmod 600 "$TMPD/n2.token"
settings n2 join
webhook n2 fail/1/n2/n2-join
n=$(( $(nreqs) + 1 ))
t0=$(date +%s.%N)
join n2 0
T_N2=$(python3 -c "import sys,time; print(f'{time.time() - float(sys.argv[1]):.1f}')" "$t0")
expect_match "Joined the cluster through ${IP[n1]}:8443 as 'n2'"
expect_match "Attempt 1 of 5 failed: $HOOK/fail/1/n2/n2-join: HTTP status 500"
expect_match "Webhook: cluster-joined report delivered to $HOOK/fail/1/n2/n2-join\."
[ "$(nreqs)" = $((n + 1)) ] || fail "expected a 500 and one retry, have $(( $(nreqs) - n + 1 )) requests"
for i in "$n" $((n + 1)); do
        check_body "$i" 'r["path"] == "/fail/1/n2/n2-join"' 'b["forja"]["event"] == "cluster-joined"' \
                'b["forja"]["mode"] == "join"' 'b["forja"]["server-name"] == "n2"' \
                'b["forja"]["cluster-address"] == "198.18.102.12:8443"' \
                'b["forja"]["joined-through"] == "198.18.102.11:8443"' '"error" not in b["forja"]' \
                'sorted((m["name"], m["status"]) for m in b["forja"]["members"]) == [("n1", "Online"), ("n2", "Online")]'
done
[ "$(member_status n1 n2)" = Online ] || fail "n2 is not Online"
[ ! -e "$TMPD/n2-webhook.json" ] || fail "n2's webhook file was not deleted after its report was delivered"
[ ! -e "$TMPD/n2.token" ] || fail "n2's token was not deleted after the join"

# --- the guests' verdict in the report (check_guests) -----------------------------------------
# n1 again, its settings with check_guests and a webhook file to report to:
# the rerun runs the guest check (here no built-in image is imported, so its
# guests cannot be made: a fail, each step with its reason), prints the
# verdict and puts it into the report.
python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))
s["check_guests"] = True
json.dump(s, open(sys.argv[1], "w"))' "$TMPD/n1.json"
webhook n1 n1-guests
n=$(( $(nreqs) + 1 ))
join n1 0
expect_match "Nothing to do: 'n1' is already an Online cluster member"
expect_match "FORJA-GUESTS verdict=fail container_start_s=- vm_start_s=-"
expect_match "Webhook: cluster-joined report delivered to $HOOK/n1-guests\."
[ "$(nreqs)" = "$n" ] || fail "check_guests: expected one more webhook request, have $(( $(nreqs) - n + 1 ))"
check_body "$n" 'r["path"] == "/n1-guests"' 'b["forja"]["event"] == "cluster-joined"' \
        'b["forja"]["guests"]["verdict"] == "fail"' \
        'b["forja"]["guests"]["container-start-s"] is None and b["forja"]["guests"]["vm-start-s"] is None' \
        'b["forja"]["guests"]["checks"][0]["id"] == "incus" and b["forja"]["guests"]["checks"][0]["status"] == "pass"' \
        'any(c["status"] == "fail" for c in b["forja"]["guests"]["checks"])' \
        'all(c["message"] for c in b["forja"]["guests"]["checks"] if c["status"] != "pass")' \
        'all(c["id"] not in ("ct-start", "vm-start") or "no image alias" in c["message"] for c in b["forja"]["guests"]["checks"] if c["status"] == "fail")' \
        '"error" not in b["forja"]["guests"]'
[ -z "$(inc n1 list -c n -f csv)" ] || fail "the guest check left instances: $(inc n1 list -c n -f csv)"

# --- no secret in any body or log ----------------------------------------------------------
for s in "$TOKEN_N2" "$SECRET_N2" "$TOKEN_N9" "$SECRET_N9" "$AUTH"; do
        python3 - "$REQS" "$s" <<'PY' || fail "a secret is in a webhook body"
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    assert sys.argv[2] not in r["body"], r["path"]
    assert sys.argv[2] not in json.dumps(json.loads(r["body"])), r["path"]
PY
        ! grep -qF -- "$s" "$TMPD/forja.log" || fail "a secret is in forja's log"
done
grep -q "Joining the cluster through" "$TMPD/forja.log" || fail "forja's log is empty"
[ "$(nreqs)" = 7 ] || fail "expected 7 webhook requests in all, got $(nreqs)"

echo "--- the last captured body (n2's cluster-joined) ---" >&2
tail -n 1 "$REQS" | python3 -c 'import json,sys; print(json.dumps(json.loads(json.load(sys.stdin)["body"]), indent=1))' >&2
echo "--- failure cases ---" >&2
cat "$TMPD/errors.txt" >&2
log "bootstrap n1 with its report $T_N1 s; join n2 with its report (one 500, 1 s backoff) $T_N2 s"
log "join-webhook: all checks passed in $(python3 -c "import sys,time; print(f'{time.time() - float(sys.argv[1]):.1f}')" "$T_START") s"
