#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The install screens of the text-mode installer, drawn by progress-demo with
# made-up engine reports (a real install is the e2e suite's): progress with
# stage, percentage, bytes and elapsed time; the failure screen with the log
# tail, Save log, Shell (and back) and Exit; the done screen with Reboot.
. "$TESTS_LIB/testlib.sh"
. "$FORJA_SRCDIR/tests/tui/tui-lib.sh"
require_cmd tmux
[ -x "${TUI_PROGRESS_DEMO:-}" ] || fail "TUI_PROGRESS_DEMO is not set"

make_tmpdir
trap 'tui_stop; rm -rf "$TMPD"' EXIT
export TERM=screen
cd "$TMPD"

tui_start progress "$TUI_PROGRESS_DEMO" progress
tui_wait "Stage 5 of 8: image"
tui_wait " 41 %   1.20 GiB of 2.90 GiB"
tui_snap progress "Elapsed"
tui_keys Enter
[ "$(tui_exit_code)" = 0 ] || fail "progress: bad exit"
tui_stop
echo "ok 1 - progress"

printf 'line %s of the install log\n' $(seq 1 30) >install.log
tui_start failure "$TUI_PROGRESS_DEMO" failure install.log
tui_wait "The install failed in stage image"
tui_wait "line 30 of the install log"
tui_snap failure
# Save log: the path entry is just before Retry.
tui_keys BTab
tui_type "saved.log"
tui_keys Tab Tab Tab Enter
tui_wait "Log saved to saved.log"
cmp install.log saved.log || fail "the saved log differs from the log"
# Shell, then back to the same screen.
tui_keys BTab Enter
tui_wait "Type exit to return to the installer"
tui_type "echo SHELL-ON-THE-CONSOLE; exit"
tui_keys Enter
tui_wait "The install failed in stage image"
tui_keys Tab Tab Tab Enter
[ "$(tui_exit_code)" = 11 ] || fail "failure: Exit did not exit"
tui_history | grep -q "^SHELL-ON-THE-CONSOLE" || fail "the shell did not run"
tui_stop
echo "ok 2 - failure: save log, shell, exit"

tui_start done "$TUI_PROGRESS_DEMO" done
tui_wait "ssh root@192.168.1.20"
tui_snap done
tui_keys Enter
[ "$(tui_exit_code)" = 20 ] || fail "done: Reboot was not chosen"
tui_stop
echo "ok 3 - done"
echo "3 passed, 0 failed"
