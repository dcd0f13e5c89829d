#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Each static library links alone against only its declared dependencies.
# tests/link/meson.build makes, for every library, a shared module of the
# whole archive (-Wl,--whole-archive lib.a -Wl,--no-whole-archive) and the
# dependencies the library declares, linked with -Wl,--no-undefined. Those
# modules are not built by default (a missing dependency would break the
# build rather than fail a test): this test builds them, one ninja call per
# library, so that a symbol none of the declared dependencies provides fails
# it with the linker's message naming the symbol and the object that wants it.
# Usage: test-link-alone.sh NINJA MODULE...   (MODULE: the module's full path)
. "$TESTS_LIB/testlib.sh"

ninja=$1
shift
builddir=${FORJA_BUILDDIR:?FORJA_BUILDDIR is not set}
[ $# -gt 0 ] || fail "no library to link"

bad=()
for module in "$@"; do
        target=${module#"$builddir"/}
        lib=${target##*/link-alone-}
        lib=${lib%.so}
        if out=$("$ninja" -C "$builddir" "$target" 2>&1); then
                echo "ok: libforja-$lib links alone"
        else
                echo "FAIL: libforja-$lib does not link alone with its declared dependencies:" >&2
                # the first 30 lines that say what is missing (awk reads all: no SIGPIPE)
                awk '/undefined reference|error:|ld:/ && n++ < 30 { print "    " $0 }' <<<"$out" >&2
                bad+=("$lib")
        fi
done
[ ${#bad[@]} = 0 ] || fail "${bad[*]}: a symbol comes from a library the meson.build does not declare (add it to the library's dependencies there, or move the code that needs it)"
echo "link-alone: all ${#} libraries link alone"
