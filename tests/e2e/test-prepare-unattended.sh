#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e: `forja iso prepare` embeds an answer into an existing ISO without a
# rebuild; the result boots (UEFI) and the installer goes unattended.
. "$TESTS_LIB/testlib.sh"
. "$(dirname "$0")/e2e-lib.sh"

e2e_require
e2e_build_iso

answer=$E2E_HERE/data/answer-unattended.toml
auto=$E2E_DIR/auto.iso
rm -f "$auto"

# Bad input: nothing is written.
expect_exit 2 "$FORJA" iso prepare --answer "$answer" -o "$auto"
expect_exit 2 "$FORJA" iso prepare --answer /nonexistent/answer.toml --in "$E2E_ISO" -o "$auto"
[ ! -e "$auto" ] || fail "a failed prepare left $auto"
if "$FORJA" help answer >/dev/null 2>&1; then
        printf '[global]\nkeyboard = 42\n' >"$E2E_DIR/bad-answer.toml"
        expect_exit 2 "$FORJA" iso prepare --answer "$E2E_DIR/bad-answer.toml" --in "$E2E_ISO" -o "$auto"
        [ ! -e "$auto" ] || fail "an invalid answer was embedded"
fi

t0=$SECONDS
expect_exit 0 "$FORJA" iso prepare --answer "$answer" --in "$E2E_ISO" -o "$auto"
echo "e2e: prepare took $((SECONDS - t0)) s"

# The answer is on the new medium byte for byte; the original is untouched.
xorriso -osirrox on -indev "$auto" -extract /answer.toml "$E2E_DIR/answer.extracted" >/dev/null 2>&1 ||
        fail "no /answer.toml in $auto"
cmp "$answer" "$E2E_DIR/answer.extracted" || fail "the embedded answer differs from the given one"
if xorriso -indev "$E2E_ISO" -find /answer.toml 2>/dev/null | grep -q answer.toml; then
        fail "prepare changed its input ISO"
fi

# forja iso build --answer embeds it too (everything else from the cache).
built=$E2E_DIR/built-with-answer.iso
expect_exit 0 "$FORJA" iso build --cache-dir "$E2E_CACHE" --answer "$answer" -o "$built"
xorriso -osirrox on -indev "$built" -extract /answer.toml "$E2E_DIR/answer.built" >/dev/null 2>&1 ||
        fail "no /answer.toml in $built"
cmp "$answer" "$E2E_DIR/answer.built" || fail "build --answer embedded something else"
rm -f "$built"
if "$FORJA" help answer >/dev/null 2>&1; then
        expect_exit 2 "$FORJA" iso build --cache-dir "$E2E_CACHE" --answer "$E2E_DIR/bad-answer.toml" -o "$built"
        [ ! -e "$built" ] || fail "build wrote an ISO with an invalid answer"
fi

e2e_boot prepare-unattended --iso "$auto" --firmware uefi --disk 8G \
        --fw-cmdline forja.test=poweroff --timeout 600 \
        --expect '^FORJA-MEDIUM device=' \
        --expect '^FORJA-CHECK-END' \
        --expect '^FORJA-UNATTENDED answer=/run/forja/medium/answer.toml' \
        --fail '^FORJA-INSTALLER-READY' || fail "the prepared ISO did not go unattended (serial log $SERIAL_LOG)"
e2e_drop_images "$auto"
echo "e2e prepare-unattended: all checks passed"
