#!/usr/bin/env bash
# The forja command line: help, version, unknown subcommands and options.
. "$TESTS_LIB/testlib.sh"

expect_exit 0 "$FORJA" --help
expect_match '^Usage: forja '
expect_match 'Exit status: 0 success, 1 the job failed, 2 bad usage'
expect_exit 0 "$FORJA" help
expect_match '^Usage: forja '

expect_exit 0 "$FORJA" --version
expect_match '^forja [0-9]+\.[0-9]+\.[0-9]+$'
expect_exit 0 "$FORJA" version

# Every listed subcommand has a help text of its own.
subcommands=$("$FORJA" --help | awk '/^Subcommands:/{f=1;next} /^$/{f=0} f{print $1}')
[ -n "$subcommands" ] || fail "no subcommands listed"
for v in $subcommands; do
        expect_exit 0 "$FORJA" help "$v"
        expect_match "[Uu]sage: forja $v"
        expect_exit 0 "$FORJA" "$v" --help
        expect_match "[Uu]sage: forja $v"
done

expect_exit 2 "$FORJA" frobnicate
expect_match "^error: Unknown subcommand 'frobnicate'"
[ "$(wc -l <<<"$OUT")" = 1 ] || fail "unknown subcommand should give one line, got: $OUT"

expect_exit 2 "$FORJA" --frobnicate
expect_match "^error: Unknown option '--frobnicate'"
[ "$(wc -l <<<"$OUT")" = 1 ] || fail "unknown option should give one line"

expect_exit 2 "$FORJA"
expect_match "No subcommand given"

expect_exit 2 "$FORJA" help frobnicate
expect_match "unknown subcommand 'frobnicate'"

expect_exit 2 "$FORJA" --log-level loud version
expect_match "Invalid --log-level 'loud'"

expect_exit 2 "$FORJA" --log-file
expect_match "needs an argument"

echo "cli: all checks passed"
