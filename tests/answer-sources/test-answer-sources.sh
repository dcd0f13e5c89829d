#!/usr/bin/env bash
# answers/source.c: finding the answer file. Kernel command line URLs with
# placeholders and the "default" fallback, served by a real HTTP(S) server on
# loopback; pinning and bearer tokens; the install medium; a partition named
# by forja.answer=partition:LABEL on a loop device, read without changing one
# byte (and none read unless named).
. "$TESTS_LIB/testlib.sh"
FETCH=("$FORJA" answer fetch)
require_root
require_cmd python3 openssl mkfs.ext4 losetup sha256sum
make_tmpdir
pids=()
loopdev=""
cleanup() {
        for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
        for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
        [ -n "$loopdev" ] && losetup -d "$loopdev"
        rm -rf "$TMPD"
}
trap cleanup EXIT

# The machine: hand-written, with a DMI serial that needs escaping in a URL.
cat >"$TMPD/hw.json" <<'JSON'
{
  "format_version": 1,
  "nics": [
    { "name": "eno1", "mac": "3c:ec:ef:aa:10:01", "driver": "igb", "link": false },
    { "name": "eno2", "mac": "3c:ec:ef:aa:10:02", "driver": "igb", "link": true }
  ],
  "dmi": { "system_vendor": "ACME", "system_product": "Rack 1U", "system_serial": "SN 42+7",
           "system_uuid": "4c4c4544-0042-3310-8057-b4c04f4d3332" },
  "dhcp": { "nic": "eno2", "address": "10.1.2.3/24", "gateway": "10.1.2.1", "dns": ["10.1.2.1"],
            "hostname": "node7", "domain": "lab.example" }
}
JSON
# The same machine before DHCP answered: {hostname} has no value, {mac} is the NIC with link.
python3 - "$TMPD" <<'PY'
import json, sys
d = sys.argv[1]
h = json.load(open(d + "/hw.json"))
h["dhcp"] = None
json.dump(h, open(d + "/hw-nodhcp.json", "w"))
PY

mkdir -p "$TMPD/root/answers" "$TMPD/root/by-serial" "$TMPD/root/by-uuid" "$TMPD/root/by-host"
echo '# for eno2' >"$TMPD/root/answers/3c:ec:ef:aa:10:02.toml"
echo '# default' >"$TMPD/root/answers/default.toml"
echo '# serial' >"$TMPD/root/by-serial/SN 42+7.toml"
echo '# uuid' >"$TMPD/root/by-uuid/4c4c4544-0042-3310-8057-b4c04f4d3332.toml"
echo '# host' >"$TMPD/root/by-host/node7.toml"

start_server() {
        local name=$1; shift
        python3 "$TESTS_LIB/http-test-server.py" --root "$TMPD/root" --port-file "$TMPD/$name.port" \
                --log "$TMPD/$name.log" "$@" 2>"$TMPD/$name.stderr" &
        pids+=($!)
        for _ in $(seq 100); do [ -s "$TMPD/$name.port" ] && break; sleep 0.1; done
        [ -s "$TMPD/$name.port" ] || fail "server $name did not start"
}
start_server plain
P=http://127.0.0.1:$(cat "$TMPD/plain.port")
H=(--hardware "$TMPD/hw.json")

# Placeholders: the DHCP NIC's MAC, the DMI serial (escaped), uuid, hostname.
expect_exit 0 "${FETCH[@]}" "${H[@]}" --cmdline "quiet forja.answer=$P/answers/{mac}.toml console=ttyS0"
expect_match "^Answer source: kernel command line: $P/answers/3c:ec:ef:aa:10:02.toml$"
expect_match '^# for eno2$'
expect_exit 0 "${FETCH[@]}" "${H[@]}" --cmdline "forja.answer=$P/by-serial/{serial}.toml"
expect_match "by-serial/SN%2042%2B7.toml"
expect_match '^# serial$'
expect_exit 0 "${FETCH[@]}" "${H[@]}" --cmdline "forja.answer=$P/by-uuid/{uuid}.toml"
expect_match '^# uuid$'
expect_exit 0 "${FETCH[@]}" "${H[@]}" --cmdline "forja.answer=\"$P/by-host/{hostname}.toml\""
expect_match '^# host$'

