#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# forja answer countdown (answers/countdown.c), which iso-build/data/init runs
# before installing an answer that DHCP or DNS discovery found: on a
# pseudo-terminal standing for the console, the time running out goes on
# (exit 0); a key stops it (exit 1) long before the end; bad usage is exit 2.
. "$TESTS_LIB/testlib.sh"
require_cmd python3

expect_exit 2 "$FORJA" answer countdown --seconds 1
expect_match '--console DEV is needed'
expect_exit 2 "$FORJA" answer countdown --seconds 4000 --console /dev/null
expect_match "--seconds takes a number from 0 to 3600, not '4000'"
expect_exit 2 "$FORJA" answer countdown --seconds -1 --console /dev/null

python3 - "$FORJA" <<'PY' || fail "countdown on a pseudo-terminal"
import os, pty, subprocess, sys, time
forja = sys.argv[1]

def run(seconds, key_after=None):
    # key_after: seconds after the countdown shows its first line (a key typed
    # before it starts is typeahead, which it discards; under valgrind the
    # start alone can take longer than the delay)
    master, slave = pty.openpty()
    name = os.ttyname(slave)
    t0 = time.monotonic()
    p = subprocess.Popen([forja, "answer", "countdown", "--seconds", str(seconds), "--console", "/nonexistent/tty",
                          "--console", name, "--source", "DHCP option 250 on eth0: https://198.18.0.1/answer"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    out = b""
    sent = False
    shown = None
    while p.poll() is None:
        if key_after is not None and not sent and b"starts in" in out:
            shown = shown or time.monotonic()
            if time.monotonic() - shown >= key_after:
                os.write(master, b"x")
                sent = True
        try:
            import select
            r, _, _ = select.select([master], [], [], 0.1)
            if r:
                out += os.read(master, 4096)
        except OSError:
            break
    try:
        while True:
            import select
            r, _, _ = select.select([master], [], [], 0.2)
            if not r:
                break
            out += os.read(master, 4096)
    except OSError:
        pass
    os.close(master); os.close(slave)
    return p.returncode, time.monotonic() - t0, out.decode(errors="replace"), p.stderr.read().decode()

rc, took, out, err = run(2)
print(f"no key: exit {rc} after {took:.1f} s")
assert rc == 0, (rc, out, err)
assert 1.8 <= took < 6, took
assert "DHCP option 250 on eth0: https://198.18.0.1/answer" in out, out
assert "starts in 2 s" in out and "starts in 1 s" in out, out
assert "Starting the unattended install" in out, out
assert "/nonexistent/tty" in err, err

rc, took, out, err = run(60, key_after=0.5)
print(f"key 0.5 s into the countdown: exit {rc} after {took:.1f} s")
assert rc == 1, (rc, out, err)
assert took < 30, took
assert "Stopped by a key press" in out, out
assert "stopped by a key press" in err, err

rc, took, out, err = run(0)
assert rc == 0 and took < 5, (rc, took)
PY
echo "countdown: all checks passed"
