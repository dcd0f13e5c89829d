#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The forja package's systemd units, as its maintainer scripts treat them on
# a fresh install (the node image installs the .deb with dpkg): debian/rules'
# dh_installsystemd step runs on a scratch copy of debian/ holding the units
# meson installs, then the postinst snippets it made run with a
# deb-systemd-helper and deb-systemd-invoke that log their calls.
# forja-join.service is enabled; forja-md-degraded.service is shipped but
# neither enabled nor started: the installer enables it on nodes with md
# arrays, and elsewhere it would only cost its udevadm settle at every boot.
. "$TESTS_LIB/testlib.sh"
require_cmd dh_installsystemd make
make_tmpdir
SRC=$TMPD/src BIN=$TMPD/bin CALLS=$TMPD/calls
mkdir -p "$SRC" "$BIN"
cp -a "$FORJA_SRCDIR/debian" "$SRC/"
# debhelper before 13.12 looks for units under lib/, later ones under usr/lib/
unitdir=usr/lib/systemd/system
grep -q 'tmpdir/usr/lib/systemd/system' "$(command -v dh_installsystemd)" || unitdir=lib/systemd/system
mkdir -p "$SRC/debian/forja/$unitdir"
cp "$FORJA_SRCDIR/cluster-join/forja-join.service" "$FORJA_SRCDIR/installer/forja-md-degraded.service" \
        "$SRC/debian/forja/$unitdir/"

# What dh does for this step: the override target when debian/rules has one.
cd "$SRC"
if grep -q '^override_dh_installsystemd:' debian/rules; then
        expect_exit 0 make -f debian/rules override_dh_installsystemd
else
        expect_exit 0 dh_installsystemd
fi
snippet=debian/.debhelper/generated/forja/postinst.service
[ -s "$snippet" ] || fail "dh_installsystemd made no postinst snippet: $OUT"

# A fresh install: no state yet (was-enabled is true then, debian-installed
# false), systemd running (the test's own marker directory).
cat >"$BIN/deb-systemd-helper" <<'EOF'
#!/bin/sh
[ "$1" = --quiet ] && shift
echo "deb-systemd-helper $*" >>"$CALLS"
case $1 in
was-enabled) exit 0 ;;
debian-installed) exit 1 ;;
esac
EOF
cat >"$BIN/deb-systemd-invoke" <<'EOF'
#!/bin/sh
echo "deb-systemd-invoke $*" >>"$CALLS"
EOF
printf '#!/bin/sh\n' >"$BIN/systemctl"
chmod +x "$BIN"/*
mkdir -p "$TMPD/run-systemd"
sed "s|/run/systemd/system|$TMPD/run-systemd|g" "$snippet" >"$TMPD/postinst"
: >"$CALLS"
expect_exit 0 env -i PATH="$BIN:/usr/bin:/bin" CALLS="$CALLS" sh -e "$TMPD/postinst" configure ""
calls=$(cat "$CALLS")
echo "$calls"
grep -qx "deb-systemd-helper enable forja-join.service" <<<"$calls" || fail "forja-join.service is not enabled on install"
grep -q "deb-systemd-invoke start.* forja-join.service" <<<"$calls" || fail "forja-join.service is not started on install"
! grep -q "enable forja-md-degraded.service" <<<"$calls" || fail "forja-md-degraded.service is enabled on every node that installs the package"
! grep -q "deb-systemd-invoke .*forja-md-degraded.service" <<<"$calls" || fail "forja-md-degraded.service is started when the package is installed"
echo "package units: forja-join.service enabled, forja-md-degraded.service shipped disabled"