# Without a lease: {hostname} has no value, {mac} falls back to the NIC with link.
expect_exit 1 "${FETCH[@]}" --hardware "$TMPD/hw-nodhcp.json" --cmdline "forja.answer=$P/by-host/{hostname}.toml"
expect_match 'no value for \{hostname\} on this machine \(DHCP offered no host name\)'
expect_exit 0 "${FETCH[@]}" --hardware "$TMPD/hw-nodhcp.json" --cmdline "forja.answer=$P/answers/{mac}.toml"
expect_match '^# for eno2$'

# 404: final without the fallback; with it, "default" replaces the placeholder.
sed -i 's/"3c:ec:ef:aa:10:02"/"3c:ec:ef:aa:10:99"/; s/"nic": "eno2"/"nic": "eno1"/' "$TMPD/hw.json"
expect_exit 1 "${FETCH[@]}" "${H[@]}" --cmdline "forja.answer=$P/answers/{mac}.toml"
expect_match "answers/3c:ec:ef:aa:10:01.toml: HTTP status 404"
expect_exit 0 "${FETCH[@]}" "${H[@]}" --cmdline "forja.answer=$P/answers/{mac}.toml forja.answer-fallback=default"
expect_match "^Answer source: kernel command line: $P/answers/default.toml \(fallback for $P/answers/3c:ec:ef:aa:10:01.toml\)$"
expect_match '^# default$'

# Transient server faults are retried.
expect_exit 0 "${FETCH[@]}" "${H[@]}" --cmdline "forja.answer=$P/fail/2/x/answers/default.toml"
expect_match '^# default$'
# An HTML page is not an answer.
expect_exit 1 "${FETCH[@]}" "${H[@]}" --cmdline "forja.answer=$P/html/answers/default.toml"
expect_match 'sent an HTML page \(Content-Type text/html\), not an answer file'

# Bad parameters are refused, and a named source never falls through to the medium.
mkdir "$TMPD/medium"
echo '# medium' >"$TMPD/medium/answer.toml"
expect_exit 2 "${FETCH[@]}" "${H[@]}" --medium "$TMPD/medium" --cmdline "forja.answer={nope}"
expect_match 'expected http://, https://, file:PATH or partition:LABEL'
expect_exit 2 "${FETCH[@]}" "${H[@]}" --cmdline "forja.answer=$P/{nope}.toml"
expect_match 'unknown placeholder \{nope\}'
expect_exit 2 "${FETCH[@]}" "${H[@]}" --cmdline "forja.answer=$P/a.toml forja.answer-fallback=other"
expect_match 'forja.answer-fallback=other: the only value is "default"'
expect_exit 2 "${FETCH[@]}" "${H[@]}" --cmdline "forja.answer=$P/a.toml forja.answer-tokn=x"
expect_match "unknown parameter 'forja.answer-tokn'"
expect_exit 2 "${FETCH[@]}" "${H[@]}" --cmdline "forja.answer=$P/a.toml forja.answer-fingerprint=12:34"
expect_match 'expected a SHA-256 fingerprint'
expect_exit 1 "${FETCH[@]}" "${H[@]}" --medium "$TMPD/medium" --cmdline "forja.answer=$P/missing.toml"
! grep -q '# medium' <<<"$OUT" || fail "fell through to the medium"

# TLS with a pinned certificate and a bearer token.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMPD/key.pem" -out "$TMPD/cert.pem" -days 2 -subj /CN=answers 2>/dev/null
fp=$(openssl x509 -in "$TMPD/cert.pem" -noout -fingerprint -sha256 | cut -d= -f2)
start_server tls --tls "$TMPD/cert.pem" "$TMPD/key.pem"
S=https://127.0.0.1:$(cat "$TMPD/tls.port")
expect_exit 0 "${FETCH[@]}" "${H[@]}" --cmdline "forja.answer=$S/answers/default.toml forja.answer-fingerprint=$fp forja.answer-token=tok-9f8e7d6c"
expect_match '^# default$'
! grep -q tok-9f8e7d6c <<<"$OUT" || fail "token in output"
grep -q '"Authorization": "Bearer tok-9f8e7d6c"' "$TMPD/tls.log" || fail "bearer token not sent"
bad_fp=$(tr '0123456789ABCDEF' '123456789ABCDEF0' <<<"$fp")
expect_exit 1 "${FETCH[@]}" "${H[@]}" --medium "$TMPD/medium" --cmdline "forja.answer=$S/answers/default.toml forja.answer-fingerprint=$bad_fp"
expect_match "fingerprint $fp does not match the pinned $bad_fp"
! grep -q '# medium' <<<"$OUT" || fail "an untrusted server fell through to the medium"

