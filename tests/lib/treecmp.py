#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Prints an mtree-like manifest of a directory tree, one line per entry:
path, type, mode, uid, gid, size, sha256 of contents, link target, xattrs and
hard-link group, sorted, so two trees compare with diff or `treecmp.py A B`.
Modification times of directories are left out on purpose (extraction order
changes them); file mtimes are kept."""
import hashlib, os, stat, sys


def describe(root):
    lines = []
    groups = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            st = os.lstat(full)
            kind = stat.S_IFMT(st.st_mode)
            f = [rel, {stat.S_IFREG: "file", stat.S_IFDIR: "dir", stat.S_IFLNK: "link",
                       stat.S_IFCHR: "char", stat.S_IFBLK: "block", stat.S_IFIFO: "fifo",
                       stat.S_IFSOCK: "socket"}[kind],
                 "mode=%04o" % stat.S_IMODE(st.st_mode), "uid=%d" % st.st_uid, "gid=%d" % st.st_gid]
            if kind == stat.S_IFREG:
                h = hashlib.sha256()
                with open(full, "rb") as fh:
                    for block in iter(lambda: fh.read(1 << 20), b""):
                        h.update(block)
                f += ["size=%d" % st.st_size, "sha256=" + h.hexdigest(), "mtime=%d" % int(st.st_mtime)]
                if st.st_nlink > 1:
                    key = (st.st_dev, st.st_ino)
                    groups.setdefault(key, rel)
                    f.append("hardlink-group=" + groups[key])
            elif kind == stat.S_IFLNK:
                f.append("target=" + os.readlink(full))
            elif kind in (stat.S_IFCHR, stat.S_IFBLK):
                f.append("rdev=%d,%d" % (os.major(st.st_rdev), os.minor(st.st_rdev)))
            try:
                names = sorted(os.listxattr(full, follow_symlinks=False))
            except OSError:
                names = []
            for x in names:
                v = os.getxattr(full, x, follow_symlinks=False)
                f.append("xattr:%s=%s" % (x, v.hex()))
            lines.append(" ".join(f))
    return lines


def main():
    if len(sys.argv) == 2:
        print("\n".join(describe(sys.argv[1])))
        return 0
    if len(sys.argv) == 3:
        a, b = describe(sys.argv[1]), describe(sys.argv[2])
        if a == b:
            print("trees are identical (%d entries)" % len(a))
            return 0
        import difflib
        sys.stdout.writelines(difflib.unified_diff([l + "\n" for l in a], [l + "\n" for l in b],
                                                   sys.argv[1], sys.argv[2], n=0))
        return 1
    print("usage: treecmp.py DIR | treecmp.py DIR1 DIR2", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
