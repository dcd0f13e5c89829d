/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stage "finish": everything on disk, nothing left mounted or active, so the
 * node can boot and the disks can be pulled. */

#include "engine-internal.h"
#include "log.h"
#include "reinstall-guard.h"

int stage_finish(Engine *e) {
        /* Before the ESP is unmounted: the record that stops reinstall loops. */
        int r = reinstall_guard_mark(e);
        if (r < 0)
                log_warning("Could not record the install on the ESP (%s): a network boot with the same answer "
                            "would install again.", strerror(-r));
        sync();
        int failures = engine_unwind(e);
        if (failures > 0)
                return engine_fail(e, -EBUSY, "%d file system(s) or volume(s) could not be released; the data is written "
                                   "(sync done), but check the log before rebooting", failures);
        return 0;
}
