#!/usr/bin/env bash
# The environment variables forja reads are one list (common/env-hooks.c),
# read through env_hook() only, and each one is described in
# docs/test-hooks.md.
. "$TESTS_LIB/testlib.sh"

src=${FORJA_SRCDIR:?}
cd "$src"
# Product code: every C file outside tests/ and build trees.
mapfile -t files < <(git ls-files '*.c' '*.h' 2>/dev/null | grep -v '^tests/' ||
                     find . -path ./tests -prune -o -path './build*' -prune -o -name '*.[ch]' -print)
[ "${#files[@]}" -gt 50 ] || fail "found only ${#files[@]} source files under $src"
bad=$(grep -nE '\b(secure_)?getenv *\(' "${files[@]}" | grep -v '^common/env-hooks\.c:' || true)
[ -z "$bad" ] || fail "getenv() outside common/env-hooks.c (add the variable to common/env-hooks.h and use env_hook()):"$'\n'"$bad"

mapfile -t names < <(sed -n 's/^ *\[ENV_[A-Z_]*\] = "\([A-Z_]*\)",$/\1/p' common/env-hooks.c)
entries=$(grep -cE '^ *ENV_[A-Z_]+,' common/env-hooks.h)
[ "${#names[@]}" -ge 5 ] || fail "read only ${#names[@]} names from common/env-hooks.c"
[ "${#names[@]}" = "$entries" ] || fail "common/env-hooks.h has $entries variables, common/env-hooks.c names ${#names[@]}"
for n in "${names[@]}"; do
        grep -qE "^\| \`$n[=\`]" docs/test-hooks.md || fail "docs/test-hooks.md does not describe $n"
done
echo "ok: ${#names[@]} environment variables, all read through env_hook() and described"
