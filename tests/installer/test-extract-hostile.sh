#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# installer/extract.c against hostile archives, beyond test-extract.sh's four
# basic cases: every archive below tries to create, change or link something
# outside the target. After each one, the tree outside the target (a victim
# file, a victim directory and a symlink to it) must be byte-identical and
# hold nothing new, whatever the exit status; archives that need a write
# through a symlink, an absolute or ".." path are refused (exit 4) with the
# entry named. Legitimate absolute symlinks (a root file system has them)
# still extract.
#   test-extract-hostile.sh EXTRACT_IMAGE
. "$TESTS_LIB/testlib.sh"
EXTRACT=$1
require_root
require_cmd python3 sha256sum
make_tmpdir

out=$TMPD/outside
mkdir -p "$out/dir"
echo victim >"$out/victim"
echo "dir victim" >"$out/dir/file"
chmod 0644 "$out/victim"
snapshot() {
        (cd "$out" && find . -printf '%p %y %m %U:%G %s %l\n' | sort && find . -type f -print0 | sort -z | xargs -0 sha256sum)
}
before=$(snapshot)

# NAME EXPECT MEMBERS: EXPECT is "refuse" (exit 4) or "any" (0 or 4; only the
# outside tree counts). Members: (type, name, data-or-link target).
python3 - "$TMPD" "$out" >"$TMPD/cases" <<'PY'
import io, json, sys, tarfile
d, out = sys.argv[1], sys.argv[2]
cases = {
    # absolute hard link target
    "hardlink-absolute": ("refuse", [("l", "hl", f"{out}/victim")]),
    # hard link through a symlinked directory
    "hardlink-through-symlink": ("refuse", [("s", "esc", out), ("l", "hl", "esc/victim")]),
    # a chain of symlinks ending outside, written through
    "symlink-chain": ("refuse", [("s", "b", out), ("s", "a", "b"), ("f", "a/new", "owned\n")]),
    # a relative symlink climbing out, written through
    "symlink-relative": ("refuse", [("s", "up", "../" * 40 + out.lstrip("/")), ("f", "up/new", "owned\n")]),
    # directories created under a symlink to outside
    "symlink-deep": ("refuse", [("s", "esc", out), ("d", "esc/sub", None), ("f", "esc/sub/new", "owned\n")]),
    # a directory replaced by a symlink, then written through
    "dir-then-symlink": ("refuse", [("d", "d", None), ("s", "d", out), ("f", "d/new", "owned\n")]),
    # a symlink to the victim, then a regular file of the same name: replaced, never followed
    "symlink-then-file": ("any", [("s", "v", f"{out}/victim"), ("f", "v", "owned\n")]),
    # a hard link to a symlink that points at the victim, then written through the link
    "hardlink-to-symlink": ("any", [("s", "s", f"{out}/victim"), ("l", "h", "s"), ("f", "h", "owned\n")]),
    # ".." hidden in the middle, and a name that is only ".."
    "dotdot-middle": ("refuse", [("f", "etc/x/../../../outside-new", "owned\n")]),
    "dotdot-only": ("refuse", [("d", "..", None)]),
    # an absolute symlink in a root file system is fine as long as nothing goes through it
    "absolute-symlink-ok": ("ok", [("s", "etc-ssl-certs", "/etc/ssl/certs"), ("s", "outside-link", out)]),
}
for name, (expect, members) in cases.items():
    with tarfile.open(f"{d}/{name}.tar", "w", format=tarfile.PAX_FORMAT) as t:
        for kind, path, arg in members:
            ti = tarfile.TarInfo(path)
            ti.mode = 0o755 if kind == "d" else 0o644
            if kind == "s":
                ti.type, ti.linkname = tarfile.SYMTYPE, arg
                t.addfile(ti)
            elif kind == "l":
                ti.type, ti.linkname = tarfile.LNKTYPE, arg
                t.addfile(ti)
            elif kind == "d":
                ti.type = tarfile.DIRTYPE
                t.addfile(ti)
            else:
                data = arg.encode()
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
    print(name, expect)
PY

n=0
while read -r name expect; do
        rm -rf "$TMPD/target"
        mkdir "$TMPD/target"
        set +e
        OUT=$("$EXTRACT" "$TMPD/$name.tar" "$TMPD/target" 2>&1)
        got=$?
        set -e
        case "$expect:$got" in
        refuse:4 | any:0 | any:4 | ok:0) ;;
        *) echo "$OUT" >&2; fail "$name: exit $got, expected $expect" ;;
        esac
        if [ "$expect" = refuse ]; then
                expect_match "Refusing|unsafe|Failed to create|symlink|\\.\\."
        fi
        [ "$(snapshot)" = "$before" ] || { diff <(echo "$before") <(snapshot) >&2 || true; fail "$name: the tree outside the target changed"; }
        [ ! -e "$TMPD/outside-new" ] || fail "$name: created a file beside the target"
        [ "$(cat "$out/victim")" = victim ] || fail "$name: the victim was written"
        n=$((n + 1))
done <"$TMPD/cases"
[ "$n" -ge 11 ] || fail "only $n cases ran"
[ -L "$TMPD/target/outside-link" ] || fail "absolute-symlink-ok: the symlink was not created"
echo "extract-hostile: $n hostile archives, nothing outside the target changed"
