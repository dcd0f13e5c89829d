# SPDX-License-Identifier: GPL-2.0-or-later
# Driving the text-mode installer under tmux: a private tmux server per test
# (socket in the test's scratch directory), keys sent with send-keys, the
# screen read with capture-pane. Every wait polls the screen until the
# expected text is there and the screen has stopped changing, so a loaded
# machine only makes the test slower.
#   tui_start NAME CMD...   a session of 80x24 (TUI_COLS/TUI_ROWS) running CMD
#   tui_keys KEY...         tmux send-keys
#   tui_type TEXT           literal text
#   tui_wait TEXT           until TEXT is on the screen (fails after TUI_TIMEOUT s)
#   tui_wait_gone TEXT      until TEXT is no longer on the screen
#   tui_screen              prints the screen
#   tui_snap NAME [TEXT]    waits for TEXT (default: the button row) and a
#                           still screen, and compares it with
#                           screens/NAME.txt (FORJA_TUI_UPDATE=1 rewrites it)
#   tui_exit_code           waits for the command to end and prints its status

TUI_TIMEOUT=${TUI_TIMEOUT:-60}
TUI_COLS=${TUI_COLS:-80}
TUI_ROWS=${TUI_ROWS:-24}
TUI_SCREENS=${TUI_SCREENS:-$FORJA_SRCDIR/tests/tui/screens}

# One tmux server per session: a new server on a socket just killed may race.
tmux_() {
        tmux -S "$TMPD/tmux-$TUI_SESSION.sock" "$@"
}

tui_start() {
        local name=$1; shift
        TUI_SESSION=$name
        # The command's status is kept in a file: the pane stays open after it for reading.
        tmux_ -f /dev/null new-session -d -s "$name" -x "$TUI_COLS" -y "$TUI_ROWS" \
                "$(printf '%q ' "$@"); echo \$? >'$TMPD/$name.status'; echo FORJA-TUI-END; sleep 3600"
        tmux_ set-option -t "$name" history-limit 5000 >/dev/null
}

tui_stop() {
        tmux_ kill-server 2>/dev/null || true
}

tui_keys() {
        tmux_ send-keys -t "$TUI_SESSION" "$@"
}

tui_type() {
        tmux_ send-keys -t "$TUI_SESSION" -l -- "$1"
}

tui_screen() {
        tmux_ capture-pane -p -t "$TUI_SESSION"
}

tui_wait() {
        local text=$1 i
        for ((i = 0; i < TUI_TIMEOUT * 10; i++)); do
                if tui_screen | grep -Fq -- "$text"; then
                        return 0
                fi
                sleep 0.1
        done
        echo "--- screen:" >&2
        tui_screen >&2
        fail "'$text' did not appear on the screen within ${TUI_TIMEOUT}s"
}

tui_wait_gone() {
        local text=$1 i
        for ((i = 0; i < TUI_TIMEOUT * 10; i++)); do
                if ! tui_screen | grep -Fq -- "$text"; then
                        return 0
                fi
                sleep 0.1
        done
        echo "--- screen:" >&2
        tui_screen >&2
        fail "'$text' stayed on the screen for ${TUI_TIMEOUT}s"
}

# The screen once it has stopped changing (the installer re-checks the fields
# a quarter of a second after an edit).
tui_still() {
        local a b i
        a=$(tui_screen)
        for ((i = 0; i < TUI_TIMEOUT * 2; i++)); do
                sleep 0.5
                b=$(tui_screen)
                [ "$a" = "$b" ] && { printf '%s\n' "$b"; return 0; }
                a=$b
        done
        fail "the screen did not settle"
}

tui_snap() {
        local name=$1 got
        # The window's contents come with its buttons (a slow machine, or
        # valgrind, may show the frame first).
        tui_wait "${2:-│  <}"
        got=$(tui_still)
        if [ "${FORJA_TUI_UPDATE:-}" = 1 ]; then
                printf '%s\n' "$got" >"$TUI_SCREENS/$name.txt"
                return 0
        fi
        if ! diff -u "$TUI_SCREENS/$name.txt" - <<<"$got" >&2; then
                fail "screen $name differs from tests/tui/screens/$name.txt"
        fi
}

tui_exit_code() {
        tui_wait FORJA-TUI-END
        cat "$TMPD/$TUI_SESSION.status"
}

# Everything the pane printed (wrapped lines joined), for the plan after a dry run.
tui_history() {
        tmux_ capture-pane -p -J -S - -t "$TUI_SESSION"
}
