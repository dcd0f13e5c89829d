#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make-tarball.py OUT.tar: a small pax tar like the node image's: a file
with a security.capability xattr (cap_net_raw+ep, VFS_CAP_REVISION_2), a hard
link to it, a directory, a symlink and a 10000-byte file. Prints the sum of
the regular file sizes (hard links not counted)."""
import io
import sys
import tarfile

CAP = bytes([0, 0, 0, 2, 0x00, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])  # v2, permitted=CAP_NET_RAW


def add_file(t, name, data, pax=None):
    ti = tarfile.TarInfo(name)
    ti.size, ti.mode, ti.mtime = len(data), 0o755, 1700000000
    if pax:
        ti.pax_headers = pax
    t.addfile(ti, io.BytesIO(data))


with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    d = tarfile.TarInfo("./usr/bin")
    d.type, d.mode = tarfile.DIRTYPE, 0o755
    t.addfile(d)
    ping = b"\x7fELF pretend ping\n"
    add_file(t, "./usr/bin/ping", ping,
             {"SCHILY.xattr.security.capability": CAP.decode("latin-1")})
    hl = tarfile.TarInfo("./usr/bin/ping4")
    hl.type, hl.linkname = tarfile.LNKTYPE, "./usr/bin/ping"
    t.addfile(hl)
    sl = tarfile.TarInfo("./usr/bin/ping6")
    sl.type, sl.linkname = tarfile.SYMTYPE, "ping"
    t.addfile(sl)
    big = bytes((i * 7) % 251 for i in range(10000))
    add_file(t, "./usr/share/data.bin", big)
print(len(ping) + len(big))
