/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Draws the install screens of the text-mode installer (tui-progress.h)
 * with made-up engine reports, so tests/tui can capture and drive them
 * without installing anything:
 *   progress-demo progress   stages check..image reported, 42 % of the image; waits for a key
 *   progress-demo failure    the failure screen of stage "image" with log LOG (argv[2]); exit 10 retry, 11 exit
 *   progress-demo done       the done screen of a plan; exit 20 reboot chosen, 21 exit to a shell */

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "tui-internal.h"
#include "tui-progress.h"

static void screens(void) {
        newtInit();
        newtCls();
        newtSetColor(TUI_COLOR_ERROR, "red", "lightgray");
        newtPushHelpLine(" <Tab> next field  <Space> select  <Enter> press a button");
}

int main(int argc, char *argv[]) {
        const char *mode = argc > 1 ? argv[1] : "";

        if (streq(mode, "progress")) {
                TuiProgress p;
                static const char *const stages[] = { "check", "verify", "disks", "storage", "image" };
                screens();
                tui_progress_open(&p, "Installing");
                for (unsigned i = 0; i < ELEMENTSOF(stages); i++) {
                        p.ui.stage_begin(p.ui.userdata, i + 1, 8, stages[i]);
                        if (i + 1 < ELEMENTSOF(stages))
                                p.ui.stage_end(p.ui.userdata, stages[i], 0, (i + 1) * 1500000u);
                }
                p.ui.progress(p.ui.userdata, 1288490188u, 3113851289u, "bytes");
                newtWaitForKey();
                tui_progress_close(&p);
                newtFinished();
                return 0;
        }
        if (streq(mode, "failure") && argc > 2) {
                screens();
                TuiFailureChoice c = tui_failure_screen("image",
                        "image node.tar.zst: SHA-256 0c1d... of chunk 17 does not match the manifest's 9f2e...: "
                        "the image was not extracted further, the boot loader was not written", argv[2], -1);
                newtFinished();
                return c == TUI_FAILURE_RETRY ? 10 : 11;
        }
        if (streq(mode, "done")) {
                const char *plan_text =
                        "{ \"network\": { \"address\": \"192.168.1.20\", \"cidr\": \"192.168.1.20/24\","
                        " \"interface-on-target\": \"eno1\" }, \"system\": { \"fqdn\": \"pve1.example.org\" } }";
                json_object *plan = json_tokener_parse(plan_text);
                bool reboot = false;
                screens();
                tui_done_screen(plan, &reboot);
                newtFinished();
                json_object_put(plan);
                return reboot ? 20 : 21;
        }
        fprintf(stderr, "usage: progress-demo progress|failure LOG|done\n");
        return 2;
}
