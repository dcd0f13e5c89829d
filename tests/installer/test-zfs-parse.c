/* SPDX-License-Identifier: GPL-2.0-or-later */
/* installer/zfs.c: which pools `zpool list -H -v -P` and `zpool import` name
 * on the plan's disks (exported before those disks are wiped) and off them
 * (their names are taken: the new pool picks another). The texts follow the
 * layout OpenZFS 2.3 prints. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "testlib.h"
#include "zfs.h"

/* Imported: tpool is a mirror over vda4 and vdb4, data sits on sdc alone
 * (a whole disk: ZFS made sdc1), nvme sits on nvme0n1p3. */
static const char imported[] =
        "tpool\t15.5G\t1.2G\t14.3G\t-\t-\t0%\t7%\t1.00x\tONLINE\t/run/forja/target\n"
        "\tmirror-0\t15.5G\t1.2G\t14.3G\t-\t-\t0%\t7.74%\t-\tONLINE\n"
        "\t  /dev/vda4\t15.5G\t-\t-\t-\t-\t-\t-\t-\tONLINE\n"
        "\t  /dev/vdb4\t15.5G\t-\t-\t-\t-\t-\t-\t-\tONLINE\n"
        "data\t99.5G\t10G\t89.5G\t-\t-\t1%\t10%\t1.00x\tONLINE\t-\n"
        "\t/dev/sdc1\t99.5G\t10G\t89.5G\t-\t-\t1%\t10.0%\t-\tONLINE\n"
        "nvme\t1.8T\t1G\t1.8T\t-\t-\t0%\t0%\t1.00x\tONLINE\t-\n"
        "\t/dev/nvme0n1p3\t1.8T\t1G\t1.8T\t-\t-\t0%\t0%\t-\tONLINE\n";

/* Importable: an old rpool on the plan's disks (vda, vdb), an rpool on a
 * disk outside the plan (vdc), and a raidz with a log on vdd and vdda. */
static const char importable[] =
        "   pool: rpool\n"
        "     id: 1234567890\n"
        "  state: ONLINE\n"
        " action: The pool can be imported using its name or numeric identifier.\n"
        " config:\n"
        "\n"
        "\trpool       ONLINE\n"
        "\t  mirror-0  ONLINE\n"
        "\t    vda3    ONLINE\n"
        "\t    vdb3    ONLINE\n"
        "\n"
        "   pool: rpool\n"
        "     id: 987654321\n"
        "  state: ONLINE\n"
        " action: The pool can be imported using its name or numeric identifier.\n"
        " config:\n"
        "\n"
        "\trpool       ONLINE\n"
        "\t  vdc3      ONLINE\n"
        "\n"
        "   pool: tank\n"
        "     id: 55\n"
        "  state: ONLINE\n"
        " config:\n"
        "\n"
        "\ttank        ONLINE\n"
        "\t  raidz1-0  ONLINE\n"
        "\t    vdd1    ONLINE\n"
        "\t    vdd2    ONLINE\n"
        "\t    vdd3    ONLINE\n"
        "\tlogs\n"
        "\t  vdda1     ONLINE\n";

static char *joined(char **l) {
        static char buf[512];
        buf[0] = 0;
        for (size_t i = 0; l && l[i]; i++)
                snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? " " : "", l[i]);
        return buf;
}

static void check(const char *text, bool import, const char *const *disks, bool off, int want_n, const char *want) {
        char **names = NULL;
        CHECK_INTEQ(zfs_parse_pools(text, import, disks, off, &names), want_n);
        CHECK_STREQ(joined(names), want);
        strv_free(names);
}

int main(void) {
        /* imported pools using a disk of the plan: exported before the wipe */
        check(imported, false, (const char *const[]) { "vda", NULL }, false, 1, "tpool");
        check(imported, false, (const char *const[]) { "vdb", NULL }, false, 1, "tpool");
        check(imported, false, (const char *const[]) { "sdc", NULL }, false, 1, "data");
        check(imported, false, (const char *const[]) { "nvme0n1", NULL }, false, 1, "nvme");
        check(imported, false, (const char *const[]) { "vdc", NULL }, false, 0, "");
        /* "vd" is no disk of any of them, nor is "nvme0" */
        check(imported, false, (const char *const[]) { "vd", NULL }, false, 0, "");
        check(imported, false, (const char *const[]) { "nvme0", NULL }, false, 0, "");

        /* importable pools off the plan's disks: their names are taken */
        check(importable, true, (const char *const[]) { "vda", "vdb", NULL }, true, 2, "rpool tank");
        /* with vdc in the plan too, only tank (on vdd, vdda) is foreign */
        check(importable, true, (const char *const[]) { "vda", "vdb", "vdc", NULL }, true, 1, "tank");
        /* the log device on vdda keeps tank foreign when only vdd is in the plan */
        check(importable, true, (const char *const[]) { "vda", "vdb", "vdc", "vdd", NULL }, true, 1, "tank");
        check(importable, true, (const char *const[]) { "vda", "vdb", "vdc", "vdd", "vdda", NULL }, true, 0, "");
        /* and on the plan's disks */
        check(importable, true, (const char *const[]) { "vdd", NULL }, false, 1, "tank");
        check(importable, true, (const char *const[]) { "vdb", NULL }, false, 1, "rpool");

        /* nothing to parse */
        check("", false, (const char *const[]) { "vda", NULL }, false, 0, "");
        check("no pools available\n", true, (const char *const[]) { "vda", NULL }, true, 0, "");
        return test_result();
}