# The install medium: file: on the command line, or answer.toml at its root.
mkdir -p "$TMPD/medium/answers"
echo '# medium file' >"$TMPD/medium/answers/a.toml"
expect_exit 0 "${FETCH[@]}" "${H[@]}" --medium "$TMPD/medium" --cmdline "forja.answer=file:/answers/a.toml"
expect_match '^# medium file$'
expect_exit 0 "${FETCH[@]}" "${H[@]}" --medium "$TMPD/medium" --cmdline "quiet"
expect_match '^Answer source: install medium$'
expect_match '^# medium$'

# A partition is read only where it is named: forja.answer=partition:LABEL
# (the label as given, then upper, then lower case), on our own loop device,
# unchanged afterwards. A stick labelled FORJA-AIS alone is no answer source.
mkdir "$TMPD/part"
echo '# from partition' >"$TMPD/part/answer.toml"
truncate -s 16M "$TMPD/part.img"
mkfs.ext4 -q -F -L forja-ais -d "$TMPD/part" "$TMPD/part.img"
loopdev=$(losetup --find --show "$TMPD/part.img")
before=$(sha256sum <"$loopdev")
expect_exit 1 "${FETCH[@]}" "${H[@]}" --device "$loopdev" --cmdline ""
expect_match 'no answer found: no forja.answer= on the kernel command line, no install medium, network discovery is off'
! grep -q 'from partition' <<<"$OUT" || fail "an unnamed FORJA-AIS partition was read"
expect_exit 2 "${FETCH[@]}" "${H[@]}" --scan --device "$loopdev" --cmdline ""
expect_match "unrecognized option '--scan'"
expect_exit 0 "${FETCH[@]}" "${H[@]}" --device "$loopdev" --cmdline "forja.answer=partition:FORJA-AIS"
expect_match '^# from partition$'
[ "$(sha256sum <"$loopdev")" = "$before" ] || fail "reading the answer partition changed it"

# Nothing anywhere: every place tried is named.
expect_exit 1 "${FETCH[@]}" "${H[@]}" --cmdline "" --device /dev/null
expect_match 'no answer found: no forja.answer= on the kernel command line, no install medium, network discovery is off'

# The POST body Proxmox answer servers expect, plus forja's hardware.
expect_exit 0 "${FETCH[@]}" "${H[@]}" --system-info
python3 - "$OUT" <<'PY' || fail "system-info body is wrong"
import json, sys
b = json.loads(sys.argv[1])
assert b["$schema"] == {"version": "1.0"}, b
assert b["product"]["product"] == "pve" and b["product"]["fullname"].startswith("forja "), b["product"]
assert b["dmi"]["system"]["serial"] == "SN 42+7"
assert b["dmi"]["system"]["uuid"] == "4c4c4544-0042-3310-8057-b4c04f4d3332"
# (eno2's MAC was changed above for the fallback case)
assert [n["mac"] for n in b["network_interfaces"]] == ["3c:ec:ef:aa:10:01", "3c:ec:ef:aa:10:99"]
assert [n["link"] for n in b["network_interfaces"]] == ["eno1", "eno2"]
assert b["forja"]["dmi"]["system_product"] == "Rack 1U"
PY

# --dry-run names the source without fetching; -o writes the answer with mode 0600.
expect_exit 0 "${FETCH[@]}" "${H[@]}" --dry-run --cmdline "forja.answer=$P/answers/{mac}.toml"
expect_match "^Answer source: kernel command line: $P/answers/3c:ec:ef:aa:10:01.toml$"
! grep -q '^#' <<<"$OUT" || fail "--dry-run fetched the answer"
expect_exit 0 "${FETCH[@]}" "${H[@]}" -o "$TMPD/fetched.toml" --cmdline "forja.answer=$P/answers/default.toml"
[ "$(cat "$TMPD/fetched.toml")" = "# default" ] || fail "-o did not write the answer"
[ "$(stat -c %a "$TMPD/fetched.toml")" = 600 ] || fail "-o file mode is not 0600"
expect_exit 2 "${FETCH[@]}" "${H[@]}" extra-argument
expect_match "unexpected argument 'extra-argument'"

echo "answer-sources: all checks passed"
