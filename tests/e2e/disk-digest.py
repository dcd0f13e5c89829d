#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""SHA-256 of disk image files, the same value `sha256sum` prints, computed
without reading the holes of sparse files: a hole is zeros by definition, so
its bytes are fed to the hash from a zero buffer (SEEK_DATA/SEEK_HOLE). A
12 GiB sparse disk with a few MiB of data hashes in seconds, not a minute.

    disk-digest.py FILE...      prints "SHA256  FILE" lines, like sha256sum
"""

import hashlib
import os
import sys

BLOCK = 1 << 20
ZEROS = bytes(BLOCK)


def _feed_zeros(h, n):
    while n > 0:
        k = min(n, BLOCK)
        h.update(ZEROS[:k] if k < BLOCK else ZEROS)
        n -= k


def _data_extents(fd, size):
    """(start, end) of the data extents; the whole file when the file system
    cannot tell (no SEEK_DATA)."""
    pos = 0
    try:
        while pos < size:
            try:
                start = os.lseek(fd, pos, os.SEEK_DATA)
            except OSError:  # ENXIO: only a hole is left
                return
            end = os.lseek(fd, start, os.SEEK_HOLE)
            yield start, end
            pos = end
    except (AttributeError, OSError):
        if pos == 0:
            yield 0, size


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb", buffering=0) as f:
        fd = f.fileno()
        size = os.fstat(fd).st_size
        pos = 0
        for start, end in _data_extents(fd, size):
            _feed_zeros(h, start - pos)
            os.lseek(fd, start, os.SEEK_SET)
            left = end - start
            while left > 0:
                b = f.read(min(left, 8 * BLOCK))
                if not b:
                    raise OSError(f"{path}: short read")
                h.update(b)
                left -= len(b)
            pos = end
        _feed_zeros(h, size - pos)
    return h.hexdigest()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: disk-digest.py FILE...")
    for p in sys.argv[1:]:
        print(f"{sha256_file(p)}  {p}")
